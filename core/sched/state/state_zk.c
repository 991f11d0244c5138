/* state_zk: the state document (state.h) in one ZooKeeper znode, through
 * the project's asynchronous ZooKeeper client (net/zkc.h: every callback
 * on the loop thread). Loading happens once before the main loop runs: it
 * runs the loop itself until the znode is read or a deadline passes (only
 * the client's handles exist then). Saving is asynchronous and coalesced:
 * one write in flight, the newest document waiting behind it; writes
 * carry the znode version, a write lost in a connection loss is "in
 * doubt" until a resync reads the znode back, and during an outage a
 * retry timer tries again; an optional gate (HA's lease) is asked before
 * each write leaves. Close gives queued writes a grace period, then
 * closes the client and the timers; free releases the rest. */
#include "sched/state/state_zk.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/log.h"
#include "codec/zkurl.h"
#include "net/zkc.h"

#define MOD "state-zk"
#define SESSION_TIMEOUT_MS 10000
#define RETRY_MS 2000

struct kmesos_state_zk {
    uv_loop_t *loop;
    kmesos_zkc *zk;
    uv_timer_t retry, grace;
    char *hosts, *path;
    int connected, failing, closing, closed;
    int version; /* znode version, -1: no znode */
    char *inflight, *pending, *doubt;
    unsigned writes;
    char write_err[256];     /* the last write's error, "" once one succeeded */
    double write_err_since;  /* epoch s of the first failed write in a row */
    int (*gate)(void *arg); /* may a write leave now? NULL: always */
    void *gate_arg;
    void (*on_written)(void *arg); /* the last text given is in the znode */
    void *written_arg;
    /* loading */
    int loading, load_asked, load_done, load_rc, load_timeout_ms;
    char *load_text;
    char load_err[256];
    kmesos_state_zk_load_cb load_cb; /* an asynchronous load's, or NULL */
    void *load_arg;
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

/* ---- session ------------------------------------------------------------------- */

static void kick(kmesos_state_zk *z);
static void finish_close(kmesos_state_zk *z);
static void ask_load(kmesos_state_zk *z);
static void load_over(kmesos_state_zk *z, int rc, const char *why);

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

static void on_session(void *arg, kmesos_zkc_event ev)
{
    kmesos_state_zk *z = arg;
    if (ev == KMESOS_ZKC_CONNECTED) {
        z->connected = 1;
        ask_load(z);
        kick(z);
        return;
    }
    if (ev == KMESOS_ZKC_DISCONNECTED) {
        if (z->connected)
            note_outage(z, "connection lost");
    } else {
        int auth = ev == KMESOS_ZKC_AUTH_FAILED;
        note_outage(z, auth ? "authentication failed" : "session expired");
        requeue(z); /* the expired session's answer never comes */
        if (z->loading)
            load_over(z, -1, auth ? "session authentication failed" : "session expired");
    }
    z->connected = 0;
    if (z->closing)
        finish_close(z);
}

static int open_session(kmesos_state_zk *z, char *err, size_t errlen)
{
    if (z->zk)
        return 0;
    z->zk = kmesos_zkc_new(z->loop, z->hosts, SESSION_TIMEOUT_MS, on_session, z);
    if (!z->zk) {
        snprintf(err, errlen, "ZooKeeper %s: cannot start a client", z->hosts);
        return -1;
    }
    return 0;
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
    if (kmesos_state_zk_parse(url, &z->hosts, &z->path, err, errlen) != 0) {
        free(z);
        return NULL;
    }
    uv_timer_init(loop, &z->retry);
    uv_timer_init(loop, &z->grace);
    z->retry.data = z->grace.data = z;
    return z;
}

/* ---- load (before the main loop) ---------------------------------------------------- */

/* The outcome as the caller sees it; the load is over. */
static int load_result(kmesos_state_zk *z, char **text, char *err, size_t errlen)
{
    uv_timer_stop(&z->grace);
    uv_timer_stop(&z->retry); /* a load's retry (no write waits while loading) */
    z->loading = 0;
    if (z->load_rc < 0 && !z->connected)
        snprintf(err, errlen, "%s (no session within %d ms: is ZooKeeper running there?)",
                 z->load_err, z->load_timeout_ms);
    else if (z->load_rc < 0)
        snprintf(err, errlen, "%s", z->load_err);
    *text = z->load_text;
    z->load_text = NULL;
    return z->load_rc;
}

static void load_over(kmesos_state_zk *z, int rc, const char *why)
{
    if (z->load_done)
        return;
    z->load_done = 1;
    z->load_rc = rc;
    snprintf(z->load_err, sizeof z->load_err, "%s", why ? why : "");
    kmesos_state_zk_load_cb cb = z->load_cb;
    if (!cb)
        return; /* kmesos_state_zk_load is waiting */
    z->load_cb = NULL;
    char *text = NULL, err[512] = "";
    rc = load_result(z, &text, err, sizeof err);
    cb(z->load_arg, rc, text, err);
}

static int is_connection_error(int rc);

static void on_load_retry(uv_timer_t *t) { ask_load(t->data); }

static void on_loaded(void *arg, int rc, const char *data, int len, int version)
{
    (void)len;
    kmesos_state_zk *z = arg;
    char why[256];
    if (is_connection_error(rc) && !z->load_done) {
        z->load_asked = 0; /* asked again when connected, until the deadline */
        uv_timer_start(&z->retry, on_load_retry, 200, 0);
        return;
    }
    if (rc == KMESOS_ZKC_NONODE) {
        z->version = -1;
        load_over(z, 1, NULL);
    } else if (rc != KMESOS_ZKC_OK) {
        snprintf(why, sizeof why, "ZooKeeper %s: cannot read %s: %s", z->hosts, z->path,
                 kmesos_zkc_error(rc));
        load_over(z, -1, why);
    } else if (!(z->load_text = strdup(data ? data : ""))) {
        load_over(z, -1, "out of memory");
    } else {
        z->version = version;
        load_over(z, 0, NULL);
    }
}

static void ask_load(kmesos_state_zk *z)
{
    if (!z->loading || z->load_asked || z->load_done || !z->connected)
        return;
    int rc = kmesos_zkc_get(z->zk, z->path, NULL, NULL, on_loaded, z);
    z->load_asked = rc == KMESOS_ZKC_OK;
    if (rc != KMESOS_ZKC_OK)
        on_loaded(z, rc, NULL, 0, -1);
}

static void on_load_deadline(uv_timer_t *t)
{
    kmesos_state_zk *z = t->data;
    char why[256];
    snprintf(why, sizeof why, "ZooKeeper %s did not answer within the start-up timeout",
             z->hosts);
    load_over(z, -1, why);
}

static int load_start(kmesos_state_zk *z, int timeout_ms, char *err, size_t errlen)
{
    if (z->closed || z->closing || z->loading) {
        snprintf(err, errlen, z->loading ? "a load is under way" : "the store is closed");
        return -1;
    }
    if (open_session(z, err, errlen) != 0)
        return -1;
    z->loading = 1;
    z->load_asked = z->load_done = 0;
    z->load_timeout_ms = timeout_ms;
    if (z->connected)
        ask_load(z);
    uv_timer_start(&z->grace, on_load_deadline, timeout_ms > 0 ? (uint64_t)timeout_ms : 0, 0);
    return 0;
}

int kmesos_state_zk_load(kmesos_state_zk *z, int timeout_ms, char **text, char *err,
                         size_t errlen)
{
    *text = NULL;
    if (load_start(z, timeout_ms, err, errlen) != 0)
        return -1;
    while (!z->load_done)
        uv_run(z->loop, UV_RUN_ONCE);
    return load_result(z, text, err, errlen);
}

int kmesos_state_zk_load_async(kmesos_state_zk *z, int timeout_ms, kmesos_state_zk_load_cb cb,
                               void *arg, char *err, size_t errlen)
{
    if (z->loading) {
        snprintf(err, errlen, "a load is under way");
        return -1;
    }
    z->load_cb = cb;
    z->load_arg = arg;
    if (load_start(z, timeout_ms, err, errlen) == 0)
        return 0;
    z->load_cb = NULL;
    return -1;
}

/* ---- saving ------------------------------------------------------------------------- */

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
    return rc == KMESOS_ZKC_CONNECTIONLOSS || rc == KMESOS_ZKC_OPERATIONTIMEOUT ||
           rc == KMESOS_ZKC_SESSIONEXPIRED || rc == KMESOS_ZKC_CLOSING ||
           rc == KMESOS_ZKC_INVALIDSTATE;
}

