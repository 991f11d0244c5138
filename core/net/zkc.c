/* zkc: the asynchronous ZooKeeper client (zkc.h) over libzookeeper_mt.
 *
 * The library's threads call three kinds of functions: the session
 * watcher, per-request completions and per-request watchers. Each only
 * copies what it got into a message and queues it under a mutex, then
 * wakes the loop with uv_async_send; on_async drains the queue on the loop
 * thread, where all other code of this module runs.
 *
 * Every request gets a record (its callback and arg, and the session
 * generation it belongs to), kept on a list owned by the loop thread; the
 * library only carries the record's pointer back. A record is freed when
 * its message has been handled, or when its session ends (the library's
 * threads are joined by then, so nothing refers to it any more). A
 * message of an older generation, or any message after close, is freed
 * without calling back.
 *
 * An expired session is closed (quick: there is nothing to send) and a
 * new one opened at once, with the same credentials. The final close runs
 * zookeeper_close on a libuv worker thread, because a live session waits
 * for the server's answer there; the rest is freed on the loop after it. */
#include "net/zkc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zookeeper/zookeeper.h>

#include "codec/log.h"

#define MOD "zk"
#define AUTH_RETRY_MS 2000

_Static_assert((int)KMESOS_ZKC_SYSTEMERROR == (int)ZSYSTEMERROR &&
                   (int)KMESOS_ZKC_CONNECTIONLOSS == (int)ZCONNECTIONLOSS &&
                   (int)KMESOS_ZKC_OPERATIONTIMEOUT == (int)ZOPERATIONTIMEOUT &&
                   (int)KMESOS_ZKC_BADARGUMENTS == (int)ZBADARGUMENTS &&
                   (int)KMESOS_ZKC_INVALIDSTATE == (int)ZINVALIDSTATE &&
                   (int)KMESOS_ZKC_NONODE == (int)ZNONODE &&
                   (int)KMESOS_ZKC_NOAUTH == (int)ZNOAUTH &&
                   (int)KMESOS_ZKC_BADVERSION == (int)ZBADVERSION &&
                   (int)KMESOS_ZKC_NODEEXISTS == (int)ZNODEEXISTS &&
                   (int)KMESOS_ZKC_NOTEMPTY == (int)ZNOTEMPTY &&
                   (int)KMESOS_ZKC_SESSIONEXPIRED == (int)ZSESSIONEXPIRED &&
                   (int)KMESOS_ZKC_CLOSING == (int)ZCLOSING,
               "zkc.h return codes match the ZooKeeper C client");

typedef enum { OP_CHILDREN, OP_GET, OP_EXISTS, OP_CREATE, OP_DELETE, OP_SET, OP_NONE, OP_WATCH } op_kind;
typedef enum { MSG_SESSION, MSG_DONE, MSG_WATCH } msg_kind;

typedef struct zkc_rec {
    struct zkc_rec *prev, *next; /* z->recs, loop thread only */
    kmesos_zkc *z;               /* read by the library's threads (set before) */
    int gen;
    op_kind op;
    void (*cb)(void);
    void *arg;
    struct zkc_rec *watch; /* an op's watch record, until its completion */
} zkc_rec;

typedef struct zkc_msg {
    struct zkc_msg *next;
    msg_kind kind;
    int gen; /* MSG_SESSION: the handle's generation */
    zkc_rec *rec;
    int rc, state, type, version, len, count;
    char *data, *path;
    char **names;
} zkc_msg;

/* The session watcher's context: one per handle. */
typedef struct zkc_conn {
    kmesos_zkc *z;
    int gen;
} zkc_conn;

struct kmesos_zkc {
    uv_loop_t *loop;
    uv_async_t async;
    uv_timer_t reopen;
    uv_work_t work;
    char *hosts, *cred;
    int timeout_ms, negotiated_ms;
    long long session_id;
    kmesos_zkc_session_cb session_cb;
    void *arg;
    zhandle_t *zh;
    zkc_conn *conn;
    int gen, connected, closed, handles;
    zkc_rec recs; /* list head */
    struct ACL acl[2];
    struct ACL_vector aclv;
    pthread_mutex_t mu;
    zkc_msg *head, *tail; /* guarded by mu */
};

