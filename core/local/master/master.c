/* master: the HTTP face of the simulated master and the top of its stack.
 * POST /api/v1/scheduler goes through the same steps as
 * Master::Http::scheduler in Mesos 1.12: redirect when not leading,
 * authentication (401), method (405), content type and body (400/415),
 * call validation (400), then SUBSCRIBE (Accept 406, no stream id, a 200
 * chunked RecordIO stream with a fresh Mesos-Stream-Id) or framework
 * lookup, "not subscribed" (403) and stream id checks (400) before a 202
 * and the call's dispatch (mcall.c). A SUBSCRIBE for a removed framework
 * gets an ERROR event; one for a framework that is still connected ends
 * the old stream with "Framework failed over". With --credentials the
 * state endpoints, the operator API and the /local endpoints ask for them too (401).
 * It also serves /state,
 * /health, /version (unauthenticated, as Mesos' VersionProcess), /redirect, the operator API (operator.c) and the control
 * endpoints (control.c), and starts
 * and stops the whole master: the allocator, the agents (life.c) and the
 * HTTP server, on one libuv loop. With --zk the contenders (melect.c)
 * listen instead: the leader's requests are served here as above, a
 * non-leader answers 307 to the leader (or 503 before an election). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/log.h"
#include "local/master/internal.h"
#include "local/util.h"
#include "local/wire.h"

/* A refused SUBSCRIBE: a 200 stream with one ERROR event, then closed
 * (Master::subscribe's FrameworkErrorMessage). */
static void master_subscribe_refused(kmesos_httpd_req *req, kmesos_content_type ct,
                                     const char *message)
{
    char sid[37];
    klocal_util_uuid_string(sid);
    const char *hdrs[] = {"Mesos-Stream-Id", sid, NULL};
    kmesos_httpd_stream *s =
        kmesos_httpd_stream_open(req, 200, kmesos_content_type_name(ct), hdrs, NULL, NULL);
    if (!s)
        return;
    klocal_mevent_error(s, ct, message);
    kmesos_httpd_stream_close(s);
}

static void master_stream_closed(void *arg, kmesos_httpd_stream *s)
{
    klocal_fw *fw = arg;
    if (fw->stream == s)
        klocal_life_fw_disconnected(fw);
}

static void master_subscribe(klocal_master *m, kmesos_httpd_req *req,
                             const Mesos__V1__Scheduler__Call *c, kmesos_content_type ct)
{
    const Mesos__V1__FrameworkInfo *info = c->subscribe->framework_info;
    const char *want = info->id && *info->id->value ? info->id->value : NULL;
    char buf[600];
    const char *bad = klocal_mroles_validate(info, buf, sizeof buf);
    if (!bad && want)
        bad = klocal_util_id_error(want, buf, sizeof buf);
    if (bad || (want && klocal_mbook_gone_fw(m, want))) {
        KLOG_WARN("master", "SUBSCRIBE refused: %s", bad ? bad : "framework removed");
        master_subscribe_refused(req, ct, bad ? bad : "Framework has been removed");
        return;
    }
    klocal_fw *fw = want ? klocal_mbook_fw(m, want) : NULL;
    if (!fw)
        fw = klocal_life_fw_new(m, want);
    else if (fw->stream) {
        klocal_mevent_error(fw->stream, fw->ct, "Framework failed over");
        kmesos_httpd_stream_close(fw->stream);
        fw->stream = NULL;
    }
    char sid[37];
    klocal_util_uuid_string(sid);
    const char *hdrs[] = {"Mesos-Stream-Id", sid, NULL};
    kmesos_httpd_stream *s = kmesos_httpd_stream_open(req, 200, kmesos_content_type_name(ct),
                                                      hdrs, master_stream_closed, fw);
    if (!s) {
        if (!fw->registered_time)
            klocal_life_remove_fw(fw);
        return;
    }
    klocal_life_fw_subscribed(fw, s, ct, sid, info);
}

/* ---------------------------------------------------- scheduler API */