static void write_failed(kmesos_state_zk *z, int rc)
{
    if (!z->write_err[0])
        z->write_err_since = (double)time(NULL);
    snprintf(z->write_err, sizeof z->write_err, "cannot write the state znode %.100s: %s",
             z->path, kmesos_zkc_error(rc));
    if (is_connection_error(rc)) {
        /* it may have been applied: remember it to recognise it later */
        if (z->inflight && rc != KMESOS_ZKC_INVALIDSTATE) {
            free(z->doubt);
            z->doubt = strdup(z->inflight);
        }
        note_outage(z, kmesos_zkc_error(rc));
        if (!z->connected) {
            requeue(z); /* written on CONNECTED */
            if (z->closing)
                finish_close(z);
            return;
        }
    } else {
        KLOG_ERROR(MOD, "cannot write the state znode %s on %s: %s; retrying in %d s", z->path,
                   z->hosts, kmesos_zkc_error(rc), RETRY_MS / 1000);
    }
    retry_later(z);
}

static void on_set(void *arg, int rc, int version);
static void on_created(void *arg, int rc, const char *path);

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

/* A new znode (its parents too), or a new version of it. */
static void start_write(kmesos_state_zk *z)
{
    if (z->gate && !z->gate(z->gate_arg)) {
        write_refused(z);
        return;
    }
    int len = (int)strlen(z->inflight);
    int rc = z->version < 0
                 ? kmesos_zkc_create(z->zk, z->path, z->inflight, len, KMESOS_ZKC_PARENTS,
                                     on_created, z)
                 : kmesos_zkc_set(z->zk, z->path, z->inflight, len, z->version, on_set, z);
    if (rc != KMESOS_ZKC_OK)
        write_failed(z, rc);
}