/* ---- library threads: copy and queue ------------------------------------------------ */

static char *copy_bytes(const char *s, int len)
{
    if (!s || len < 0)
        return NULL;
    char *d = malloc((size_t)len + 1);
    if (d) {
        memcpy(d, s, (size_t)len);
        d[len] = '\0';
    }
    return d;
}

static void push(kmesos_zkc *z, zkc_msg *m)
{
    pthread_mutex_lock(&z->mu);
    if (z->tail)
        z->tail->next = m;
    else
        z->head = m;
    z->tail = m;
    uv_async_send(&z->async);
    pthread_mutex_unlock(&z->mu);
}

static kmesos_zkc *rec_owner(const void *data) { return ((const zkc_rec *)data)->z; }

static void push_done(const void *data, int rc, int version)
{
    zkc_msg *m = calloc(1, sizeof *m);
    kmesos_zkc *z = rec_owner(data);
    if (!m) {
        KLOG_ERROR(MOD, "out of memory: a ZooKeeper answer is lost");
        return;
    }
    *m = (zkc_msg){.kind = MSG_DONE, .rec = (zkc_rec *)data, .rc = rc, .version = version};
    push(z, m);
}

static void on_session_watch(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
    (void)zh, (void)path;
    zkc_conn *c = ctx;
    zkc_msg *m = type == ZOO_SESSION_EVENT ? calloc(1, sizeof *m) : NULL;
    if (!m)
        return;
    *m = (zkc_msg){.kind = MSG_SESSION, .gen = c->gen, .state = state};
    push(c->z, m);
}

static void on_node_watch(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
    (void)zh, (void)state;
    if (type == ZOO_SESSION_EVENT) /* the session watcher reports those */
        return;
    zkc_msg *m = calloc(1, sizeof *m);
    if (!m)
        return;
    *m = (zkc_msg){.kind = MSG_WATCH, .rec = ctx, .type = type, .path = path ? strdup(path) : NULL};
    push(rec_owner(ctx), m);
}

static void on_strings(int rc, const struct String_vector *sv, const void *data)
{
    zkc_msg *m = calloc(1, sizeof *m);
    if (!m)
        return;
    *m = (zkc_msg){.kind = MSG_DONE, .rec = (zkc_rec *)data, .rc = rc};
    if (rc == ZOK && sv && sv->count > 0) {
        if (!(m->names = calloc((size_t)sv->count, sizeof *m->names)))
            m->rc = ZSYSTEMERROR;
        for (int i = 0; m->names && i < sv->count; i++)
            if (!(m->names[m->count++] = strdup(sv->data[i])))
                m->rc = ZSYSTEMERROR;
    }
    push(rec_owner(data), m);
}

static void on_data(int rc, const char *value, int len, const struct Stat *st, const void *data)
{
    zkc_msg *m = calloc(1, sizeof *m);
    if (!m)
        return;
    *m = (zkc_msg){.kind = MSG_DONE, .rec = (zkc_rec *)data, .rc = rc,
                   .version = st && rc == ZOK ? st->version : -1, .len = value ? len : 0,
                   .data = rc == ZOK ? copy_bytes(value, len) : NULL};
    if (rc == ZOK && value && len >= 0 && !m->data)
        m->rc = ZSYSTEMERROR; /* out of memory */
    push(rec_owner(data), m);
}

static void on_stat(int rc, const struct Stat *st, const void *data)
{
    push_done(data, rc, st && rc == ZOK ? st->version : -1);
}

static void on_void(int rc, const void *data) { push_done(data, rc, -1); }

static void on_string(int rc, const char *value, const void *data)
{
    zkc_msg *m = calloc(1, sizeof *m);
    if (!m)
        return;
    *m = (zkc_msg){.kind = MSG_DONE, .rec = (zkc_rec *)data, .rc = rc,
                   .path = rc == ZOK && value ? strdup(value) : NULL};
    push(rec_owner(data), m);
}

