/* master: the HTTP face and the framework life cycle of the simulated
 * master. POST /api/v1/scheduler goes through the same steps as
 * Master::Http::scheduler in Mesos 1.12: redirect when not leading,
 * authentication (401), method (405), content type and body (400/415),
 * call validation (400), then SUBSCRIBE (Accept 406, no stream id, a 200
 * chunked RecordIO stream with a fresh Mesos-Stream-Id) or framework
 * lookup, "not subscribed" (403) and stream id checks (400) before a 202.
 * A framework whose stream goes away keeps its tasks for its
 * failover_timeout; re-subscribing with its id takes them back. The
 * master also owns the agents and turns their reports into UPDATE,
 * MESSAGE and FAILURE events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "codec/log.h"
#include "local/master/internal.h"
#include "local/util.h"
#include "local/wire.h"

#define MASTER_MAX_COMPLETED_TASKS 1000

/* ----------------------------------------------------------- lookups */

klocal_fw *klocal_master_fw(klocal_master *m, const char *id)
{
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        if (strcmp(fw->id, id) == 0)
            return fw;
    return NULL;
}

static klocal_fw *master_gone_fw(klocal_master *m, const char *id)
{
    for (klocal_fw *fw = m->gone_fws; fw; fw = fw->next)
        if (strcmp(fw->id, id) == 0)
            return fw;
    return NULL;
}

klocal_magent *klocal_master_agent(klocal_master *m, const char *key)
{
    char *end;
    unsigned long idx = strtoul(key, &end, 10);
    for (size_t i = 0; i < m->nagents; i++)
        if (strcmp(klocal_agent_id(m->agents[i]->agent), key) == 0)
            return m->agents[i];
    if (*key && !*end && idx < m->nagents)
        return m->agents[idx];
    return NULL;
}

klocal_mtask *klocal_master_task(klocal_fw *fw, const char *task_id)
{
    for (klocal_mtask *t = fw->tasks; t; t = t->next)
        if (strcmp(t->id, task_id) == 0)
            return t;
    return NULL;
}

int klocal_master_terminal(int state)
{
    return state == MESOS__V1__TASK_STATE__TASK_FINISHED ||
           state == MESOS__V1__TASK_STATE__TASK_FAILED ||
           state == MESOS__V1__TASK_STATE__TASK_KILLED ||
           state == MESOS__V1__TASK_STATE__TASK_ERROR ||
           state == MESOS__V1__TASK_STATE__TASK_LOST ||
           state == MESOS__V1__TASK_STATE__TASK_DROPPED ||
           state == MESOS__V1__TASK_STATE__TASK_GONE ||
           state == MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR;
}

int klocal_master_partition_aware(const klocal_fw *fw)
{
    for (size_t i = 0; i < fw->info->n_capabilities; i++)
        if (fw->info->capabilities[i]->type ==
            MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE)
            return 1;
    return 0;
}

/* ------------------------------------------------------------ events */

void klocal_master_send(klocal_fw *fw, const ProtobufCMessage *event)
{
    if (fw->stream && fw->connected)
        klocal_wire_send(fw->stream, event, fw->ct);
}

