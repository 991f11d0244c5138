/* tasks: the task registry. One entry per workload instance ("slot"):
 * the Mesos task id it currently runs under, where, in which state, how
 * often it failed and when it may be launched again. Status updates move
 * an entry through its phases; the registry decides nothing about
 * launching (that is the scheduler's job), it only records and answers
 * questions (what is pending, what to reconcile). */
#ifndef KMESOS_TASKS_H
#define KMESOS_TASKS_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <uthash.h>

#include "sched/workload.h"

typedef enum kmesos_phase {
    KMESOS_PHASE_PENDING = 0,   /* wants an offer */
    KMESOS_PHASE_LAUNCHING = 1, /* ACCEPT sent, no update yet */
    KMESOS_PHASE_ACTIVE = 2,    /* staging/starting/running/killing */
    KMESOS_PHASE_DONE = 3,      /* finished and not to be restarted */
    KMESOS_PHASE_STOPPED = 4,   /* killed on request */
} kmesos_phase;

typedef struct kmesos_task {
    char *id;                  /* current Mesos task id */
    const kmesos_workload *workload;
    int instance;
    kmesos_phase phase;
    int state;                 /* last Mesos TaskState, -1 when none */
    char *agent_id;
    char *hostname;
    char *last_message;        /* message of the last failure */
    char *wait_reason;         /* why it is still pending */
    uint64_t pending_since_ms;
    uint64_t launched_ms;
    uint64_t next_attempt_ms;  /* backoff: not before this time */
    int attempts;              /* launches so far */
    int failures;              /* consecutive failures */
    uint64_t seq;              /* id counter, part of the task id */
    int restarting;            /* killed to be relaunched at once */
    struct kmesos_job *job;    /* its job (jobs.h), set by the scheduler */
    uint64_t asked_stamp;      /* placement: last offer it was asked about */
    uint64_t traced_seq;       /* trace: seq + 1 of the id last described */
    uint64_t unreachable_ms;   /* when it became unreachable or unknown to the
                                * master (partitioned agent, master failover);
                                * 0: reachable */
    int ran;                   /* the current task id was reported alive
                                * (staging, starting, running...) once */
    UT_hash_handle hh;
} kmesos_task;

typedef struct kmesos_relaunch_backoff {
    uint64_t base_ms; /* first relaunch delay */
    uint64_t max_ms;  /* cap */
} kmesos_relaunch_backoff;

typedef struct kmesos_tasks {
    kmesos_task *by_id;
    size_t count;
    kmesos_relaunch_backoff backoff;
    uint64_t seq;
    uint64_t seq_skip; /* added to seq before the next new id (a restart's gap,
                        * set by the state loader), then 0 */
    /* Ids are reserved in blocks through the state: the saved task_seq is
     * seq_mark, kept KMESOS_TASKS_SEQ_BLOCK ahead of seq; seq_saved is the
     * mark known written. With seq_gate set (a scheduler with a state
     * store), a slot whose id is past seq_saved does not launch, so a
     * restart that loads an older state never hands out an id that was
     * launched (a failed save, then kill -9). */
    uint64_t seq_mark;
    uint64_t seq_saved;
    int seq_gate;
    /* change counters for lazy readers: changes moves with every phase
     * change, adding or removing a slot; pending_gen whenever a slot
     * becomes pending, leaves the registry or its workload is replaced
     * (kmesos_tasks_touch), i.e. whenever an index of pending slots by
     * pointer must be rebuilt */
    uint64_t changes;
    uint64_t pending_gen;
} kmesos_tasks;

void kmesos_tasks_init(kmesos_tasks *reg, kmesos_relaunch_backoff backoff);
void kmesos_tasks_free(kmesos_tasks *reg);
/* Adds a pending slot for instance of workload. NULL on no memory. */
kmesos_task *kmesos_tasks_add(kmesos_tasks *reg, const kmesos_workload *w, int instance,
                              uint64_t now_ms);
/* Adds a slot known from saved state under its old task id (phase
 * LAUNCHING until reconciliation tells). */
kmesos_task *kmesos_tasks_restore(kmesos_tasks *reg, const kmesos_workload *w,
                                  int instance, const char *task_id,
                                  const char *agent_id, uint64_t now_ms);
kmesos_task *kmesos_tasks_find(kmesos_tasks *reg, const char *task_id);
/* Marks the slot launched on an agent (ACCEPT sent). */
int kmesos_tasks_launched(kmesos_tasks *reg, kmesos_task *t, const char *agent_id,
                          const char *hostname, uint64_t now_ms);

typedef enum kmesos_update_result {
    KMESOS_UPDATE_IGNORED = 0,  /* unknown task or stale update */
    KMESOS_UPDATE_ACTIVE = 1,   /* task is (still) alive */
    KMESOS_UPDATE_RELAUNCH = 2, /* terminal; the slot is pending again */
    KMESOS_UPDATE_DONE = 3,     /* terminal; the slot is done */
} kmesos_update_result;

