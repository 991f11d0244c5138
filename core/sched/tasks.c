/* tasks: the task registry, one slot per workload instance, in a uthash
 * table by current task id. Task ids are "<workload>-<instance>-<seq>", so a
 * relaunch gets a fresh id (Mesos forbids reusing the id of a task it
 * may still know) while the slot keeps its identity. Relaunch delays
 * double from backoff.base_ms up to backoff.max_ms per consecutive
 * failure and reset once a task reached TASK_RUNNING; a workload may
 * bring its own delays and a number of consecutive failures after which
 * it is given up (phase DONE). Restored ids move the id counter past
 * their sequence number, so a restarted scheduler never reuses an id. */
#include "sched/tasks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/protocol.h"
#include "codec/str.h"
#include "mesos/v1/mesos.pb-c.h"

void kmesos_tasks_init(kmesos_tasks *reg, kmesos_relaunch_backoff backoff)
{
    memset(reg, 0, sizeof *reg);
    reg->backoff = backoff;
}

static void task_free(kmesos_task *t)
{
    free(t->id);
    free(t->agent_id);
    free(t->hostname);
    free(t->last_message);
    free(t->wait_reason);
    free(t);
}

void kmesos_tasks_free(kmesos_tasks *reg)
{
    kmesos_task *t, *tmp;
    HASH_ITER(hh, reg->by_id, t, tmp) {
        HASH_DEL(reg->by_id, t);
        task_free(t);
    }
    reg->count = 0;
    kmesos_tasks_touch(reg);
}

void kmesos_tasks_touch(kmesos_tasks *reg)
{
    reg->changes++;
    reg->pending_gen++;
}

/* Gives the slot a new task id and rehashes it. */
static int assign_id(kmesos_tasks *reg, kmesos_task *t, const char *id)
{
    char buf[160];
    if (!id) {
        reg->seq += reg->seq_skip;
        reg->seq_skip = 0;
        t->seq = ++reg->seq;
        if (reg->seq + KMESOS_TASKS_SEQ_BLOCK / 2 > reg->seq_mark)
            reg->seq_mark = reg->seq + KMESOS_TASKS_SEQ_BLOCK > KMESOS_TASKS_SEQ_MAX
                                ? KMESOS_TASKS_SEQ_MAX
                                : reg->seq + KMESOS_TASKS_SEQ_BLOCK;
        snprintf(buf, sizeof buf, "%s-%d-%llu", t->workload->name, t->instance,
                 (unsigned long long)t->seq);
        id = buf;
    }
    char *copy = strdup(id);
    if (!copy)
        return -1;
    if (t->id)
        HASH_DEL(reg->by_id, t);
    free(t->id);
    t->id = copy;
    t->ran = 0;
    HASH_ADD_KEYPTR(hh, reg->by_id, t->id, strlen(t->id), t);
    return 0;
}

uint64_t kmesos_tasks_seq_mark(const kmesos_tasks *reg)
{
    return reg->seq_mark > reg->seq ? reg->seq_mark : reg->seq;
}

void kmesos_tasks_seq_saved(kmesos_tasks *reg, uint64_t mark)
{
    if (mark > reg->seq_saved)
        reg->seq_saved = mark;
}

int kmesos_tasks_id_saved(const kmesos_tasks *reg, const kmesos_task *t)
{
    return !reg->seq_gate || t->seq <= reg->seq_saved;
}

static kmesos_task *new_slot(kmesos_tasks *reg, const kmesos_workload *w, int instance,
                             const char *id, uint64_t now_ms)
{
    kmesos_task *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->workload = w;
    t->instance = instance;
    t->state = -1;
    t->pending_since_ms = now_ms;
    if (assign_id(reg, t, id) != 0) {
        free(t);
        return NULL;
    }
    reg->count++;
    kmesos_tasks_touch(reg);
    return t;
}

kmesos_task *kmesos_tasks_add(kmesos_tasks *reg, const kmesos_workload *w, int instance,
                              uint64_t now_ms)
{
    return new_slot(reg, w, instance, NULL, now_ms);
}

