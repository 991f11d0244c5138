/* melect: kmesos-local's masters elected through a real ZooKeeper (--zk
 * URL --masters N). Each contender (a "face": its own port, port+i, its
 * own MasterInfo id and ZooKeeper session) registers an ephemeral
 * sequential znode <path>/json.info_<seq> holding its MasterInfo as
 * compact JSON with sorted keys, as a Mesos 1.12 master does, and watches
 * the children of <path>: the lowest json.info_ leads. The leader serves
 * everything (master.c); the others answer 307 to the leader's address,
 * read from its znode. All contenders share the one registry and the
 * in-process agents: the leader's id, port and pid are the master's while
 * it leads. At the first election the agents register at once; at a later
 * one (the previous leader was killed, so the registry is empty) they
 * re-register after the delay the kill asked for, with their tasks
 * (mrestart.c). A kill (POST /local/master/kill) stops the contender's
 * HTTP server about 100 ms later (streams end with a TCP EOF), forgets the
 * registry when it led, closes its ZooKeeper session after ?expire= (its
 * znode vanishes, the next contender is elected), and brings it back as a
 * fresh contender (new id, new znode) after ?down=. A contender whose
 * session expires re-registers; a leader that loses its session dies and
 * comes back a second later, as a real master aborts when it loses
 * leadership. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/log.h"
#include "codec/pbjson.h"
#include "local/master/internal.h"
#include "local/util.h"

#define MELECT_SESSION_MS 10000
#define MELECT_PREFIX "json.info_"
#define MELECT_DYING_MS 100
#define MELECT_RETRY_MS 500

enum { MELECT_UP, MELECT_DYING, MELECT_EXPIRING, MELECT_DOWN };

/* ------------------------------------------------------- the znode */

static char *melect_info_json(const klocal_face *f)
{
    Mesos__V1__MasterInfo *mi = klocal_mevent_master_info(f->m, f->id, f->port, f->pid);
    json_t *j = kmesos_pbjson_from_message(&mi->base);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    kmesos_pb_free(mi);
    return klocal_util_must(s);
}

static void melect_set_leader(klocal_face *f, const char *addr)
{
    if ((!f->leader && !addr) || (f->leader && addr && strcmp(f->leader, addr) == 0))
        return;
    free(f->leader);
    f->leader = addr ? klocal_util_xstrdup(addr) : NULL;
    KLOG_INFO("master", "contender %d (port %d) follows leader %s", f->index, f->port,
              addr ? addr : "(none)");
}

/* "host:port" of a MasterInfo JSON, or NULL (not MasterInfo JSON). */
static char *melect_address(const char *data, int len)
{
    json_t *j = json_loadb(data, (size_t)len, 0, NULL);
    json_t *addr = json_object_get(j, "address");
    const char *host = json_string_value(json_object_get(addr, "hostname"));
    if (!host)
        host = json_string_value(json_object_get(addr, "ip"));
    json_int_t port = json_integer_value(json_object_get(addr, "port"));
    char *out = host && port > 0 && port <= 65535
                    ? klocal_util_xasprintf("%s:%d", host, (int)port)
                    : NULL;
    json_decref(j);
    return out;
}

static void melect_on_leader_data(void *arg, int rc, const char *data, int len, int version)
{
    klocal_face *f = arg;
    (void)version;
    if (rc != KMESOS_ZKC_OK || !data) {
        KLOG_WARN("master", "contender %d: reading the leader's znode: %s", f->index,
                  kmesos_zkc_error(rc));
        return;
    }
    char *addr = melect_address(data, len);
    if (!addr) {
        KLOG_WARN("master", "contender %d: the leading znode is not MasterInfo JSON", f->index);
        return;
    }
    melect_set_leader(f, addr);
    free(addr);
}

/* ------------------------------------------------------ the election */

static void melect_lead(klocal_face *f)
{
    klocal_master *m = f->m;
    if (f->leading)
        return;
    f->leading = 1;
    melect_set_leader(f, NULL);
    m->lead = f;
    snprintf(m->id, sizeof m->id, "%s", f->id);
    m->port = f->port;
    free(m->pid);
    m->pid = klocal_util_xstrdup(f->pid);
    m->start_time = klocal_util_now();
    double delay = m->elections++ ? m->failover_reregister : 0;
    KLOG_INFO("master", "master %s on port %d elected leader (%s); agents register in %gs",
              f->id, f->port, f->znode, delay);
    klocal_mrestart_reregister(m, delay);
}

static void melect_watch(klocal_face *f);

static void melect_on_change(void *arg, kmesos_zkc_watch_type type, const char *path)
{
    (void)type;
    (void)path;
    melect_watch(arg);
}

