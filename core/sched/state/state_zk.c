/* state_zk: the state document (state.h) in one ZooKeeper znode, through
 * the multi-threaded ZooKeeper C client. The client's own threads run the
 * session; their callbacks only copy what they got into a message
 * (zk_push: copy + enqueue under a mutex + uv_async_send), and on_async
 * drains the queue on the loop thread, where everything else of this
 * module runs. Loading happens once before the loop runs: it waits on a
 * condition variable for the messages, bounded by a deadline. Saving is
 * asynchronous and coalesced: one write in flight, the newest document
 * waiting behind it; writes carry the znode version, a write lost in a
 * connection loss is "in doubt" until a resync reads the znode back, and
 * during an outage a retry timer tries again; an optional gate (HA's
 * lease) is asked before each write leaves. Close gives queued writes
 * a grace period, then closes the loop handles; free ends the session. */
#include "sched/state/state_zk.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zookeeper/zookeeper.h>

#include "codec/log.h"
#include "codec/zkurl.h"

#define MOD "state-zk"
#define SESSION_TIMEOUT_MS 10000
#define RETRY_MS 2000

typedef enum { MSG_STATE, MSG_GET, MSG_WRITE, MSG_PARENT, MSG_RESYNC } msg_kind;

typedef struct zk_msg {
    struct zk_msg *next;
    msg_kind kind;
    int gen;
    int rc;
    int state;
    int version;
    char *data;
    int len;
} zk_msg;

/* One per zookeeper handle: the watcher context and completion data. */
typedef struct zk_conn {
    kmesos_state_zk *z;
    int gen;
} zk_conn;

struct kmesos_state_zk {
    uv_loop_t *loop;
    uv_async_t async;
    uv_timer_t retry, grace;
    char *hosts, *path;
    zhandle_t *zh;
    zk_conn *conn;
    int gen;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    zk_msg *head, *tail; /* guarded by mu */
    int async_open;      /* guarded by mu */
    int connected, failing, closing, closed;
    int version; /* znode version, -1: no znode */
    char *inflight, *pending, *doubt;
    unsigned writes;
    int (*gate)(void *arg); /* may a write leave now? NULL: always */
    void *gate_arg;
};

/* ---- URL ----------------------------------------------------------------- */

/* zk://[user:pass@]hosts/path through the shared parser; credentials are
 * refused (this store does not authenticate). */
static int parse_full(const char *url, char **hosts, char **path, char *err, size_t errlen)
{
    kmesos_zkurl u;
    char why[512];
    if (kmesos_zkurl_parse(url, &u, why, sizeof why) != 0) {
        snprintf(err, errlen, "--state: %s", why);
        return -1;
    }
    if (u.user) {
        snprintf(err, errlen, "--state: ZooKeeper credentials are not supported for the state");
        kmesos_zkurl_free(&u);
        return -1;
    }
    *hosts = u.hosts;
    *path = u.path;
    u.hosts = u.path = NULL;
    kmesos_zkurl_free(&u);
    return 0;
}

/* zk:/path: the servers come from $KMESOS_ZK or the default. */
static int parse_bare(const char *url, char **hosts, char **path, char *err, size_t errlen)
{
    const char *env = getenv("KMESOS_ZK");
    char why[512];
    *hosts = strdup(env && *env ? env : KMESOS_STATE_ZK_DEFAULT);
    *path = strdup(url + 3);
    if (!*hosts || !*path)
        snprintf(why, sizeof why, "out of memory");
    if (!*hosts || !*path || kmesos_zkurl_check_hosts(*hosts, why, sizeof why) != 0 ||
        kmesos_zkurl_check_path(*path, why, sizeof why) != 0) {
        snprintf(err, errlen, "--state %s: %s", url, why);
        free(*hosts);
        free(*path);
        *hosts = *path = NULL;
        return -1;
    }
    return 0;
}

int kmesos_state_zk_parse(const char *url, char **hosts, char **path, char *err, size_t errlen)
{
    *hosts = *path = NULL;
    if (strncmp(url, "zk:", 3) != 0) {
        snprintf(err, errlen, "--state %s: not a zk: URL", url);
        return -1;
    }
    return strncmp(url, "zk://", 5) == 0 ? parse_full(url, hosts, path, err, errlen)
                                         : parse_bare(url, hosts, path, err, errlen);
}

/* ---- completion thread -> loop ---------------------------------------------------- */

