/* decide: the one function boundary between the scheduler and placement
 * policy. The scheduler proposes (offer, task) pairs; decide first checks
 * in C that the task's resources fit what is left of the offer (cheap and
 * never worth a policy call), then asks the pluggable evaluator (the Lua
 * policy host; by default: accept) for a verdict. The same evaluator may
 * also hear of every applied status update and of every tick, so that a
 * policy's on_status/on_tick hooks are fed from the scheduler itself.
 * Neither side sees the session or protobuf: only the offer-book entry
 * and the task slot. */
#ifndef KMESOS_DECIDE_H
#define KMESOS_DECIDE_H
#include <stdint.h>

#include "sched/offers.h"
#include "sched/tasks.h"

typedef enum kmesos_verdict_kind {
    KMESOS_VERDICT_ACCEPT = 0,
    KMESOS_VERDICT_DECLINE = 1,
    KMESOS_VERDICT_WAIT = 2,
} kmesos_verdict_kind;

typedef struct kmesos_verdict {
    kmesos_verdict_kind kind;
    double refuse_seconds; /* < 0: use the scheduler's default */
    /* "wait" only: keep the offer up to this many seconds instead of
     * declining it at once (< 0: no hold asked; e.g. a group of tasks that
     * must launch together on offers that arrive one by one) */
    double hold_s;
    int unfit;             /* declined in C: the task does not fit what is left */
    /* set by a module's gate with an accept: the task runs on resources
     * the module reserved (not in the book's counts); the fit and the
     * policies are not asked */
    int own_resources;
    char reason[256];
} kmesos_verdict;

/* What is left of an offer while tasks are being placed on it. */
typedef struct kmesos_remaining {
    double cpus, mem, disk;
    uint64_t ports; /* ports still free */
} kmesos_remaining;

typedef struct kmesos_decide_ctx {
    double now_s;              /* epoch seconds */
    uint64_t now_ms;           /* loop clock */
} kmesos_decide_ctx;

/* A policy evaluator: fills out for the pair; must not keep pointers. */
typedef void (*kmesos_evaluate_fn)(void *impl, const kmesos_offer *offer,
                                   const kmesos_task *task, const kmesos_decide_ctx *ctx,
                                   kmesos_verdict *out);

/* The evaluator's optional hooks. status: a task's status update was
 * applied (task is its slot, or NULL when no slot has that id; state is
 * the Mesos name, "TASK_RUNNING"; message may be NULL). tick: once per
 * scheduler tick, subscribed or not. now_s is epoch seconds. */
typedef void (*kmesos_status_fn)(void *impl, const kmesos_task *task, const char *task_id,
                                 const char *state, const char *message, double now_s);
typedef void (*kmesos_tick_fn)(void *impl, double now_s);
/* A task was launched on an offer (its TaskInfo is in the ACCEPT). */
typedef void (*kmesos_launch_fn)(void *impl, const kmesos_offer *offer, const kmesos_task *task,
                                 const kmesos_decide_ctx *ctx);

typedef struct kmesos_decider {
    kmesos_evaluate_fn evaluate; /* NULL: accept whatever fits */
    kmesos_status_fn status;     /* NULL: not told */
    kmesos_tick_fn tick;         /* NULL: not told */
    kmesos_launch_fn launched;   /* NULL: not told */
    void *impl;
    uint64_t evaluations;
    uint64_t accepts, declines, waits;
} kmesos_decider;

/* An evaluator without hooks (status and tick NULL); counters zeroed. */
void kmesos_decider_init(kmesos_decider *d, kmesos_evaluate_fn evaluate, void *impl);
void kmesos_remaining_init(kmesos_remaining *r, const kmesos_offer *o);
/* Decides one pair. */
void kmesos_decide(kmesos_decider *d, const kmesos_offer *offer,
                   const kmesos_remaining *left, const kmesos_task *task,
                   const kmesos_decide_ctx *ctx, kmesos_verdict *out);
/* 1 when the task fits what is left of the offer (no policy asked). */
int kmesos_remaining_fits(const kmesos_remaining *r, const kmesos_task *task);
/* Takes the task's resources from what is left. */
void kmesos_remaining_take(kmesos_remaining *r, const kmesos_task *task);
const char *kmesos_verdict_name(kmesos_verdict_kind k);

#endif
