/* zkc: an asynchronous ZooKeeper client on a libuv loop, shared by every
 * module that talks to ZooKeeper (the master detector, kmesos-local's
 * master election, scheduler HA, the state store).
 *
 * Built on libzookeeper_mt: its own threads run the session; every
 * completion, watch and session event is copied into a queue and handed
 * to the loop with a uv_async_t, so EVERY callback of this API runs on the
 * loop thread, and nothing here blocks the loop.
 *
 * Session: kmesos_zkc_new starts connecting; the session callback then
 * says CONNECTED, DISCONNECTED (connection lost; the session and its
 * ephemerals may live on, the client reconnects by itself) or EXPIRED
 * (the session is gone with its ephemerals and watches; zkc opens a new
 * session at once and says CONNECTED again when it has it). An operation
 * or watch of an expired session never calls back.
 *
 * Operations: each takes a callback (may be NULL) and its arg; the
 * callback runs exactly once with a ZooKeeper return code (KMESOS_ZKC_OK,
 * KMESOS_ZKC_NONODE, ... or a connection error), unless the session
 * expired or the client was closed first. A watch (optional, one-shot)
 * fires once, with the event type and the path. Both return 0 when the
 * request was sent, or a ZooKeeper error code (nothing will call back).
 *
 * Two calls into the library do wait on the loop thread, briefly:
 * zookeeper_init resolves the server names (new, and a new session after
 * an expiry), and closing an expired session joins the library's threads
 * (nothing is sent).
 *
 * Close: kmesos_zkc_close ends the session (its ephemerals vanish at
 * once) on a worker thread and frees everything when that is done; no
 * callback runs after close. Run the loop until it ends after a close. */
#ifndef KMESOS_ZKC_H
#define KMESOS_ZKC_H
#include <stddef.h>
#include <uv.h>

/* ZooKeeper return codes (the C client's values, checked in zkc.c). */
enum {
    KMESOS_ZKC_OK = 0,
    KMESOS_ZKC_SYSTEMERROR = -1, /* also: out of memory here */
    KMESOS_ZKC_CONNECTIONLOSS = -4,
    KMESOS_ZKC_OPERATIONTIMEOUT = -7,
    KMESOS_ZKC_BADARGUMENTS = -8,
    KMESOS_ZKC_INVALIDSTATE = -9,
    KMESOS_ZKC_NONODE = -101,
    KMESOS_ZKC_NOAUTH = -102,
    KMESOS_ZKC_BADVERSION = -103,
    KMESOS_ZKC_NODEEXISTS = -110,
    KMESOS_ZKC_NOTEMPTY = -111,
    KMESOS_ZKC_SESSIONEXPIRED = -112,
    KMESOS_ZKC_CLOSING = -116,
};

typedef enum {
    KMESOS_ZKC_CONNECTED,
    KMESOS_ZKC_DISCONNECTED,
    KMESOS_ZKC_EXPIRED,
    KMESOS_ZKC_AUTH_FAILED, /* the credentials were refused; treated as expired */
} kmesos_zkc_event;

/* Watch event types. */
typedef enum {
    KMESOS_ZKC_WATCH_CREATED,
    KMESOS_ZKC_WATCH_DELETED,
    KMESOS_ZKC_WATCH_CHANGED,
    KMESOS_ZKC_WATCH_CHILD,
} kmesos_zkc_watch_type;

/* create flags */
#define KMESOS_ZKC_EPHEMERAL 1
#define KMESOS_ZKC_SEQUENCE 2
#define KMESOS_ZKC_PARENTS 4 /* create missing parents (persistent, empty) */

typedef struct kmesos_zkc kmesos_zkc;

typedef void (*kmesos_zkc_session_cb)(void *arg, kmesos_zkc_event ev);
typedef void (*kmesos_zkc_watch_cb)(void *arg, kmesos_zkc_watch_type type, const char *path);
/* names: sorted (strcmp), count of them; valid during the call only */
typedef void (*kmesos_zkc_children_cb)(void *arg, int rc, char *const *names, int count);
/* data: NUL-terminated copy (len bytes, may hold NULs; NULL when the
 * znode has no data or rc != OK); version: the znode's, -1 when none */
typedef void (*kmesos_zkc_data_cb)(void *arg, int rc, const char *data, int len, int version);
/* exists (rc NONODE when absent), set and delete: version -1 when none */
typedef void (*kmesos_zkc_stat_cb)(void *arg, int rc, int version);
/* path: the created znode's path (with its sequence number) */
typedef void (*kmesos_zkc_create_cb)(void *arg, int rc, const char *path);

/* Starts a session with hosts ("host:port[,host:port]"). NULL (logged)
 * when the client cannot be created (a name that does not resolve); what
 * it allocated is then freed as the loop runs. */
kmesos_zkc *kmesos_zkc_new(uv_loop_t *loop, const char *hosts, int session_timeout_ms,
                           kmesos_zkc_session_cb session_cb, void *arg);
/* Digest credentials, sent now and on every new session; znodes created
 * afterwards are readable by anyone and writable by these credentials
 * only. 0 or an error code. */
int kmesos_zkc_auth(kmesos_zkc *z, const char *user, const char *pass);
/* 1 while the session is connected. */
int kmesos_zkc_connected(const kmesos_zkc *z);
/* The session timeout the server granted (ms; the asked one before). */
int kmesos_zkc_session_timeout(const kmesos_zkc *z);
/* The session id (0 before the first connection). */
long long kmesos_zkc_session_id(const kmesos_zkc *z);

int kmesos_zkc_children(kmesos_zkc *z, const char *path, kmesos_zkc_watch_cb watch,
                        void *watch_arg, kmesos_zkc_children_cb cb, void *arg);
int kmesos_zkc_get(kmesos_zkc *z, const char *path, kmesos_zkc_watch_cb watch, void *watch_arg,
                   kmesos_zkc_data_cb cb, void *arg);
int kmesos_zkc_exists(kmesos_zkc *z, const char *path, kmesos_zkc_watch_cb watch,
                      void *watch_arg, kmesos_zkc_stat_cb cb, void *arg);
int kmesos_zkc_create(kmesos_zkc *z, const char *path, const char *data, int len, int flags,
                      kmesos_zkc_create_cb cb, void *arg);
/* version -1: any */
int kmesos_zkc_delete(kmesos_zkc *z, const char *path, int version, kmesos_zkc_stat_cb cb,
                      void *arg);
int kmesos_zkc_set(kmesos_zkc *z, const char *path, const char *data, int len, int version,
                   kmesos_zkc_stat_cb cb, void *arg);

/* The text of a return code. */
const char *kmesos_zkc_error(int rc);
/* Ends the session and frees z (see above). Safe on NULL. */
void kmesos_zkc_close(kmesos_zkc *z);

#endif