/* Applies a status update (TaskState value, message may be NULL; reason:
 * the TaskStatus reason, -1 when none). What each state means for the
 * slot (Mesos' partition-aware semantics, docs/kafka.md):
 * - UNREACHABLE: may come back: the slot keeps the task (unreachable_ms);
 * - UNKNOWN, or LOST for reconciliation ("task is unknown" to a master
 *   that failed over): the same for a task that ran; terminal for one
 *   that never did (its launch was lost);
 * - GONE, GONE_BY_OPERATOR: the agent and the task are gone: replaced at
 *   once, not counted as a failure of the task;
 * - DROPPED, LOST (other reasons), FAILED, ERROR: a failure (counted,
 *   relaunch after the backoff); FINISHED, KILLED as the restart rule says.
 * A task that comes back to RUNNING becomes reachable again. */
kmesos_update_result kmesos_tasks_update(kmesos_tasks *reg, const char *task_id, int state,
                                         int reason, const char *agent_id, const char *message,
                                         uint64_t now_ms);
/* True if the state says the task is gone for good for the scheduler
 * (Mesos-terminal; TASK_UNKNOWN and UNREACHABLE are not, see above). */
int kmesos_task_state_terminal(int state);
/* 1 for GONE and GONE_BY_OPERATOR: the agent is gone with its tasks (and
 * whatever data they kept there). */
int kmesos_task_state_agent_gone(int state);
/* The slot gives up a task that stayed unreachable: a failure of the task
 * (counted, the slot pending again after its relaunch backoff, or done
 * when its workload gives up) under a fresh id; the old task, if it comes
 * back, is adopted while the slot is still pending, else killed. Returns
 * RELAUNCH or DONE, as an update would. */
kmesos_update_result kmesos_tasks_give_up(kmesos_tasks *reg, kmesos_task *t, const char *why,
                                          uint64_t now_ms);
/* A pending slot takes back a task of its own that came back (an update
 * for an id it gave up): the slot runs under that id again, on that agent.
 * 0, or -1 on no memory. */
int kmesos_tasks_adopt(kmesos_tasks *reg, kmesos_task *t, const char *task_id, int state,
                       const char *agent_id, uint64_t now_ms);
/* Splits a task id "<workload>-<instance>-<seq>" (as the registry makes
 * them). 0, or -1 when it is not such an id or the name does not fit. */
/* The largest id counter taken from a restored or adopted task id (what
 * the state can hold exactly); an id with a larger number leaves the
 * counter alone, so that a hostile id cannot wrap it. */
#define KMESOS_TASKS_SEQ_MAX ((uint64_t)1 << 53)
/* How far ahead of the id counter the saved task_seq reaches. */
#define KMESOS_TASKS_SEQ_BLOCK 1000
/* The task_seq a save writes now: past every id handed out. */
uint64_t kmesos_tasks_seq_mark(const kmesos_tasks *reg);
/* Records that a state holding task_seq = mark was written. */
void kmesos_tasks_seq_saved(kmesos_tasks *reg, uint64_t mark);
/* May the slot launch under the id reservation? 1 without seq_gate, or
 * when its id is covered by a written task_seq. */
int kmesos_tasks_id_saved(const kmesos_tasks *reg, const kmesos_task *t);

int kmesos_tasks_parse_id(const char *task_id, char *workload, size_t n, int *instance,
                          uint64_t *seq);
/* Number of slots that want an offer now or later. */
size_t kmesos_tasks_pending(const kmesos_tasks *reg);
/* Marks a slot stopped on request (no relaunch). */
void kmesos_tasks_stop(kmesos_tasks *reg, kmesos_task *t);
/* Makes a stopped or done slot pending again under a fresh task id, with
 * its failure count reset. 0, or -1 on no memory. */
int kmesos_tasks_requeue(kmesos_tasks *reg, kmesos_task *t, uint64_t now_ms);
/* "pending", "launching", "active", "done" or "stopped". */
const char *kmesos_phase_name(kmesos_phase p);
/* The slot as the API and the CLI show it: id, workload, instance, phase,
 * state, hostname, endpoint (when given), agent id, waiting reason, last
 * failure, attempts, failures. json null for a NULL slot. */
json_t *kmesos_task_json(const kmesos_task *t, const char *endpoint);
/* Tells lazy readers that slots changed in a way the registry cannot see
 * (their workload was replaced). */
void kmesos_tasks_touch(kmesos_tasks *reg);
/* Removes a slot from the registry and frees it. */
void kmesos_tasks_remove(kmesos_tasks *reg, kmesos_task *t);
/* The relaunch delay after `failures` consecutive failures of t: its
 * workload's backoff when it has one, else the registry's. */
uint64_t kmesos_tasks_backoff_ms(const kmesos_tasks *reg, const kmesos_task *t, int failures);

#endif