/* ---- records (loop thread) ------------------------------------------------------------ */

static zkc_rec *rec_new(kmesos_zkc *z, op_kind op, void (*cb)(void), void *arg)
{
    zkc_rec *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    *r = (zkc_rec){.z = z, .gen = z->gen, .op = op, .cb = cb, .arg = arg, .prev = &z->recs,
                   .next = z->recs.next};
    z->recs.next->prev = r;
    z->recs.next = r;
    return r;
}

static void rec_free(zkc_rec *r)
{
    if (!r)
        return;
    r->prev->next = r->next;
    r->next->prev = r->prev;
    free(r);
}

/* Frees every record of generations up to gen (their handle is closed). */
static void rec_sweep(kmesos_zkc *z, int gen)
{
    for (zkc_rec *r = z->recs.next, *n; r != &z->recs; r = n) {
        n = r->next;
        if (r->gen <= gen)
            rec_free(r);
    }
}

static void msg_free(zkc_msg *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->count; i++)
        free(m->names[i]);
    free(m->names);
    free(m->data);
    free(m->path);
    free(m);
}

static zkc_msg *pop(kmesos_zkc *z)
{
    pthread_mutex_lock(&z->mu);
    zkc_msg *m = z->head;
    if (m && !(z->head = m->next))
        z->tail = NULL;
    pthread_mutex_unlock(&z->mu);
    return m;
}

/* ---- dispatch (loop thread) ----------------------------------------------------------- */

static int watch_registered(op_kind op, int rc)
{
    return rc == ZOK || (op == OP_EXISTS && rc == ZNONODE);
}

static void sort_names(char **names, int count);

static void call_done(const zkc_rec *r, zkc_msg *m)
{
    switch (r->op) {
    case OP_CHILDREN:
        sort_names(m->names, m->count);
        ((kmesos_zkc_children_cb)r->cb)(r->arg, m->rc, m->names, m->count);
        break;
    case OP_GET:
        ((kmesos_zkc_data_cb)r->cb)(r->arg, m->rc, m->data, m->data ? m->len : 0, m->version);
        break;
    case OP_CREATE:
        ((kmesos_zkc_create_cb)r->cb)(r->arg, m->rc, m->path);
        break;
    case OP_EXISTS:
    case OP_DELETE:
    case OP_SET:
        ((kmesos_zkc_stat_cb)r->cb)(r->arg, m->rc, m->version);
        break;
    default:
        break;
    }
}

static kmesos_zkc_watch_type watch_type(int type)
{
    if (type == ZOO_CREATED_EVENT)
        return KMESOS_ZKC_WATCH_CREATED;
    if (type == ZOO_DELETED_EVENT)
        return KMESOS_ZKC_WATCH_DELETED;
    if (type == ZOO_CHILD_EVENT)
        return KMESOS_ZKC_WATCH_CHILD;
    return KMESOS_ZKC_WATCH_CHANGED;
}

static int live(const kmesos_zkc *z, const zkc_rec *r) { return !z->closed && r->gen == z->gen; }

static void handle_done(kmesos_zkc *z, zkc_msg *m)
{
    zkc_rec *r = m->rec;
    if (r->watch && !watch_registered(r->op, m->rc)) {
        rec_free(r->watch); /* the library never registered it */
        r->watch = NULL;
    }
    if (live(z, r) && r->cb)
        call_done(r, m);
    rec_free(r);
}

static void handle_watch(kmesos_zkc *z, zkc_msg *m)
{
    zkc_rec *r = m->rec;
    if (live(z, r) && r->cb)
        ((kmesos_zkc_watch_cb)r->cb)(r->arg, watch_type(m->type), m->path ? m->path : "");
    rec_free(r);
}

static void session_event(kmesos_zkc *z, int state);

static void handle(kmesos_zkc *z, zkc_msg *m)
{
    if (m->kind == MSG_DONE)
        handle_done(z, m);
    else if (m->kind == MSG_WATCH)
        handle_watch(z, m);
    else if (m->gen == z->gen && !z->closed)
        session_event(z, m->state);
}