void klocal_master_send_status(klocal_fw *fw, const char *task_id, const char *agent_id,
                               int state, int reason, const char *message)
{
    KLOCAL_SCHED_EVENT(ev, UPDATE);
    ev->update = klocal_util_pb_new(&mesos__v1__scheduler__event__update__descriptor);
    Mesos__V1__TaskStatus *st = klocal_util_pb_new(&mesos__v1__task_status__descriptor);
    ev->update->status = st;
    st->task_id = KLOCAL_ID(TaskID, task_id, task_id);
    st->state = state;
    st->message = message ? klocal_util_xstrdup(message) : NULL;
    st->has_source = 1;
    st->source = MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER;
    if (reason >= 0) {
        st->has_reason = 1;
        st->reason = reason;
    }
    if (agent_id)
        st->agent_id = KLOCAL_ID(AgentID, agent_id, agent_id);
    st->has_timestamp = 1;
    st->timestamp = klocal_util_now();
    klocal_master_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

static void master_send_error(kmesos_httpd_stream *s, kmesos_content_type ct, const char *msg)
{
    KLOCAL_SCHED_EVENT(ev, ERROR);
    ev->error = klocal_util_pb_new(&mesos__v1__scheduler__event__error__descriptor);
    ev->error->message = klocal_util_xstrdup(msg);
    klocal_wire_send(s, &ev->base, ct);
    kmesos_pb_free(ev);
}

/* ------------------------------------------------------ task records */

void klocal_master_release_task(klocal_mtask *t)
{
    if (t->released)
        return;
    t->released = 1;
    klocal_res_subtract(&t->agent->used, &t->res);
}

static void master_task_free(klocal_mtask *t)
{
    free(t->id);
    free(t->name);
    free(t->executor_id);
    klocal_res_free(&t->res);
    kmesos_pb_free(t->last);
    json_decref(t->statuses);
    free(t);
}

static void master_trim_completed(klocal_fw *fw)
{
    size_t n = 0;
    for (klocal_mtask **pp = &fw->completed; *pp;) {
        if (++n > MASTER_MAX_COMPLETED_TASKS) {
            klocal_mtask *t = *pp;
            *pp = t->next;
            master_task_free(t);
        } else {
            pp = &(*pp)->next;
        }
    }
}

void klocal_master_complete_task(klocal_fw *fw, klocal_mtask *t)
{
    for (klocal_mtask **pp = &fw->tasks; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    klocal_master_release_task(t);
    t->next = fw->completed;
    fw->completed = t;
    master_trim_completed(fw);
}

static void master_task_record(klocal_mtask *t, const Mesos__V1__TaskStatus *st)
{
    t->state = st->state;
    kmesos_pb_free(t->last);
    t->last = klocal_util_pb_dup(st);
    json_array_append_new(t->statuses,
                          json_pack("{s:s, s:f}", "state", kmesos_task_state_name(st->state),
                                    "timestamp", st->has_timestamp ? st->timestamp
                                                                   : klocal_util_now()));
    if (klocal_master_terminal(st->state))
        klocal_master_release_task(t);
}

/* --------------------------------------------------- agent reporting */

static void master_on_update(void *arg, klocal_agent *a, const char *fw_id,
                             const Mesos__V1__TaskStatus *st)
{
    klocal_master *m = arg;
    klocal_fw *fw = klocal_master_fw(m, fw_id);
    (void)a;
    if (!fw)
        return;
    klocal_mtask *t = klocal_master_task(fw, st->task_id->value);
    if (t)
        master_task_record(t, st);
    if (!fw->connected)
        return; /* the agent resends it later */
    KLOCAL_SCHED_EVENT(ev, UPDATE);
    ev->update = klocal_util_pb_new(&mesos__v1__scheduler__event__update__descriptor);
    ev->update->status = klocal_util_pb_dup(st);
    klocal_master_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

static void master_on_task_done(void *arg, klocal_agent *a, const char *fw_id,
                                const char *task_id)
{
    klocal_master *m = arg;
    klocal_fw *fw = klocal_master_fw(m, fw_id);
    (void)a;
    klocal_mtask *t = fw ? klocal_master_task(fw, task_id) : NULL;
    if (t)
        klocal_master_complete_task(fw, t);
}

static void master_on_message(void *arg, klocal_agent *a, const char *fw_id,
                              const char *exec_id, const uint8_t *data, size_t len)
{
    klocal_fw *fw = klocal_master_fw(arg, fw_id);
    if (!fw)
        return;
    KLOCAL_SCHED_EVENT(ev, MESSAGE);
    ev->message = klocal_util_pb_new(&mesos__v1__scheduler__event__message__descriptor);
    ev->message->agent_id = KLOCAL_ID(AgentID, agent_id, klocal_agent_id(a));
    ev->message->executor_id = KLOCAL_ID(ExecutorID, executor_id, exec_id);
    ev->message->data = klocal_util_pb_bytes(data, len);
    klocal_master_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

static void master_on_executor_exit(void *arg, klocal_agent *a, const char *fw_id,
                                    const char *exec_id, int status)
{
    klocal_master *m = arg;
    klocal_fw *fw = klocal_master_fw(m, fw_id);
    if (!fw)
        return;
    for (klocal_mexec **pp = &fw->execs; *pp; pp = &(*pp)->next) {
        klocal_mexec *x = *pp;
        if (x->agent->agent == a && strcmp(x->id, exec_id) == 0) {
            klocal_res_subtract(&x->agent->used, &x->res);
            *pp = x->next;
            free(x->id);
            klocal_res_free(&x->res);
            free(x);
            break;
        }
    }
    KLOCAL_SCHED_EVENT(ev, FAILURE);
    ev->failure = klocal_util_pb_new(&mesos__v1__scheduler__event__failure__descriptor);
    ev->failure->agent_id = KLOCAL_ID(AgentID, agent_id, klocal_agent_id(a));
    ev->failure->executor_id = KLOCAL_ID(ExecutorID, executor_id, exec_id);
    ev->failure->has_status = 1;
    ev->failure->status = status;
    klocal_master_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

static void master_on_reregistered(void *arg, klocal_agent *a)
{
    klocal_master *m = arg;
    for (size_t i = 0; i < m->nagents; i++)
        if (m->agents[i]->agent == a && !m->agents[i]->removed) {
            m->agents[i]->down = 0;
            KLOG_INFO("master", "agent %s re-registered after its restart", klocal_agent_id(a));
            klocal_alloc_run(m);
        }
}

/* ------------------------------------------------------------ agents */

klocal_magent *klocal_master_add_agent(klocal_master *m, const klocal_magent *like, char *err,
                                       size_t errlen)
{
    const klocal_config *c = m->cfg;
    size_t i = m->nagents;
    const klocal_agent_spec *s = c->specs && i < c->nspecs ? &c->specs[i] : NULL;
    klocal_magent tmpl = {
        .hostname = s && s->hostname ? s->hostname : c->hostname,
        .resources = s && s->resources ? s->resources : c->agent_resources,
        .attributes = s && s->attributes ? s->attributes : c->agent_attributes,
        .alt_index = i,
    };
    if (like)
        tmpl = (klocal_magent){.hostname = like->hostname, .resources = like->resources,
                               .attributes = like->attributes, .alt_index = like->alt_index};
    char *id = klocal_util_xasprintf("%s-S%zu", m->id, i);
    klocal_agent_params p = {
        .index = i, .id = id, .ip = c->ip, .work_dir = m->work_dir,
        .hostname = tmpl.hostname, .resources = tmpl.resources,
        .attributes = tmpl.attributes, .alt_index = tmpl.alt_index,
        .port = c->agent_port ? c->agent_port + (int)i : 0,
        .master_hostname = c->hostname, .update_retry = c->update_retry,
        .executor_grace = c->executor_grace, .kill_grace = c->kill_grace,
    };
    klocal_agent_events ev = {
        .on_update = master_on_update, .on_task_done = master_on_task_done,
        .on_message = master_on_message, .on_executor_exit = master_on_executor_exit,
        .on_reregistered = master_on_reregistered, .arg = m,
    };
    klocal_agent *a = klocal_agent_start(m->loop, &p, &ev, err, errlen);
    free(id);
    if (!a)
        return NULL;
    klocal_magent *ma = klocal_util_xcalloc(1, sizeof *ma);
    *ma = tmpl;
    ma->agent = a;
    ma->registered_time = klocal_util_now();
    klocal_res_init(&ma->used);
    klocal_res_init(&ma->offered);
    m->agents = klocal_util_xrealloc(m->agents, (m->nagents + 1) * sizeof *m->agents);
    m->agents[m->nagents++] = ma;
    return ma;
}

static void master_lose_tasks(klocal_master *m, klocal_magent *ma)
{
    int64_t now_ns = (int64_t)(klocal_util_now() * 1e9);
    for (klocal_fw *fw = m->fws; fw; fw = fw->next) {
        int pa = klocal_master_partition_aware(fw);
        klocal_mtask *t = fw->tasks;
        while (t) {
            klocal_mtask *next = t->next;
            if (t->agent == ma && !klocal_master_terminal(t->state)) {
                Mesos__V1__TaskStatus *st = klocal_util_pb_new(&mesos__v1__task_status__descriptor);
                st->task_id = KLOCAL_ID(TaskID, task_id, t->id);
                st->state = pa ? MESOS__V1__TASK_STATE__TASK_UNREACHABLE
                               : MESOS__V1__TASK_STATE__TASK_LOST;
                st->message = klocal_util_xstrdup("health check timed out");
                st->agent_id = KLOCAL_ID(AgentID, agent_id, klocal_agent_id(ma->agent));
                st->has_timestamp = 1;
                st->timestamp = klocal_util_now();
                st->has_source = 1;
                st->source = MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER;
                st->has_reason = 1;
                st->reason = MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REMOVED;
                st->unreachable_time = klocal_util_pb_new(&mesos__v1__time_info__descriptor);
                st->unreachable_time->nanoseconds = now_ns;
                master_task_record(t, st);
                KLOCAL_SCHED_EVENT(ev, UPDATE);
                ev->update = klocal_util_pb_new(&mesos__v1__scheduler__event__update__descriptor);
                ev->update->status = st;
                klocal_master_send(fw, &ev->base);
                kmesos_pb_free(ev);
                klocal_master_release_task(t);
                klocal_master_complete_task(fw, t);
            }
            t = next;
        }
    }
}

static void master_agent_failure(klocal_master *m, klocal_magent *ma)
{
    for (klocal_fw *fw = m->fws; fw; fw = fw->next) {
        KLOCAL_SCHED_EVENT(ev, FAILURE);
        ev->failure = klocal_util_pb_new(&mesos__v1__scheduler__event__failure__descriptor);
        ev->failure->agent_id = KLOCAL_ID(AgentID, agent_id, klocal_agent_id(ma->agent));
        klocal_master_send(fw, &ev->base);
        kmesos_pb_free(ev);
    }
}

typedef struct master_removal {
    uv_timer_t timer;
    struct master_removal *next;
    klocal_master *m;
    klocal_magent *ma;
} master_removal;

static void master_removal_closed(uv_handle_t *h) { free(h->data); }

static void master_removal_end(master_removal *r)
{
    for (master_removal **pp = &r->m->removals; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    uv_close((uv_handle_t *)&r->timer, master_removal_closed);
}

static void master_removal_fire(uv_timer_t *t)
{
    master_removal *r = t->data;
    master_lose_tasks(r->m, r->ma);
    master_agent_failure(r->m, r->ma);
    master_removal_end(r);
}

int klocal_master_restart_agent(klocal_master *m, klocal_magent *ma, double down,
                                double recovery, char *err, size_t errlen)
{
    if (ma->removed) {
        snprintf(err, errlen, "Agent is removed");
        return -1;
    }
    if (klocal_agent_restart(ma->agent, down, recovery, err, errlen) != 0)
        return -1;
    ma->down = 1;
    KLOG_INFO("master", "agent %s restarting: offers rescinded until it is back",
              klocal_agent_id(ma->agent));
    klocal_alloc_remove_offers(m, NULL, ma, 1);
    return 0;
}

void klocal_master_remove_agent(klocal_master *m, klocal_magent *ma)
{
    if (ma->removed)
        return;
    ma->removed = 1;
    KLOG_INFO("master", "removing agent %s", klocal_agent_id(ma->agent));
    klocal_alloc_remove_offers(m, NULL, ma, 1);
    klocal_agent_stop(ma->agent);
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        for (klocal_mexec **pp = &fw->execs; *pp;) {
            klocal_mexec *x = *pp;
            if (x->agent == ma) {
                *pp = x->next;
                free(x->id);
                klocal_res_free(&x->res);
                free(x);
            } else {
                pp = &x->next;
            }
        }
    master_removal *r = klocal_util_xcalloc(1, sizeof *r);
    r->m = m;
    r->ma = ma;
    uv_timer_init(m->loop, &r->timer);
    r->timer.data = r;
    r->next = m->removals;
    m->removals = r;
    uv_timer_start(&r->timer, master_removal_fire,
                   (uint64_t)(m->cfg->agent_removal_delay * 1000.0), 0);
}

/* -------------------------------------------------- framework timers */

static void master_fw_closed(uv_handle_t *h)
{
    klocal_fw *fw = h->data;
    if (--fw->open_handles)
        return;
    while (fw->tasks) {
        klocal_mtask *t = fw->tasks;
        fw->tasks = t->next;
        master_task_free(t);
    }
    while (fw->completed) {
        klocal_mtask *t = fw->completed;
        fw->completed = t->next;
        master_task_free(t);
    }
    while (fw->execs) {
        klocal_mexec *x = fw->execs;
        fw->execs = x->next;
        free(x->id);
        klocal_res_free(&x->res);
        free(x);
    }
    klocal_alloc_free_filters(fw);
    kmesos_pb_free(fw->info);
    free(fw->id);
    free(fw);
}

static void master_fw_free(klocal_fw *fw)
{
    uv_close((uv_handle_t *)&fw->heartbeat, master_fw_closed);
    uv_close((uv_handle_t *)&fw->failover, master_fw_closed);
}

static void master_on_heartbeat(uv_timer_t *t)
{
    klocal_fw *fw = t->data;
    if (uv_now(fw->m->loop) < fw->m->hb_stall_until)
        return;
    KLOCAL_SCHED_EVENT(ev, HEARTBEAT);
    klocal_master_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

static void master_on_failover(uv_timer_t *t)
{
    klocal_fw *fw = t->data;
    KLOG_INFO("master", "framework %s did not come back within its failover timeout", fw->id);
    klocal_master_remove_fw(fw);
}

static klocal_fw *master_fw_new(klocal_master *m, const char *id)
{
    klocal_fw *fw = klocal_util_xcalloc(1, sizeof *fw);
    fw->m = m;
    fw->id = id ? klocal_util_xstrdup(id)
                : klocal_util_xasprintf("%s-%04llu", m->id, (unsigned long long)m->next_fw++);
    uv_timer_init(m->loop, &fw->heartbeat);
    uv_timer_init(m->loop, &fw->failover);
    fw->heartbeat.data = fw;
    fw->failover.data = fw;
    fw->open_handles = 2;
    fw->next = m->fws;
    m->fws = fw;
    return fw;
}

/* ----------------------------------------------- framework life cycle */

static void master_fw_disconnected(klocal_fw *fw)
{
    klocal_master *m = fw->m;
    fw->stream = NULL;
    fw->connected = 0;
    fw->unregistered_time = klocal_util_now();
    uv_timer_stop(&fw->heartbeat);
    klocal_alloc_remove_offers(m, fw, NULL, 0);
    double timeout = fw->info->failover_timeout;
    KLOG_INFO("master", "framework %s disconnected; failover timeout %gs", fw->id, timeout);
    if (timeout <= 0) {
        klocal_master_remove_fw(fw);
        return;
    }
    if (timeout > 1e9)
        timeout = 1e9;
    uv_timer_start(&fw->failover, master_on_failover, (uint64_t)(timeout * 1000.0), 0);
}

static void master_stream_closed(void *arg, kmesos_httpd_stream *s)
{
    klocal_fw *fw = arg;
    if (fw->stream == s)
        master_fw_disconnected(fw);
}

void klocal_master_cut_stream(klocal_fw *fw)
{
    if (!fw->stream)
        return;
    kmesos_httpd_stream_abort(fw->stream);
    master_fw_disconnected(fw);
}

void klocal_master_remove_fw(klocal_fw *fw)
{
    klocal_master *m = fw->m;
    if (fw->removed)
        return;
    KLOG_INFO("master", "removing framework %s", fw->id);
    fw->removed = 1;
    if (fw->stream)
        kmesos_httpd_stream_close(fw->stream);
    fw->stream = NULL;
    fw->connected = 0;
    uv_timer_stop(&fw->heartbeat);
    uv_timer_stop(&fw->failover);
    klocal_alloc_remove_offers(m, fw, NULL, 0);
    for (size_t i = 0; i < m->nagents; i++)
        if (!m->agents[i]->removed)
            klocal_agent_shutdown_framework(m->agents[i]->agent, fw->id);
    while (fw->tasks) {
        klocal_mtask *t = fw->tasks;
        if (!klocal_master_terminal(t->state))
            t->state = MESOS__V1__TASK_STATE__TASK_KILLED;
        klocal_master_complete_task(fw, t);
    }
    for (klocal_mexec *x = fw->execs; x; x = x->next)
        klocal_res_subtract(&x->agent->used, &x->res);
    fw->unregistered_time = klocal_util_now();
    for (klocal_fw **pp = &m->fws; *pp; pp = &(*pp)->next)
        if (*pp == fw) {
            *pp = fw->next;
            break;
        }
    fw->next = m->gone_fws;
    m->gone_fws = fw;
}

static void master_send_subscribed(klocal_fw *fw)
{
    klocal_master *m = fw->m;
    KLOCAL_SCHED_EVENT(ev, SUBSCRIBED);
    Mesos__V1__Scheduler__Event__Subscribed *s =
        klocal_util_pb_new(&mesos__v1__scheduler__event__subscribed__descriptor);
    ev->subscribed = s;
    s->framework_id = KLOCAL_ID(FrameworkID, framework_id, fw->id);
    s->has_heartbeat_interval_seconds = 1;
    s->heartbeat_interval_seconds = m->cfg->heartbeat_interval;
    Mesos__V1__MasterInfo *mi = klocal_util_pb_new(&mesos__v1__master_info__descriptor);
    s->master_info = mi;
    mi->id = klocal_util_xstrdup(m->id);
    struct in_addr addr;
    mi->ip = inet_pton(AF_INET, m->ip, &addr) == 1 ? addr.s_addr : 0;
    mi->port = (uint32_t)m->port;
    mi->pid = klocal_util_xstrdup(m->pid);
    mi->hostname = klocal_util_xstrdup(m->hostname);
    mi->version = klocal_util_xstrdup("1.12.0");
    mi->address = klocal_util_pb_new(&mesos__v1__address__descriptor);
    mi->address->hostname = klocal_util_xstrdup(m->hostname);
    mi->address->ip = klocal_util_xstrdup(m->ip);
    mi->address->port = m->port;
    static const int caps[] = {MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__AGENT_UPDATE,
                               MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__AGENT_DRAINING,
                               MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__QUOTA_V2};
    mi->n_capabilities = 3;
    mi->capabilities = klocal_util_xcalloc(3, sizeof *mi->capabilities);
    for (size_t i = 0; i < 3; i++) {
        mi->capabilities[i] = klocal_util_pb_new(&mesos__v1__master_info__capability__descriptor);
        mi->capabilities[i]->has_type = 1;
        mi->capabilities[i]->type = caps[i];
    }
    klocal_master_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

static void master_subscribe_removed(kmesos_httpd_req *req, kmesos_content_type ct)
{
    char sid[37];
    klocal_util_uuid_string(sid);
    const char *hdrs[] = {"Mesos-Stream-Id", sid, NULL};
    kmesos_httpd_stream *s =
        kmesos_httpd_stream_open(req, 200, kmesos_content_type_name(ct), hdrs, NULL, NULL);
    if (!s)
        return;
    master_send_error(s, ct, "Framework has been removed");
    kmesos_httpd_stream_close(s);
}

static void master_subscribe(klocal_master *m, kmesos_httpd_req *req,
                             const Mesos__V1__Scheduler__Call *c, kmesos_content_type ct)
{
    const Mesos__V1__FrameworkInfo *info = c->subscribe->framework_info;
    const char *want = info->id ? info->id->value : NULL;
    if (want && master_gone_fw(m, want)) {
        master_subscribe_removed(req, ct);
        return;
    }
    klocal_fw *fw = want ? klocal_master_fw(m, want) : NULL;
    if (!fw)
        fw = master_fw_new(m, want);
    else if (fw->stream) {
        master_send_error(fw->stream, fw->ct, "Framework failed over");
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
            klocal_master_remove_fw(fw);
        return;
    }
    kmesos_pb_free(fw->info);
    fw->info = klocal_util_pb_dup(info);
    if (!fw->info->id)
        fw->info->id = KLOCAL_ID(FrameworkID, framework_id, fw->id);
    fw->stream = s;
    fw->ct = ct;
    memcpy(fw->stream_id, sid, sizeof sid);
    fw->connected = 1;
    fw->suppressed = 0;
    fw->registered_time = klocal_util_now();
    uv_timer_stop(&fw->failover);
    KLOG_INFO("master", "framework %s (%s) subscribed, stream %s", fw->id, info->name, sid);
    master_send_subscribed(fw);
    master_on_heartbeat(&fw->heartbeat);
    uint64_t hb = (uint64_t)(m->cfg->heartbeat_interval * 1000.0);
    uv_timer_start(&fw->heartbeat, master_on_heartbeat, hb, hb);
    for (size_t i = 0; i < m->nagents; i++)
        if (!m->agents[i]->removed)
            klocal_agent_framework_resubscribed(m->agents[i]->agent, fw->id);
    klocal_alloc_run(m);
}

/* ---------------------------------------------------- scheduler API */

static int master_redirect(klocal_master *m, kmesos_httpd_req *req, const char *path)
{
    if (!m->redirect_to)
        return 0;
    char *loc = klocal_util_xasprintf("//%s%s", m->redirect_to, path);
    const char *hdrs[] = {"Location", loc, NULL};
    kmesos_httpd_reply(req, 307, NULL, NULL, 0, hdrs);
    free(loc);
    return 1;
}

/* 0 and the principal (NULL without authentication), or -1 after a 401. */
static int master_authenticate(klocal_master *m, kmesos_httpd_req *req, const char **principal)
{
    *principal = NULL;
    if (!m->cfg->ncreds)
        return 0;
    char *user = NULL, *pass = NULL;
    if (kmesos_httpd_basic_auth(req, &user, &pass) == 0)
        for (size_t i = 0; i < m->cfg->ncreds; i++)
            if (strcmp(m->cfg->creds[i].principal, user) == 0 &&
                strcmp(m->cfg->creds[i].secret, pass) == 0)
                *principal = m->cfg->creds[i].principal;
    free(user);
    free(pass);
    if (*principal)
        return 0;
    static const char *const hdrs[] = {"WWW-Authenticate",
                                       "Basic realm=\"mesos-master-scheduler\"", NULL};
    kmesos_httpd_reply_text(req, 401, "401 Unauthorized.", hdrs);
    return -1;
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

static void master_call(klocal_master *m, kmesos_httpd_req *req,
                        const Mesos__V1__Scheduler__Call *c, const char *principal)
{
    klocal_fw *fw = klocal_master_fw(m, c->framework_id->value);
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
        klocal_mcall_handle(fw, c);
    }
}

static void master_scheduler_api(klocal_master *m, kmesos_httpd_req *req)
{
    const char *principal;
    if (master_redirect(m, req, "/master/api/v1/scheduler") ||
        master_authenticate(m, req, &principal) != 0 || klocal_wire_require_post(req) != 0)
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
    else if (c->type != MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE)
        master_call(m, req, c, principal);
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

static void master_on_request(void *arg, kmesos_httpd_req *req)
{
    klocal_master *m = arg;
    const char *url = kmesos_httpd_url(req);
    if (klocal_control_handle(m, req))
        return;
    if (strcmp(url, "/api/v1/scheduler") == 0 || strcmp(url, "/master/api/v1/scheduler") == 0) {
        master_scheduler_api(m, req);
    } else if (strcmp(url, "/redirect") == 0 || strcmp(url, "/master/redirect") == 0) {
        if (!master_redirect(m, req, "")) {
            char *loc = klocal_util_xasprintf("//%s:%d", m->hostname, m->port);
            const char *hdrs[] = {"Location", loc, NULL};
            kmesos_httpd_reply(req, 307, NULL, NULL, 0, hdrs);
            free(loc);
        }
    } else if (strcmp(url, "/state") == 0 || strcmp(url, "/master/state") == 0 ||
               strcmp(url, "/state.json") == 0 || strcmp(url, "/master/state.json") == 0) {
        json_t *j = klocal_mstate_json(m);
        klocal_wire_reply_json(req, j);
        json_decref(j);
    } else if (strcmp(url, "/health") == 0 || strcmp(url, "/master/health") == 0) {
        kmesos_httpd_reply(req, 200, NULL, NULL, 0, NULL);
    } else {
        kmesos_httpd_reply(req, 404, NULL, NULL, 0, NULL);
    }
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
    kmesos_httpd_config hc = {.ip = cfg->ip, .port = cfg->port, .max_body = 16u << 20,
                              .on_request = master_on_request, .arg = m};
    if (kmesos_httpd_start(loop, &hc, &m->http, err, errlen) != 0) {
        free(m->redirect_to);
        free(m->work_dir);
        free(m);
        return NULL;
    }
    m->port = kmesos_httpd_port(m->http);
    m->pid = klocal_util_xasprintf("master@%s:%d", m->ip, m->port);
    uv_timer_init(loop, &m->alloc_timer);
    m->alloc_timer.data = m;
    m->open_handles = 1;
    size_t n = cfg->specs ? cfg->nspecs : cfg->agents;
    for (size_t i = 0; i < n; i++)
        if (!klocal_master_add_agent(m, NULL, err, errlen)) {
            klocal_master_stop(m);
            return m; /* caller sees m->stopped via busy/free */
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
    klocal_alloc_stop(m);
    while (m->removals)
        master_removal_end(m->removals);
    while (m->fws)
        klocal_master_remove_fw(m->fws);
    for (size_t i = 0; i < m->nagents; i++)
        klocal_agent_stop(m->agents[i]->agent);
    kmesos_httpd_stop(m->http);
    m->http = NULL;
    for (klocal_fw *fw = m->gone_fws; fw; fw = fw->next)
        fw->stream = NULL;
    uv_close((uv_handle_t *)&m->alloc_timer, master_handle_closed);
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
    while (m->gone_fws) {
        klocal_fw *fw = m->gone_fws;
        m->gone_fws = fw->next;
        master_fw_free(fw);
    }
    for (size_t i = 0; i < m->nagents; i++) {
        klocal_agent_free(m->agents[i]->agent);
        klocal_res_free(&m->agents[i]->used);
        klocal_res_free(&m->agents[i]->offered);
        free(m->agents[i]);
    }
    free(m->agents);
    free(m->pid);
    free(m->redirect_to);
    free(m->work_dir);
    free(m);
}
