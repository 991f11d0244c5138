/* scheduler: the framework's brain, between the session (events in,
 * calls out) and the offer book, task registry, policy boundary and
 * launcher. It never speaks HTTP: it gets decoded events and hands built
 * Calls to an io.send callback, which makes it testable with recorded
 * events alone. Rules it keeps:
 *   - every offer is answered exactly once: ACCEPT (tasks placed on it),
 *     DECLINE (batched, with refuse_seconds), or held while a policy said
 *     "wait" and declined when --offer-hold runs out; rescinds drop it;
 *   - every update that carries a uuid is acknowledged;
 *   - after every (re)subscribe: explicit RECONCILE of known tasks, then
 *     implicit; REVIVE when tasks are pending, SUPPRESS when none are;
 *   - a slot stopped on request that turns out alive is killed again.
 * Workloads are individually allocated and owned by the scheduler (tasks
 * point at them); they are added, replaced and removed at runtime. A
 * workload built by a module (ext != NULL, e.g. a Kafka broker) is placed
 * and launched through that module's hooks (kmesos_scheduler_ext). */
#ifndef KMESOS_SCHEDULER_H
#define KMESOS_SCHEDULER_H
#include <stddef.h>
#include <stdint.h>

#include "mesos/v1/scheduler/scheduler.pb-c.h"
#include "sched/calls.h"
#include "sched/candidates.h"
#include "sched/decide.h"
#include "sched/jobs.h"
#include "sched/launcher.h"
#include "sched/offers.h"
#include "sched/tasks.h"
#include "sched/topology.h"
#include "sched/workload.h"

/* The scheduler's only boundary: tests and a simulator drive the core
 * through it, the program plugs in the session's sender and its clocks. */
typedef struct kmesos_scheduler_io {
    void *arg;
    /* Sends a call (0 when it went out); the scheduler frees it after send
     * returns. Gets send_arg when that is set, else arg. NULL: nothing to
     * send through yet (the call is dropped and logged). */
    int (*send)(void *arg, kmesos_call *call);
    uint64_t (*now_ms)(void *arg);  /* monotonic milliseconds */
    double (*now_s)(void *arg);     /* wall clock, epoch seconds */
    /* The set of tasks or the framework id changed (persist it). */
    void (*changed)(void *arg);
    /* Monotonic microseconds, for the offer-to-ACCEPT measure only; NULL:
     * now_ms * 1000 (the loop's clock, too coarse on loopback). */
    uint64_t (*now_us)(void *arg);
    /* send's own argument when not NULL (the session: send is then
     * kmesos_session_send), so calls go straight to the sender. */
    void *send_arg;
} kmesos_scheduler_io;

typedef struct kmesos_scheduler_config {
    /* an offer that got only "wait" answers is declined at once with
     * wait_refuse_s (short: at most one allocation interval, so a waiting
     * task sees the agent again soon) unless a verdict asked for a hold;
     * offer_hold_s > 0 holds every such offer that long (the operator's
     * choice; it keeps slots from other jobs) */
    double offer_hold_s;
    double wait_refuse_s;
    double decline_refuse_s; /* refuse_seconds of plain declines */
    int no_suppress;         /* never SUPPRESS (offers keep coming, declined) */
    const char *rack_attribute; /* agent attribute naming its rack (NULL: "rack") */
    /* how long a task that is unreachable (or unknown to a master that just
     * failed over) keeps its slot before a replacement is launched: a
     * second copy of a broker is worse than a short outage */
    double unreachable_grace_s;
    double accept_refuse_s;  /* refuse_seconds for what an ACCEPT leaves */
    kmesos_relaunch_backoff backoff;  /* relaunch delays */
} kmesos_scheduler_config;

/* Upper bounds (microseconds) of the offer -> ACCEPT latency histogram's
 * buckets (/metrics: kmesos_decide_latency_seconds); one more bucket
 * counts what is above the last. */
#define KMESOS_DECIDE_BUCKETS 16
#define KMESOS_DECIDE_BOUNDS_US                                                          \
    {100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,       \
     1000000, 5000000, 30000000, 120000000}