static void kick(kmesos_state_zk *z)
{
    if (z->closed)
        return;
    if (!z->inflight && z->pending && z->connected && z->zk &&
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
    z->write_err[0] = '\0';
    if (z->failing)
        KLOG_INFO(MOD, "ZooKeeper %s: state saved to %s again", z->hosts, z->path);
    z->failing = 0;
    if (!z->pending && z->on_written)
        z->on_written(z->written_arg);
    kick(z);
}

static void on_resync(void *arg, int rc, const char *data, int len, int version);

static void write_done(kmesos_state_zk *z, int rc, int version)
{
    if (!z->inflight || z->closed)
        return;
    if (rc == KMESOS_ZKC_OK) {
        written(z, version);
    } else if (rc == KMESOS_ZKC_BADVERSION || rc == KMESOS_ZKC_NODEEXISTS) {
        int grc = kmesos_zkc_get(z->zk, z->path, NULL, NULL, on_resync, z);
        if (grc != KMESOS_ZKC_OK)
            write_failed(z, grc);
    } else if (rc == KMESOS_ZKC_NONODE && z->version >= 0) {
        KLOG_ERROR(MOD, "the state znode %s was deleted by someone else; writing it again",
                   z->path);
        z->version = -1;
        requeue(z);
        kick(z);
    } else {
        write_failed(z, rc);
    }
}

static void on_set(void *arg, int rc, int version) { write_done(arg, rc, version); }

static void on_created(void *arg, int rc, const char *path)
{
    (void)path;
    write_done(arg, rc, 0); /* a new znode has version 0 */
}

/* After a version conflict: the znode holds either our own write (sent
 * before a connection loss) or another writer's document. */
static void on_resync(void *arg, int rc, const char *data, int len, int version)
{
    (void)len;
    kmesos_state_zk *z = arg;
    if (!z->inflight || z->closed)
        return;
    if (rc == KMESOS_ZKC_NONODE) {
        z->version = -1;
        start_write(z);
        return;
    }
    if (rc != KMESOS_ZKC_OK) {
        write_failed(z, rc);
        return;
    }
    data = data ? data : "";
    if (strcmp(data, z->inflight) == 0) {
        written(z, version);
        return;
    }
    if (!z->doubt || strcmp(data, z->doubt) != 0)
        KLOG_ERROR(MOD, "the state znode %s was changed by another writer (version %d, this "
                   "scheduler wrote version %d): is a second kmesos-scheduler using it? "
                   "Writing this scheduler's state over it",
                   z->path, version, z->version);
    free(z->doubt);
    z->doubt = NULL;
    z->version = version;
    start_write(z);
}

void kmesos_state_zk_save(kmesos_state_zk *z, char *text)
{
    if (!text)
        return;
    char err[256] = "the store is closed";
    if (z->closed || open_session(z, err, sizeof err) != 0) {
        KLOG_ERROR(MOD, "state not saved to %s: %s", z->path, err);
        free(text);
        return;
    }
    free(z->pending);
    z->pending = text;
    kick(z);
}

void kmesos_state_zk_on_written(kmesos_state_zk *z, void (*cb)(void *arg), void *arg)
{
    z->on_written = cb;
    z->written_arg = arg;
}

void kmesos_state_zk_set_gate(kmesos_state_zk *z, int (*gate)(void *arg), void *arg)
{
    z->gate = gate;
    z->gate_arg = arg;
}

const char *kmesos_state_zk_error(const kmesos_state_zk *z, double *since_s)
{
    *since_s = z->write_err_since;
    return z->write_err;
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
    kmesos_zkc_close(z->zk); /* no callback after this; freed as the loop runs */
    z->zk = NULL;
    uv_close((uv_handle_t *)&z->retry, NULL);
    uv_close((uv_handle_t *)&z->grace, NULL);
}

static void on_grace(uv_timer_t *t) { finish_close(t->data); }

void kmesos_state_zk_close(kmesos_state_zk *z, unsigned grace_ms)
{
    if (!z || z->closing)
        return;
    z->closing = 1;
    if (kmesos_state_zk_idle(z) || !z->connected) {
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
    free(z->inflight);
    free(z->pending);
    free(z->doubt);
    free(z->load_text);
    free(z->hosts);
    free(z->path);
    free(z);
}