/* 307 to //leader<path>, as Master::Http's redirect does. */
static void master_redirect_to(kmesos_httpd_req *req, const char *leader, const char *path)
{
    char *loc = klocal_util_xasprintf("//%s%s", leader, path);
    const char *hdrs[] = {"Location", loc, NULL};
    kmesos_httpd_reply(req, 307, NULL, NULL, 0, hdrs);
    free(loc);
}

static int master_redirect(klocal_master *m, kmesos_httpd_req *req, const char *path)
{
    if (!m->redirect_to)
        return 0;
    master_redirect_to(req, m->redirect_to, path);
    return 1;
}

static int master_authenticate(klocal_master *m, kmesos_httpd_req *req, const char *realm,
                               const char **principal)
{
    return klocal_wire_authenticate(req, m->cfg->creds, m->cfg->ncreds, realm, principal);
}

/* With --credentials, the state endpoints (Mesos' read-only realm), the
 * operator API and the /local control endpoints (read-write) want them
 * too: 1 when a 401 was answered. /health stays open, as in Mesos. */
static int master_guarded(klocal_master *m, kmesos_httpd_req *req)
{
    const char *url = kmesos_httpd_url(req), *principal;
    static const char *const readonly[] = {"/state", "/master/state", "/state.json",
                                           "/master/state.json"};
    const char *realm = NULL;
    for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++)
        if (strcmp(url, readonly[i]) == 0)
            realm = "mesos-master-readonly";
    if (strncmp(url, "/local/", 7) == 0 || strcmp(url, "/api/v1") == 0 ||
        strcmp(url, "/master/api/v1") == 0)
        realm = "mesos-master-readwrite";
    return realm && master_authenticate(m, req, realm, &principal) != 0;
}

static const char *master_check_principal(const Mesos__V1__Scheduler__Call *c,
                                          const char *principal, char *buf, size_t len)
{
    if (!principal || c->type != MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE)
        return NULL;
    const char *declared = c->subscribe->framework_info->principal;
    if (!declared || strcmp(declared, principal) == 0)
        return NULL;
    snprintf(buf, len,
             "Authenticated principal '%s' does not match principal '%s' set in `FrameworkInfo`",
             principal, declared);
    return buf;
}

/* ---------------------------------------------------- deferred calls */

/* A call is answered 202 at once and handled on a later loop turn, as a
 * real master answers before its actor gets to the call: an ACCEPT of
 * thousands of tasks (their checks, agents' bookkeeping, updates) does
 * not hold its answer, nor the answers to the calls behind it. The calls
 * keep their order, and any other request (a SUBSCRIBE, /master/state,
 * the operator API) first handles those queued, so it sees them done. */
typedef struct master_qcall {
    struct master_qcall *next;
    char *fw_id, *stream_id;
    Mesos__V1__Scheduler__Call *c;
} master_qcall;

static void master_qcall_free(master_qcall *q)
{
    free(q->fw_id);
    free(q->stream_id);
    kmesos_pb_free(q->c);
    free(q);
}

/* Handles the queued calls in order; one whose framework is gone or
 * subscribed again since (another stream) is dropped. */
static void master_flush_calls(klocal_master *m)
{
    while (m->calls) {
        master_qcall *q = m->calls;
        m->calls = q->next;
        if (!m->calls)
            m->calls_tail = &m->calls;
        klocal_fw *fw = m->stopped ? NULL : klocal_mbook_fw(m, q->fw_id);
        if (fw && fw->connected && strcmp(fw->stream_id, q->stream_id) == 0)
            klocal_mcall_handle(fw, q->c);
        master_qcall_free(q);
    }
}

static void master_on_calls(uv_timer_t *t) { master_flush_calls(t->data); }

static void master_queue_call(klocal_master *m, const klocal_fw *fw,
                              Mesos__V1__Scheduler__Call *c)
{
    master_qcall *q = calloc(1, sizeof *q);
    if (q)
        q->c = c;
    if (!q || !(q->fw_id = strdup(fw->id)) || !(q->stream_id = strdup(fw->stream_id))) {
        KLOG_ERROR("master", "out of memory: a %s call is dropped",
                   kmesos_sched_call_type_name(c->type));
        if (q)
            master_qcall_free(q);
        else
            kmesos_pb_free(c);
        return;
    }
    *m->calls_tail = q;
    m->calls_tail = &q->next;
    uv_timer_start(&m->calls_timer, master_on_calls, 0, 0);
}

