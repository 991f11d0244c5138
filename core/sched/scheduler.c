/* scheduler: see scheduler.h.
 *
 * Offers are placed one by one: each pending task (in registry order)
 * is asked through decide(); accepted tasks are packed onto the offer
 * while its remaining resources last. An offer that got tasks is
 * accepted at once (one ACCEPT per offer, since its LAUNCH names its
 * agent); one that only got "wait" verdicts stays in the book until its
 * hold runs out, and is re-placed on every tick; all others are declined
 * together in one DECLINE per refuse_seconds value. */
#include "sched/scheduler.h"

#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/log.h"
#include "codec/protocol.h"
#include "sched/launcher.h"
#include "codec/pb.h"

#define MOD "scheduler"

void kmesos_scheduler_config_defaults(kmesos_scheduler_config *cfg)
{
    cfg->offer_hold_s = 10;
    cfg->decline_refuse_s = 5;
    cfg->accept_refuse_s = 1;
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
    int rc = 0;
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
    kmesos_tasks_free(&s->tasks);
    for (size_t i = 0; i < s->n_workloads; i++)
        kmesos_workload_destroy(s->workloads[i]);
    free(s->workloads);
    free(s->framework_id);
    memset(s, 0, sizeof *s);
}

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

static void send_call(kmesos_scheduler *s, kmesos_call *call)
{
    if (!call) {
        KLOG_ERROR(MOD, "out of memory building a call");
        return;
    }
    if (s->io.send(s->io.arg, call) != 0)
        KLOG_WARN(MOD, "%s call could not be sent", kmesos_sched_call_type_name(call->type));
    kmesos_pb_free(call);
}

static void changed(kmesos_scheduler *s)
{
    if (s->io.changed)
        s->io.changed(s->io.arg);
}

void kmesos_scheduler_set_framework_id(kmesos_scheduler *s, const char *id)
{
    if (s->framework_id && id && strcmp(s->framework_id, id) == 0)
        return;
    free(s->framework_id);
    s->framework_id = id ? strdup(id) : NULL;
}

/* ---- offer interest: SUPPRESS / REVIVE ------------------------------------ */

static void update_interest(kmesos_scheduler *s, int force_revive)
{
    if (!s->subscribed)
        return;
    int wants = kmesos_tasks_pending(&s->tasks) > 0;
    if (wants && (s->suppressed || force_revive)) {
        send_call(s, kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE));
        s->suppressed = 0;
        s->stats.revives++;
        KLOG_INFO(MOD, "REVIVE: %zu task(s) pending", kmesos_tasks_pending(&s->tasks));
    } else if (!wants && !s->suppressed) {
        send_call(s, kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS));
        s->suppressed = 1;
        s->stats.suppresses++;
        KLOG_INFO(MOD, "SUPPRESS: nothing to launch");
    }
}

void kmesos_scheduler_update_interest(kmesos_scheduler *s) { update_interest(s, 0); }

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
        send_call(s, kmesos_call_kill(t->id, t->agent_id));
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
    update_interest(s, 0);
    changed(s);
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
    int rc = fill_workload(s, nw, s->io.now_ms(s->io.arg));
    update_interest(s, 0);
    changed(s);
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
            send_call(s, kmesos_call_kill(t->id, t->agent_id));
        kmesos_tasks_remove(&s->tasks, t);
    }
    memmove(&s->workloads[i], &s->workloads[i + 1],
            (s->n_workloads - (size_t)i - 1) * sizeof *s->workloads);
    s->n_workloads--;
    kmesos_workload_destroy(w);
    update_interest(s, 0);
    changed(s);
    return 0;
}

int kmesos_scheduler_requeue(kmesos_scheduler *s, kmesos_task *t)
{
    if (t->phase != KMESOS_PHASE_STOPPED && t->phase != KMESOS_PHASE_DONE)
        return 0;
    if (kmesos_tasks_requeue(&s->tasks, t, s->io.now_ms(s->io.arg)) != 0)
        return -1;
    update_interest(s, 0);
    changed(s);
    return 0;
}

int kmesos_scheduler_restart_task(kmesos_scheduler *s, kmesos_task *t)
{
    if (t->phase != KMESOS_PHASE_LAUNCHING && t->phase != KMESOS_PHASE_ACTIVE)
        return -1;
    t->restarting = 1;
    send_call(s, kmesos_call_kill(t->id, t->agent_id));
    return 0;
}

