/* life: the life cycles of frameworks and agents in the simulated master.
 * A framework is made on its first SUBSCRIBE, gets SUBSCRIBED and a
 * HEARTBEAT every heartbeat interval while its stream is open, and when
 * the stream goes away keeps its tasks for its failover_timeout (0: it is
 * removed at once); re-subscribing with its id takes them back. A removed
 * framework (TEARDOWN, failover timeout) has its offers dropped, its
 * executors shut down and its tasks killed, and stays on a "gone" list so
 * that the state endpoint still shows it and a re-subscription is told it
 * was removed. Agents are started here (from the flags, the agent file or
 * like another agent) and report back through klocal_agent_events:
 * updates are recorded and forwarded as UPDATE, executor messages as
 * MESSAGE, executor exits as FAILURE. A removed agent ("agent loss")
 * stops at once; after --agent-removal-delay it is marked unreachable
 * (partition.c: its live tasks become TASK_LOST, TASK_UNREACHABLE for
 * partition-aware frameworks, and every framework gets a FAILURE), as a
 * real master reports a lost agent. A restarting agent only stops being
 * offered until it re-registers; a partitioned one is not told of a
 * framework's removal until it is back. The module sits above the book
 * (mbook.c), the events (mevent.c), the allocator (alloc.c) and the
 * partitions (partition.c), and below the calls (mcall.c), the control
 * endpoints (control.c) and the HTTP face (master.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/log.h"
#include "local/master/internal.h"
#include "local/util.h"

/* --------------------------------------------------- agent reporting */

/* 1 when the master does not know agent a (restarted, mrestart.c). */
static int life_agent_unknown(klocal_master *m, const klocal_agent *a)
{
    klocal_magent *ma = klocal_mbook_of(m, a);
    return ma && ma->unknown;
}

/* The record an agent's update is about: a live task, or one left on the
 * unreachable list by a re-registered agent (its executor ended during
 * the partition, so the agent did not report it), which is live again. */
static klocal_mtask *life_task_of_update(klocal_fw *fw, const klocal_agent *a, const char *id)
{
    klocal_mtask *t = klocal_mbook_task(fw, id);
    if (t)
        return t;
    t = klocal_mbook_unreachable_task(fw, id);
    if (!t || t->agent->agent != a || t->agent->unreachable)
        return NULL;
    klocal_mbook_set_reachable(fw, t);
    return t;
}

static void life_on_update(void *arg, klocal_agent *a, const char *fw_id,
                           const Mesos__V1__TaskStatus *st)
{
    klocal_fw *fw = klocal_mbook_fw(arg, fw_id);
    if (!fw || life_agent_unknown(arg, a))
        return; /* the agent resends it later */
    klocal_mtask *t = life_task_of_update(fw, a, st->task_id->value);
    if (t)
        klocal_mbook_record(t, st);
    if (!fw->connected)
        return; /* the agent resends it later */
    klocal_mevent_update(fw, klocal_util_pb_dup(st));
}

static void life_on_task_done(void *arg, klocal_agent *a, const char *fw_id,
                              const char *task_id)
{
    klocal_fw *fw = klocal_mbook_fw(arg, fw_id);
    (void)a;
    klocal_mtask *t = fw ? klocal_mbook_task(fw, task_id) : NULL;
    if (t)
        klocal_mbook_complete(fw, t);
}

static void life_on_message(void *arg, klocal_agent *a, const char *fw_id, const char *exec_id,
                            const uint8_t *data, size_t len)
{
    klocal_fw *fw = klocal_mbook_fw(arg, fw_id);
    if (fw && !life_agent_unknown(arg, a))
        klocal_mevent_message(fw, klocal_agent_id(a), exec_id, data, len);
}

static void life_on_executor_exit(void *arg, klocal_agent *a, const char *fw_id,
                                  const char *exec_id, int status)
{
    klocal_master *m = arg;
    klocal_fw *fw = klocal_mbook_fw(m, fw_id);
    if (!fw || life_agent_unknown(m, a))
        return; /* a master that does not know the agent hears nothing */
    klocal_magent *ma = klocal_mbook_of(m, a);
    if (ma)
        klocal_mbook_exec_exited(fw, ma, exec_id);
    klocal_mevent_failure(fw, klocal_agent_id(a), exec_id, status);
}

