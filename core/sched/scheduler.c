/* scheduler: the framework's core, between the session (events in,
 * calls out through io.send) and the offer book, task registry, policy
 * boundary and launcher.
 *
 * kmesos_scheduler_on_event takes each decoded event and routes it: OFFERS
 * to placement (place.c), RESCIND and agent FAILUREs to the offer book,
 * UPDATEs to the task registry (acknowledged when they carry a uuid; a
 * slot stopped on request that turns out alive is killed again; the
 * owning module's hook and then the policy host's status hook are told,
 * in that order, all here), INVERSE_OFFERS are declined. A subscription
 * starts with an explicit RECONCILE of the tasks we know, then an
 * implicit one, and a REVIVE; a lost stream drops the book (the master
 * rescinds our offers). The one-second tick runs the policies' on_tick,
 * then declines or re-places held offers. SUPPRESS/REVIVE and workload
 * changes are the workload manager's (manager.c). */
#include "sched/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/wstatus.h"
#include "sched/scheduler_int.h"
#include "sched/trace.h"

#define MOD "scheduler"

void kmesos_scheduler_config_defaults(kmesos_scheduler_config *cfg)
{
    cfg->offer_hold_s = 0;
    cfg->wait_refuse_s = 0;
    cfg->decline_refuse_s = 5;
    cfg->rack_attribute = NULL;
    cfg->unreachable_grace_s = 120;
    cfg->accept_refuse_s = 1;
    cfg->no_suppress = 0;
    cfg->backoff.base_ms = 1000;
    cfg->backoff.max_ms = 60000;
}

int kmesos_scheduler_init(kmesos_scheduler *s, const kmesos_scheduler_config *cfg,
                          const kmesos_scheduler_io *io, kmesos_workload *workloads,
                          size_t n_workloads)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->io = *io;
    kmesos_offers_init(&s->offers);
    kmesos_tasks_init(&s->tasks, cfg->backoff);
    kmesos_decider_init(&s->decider, NULL, NULL);
    kmesos_jobs_init(&s->jobs);
    kmesos_candidates_init(&s->cand);
    int rc = kmesos_topology_init(&s->topology, cfg->rack_attribute);
    s->cfg.rack_attribute = NULL; /* the topology keeps its own copy */
    s->workloads = calloc(n_workloads ? n_workloads : 1, sizeof *s->workloads);
    for (size_t i = 0; i < n_workloads; i++) {
        kmesos_workload *w = s->workloads ? malloc(sizeof *w) : NULL;
        if (!w) {
            kmesos_workload_free(&workloads[i]);
            rc = -1;
            continue;
        }
        *w = workloads[i];
        w->generation = ++s->workload_gen;
        s->workloads[s->n_workloads++] = w;
    }
    free(workloads);
    return rc;
}

void kmesos_scheduler_free(kmesos_scheduler *s)
{
    kmesos_offers_free(&s->offers);
    kmesos_candidates_free(&s->cand);
    kmesos_tasks_free(&s->tasks);
    kmesos_jobs_free(&s->jobs);
    kmesos_topology_free(&s->topology);
    for (size_t i = 0; i < s->n_workloads; i++)
        kmesos_workload_destroy(s->workloads[i]);
    free(s->workloads);
    free(s->framework_id);
    memset(s, 0, sizeof *s);
}

void kmesos_scheduler_set_framework_id(kmesos_scheduler *s, const char *id)
{
    if (s->framework_id && id && strcmp(s->framework_id, id) == 0)
        return;
    free(s->framework_id);
    s->framework_id = id ? strdup(id) : NULL;
}

/* ---- subscription and reconciliation --------------------------------------- */

static void reconcile(kmesos_scheduler *s)
{
    size_t n = 0, cap = s->tasks.count;
    const char **ids = calloc(cap ? cap : 1, sizeof *ids);
    const char **agents = calloc(cap ? cap : 1, sizeof *agents);
    for (kmesos_task *t = s->tasks.by_id; ids && agents && t; t = t->hh.next) {
        if (t->phase == KMESOS_PHASE_LAUNCHING || t->phase == KMESOS_PHASE_ACTIVE ||
            t->phase == KMESOS_PHASE_STOPPED) {
            ids[n] = t->id;
            agents[n++] = t->agent_id;
        }
    }
    if (n)
        kmesos_sched_send(s, kmesos_call_reconcile(ids, agents, n));
    kmesos_sched_send(s, kmesos_call_reconcile(NULL, NULL, 0));
    s->stats.reconciles++;
    KLOG_INFO(MOD, "RECONCILE: %zu known task(s) explicitly, then implicit", n);
    free(ids);
    free(agents);
}

void kmesos_scheduler_on_subscribed(kmesos_scheduler *s, const char *framework_id)
{
    int changed_id = !s->framework_id || strcmp(s->framework_id, framework_id) != 0;
    kmesos_scheduler_set_framework_id(s, framework_id);
    s->subscribed = 1;
    s->suppressed = 0;
    if (changed_id)
        kmesos_sched_changed(s);
    reconcile(s);
    kmesos_sched_interest(s, 1);
}

