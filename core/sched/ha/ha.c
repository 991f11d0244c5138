/* ha: leader election and the leadership lease of scheduler HA (ha.h),
 * on the loop through the shared ZooKeeper client (net/zkc.h).
 *
 * Every CONNECTED starts an examination: read the children of the
 * election znode; if this session has no candidate yet (none created, or
 * a create lost in a connection loss: found again by the session id in
 * its name, "m-<session>-<sequence>"), create one and look again; then
 * apply the rule of lease.c. The lowest leads: the lease is taken from
 * the send time of that read, renewed by an exists() on its own znode
 * every sixth of the session timeout, and an expiry timer checks it when
 * it would end. Any other candidate watches its predecessor and the
 * leader (a one-shot get watch each, at most one per znode) and looks
 * again when one fires. One examination at a time; a request for another
 * meanwhile runs after it. A session that expires while leading, a lease
 * that runs out, or the own znode vanishing depose the leader: the lease
 * is lost for good and the handler hears of it from a zero timer. A
 * standby whose session expires simply runs for election again. */
#include "sched/ha/ha.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "codec/log.h"
#include "net/zkc.h"
#include "codec/zkurl.h"
#include "sched/ha/lease.h"

#define MOD "ha"
#define PREFIX "m-"
#define NAME_MAX_LEN 256
#define RETRY_MS 1000
#define NAG_MS 10000

struct kmesos_ha {
    uv_loop_t *loop;
    kmesos_zkc *zk;
    kmesos_zkurl url;
    char *data; /* this candidate's JSON */
    char *id;
    int timeout_ms;
    kmesos_ha_handler h;
    kmesos_ha_lease lease;
    char me[NAME_MAX_LEN];        /* own candidate's name, "" when none */
    char watched[2][NAME_MAX_LEN]; /* znodes with a watch of ours pending */
    char leader[NAME_MAX_LEN];    /* the leader's name (standby), as read */
    char *leader_api, *leader_id;
    double since; /* epoch seconds of the last change of role */
    uint64_t examine_sent_ns, probe_sent_ns;
    int examining, again, creating, probing, closing;
    char why[256]; /* why it was deposed */
    uv_timer_t renew, expiry, notify, retry, nag;
    int open_handles;
};

static void examine(kmesos_ha *ha);
static void depose(kmesos_ha *ha, const char *why);

static double wall_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- leader info and watches (standbys) ----------------------------------------- */

static void set_leader_info(kmesos_ha *ha, const char *id, const char *api)
{
    free(ha->leader_id);
    free(ha->leader_api);
    ha->leader_id = id ? strdup(id) : NULL;
    ha->leader_api = api && *api ? strdup(api) : NULL;
}

static int watched(const kmesos_ha *ha, const char *name)
{
    return strcmp(ha->watched[0], name) == 0 || strcmp(ha->watched[1], name) == 0;
}

static void unwatch(kmesos_ha *ha, const char *name)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(ha->watched[i], name) == 0)
            ha->watched[i][0] = '\0';
}

static void on_watch(void *arg, kmesos_zkc_watch_type type, const char *path)
{
    kmesos_ha *ha = arg;
    (void)type;
    unwatch(ha, basename_of(path));
    examine(ha);
}

/* A candidate that vanished before its watch was set: look again. */
static void on_pred_data(void *arg, int rc, const char *data, int len, int version)
{
    (void)data;
    (void)len;
    (void)version;
    kmesos_ha *ha = arg;
    if (rc == KMESOS_ZKC_NONODE) {
        ha->watched[0][0] = ha->watched[1][0] = '\0'; /* the new look sets what is needed */
        examine(ha);
    }
}

