/* agent: a simulated agent's identity, its HTTP endpoint and the calls the
 * master makes on it. The executor API follows src/slave/http.cpp of
 * Mesos 1.12: content type, decoding and validation errors first, then
 * framework and executor lookup ("Framework cannot be found", "Executor
 * cannot be found"), SUBSCRIBE answered 200 with a chunked RecordIO stream
 * (no Mesos-Stream-Id), other calls 202. GET /state shows the agent's
 * frameworks, executors and tasks. The master's calls (launch, kill,
 * acknowledge, shutdown, message) are plain function calls that reach
 * the executors in aexec.c; what the agent has to tell the master goes
 * back through the klocal_agent_events callbacks, fed by the status update
 * manager (updates.c). A simulated restart closes the HTTP server and
 * cuts the executors' streams, reopens the same port after the down time
 * and gives the executors a recovery window to re-subscribe
 * (executor_reregistration_timeout, 2 s by default); during it other
 * executor calls answer 503 and no update goes to the master, which
 * hears from the agent again when the window is over, as from a real
 * agent (src/slave/http.cpp, src/slave/slave.cpp). A simulated partition
 * cuts only the link to the master: executors keep their API, the master's
 * calls and the agent's updates, messages and executor exits do not pass
 * (updates wait in the update manager), and the agent reports the tasks it
 * holds when the master re-registers it (klocal_agent_each_task).
 * Executors and processes live in aexec.c; /files/read and /files/browse
 * in files.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/log.h"
#include "local/agent/internal.h"
#include "local/agent/files.h"
#include "local/util.h"
#include "local/wire.h"
#include "mesos/v1/executor/executor.pb-c.h"

/* --------------------------------------------------------- accessors */

const char *klocal_agent_id(const klocal_agent *a) { return a->id; }
const char *klocal_agent_hostname(const klocal_agent *a) { return a->hostname; }
const char *klocal_agent_ip(const klocal_agent *a) { return a->ip; }
const char *klocal_agent_pid(const klocal_agent *a) { return a->pid; }
const char *klocal_agent_process(const klocal_agent *a) { return a->process; }
uint64_t klocal_agent_resent(const klocal_agent *a)
{
    return a->updates ? klocal_updates_resent(a->updates) : 0;
}
int klocal_agent_port(const klocal_agent *a) { return a->port; }
size_t klocal_agent_index(const klocal_agent *a) { return a->index; }
const klocal_res *klocal_agent_resources(const klocal_agent *a) { return &a->resources; }
const char *klocal_agent_work_dir(const klocal_agent *a) { return a->work_dir; }

void klocal_agent_convert(klocal_agent *a, const klocal_res *consumed, const klocal_res *produced)
{
    klocal_res_subtract(&a->resources, consumed);
    klocal_res_add(&a->resources, produced);
}
const klocal_attrs *klocal_agent_attributes(const klocal_agent *a) { return &a->attrs; }

/* ------------------------------------------------------------- state */

static json_t *agent_task_json(const klocal_agent *a, const klocal_aexec *e,
                               const klocal_atask *t)
{
    klocal_res r;
    klocal_res_init(&r);
    klocal_res_add_pb(&r, t->info->resources, t->info->n_resources);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}",
                          "id", t->info->task_id->value, "name", t->info->name,
                          "framework_id", e->fw_id, "executor_id", e->command ? "" : e->exec_id,
                          "slave_id", a->id, "state", kmesos_task_state_name(t->state),
                          "resources", klocal_res_to_json(&r), "role", "*");
    klocal_res_free(&r);
    return j;
}

static json_t *agent_exec_json(const klocal_agent *a, const klocal_aexec *e)
{
    json_t *tasks = json_array();
    for (const klocal_atask *t = e->tasks; t; t = t->next)
        json_array_append_new(tasks, agent_task_json(a, e, t));
    const char *name = e->info && e->info->name ? e->info->name : "Command Executor";
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:[], s:[], s:s}",
                     "id", e->exec_id, "name", name, "source", e->exec_id,
                     "container", e->container_id, "directory", e->sandbox, "pid", e->pid,
                     "tasks", tasks, "queued_tasks", "completed_tasks", "role", "*");
}