/* 1 when the call was queued (it owns c then). */
static int master_call(klocal_master *m, kmesos_httpd_req *req,
                        Mesos__V1__Scheduler__Call *c, const char *principal)
{
    klocal_fw *fw = klocal_mbook_fw(m, c->framework_id->value);
    const char *sid = kmesos_httpd_header(req, "Mesos-Stream-Id");
    if (!fw) {
        kmesos_httpd_reply_text(req, 400, "Framework cannot be found", NULL);
    } else if (principal && fw->info->principal && strcmp(principal, fw->info->principal) != 0) {
        char *t = klocal_util_xasprintf("Authenticated principal '%s' does not match principal "
                                        "'%s' set in `FrameworkInfo`",
                                        principal, fw->info->principal);
        kmesos_httpd_reply_text(req, 400, t, NULL);
        free(t);
    } else if (!fw->connected) {
        kmesos_httpd_reply_text(req, 403, "Framework is not subscribed", NULL);
    } else if (!sid) {
        kmesos_httpd_reply_text(req, 400,
                                "All non-subscribe calls should include the 'Mesos-Stream-Id' header",
                                NULL);
    } else if (strcmp(sid, fw->stream_id) != 0) {
        char *t = klocal_util_xasprintf(
            "The stream ID '%s' included in this request didn't match the stream ID currently "
            "associated with framework ID %s",
            sid, fw->id);
        kmesos_httpd_reply_text(req, 400, t, NULL);
        free(t);
    } else {
        klocal_wire_accepted(req);
        master_queue_call(m, fw, c);
        return 1;
    }
    return 0;
}

static void master_scheduler_api(klocal_master *m, kmesos_httpd_req *req)
{
    const char *principal;
    if (master_redirect(m, req, "/master/api/v1/scheduler") ||
        master_authenticate(m, req, "mesos-master-scheduler", &principal) != 0)
        return;
    kmesos_content_type ct;
    Mesos__V1__Scheduler__Call *c = (Mesos__V1__Scheduler__Call *)klocal_wire_decode(
        req, &mesos__v1__scheduler__call__descriptor, &ct);
    if (!c)
        return;
    char buf[512];
    const char *why = klocal_mcall_validate(c);
    if (!why)
        why = master_check_principal(c, principal, buf, sizeof buf);
    kmesos_content_type accept;
    if (why)
        klocal_wire_invalid(req, "scheduler::Call", why);
    else if (c->type != MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE) {
        if (master_call(m, req, c, principal))
            return; /* queued: it owns c */
    }
    else if (klocal_wire_accept(req, &accept) != 0)
        ; /* answered 406 */
    else if (kmesos_httpd_header(req, "Mesos-Stream-Id"))
        kmesos_httpd_reply_text(req, 400,
                                "Subscribe calls should not include the 'Mesos-Stream-Id' header",
                                NULL);
    else
        master_subscribe(m, req, c, accept);
    kmesos_pb_free(c);
}

/* A non-SUBSCRIBE scheduler call (a SUBSCRIBE has no Mesos-Stream-Id):
 * the calls that queue. */
static int master_is_call(kmesos_httpd_req *req)
{
    const char *url = kmesos_httpd_url(req);
    return (strcmp(url, "/api/v1/scheduler") == 0 || strcmp(url, "/master/api/v1/scheduler") == 0) &&
           kmesos_httpd_header(req, "Mesos-Stream-Id");
}