void kmesos_scheduler_on_disconnected(kmesos_scheduler *s)
{
    size_t n = s->offers.count;
    s->subscribed = 0;
    kmesos_offer *o, *tmp;
    HASH_ITER(hh, s->offers.by_id, o, tmp) kmesos_offers_rescind(&s->offers, o->id);
    s->stats.offers_rescinded += n;
    if (n)
        KLOG_INFO(MOD, "stream lost: %zu outstanding offer(s) dropped (the master rescinds them)", n);
}

/* ---- offers ---------------------------------------------------------------- */

static void on_offers(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event__Offers *ev)
{
    s->offers_at_ms = s->io.now_ms(s->io.arg);
    kmesos_place_offers(s, ev);
    kmesos_sched_interest(s, 0);
}

void kmesos_scheduler_release_offers(kmesos_scheduler *s) { kmesos_place_release(s); }

/* The ext module's turn once a handler is over (kmesos_scheduler_ext). */
static void settle(kmesos_scheduler *s)
{
    if (s->ext.settle)
        s->ext.settle(s->ext.arg);
}

void kmesos_scheduler_tick(kmesos_scheduler *s)
{
    if (s->decider.tick)
        s->decider.tick(s->decider.impl, s->io.now_s(s->io.arg));
    kmesos_trace_flush(s->trace);
    if (!s->subscribed)
        return;
    kmesos_sched_give_up_unreachable(s);
    kmesos_place_held(s);
    kmesos_sched_interest(s, 0);
    kmesos_sched_interest_log(s);
    settle(s);
}

/* ---- status updates -------------------------------------------------------- */

static void acknowledge(kmesos_scheduler *s, const Mesos__V1__TaskStatus *st)
{
    if (!st->has_uuid || st->uuid.len == 0)
        return; /* reconciliation and master-generated updates carry none */
    if (!st->agent_id) {
        KLOG_WARN(MOD, "update for %s has a uuid but no agent id: cannot acknowledge",
                  st->task_id->value);
        return;
    }
    kmesos_sched_send(s, kmesos_call_acknowledge(st->agent_id->value, st->task_id->value,
                                         st->uuid.data, st->uuid.len));
    s->stats.acks++;
}

/* Tells the evaluator (the policy host's on_status hooks) about an
 * update, after everything else: the slot as it is now, or NULL. */
static void report_status(kmesos_scheduler *s, const Mesos__V1__TaskStatus *st)
{
    if (!s->decider.status)
        return;
    const char *id = st->task_id->value;
    s->decider.status(s->decider.impl, kmesos_tasks_find(&s->tasks, id), id,
                      kmesos_task_state_name(st->state), st->message, s->io.now_s(s->io.arg));
}

/* 1 when the state says the task runs (or is about to, or is being
 * killed): a task of that id no slot runs is adopted or killed. An
 * unreachable or unknown one is left alone until it says more. */
static int alive(int state)
{
    return state == MESOS__V1__TASK_STATE__TASK_STAGING ||
           state == MESOS__V1__TASK_STATE__TASK_STARTING ||
           state == MESOS__V1__TASK_STATE__TASK_RUNNING ||
           state == MESOS__V1__TASK_STATE__TASK_KILLING;
}

/* An offer operation's status: for the module that gave it an id. */
static void on_operation(kmesos_scheduler *s, const Mesos__V1__OperationStatus *st)
{
    if (!st || !st->operation_id || !st->operation_id->value)
        return;
    int ok = st->state == MESOS__V1__OPERATION_STATE__OPERATION_FINISHED;
    int pending = st->state == MESOS__V1__OPERATION_STATE__OPERATION_PENDING;
    KLOG_INFO(MOD, "operation %s: state %d%s%s", st->operation_id->value, (int)st->state,
              st->message ? ": " : "", st->message ? st->message : "");
    if (!pending && s->ext.on_operation)
        s->ext.on_operation(s->ext.arg, st->operation_id->value, ok, st->message);
}