static void on_leader_data(void *arg, int rc, const char *data, int len, int version)
{
    kmesos_ha *ha = arg;
    if (rc != KMESOS_ZKC_OK || !data) {
        on_pred_data(arg, rc, data, len, version);
        return;
    }
    json_t *j = json_loadb(data, (size_t)len, 0, NULL);
    const char *id = NULL, *api = NULL;
    if (!j || json_unpack(j, "{s?s, s?s}", "id", &id, "api", &api) != 0) {
        KLOG_WARN(MOD, "the leader's znode %s holds no candidate JSON", ha->leader);
    } else if (!ha->lease.held) {
        set_leader_info(ha, id, api);
        KLOG_INFO(MOD, "standby: the leader is %s (API %s)", id ? id : "?", api ? api : "none");
    }
    json_decref(j);
}

/* Reads a candidate, with a one-shot watch unless one of ours is pending
 * on it. */
static void look_at(kmesos_ha *ha, const char *name, kmesos_zkc_data_cb cb)
{
    int watch = !watched(ha, name);
    int slot = ha->watched[0][0] ? 1 : 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ha->url.path, name);
    if (kmesos_zkc_get(ha->zk, path, watch ? on_watch : NULL, ha, cb, ha) == 0 && watch)
        snprintf(ha->watched[slot], NAME_MAX_LEN, "%s", name);
}

/* ---- the lease ----------------------------------------------------------------- */

static void on_expiry(uv_timer_t *t);

static void arm_expiry(kmesos_ha *ha)
{
    uint64_t left = kmesos_ha_lease_left(&ha->lease, uv_hrtime());
    uv_timer_start(&ha->expiry, on_expiry, left / 1000000 + 1, 0);
}

static void on_expiry(uv_timer_t *t)
{
    kmesos_ha *ha = t->data;
    if (kmesos_ha_lease_valid(&ha->lease, uv_hrtime()))
        arm_expiry(ha); /* renewed meanwhile */
    else if (ha->lease.held)
        depose(ha, "the leadership lease ran out (no ZooKeeper round trip in time)");
}

static void on_probe(void *arg, int rc, int version)
{
    (void)version;
    kmesos_ha *ha = arg;
    ha->probing = 0;
    if (!ha->lease.held)
        return;
    if (rc == KMESOS_ZKC_OK) {
        kmesos_ha_lease_renew(&ha->lease, ha->probe_sent_ns);
        arm_expiry(ha);
    } else if (rc == KMESOS_ZKC_NONODE) {
        depose(ha, "this scheduler's election znode is gone");
    } else {
        KLOG_DEBUG(MOD, "lease renewal failed: %s", kmesos_zkc_error(rc));
    }
}

static void on_renew(uv_timer_t *t)
{
    kmesos_ha *ha = t->data;
    if (!kmesos_ha_may_act(ha) || ha->probing)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ha->url.path, ha->me);
    ha->probe_sent_ns = uv_hrtime();
    ha->probing = kmesos_zkc_exists(ha->zk, path, NULL, NULL, on_probe, ha) == 0;
}

static void on_notify(uv_timer_t *t)
{
    kmesos_ha *ha = t->data;
    if (ha->h.deposed)
        ha->h.deposed(ha->h.arg, ha->why);
}

static void depose(kmesos_ha *ha, const char *why)
{
    if (ha->lease.lost)
        return;
    kmesos_ha_lease_lose(&ha->lease);
    snprintf(ha->why, sizeof ha->why, "%s", why);
    ha->since = wall_now();
    uv_timer_stop(&ha->renew);
    uv_timer_stop(&ha->expiry);
    uv_timer_start(&ha->notify, on_notify, 0, 0);
}