typedef struct kmesos_scheduler_stats {
    uint64_t events, offers_received, offers_accepted, offers_declined, offers_held;
    uint64_t offers_rescinded, tasks_launched, updates, acks, reconciles;
    uint64_t revives, suppresses, unknown_events;
    uint64_t decide_us_total, decide_us_max, decide_count; /* offer -> ACCEPT */
    uint64_t launched_at[4];    /* launches by kmesos_locality: node, rack, any, none */
    uint64_t hold_expiries;     /* held offers declined when their hold ran out */
    uint64_t decide_hist[KMESOS_DECIDE_BUCKETS + 1]; /* offer -> ACCEPT by bucket (not
                                                      * cumulative; last: above all) */
} kmesos_scheduler_stats;

/* Counts one offer -> ACCEPT latency in the histogram. */
static inline void kmesos_scheduler_decide_observe(kmesos_scheduler_stats *st, uint64_t us)
{
    static const uint64_t bounds[KMESOS_DECIDE_BUCKETS] = KMESOS_DECIDE_BOUNDS_US;
    size_t i = 0;
    while (i < KMESOS_DECIDE_BUCKETS && us > bounds[i])
        i++;
    st->decide_hist[i]++;
}

/* Hooks of the module that owns workloads with ext != NULL. */
typedef struct kmesos_scheduler_ext {
    void *arg;
    /* Before the policies: may task go on offer (ports already taken by
     * earlier tasks of this offer in pc)? Leave v an accept to go on. */
    void (*gate)(void *arg, const kmesos_task *t, const kmesos_offer *o,
                 const kmesos_port_cursor *pc, kmesos_verdict *v);
    /* The TaskInfo of an accepted pair (NULL: cannot build it). */
    Mesos__V1__TaskInfo *(*task_info)(void *arg, const kmesos_task *t, const kmesos_offer *o,
                                      kmesos_port_cursor *pc);
    /* After a status update of such a task was applied. */
    void (*on_update)(void *arg, kmesos_task *t, int state, const char *message,
                      kmesos_update_result r);
    /* Where such a task serves ("host:port" into buf), or 0 when it does
     * not (yet); may be NULL. */
    int (*endpoint)(void *arg, const kmesos_task *t, char *buf, size_t n);
    /* Called once after each event and each tick, when the scheduler is
     * not inside any handler: the module may change workloads now (what
     * on_update asked for is done here, never from inside on_update).
     * May be NULL. */
    void (*settle)(void *arg);
    /* Offer operations (RESERVE, CREATE...) the accepted task t needs
     * before its LAUNCH, appended to *ops (owned by the caller from then
     * on). 0, or -1 (no memory: the task is not launched). May be NULL. */
    int (*operations)(void *arg, const kmesos_task *t, const kmesos_offer *o,
                      Mesos__V1__Offer__Operation ***ops, size_t *n);
    /* Before any task is asked about offer o: operations of the module
     * alone on it (DESTROY, UNRESERVE), appended to *ops; the offer is
     * then accepted with them. May be NULL. */
    int (*offer_operations)(void *arg, const kmesos_offer *o, Mesos__V1__Offer__Operation ***ops,
                            size_t *n);
    /* 1 while the module needs offers even with no task pending (no
     * SUPPRESS, no blind DECLINE). May be NULL. */
    int (*wants_offers)(void *arg);
    /* UPDATE_OPERATION_STATUS of an operation with an id; ok: FINISHED,
     * 0: ERROR, FAILED, DROPPED... with the master's message. May be NULL. */
    void (*on_operation)(void *arg, const char *operation_id, int ok, const char *message);
} kmesos_scheduler_ext;

typedef struct kmesos_scheduler {
    kmesos_scheduler_config cfg;
    kmesos_scheduler_io io;
    kmesos_offers offers;
    kmesos_tasks tasks;
    kmesos_decider decider;
    kmesos_topology topology;    /* agents' hosts and racks (GET_AGENTS, offers) */
    kmesos_jobs jobs;            /* per-workload wait clocks and counts */
    kmesos_candidates cand;      /* pending slots by preferred agent/host/rack */
    struct kmesos_trace *trace;  /* --trace: placement as JSON lines; NULL: off (not owned) */
    kmesos_workload **workloads; /* each allocated on its own */
    size_t n_workloads;
    kmesos_scheduler_ext ext;
    char *framework_id;
    int subscribed;
    int suppressed;
    /* when the last OFFERS event came and the last REVIVE went (io
     * clock, ms): a REVIVE lost on its way (the call failed) is sent
     * again when slots wait and no offer came for a while */
    uint64_t offers_at_ms, revive_at_ms;
    /* since the last REVIVE: the slots pending it logged, and the most
     * pending since (updates come one event at a time; the tick logs the
     * count again when it grew) */
    size_t revive_logged, revive_peak;
    int replace_held; /* re-place held offers after this OFFERS event */
    uint64_t workload_gen; /* last kmesos_workload.generation given */
    kmesos_scheduler_stats stats;
} kmesos_scheduler;

