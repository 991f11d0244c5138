/* partition: the master's side of an agent cut off by the network, after
 * Master::markUnreachable and Master::__reregisterSlave in Mesos 1.12's
 * src/master/master.cpp. POST /local/agents/ID/partition (control.c) cuts
 * the agent off (agent.h: its processes keep running and keep talking to
 * it) and starts the health check clock: a real master pings each agent
 * every --agent_ping_timeout and marks it unreachable after
 * --max_agent_ping_timeouts pings without a pong; here the agent is marked
 * unreachable exactly ping timeout x max pings after the cut (a real
 * master does so between that and one ping timeout more, by the phase of
 * its pings). Until then the master notices nothing: it still offers the
 * agent, and what it sends there is lost. Marking unreachable (also the
 * end of a simulated agent loss, life.c) turns the agent's live tasks into
 * TASK_UNREACHABLE (TASK_LOST for frameworks without PARTITION_AWARE),
 * REASON_AGENT_REMOVED, SOURCE_MASTER, with unreachable_time, moves them
 * to the frameworks' unreachable tasks, drops the agent's executors,
 * rescinds its offers and sends every framework a FAILURE for the agent.
 * A heal before that changes nothing on the master. A heal after it
 * re-registers the agent: the tasks it reports are live again and each is
 * announced to its framework (connected ones; the others miss it, as in
 * Mesos) with its state, REASON_AGENT_REREGISTERED, "Unreachable agent
 * re-reregistered" and its container status, whether the framework is
 * partition-aware or not (Mesos >= 1.5 no longer kills the tasks of
 * frameworks that are not: see the capture agent-loss-checkpointed, where
 * both frameworks get TASK_RUNNING back). Frameworks removed meanwhile are
 * shut down on the agent. Then the agent sends the status updates it kept
 * during the partition. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "local/agent/updates.h"
#include "local/master/internal.h"
#include "local/util.h"

typedef struct partition_watch {
    uv_timer_t timer;
    klocal_master *m;
    klocal_magent *ma;
} partition_watch;

/* ------------------------------------------------------------ clocks */

static void partition_watch_closed(uv_handle_t *h) { free(h->data); }

static void partition_watch_end(klocal_magent *ma)
{
    if (!ma->watch)
        return;
    uv_timer_stop(&ma->watch->timer);
    uv_close((uv_handle_t *)&ma->watch->timer, partition_watch_closed);
    ma->watch = NULL;
}

/* The health check's verdict time in milliseconds (the flags are bounded
 * by config.c; checked again before the conversion). */
static uint64_t partition_check_ms(const klocal_config *c)
{
    double ms = c->agent_ping_timeout * (double)c->max_agent_ping_timeouts * 1000.0;
    return ms > 0 && ms < 1e15 ? (uint64_t)ms : 0;
}

static void partition_on_check(uv_timer_t *t)
{
    partition_watch *w = t->data;
    klocal_partition_mark_unreachable(w->m, w->ma, "health check timed out");
}

/* --------------------------------------------------- marking unreachable */

static Mesos__V1__TaskStatus *partition_lost_status(const klocal_fw *fw, const klocal_mtask *t,
                                                    const char *why)
{
    Mesos__V1__TaskStatus *st = klocal_mevent_new_status(
        t->id, klocal_agent_id(t->agent->agent),
        klocal_mbook_lost_state(fw, MESOS__V1__TASK_STATE__TASK_UNREACHABLE),
        MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REMOVED, why);
    if (t->executor_id)
        st->executor_id = KLOCAL_ID(ExecutorID, executor_id, t->executor_id);
    st->unreachable_time = klocal_util_pb_new(&mesos__v1__time_info__descriptor);
    st->unreachable_time->nanoseconds = t->agent->unreachable_ns;
    return st;
}

static void partition_lose_tasks(klocal_fw *fw, klocal_magent *ma, const char *why)
{
    klocal_mtask *t = fw->tasks;
    while (t) {
        klocal_mtask *next = t->next;
        if (t->agent == ma && !kmesos_task_state_is_terminal(t->state)) {
            Mesos__V1__TaskStatus *st = partition_lost_status(fw, t, why);
            klocal_mbook_record(t, st);
            klocal_mevent_update(fw, st);
            klocal_mbook_set_unreachable(fw, t);
        }
        t = next;
    }
    klocal_mbook_execs_exited(fw, ma);
}

void klocal_partition_mark_unreachable(klocal_master *m, klocal_magent *ma, const char *why)
{
    if (ma->unreachable)
        return;
    partition_watch_end(ma);
    ma->unreachable = 1;
    double ns = klocal_util_now() * 1e9;
    ma->unreachable_ns = ns > 0 && ns < 9.2e18 ? (int64_t)ns : 0;
    KLOG_INFO("master", "marking agent %s unreachable: %s", klocal_agent_id(ma->agent), why);
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        partition_lose_tasks(fw, ma, why);
    klocal_alloc_remove_offers(m, NULL, ma, 1);
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        klocal_mevent_failure(fw, klocal_agent_id(ma->agent), NULL, 0);
}

/* ----------------------------------------------------- re-registration */

typedef struct partition_rereg {
    klocal_master *m;
    klocal_magent *ma;
    int readd;           /* 0: only look for removed frameworks */
    const char *message; /* NULL: re-added silently */
    char **gone;         /* removed frameworks still on the agent */
    size_t ngone;
} partition_rereg;

static void partition_note_gone(partition_rereg *r, const char *fw_id)
{
    for (size_t i = 0; i < r->ngone; i++)
        if (strcmp(r->gone[i], fw_id) == 0)
            return;
    r->gone = klocal_util_xrealloc(r->gone, (r->ngone + 1) * sizeof *r->gone);
    r->gone[r->ngone++] = klocal_util_xstrdup(fw_id);
}