/* A task id of ours seen again (restored from the state or adopted from
 * the master) moves the id counter past its sequence number, so that no
 * id is given out twice; a number past KMESOS_TASKS_SEQ_MAX (which would
 * not survive a save) leaves the counter alone. 0 with *seq set when the
 * id has our form. */
static int tasks_note_seq(kmesos_tasks *reg, const char *task_id, uint64_t *seq)
{
    char name[256];
    int instance;
    if (kmesos_tasks_parse_id(task_id, name, sizeof name, &instance, seq) != 0)
        return -1;
    if (*seq > reg->seq && *seq <= KMESOS_TASKS_SEQ_MAX)
        reg->seq = *seq;
    return 0;
}

kmesos_task *kmesos_tasks_restore(kmesos_tasks *reg, const kmesos_workload *w,
                                  int instance, const char *task_id,
                                  const char *agent_id, uint64_t now_ms)
{
    if (kmesos_tasks_find(reg, task_id))
        return NULL;
    kmesos_task *t = new_slot(reg, w, instance, task_id, now_ms);
    uint64_t seq;
    tasks_note_seq(reg, task_id, &seq);
    if (t) {
        t->phase = KMESOS_PHASE_LAUNCHING;
        if (kmesos_str_set(&t->agent_id, agent_id) != 0)
            t->phase = KMESOS_PHASE_PENDING;
    }
    return t;
}

kmesos_task *kmesos_tasks_find(kmesos_tasks *reg, const char *task_id)
{
    kmesos_task *t = NULL;
    HASH_FIND_STR(reg->by_id, task_id, t);
    return t;
}

int kmesos_tasks_launched(kmesos_tasks *reg, kmesos_task *t, const char *agent_id,
                          const char *hostname, uint64_t now_ms)
{
    if (kmesos_str_set(&t->agent_id, agent_id) != 0 || kmesos_str_set(&t->hostname, hostname) != 0)
        return -1;
    t->phase = KMESOS_PHASE_LAUNCHING;
    /* no reg->changes: placement moves the job counts itself at a launch
     * (kmesos_job_launched), so a launch does not cost a recount */
    (void)reg;
    t->launched_ms = now_ms;
    t->attempts++;
    free(t->wait_reason);
    t->wait_reason = NULL;
    return 0;
}

int kmesos_task_state_terminal(int state)
{
    /* TASK_UNKNOWN is handled by kmesos_tasks_update: gone for a slot that
     * never ran, unreachable for one that did (after a master failover the
     * master learns of tasks only when their agent re-registers) */
    return kmesos_task_state_is_terminal(state);
}

int kmesos_task_state_agent_gone(int state)
{
    return state == MESOS__V1__TASK_STATE__TASK_GONE ||
           state == MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR;
}

static kmesos_update_result tasks_finish(kmesos_tasks *reg, kmesos_task *t, int state,
                                         const char *message, uint64_t now_ms);

kmesos_update_result kmesos_tasks_give_up(kmesos_tasks *reg, kmesos_task *t, const char *why,
                                          uint64_t now_ms)
{
    t->unreachable_ms = 0;
    kmesos_update_result r = tasks_finish(reg, t, t->state, why, now_ms);
    kmesos_tasks_touch(reg);
    return r;
}

int kmesos_tasks_parse_id(const char *task_id, char *workload, size_t n, int *instance,
                          uint64_t *seq)
{
    const char *last = strrchr(task_id, '-');
    if (!last || last == task_id)
        return -1;
    const char *mid = last - 1;
    while (mid > task_id && *mid != '-')
        mid--;
    if (*mid != '-' || mid == task_id)
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long q = strtoull(last + 1, &end, 10);
    long k = strtol(mid + 1, NULL, 10);
    int digits = last > mid + 1 && strspn(mid + 1, "0123456789") == (size_t)(last - mid - 1);
    if (errno || !end || *end || end == last + 1 || !digits || k < 0 || k > 1000000 ||
        (size_t)(mid - task_id) >= n)
        return -1;
    memcpy(workload, task_id, (size_t)(mid - task_id));
    workload[mid - task_id] = '\0';
    *instance = (int)k;
    *seq = q;
    return 0;
}

