/* mrestart: the master's own death and restart with an in-memory registry
 * (POST /local/master/restart), as a Mesos 1.12 master started with
 * --registry=in_memory behaves across a kill -9 and a restart. The master
 * dies: its HTTP server stops, which cuts every scheduler and operator
 * stream with a plain TCP close (no event, no final chunk) and refuses
 * connections; outstanding offers vanish without RESCIND; frameworks
 * (connected, disconnected and removed), their tasks, executors and
 * filters are forgotten, and every agent becomes unknown. The in-process
 * agents and their executors keep running; what they report meanwhile is
 * dropped, so their status update managers keep it and retry. After the
 * down time the master listens again on the same port under a new
 * MasterInfo id; a framework re-subscribing with its id gets it back at
 * once (master.c). Until an agent re-registers, its tasks are unknown
 * (explicit reconciliation answers TASK_LOST or TASK_UNKNOWN, mcall.c) and
 * it is never offered. After the re-registration delay each agent
 * re-registers under its old id (Master::_reregisterSlave): the master
 * learns its live tasks, recovers the frameworks it did not know (kept
 * for their failover timeout), sends each connected framework an UPDATE
 * with the task's state, REASON_AGENT_REREGISTERED, "Unknown agent
 * reregistered" and no uuid, lets the agent resend its pending updates
 * and offers it again. An agent that is down for its own restart then
 * re-registers one second later, after it is back. With --registry
 * replicated_log the agents are remembered ("recovered"): reconciling
 * their tasks is not answered until they re-register, and their
 * re-registration sends no update (the task is simply known again). */
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "local/master/internal.h"
#include "local/util.h"

/* How long the master lives on after answering the control request, so
 * that the answer reaches the client before the port closes. */
#define MRESTART_DYING_MS 100
/* Retry interval of a re-registration while the agent is itself down. */
#define MRESTART_RETRY_MS 1000

typedef enum { MRESTART_DYING, MRESTART_DOWN, MRESTART_REREGISTER } mrestart_phase;

typedef struct klocal_mrestart {
    uv_timer_t timer;
    klocal_master *m;
    mrestart_phase phase;
    double down, reregister; /* seconds, checked by the caller */
} klocal_mrestart;

/* --------------------------------------------------------- forgetting */

static void mrestart_forget_fw(klocal_fw *fw)
{
    fw->stream = NULL; /* already cut by the server's stop */
    fw->connected = 0;
    uv_timer_stop(&fw->heartbeat);
    uv_timer_stop(&fw->failover);
    klocal_life_fw_free(fw);
}

static void mrestart_forget_fws(klocal_fw **list)
{
    while (*list) {
        klocal_fw *fw = *list;
        *list = fw->next;
        mrestart_forget_fw(fw);
    }
}

void klocal_mrestart_forget(klocal_master *m)
{
    while (m->offers)
        klocal_alloc_remove_offer(m, m->offers, 0);
    klocal_life_end_removals(m);
    mrestart_forget_fws(&m->fws);
    mrestart_forget_fws(&m->gone_fws);
    for (size_t i = 0; i < m->nagents; i++) {
        klocal_magent *ma = m->agents[i];
        klocal_res_free(&ma->used);
        klocal_res_init(&ma->used);
        klocal_res_free(&ma->offered);
        klocal_res_init(&ma->offered);
        ma->unknown = !ma->removed;
        ma->recovered = ma->unknown && m->cfg->registry_log;
    }
    m->next_offer = 0;
    m->next_fw = 0;
    m->alloc_rr = 0;
}

static void mrestart_die(klocal_master *m)
{
    KLOG_INFO("master", "master %s killed: streams cut, registry (in memory) lost", m->id);
    kmesos_httpd_stop(m->http);
    m->http = NULL;
    klocal_mrestart_forget(m);
    klocal_util_uuid_string(m->id);
    m->start_time = klocal_util_now();
}

/* ------------------------------------------------- agent re-registration */

typedef struct mrestart_learn {
    klocal_master *m;
    klocal_magent *ma;
    int in_registry; /* the agent was recovered from the registry: no update */
    klocal_fw **recovered; /* frameworks recovered from this agent */
    size_t nrecovered;
} mrestart_learn;

/* The framework of a reported task: known, or recovered from the agent's
 * FrameworkInfo (Master::recoverFramework), or NULL when it was removed
 * since the restart (then the agent shuts it down). */
static klocal_fw *mrestart_framework(mrestart_learn *l, const Mesos__V1__FrameworkInfo *info)
{
    const char *id = info->id->value;
    if (klocal_mbook_gone_fw(l->m, id))
        return NULL;
    klocal_fw *fw = klocal_mbook_fw(l->m, id);
    if (fw)
        return fw;
    fw = klocal_life_fw_new(l->m, id);
    fw->info = klocal_util_pb_dup(info);
    l->recovered = klocal_util_xrealloc(l->recovered, (l->nrecovered + 1) * sizeof *l->recovered);
    l->recovered[l->nrecovered++] = fw;
    KLOG_INFO("master", "framework %s recovered from agent %s", id, klocal_agent_id(l->ma->agent));
    return fw;
}

static void mrestart_task_update(klocal_fw *fw, klocal_mtask *t, const char *agent_id)
{
    Mesos__V1__TaskStatus *st = klocal_mevent_new_status(
        t->id, agent_id, t->state, MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REREGISTERED,
        "Unknown agent reregistered");
    if (t->executor_id)
        st->executor_id = KLOCAL_ID(ExecutorID, executor_id, t->executor_id);
    klocal_mbook_record(t, st);
    if (fw->connected)
        klocal_mevent_update(fw, st);
    else {
        KLOG_INFO("master", "dropping the re-registration update of task %s for disconnected "
                  "framework %s", t->id, fw->id);
        kmesos_pb_free(st);
    }
}

