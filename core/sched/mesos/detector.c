/* detector: the ZooKeeper master detector (detector.h).
 *
 * One children listing at a time, with a one-shot watch armed on the
 * group znode whenever none is armed (so a watch never doubles up); the
 * watch firing, a new session, or a retry timer starts the next listing.
 * The lowest member's data is read only when the leader's znode name
 * changed; a leader znode vanishing shows as a children change. Errors
 * (no group znode, ZooKeeper unreachable, a znode that is not a
 * MasterInfo) are logged when they change and retried with the
 * session's jittered exponential backoff; a usable leader resets it. */
#include "sched/mesos/detector.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "codec/log.h"
#include "codec/num.h"
#include "codec/str.h"
#include "codec/zkurl.h"
#include "net/zkc.h"
#include "sched/mesos/backoff.h"
#include "sched/mesos/master_info.h"

#define MOD "detector"
#define SESSION_TIMEOUT_MS 10000
#define BACKOFF_BASE_S 0.5
#define BACKOFF_CAP_S 30.0
#define URL_MAX 300
#define CONNECT_WAIT_MS 5000

struct kmesos_detector {
    uv_loop_t *loop;
    kmesos_zkurl zu;
    kmesos_zkc *zk;
    kmesos_detector_cb cb;
    void *arg;
    kmesos_backoff backoff;
    uv_timer_t retry;
    char *leader_name; /* znode of the leader being read or known */
    char *leader_url;  /* NULL: no leader known */
    char last_error[512];
    int listing, relist, watch_armed, list_arms_watch, reading, closed;
};

int kmesos_detector_is_zk(const char *spec)
{
    while (spec && (*spec == ' ' || *spec == '\t'))
        spec++;
    return spec && strncasecmp(spec, "zk://", 5) == 0;
}

const char *kmesos_detector_leader(const kmesos_detector *d) { return d->leader_url; }

static void list_children(kmesos_detector *d);

/* Logs a problem once (until another problem or a success). */
static void note_level(kmesos_detector *d, kmesos_log_level level, const char *what)
{
    if (strcmp(d->last_error, what) != 0)
        kmesos_log(level, MOD, "%s", what);
    snprintf(d->last_error, sizeof d->last_error, "%s", what);
}

static void note_error(kmesos_detector *d, const char *what)
{
    note_level(d, KMESOS_LOG_ERROR, what);
}

static void on_session(void *arg, kmesos_zkc_event ev);

static void retry_later(kmesos_detector *d);

/* The client; zookeeper_init fails only on a server list it cannot
 * resolve, which may be a passing DNS failure: retried. */
static int start_client(kmesos_detector *d)
{
    d->zk = kmesos_zkc_new(d->loop, d->zu.hosts, SESSION_TIMEOUT_MS, on_session, d);
    if (d->zk && d->zu.user)
        kmesos_zkc_auth(d->zk, d->zu.user, d->zu.pass);
    return d->zk ? 0 : -1;
}

static void on_retry(uv_timer_t *t)
{
    kmesos_detector *d = t->data;
    char why[512];
    if (!d->zk) {
        if (start_client(d) == 0) {
            uv_timer_start(&d->retry, on_retry, CONNECT_WAIT_MS, 0);
            return;
        }
        snprintf(why, sizeof why, "cannot start a ZooKeeper client for %s; retrying",
                 d->zu.hosts);
        note_error(d, why);
        retry_later(d);
    } else if (!kmesos_zkc_connected(d->zk)) {
        snprintf(why, sizeof why, "no connection to ZooKeeper %s (is it running?); still "
                 "trying", d->zu.hosts);
        note_error(d, why);
        retry_later(d);
    } else {
        list_children(d);
    }
}

static void retry_later(kmesos_detector *d)
{
    double delay = kmesos_backoff_next(&d->backoff);
    uv_timer_start(&d->retry, on_retry, kmesos_num_ms(delay), 0);
}

/* Tells the owner, when the leader's URL changed. */
static void set_leader(kmesos_detector *d, const char *url)
{
    if ((!url && !d->leader_url) || (url && d->leader_url && strcmp(url, d->leader_url) == 0))
        return;
    if (kmesos_str_set(&d->leader_url, url) != 0)
        return;
    if (url)
        KLOG_INFO(MOD, "leading master: %s (znode %s/%s)", url, d->zu.path, d->leader_name);
    else
        KLOG_WARN(MOD, "no leading master known in ZooKeeper %s%s", d->zu.hosts, d->zu.path);
    d->cb(d->arg, url);
}

/* A leader that cannot be used: no leader, retried later. */
static void leader_unusable(kmesos_detector *d, const char *why)
{
    note_error(d, why);
    kmesos_str_set(&d->leader_name, NULL);
    set_leader(d, NULL);
    retry_later(d);
}

static void on_leader_data(void *arg, int rc, const char *data, int len, int version)
{
    (void)version;
    kmesos_detector *d = arg;
    d->reading = 0;
    char url[URL_MAX], why[512], err[400];
    if (rc == KMESOS_ZKC_NONODE) { /* gone since the listing: list again */
        kmesos_str_set(&d->leader_name, NULL);
        list_children(d);
        return;
    }
    if (rc != KMESOS_ZKC_OK) {
        snprintf(why, sizeof why, "cannot read the leading master's znode %s/%s: %s",
                 d->zu.path, d->leader_name, kmesos_zkc_error(rc));
        leader_unusable(d, why);
        return;
    }
    if (kmesos_master_info_decode(d->leader_name, data, len > 0 ? (size_t)len : 0, url,
                                  sizeof url, err, sizeof err) != 0) {
        snprintf(why, sizeof why, "the leading master's %s (in %s): cannot use it, retrying",
                 err, d->zu.path);
        leader_unusable(d, why);
        return;
    }
    d->last_error[0] = '\0';
    kmesos_backoff_reset(&d->backoff);
    set_leader(d, url);
}

