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
 * and offers it again (the re-adding is partition.c's, shared with a
 * healed partition). An agent that is down for its own restart or cut off
 * by a partition re-registers within a second after it is back. With --registry
 * replicated_log the agents are remembered ("recovered"): reconciling
 * their tasks is not answered until they re-register, and their
 * re-registration sends no update (the task is simply known again). */
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
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
    klocal_alloc_remove_all(m);
    klocal_life_end_removals(m); /* also the health checks of partitioned agents */
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
        ma->unreachable = 0; /* unknown now (no unreachable agent is simulated in a registry) */
        ma->unreachable_ns = 0;
        ma->partitioned = klocal_agent_partitioned(ma->agent); /* still cut off: heal works */
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
    klocal_fw **recovered; /* frameworks recovered from this agent */
    size_t nrecovered;
} mrestart_learn;

/* A reported task of a framework the master does not know (and did not
 * remove since the restart): the framework is recovered from the
 * FrameworkInfo the agent reports (Master::recoverFramework), not
 * connected. */
static void mrestart_recover_framework(void *arg, const klocal_agent_task *v)
{
    mrestart_learn *l = arg;
    if (klocal_mbook_fw(l->m, v->fw_id) || klocal_mbook_gone_fw(l->m, v->fw_id))
        return;
    klocal_fw *fw = klocal_life_fw_new(l->m, v->fw_id);
    fw->info = klocal_util_pb_dup(v->framework);
    l->recovered = klocal_util_xrealloc(l->recovered, (l->nrecovered + 1) * sizeof *l->recovered);
    l->recovered[l->nrecovered++] = fw;
    KLOG_INFO("master", "framework %s recovered from agent %s", v->fw_id,
              klocal_agent_id(l->ma->agent));
}

/* Master::_reregisterSlave for an agent the restarted master did not
 * know: its tasks are re-added (partition.c) and announced with "Unknown
 * agent reregistered", or silently for an agent recovered from the
 * registry; then it resends its pending updates. */
static void mrestart_reregister_agent(klocal_master *m, klocal_magent *ma)
{
    mrestart_learn l = {.m = m, .ma = ma};
    const char *message = ma->recovered ? NULL : "Unknown agent reregistered";
    ma->unknown = 0;
    ma->recovered = 0;
    klocal_agent_each_task(ma->agent, mrestart_recover_framework, &l);
    klocal_partition_reregister(m, ma, message);
    for (size_t i = 0; i < l.nrecovered; i++)
        klocal_life_fw_disconnected(l.recovered[i]); /* its failover timeout runs */
    free(l.recovered);
    klocal_agent_framework_resubscribed(ma->agent, NULL); /* pending updates, now */
}

/* 1 when an agent is still waiting (down for its own restart, or cut off
 * by a partition). */
static int mrestart_reregister_agents(klocal_master *m)
{
    int waiting = 0;
    for (size_t i = 0; i < m->nagents; i++) {
        klocal_magent *ma = m->agents[i];
        if (!ma->unknown)
            continue;
        if (ma->removed || klocal_agent_down(ma->agent) || klocal_agent_partitioned(ma->agent))
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
        uv_timer_start(t, mrestart_on_timer, kmesos_num_ms(r->down), 0);
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
        uv_timer_start(t, mrestart_on_timer, kmesos_num_ms(r->reregister), 0);
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
    uv_timer_start(&r->timer, mrestart_on_timer, kmesos_num_ms(delay), 0);
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