static void master_on_request(void *arg, kmesos_httpd_req *req)
{
    klocal_master *m = arg;
    const char *url = kmesos_httpd_url(req);
    if (!master_is_call(req))
        master_flush_calls(m); /* it sees the calls answered before done */
    if (master_guarded(m, req) || klocal_control_handle(m, req))
        return;
    if (strcmp(url, "/api/v1/scheduler") == 0 || strcmp(url, "/master/api/v1/scheduler") == 0) {
        master_scheduler_api(m, req);
    } else if (strcmp(url, "/api/v1") == 0 || strcmp(url, "/master/api/v1") == 0) {
        if (!master_redirect(m, req, "/master/api/v1"))
            klocal_operator_handle(m, req);
    } else if (strcmp(url, "/redirect") == 0 || strcmp(url, "/master/redirect") == 0) {
        if (!master_redirect(m, req, "")) {
            char *loc = klocal_util_xasprintf("//%s:%d", m->hostname, m->port);
            const char *hdrs[] = {"Location", loc, NULL};
            kmesos_httpd_reply(req, 307, NULL, NULL, 0, hdrs);
            free(loc);
        }
    } else if (strcmp(url, "/state") == 0 || strcmp(url, "/master/state") == 0 ||
               strcmp(url, "/state.json") == 0 || strcmp(url, "/master/state.json") == 0) {
        klocal_wire_reply_json(req, klocal_mstate_json(m));
    } else if (strcmp(url, "/health") == 0 || strcmp(url, "/master/health") == 0) {
        kmesos_httpd_reply(req, 200, NULL, NULL, 0, NULL);
    } else if (strcmp(url, "/version") == 0) {
        klocal_wire_reply_json(req, klocal_wire_version());
    } else {
        kmesos_httpd_reply(req, 404, NULL, NULL, 0, NULL);
    }
}

/* A contender that does not lead (--zk): everything but the control
 * endpoints goes to the leader, as in the recorded non-leading master
 * (307 with the path under /master, Content-Length 0). */
static void master_nonleader(klocal_face *f, kmesos_httpd_req *req)
{
    const char *url = kmesos_httpd_url(req);
    const char *to = NULL;
    if (strcmp(url, "/api/v1/scheduler") == 0 || strcmp(url, "/master/api/v1/scheduler") == 0)
        to = "/master/api/v1/scheduler";
    else if (strcmp(url, "/api/v1") == 0 || strcmp(url, "/master/api/v1") == 0)
        to = "/master/api/v1";
    else if (strcmp(url, "/redirect") == 0 || strcmp(url, "/master/redirect") == 0)
        to = "";
    else if (strcmp(url, "/state") == 0 || strcmp(url, "/master/state") == 0)
        to = "/master/state";
    if (strcmp(url, "/health") == 0 || strcmp(url, "/master/health") == 0)
        kmesos_httpd_reply(req, 200, NULL, NULL, 0, NULL);
    else if (strcmp(url, "/version") == 0) /* each master's own */
        klocal_wire_reply_json(req, klocal_wire_version());
    else if (!to)
        kmesos_httpd_reply_text(req, 404, "404 Not Found.", NULL);
    else if (!f->leader)
        kmesos_httpd_reply_text(req, 503, "No leader elected", NULL);
    else
        master_redirect_to(req, f->leader, to);
}

static void master_on_face_request(void *arg, kmesos_httpd_req *req)
{
    klocal_face *f = arg;
    if (f->leading)
        master_on_request(f->m, req);
    else if (!master_guarded(f->m, req) && !klocal_control_handle(f->m, req))
        master_nonleader(f, req);
}

/* --------------------------------------------------------- lifecycle */

static void master_handle_closed(uv_handle_t *h)
{
    klocal_master *m = h->data;
    m->open_handles--;
}