static void read_leader(kmesos_detector *d, const char *name)
{
    if (d->leader_name && strcmp(d->leader_name, name) == 0 && (d->leader_url || d->reading))
        return; /* the same leader as before */
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", d->zu.path, name);
    if (kmesos_str_set(&d->leader_name, name) != 0)
        return;
    int rc = kmesos_zkc_get(d->zk, path, NULL, NULL, on_leader_data, d);
    d->reading = rc == KMESOS_ZKC_OK;
    if (rc != KMESOS_ZKC_OK)
        on_leader_data(d, rc, NULL, 0, -1);
}

static void on_children(void *arg, int rc, char *const *names, int count)
{
    kmesos_detector *d = arg;
    d->listing = 0;
    if (rc != KMESOS_ZKC_OK && d->list_arms_watch)
        d->watch_armed = 0; /* the watch was not set */
    char why[512];
    if (rc == KMESOS_ZKC_OK) {
        int i = kmesos_master_info_leader(names, count);
        if (i >= 0) {
            read_leader(d, names[i]);
        } else {
            snprintf(why, sizeof why, "no master registered in ZooKeeper %s%s (no json.info_ "
                     "child); waiting for one", d->zu.hosts, d->zu.path);
            note_level(d, KMESOS_LOG_WARN, why);
            kmesos_str_set(&d->leader_name, NULL);
            set_leader(d, NULL); /* the armed watch says when one comes */
        }
    } else {
        snprintf(why, sizeof why, "cannot list %s in ZooKeeper %s: %s%s", d->zu.path,
                 d->zu.hosts, kmesos_zkc_error(rc),
                 rc == KMESOS_ZKC_NONODE ? " (is this the masters' --zk path?)" : "");
        if (rc == KMESOS_ZKC_NONODE)
            set_leader(d, NULL);
        note_error(d, why);
        retry_later(d);
    }
    if (d->relist) {
        d->relist = 0;
        list_children(d);
    }
}

static void on_children_changed(void *arg, kmesos_zkc_watch_type type, const char *path)
{
    (void)type, (void)path;
    kmesos_detector *d = arg;
    d->watch_armed = 0;
    list_children(d);
}

static void list_children(kmesos_detector *d)
{
    if (d->closed || !d->zk || !kmesos_zkc_connected(d->zk))
        return; /* CONNECTED lists again */
    if (d->listing) {
        d->relist = 1;
        return;
    }
    uv_timer_stop(&d->retry);
    d->list_arms_watch = !d->watch_armed;
    int rc = kmesos_zkc_children(d->zk, d->zu.path, d->list_arms_watch ? on_children_changed
                                                                      : NULL,
                                 d, on_children, d);
    if (rc == KMESOS_ZKC_OK) {
        d->listing = 1;
        d->watch_armed = 1;
    } else {
        on_children(d, rc, NULL, 0);
    }
}

static void on_session(void *arg, kmesos_zkc_event ev)
{
    kmesos_detector *d = arg;
    if (ev == KMESOS_ZKC_CONNECTED) {
        KLOG_INFO(MOD, "connected to ZooKeeper %s (session timeout %d ms)", d->zu.hosts,
                  kmesos_zkc_session_timeout(d->zk));
        list_children(d);
    } else if (ev == KMESOS_ZKC_DISCONNECTED) {
        KLOG_WARN(MOD, "lost the connection to ZooKeeper %s; reconnecting", d->zu.hosts);
        if (!uv_is_active((uv_handle_t *)&d->retry))
            uv_timer_start(&d->retry, on_retry, SESSION_TIMEOUT_MS, 0);
    } else {
        d->watch_armed = d->listing = d->reading = 0;
        kmesos_str_set(&d->leader_name, NULL);
        if (ev == KMESOS_ZKC_AUTH_FAILED)
            note_error(d, "ZooKeeper refused the credentials of the --master URL");
        set_leader(d, NULL);
    }
}

kmesos_detector *kmesos_detector_new(uv_loop_t *loop, const char *url, kmesos_detector_cb cb,
                                     void *arg, char *err, size_t errlen)
{
    kmesos_detector *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    while (*url == ' ' || *url == '\t')
        url++;
    if (kmesos_zkurl_parse(url, &d->zu, err, errlen) != 0) {
        free(d);
        return NULL;
    }
    *d = (kmesos_detector){.loop = loop, .zu = d->zu, .cb = cb, .arg = arg};
    kmesos_backoff_init(&d->backoff, BACKOFF_BASE_S, BACKOFF_CAP_S,
                        uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)d);
    uv_timer_init(loop, &d->retry);
    d->retry.data = d;
    /* says so when no session comes up within a few seconds */
    uv_timer_start(&d->retry, on_retry, start_client(d) == 0 ? CONNECT_WAIT_MS : 0, 0);
    KLOG_INFO(MOD, "looking for the leading master in ZooKeeper %s%s", d->zu.hosts, d->zu.path);
    return d;
}

static void on_closed(uv_handle_t *h)
{
    kmesos_detector *d = h->data;
    kmesos_zkurl_free(&d->zu);
    free(d->leader_name);
    free(d->leader_url);
    free(d);
}

void kmesos_detector_close(kmesos_detector *d)
{
    if (!d || d->closed)
        return;
    d->closed = 1;
    kmesos_zkc_close(d->zk);
    d->zk = NULL;
    uv_close((uv_handle_t *)&d->retry, on_closed);
}
