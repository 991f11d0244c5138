/* manager: the workload manager. What the operator (the admin API, a
 * module such as Kafka) asks to keep running, turned into task slots.
 *
 * Workloads are individually allocated and owned by the scheduler; each
 * instance has one slot in the task registry (tasks point at their
 * workload). Adding a workload creates pending slots; replacing one moves
 * its slots to the new object (each object gets a fresh generation, so
 * caches keyed by address notice), creates missing instances and stops
 * surplus ones; removing one kills its running tasks and drops its slots.
 * Slots are stopped (KILL, no relaunch), requeued or restarted on
 * request. After every such change the offer interest is brought in line
 * with the pending set: SUPPRESS when nothing is pending (unless
 * --no-suppress), REVIVE when something is and offers are suppressed; a change is reported through
 * io.changed so the state is saved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "sched/scheduler_int.h"

#define MOD "scheduler"

/* ---- finding workloads and slots ------------------------------------------- */

static ssize_t workload_index(const kmesos_scheduler *s, const char *name)
{
    for (size_t i = 0; i < s->n_workloads; i++)
        if (strcmp(s->workloads[i]->name, name) == 0)
            return (ssize_t)i;
    return -1;
}

const kmesos_workload *kmesos_scheduler_workload(const kmesos_scheduler *s, const char *name)
{
    ssize_t i = workload_index(s, name);
    return i < 0 ? NULL : s->workloads[i];
}

kmesos_task *kmesos_scheduler_slot(const kmesos_scheduler *s, const kmesos_workload *w,
                                   int instance)
{
    for (kmesos_task *t = s->tasks.by_id; t; t = t->hh.next)
        if (t->workload == w && t->instance == instance)
            return t;
    return NULL;
}

/* Pending slots for the instances of w that have none. */
static int fill_workload(kmesos_scheduler *s, const kmesos_workload *w, uint64_t now)
{
    for (int k = 0; k < w->instances; k++)
        if (!kmesos_scheduler_slot(s, w, k) && !kmesos_tasks_add(&s->tasks, w, k, now))
            return -1;
    return 0;
}

int kmesos_scheduler_fill_slots(kmesos_scheduler *s)
{
    uint64_t now = s->io.now_ms(s->io.arg);
    for (size_t i = 0; i < s->n_workloads; i++)
        if (fill_workload(s, s->workloads[i], now) != 0)
            return -1;
    return 0;
}

/* ---- offer interest: SUPPRESS / REVIVE ------------------------------------ */

/* With slots waiting, no offer and no REVIVE for this long, REVIVE again:
 * the last one may never have reached the master (a call that failed on
 * its way is not resent), and the framework would stay suppressed. */
#define KMESOS_REVIVE_AGAIN_MS 15000

static int revive_again(const kmesos_scheduler *s, uint64_t now)
{
    return !s->suppressed && now >= s->revive_at_ms + KMESOS_REVIVE_AGAIN_MS &&
           now >= s->offers_at_ms + KMESOS_REVIVE_AGAIN_MS && s->offers.count == 0;
}

void kmesos_sched_interest(kmesos_scheduler *s, int force_revive)
{
    if (!s->subscribed)
        return;
    /* a module's own work on offers (e.g. DESTROY) counts as one pending */
    size_t pending = kmesos_tasks_pending(&s->tasks) +
                     (s->ext.wants_offers && s->ext.wants_offers(s->ext.arg) ? 1 : 0);
    uint64_t now = s->io.now_ms(s->io.arg);
    if (pending && (s->suppressed || force_revive || revive_again(s, now))) {
        kmesos_sched_send(s, kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE));
        s->suppressed = 0;
        s->revive_at_ms = now;
        s->stats.revives++;
        s->revive_logged = s->revive_peak = pending;
        KLOG_INFO(MOD, "REVIVE: %zu task(s) pending", pending);
    } else if (pending > s->revive_peak) {
        s->revive_peak = pending;
    } else if (!pending && !s->suppressed && !s->cfg.no_suppress) {
        kmesos_sched_send(s, kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS));
        s->suppressed = 1;
        s->stats.suppresses++;
        s->revive_logged = s->revive_peak = 0;
        KLOG_INFO(MOD, "SUPPRESS: nothing to launch");
    }
}