static void lead(kmesos_ha *ha)
{
    if (ha->lease.held) { /* a look after a reconnection is a round trip too */
        kmesos_ha_lease_renew(&ha->lease, ha->examine_sent_ns);
        arm_expiry(ha);
        return;
    }
    if (ha->lease.lost)
        return;
    int granted = kmesos_zkc_session_timeout(ha->zk);
    if (granted > 0 && granted < ha->timeout_ms) {
        KLOG_WARN(MOD, "ZooKeeper granted a session timeout of %d ms (asked %d): the lease is "
                  "2/3 of it", granted, ha->timeout_ms);
        ha->timeout_ms = granted;
        kmesos_ha_lease_limit(&ha->lease, granted);
    }
    kmesos_ha_lease_take(&ha->lease, ha->examine_sent_ns);
    ha->since = wall_now();
    set_leader_info(ha, ha->id, NULL);
    json_t *j = json_loads(ha->data, 0, NULL);
    const char *api = j ? json_string_value(json_object_get(j, "api")) : NULL;
    if (api)
        ha->leader_api = strdup(api);
    json_decref(j);
    uint64_t every = (uint64_t)ha->timeout_ms / 6;
    uv_timer_start(&ha->renew, on_renew, every, every ? every : 1);
    arm_expiry(ha);
    KLOG_INFO(MOD, "elected: this scheduler (%s, znode %s) leads", ha->id, ha->me);
    if (ha->h.elected)
        ha->h.elected(ha->h.arg);
}

/* ---- the election ---------------------------------------------------------------- */

static void on_retry(uv_timer_t *t) { examine(t->data); }

static void retry_later(kmesos_ha *ha, const char *what, int rc)
{
    KLOG_WARN(MOD, "%s: %s; trying again", what, kmesos_zkc_error(rc));
    if (kmesos_zkc_connected(ha->zk)) /* otherwise CONNECTED brings the next look */
        uv_timer_start(&ha->retry, on_retry, RETRY_MS, 0);
}

static void on_created(void *arg, int rc, const char *path)
{
    kmesos_ha *ha = arg;
    ha->creating = 0;
    if (rc == KMESOS_ZKC_OK && path) {
        snprintf(ha->me, sizeof ha->me, "%s", basename_of(path));
        KLOG_INFO(MOD, "candidate %s under %s", ha->me, ha->url.path);
        examine(ha);
    } else {
        retry_later(ha, "cannot create the election znode", rc); /* a lost one is found again */
    }
}

static void create_candidate(kmesos_ha *ha)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/" PREFIX "%llx-", ha->url.path,
             (unsigned long long)kmesos_zkc_session_id(ha->zk));
    int rc = kmesos_zkc_create(ha->zk, path, ha->data, (int)strlen(ha->data),
                               KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_SEQUENCE | KMESOS_ZKC_PARENTS,
                               on_created, ha);
    if (rc == 0)
        ha->creating = 1;
    else
        retry_later(ha, "cannot create the election znode", rc);
}

/* This session's candidate among names (a create that was applied but
 * whose answer was lost), or "" . */
static void find_own(kmesos_ha *ha, char *const *names, int count)
{
    char own[64];
    snprintf(own, sizeof own, PREFIX "%llx-", (unsigned long long)kmesos_zkc_session_id(ha->zk));
    for (int i = 0; i < count && !ha->me[0]; i++)
        if (strncmp(names[i], own, strlen(own)) == 0)
            snprintf(ha->me, sizeof ha->me, "%s", names[i]);
}

static void follow(kmesos_ha *ha, const char *leader, const char *pred)
{
    if (ha->lease.held) {
        depose(ha, "another candidate ranks before this scheduler");
        return;
    }
    if (strcmp(ha->leader, leader) != 0) { /* a new leader: read where it is */
        snprintf(ha->leader, sizeof ha->leader, "%s", leader);
        set_leader_info(ha, NULL, NULL);
        look_at(ha, leader, on_leader_data);
    } else if (!watched(ha, leader)) {
        look_at(ha, leader, on_pred_data);
    }
    if (!watched(ha, pred))
        look_at(ha, pred, on_pred_data);
}