/* ---- reconciliation ------------------------------------------------------- */

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
        send_call(s, kmesos_call_reconcile(ids, agents, n));
    send_call(s, kmesos_call_reconcile(NULL, NULL, 0));
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
        changed(s);
    reconcile(s);
    update_interest(s, 1);
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

/* ---- placing offers ------------------------------------------------------- */

typedef struct decline_group {
    double refuse_s;
    const char **ids;
    size_t n;
    kmesos_offer **owned; /* taken offers, freed after the call */
} decline_group;

typedef struct decline_batch {
    decline_group groups[4];
    size_t n_groups;
} decline_batch;

static void batch_flush(kmesos_scheduler *s, decline_batch *b)
{
    for (size_t g = 0; g < b->n_groups; g++) {
        decline_group *dg = &b->groups[g];
        send_call(s, kmesos_call_decline(dg->ids, dg->n, dg->refuse_s));
        s->stats.offers_declined += dg->n;
        KLOG_DEBUG(MOD, "DECLINE %zu offer(s), refuse_seconds=%g", dg->n, dg->refuse_s);
        for (size_t i = 0; i < dg->n; i++)
            kmesos_offer_free(dg->owned[i]);
        free(dg->ids);
        free(dg->owned);
    }
    b->n_groups = 0;
}

/* Takes the offer out of the book and queues it for one DECLINE. */
static void batch_decline(kmesos_scheduler *s, decline_batch *b, kmesos_offer *o, double refuse_s)
{
    o = kmesos_offers_take(&s->offers, o->id);
    if (!o)
        return;
    decline_group *dg = NULL;
    for (size_t g = 0; g < b->n_groups && !dg; g++)
        if (b->groups[g].refuse_s == refuse_s)
            dg = &b->groups[g];
    if (!dg && b->n_groups == sizeof b->groups / sizeof b->groups[0])
        batch_flush(s, b);
    if (!dg) {
        dg = &b->groups[b->n_groups++];
        memset(dg, 0, sizeof *dg);
        dg->refuse_s = refuse_s;
    }
    const char **ids = realloc(dg->ids, (dg->n + 1) * sizeof *ids);
    kmesos_offer **owned = realloc(dg->owned, (dg->n + 1) * sizeof *owned);
    if (ids)
        dg->ids = ids;
    if (owned)
        dg->owned = owned;
    if (!ids || !owned) {
        KLOG_ERROR(MOD, "out of memory: declining offer %s alone", o->id);
        send_call(s, kmesos_call_decline((const char *const *)&o->id, 1, refuse_s));
        kmesos_offer_free(o);
        return;
    }
    dg->ids[dg->n] = o->id;
    dg->owned[dg->n++] = o;
}

typedef struct placement {
    Mesos__V1__TaskInfo **infos;
    size_t n;
    int waited;
    double refuse_s;         /* smallest refuse asked by a decline verdict */
    uint64_t backoff_end_ms; /* earliest end of a pending task's backoff, 0: none */
} placement;

static void set_reason(kmesos_task *t, const char *reason)
{
    if (t->wait_reason && strcmp(t->wait_reason, reason) == 0)
        return;
    free(t->wait_reason);
    t->wait_reason = strdup(reason);
}

static void place_task(kmesos_scheduler *s, kmesos_offer *o, kmesos_task *t,
                       kmesos_remaining *left, kmesos_port_cursor *pc, placement *p,
                       const kmesos_decide_ctx *ctx)
{
    kmesos_verdict v = {.kind = KMESOS_VERDICT_ACCEPT, .refuse_seconds = -1};
    int ext = t->workload->ext && s->ext.gate;
    if (ext)
        s->ext.gate(s->ext.arg, t, o, pc, &v);
    if (v.kind == KMESOS_VERDICT_ACCEPT)
        kmesos_decide(&s->decider, o, left, t, ctx, &v);
    if (v.kind == KMESOS_VERDICT_WAIT) {
        p->waited = 1;
        set_reason(t, v.reason[0] ? v.reason : "waiting for a better offer");
        return;
    }
    if (v.kind == KMESOS_VERDICT_DECLINE) {
        if (v.refuse_seconds >= 0 && (p->refuse_s < 0 || v.refuse_seconds < p->refuse_s))
            p->refuse_s = v.refuse_seconds;
        set_reason(t, v.reason[0] ? v.reason : "declined by policy");
        return;
    }
    Mesos__V1__TaskInfo *ti = ext && s->ext.task_info ? s->ext.task_info(s->ext.arg, t, o, pc)
                                                      : kmesos_launcher_task_info(t, o, pc);
    if (!ti || kmesos_pb_push((void ***)&p->infos, &p->n, ti) != 0) {
        KLOG_ERROR(MOD, "cannot build TaskInfo for %s", t->id);
        return;
    }
    kmesos_remaining_take(left, t);
    kmesos_tasks_launched(&s->tasks, t, o->agent_id, o->hostname, ctx->now_ms);
    KLOG_INFO(MOD, "launching %s on %s (offer %s)", t->id, o->hostname, o->id);
}

