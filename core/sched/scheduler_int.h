/* scheduler_int: the scheduler core's private parts, shared by
 * scheduler.c (events in, tick, subscription), place.c (placing offers)
 * and manager.c (the workload manager: workloads, slots, SUPPRESS/REVIVE).
 * The three implement scheduler.h; scheduler.c calls the other two and
 * they call neither it nor each other, so the core has no circle. Not for
 * other modules. */
#ifndef KMESOS_SCHEDULER_INT_H
#define KMESOS_SCHEDULER_INT_H
#include <stdint.h>

#include "codec/log.h"
#include "codec/pb.h"
#include "codec/protocol.h"
#include "sched/scheduler.h"

/* ---- the io boundary, as every part of the core uses it ---- */

/* Sends a call through io.send and frees it (NULL: out of memory). */
static inline void kmesos_sched_send(kmesos_scheduler *s, kmesos_call *call)
{
    if (!call) {
        KLOG_ERROR("scheduler", "out of memory building a call");
        return;
    }
    void *arg = s->io.send_arg ? s->io.send_arg : s->io.arg;
    if (!s->io.send || s->io.send(arg, call) != 0)
        KLOG_WARN("scheduler", "%s call could not be sent",
                  kmesos_sched_call_type_name(call->type));
    kmesos_pb_free(call);
}

/* The set of tasks or the framework id changed (persist it). */
static inline void kmesos_sched_changed(kmesos_scheduler *s)
{
    if (s->io.changed)
        s->io.changed(s->io.arg);
}

/* Monotonic microseconds, for the offer-to-ACCEPT measure. */
static inline uint64_t kmesos_sched_now_us(const kmesos_scheduler *s)
{
    return s->io.now_us ? s->io.now_us(s->io.arg) : s->io.now_ms(s->io.arg) * 1000;
}

/* ---- place.c ---- */
/* Puts the offers of an OFFERS event in the book and answers each: ACCEPT
 * with the tasks placed on it, hold it (only "wait" verdicts), or DECLINE
 * (batched); then re-places held offers when a module asked for it. */
void kmesos_place_offers(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event__Offers *ev);
/* Tick: declines held offers whose hold ran out, re-places the others. */
void kmesos_place_held(kmesos_scheduler *s);
/* Declines every offer in the book. */
void kmesos_place_release(kmesos_scheduler *s);

/* ---- manager.c ---- */
/* SUPPRESS when nothing is pending (not with cfg.no_suppress), REVIVE
 * when something is and offers are suppressed (or always, with
 * force_revive). Only while subscribed. */
void kmesos_sched_interest(kmesos_scheduler *s, int force_revive);
/* Logs the pending count again when more slots became pending since the
 * REVIVE said how many (the tick calls it). */
void kmesos_sched_interest_log(kmesos_scheduler *s);
/* An update for a task id no slot runs under. A live task of ours (its id
 * names a workload instance whose slot is pending: the slot gave it up
 * after it went unreachable, or a restart lost track of it) is adopted and
 * its pending replacement withdrawn; any other live task is killed.
 * Returns the slot that adopted it, or NULL. */
kmesos_task *kmesos_sched_adopt_or_kill(kmesos_scheduler *s, const char *task_id, int state,
                                        const char *agent_id);
/* Slots whose task stayed unreachable (or unknown to the master) longer
 * than cfg.unreachable_grace_s are given up: pending under a fresh id. */
void kmesos_sched_give_up_unreachable(kmesos_scheduler *s);

#endif