void kmesos_scheduler_config_defaults(kmesos_scheduler_config *cfg);
/* Takes ownership of the workloads array (its entries are moved into
 * objects of their own; the array is freed). 0, or -1 on no memory. */
int kmesos_scheduler_init(kmesos_scheduler *s, const kmesos_scheduler_config *cfg,
                          const kmesos_scheduler_io *io, kmesos_workload *workloads,
                          size_t n_workloads);
/* Adds a heap-allocated workload (owned from now on, also on failure)
 * with pending slots for its instances. 0; -1 on no memory or a name
 * already in use. */
int kmesos_scheduler_add_workload(kmesos_scheduler *s, kmesos_workload *w);
/* Adds a workload (owned) without creating slots: for loading saved
 * state, whose tasks are restored before kmesos_scheduler_fill_slots. */
int kmesos_scheduler_adopt_workload(kmesos_scheduler *s, kmesos_workload *w);
/* Puts nw (owned from now on) in the place of the workload of the same
 * name: its tasks point at nw, missing instances get pending slots,
 * surplus ones are dropped (pending) or stopped and killed (running).
 * The old object is freed after nw exists, so no address is reused. 0,
 * or -1 (no such workload; nw is freed). */
int kmesos_scheduler_replace_workload(kmesos_scheduler *s, kmesos_workload *nw);
/* Adds w, or replaces the workload of the same name. Same ownership and
 * return as add/replace. */
int kmesos_scheduler_put_workload(kmesos_scheduler *s, kmesos_workload *w);
/* Removes a workload and its slots (killing the running ones). */
int kmesos_scheduler_remove_workload(kmesos_scheduler *s, const char *name);
/* Makes a stopped or done slot pending again (fresh task id). */
int kmesos_scheduler_requeue(kmesos_scheduler *s, kmesos_task *t);
/* Kills a running task so that it is relaunched at once (a restart). */
int kmesos_scheduler_restart_task(kmesos_scheduler *s, kmesos_task *t);
/* The slot of instance of the named workload, or NULL. */
kmesos_task *kmesos_scheduler_slot(const kmesos_scheduler *s, const kmesos_workload *w,
                                   int instance);
/* SUPPRESS/REVIVE as the pending set asks (after a change made outside
 * of events, e.g. through the API). */
void kmesos_scheduler_update_interest(kmesos_scheduler *s);
void kmesos_scheduler_free(kmesos_scheduler *s);
/* Creates the pending slots of every workload instance that has none
 * (call after restoring saved tasks). */
int kmesos_scheduler_fill_slots(kmesos_scheduler *s);
/* Finds a workload by name. */
const kmesos_workload *kmesos_scheduler_workload(const kmesos_scheduler *s, const char *name);
void kmesos_scheduler_set_framework_id(kmesos_scheduler *s, const char *id);
void kmesos_scheduler_on_subscribed(kmesos_scheduler *s, const char *framework_id);
void kmesos_scheduler_on_event(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event *ev);
/* kmesos_scheduler_on_event as an event callback (scheduler = the
 * kmesos_scheduler): the session's handler.on_event. */
void kmesos_scheduler_feed(void *scheduler, const Mesos__V1__Scheduler__Event *ev);
/* The stream is gone: the master rescinds our offers, so drop the book. */
void kmesos_scheduler_on_disconnected(kmesos_scheduler *s);
/* Periodic work: held offers, backoff expiry, SUPPRESS/REVIVE. */
void kmesos_scheduler_tick(kmesos_scheduler *s);
/* Declines every offer still in the book (clean shutdown). */
void kmesos_scheduler_release_offers(kmesos_scheduler *s);
/* Kills a task on request and keeps its slot from relaunching. */
int kmesos_scheduler_kill(kmesos_scheduler *s, const char *task_id);

#endif