static void on_children(void *arg, int rc, char *const *names, int count)
{
    kmesos_ha *ha = arg;
    ha->examining = 0;
    if (ha->lease.lost)
        return;
    if (rc == KMESOS_ZKC_NONODE)
        count = 0; /* the election znode does not exist yet: created with ours */
    else if (rc != KMESOS_ZKC_OK) {
        retry_later(ha, "cannot read the candidates", rc);
        return;
    }
    if (!ha->me[0])
        find_own(ha, names, count);
    if (!ha->me[0]) {
        if (!ha->creating && !ha->lease.lost)
            create_candidate(ha);
        return;
    }
    char pred[NAME_MAX_LEN] = "", leader[NAME_MAX_LEN] = "";
    int r = kmesos_ha_elect(names, count, PREFIX, ha->me, pred, leader, sizeof pred);
    if (r == 0)
        lead(ha);
    else if (r == 1)
        follow(ha, leader, pred);
    else if (ha->lease.held)
        depose(ha, "this scheduler's election znode is gone");
    else
        ha->me[0] = '\0'; /* deleted by someone: run again */
    if (ha->again) {
        ha->again = 0;
        examine(ha);
    } else if (r == -1 && !ha->lease.lost) {
        examine(ha);
    }
}

static void examine(kmesos_ha *ha)
{
    if (ha->lease.lost || !kmesos_zkc_connected(ha->zk))
        return;
    if (ha->examining || ha->creating) {
        ha->again = 1;
        return;
    }
    ha->examine_sent_ns = uv_hrtime();
    int rc = kmesos_zkc_children(ha->zk, ha->url.path, NULL, NULL, on_children, ha);
    if (rc == 0)
        ha->examining = 1;
    else
        retry_later(ha, "cannot read the candidates", rc);
}

/* ---- session ---------------------------------------------------------------------- */

static void on_session(void *arg, kmesos_zkc_event ev)
{
    kmesos_ha *ha = arg;
    if (ev == KMESOS_ZKC_CONNECTED) {
        KLOG_INFO(MOD, "ZooKeeper %s: connected", ha->url.hosts);
        examine(ha);
    } else if (ev == KMESOS_ZKC_DISCONNECTED) {
        KLOG_WARN(MOD, "ZooKeeper %s: connection lost%s", ha->url.hosts,
                  ha->lease.held ? "; the lease runs out unless it comes back in time" : "");
    } else if (ha->lease.held) {
        depose(ha, "the ZooKeeper session expired");
    } else {
        KLOG_WARN(MOD, "ZooKeeper %s: session %s; running for election again", ha->url.hosts,
                  ev == KMESOS_ZKC_AUTH_FAILED ? "refused (authentication)" : "expired");
        /* the session's znode, watches and requests are gone */
        ha->me[0] = ha->watched[0][0] = ha->watched[1][0] = ha->leader[0] = '\0';
        ha->examining = ha->creating = ha->probing = 0;
        set_leader_info(ha, NULL, NULL);
    }
}

/* ---- life cycle ------------------------------------------------------------------- */

static char *candidate_json(const kmesos_ha_config *cfg)
{
    json_t *j = json_pack("{s:s, s:s, s:s?}", "id", cfg->id, "hostname",
                          cfg->hostname ? cfg->hostname : "", "api", cfg->api_url);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return text;
}

static void free_ha(kmesos_ha *ha)
{
    kmesos_zkurl_free(&ha->url);
    free(ha->data);
    free(ha->id);
    free(ha->leader_api);
    free(ha->leader_id);
    free(ha);
}

/* Says every NAG_MS that ZooKeeper is out of reach (the client keeps
 * trying on its own). */
static void on_nag(uv_timer_t *t)
{
    kmesos_ha *ha = t->data;
    if (!kmesos_zkc_connected(ha->zk))
        KLOG_WARN(MOD, "ZooKeeper %s: no connection; %s, retrying", ha->url.hosts,
                  ha->lease.held ? "the lease runs out" : "still a standby");
}