static json_t *agent_frameworks_json(const klocal_agent *a)
{
    json_t *fws = json_array();
    for (const klocal_aexec *e = a->execs; e; e = e->next) {
        json_t *fw = NULL;
        size_t i;
        json_t *it;
        json_array_foreach(fws, i, it)
            if (strcmp(json_string_value(json_object_get(it, "id")), e->fw_id) == 0)
                fw = it;
        if (!fw) {
            fw = json_pack("{s:s, s:s, s:s, s:f, s:b, s:s, s:s, s:[], s:[]}",
                           "id", e->fw_id, "name", e->fw_info->name, "user", e->fw_info->user,
                           "failover_timeout", e->fw_info->failover_timeout,
                           "checkpoint", e->fw_info->checkpoint, "hostname", "",
                           "role", "*", "executors", "completed_executors");
            json_array_append_new(fws, fw);
        }
        json_array_append_new(json_object_get(fw, "executors"), agent_exec_json(a, e));
    }
    return fws;
}

/* GET /state: the agent's identity and its frameworks, executors and tasks. */
static json_t *agent_state_json(const klocal_agent *a)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:[], s:{}}",
                     "version", "1.12.0", "id", a->id, "pid", a->pid, "hostname", a->hostname,
                     "start_time", a->start_time, "resources", klocal_res_to_json(&a->resources),
                     "unreserved_resources", klocal_res_unreserved_json(&a->resources),
                     "reserved_resources", klocal_res_reserved_json(&a->resources),
                     "attributes", klocal_attrs_to_json(&a->attrs),
                     "master_hostname", a->master_hostname, "flavour", "kmesos-local",
                     "frameworks", agent_frameworks_json(a), "completed_frameworks",
                     "flags");
}

/* ------------------------------------------------------ executor API */

static void agent_stream_closed(void *arg, kmesos_httpd_stream *s)
{
    klocal_aexec *e = arg;
    if (e->stream == s)
        klocal_aexec_disconnected(e);
}

static const char *agent_validate(const Mesos__V1__Executor__Call *c)
{
    if (!c->has_type)
        return "Expecting 'type' to be present";
    switch (c->type) {
    case MESOS__V1__EXECUTOR__CALL__TYPE__SUBSCRIBE:
        return c->subscribe ? NULL : "Expecting 'subscribe' to be present";
    case MESOS__V1__EXECUTOR__CALL__TYPE__UPDATE:
        if (!c->update)
            return "Expecting 'update' to be present";
        return c->update->status->has_uuid ? NULL : "Expecting 'uuid' to be present";
    case MESOS__V1__EXECUTOR__CALL__TYPE__MESSAGE:
        return c->message ? NULL : "Expecting 'message' to be present";
    default:
        return NULL;
    }
}

static void agent_subscribe(klocal_aexec *e, kmesos_httpd_req *req,
                            const Mesos__V1__Executor__Call__Subscribe *sub)
{
    kmesos_content_type accept;
    if (klocal_wire_accept(req, &accept) != 0)
        return;
    if (e->command) {
        kmesos_httpd_reply_text(req, 400, "Executor is not an HTTP executor", NULL);
        return;
    }
    kmesos_httpd_stream *s = kmesos_httpd_stream_open(
        req, 200, kmesos_content_type_name(accept), NULL, agent_stream_closed, e);
    if (!s)
        return;
    KLOG_INFO("agent", "%s: executor %s subscribed", e->agent->id, e->exec_id);
    klocal_aexec_subscribed(e, s, accept, sub);
}

static void agent_dispatch(klocal_agent *a, klocal_aexec *e, kmesos_httpd_req *req,
                           const Mesos__V1__Executor__Call *c)
{
    switch (c->type) {
    case MESOS__V1__EXECUTOR__CALL__TYPE__SUBSCRIBE:
        agent_subscribe(e, req, c->subscribe);
        return;
    case MESOS__V1__EXECUTOR__CALL__TYPE__UPDATE:
        klocal_wire_accepted(req);
        klocal_aexec_executor_update(e, c->update->status);
        return;
    case MESOS__V1__EXECUTOR__CALL__TYPE__MESSAGE:
        klocal_wire_accepted(req);
        if (a->ev.on_message && !a->partitioned) /* lost in a partition */
            a->ev.on_message(a->ev.arg, a, e->fw_id, e->exec_id, c->message->data.data,
                             c->message->data.len);
        return;
    default:
        klocal_wire_accepted(req);
        return;
    }
}