static uint64_t now_us(const kmesos_scheduler *s)
{
    return s->io.now_us ? s->io.now_us(s->io.arg) : s->io.now_ms(s->io.arg) * 1000;
}

static void accept_offer(kmesos_scheduler *s, kmesos_offer *o, placement *p)
{
    o = kmesos_offers_take(&s->offers, o->id);
    if (!o)
        return;
    send_call(s, kmesos_call_accept(o->id, p->infos, p->n, s->cfg.accept_refuse_s));
    s->stats.offers_accepted++;
    s->stats.tasks_launched += p->n;
    uint64_t now = now_us(s), us = now > o->received_us ? now - o->received_us : 0;
    s->stats.decide_us_total += us;
    s->stats.decide_count++;
    if (us > s->stats.decide_us_max)
        s->stats.decide_us_max = us;
    kmesos_offer_free(o);
    free(p->infos);
    p->infos = NULL;
    p->n = 0;
    changed(s);
}

static void place_offer(kmesos_scheduler *s, kmesos_offer *o, decline_batch *batch,
                        const kmesos_decide_ctx *ctx)
{
    placement p = {.refuse_s = -1};
    kmesos_remaining left;
    kmesos_port_cursor pc;
    kmesos_remaining_init(&left, o);
    kmesos_port_cursor_init(&pc, o);
    for (kmesos_task *t = s->tasks.by_id, *next; t; t = next) {
        next = t->hh.next; /* a launch does not rehash, but stay safe */
        if (t->phase != KMESOS_PHASE_PENDING)
            continue;
        if (t->next_attempt_ms <= ctx->now_ms)
            place_task(s, o, t, &left, &pc, &p, ctx);
        else if (!p.backoff_end_ms || t->next_attempt_ms < p.backoff_end_ms)
            p.backoff_end_ms = t->next_attempt_ms;
    }
    if (p.n) {
        accept_offer(s, o, &p);
        return;
    }
    uint64_t hold_ms = (uint64_t)(s->cfg.offer_hold_s * 1000);
    if (p.waited && ctx->now_ms < o->received_ms + hold_ms) {
        if (!o->hold_until_ms)
            s->stats.offers_held++;
        o->hold_until_ms = o->received_ms + hold_ms;
        return;
    }
    double refuse = p.refuse_s >= 0 ? p.refuse_s : s->cfg.decline_refuse_s;
    /* a task in relaunch backoff wants this agent back when it ends */
    double backoff_left_s = p.backoff_end_ms ? (p.backoff_end_ms - ctx->now_ms) / 1000.0 : -1;
    if (backoff_left_s >= 0 && backoff_left_s < refuse)
        refuse = backoff_left_s;
    batch_decline(s, batch, o, refuse);
}

static void make_ctx(kmesos_scheduler *s, kmesos_decide_ctx *ctx)
{
    ctx->now_ms = s->io.now_ms(s->io.arg);
    ctx->now_s = s->io.now_s(s->io.arg);
}

static void on_offers(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event__Offers *ev)
{
    kmesos_decide_ctx ctx;
    decline_batch batch = {0};
    make_ctx(s, &ctx);
    for (size_t i = 0; i < ev->n_offers; i++) {
        s->stats.offers_received++;
        kmesos_offer *o = kmesos_offers_add(&s->offers, ev->offers[i], ctx.now_ms);
        if (o)
            o->received_us = now_us(s);
        if (!o) {
            KLOG_WARN(MOD, "offer %s ignored (duplicate)", ev->offers[i]->id->value);
            continue;
        }
        place_offer(s, o, &batch, &ctx);
    }
    if (s->replace_held) {
        /* a module asked for it: e.g. a group of tasks can now launch
         * together on offers held until the last one came */
        s->replace_held = 0;
        kmesos_offer *h, *tmp;
        HASH_ITER(hh, s->offers.by_id, h, tmp) if (h->hold_until_ms) place_offer(s, h, &batch, &ctx);
    }
    batch_flush(s, &batch);
    update_interest(s, 0);
}