static void init_timers(kmesos_ha *ha)
{
    uv_timer_t *timers[] = {&ha->renew, &ha->expiry, &ha->notify, &ha->retry, &ha->nag};
    for (int i = 0; i < 5; i++) {
        uv_timer_init(ha->loop, timers[i]);
        timers[i]->data = ha;
    }
    ha->open_handles = 5;
    uv_timer_start(&ha->nag, on_nag, NAG_MS, NAG_MS);
}

kmesos_ha *kmesos_ha_new(uv_loop_t *loop, const kmesos_ha_config *cfg,
                         const kmesos_ha_handler *handler, char *err, size_t errlen)
{
    kmesos_ha *ha = calloc(1, sizeof *ha);
    if (!ha) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char why[512];
    if (kmesos_zkurl_parse(cfg->url, &ha->url, why, sizeof why) != 0) {
        snprintf(err, errlen, "--ha: %s", why);
        free_ha(ha);
        return NULL;
    }
    ha->loop = loop;
    ha->h = *handler;
    ha->timeout_ms = cfg->session_timeout_ms;
    ha->data = candidate_json(cfg);
    ha->id = strdup(cfg->id);
    ha->since = wall_now();
    kmesos_ha_lease_init(&ha->lease, cfg->session_timeout_ms);
    if (!ha->data || !ha->id) {
        snprintf(err, errlen, "out of memory");
        free_ha(ha);
        return NULL;
    }
    init_timers(ha);
    ha->zk = kmesos_zkc_new(loop, ha->url.hosts, cfg->session_timeout_ms, on_session, ha);
    if (ha->zk && ha->url.user)
        kmesos_zkc_auth(ha->zk, ha->url.user, ha->url.pass);
    if (!ha->zk) {
        snprintf(err, errlen, "--ha %s: cannot create a ZooKeeper client", ha->url.hosts);
        kmesos_ha_close(ha);
        return NULL;
    }
    KLOG_INFO(MOD, "standby: running for election under %s on ZooKeeper %s", ha->url.path,
              ha->url.hosts);
    return ha;
}

int kmesos_ha_may_act(void *arg)
{
    kmesos_ha *ha = arg;
    if (kmesos_ha_lease_valid(&ha->lease, uv_hrtime()))
        return 1;
    if (ha->lease.held)
        depose(ha, "the leadership lease ran out (no ZooKeeper round trip in time)");
    return 0;
}

int kmesos_ha_leading(const kmesos_ha *ha) { return ha->lease.held; }

const char *kmesos_ha_leader_api(const kmesos_ha *ha)
{
    return ha->lease.lost ? NULL : ha->leader_api;
}

json_t *kmesos_ha_json(const kmesos_ha *ha)
{
    uint64_t left = kmesos_ha_lease_left(&ha->lease, uv_hrtime());
    return json_pack("{s:b, s:s, s:s?, s:s?, s:f, s:s?, s:I}", "leader", ha->lease.held, "id",
                     ha->id, "leader_id", ha->lease.lost ? NULL : ha->leader_id, "leader_api",
                     kmesos_ha_leader_api(ha), "since", ha->since, "znode",
                     ha->me[0] ? ha->me : NULL, "lease_ms", (json_int_t)(left / 1000000));
}

static void on_timer_closed(uv_handle_t *h)
{
    kmesos_ha *ha = h->data;
    if (--ha->open_handles == 0)
        free_ha(ha);
}

void kmesos_ha_close(kmesos_ha *ha)
{
    if (!ha || ha->closing)
        return;
    ha->closing = 1;
    ha->h = (kmesos_ha_handler){0};
    kmesos_zkc_close(ha->zk);
    ha->zk = NULL;
    uv_close((uv_handle_t *)&ha->renew, on_timer_closed);
    uv_close((uv_handle_t *)&ha->expiry, on_timer_closed);
    uv_close((uv_handle_t *)&ha->notify, on_timer_closed);
    uv_close((uv_handle_t *)&ha->retry, on_timer_closed);
    uv_close((uv_handle_t *)&ha->nag, on_timer_closed);
}