/* The master's record of a task the agent reports: back from the
 * unreachable list, or made anew (charged to the agent). */
static klocal_mtask *partition_known_task(klocal_fw *fw, klocal_magent *ma,
                                          const Mesos__V1__TaskInfo *ti)
{
    klocal_mtask *t = klocal_mbook_task(fw, ti->task_id->value);
    if (t)
        return t;
    t = klocal_mbook_unreachable_task(fw, ti->task_id->value);
    if (t && t->agent == ma) {
        klocal_mbook_set_reachable(fw, t);
        return t;
    }
    klocal_res need;
    klocal_res_init(&need);
    klocal_res_add_pb(&need, ti->resources, ti->n_resources);
    klocal_mbook_launch(fw, ma, ti, &need, 0);
    klocal_res_free(&need);
    return klocal_mbook_task(fw, ti->task_id->value);
}

static void partition_readd(partition_rereg *r, klocal_fw *fw, const klocal_agent_task *v)
{
    klocal_mtask *t = partition_known_task(fw, r->ma, v->task);
    if (v->executor)
        klocal_mbook_exec_known(fw, r->ma, v->executor);
    Mesos__V1__TaskStatus *st = klocal_mevent_new_status(
        t->id, klocal_agent_id(r->ma->agent), v->state,
        MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REREGISTERED,
        r->message ? r->message : "Agent reregistered");
    if (t->executor_id)
        st->executor_id = KLOCAL_ID(ExecutorID, executor_id, t->executor_id);
    klocal_updates_container_status(st, v->container_id, v->executor_pid,
                                    klocal_agent_ip(r->ma->agent));
    klocal_mbook_record(t, st);
    if (!r->message) /* an agent the master recovered from its registry */
        kmesos_pb_free(st);
    else if (!fw->connected) {
        KLOG_WARN("master", "dropping update %s of task %s for disconnected framework %s",
                  kmesos_task_state_name(v->state), t->id, fw->id);
        kmesos_pb_free(st);
    } else
        klocal_mevent_update(fw, st);
}

static void partition_on_task(void *arg, const klocal_agent_task *v)
{
    partition_rereg *r = arg;
    klocal_fw *fw = klocal_mbook_fw(r->m, v->fw_id);
    if (!fw && klocal_mbook_gone_fw(r->m, v->fw_id))
        partition_note_gone(r, v->fw_id);
    else if (!fw)
        KLOG_WARN("master", "agent %s runs task %s of unknown framework %s",
                  klocal_agent_id(r->ma->agent), v->task->task_id->value, v->fw_id);
    else if (r->readd)
        partition_readd(r, fw, v);
}

/* Walks the agent's tasks (re-adding them when readd), then shuts down on
 * the agent the frameworks the master removed. */
static void partition_sync(klocal_master *m, klocal_magent *ma, int readd, const char *message)
{
    partition_rereg r = {.m = m, .ma = ma, .readd = readd, .message = message};
    klocal_agent_each_task(ma->agent, partition_on_task, &r);
    for (size_t i = 0; i < r.ngone; i++) {
        KLOG_INFO("master", "shutting down framework %s at agent %s: removed at the master",
                  r.gone[i], klocal_agent_id(ma->agent));
        klocal_agent_shutdown_framework(ma->agent, r.gone[i]);
        free(r.gone[i]);
    }
    free(r.gone);
}

void klocal_partition_reregister(klocal_master *m, klocal_magent *ma, const char *message)
{
    KLOG_INFO("master", "agent %s re-registered: %s", klocal_agent_id(ma->agent),
              message ? message : "(known from the registry)");
    partition_sync(m, ma, 1, message);
    ma->unreachable = 0;
    ma->unreachable_ns = 0;
    ma->registered_time = klocal_util_now();
}

/* --------------------------------------------------------- cut and heal */

int klocal_partition_cut(klocal_master *m, klocal_magent *ma, char *err, size_t errlen)
{
    if (ma->removed) {
        snprintf(err, errlen, "Agent is removed");
        return -1;
    }
    if (klocal_agent_partition(ma->agent, 1, err, errlen) != 0)
        return -1;
    ma->partitioned = 1;
    partition_watch *w = klocal_util_xcalloc(1, sizeof *w);
    w->m = m;
    w->ma = ma;
    uv_timer_init(m->loop, &w->timer);
    w->timer.data = w;
    ma->watch = w;
    uint64_t ms = partition_check_ms(m->cfg);
    uv_timer_start(&w->timer, partition_on_check, ms, 0);
    KLOG_INFO("master", "agent %s partitioned: unreachable in %gs unless healed",
              klocal_agent_id(ma->agent), (double)ms / 1000.0);
    return 0;
}

int klocal_partition_heal(klocal_master *m, klocal_magent *ma, char *err, size_t errlen)
{
    if (!ma->partitioned || ma->removed) {
        snprintf(err, errlen, "Agent is %s", ma->removed ? "removed" : "not partitioned");
        return -1;
    }
    if (klocal_agent_partition(ma->agent, 0, err, errlen) != 0)
        return -1;
    ma->partitioned = 0;
    partition_watch_end(ma);
    if (ma->unreachable)
        klocal_partition_reregister(m, ma, "Unreachable agent re-reregistered");
    else
        partition_sync(m, ma, 0, NULL);
    klocal_agent_framework_resubscribed(ma->agent, NULL);
    klocal_alloc_run(m);
    return 0;
}

void klocal_partition_forget(klocal_magent *ma)
{
    partition_watch_end(ma);
    ma->partitioned = 0;
}