void kmesos_scheduler_release_offers(kmesos_scheduler *s)
{
    decline_batch batch = {0};
    kmesos_offer *o, *tmp;
    HASH_ITER(hh, s->offers.by_id, o, tmp) batch_decline(s, &batch, o, s->cfg.decline_refuse_s);
    batch_flush(s, &batch);
}

/* The ext module's turn once a handler is over (kmesos_scheduler_ext). */
static void settle(kmesos_scheduler *s)
{
    if (s->ext.settle)
        s->ext.settle(s->ext.arg);
}

void kmesos_scheduler_tick(kmesos_scheduler *s)
{
    if (!s->subscribed)
        return;
    kmesos_decide_ctx ctx;
    decline_batch batch = {0};
    make_ctx(s, &ctx);
    kmesos_offer *o, *tmp;
    HASH_ITER(hh, s->offers.by_id, o, tmp) {
        if (ctx.now_ms >= o->hold_until_ms) {
            s->offers.stats.expired++;
            batch_decline(s, &batch, o, s->cfg.decline_refuse_s);
        } else {
            place_offer(s, o, &batch, &ctx);
        }
    }
    batch_flush(s, &batch);
    update_interest(s, 0);
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
    send_call(s, kmesos_call_acknowledge(st->agent_id->value, st->task_id->value,
                                         st->uuid.data, st->uuid.len));
    s->stats.acks++;
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
    kmesos_task *t = kmesos_tasks_find(&s->tasks, st->task_id->value);
    kmesos_update_result r = kmesos_tasks_update(&s->tasks, st->task_id->value, st->state, agent,
                                                 st->message, s->io.now_ms(s->io.arg));
    acknowledge(s, st);
    if (r == KMESOS_UPDATE_ACTIVE && t && t->phase == KMESOS_PHASE_STOPPED &&
        st->state != MESOS__V1__TASK_STATE__TASK_KILLING) {
        KLOG_INFO(MOD, "task %s was stopped but is %s: killing it", t->id,
                  kmesos_task_state_name(st->state));
        send_call(s, kmesos_call_kill(t->id, t->agent_id));
    }
    if (t && r != KMESOS_UPDATE_IGNORED && t->workload->ext && s->ext.on_update)
        s->ext.on_update(s->ext.arg, t, st->state, st->message, r);
    if (r == KMESOS_UPDATE_RELAUNCH || r == KMESOS_UPDATE_DONE)
        changed(s);
    if (r == KMESOS_UPDATE_RELAUNCH)
        update_interest(s, 0);
}

static void on_inverse_offers(kmesos_scheduler *s,
                              const Mesos__V1__Scheduler__Event__InverseOffers *ev)
{
    const char **ids = calloc(ev->n_inverse_offers ? ev->n_inverse_offers : 1, sizeof *ids);
    if (!ids)
        return;
    for (size_t i = 0; i < ev->n_inverse_offers; i++)
        ids[i] = ev->inverse_offers[i]->id->value;
    send_call(s, kmesos_call_decline_inverse(ids, ev->n_inverse_offers));
    free(ids);
}

static void on_failure(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event__Failure *f)
{
    if (f->agent_id && !f->executor_id) {
        size_t n = kmesos_offers_remove_agent(&s->offers, f->agent_id->value);
        s->stats.offers_rescinded += n;
        KLOG_WARN(MOD, "agent %s lost (%zu offer(s) dropped)", f->agent_id->value, n);
    } else if (f->executor_id) {
        KLOG_WARN(MOD, "executor %s exited with status %d", f->executor_id->value,
                  f->has_status ? f->status : -1);
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
    case MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR:
        break;
    default:
        s->stats.unknown_events++;
        KLOG_WARN(MOD, "unknown event type %d skipped", (int)ev->type);
        break;
    }
    settle(s);
}

int kmesos_scheduler_kill(kmesos_scheduler *s, const char *task_id)
{
    kmesos_task *t = kmesos_tasks_find(&s->tasks, task_id);
    if (!t)
        return -1;
    kmesos_phase was = t->phase;
    kmesos_tasks_stop(&s->tasks, t);
    if (was == KMESOS_PHASE_LAUNCHING || was == KMESOS_PHASE_ACTIVE)
        send_call(s, kmesos_call_kill(t->id, t->agent_id));
    update_interest(s, 0);
    return 0;
}