void kmesos_sched_interest_log(kmesos_scheduler *s)
{
    if (s->suppressed || s->revive_peak <= s->revive_logged)
        return;
    KLOG_INFO(MOD, "REVIVE: %zu task(s) pending now (%zu at the REVIVE)", s->revive_peak,
              s->revive_logged);
    s->revive_logged = s->revive_peak;
}

void kmesos_scheduler_update_interest(kmesos_scheduler *s) { kmesos_sched_interest(s, 0); }

/* ---- workloads at runtime --------------------------------------------------- */

/* Stops a slot on request: KILL when it may run, forget it when pending. */
static void stop_slot(kmesos_scheduler *s, kmesos_task *t, int drop_pending)
{
    kmesos_phase was = t->phase;
    if (was == KMESOS_PHASE_PENDING && drop_pending) {
        kmesos_tasks_remove(&s->tasks, t);
        return;
    }
    kmesos_tasks_stop(&s->tasks, t);
    if (was == KMESOS_PHASE_LAUNCHING || was == KMESOS_PHASE_ACTIVE)
        kmesos_sched_send(s, kmesos_call_kill(t->id, t->agent_id));
}

int kmesos_scheduler_adopt_workload(kmesos_scheduler *s, kmesos_workload *w)
{
    kmesos_workload **grown = NULL;
    if (workload_index(s, w->name) >= 0 ||
        !(grown = realloc(s->workloads, (s->n_workloads + 1) * sizeof *grown))) {
        kmesos_workload_destroy(w);
        return -1;
    }
    s->workloads = grown;
    s->workloads[s->n_workloads++] = w;
    w->generation = ++s->workload_gen;
    return 0;
}

int kmesos_scheduler_add_workload(kmesos_scheduler *s, kmesos_workload *w)
{
    if (kmesos_scheduler_adopt_workload(s, w) != 0)
        return -1;
    int rc = fill_workload(s, w, s->io.now_ms(s->io.arg));
    kmesos_sched_interest(s, 0);
    kmesos_sched_changed(s);
    return rc;
}

int kmesos_scheduler_put_workload(kmesos_scheduler *s, kmesos_workload *w)
{
    if (kmesos_scheduler_workload(s, w->name))
        return kmesos_scheduler_replace_workload(s, w);
    return kmesos_scheduler_add_workload(s, w);
}

int kmesos_scheduler_replace_workload(kmesos_scheduler *s, kmesos_workload *nw)
{
    ssize_t i = workload_index(s, nw->name);
    if (i < 0) {
        kmesos_workload_destroy(nw);
        return -1;
    }
    kmesos_workload *old = s->workloads[i];
    s->workloads[i] = nw;
    nw->generation = ++s->workload_gen;
    kmesos_task *t, *tmp;
    HASH_ITER(hh, s->tasks.by_id, t, tmp) {
        if (t->workload != old)
            continue;
        t->workload = nw;
        if (t->instance >= nw->instances && t->phase != KMESOS_PHASE_STOPPED &&
            t->phase != KMESOS_PHASE_DONE)
            stop_slot(s, t, 1);
    }
    kmesos_workload_destroy(old);
    kmesos_tasks_touch(&s->tasks); /* preferences may have changed */
    int rc = fill_workload(s, nw, s->io.now_ms(s->io.arg));
    kmesos_sched_interest(s, 0);
    kmesos_sched_changed(s);
    return rc;
}

int kmesos_scheduler_remove_workload(kmesos_scheduler *s, const char *name)
{
    ssize_t i = workload_index(s, name);
    if (i < 0)
        return -1;
    kmesos_workload *w = s->workloads[i];
    kmesos_task *t, *tmp;
    HASH_ITER(hh, s->tasks.by_id, t, tmp) {
        if (t->workload != w)
            continue;
        if (t->phase == KMESOS_PHASE_LAUNCHING || t->phase == KMESOS_PHASE_ACTIVE)
            kmesos_sched_send(s, kmesos_call_kill(t->id, t->agent_id));
        kmesos_tasks_remove(&s->tasks, t);
    }
    memmove(&s->workloads[i], &s->workloads[i + 1],
            (s->n_workloads - (size_t)i - 1) * sizeof *s->workloads);
    s->n_workloads--;
    kmesos_workload_destroy(w);
    kmesos_sched_interest(s, 0);
    kmesos_sched_changed(s);
    return 0;
}