klocal_master *klocal_master_start(uv_loop_t *loop, const klocal_config *cfg, char *err,
                                   size_t errlen)
{
    klocal_master *m = klocal_util_xcalloc(1, sizeof *m);
    m->loop = loop;
    m->cfg = cfg;
    m->ip = cfg->ip;
    m->hostname = cfg->hostname;
    m->start_time = klocal_util_now();
    if (cfg->master_id)
        snprintf(m->id, sizeof m->id, "%s", cfg->master_id);
    else
        klocal_util_uuid_string(m->id);
    m->redirect_to = cfg->redirect_to ? klocal_util_xstrdup(cfg->redirect_to) : NULL;
    m->work_dir = cfg->work_dir ? klocal_util_xstrdup(cfg->work_dir)
                                : klocal_util_xasprintf("/tmp/kmesos-local-%d", (int)getpid());
    m->http_cfg = (kmesos_httpd_config){.ip = cfg->ip, .port = cfg->port, .max_body = 16u << 20,
                                        .on_request = master_on_request, .arg = m};
    m->face_request = master_on_face_request;
    if (!cfg->zk.hosts && kmesos_httpd_start(loop, &m->http_cfg, &m->http, err, errlen) != 0) {
        free(m->redirect_to);
        free(m->work_dir);
        free(m);
        return NULL;
    }
    m->port = m->http ? kmesos_httpd_port(m->http) : cfg->port;
    m->http_cfg.port = m->port; /* a restart listens on the same port */
    m->pid = klocal_util_xasprintf("master@%s:%d", m->ip, m->port);
    uv_timer_init(loop, &m->alloc_timer);
    m->alloc_timer.data = m;
    uv_timer_init(loop, &m->calls_timer);
    m->calls_timer.data = m;
    m->calls_tail = &m->calls;
    m->open_handles = 2;
    m->hub = klocal_hub_new(loop, cfg->ip, cfg->shared_agent_port);
    size_t n = cfg->specs ? cfg->nspecs : cfg->agents;
    for (size_t i = 0; i < n; i++)
        if (!klocal_life_add_agent(m, NULL, err, errlen)) {
            klocal_master_stop(m);
            return m; /* caller sees m->stopped via busy/free */
        }
    if (cfg->zk.hosts) {
        for (size_t i = 0; i < m->nagents; i++)
            m->agents[i]->unknown = 1; /* they register with the first leader */
        if (klocal_melect_start(m, err, errlen) != 0) {
            klocal_master_stop(m);
            return m;
        }
    }
    klocal_alloc_start(m);
    KLOG_INFO("master", "master %s listening on %s:%d with %zu agent(s), work dir %s", m->id,
              m->ip, m->port, m->nagents, m->work_dir);
    return m;
}

int klocal_master_port(const klocal_master *m) { return m->port; }
int klocal_master_stopped(const klocal_master *m) { return m->stopped; }
const char *klocal_master_id(const klocal_master *m) { return m->id; }

void klocal_master_stop(klocal_master *m)
{
    if (m->stopped)
        return;
    m->stopped = 1;
    master_flush_calls(m); /* drops them: nothing is handled once stopped */
    klocal_alloc_stop(m);
    klocal_mrestart_end(m);
    klocal_life_end_removals(m);
    while (m->fws)
        klocal_life_remove_fw(m->fws);
    for (size_t i = 0; i < m->nagents; i++)
        klocal_agent_stop(m->agents[i]->agent);
    klocal_hub_stop(m->hub);
    kmesos_httpd_stop(m->http);
    m->http = NULL;
    klocal_melect_stop(m);
    for (klocal_fw *fw = m->gone_fws; fw; fw = fw->next)
        fw->stream = NULL;
    uv_close((uv_handle_t *)&m->alloc_timer, master_handle_closed);
    uv_close((uv_handle_t *)&m->calls_timer, master_handle_closed);
}

int klocal_master_busy(const klocal_master *m)
{
    for (size_t i = 0; i < m->nagents; i++)
        if (klocal_agent_busy(m->agents[i]->agent))
            return 1;
    return 0;
}

void klocal_master_free(klocal_master *m)
{
    m->stopped = 1;
    master_flush_calls(m); /* none left after a stop; dropped */
    while (m->gone_fws) {
        klocal_fw *fw = m->gone_fws;
        m->gone_fws = fw->next;
        klocal_life_fw_free(fw);
    }
    HASH_CLEAR(hh, m->agent_index);
    for (size_t i = 0; i < m->nagents; i++) {
        klocal_agent_free(m->agents[i]->agent);
        klocal_res_free(&m->agents[i]->used);
        klocal_res_free(&m->agents[i]->offered);
        free(m->agents[i]);
    }
    free(m->agents);
    klocal_hub_free(m->hub);
    klocal_melect_free(m);
    free(m->pid);
    free(m->redirect_to);
    free(m->work_dir);
    free(m);
}