static void life_on_reregistered(void *arg, klocal_agent *a)
{
    klocal_master *m = arg;
    klocal_magent *ma = klocal_mbook_of(m, a);
    if (ma && !ma->removed) {
        ma->down = 0;
        KLOG_INFO("master", "agent %s re-registered after its restart", klocal_agent_id(a));
        klocal_alloc_run(m);
    }
}

/* ------------------------------------------------------------ agents */

/* What agent number i is made from: its --agent-config entry or the
 * flags, or (like != NULL) what agent like was made from. */
static klocal_magent life_agent_template(const klocal_master *m, size_t i,
                                         const klocal_magent *like)
{
    const klocal_config *c = m->cfg;
    const klocal_agent_spec *s = c->specs && i < c->nspecs ? &c->specs[i] : NULL;
    int own = c->agent_port && i < c->agent_listeners; /* beyond: the shared port */
    int port = s && s->port ? s->port : own ? c->agent_port + (int)i : 0;
    if (like)
        return (klocal_magent){.hostname = like->hostname, .resources = like->resources,
                               .attributes = like->attributes, .work_dir = like->work_dir,
                               .port = own ? c->agent_port + (int)i : 0,
                               .alt_index = like->alt_index};
    return (klocal_magent){
        .hostname = s && s->hostname ? s->hostname : c->hostname,
        .resources = s && s->resources ? s->resources : c->agent_resources,
        .attributes = s && s->attributes ? s->attributes : c->agent_attributes,
        .work_dir = s && s->work_dir ? s->work_dir : m->work_dir,
        .port = port, .alt_index = i,
    };
}