static void on_async(uv_async_t *a)
{
    kmesos_zkc *z = a->data;
    zkc_msg *m;
    while ((m = pop(z))) {
        handle(z, m);
        msg_free(m);
    }
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_names(char **names, int count)
{
    if (count > 1)
        qsort(names, (size_t)count, sizeof *names, cmp_names);
}

/* ---- session ------------------------------------------------------------------------- */

static void on_zk_log(const char *message) { KLOG_DEBUG(MOD, "client: %s", message); }

static void on_auth(int rc, const void *data)
{
    (void)data;
    if (rc != ZOK)
        KLOG_WARN(MOD, "ZooKeeper refused the digest credentials: %s", zerror(rc));
}

static int open_handle(kmesos_zkc *z)
{
    zkc_conn *c = malloc(sizeof *c);
    if (!c)
        return -1;
    *c = (zkc_conn){z, ++z->gen};
    z->zh = zookeeper_init2(z->hosts, on_session_watch, z->timeout_ms, NULL, c, 0, on_zk_log);
    if (!z->zh) {
        KLOG_ERROR(MOD, "ZooKeeper %s: cannot start a session: %s", z->hosts, strerror(errno));
        free(c);
        return -1;
    }
    z->conn = c;
    if (z->cred)
        zoo_add_auth(z->zh, "digest", z->cred, (int)strlen(z->cred), on_auth, NULL);
    return 0;
}

/* Closes the handle (blocking until its threads end: quick for a dead
 * session), then frees what it left: queued answers first, then the
 * records nothing refers to any more. */
static void close_handle(kmesos_zkc *z)
{
    if (z->zh)
        zookeeper_close(z->zh);
    z->zh = NULL;
    free(z->conn);
    z->conn = NULL;
    z->connected = 0;
    int gen = z->gen++; /* answers of the closed handle are stale */
    zkc_msg *m;
    while ((m = pop(z))) {
        handle(z, m);
        msg_free(m);
    }
    rec_sweep(z, gen);
}

static void on_reopen(uv_timer_t *t)
{
    kmesos_zkc *z = t->data;
    if (!z->closed && !z->zh && open_handle(z) != 0)
        uv_timer_start(&z->reopen, on_reopen, AUTH_RETRY_MS, 0);
}

static void session_lost(kmesos_zkc *z, int state)
{
    int auth = state == ZOO_AUTH_FAILED_STATE;
    KLOG_WARN(MOD, "ZooKeeper %s: %s", z->hosts,
              auth ? "authentication failed" : "session expired; starting a new one");
    close_handle(z);
    uv_timer_start(&z->reopen, on_reopen, auth ? AUTH_RETRY_MS : 0, 0);
    z->session_cb(z->arg, auth ? KMESOS_ZKC_AUTH_FAILED : KMESOS_ZKC_EXPIRED);
}

static void session_event(kmesos_zkc *z, int state)
{
    if (state == ZOO_CONNECTED_STATE) {
        z->connected = 1;
        z->negotiated_ms = zoo_recv_timeout(z->zh);
        const clientid_t *id = zoo_client_id(z->zh);
        z->session_id = id ? (long long)id->client_id : 0;
        z->session_cb(z->arg, KMESOS_ZKC_CONNECTED);
    } else if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
        session_lost(z, state);
    } else if (z->connected) {
        z->connected = 0;
        z->session_cb(z->arg, KMESOS_ZKC_DISCONNECTED);
    }
}