static void melect_on_children(void *arg, int rc, char *const *names, int count)
{
    klocal_face *f = arg;
    if (rc != KMESOS_ZKC_OK) {
        KLOG_WARN("master", "contender %d: listing %s: %s", f->index, f->m->cfg->zk.path,
                  kmesos_zkc_error(rc));
        return;
    }
    const char *lowest = NULL;
    for (int i = 0; i < count && !lowest; i++) /* sorted: the first is the lowest */
        if (strncmp(names[i], MELECT_PREFIX, strlen(MELECT_PREFIX)) == 0)
            lowest = names[i];
    if (!lowest) {
        melect_set_leader(f, NULL);
    } else if (f->znode && strcmp(lowest, f->znode) == 0) {
        melect_lead(f);
    } else if (!f->leading) {
        char *p = klocal_util_xasprintf("%s/%s", f->m->cfg->zk.path, lowest);
        kmesos_zkc_get(f->zk, p, NULL, NULL, melect_on_leader_data, f);
        free(p);
    }
}

static void melect_watch(klocal_face *f)
{
    if (!f->zk)
        return;
    int rc = kmesos_zkc_children(f->zk, f->m->cfg->zk.path, melect_on_change, f,
                                 melect_on_children, f);
    if (rc != KMESOS_ZKC_OK)
        KLOG_WARN("master", "contender %d: watching %s: %s", f->index, f->m->cfg->zk.path,
                  kmesos_zkc_error(rc));
}

static void melect_on_created(void *arg, int rc, const char *path)
{
    klocal_face *f = arg;
    f->creating = 0;
    if (rc != KMESOS_ZKC_OK) {
        KLOG_WARN("master", "contender %d: registering in %s: %s (again at the next connection)",
                  f->index, f->m->cfg->zk.path, kmesos_zkc_error(rc));
        return;
    }
    const char *slash = strrchr(path, '/');
    free(f->znode);
    f->znode = klocal_util_xstrdup(slash ? slash + 1 : path);
    KLOG_INFO("master", "contender %d (master %s, port %d) registered %s", f->index, f->id,
              f->port, path);
    melect_watch(f);
}

static void melect_register(klocal_face *f)
{
    char *p = klocal_util_xasprintf("%s/" MELECT_PREFIX, f->m->cfg->zk.path);
    char *data = melect_info_json(f);
    f->creating = 1;
    int rc = kmesos_zkc_create(f->zk, p, data, (int)strlen(data),
                               KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_SEQUENCE | KMESOS_ZKC_PARENTS,
                               melect_on_created, f);
    if (rc != KMESOS_ZKC_OK) {
        f->creating = 0;
        KLOG_WARN("master", "contender %d: registering: %s", f->index, kmesos_zkc_error(rc));
    }
    free(data);
    free(p);
}

/* ------------------------------------------------------- life cycle */

static void melect_on_timer(uv_timer_t *t);

static void melect_close_session(klocal_face *f)
{
    kmesos_zkc_close(f->zk);
    f->zk = NULL;
    free(f->znode);
    f->znode = NULL;
    f->creating = 0;
}

/* The process dies: its port closes; a leader's registry is lost. */
static void melect_die(klocal_face *f)
{
    klocal_master *m = f->m;
    KLOG_INFO("master", "contender %d (master %s, port %d%s) killed", f->index, f->id, f->port,
              f->leading ? ", the leader" : "");
    kmesos_httpd_stop(f->http);
    f->http = NULL;
    f->down = 1;
    melect_set_leader(f, NULL);
    if (f->leading) {
        f->leading = 0;
        m->lead = NULL;
        klocal_mrestart_end(m);
        klocal_mrestart_forget(m);
    }
}

static void melect_on_session(void *arg, kmesos_zkc_event ev)
{
    klocal_face *f = arg;
    if (ev == KMESOS_ZKC_CONNECTED) {
        if (f->phase != MELECT_UP)
            return;
        if (!f->znode && !f->creating)
            melect_register(f);
        else
            melect_watch(f);
    } else if (ev == KMESOS_ZKC_EXPIRED || ev == KMESOS_ZKC_AUTH_FAILED) {
        free(f->znode);
        f->znode = NULL;
        f->creating = 0;
        if (f->leading && f->phase == MELECT_UP) {
            KLOG_WARN("master", "contender %d lost its ZooKeeper session while leading", f->index);
            klocal_melect_kill(f->m, (size_t)f->index, 1.0, 0, f->m->failover_reregister, NULL, 0);
        }
    }
}