static void push_state(const zk_conn *c, msg_kind kind, int rc, int version, const char *data,
                       int len, int state)
{
    zk_msg *m = calloc(1, sizeof *m);
    if (!m)
        return;
    *m = (zk_msg){.kind = kind, .gen = c->gen, .rc = rc, .version = version, .len = len,
                  .state = state};
    if (data && len >= 0 && !(m->data = malloc((size_t)len + 1))) {
        free(m);
        return;
    }
    if (m->data) {
        memcpy(m->data, data, (size_t)len);
        m->data[len] = '\0';
    }
    kmesos_state_zk *z = c->z;
    pthread_mutex_lock(&z->mu);
    if (z->tail)
        z->tail->next = m;
    else
        z->head = m;
    z->tail = m;
    pthread_cond_signal(&z->cond);
    if (z->async_open)
        uv_async_send(&z->async);
    pthread_mutex_unlock(&z->mu);
}

static void zk_push(const zk_conn *c, msg_kind kind, int rc, int version, const char *data, int len)
{
    push_state(c, kind, rc, version, data, len, 0);
}

static void on_watch(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
    (void)zh;
    (void)path;
    if (type == ZOO_SESSION_EVENT)
        push_state(ctx, MSG_STATE, ZOK, -1, NULL, -1, state);
}

static void on_get(int rc, const char *value, int len, const struct Stat *st, const void *data)
{
    zk_push(data, MSG_GET, rc, st ? st->version : -1, value, value ? len : -1);
}

static void on_resync(int rc, const char *value, int len, const struct Stat *st,
                      const void *data)
{
    zk_push(data, MSG_RESYNC, rc, st ? st->version : -1, value, value ? len : -1);
}

static void on_set(int rc, const struct Stat *st, const void *data)
{
    zk_push(data, MSG_WRITE, rc, st ? st->version : -1, NULL, -1);
}

static void on_create(int rc, const char *value, const void *data)
{
    (void)value;
    zk_push(data, MSG_WRITE, rc, 0, NULL, -1); /* a new znode has version 0 */
}

static void on_parent(int rc, const char *value, const void *data)
{
    (void)value;
    zk_push(data, MSG_PARENT, rc, -1, NULL, -1);
}

static zk_msg *pop(kmesos_state_zk *z)
{
    zk_msg *m = z->head;
    if (m && !(z->head = m->next))
        z->tail = NULL;
    return m;
}

static void free_msg(zk_msg *m)
{
    if (m)
        free(m->data);
    free(m);
}

/* ---- session ------------------------------------------------------------------- */

/* The client library's own records (one per reconnect attempt during an
 * outage) go to our log at debug level; this module logs what matters. */
static void on_zk_log(const char *message) { KLOG_DEBUG(MOD, "client: %s", message); }