/* One decoded executor call for a (from its own listener or the hub). */
static void agent_executor_call(void *arg, kmesos_httpd_req *req,
                                const Mesos__V1__Executor__Call *c, kmesos_content_type ct)
{
    klocal_agent *a = arg;
    (void)ct;
    const char *why = agent_validate(c);
    klocal_aexec *e = NULL;
    if (why)
        klocal_wire_invalid(req, "Executor::Call", why);
    else if (a->down) /* shared listener: its port stays open */
        kmesos_httpd_reply_text(req, 503, "Agent is restarting", NULL);
    else if (a->recovering && c->type != MESOS__V1__EXECUTOR__CALL__TYPE__SUBSCRIBE &&
             c->type != MESOS__V1__EXECUTOR__CALL__TYPE__HEARTBEAT)
        kmesos_httpd_reply_text(req, 503, "Agent has not finished recovery", NULL);
    else if (!klocal_aexec_find(a, c->framework_id->value, NULL))
        kmesos_httpd_reply_text(req, 400, "Framework cannot be found", NULL);
    else if (!(e = klocal_aexec_find(a, c->framework_id->value, c->executor_id->value)))
        kmesos_httpd_reply_text(req, 400, "Executor cannot be found", NULL);
    else if (!e->command && !e->stream && c->type != MESOS__V1__EXECUTOR__CALL__TYPE__SUBSCRIBE)
        kmesos_httpd_reply_text(req, 403, "Executor is not subscribed", NULL);
    else
        agent_dispatch(a, e, req, c);
}

static void agent_executor_api(klocal_agent *a, kmesos_httpd_req *req)
{
    kmesos_content_type ct;
    Mesos__V1__Executor__Call *c = (Mesos__V1__Executor__Call *)klocal_wire_decode(
        req, &mesos__v1__executor__call__descriptor, &ct);
    if (!c)
        return;
    agent_executor_call(a, req, c, ct);
    kmesos_pb_free(c);
}

/* url: the path, without /slave(N) when it came through the hub. */
static void agent_serve(void *arg, kmesos_httpd_req *req, const char *url)
{
    klocal_agent *a = arg;
    if (strncmp(url, "/slave(1)/", 10) == 0 && !a->hub_port)
        url += 9; /* its own port: the libprocess id is slave(1) */
    if (klocal_files_guard(a->creds, a->ncreds, req, url))
        return; /* 401 */
    if (strcmp(url, "/api/v1/executor") == 0)
        agent_executor_api(a, req);
    else if (strcmp(url, "/version") == 0)
        klocal_wire_reply_json(req, klocal_wire_version());
    else if (a->down)
        kmesos_httpd_reply_text(req, 503, "Agent is restarting", NULL);
    else if (strcmp(url, "/state") == 0 || strcmp(url, "/state.json") == 0)
        klocal_wire_reply_json(req, agent_state_json(a));
    else if (!klocal_files_serve(a->work_dir, req, url))
        kmesos_httpd_reply(req, 404, NULL, NULL, 0, NULL);
}

static void agent_on_request(void *arg, kmesos_httpd_req *req)
{
    agent_serve(arg, req, kmesos_httpd_url(req));
}

/* For the hub: 1 when path is under a's own sandboxes. */
static int agent_owns_path(void *arg, const char *path)
{
    const klocal_agent *a = arg;
    char *mine = klocal_util_xasprintf("%s/slaves/%s/", a->work_dir, a->id);
    int yes = strncmp(path, mine, strlen(mine)) == 0;
    free(mine);
    return yes;
}

/* For the hub: 2 when a runs exec_id of fw_id, 1 when it knows fw_id. */
static int agent_owns(void *arg, const char *fw_id, const char *exec_id)
{
    const klocal_agent *a = arg;
    return klocal_aexec_find(a, fw_id, exec_id) ? 2 : klocal_aexec_find(a, fw_id, NULL) ? 1 : 0;
}

/* ---------------------------------------------------- update manager */