int kmesos_scheduler_requeue(kmesos_scheduler *s, kmesos_task *t)
{
    if (t->phase != KMESOS_PHASE_STOPPED && t->phase != KMESOS_PHASE_DONE)
        return 0;
    if (kmesos_tasks_requeue(&s->tasks, t, s->io.now_ms(s->io.arg)) != 0)
        return -1;
    kmesos_sched_interest(s, 0);
    kmesos_sched_changed(s);
    return 0;
}

int kmesos_scheduler_restart_task(kmesos_scheduler *s, kmesos_task *t)
{
    if (t->phase != KMESOS_PHASE_LAUNCHING && t->phase != KMESOS_PHASE_ACTIVE)
        return -1;
    t->restarting = 1;
    kmesos_sched_send(s, kmesos_call_kill(t->id, t->agent_id));
    return 0;
}

int kmesos_scheduler_kill(kmesos_scheduler *s, const char *task_id)
{
    kmesos_task *t = kmesos_tasks_find(&s->tasks, task_id);
    if (!t)
        return -1;
    kmesos_phase was = t->phase;
    kmesos_tasks_stop(&s->tasks, t);
    if (was == KMESOS_PHASE_LAUNCHING || was == KMESOS_PHASE_ACTIVE)
        kmesos_sched_send(s, kmesos_call_kill(t->id, t->agent_id));
    kmesos_sched_interest(s, 0);
    return 0;
}

/* ---- tasks that come back, tasks that do not -------------------------------- */

kmesos_task *kmesos_sched_adopt_or_kill(kmesos_scheduler *s, const char *task_id, int state,
                                        const char *agent_id)
{
    char name[256];
    int instance;
    uint64_t seq;
    const kmesos_workload *w = NULL;
    kmesos_task *slot = NULL;
    if (kmesos_tasks_parse_id(task_id, name, sizeof name, &instance, &seq) == 0 &&
        (w = kmesos_scheduler_workload(s, name)) != NULL)
        slot = kmesos_scheduler_slot(s, w, instance);
    if (slot && slot->phase == KMESOS_PHASE_PENDING &&
        kmesos_tasks_adopt(&s->tasks, slot, task_id, state, agent_id,
                           s->io.now_ms(s->io.arg)) == 0) {
        KLOG_INFO(MOD, "task %s came back: adopted by its slot (the pending replacement is "
                       "withdrawn)", task_id);
        kmesos_sched_changed(s);
        kmesos_sched_interest(s, 0);
        return slot;
    }
    KLOG_WARN(MOD, "task %s is not ours to run (%s): killing it", task_id,
              !w ? "no such workload" : !slot ? "no such instance" : "its slot runs another task");
    kmesos_sched_send(s, kmesos_call_kill(task_id, agent_id));
    return NULL;
}

void kmesos_sched_give_up_unreachable(kmesos_scheduler *s)
{
    uint64_t now = s->io.now_ms(s->io.arg);
    double grace_s = s->cfg.unreachable_grace_s;
    uint64_t grace_ms = grace_s > 0 && grace_s < 1e9 ? (uint64_t)(grace_s * 1000) : 0;
    int given_up = 0;
    for (kmesos_task *t = s->tasks.by_id, *next; t; t = next) {
        next = t->hh.next; /* a give-up rehashes t under its new id */
        if (!t->unreachable_ms || t->phase != KMESOS_PHASE_ACTIVE ||
            now < t->unreachable_ms + grace_ms)
            continue;
        char why[96];
        int state = t->state;
        snprintf(why, sizeof why, "unreachable for %.0fs",
                 (double)(now - t->unreachable_ms) / 1000.0);
        KLOG_WARN(MOD, "task %s %s: given up, its slot launches a replacement (the old one is "
                       "adopted if it comes back first, else killed)", t->id, why);
        kmesos_update_result r = kmesos_tasks_give_up(&s->tasks, t, why, now);
        if (t->workload->ext && s->ext.on_update)
            s->ext.on_update(s->ext.arg, t, state, why, r);
        given_up = 1;
    }
    if (given_up) {
        kmesos_sched_changed(s);
        kmesos_sched_interest(s, 0);
    }
}