/* A fresh contender: a new id, listening, a new ZooKeeper session. */
static int melect_begin(klocal_face *f, char *err, size_t errlen)
{
    klocal_master *m = f->m;
    kmesos_httpd_config hc = {.ip = m->ip, .port = f->port, .max_body = 16u << 20,
                              .on_request = m->face_request, .arg = f};
    if (kmesos_httpd_start(m->loop, &hc, &f->http, err, errlen) != 0)
        return -1;
    klocal_util_uuid_string(f->id);
    f->down = 0;
    f->phase = MELECT_UP;
    const kmesos_zkurl *zk = &m->cfg->zk;
    f->zk = kmesos_zkc_new(m->loop, zk->hosts, MELECT_SESSION_MS, melect_on_session, f);
    if (f->zk && zk->user)
        kmesos_zkc_auth(f->zk, zk->user, zk->pass);
    KLOG_INFO("master", "contender %d (master %s) listening on %s:%d", f->index, f->id, m->ip,
              f->port);
    return 0;
}

static void melect_on_timer(uv_timer_t *t)
{
    klocal_face *f = t->data;
    char err[256];
    switch (f->phase) {
    case MELECT_DYING:
        melect_die(f);
        f->phase = MELECT_EXPIRING;
        uv_timer_start(t, melect_on_timer, kmesos_num_ms(f->expire), 0);
        return;
    case MELECT_EXPIRING:
        KLOG_INFO("master", "contender %d: its ZooKeeper session ends", f->index);
        melect_close_session(f);
        f->phase = MELECT_DOWN;
        uv_timer_start(t, melect_on_timer,
                       kmesos_num_ms(f->down_for - f->expire), 0);
        return;
    case MELECT_DOWN:
        if (melect_begin(f, err, sizeof err) != 0) {
            KLOG_WARN("master", "contender %d: %s: retrying", f->index, err);
            uv_timer_start(t, melect_on_timer, MELECT_RETRY_MS, 0);
        }
        return;
    default:
        return;
    }
}

int klocal_melect_kill(klocal_master *m, size_t i, double down, double expire,
                       double reregister, char *err, size_t errlen)
{
    if (i >= m->nfaces) {
        snprintf(err, errlen, "No such master");
        return -1;
    }
    klocal_face *f = m->faces[i];
    if (f->phase != MELECT_UP) {
        snprintf(err, errlen, "Master is down");
        return -1;
    }
    f->phase = MELECT_DYING;
    f->down = 1; /* from now on, for GET /local/masters */
    f->down_for = down;
    f->expire = expire;
    m->failover_reregister = reregister;
    uv_timer_start(&f->timer, melect_on_timer, MELECT_DYING_MS, 0);
    return 0;
}

int klocal_melect_start(klocal_master *m, char *err, size_t errlen)
{
    m->nfaces = (size_t)m->cfg->masters;
    m->faces = klocal_util_xcalloc(m->nfaces, sizeof *m->faces);
    m->failover_reregister = 5.0;
    for (size_t i = 0; i < m->nfaces; i++) {
        klocal_face *f = klocal_util_xcalloc(1, sizeof *f);
        f->m = m;
        f->index = (int)i;
        f->port = m->cfg->port + (int)i;
        f->pid = klocal_util_xasprintf("master@%s:%d", m->ip, f->port);
        uv_timer_init(m->loop, &f->timer);
        f->timer.data = f;
        m->faces[i] = f;
        if (melect_begin(f, err, errlen) != 0)
            return -1;
    }
    return 0;
}

json_t *klocal_melect_json(const klocal_master *m)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->nfaces; i++) {
        const klocal_face *f = m->faces[i];
        json_array_append_new(a, json_pack("{s:i, s:i, s:s, s:b, s:b, s:s?, s:s?}", "index",
                                           f->index, "port", f->port, "id", f->id, "leading",
                                           f->leading, "down", f->down, "leader", f->leader,
                                           "znode", f->znode));
    }
    return a;
}

static void melect_face_closed(uv_handle_t *h)
{
    klocal_face *f = h->data;
    free(f->pid);
    free(f->leader);
    free(f->znode);
    free(f);
}

void klocal_melect_stop(klocal_master *m)
{
    for (size_t i = 0; i < m->nfaces; i++) {
        klocal_face *f = m->faces[i];
        if (!f)
            continue; /* start-up failed before it */
        kmesos_httpd_stop(f->http);
        f->http = NULL;
        melect_close_session(f);
        uv_timer_stop(&f->timer);
        uv_close((uv_handle_t *)&f->timer, melect_face_closed);
        m->faces[i] = NULL;
    }
    m->lead = NULL;
}

void klocal_melect_free(klocal_master *m)
{
    free(m->faces);
    m->faces = NULL;
    m->nfaces = 0;
}