/* Updates reach the master only while the agent is registered: not while
 * down, nor during the recovery window (the agent re-registers with the
 * master only once that window is over, src/slave/flags.cpp MESOS-7539),
 * nor while partitioned (they wait in the update manager). */
static void agent_send_update(void *arg, const char *fw_id, const Mesos__V1__TaskStatus *st)
{
    klocal_agent *a = arg;
    if (!a->stopped && !a->down && !a->recovering && !a->partitioned && a->ev.on_update)
        a->ev.on_update(a->ev.arg, a, fw_id, st);
}

static void agent_update_done(void *arg, const char *fw_id, const char *task_id)
{
    klocal_agent *a = arg;
    if (!a->stopped && a->ev.on_task_done)
        a->ev.on_task_done(a->ev.arg, a, fw_id, task_id);
}

/* --------------------------------------------------------- lifecycle */

static int agent_listen(klocal_agent *a, int port, char *err, size_t errlen)
{
    if (a->hub_port) {
        klocal_hub_agent ag = {.arg = a, .serve = agent_serve, .owns = agent_owns,
                               .owns_path = agent_owns_path, .call = agent_executor_call};
        return klocal_hub_attach(a->hub, a->index, &ag, err, errlen) < 0 ? -1 : 0;
    }
    kmesos_httpd_config hc = {.ip = a->ip, .port = port, .max_body = 16u << 20,
                              .on_request = agent_on_request, .arg = a};
    return kmesos_httpd_start(a->loop, &hc, &a->http, err, errlen);
}

klocal_agent *klocal_agent_start(uv_loop_t *loop, const klocal_agent_params *p,
                                 const klocal_agent_events *ev, char *err, size_t errlen)
{
    klocal_agent *a = klocal_util_xcalloc(1, sizeof *a);
    a->loop = loop;
    a->index = p->index;
    a->id = klocal_util_xstrdup(p->id);
    a->hostname = klocal_util_xstrdup(p->hostname);
    a->ip = klocal_util_xstrdup(p->ip);
    a->work_dir = klocal_util_xstrdup(p->work_dir);
    a->master_hostname = klocal_util_xstrdup(p->master_hostname);
    a->update_retry = p->update_retry;
    a->executor_grace = p->executor_grace;
    a->kill_grace = p->kill_grace;
    a->reregistration = p->reregistration;
    a->recovery_timeout = p->recovery_timeout;
    a->creds = p->creds;
    a->ncreds = p->ncreds;
    a->start_time = klocal_util_now();
    a->ev = *ev;
    klocal_res_init(&a->resources);
    klocal_attrs_init(&a->attrs);
    char why[256];
    if (klocal_res_parse(&a->resources, p->resources, why, sizeof why) != 0 ||
        klocal_attrs_parse(&a->attrs, p->attributes, p->alt_index, why, sizeof why) != 0) {
        snprintf(err, errlen, "agent %zu: %s", p->index, why);
        a->stopped = 1;
        klocal_agent_free(a);
        return NULL;
    }
    a->hub = p->hub;
    a->hub_port = p->hub && p->shared;
    if (agent_listen(a, p->port, why, sizeof why) != 0) {
        snprintf(err, errlen, "agent %zu: %s%s", p->index, why,
                 strstr(why, strerror(EMFILE)) || strstr(why, strerror(ENFILE))
                     ? " (each agent with a port of its own needs 2 file descriptors: "
                       "raise ulimit -n or lower --agent-listeners)"
                     : "");
        a->stopped = 1;
        klocal_agent_free(a);
        return NULL;
    }
    a->port = a->hub_port ? klocal_hub_port(a->hub) : kmesos_httpd_port(a->http);
    a->process = a->hub_port ? klocal_util_xasprintf("slave(%zu)", a->index + 1)
                             : klocal_util_xstrdup("slave(1)");
    a->pid = klocal_util_xasprintf("%s@%s:%d", a->process, a->ip, a->port);
    a->updates = klocal_updates_new(loop, p->update_retry, agent_send_update,
                                    agent_update_done, a);
    KLOG_INFO("agent", "%s listening on %s:%d", a->id, a->ip, a->port);
    return a;
}

/* ----------------------------------------------------------- restart */