kmesos_zkc *kmesos_zkc_new(uv_loop_t *loop, const char *hosts, int session_timeout_ms,
                           kmesos_zkc_session_cb session_cb, void *arg)
{
    kmesos_zkc *z = calloc(1, sizeof *z);
    if (!z || !(z->hosts = strdup(hosts))) {
        free(z);
        KLOG_ERROR(MOD, "out of memory");
        return NULL;
    }
    *z = (kmesos_zkc){.loop = loop, .hosts = z->hosts, .timeout_ms = session_timeout_ms,
                      .negotiated_ms = session_timeout_ms, .session_cb = session_cb,
                      .arg = arg};
    z->recs.next = z->recs.prev = &z->recs;
    pthread_mutex_init(&z->mu, NULL);
    uv_async_init(loop, &z->async, on_async);
    uv_timer_init(loop, &z->reopen);
    z->async.data = z->reopen.data = z->work.data = z;
    zoo_set_debug_level(kmesos_log_enabled(KMESOS_LOG_DEBUG) ? ZOO_LOG_LEVEL_WARN
                                                             : ZOO_LOG_LEVEL_ERROR);
    z->aclv = ZOO_OPEN_ACL_UNSAFE;
    if (open_handle(z) != 0) {
        kmesos_zkc_close(z);
        return NULL;
    }
    return z;
}

int kmesos_zkc_auth(kmesos_zkc *z, const char *user, const char *pass)
{
    size_t n = strlen(user) + strlen(pass) + 2;
    char *cred = malloc(n);
    if (!cred)
        return ZSYSTEMERROR;
    snprintf(cred, n, "%s:%s", user, pass);
    free(z->cred);
    z->cred = cred;
    /* anyone reads, the creator (these credentials) does everything */
    z->acl[0] = (struct ACL){ZOO_PERM_READ, {"world", "anyone"}};
    z->acl[1] = (struct ACL){ZOO_PERM_ALL, {"auth", ""}};
    z->aclv = (struct ACL_vector){.count = 2, .data = z->acl};
    return z->zh ? zoo_add_auth(z->zh, "digest", cred, (int)strlen(cred), on_auth, NULL) : ZOK;
}

int kmesos_zkc_connected(const kmesos_zkc *z) { return z->connected; }

int kmesos_zkc_session_timeout(const kmesos_zkc *z) { return z->negotiated_ms; }

long long kmesos_zkc_session_id(const kmesos_zkc *z) { return z->session_id; }

const char *kmesos_zkc_error(int rc) { return zerror(rc); }

/* ---- operations ---------------------------------------------------------------------- */

/* The record of a request, and of its watch when it has one. */
static zkc_rec *start(kmesos_zkc *z, op_kind op, void (*cb)(void), void *arg,
                      kmesos_zkc_watch_cb watch, void *watch_arg)
{
    if (z->closed || !z->zh)
        return NULL;
    zkc_rec *r = rec_new(z, op, cb, arg);
    if (r && watch && !(r->watch = rec_new(z, OP_WATCH, (void (*)(void))watch, watch_arg))) {
        rec_free(r);
        return NULL;
    }
    return r;
}

/* After the library refused a request: nothing will call back. */
static int sent(zkc_rec *r, int rc)
{
    if (rc != ZOK) {
        rec_free(r->watch);
        rec_free(r);
    }
    return rc;
}

static int not_started(const kmesos_zkc *z)
{
    return z->closed || !z->zh ? ZINVALIDSTATE : ZSYSTEMERROR;
}

int kmesos_zkc_children(kmesos_zkc *z, const char *path, kmesos_zkc_watch_cb watch,
                        void *watch_arg, kmesos_zkc_children_cb cb, void *arg)
{
    zkc_rec *r = start(z, OP_CHILDREN, (void (*)(void))cb, arg, watch, watch_arg);
    if (!r)
        return not_started(z);
    return sent(r, zoo_awget_children(z->zh, path, watch ? on_node_watch : NULL, r->watch,
                                      on_strings, r));
}

int kmesos_zkc_get(kmesos_zkc *z, const char *path, kmesos_zkc_watch_cb watch, void *watch_arg,
                   kmesos_zkc_data_cb cb, void *arg)
{
    zkc_rec *r = start(z, OP_GET, (void (*)(void))cb, arg, watch, watch_arg);
    if (!r)
        return not_started(z);
    return sent(r, zoo_awget(z->zh, path, watch ? on_node_watch : NULL, r->watch, on_data, r));
}