int kmesos_tasks_adopt(kmesos_tasks *reg, kmesos_task *t, const char *task_id, int state,
                       const char *agent_id, uint64_t now_ms)
{
    uint64_t seq;
    if (assign_id(reg, t, task_id) != 0 || kmesos_str_set(&t->agent_id, agent_id) != 0)
        return -1;
    if (tasks_note_seq(reg, task_id, &seq) == 0)
        t->seq = seq;
    t->phase = KMESOS_PHASE_ACTIVE;
    t->state = state;
    t->ran = 1;
    t->unreachable_ms = 0;
    t->launched_ms = now_ms;
    if (state == MESOS__V1__TASK_STATE__TASK_RUNNING)
        t->failures = 0;
    free(t->wait_reason);
    t->wait_reason = NULL;
    kmesos_tasks_touch(reg);
    return 0;
}

static uint64_t backoff_ms(const kmesos_relaunch_backoff *b, int failures)
{
    uint64_t d = b->base_ms;
    for (int i = 1; i < failures && d < b->max_ms; i++)
        d *= 2;
    return d < b->max_ms ? d : b->max_ms;
}

uint64_t kmesos_tasks_backoff_ms(const kmesos_tasks *reg, const kmesos_task *t, int failures)
{
    const kmesos_workload *w = t->workload;
    kmesos_relaunch_backoff b = reg->backoff;
    if (w->backoff_base_ms) {
        b.base_ms = w->backoff_base_ms;
        b.max_ms = w->backoff_max_ms > w->backoff_base_ms ? w->backoff_max_ms : w->backoff_base_ms;
    }
    return backoff_ms(&b, failures);
}

/* Pending again at once under a fresh id (a restart asked for). */
static kmesos_update_result relaunch_now(kmesos_tasks *reg, kmesos_task *t, uint64_t now_ms)
{
    t->restarting = 0;
    t->phase = KMESOS_PHASE_PENDING;
    t->pending_since_ms = now_ms;
    t->next_attempt_ms = now_ms;
    assign_id(reg, t, NULL);
    kmesos_tasks_touch(reg);
    return KMESOS_UPDATE_RELAUNCH;
}

/* A terminal update: decide between relaunch and done. A task whose
 * agent is gone did not fail: it is relaunched at once, uncounted. */
static kmesos_update_result tasks_finish(kmesos_tasks *reg, kmesos_task *t, int state,
                                         const char *message, uint64_t now_ms)
{
    int ok = state == MESOS__V1__TASK_STATE__TASK_FINISHED;
    if (t->phase == KMESOS_PHASE_STOPPED)
        return KMESOS_UPDATE_DONE;
    if (t->restarting || (kmesos_task_state_agent_gone(state) &&
                          t->workload->restart != KMESOS_RESTART_NEVER)) {
        kmesos_str_set(&t->last_message, message ? message : "");
        return relaunch_now(reg, t, now_ms);
    }
    if (!ok) {
        t->failures++;
        kmesos_str_set(&t->last_message, message ? message : "");
    }
    kmesos_restart r = t->workload->restart;
    int given_up = !ok && t->workload->max_failures > 0 &&
                   t->failures >= t->workload->max_failures;
    reg->changes++;
    if (r == KMESOS_RESTART_NEVER || (ok && r == KMESOS_RESTART_ON_FAILURE) || given_up) {
        t->phase = KMESOS_PHASE_DONE;
        return KMESOS_UPDATE_DONE;
    }
    reg->pending_gen++;
    t->phase = KMESOS_PHASE_PENDING;
    t->pending_since_ms = now_ms;
    t->next_attempt_ms = ok ? now_ms : now_ms + kmesos_tasks_backoff_ms(reg, t, t->failures);
    assign_id(reg, t, NULL);
    return KMESOS_UPDATE_RELAUNCH;
}