static void agent_timer_closed(uv_handle_t *h) { free(h); }

static void agent_restart_timer_end(klocal_agent *a)
{
    if (!a->restart_timer)
        return;
    uv_timer_stop(a->restart_timer);
    uv_close((uv_handle_t *)a->restart_timer, agent_timer_closed);
    a->restart_timer = NULL;
}

/* Slave::reregisterExecutorTimeout, then the re-registration with the
 * master that follows it. */
static void agent_on_recovery_over(uv_timer_t *t)
{
    klocal_agent *a = t->data;
    a->recovering = 0;
    agent_restart_timer_end(a);
    KLOG_INFO("agent", "%s: recovery window over: re-registering with the master", a->id);
    for (klocal_aexec *e = a->execs; e; e = e->next)
        klocal_aexec_recovery_expired(e);
    klocal_updates_resend(a->updates, NULL);
    if (a->ev.on_reregistered)
        a->ev.on_reregistered(a->ev.arg, a);
}

static void agent_on_back(uv_timer_t *t)
{
    klocal_agent *a = t->data;
    char err[256];
    if (agent_listen(a, a->port, err, sizeof err) != 0) {
        KLOG_WARN("agent", "%s: cannot listen again on port %d (%s): retrying", a->id, a->port,
                  err);
        uv_timer_start(t, agent_on_back, 500, 0);
        return;
    }
    a->down = 0;
    a->recovering = 1;
    KLOG_INFO("agent", "%s: restarted, listening on %s:%d; recovering executors for %gs", a->id,
              a->ip, a->port, a->recovery);
    uv_timer_start(t, agent_on_recovery_over, kmesos_num_ms(a->recovery), 0);
}

int klocal_agent_restart(klocal_agent *a, double down, double recovery, char *err,
                         size_t errlen)
{
    if (a->stopped || a->down || a->partitioned) {
        snprintf(err, errlen, "Agent is %s",
                 a->stopped ? "removed" : a->down ? "down (restarting)" : "partitioned");
        return -1;
    }
    agent_restart_timer_end(a); /* a new restart ends a recovery window */
    a->recovering = 0;
    KLOG_INFO("agent", "%s: restarting (down for %gs)", a->id, down);
    for (klocal_aexec *e = a->execs; e; e = e->next)
        klocal_aexec_detach(e);
    if (a->http) /* a shared listener stays: the agent answers 503 */
        kmesos_httpd_stop(a->http);
    a->http = NULL;
    a->down = 1;
    a->recovery = recovery;
    a->restart_timer = klocal_util_xcalloc(1, sizeof *a->restart_timer);
    uv_timer_init(a->loop, a->restart_timer);
    a->restart_timer->data = a;
    uv_timer_start(a->restart_timer, agent_on_back, kmesos_num_ms(down), 0);
    return 0;
}

int klocal_agent_down(const klocal_agent *a) { return a->down; }

void klocal_agent_stop(klocal_agent *a)
{
    if (a->stopped)
        return;
    a->stopped = 1;
    agent_restart_timer_end(a);
    for (klocal_aexec *e = a->execs; e; e = e->next)
        klocal_aexec_silence(e);
    klocal_updates_drop(a->updates, NULL);
    if (a->http) {
        kmesos_httpd_stop(a->http);
        a->http = NULL;
    }
    if (a->hub_port)
        klocal_hub_detach(a->hub, a->index);
}

int klocal_agent_busy(const klocal_agent *a) { return a->live_procs > 0 || a->execs != NULL; }

void klocal_agent_free(klocal_agent *a)
{
    if (!a)
        return;
    klocal_updates_free(a->updates);
    klocal_res_free(&a->resources);
    klocal_attrs_free(&a->attrs);
    free(a->id);
    free(a->hostname);
    free(a->ip);
    free(a->pid);
    free(a->process);
    free(a->work_dir);
    free(a->master_hostname);
    free(a);
}

/* ------------------------------------------------------ master calls */

/* 1 (and a log line) when a message from the master cannot reach the
 * agent: it is down for a restart or cut off by a partition. */
static int agent_unreachable(const klocal_agent *a, const char *what, const char *task_id)
{
    if (!a->down && !a->partitioned)
        return 0;
    KLOG_INFO("agent", "%s: %s: %s of task %s dropped", a->id,
              a->down ? "down" : "partitioned", what, task_id ? task_id : "-");
    return 1;
}