static void mrestart_learn_task(void *arg, const Mesos__V1__FrameworkInfo *info,
                                const Mesos__V1__ExecutorInfo *exec,
                                const Mesos__V1__TaskInfo *ti, int state)
{
    mrestart_learn *l = arg;
    klocal_fw *fw = mrestart_framework(l, info);
    if (!fw || klocal_mbook_task(fw, ti->task_id->value))
        return;
    klocal_res need;
    klocal_res_init(&need);
    klocal_res_add_pb(&need, ti->resources, ti->n_resources);
    int new_exec = exec && !klocal_mbook_exec(fw, l->ma, exec->executor_id->value);
    if (new_exec)
        klocal_res_add_pb(&need, exec->resources, exec->n_resources);
    klocal_mbook_launch(fw, l->ma, ti, &need, new_exec);
    klocal_res_free(&need);
    klocal_mtask *t = klocal_mbook_task(fw, ti->task_id->value);
    t->state = state;
    if (!l->in_registry)
        mrestart_task_update(fw, t, klocal_agent_id(l->ma->agent));
}

/* Shuts down, on the agent, the frameworks removed since the restart
 * (Master::_reregisterSlave: completed frameworks). */
static void mrestart_shutdown_gone(klocal_master *m, klocal_magent *ma)
{
    for (klocal_fw *fw = m->gone_fws; fw; fw = fw->next)
        klocal_agent_shutdown_framework(ma->agent, fw->id);
}

static void mrestart_reregister_agent(klocal_master *m, klocal_magent *ma)
{
    mrestart_learn l = {.m = m, .ma = ma, .in_registry = ma->recovered};
    ma->unknown = 0;
    ma->recovered = 0;
    ma->registered_time = klocal_util_now();
    KLOG_INFO("master", "agent %s re-registered with master %s", klocal_agent_id(ma->agent),
              m->id);
    klocal_agent_each_task(ma->agent, mrestart_learn_task, &l);
    for (size_t i = 0; i < l.nrecovered; i++)
        klocal_life_fw_disconnected(l.recovered[i]); /* its failover timeout runs */
    free(l.recovered);
    mrestart_shutdown_gone(m, ma);
    klocal_agent_framework_resubscribed(ma->agent, NULL); /* pending updates, now */
}

/* 1 when an agent is still waiting (down for its own restart). */
static int mrestart_reregister_agents(klocal_master *m)
{
    int waiting = 0;
    for (size_t i = 0; i < m->nagents; i++) {
        klocal_magent *ma = m->agents[i];
        if (!ma->unknown)
            continue;
        if (ma->removed || klocal_agent_down(ma->agent))
            waiting |= !ma->removed;
        else
            mrestart_reregister_agent(m, ma);
    }
    klocal_alloc_run(m);
    return waiting;
}

/* --------------------------------------------------------------- phases */

static void mrestart_timer_closed(uv_handle_t *h) { free(h->data); }

static void mrestart_finish(klocal_master *m)
{
    klocal_mrestart *r = m->restart;
    m->restart = NULL;
    uv_close((uv_handle_t *)&r->timer, mrestart_timer_closed);
}

static void mrestart_on_timer(uv_timer_t *t)
{
    klocal_mrestart *r = t->data;
    klocal_master *m = r->m;
    char err[256];
    switch (r->phase) {
    case MRESTART_DYING:
        mrestart_die(m);
        r->phase = MRESTART_DOWN;
        uv_timer_start(t, mrestart_on_timer, klocal_util_ms(r->down), 0);
        return;
    case MRESTART_DOWN:
        if (kmesos_httpd_start(m->loop, &m->http_cfg, &m->http, err, sizeof err) != 0) {
            KLOG_WARN("master", "cannot listen again on port %d (%s): retrying", m->port, err);
            uv_timer_start(t, mrestart_on_timer, MRESTART_RETRY_MS, 0);
            return;
        }
        KLOG_INFO("master", "master %s restarted on %s:%d; agents re-register in %gs", m->id,
                  m->ip, m->port, r->reregister);
        r->phase = MRESTART_REREGISTER;
        uv_timer_start(t, mrestart_on_timer, klocal_util_ms(r->reregister), 0);
        return;
    case MRESTART_REREGISTER:
        if (mrestart_reregister_agents(m))
            uv_timer_start(t, mrestart_on_timer, MRESTART_RETRY_MS, 0);
        else
            mrestart_finish(m);
        return;
    }
}

static klocal_mrestart *mrestart_get(klocal_master *m)
{
    klocal_mrestart *r = m->restart;
    if (!r) {
        r = klocal_util_xcalloc(1, sizeof *r);
        r->m = m;
        uv_timer_init(m->loop, &r->timer);
        r->timer.data = r;
        m->restart = r;
    }
    return r;
}

void klocal_mrestart_reregister(klocal_master *m, double delay)
{
    klocal_mrestart *r = mrestart_get(m);
    r->phase = MRESTART_REREGISTER;
    uv_timer_start(&r->timer, mrestart_on_timer, klocal_util_ms(delay), 0);
}

void klocal_mrestart_start(klocal_master *m, double down, double reregister)
{
    klocal_mrestart *r = mrestart_get(m);
    r->phase = MRESTART_DYING;
    r->down = down;
    r->reregister = reregister;
    uv_timer_start(&r->timer, mrestart_on_timer, MRESTART_DYING_MS, 0);
}

int klocal_mrestart_down(const klocal_master *m)
{
    return m->restart && m->restart->phase == MRESTART_DOWN;
}

void klocal_mrestart_end(klocal_master *m)
{
    if (m->restart) {
        uv_timer_stop(&m->restart->timer);
        mrestart_finish(m);
    }
}