/* 1 when the master does not know the task (a master that failed over
 * learns of tasks as their agents re-register): TASK_UNKNOWN, or the
 * TASK_LOST a master sends instead to frameworks that are not
 * partition-aware, and to all for some reconciliation answers. */
static int unknown_to_master(int state, int reason)
{
    return state == MESOS__V1__TASK_STATE__TASK_UNKNOWN ||
           (state == MESOS__V1__TASK_STATE__TASK_LOST &&
            reason == MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION);
}

kmesos_update_result kmesos_tasks_update(kmesos_tasks *reg, const char *task_id, int state,
                                         int reason, const char *agent_id, const char *message,
                                         uint64_t now_ms)
{
    kmesos_task *t = kmesos_tasks_find(reg, task_id);
    if (!t || t->phase == KMESOS_PHASE_PENDING || t->phase == KMESOS_PHASE_DONE)
        return KMESOS_UPDATE_IGNORED;
    t->state = state;
    if (agent_id && (!t->agent_id || strcmp(t->agent_id, agent_id) != 0))
        kmesos_str_set(&t->agent_id, agent_id);
    int unknown = unknown_to_master(state, reason);
    if ((unknown && !t->ran) || (!unknown && kmesos_task_state_terminal(state)))
        return tasks_finish(reg, t, state, message, now_ms);
    if (unknown || state == MESOS__V1__TASK_STATE__TASK_UNREACHABLE) {
        if (!t->unreachable_ms)
            t->unreachable_ms = now_ms ? now_ms : 1;
    } else {
        t->unreachable_ms = 0;
        t->ran = 1;
    }
    if (t->phase != KMESOS_PHASE_STOPPED && t->phase != KMESOS_PHASE_ACTIVE) {
        t->phase = KMESOS_PHASE_ACTIVE;
        reg->changes++;
    }
    if (state == MESOS__V1__TASK_STATE__TASK_RUNNING)
        t->failures = 0;
    return KMESOS_UPDATE_ACTIVE;
}

size_t kmesos_tasks_pending(const kmesos_tasks *reg)
{
    size_t n = 0;
    for (const kmesos_task *t = reg->by_id; t; t = t->hh.next)
        n += t->phase == KMESOS_PHASE_PENDING;
    return n;
}

void kmesos_tasks_stop(kmesos_tasks *reg, kmesos_task *t)
{
    t->phase = KMESOS_PHASE_STOPPED;
    reg->changes++;
}

int kmesos_tasks_requeue(kmesos_tasks *reg, kmesos_task *t, uint64_t now_ms)
{
    if (assign_id(reg, t, NULL) != 0)
        return -1;
    t->phase = KMESOS_PHASE_PENDING;
    t->state = -1;
    t->failures = 0;
    t->restarting = 0;
    t->pending_since_ms = now_ms;
    t->next_attempt_ms = now_ms;
    kmesos_tasks_touch(reg);
    return 0;
}

void kmesos_tasks_remove(kmesos_tasks *reg, kmesos_task *t)
{
    HASH_DEL(reg->by_id, t);
    reg->count--;
    task_free(t);
    kmesos_tasks_touch(reg);
}

const char *kmesos_phase_name(kmesos_phase p)
{
    static const char *const names[] = {"pending", "launching", "active", "done", "stopped"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

json_t *kmesos_task_json(const kmesos_task *t, const char *endpoint)
{
    if (!t)
        return json_null();
    return json_pack("{s:s, s:s, s:i, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:i, s:i}", "id",
                     t->id, "workload", t->workload->name, "instance", t->instance, "phase",
                     kmesos_phase_name(t->phase), "state",
                     t->state >= 0 ? kmesos_task_state_name(t->state) : NULL, "hostname",
                     t->hostname, "endpoint", endpoint && *endpoint ? endpoint : NULL,
                     "agent_id", t->agent_id, "waiting_reason", t->wait_reason,
                     "last_failure", t->last_message, "attempts", t->attempts, "failures",
                     t->failures);
}