static int open_session(kmesos_state_zk *z, char *err, size_t errlen)
{
    zk_conn *c = malloc(sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *c = (zk_conn){z, ++z->gen};
    z->zh = zookeeper_init2(z->hosts, on_watch, SESSION_TIMEOUT_MS, NULL, c, 0, on_zk_log);
    if (!z->zh) {
        snprintf(err, errlen, "ZooKeeper %s: %s", z->hosts, strerror(errno));
        free(c);
        return -1;
    }
    z->conn = c;
    return 0;
}

/* Blocks until every completion of the old handle has run: only for an
 * expired session (nothing to send) or after the loop has ended. */
static void close_session(kmesos_state_zk *z)
{
    if (z->zh)
        zookeeper_close(z->zh);
    z->zh = NULL;
    free(z->conn);
    z->conn = NULL;
    z->connected = 0;
}

kmesos_state_zk *kmesos_state_zk_new(uv_loop_t *loop, const char *url, char *err, size_t errlen)
{
    kmesos_state_zk *z = calloc(1, sizeof *z);
    if (!z) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    z->loop = loop;
    z->version = -1;
    pthread_mutex_init(&z->mu, NULL);
    pthread_cond_init(&z->cond, NULL);
    if (kmesos_state_zk_parse(url, &z->hosts, &z->path, err, errlen) != 0) {
        kmesos_state_zk_free(z);
        return NULL;
    }
    zoo_set_debug_level(kmesos_log_enabled(KMESOS_LOG_DEBUG) ? ZOO_LOG_LEVEL_WARN
                                                             : ZOO_LOG_LEVEL_ERROR);
    return z;
}

/* ---- load (before the loop) ------------------------------------------------------- */

static zk_msg *wait_msg(kmesos_state_zk *z, const struct timespec *deadline)
{
    pthread_mutex_lock(&z->mu);
    while (!z->head && pthread_cond_timedwait(&z->cond, &z->mu, deadline) != ETIMEDOUT)
        ;
    zk_msg *m = pop(z);
    pthread_mutex_unlock(&z->mu);
    return m;
}

/* Waits for a message of kind; session events on the way update the
 * connection flag. NULL on timeout or a dead session (err set). */
static zk_msg *wait_for(kmesos_state_zk *z, msg_kind kind, const struct timespec *deadline,
                        char *err, size_t errlen)
{
    for (;;) {
        zk_msg *m = wait_msg(z, deadline);
        if (!m) {
            snprintf(err, errlen, "ZooKeeper %s did not answer within the start-up timeout",
                     z->hosts);
            return NULL;
        }
        if (m->kind == kind)
            return m;
        if (m->kind == MSG_STATE && m->state == ZOO_CONNECTED_STATE)
            z->connected = 1;
        if (m->kind == MSG_STATE &&
            (m->state == ZOO_EXPIRED_SESSION_STATE || m->state == ZOO_AUTH_FAILED_STATE)) {
            snprintf(err, errlen, "ZooKeeper %s: session %s", z->hosts,
                     m->state == ZOO_AUTH_FAILED_STATE ? "authentication failed" : "expired");
            free_msg(m);
            return NULL;
        }
        free_msg(m);
    }
}

static int wait_connected(kmesos_state_zk *z, const struct timespec *deadline, char *err,
                          size_t errlen)
{
    while (!z->connected) {
        zk_msg *m = wait_for(z, MSG_STATE, deadline, err, errlen);
        if (!m)
            return -1;
        if (m->state == ZOO_CONNECTED_STATE)
            z->connected = 1;
        int dead = m->state == ZOO_EXPIRED_SESSION_STATE || m->state == ZOO_AUTH_FAILED_STATE;
        free_msg(m);
        if (dead) {
            snprintf(err, errlen, "ZooKeeper %s: session lost while loading", z->hosts);
            return -1;
        }
    }
    return 0;
}

static int read_znode(kmesos_state_zk *z, const struct timespec *deadline, char **text,
                      char *err, size_t errlen)
{
    int rc = zoo_aget(z->zh, z->path, 0, on_get, z->conn);
    if (rc != ZOK) {
        snprintf(err, errlen, "ZooKeeper %s: cannot read %s: %s", z->hosts, z->path, zerror(rc));
        return -1;
    }
    zk_msg *m = wait_for(z, MSG_GET, deadline, err, errlen);
    if (!m)
        return -1;
    int out = -1;
    if (m->rc == ZNONODE) {
        z->version = -1;
        out = 1;
    } else if (m->rc != ZOK) {
        snprintf(err, errlen, "ZooKeeper %s: cannot read %s: %s", z->hosts, z->path,
                 zerror(m->rc));
    } else {
        z->version = m->version;
        *text = m->data ? m->data : strdup("");
        m->data = NULL;
        out = *text ? 0 : -1;
    }
    free_msg(m);
    return out;
}

int kmesos_state_zk_load(kmesos_state_zk *z, int timeout_ms, char **text, char *err,
                         size_t errlen)
{
    *text = NULL;
    if (!z->zh && open_session(z, err, errlen) != 0)
        return -1;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    char why[256];
    if (wait_connected(z, &deadline, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s (no session within %d ms: is ZooKeeper running there?)", why,
                 timeout_ms);
        return -1;
    }
    int rc = read_znode(z, &deadline, text, why, sizeof why);
    if (rc < 0)
        snprintf(err, errlen, "%s", why);
    return rc;
}

/* ---- saving (loop thread) ------------------------------------------------------------- */

static void kick(kmesos_state_zk *z);
static void finish_close(kmesos_state_zk *z);

static void note_outage(kmesos_state_zk *z, const char *why)
{
    if (z->failing)
        return;
    z->failing = 1;
    KLOG_WARN(MOD, "ZooKeeper %s: %s; the state is saved to %s when it is back", z->hosts, why,
              z->path);
}

/* The write in flight goes back to waiting unless a newer one waits. */
static void requeue(kmesos_state_zk *z)
{
    if (!z->inflight)
        return;
    if (!z->pending)
        z->pending = z->inflight;
    else
        free(z->inflight);
    z->inflight = NULL;
}

static void on_retry(uv_timer_t *t) { kick(t->data); }

static void retry_later(kmesos_state_zk *z)
{
    requeue(z);
    if (!z->closing)
        uv_timer_start(&z->retry, on_retry, RETRY_MS, 0);
    else
        finish_close(z);
}

static int is_connection_error(int rc)
{
    return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONEXPIRED ||
           rc == ZCLOSING || rc == ZINVALIDSTATE || rc == ZSESSIONMOVED;
}

static void write_failed(kmesos_state_zk *z, int rc)
{
    if (is_connection_error(rc)) {
        /* it may have been applied: remember it to recognise it later */
        if (z->inflight && rc != ZINVALIDSTATE) {
            free(z->doubt);
            z->doubt = strdup(z->inflight);
        }
        note_outage(z, zerror(rc));
        if (!z->connected) {
            requeue(z); /* written on CONNECTED */
            if (z->closing)
                finish_close(z);
            return;
        }
    } else {
        KLOG_ERROR(MOD, "cannot write the state znode %s on %s: %s; retrying in %d s", z->path,
                   z->hosts, zerror(rc), RETRY_MS / 1000);
    }
    retry_later(z);
}

/* Creates the parents (a znode that exists already is fine), then the
 * znode itself: one session answers in order, so they can be pipelined. */
static int create_chain(kmesos_state_zk *z)
{
    char prefix[1024];
    for (const char *s = strchr(z->path + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(prefix, sizeof prefix, "%.*s", (int)(s - z->path), z->path);
        int rc = zoo_acreate(z->zh, prefix, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT,
                             on_parent, z->conn);
        if (rc != ZOK)
            return rc;
    }
    return zoo_acreate(z->zh, z->path, z->inflight, (int)strlen(z->inflight),
                       &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, on_create, z->conn);
}

/* The gate refused: nothing of this scheduler may be written any more. */
static void write_refused(kmesos_state_zk *z)
{
    KLOG_WARN(MOD, "state write to %s refused: this scheduler is not the leader", z->path);
    free(z->inflight);
    free(z->pending);
    z->inflight = z->pending = NULL;
    if (z->closing)
        finish_close(z);
}

static void start_write(kmesos_state_zk *z)
{
    if (z->gate && !z->gate(z->gate_arg)) {
        write_refused(z);
        return;
    }
    int rc = z->version < 0 ? create_chain(z)
                            : zoo_aset(z->zh, z->path, z->inflight, (int)strlen(z->inflight),
                                       z->version, on_set, z->conn);
    if (rc != ZOK)
        write_failed(z, rc);
}

static void kick(kmesos_state_zk *z)
{
    if (z->closed)
        return;
    if (!z->inflight && z->pending && z->connected && z->zh &&
        !uv_is_active((uv_handle_t *)&z->retry)) {
        z->inflight = z->pending;
        z->pending = NULL;
        start_write(z);
    }
    if (z->closing && kmesos_state_zk_idle(z))
        finish_close(z);
}

static void written(kmesos_state_zk *z, int version)
{
    z->version = version;
    free(z->inflight);
    z->inflight = NULL;
    free(z->doubt);
    z->doubt = NULL;
    z->writes++;
    if (z->failing)
        KLOG_INFO(MOD, "ZooKeeper %s: state saved to %s again", z->hosts, z->path);
    z->failing = 0;
    kick(z);
}

static void on_write_done(kmesos_state_zk *z, const zk_msg *m)
{
    if (!z->inflight)
        return;
    if (m->rc == ZOK) {
        written(z, m->version);
    } else if (m->rc == ZBADVERSION || m->rc == ZNODEEXISTS) {
        int rc = zoo_aget(z->zh, z->path, 0, on_resync, z->conn);
        if (rc != ZOK)
            write_failed(z, rc);
    } else if (m->rc == ZNONODE && z->version >= 0) {
        KLOG_ERROR(MOD, "the state znode %s was deleted by someone else; writing it again",
                   z->path);
        z->version = -1;
        requeue(z);
        kick(z);
    } else {
        write_failed(z, m->rc);
    }
}

/* After a version conflict: the znode holds either our own write (sent
 * before a connection loss) or another writer's document. */
static void on_resync_done(kmesos_state_zk *z, const zk_msg *m)
{
    if (!z->inflight)
        return;
    if (m->rc == ZNONODE) {
        z->version = -1;
        start_write(z);
        return;
    }
    if (m->rc != ZOK) {
        write_failed(z, m->rc);
        return;
    }
    const char *data = m->data ? m->data : "";
    if (strcmp(data, z->inflight) == 0) {
        written(z, m->version);
        return;
    }
    if (!z->doubt || strcmp(data, z->doubt) != 0)
        KLOG_ERROR(MOD, "the state znode %s was changed by another writer (version %d, this "
                   "scheduler wrote version %d): is a second kmesos-scheduler using it? "
                   "Writing this scheduler's state over it",
                   z->path, m->version, z->version);
    free(z->doubt);
    z->doubt = NULL;
    z->version = m->version;
    start_write(z);
}

static void on_session_state(kmesos_state_zk *z, int state)
{
    if (state == ZOO_CONNECTED_STATE) {
        z->connected = 1;
        kick(z);
    } else if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
        note_outage(z, state == ZOO_AUTH_FAILED_STATE ? "authentication failed"
                                                      : "session expired");
        requeue(z);
        close_session(z); /* expired: nothing to send, returns at once */
        char err[256];
        if (z->closing)
            finish_close(z);
        else if (open_session(z, err, sizeof err) != 0)
            KLOG_ERROR(MOD, "%s", err);
    } else {
        if (z->connected)
            note_outage(z, "connection lost");
        z->connected = 0;
        if (z->closing)
            finish_close(z);
    }
}

static void on_async(uv_async_t *a)
{
    kmesos_state_zk *z = a->data;
    for (;;) {
        pthread_mutex_lock(&z->mu);
        zk_msg *m = pop(z);
        pthread_mutex_unlock(&z->mu);
        if (!m)
            break;
        if (m->gen == z->gen && !z->closed) {
            if (m->kind == MSG_STATE)
                on_session_state(z, m->state);
            else if (m->kind == MSG_WRITE)
                on_write_done(z, m);
            else if (m->kind == MSG_RESYNC)
                on_resync_done(z, m);
            else if (m->kind == MSG_PARENT && m->rc != ZOK && m->rc != ZNODEEXISTS)
                KLOG_WARN(MOD, "cannot create a parent of %s: %s", z->path, zerror(m->rc));
        }
        free_msg(m);
    }
}

static int start_handles(kmesos_state_zk *z)
{
    if (z->async.loop)
        return 0;
    if (uv_async_init(z->loop, &z->async, on_async) != 0)
        return -1;
    uv_timer_init(z->loop, &z->retry);
    uv_timer_init(z->loop, &z->grace);
    z->async.data = z->retry.data = z->grace.data = z;
    pthread_mutex_lock(&z->mu);
    z->async_open = 1;
    if (z->head)
        uv_async_send(&z->async);
    pthread_mutex_unlock(&z->mu);
    return 0;
}

void kmesos_state_zk_save(kmesos_state_zk *z, char *text)
{
    if (!text)
        return;
    char err[256] = "the store is closed";
    if (z->closed || start_handles(z) != 0 || (!z->zh && open_session(z, err, sizeof err))) {
        KLOG_ERROR(MOD, "state not saved to %s: %s", z->path, err);
        free(text);
        return;
    }
    free(z->pending);
    z->pending = text;
    kick(z);
}

void kmesos_state_zk_set_gate(kmesos_state_zk *z, int (*gate)(void *arg), void *arg)
{
    z->gate = gate;
    z->gate_arg = arg;
}

int kmesos_state_zk_idle(const kmesos_state_zk *z) { return !z->inflight && !z->pending; }

unsigned kmesos_state_zk_writes(const kmesos_state_zk *z) { return z->writes; }

/* ---- shutdown ----------------------------------------------------------------------- */

static void finish_close(kmesos_state_zk *z)
{
    if (z->closed)
        return;
    z->closed = 1;
    if (!kmesos_state_zk_idle(z))
        KLOG_ERROR(MOD, "ZooKeeper %s: the last state changes were not saved to %s", z->hosts,
                   z->path);
    if (!z->async.loop)
        return;
    pthread_mutex_lock(&z->mu);
    z->async_open = 0;
    pthread_mutex_unlock(&z->mu);
    uv_close((uv_handle_t *)&z->async, NULL);
    uv_close((uv_handle_t *)&z->retry, NULL);
    uv_close((uv_handle_t *)&z->grace, NULL);
}

static void on_grace(uv_timer_t *t) { finish_close(t->data); }

void kmesos_state_zk_close(kmesos_state_zk *z, unsigned grace_ms)
{
    if (!z || z->closing)
        return;
    z->closing = 1;
    if (kmesos_state_zk_idle(z) || !z->connected || !z->async.loop) {
        finish_close(z);
        return;
    }
    uv_timer_stop(&z->retry);
    uv_timer_start(&z->grace, on_grace, grace_ms, 0);
    kick(z);
}

void kmesos_state_zk_free(kmesos_state_zk *z)
{
    if (!z)
        return;
    close_session(z);
    zk_msg *m;
    while ((m = pop(z)))
        free_msg(m);
    free(z->inflight);
    free(z->pending);
    free(z->doubt);
    free(z->hosts);
    free(z->path);
    pthread_mutex_destroy(&z->mu);
    pthread_cond_destroy(&z->cond);
    free(z);
}