klocal_magent *klocal_life_add_agent(klocal_master *m, const klocal_magent *like, char *err,
                                     size_t errlen)
{
    const klocal_config *c = m->cfg;
    size_t i = m->nagents;
    klocal_magent tmpl = life_agent_template(m, i, like);
    char *id = klocal_util_xasprintf("%s-S%zu", m->id, i);
    klocal_agent_params p = {
        .index = i, .id = id, .ip = c->ip, .work_dir = tmpl.work_dir,
        .hostname = tmpl.hostname, .resources = tmpl.resources,
        .attributes = tmpl.attributes, .alt_index = tmpl.alt_index, .port = tmpl.port,
        .master_hostname = c->hostname, .update_retry = c->update_retry,
        .executor_grace = c->executor_grace, .kill_grace = c->kill_grace,
        .reregistration = c->reregistration, .recovery_timeout = c->recovery_timeout,
        .hub = m->hub, .shared = !tmpl.port && i >= c->agent_listeners,
        .creds = c->creds, .ncreds = c->ncreds,
    };
    klocal_agent_events ev = {
        .on_update = life_on_update, .on_task_done = life_on_task_done,
        .on_message = life_on_message, .on_executor_exit = life_on_executor_exit,
        .on_reregistered = life_on_reregistered, .arg = m,
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
    klocal_mbook_add_agent(m, ma);
    return ma;
}

typedef struct life_removal {
    uv_timer_t timer;
    struct life_removal *next;
    klocal_master *m;
    klocal_magent *ma;
} life_removal;

static void life_removal_closed(uv_handle_t *h) { free(h->data); }

static void life_removal_end(life_removal *r)
{
    for (life_removal **pp = &r->m->removals; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    uv_close((uv_handle_t *)&r->timer, life_removal_closed);
}

void klocal_life_end_removals(klocal_master *m)
{
    while (m->removals)
        life_removal_end(m->removals);
    for (size_t i = 0; i < m->nagents; i++)
        klocal_partition_forget(m->agents[i]);
}

static void life_removal_fire(uv_timer_t *t)
{
    life_removal *r = t->data;
    klocal_partition_mark_unreachable(r->m, r->ma, "health check timed out");
    life_removal_end(r);
}

int klocal_life_restart_agent(klocal_master *m, klocal_magent *ma, double down, double recovery,
                              char *err, size_t errlen)
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

void klocal_life_remove_agent(klocal_master *m, klocal_magent *ma)
{
    if (ma->removed)
        return;
    ma->removed = 1;
    klocal_partition_forget(ma);
    KLOG_INFO("master", "removing agent %s", klocal_agent_id(ma->agent));
    klocal_alloc_remove_offers(m, NULL, ma, 1);
    klocal_agent_stop(ma->agent);
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        klocal_mbook_forget_execs(fw, ma);
    life_removal *r = klocal_util_xcalloc(1, sizeof *r);
    r->m = m;
    r->ma = ma;
    uv_timer_init(m->loop, &r->timer);
    r->timer.data = r;
    r->next = m->removals;
    m->removals = r;
    uv_timer_start(&r->timer, life_removal_fire,
                   kmesos_num_ms(m->cfg->agent_removal_delay), 0);
}

/* -------------------------------------------------- framework timers */

static void life_fw_closed(uv_handle_t *h)
{
    klocal_fw *fw = h->data;
    if (--fw->open_handles)
        return;
    klocal_mbook_free_records(fw);
    klocal_alloc_free_filters(fw);
    kmesos_pb_free(fw->info);
    free(fw->id);
    free(fw);
}

void klocal_life_fw_free(klocal_fw *fw)
{
    uv_close((uv_handle_t *)&fw->heartbeat, life_fw_closed);
    uv_close((uv_handle_t *)&fw->failover, life_fw_closed);
}

static void life_on_heartbeat(uv_timer_t *t)
{
    klocal_fw *fw = t->data;
    if (uv_now(fw->m->loop) < fw->m->hb_stall_until)
        return;
    klocal_mevent_heartbeat(fw);
}

static void life_on_failover(uv_timer_t *t)
{
    klocal_fw *fw = t->data;
    KLOG_INFO("master", "framework %s did not come back within its failover timeout", fw->id);
    klocal_life_remove_fw(fw);
}

klocal_fw *klocal_life_fw_new(klocal_master *m, const char *id)
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

void klocal_life_fw_subscribed(klocal_fw *fw, kmesos_httpd_stream *s, kmesos_content_type ct,
                               const char *sid, const Mesos__V1__FrameworkInfo *info)
{
    klocal_master *m = fw->m;
    kmesos_pb_free(fw->info);
    fw->info = klocal_util_pb_dup(info);
    if (!fw->info->id)
        fw->info->id = KLOCAL_ID(FrameworkID, framework_id, fw->id);
    fw->stream = s;
    fw->ct = ct;
    snprintf(fw->stream_id, sizeof fw->stream_id, "%s", sid);
    fw->connected = 1;
    fw->suppressed = 0;
    fw->registered_time = klocal_util_now();
    uv_timer_stop(&fw->failover);
    KLOG_INFO("master", "framework %s (%s) subscribed, stream %s", fw->id, info->name, sid);
    klocal_mevent_subscribed(fw);
    life_on_heartbeat(&fw->heartbeat);
    uint64_t hb = kmesos_num_ms(m->cfg->heartbeat_interval);
    uv_timer_start(&fw->heartbeat, life_on_heartbeat, hb, hb);
    for (size_t i = 0; i < m->nagents; i++)
        if (!m->agents[i]->removed && !m->agents[i]->unknown)
            klocal_agent_framework_resubscribed(m->agents[i]->agent, fw->id);
    klocal_alloc_run(m);
}

void klocal_life_fw_disconnected(klocal_fw *fw)
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
        klocal_life_remove_fw(fw);
        return;
    }
    if (timeout > 1e9)
        timeout = 1e9;
    uv_timer_start(&fw->failover, life_on_failover, kmesos_num_ms(timeout), 0);
}

void klocal_life_cut_stream(klocal_fw *fw)
{
    if (!fw->stream)
        return;
    kmesos_httpd_stream_abort(fw->stream);
    klocal_life_fw_disconnected(fw);
}

void klocal_life_remove_fw(klocal_fw *fw)
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
    for (size_t i = 0; i < m->nagents; i++) /* a partitioned one: when it is back */
        if (!m->agents[i]->removed && !m->agents[i]->partitioned && !m->agents[i]->unknown)
            klocal_agent_shutdown_framework(m->agents[i]->agent, fw->id);
    while (fw->tasks) {
        klocal_mtask *t = fw->tasks;
        if (!kmesos_task_state_is_terminal(t->state))
            t->state = MESOS__V1__TASK_STATE__TASK_KILLED;
        klocal_mbook_complete(fw, t);
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