static void on_update(kmesos_scheduler *s, const Mesos__V1__TaskStatus *st)
{
    s->stats.updates++;
    const char *agent = st->agent_id ? st->agent_id->value : NULL;
    KLOG_INFO(MOD, "task %s is %s%s%s%s%s", st->task_id->value, kmesos_task_state_name(st->state),
              st->has_reason ? " " : "",
              st->has_reason ? kmesos_protocol_enum_name(&mesos__v1__task_status__reason__descriptor,
                                                         st->reason)
                             : "",
              st->message ? ": " : "", st->message ? st->message : "");
    kmesos_trace_update(s->trace, s->io.now_ms(s->io.arg), st->task_id->value,
                        kmesos_task_state_name(st->state));
    kmesos_task *t = kmesos_tasks_find(&s->tasks, st->task_id->value);
    int was_unreachable = t && t->unreachable_ms, had_run = t && t->ran;
    kmesos_update_result r =
        kmesos_tasks_update(&s->tasks, st->task_id->value, st->state,
                            st->has_reason ? (int)st->reason : -1, agent, st->message,
                            s->io.now_ms(s->io.arg));
    acknowledge(s, st);
    if (!t && alive(st->state) &&
        (t = kmesos_sched_adopt_or_kill(s, st->task_id->value, st->state, agent)) != NULL)
        r = KMESOS_UPDATE_ACTIVE;
    if (r == KMESOS_UPDATE_ACTIVE && t && t->phase == KMESOS_PHASE_STOPPED &&
        st->state != MESOS__V1__TASK_STATE__TASK_KILLING) {
        KLOG_INFO(MOD, "task %s was stopped but is %s: killing it", t->id,
                  kmesos_task_state_name(st->state));
        kmesos_sched_send(s, kmesos_call_kill(t->id, t->agent_id));
    }
    if (t && r != KMESOS_UPDATE_IGNORED && t->workload->ext && s->ext.on_update)
        s->ext.on_update(s->ext.arg, t, st->state, st->message, r);
    if (r == KMESOS_UPDATE_RELAUNCH || r == KMESOS_UPDATE_DONE ||
        (t && ((t->unreachable_ms != 0) != was_unreachable || t->ran != had_run)))
        kmesos_sched_changed(s); /* the state records both (unreachable, ran) */
    if (r == KMESOS_UPDATE_RELAUNCH)
        kmesos_sched_interest(s, 0);
    report_status(s, st);
}

static void on_inverse_offers(kmesos_scheduler *s,
                              const Mesos__V1__Scheduler__Event__InverseOffers *ev)
{
    const char **ids = calloc(ev->n_inverse_offers ? ev->n_inverse_offers : 1, sizeof *ids);
    if (!ids)
        return;
    for (size_t i = 0; i < ev->n_inverse_offers; i++)
        ids[i] = ev->inverse_offers[i]->id->value;
    kmesos_sched_send(s, kmesos_call_decline_inverse(ids, ev->n_inverse_offers));
    free(ids);
}

static void on_failure(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event__Failure *f)
{
    if (f->agent_id && !f->executor_id) {
        size_t n = kmesos_offers_remove_agent(&s->offers, f->agent_id->value);
        s->stats.offers_rescinded += n;
        kmesos_topology_forget(&s->topology, f->agent_id->value); /* its host keeps its rack */
        KLOG_WARN(MOD, "agent %s lost (%zu offer(s) dropped)", f->agent_id->value, n);
    } else if (f->executor_id) {
        char how[96] = "ended (no status)";
        if (f->has_status)
            kmesos_wstatus_raw_text(f->status, how, sizeof how);
        KLOG_WARN(MOD, "executor %s on agent %s %s", f->executor_id->value,
                  f->agent_id ? f->agent_id->value : "?", how);
    }
}

void kmesos_scheduler_on_event(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event *ev)
{
    s->stats.events++;
    switch (ev->type) {
    case MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS:
        if (ev->offers)
            on_offers(s, ev->offers);
        break;
    case MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND:
        if (ev->rescind && kmesos_offers_rescind(&s->offers, ev->rescind->offer_id->value))
            s->stats.offers_rescinded++;
        break;
    case MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE:
        if (ev->update)
            on_update(s, ev->update->status);
        break;
    case MESOS__V1__SCHEDULER__EVENT__TYPE__INVERSE_OFFERS:
        if (ev->inverse_offers)
            on_inverse_offers(s, ev->inverse_offers);
        break;
    case MESOS__V1__SCHEDULER__EVENT__TYPE__FAILURE:
        if (ev->failure)
            on_failure(s, ev->failure);
        break;
    case MESOS__V1__SCHEDULER__EVENT__TYPE__MESSAGE:
        KLOG_INFO(MOD, "MESSAGE from executor %s (%zu bytes)",
                  ev->message ? ev->message->executor_id->value : "?",
                  ev->message ? ev->message->data.len : 0);
        break;
    case MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED:
    case MESOS__V1__SCHEDULER__EVENT__TYPE__HEARTBEAT:
    case MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND_INVERSE_OFFER:
    case MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE_OPERATION_STATUS:
        if (ev->update_operation_status)
            on_operation(s, ev->update_operation_status->status);
        break;
    case MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR:
        break;
    default:
        s->stats.unknown_events++;
        KLOG_WARN(MOD, "unknown event type %d skipped", (int)ev->type);
        break;
    }
    settle(s);
}

void kmesos_scheduler_feed(void *scheduler, const Mesos__V1__Scheduler__Event *ev)
{
    kmesos_scheduler_on_event(scheduler, ev);
}