int kmesos_zkc_exists(kmesos_zkc *z, const char *path, kmesos_zkc_watch_cb watch,
                      void *watch_arg, kmesos_zkc_stat_cb cb, void *arg)
{
    zkc_rec *r = start(z, OP_EXISTS, (void (*)(void))cb, arg, watch, watch_arg);
    if (!r)
        return not_started(z);
    return sent(r, zoo_awexists(z->zh, path, watch ? on_node_watch : NULL, r->watch, on_stat,
                                r));
}

/* Every missing parent of path, as empty persistent znodes; pipelined
 * ahead of the znode itself (one session answers in order). */
static int create_parents(kmesos_zkc *z, const char *path)
{
    char prefix[1024];
    for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        if ((size_t)(s - path) >= sizeof prefix)
            return ZBADARGUMENTS;
        snprintf(prefix, sizeof prefix, "%.*s", (int)(s - path), path);
        zkc_rec *r = start(z, OP_NONE, NULL, NULL, NULL, NULL);
        if (!r)
            return not_started(z);
        int rc = sent(r, zoo_acreate(z->zh, prefix, "", 0, &z->aclv, ZOO_PERSISTENT,
                                     on_string, r));
        if (rc != ZOK)
            return rc;
    }
    return ZOK;
}

int kmesos_zkc_create(kmesos_zkc *z, const char *path, const char *data, int len, int flags,
                      kmesos_zkc_create_cb cb, void *arg)
{
    if (!path || path[0] != '/')
        return ZBADARGUMENTS;
    int rc = flags & KMESOS_ZKC_PARENTS ? create_parents(z, path) : ZOK;
    zkc_rec *r = rc == ZOK ? start(z, OP_CREATE, (void (*)(void))cb, arg, NULL, NULL) : NULL;
    if (!r)
        return rc != ZOK ? rc : not_started(z);
    int mode = (flags & KMESOS_ZKC_EPHEMERAL ? ZOO_EPHEMERAL : 0) |
               (flags & KMESOS_ZKC_SEQUENCE ? ZOO_SEQUENCE : 0);
    return sent(r, zoo_acreate(z->zh, path, data, data ? len : -1, &z->aclv, mode, on_string, r));
}

int kmesos_zkc_delete(kmesos_zkc *z, const char *path, int version, kmesos_zkc_stat_cb cb,
                      void *arg)
{
    zkc_rec *r = start(z, OP_DELETE, (void (*)(void))cb, arg, NULL, NULL);
    if (!r)
        return not_started(z);
    return sent(r, zoo_adelete(z->zh, path, version, on_void, r));
}

int kmesos_zkc_set(kmesos_zkc *z, const char *path, const char *data, int len, int version,
                   kmesos_zkc_stat_cb cb, void *arg)
{
    zkc_rec *r = start(z, OP_SET, (void (*)(void))cb, arg, NULL, NULL);
    if (!r)
        return not_started(z);
    return sent(r, zoo_aset(z->zh, path, data, data ? len : -1, version, on_stat, r));
}

/* ---- close ----------------------------------------------------------------------------- */

static void on_closed(uv_handle_t *h)
{
    kmesos_zkc *z = h->data;
    if (--z->handles > 0) /* the last of the two frees */
        return;
    pthread_mutex_destroy(&z->mu);
    free(z->hosts);
    free(z->cred);
    free(z);
}

/* After the session has ended: nothing of the library runs any more. */
static void finish(kmesos_zkc *z)
{
    close_handle(z);
    rec_sweep(z, z->gen);
    z->handles = 2;
    uv_close((uv_handle_t *)&z->async, on_closed);
    uv_close((uv_handle_t *)&z->reopen, on_closed);
}

static void close_work(uv_work_t *w)
{
    kmesos_zkc *z = w->data;
    zookeeper_close(z->zh);
}

static void close_done(uv_work_t *w, int status)
{
    (void)status;
    kmesos_zkc *z = w->data;
    z->zh = NULL;
    finish(z);
}

void kmesos_zkc_close(kmesos_zkc *z)
{
    if (!z || z->closed)
        return;
    z->closed = 1;
    uv_timer_stop(&z->reopen);
    if (!z->zh || uv_queue_work(z->loop, &z->work, close_work, close_done) != 0)
        finish(z);
}