void klocal_agent_launch(klocal_agent *a, const Mesos__V1__FrameworkInfo *fw,
                         const Mesos__V1__TaskInfo *task)
{
    if (!a->stopped && !(a->partitioned && agent_unreachable(a, "launch", task->task_id->value)))
        klocal_aexec_launch(a, fw, task);
}

int klocal_agent_kill_task(klocal_agent *a, const char *fw_id, const char *task_id, double grace)
{
    klocal_aexec *e = klocal_aexec_of_task(a, fw_id, task_id);
    if (!e)
        return -1;
    if (agent_unreachable(a, "KILL", task_id))
        return 0;
    klocal_aexec_kill(e, klocal_aexec_task(e, task_id), grace);
    return 0;
}

void klocal_agent_acknowledge(klocal_agent *a, const char *fw_id, const char *task_id,
                              const uint8_t *uuid, size_t len)
{
    if (agent_unreachable(a, "acknowledgement", task_id))
        return;
    if (!klocal_updates_ack(a->updates, fw_id, task_id, uuid, len))
        KLOG_DEBUG("agent", "%s: acknowledgement for task %s matches no pending update", a->id,
                   task_id);
}

void klocal_agent_shutdown_executor(klocal_agent *a, const char *fw_id, const char *exec_id)
{
    klocal_aexec *e = klocal_aexec_find(a, fw_id, exec_id);
    if (e && !agent_unreachable(a, "SHUTDOWN", NULL))
        klocal_aexec_shutdown(e);
}

void klocal_agent_shutdown_framework(klocal_agent *a, const char *fw_id)
{
    for (klocal_aexec *e = a->execs; e; e = e->next)
        if (strcmp(e->fw_id, fw_id) == 0) {
            e->silent = 1;
            klocal_aexec_shutdown(e);
        }
    klocal_updates_drop(a->updates, fw_id);
}

void klocal_agent_message(klocal_agent *a, const char *fw_id, const char *exec_id,
                          const uint8_t *data, size_t len)
{
    klocal_aexec *e = klocal_aexec_find(a, fw_id, exec_id);
    if (!e || agent_unreachable(a, "MESSAGE", NULL))
        return;
    Mesos__V1__Executor__Event *ev = klocal_util_pb_new(&mesos__v1__executor__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__EXECUTOR__EVENT__TYPE__MESSAGE;
    ev->message = klocal_util_pb_new(&mesos__v1__executor__event__message__descriptor);
    ev->message->data = klocal_util_pb_bytes(data, len);
    klocal_aexec_send(e, &ev->base);
    kmesos_pb_free(ev);
}

void klocal_agent_framework_resubscribed(klocal_agent *a, const char *fw_id)
{
    klocal_updates_resend(a->updates, fw_id);
}

/* ---------------------------------------------------------- partition */

int klocal_agent_partition(klocal_agent *a, int on, char *err, size_t errlen)
{
    int restarting = on && (a->down || a->recovering);
    if (a->stopped || restarting || a->partitioned == !!on) {
        snprintf(err, errlen, "Agent is %s",
                 a->stopped ? "removed"
                 : restarting ? "restarting"
                 : on ? "already partitioned" : "not partitioned");
        return -1;
    }
    a->partitioned = !!on;
    KLOG_INFO("agent", "%s: %s", a->id,
              on ? "partitioned from the master (executors still reach it)"
                 : "partition healed: the master hears it again");
    return 0;
}

int klocal_agent_partitioned(const klocal_agent *a) { return a->partitioned; }

void klocal_agent_each_task(const klocal_agent *a, klocal_agent_task_cb cb, void *arg)
{
    for (const klocal_aexec *e = a->execs; e; e = e->next) {
        if (e->silent)
            continue;
        for (const klocal_atask *t = e->tasks; t; t = t->next) {
            klocal_agent_task v = {
                .fw_id = e->fw_id, .framework = e->fw_info, .executor = e->info,
                .task = t->info, .state = t->state, .container_id = e->container_id,
                .executor_pid = e->pid,
            };
            cb(arg, &v);
        }
    }
}
