/* place: placing offers, the scheduler's hot path.
 *
 * Before a round (an OFFERS event or a tick) the job counts are brought up
 * to date (jobs.c) and the index of pending slots refreshed
 * (candidates.c). Each offer is then asked in tiers: every pending slot,
 * of any job, that prefers its agent or host; then those that prefer its
 * rack; then the rest, job by job in fair order, a job's turn ending at
 * its first slot that does not launch. A slot whose relaunch backoff is
 * not over is skipped. Each asked slot goes to its module's gate
 * (kmesos_scheduler_ext, e.g. a Kafka broker's own rules), then to
 * decide() (fit in C, then the policy chain); accepted slots are packed
 * onto the offer while its resources and ports last, each getting its
 * TaskInfo from the launcher or its module (which may also add offer
 * operations before the LAUNCH, e.g. RESERVE and CREATE, and may run on
 * resources it reserved, then unasked by the fit and the policies), and each launch resets its
 * job's wait clock, is counted by locality and told to the policies
 * (on_launch). Jobs asked about the offer that launched nothing on it are
 * passed over (their clock starts). An offer that got tasks is accepted at
 * once (one ACCEPT per offer: its LAUNCH names its agent). One that got
 * only "wait" verdicts is declined at once with the short --wait-refuse,
 * unless a verdict asked for a hold or --offer-hold is set (then it stays
 * in the book, re-placed on every tick, until the hold runs out); all
 * others are declined together, one DECLINE per refuse_seconds value (the
 * smallest a policy asked for, shortened to the end of a pending slot's
 * backoff so that the agent comes back when the slot may launch). Every
 * offer leaves the book exactly once, through take. When nothing is
 * pending, an OFFERS event becomes one DECLINE of all its offers at once,
 * without booking them or building anything for the policies. */
#include <stdlib.h>
#include <string.h>

#include "sched/launcher.h"
#include "sched/trace.h"
#include "sched/scheduler_int.h"

#define MOD "scheduler"

/* ---- declines, batched by refuse_seconds ---------------------------------- */

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
        kmesos_sched_send(s, kmesos_call_decline(dg->ids, dg->n, dg->refuse_s));
        kmesos_trace_decline(s->trace, s->io.now_ms(s->io.arg), dg->ids, dg->n, dg->refuse_s);
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
        kmesos_sched_send(s, kmesos_call_decline((const char *const *)&o->id, 1, refuse_s));
        kmesos_offer_free(o);
        return;
    }
    dg->ids[dg->n] = o->id;
    dg->owned[dg->n++] = o;
}

/* ---- placing one offer ----------------------------------------------------- */

typedef struct placement {
    Mesos__V1__TaskInfo **infos;
    size_t n;
    Mesos__V1__Offer__Operation **ops; /* a module's, before the LAUNCH */
    size_t n_ops;
    int waited;
    double refuse_s;         /* smallest refuse asked by a decline verdict */
    double wait_refuse_s;    /* smallest refuse asked by a wait verdict */
    double hold_s;           /* longest hold asked by a wait verdict, < 0: none */
    uint64_t stamp;          /* this offer's candidate stamp */
    const char *rack;        /* the offer's rack, or NULL */
    kmesos_remaining left;
    kmesos_port_cursor pc;
} placement;

static void place_reason(kmesos_task *t, const char *reason)
{
    if (t->wait_reason && strcmp(t->wait_reason, reason) == 0)
        return;
    free(t->wait_reason);
    t->wait_reason = strdup(reason);
}

static void place_min(double *slot, double v)
{
    if (v >= 0 && (*slot < 0 || v < *slot))
        *slot = v;
}

/* Records a launch: job clock, locality, the policies' on_launch. */
static void place_launched(kmesos_scheduler *s, kmesos_offer *o, kmesos_task *t, placement *p,
                           const kmesos_decide_ctx *ctx)
{
    kmesos_locality l = kmesos_candidates_locality(&s->topology, t, o, p->rack);
    s->stats.launched_at[l]++;
    if (t->job) {
        kmesos_job_launched(t->job, ctx->now_ms);
        t->job->launched_stamp = p->stamp;
    }
    if (s->decider.launched)
        s->decider.launched(s->decider.impl, o, t, ctx);
    kmesos_trace_launch(s->trace, ctx->now_ms, o, t, kmesos_locality_name(l));
    KLOG_INFO(MOD, "launching %s on %s (offer %s, %s-local)", t->id, o->hostname, o->id,
              kmesos_locality_name(l));
}

/* Asks one pending slot about the offer; launches it when accepted. */
static kmesos_verdict_kind place_task(kmesos_scheduler *s, kmesos_offer *o, kmesos_task *t,
                                      placement *p, const kmesos_decide_ctx *ctx, int *unfit)
{
    kmesos_verdict v = {.kind = KMESOS_VERDICT_ACCEPT, .refuse_seconds = -1, .hold_s = -1};
    int ext = t->workload->ext && s->ext.gate;
    if (!kmesos_tasks_id_saved(&s->tasks, t)) {
        /* its id is past the task_seq known written (tasks.h): launching
         * it could launch the same id twice after a restart */
        p->waited = 1;
        place_reason(t, "waiting for the state to be saved (its task id is not stored yet)");
        kmesos_sched_changed(s);
        return KMESOS_VERDICT_WAIT;
    }
    if (p->n && !kmesos_remaining_fits(&p->left, t)) {
        /* the offer is full with what it got: not a reason to show */
        *unfit = 1;
        return KMESOS_VERDICT_DECLINE;
    }
    t->asked_stamp = p->stamp;
    kmesos_trace_task(s->trace, ctx->now_ms, t);
    if (ext)
        s->ext.gate(s->ext.arg, t, o, &p->pc, &v);
    if (v.kind == KMESOS_VERDICT_ACCEPT && !v.own_resources)
        kmesos_decide(&s->decider, o, &p->left, t, ctx, &v);
    kmesos_trace_verdict(s->trace, ctx->now_ms, o, t, kmesos_verdict_name(v.kind), v.reason);
    *unfit = v.unfit;
    if (t->job && !v.unfit)
        t->job->asked_stamp = p->stamp;
    if (v.kind == KMESOS_VERDICT_WAIT) {
        p->waited = 1;
        place_min(&p->wait_refuse_s, v.refuse_seconds);
        if (v.hold_s > p->hold_s)
            p->hold_s = v.hold_s;
        place_reason(t, v.reason[0] ? v.reason : "waiting for a better offer");
        return v.kind;
    }
    if (v.kind == KMESOS_VERDICT_DECLINE) {
        place_min(&p->refuse_s, v.refuse_seconds);
        place_reason(t, v.reason[0] ? v.reason : "declined by policy");
        return v.kind;
    }
    Mesos__V1__TaskInfo *ti = ext && s->ext.task_info ? s->ext.task_info(s->ext.arg, t, o, &p->pc)
                                                      : kmesos_launcher_task_info(t, o, &p->pc);
    size_t n_ops = p->n_ops;
    if (ti && ext && s->ext.operations &&
        s->ext.operations(s->ext.arg, t, o, &p->ops, &p->n_ops) != 0) {
        kmesos_pb_free(ti);
        ti = NULL;
    }
    if (!ti || kmesos_pb_push((void ***)&p->infos, &p->n, ti) != 0) {
        KLOG_ERROR(MOD, "cannot build TaskInfo for %s", t->id);
        for (; p->n_ops > n_ops; p->n_ops--)
            kmesos_pb_free(p->ops[p->n_ops - 1]);
        return KMESOS_VERDICT_DECLINE;
    }
    if (!v.own_resources)
        kmesos_remaining_take(&p->left, t);
    kmesos_tasks_launched(&s->tasks, t, o->agent_id, o->hostname, ctx->now_ms);
    place_launched(s, o, t, p, ctx);
    return KMESOS_VERDICT_ACCEPT;
}

static void accept_offer(kmesos_scheduler *s, kmesos_offer *o, placement *p)
{
    o = kmesos_offers_take(&s->offers, o->id);
    if (!o)
        return;
    kmesos_sched_send(s, kmesos_call_accept_ops(o->id, p->ops, p->n_ops, p->infos, p->n,
                                                s->cfg.accept_refuse_s));
    s->stats.offers_accepted++;
    s->stats.tasks_launched += p->n;
    uint64_t now = kmesos_sched_now_us(s), us = now > o->received_us ? now - o->received_us : 0;
    s->stats.decide_us_total += us;
    s->stats.decide_count++;
    kmesos_scheduler_decide_observe(&s->stats, us);
    if (us > s->stats.decide_us_max)
        s->stats.decide_us_max = us;
    kmesos_offer_free(o);
    free(p->infos);
    free(p->ops);
    p->infos = NULL;
    p->ops = NULL;
    p->n = p->n_ops = 0;
    kmesos_sched_changed(s);
}

static int place_eligible(const kmesos_task *t, uint64_t stamp, uint64_t now_ms)
{
    return t->phase == KMESOS_PHASE_PENDING && t->asked_stamp != stamp &&
           t->next_attempt_ms <= now_ms;
}

/* Tiers 1 and 2: every listed slot, in fair order. */
static void place_tier(kmesos_scheduler *s, kmesos_offer *o, int tier, placement *p,
                       const kmesos_decide_ctx *ctx)
{
    size_t n = kmesos_candidates_tier(&s->cand, tier, o, p->rack, p->stamp);
    int unfit;
    for (size_t i = 0; i < n; i++) {
        kmesos_task *t = s->cand.scratch[i];
        if (place_eligible(t, p->stamp, ctx->now_ms))
            place_task(s, o, t, p, ctx, &unfit);
    }
}

/* Tier 3: job by job in fair order; a job's slots here prefer neither the
 * offer's node nor its rack (or nothing), so they share its answer: the
 * first that does not launch ends the job's turn on this offer. */
static void place_rest(kmesos_scheduler *s, kmesos_offer *o, placement *p,
                       const kmesos_decide_ctx *ctx)
{
    size_t n = kmesos_candidates_fair_jobs(&s->cand);
    for (size_t k = 0; k < n; k++) {
        const kmesos_cand_job *cj = &s->cand.jobs[s->cand.order[k]];
        int unfit;
        for (size_t i = 0; i < cj->n; i++) {
            kmesos_task *t = cj->v[i];
            if (place_eligible(t, p->stamp, ctx->now_ms) &&
                place_task(s, o, t, p, ctx, &unfit) != KMESOS_VERDICT_ACCEPT)
                break;
        }
    }
}

/* Without an index (no memory for it): every pending slot, registry order. */
static void place_scan(kmesos_scheduler *s, kmesos_offer *o, placement *p,
                       const kmesos_decide_ctx *ctx)
{
    int unfit;
    for (kmesos_task *t = s->tasks.by_id; t; t = t->hh.next)
        if (place_eligible(t, p->stamp, ctx->now_ms))
            place_task(s, o, t, p, ctx, &unfit);
}

/* Jobs asked about the offer that launched nothing on it were passed over. */
static void place_pass_over(kmesos_scheduler *s, const placement *p, uint64_t now_ms)
{
    for (kmesos_job *j = s->jobs.by_id; j; j = j->hh.next)
        if (j->asked_stamp == p->stamp && j->launched_stamp != p->stamp)
            kmesos_job_passed_over(j, now_ms);
}

/* The earliest end of a pending slot's relaunch backoff after now, or 0. */
static uint64_t place_backoff_end(const kmesos_scheduler *s, uint64_t now_ms)
{
    uint64_t end = 0;
    if (!s->cand.valid) {
        for (const kmesos_task *t = s->tasks.by_id; t; t = t->hh.next)
            if (t->phase == KMESOS_PHASE_PENDING && t->next_attempt_ms > now_ms &&
                (!end || t->next_attempt_ms < end))
                end = t->next_attempt_ms;
        return end;
    }
    for (size_t i = 0; i < s->cand.n_backoff; i++) {
        const kmesos_task *t = s->cand.backoff[i];
        if (t->phase == KMESOS_PHASE_PENDING && t->next_attempt_ms > now_ms &&
            (!end || t->next_attempt_ms < end))
            end = t->next_attempt_ms;
    }
    return end;
}

/* No task launched: hold the offer (asked for), or decline it. */
static void place_unplaced(kmesos_scheduler *s, kmesos_offer *o, decline_batch *batch,
                           const placement *p, const kmesos_decide_ctx *ctx)
{
    double hold_s = p->hold_s > s->cfg.offer_hold_s ? p->hold_s : s->cfg.offer_hold_s;
    uint64_t hold_ms = hold_s > 0 && hold_s < 86400 ? (uint64_t)(hold_s * 1000) : 0;
    if (p->waited && hold_ms && ctx->now_ms < o->received_ms + hold_ms) {
        if (!o->hold_until_ms) {
            s->stats.offers_held++;
            kmesos_trace_hold(s->trace, ctx->now_ms, o, o->received_ms + hold_ms);
        }
        o->hold_until_ms = o->received_ms + hold_ms;
        return;
    }
    double refuse = p->refuse_s >= 0 ? p->refuse_s : s->cfg.decline_refuse_s;
    if (p->waited) /* a waiting task wants this agent back soon */
        refuse = p->wait_refuse_s >= 0 && p->wait_refuse_s < s->cfg.wait_refuse_s
                     ? p->wait_refuse_s : s->cfg.wait_refuse_s;
    /* a task in relaunch backoff wants this agent back when it ends */
    uint64_t end = place_backoff_end(s, ctx->now_ms);
    double backoff_left_s = end ? (double)(end - ctx->now_ms) / 1000.0 : -1;
    if (backoff_left_s >= 0 && backoff_left_s < refuse)
        refuse = backoff_left_s;
    batch_decline(s, batch, o, refuse);
}

static void place_offer(kmesos_scheduler *s, kmesos_offer *o, decline_batch *batch,
                        const kmesos_decide_ctx *ctx)
{
    placement p = {.refuse_s = -1, .wait_refuse_s = -1, .hold_s = -1};
    kmesos_remaining_init(&p.left, o);
    kmesos_port_cursor_init(&p.pc, o);
    p.stamp = ++s->cand.stamp;
    p.rack = kmesos_candidates_offer_rack(&s->topology, o);
    if (s->ext.offer_operations &&
        s->ext.offer_operations(s->ext.arg, o, &p.ops, &p.n_ops) == 0 && p.n_ops) {
        accept_offer(s, o, &p); /* the module's own work on this offer */
        return;
    }
    if (s->cand.valid) {
        place_tier(s, o, 1, &p, ctx);
        place_tier(s, o, 2, &p, ctx);
        place_rest(s, o, &p, ctx);
    } else {
        place_scan(s, o, &p, ctx);
    }
    place_pass_over(s, &p, ctx->now_ms);
    if (p.n || p.n_ops)
        accept_offer(s, o, &p);
    else
        place_unplaced(s, o, batch, &p, ctx);
}

/* Before a round of placing: jobs counted, the index fresh. */
static void place_prepare(kmesos_scheduler *s)
{
    if (kmesos_jobs_recount(&s->jobs, &s->tasks) != 0 ||
        kmesos_candidates_refresh(&s->cand, &s->tasks, &s->topology) != 0)
        KLOG_WARN(MOD, "out of memory indexing pending tasks: asking them in registry order");
}

static void make_ctx(kmesos_scheduler *s, kmesos_decide_ctx *ctx)
{
    ctx->now_ms = s->io.now_ms(s->io.arg);
    ctx->now_s = s->io.now_s(s->io.arg);
}

/* The fast path: nothing is pending (and no module asked to re-place held
 * offers, no trace is written). Every offer of the event would be
 * declined with --decline-refuse without asking anyone, so it is, in one
 * DECLINE, straight from the event: the offers are not copied into the
 * book (only counted and their agents learned). 0 when the path does not
 * apply (or memory ran out): the offers are then placed one by one. */
static int place_decline_all(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event__Offers *ev)
{
    if (s->replace_held || s->trace || !ev->n_offers || kmesos_tasks_pending(&s->tasks) ||
        (s->ext.wants_offers && s->ext.wants_offers(s->ext.arg)))
        return 0;
    const char **ids = malloc(ev->n_offers * sizeof *ids);
    if (!ids)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < ev->n_offers; i++) {
        kmesos_offer_ref ref;
        s->stats.offers_received++;
        if (kmesos_offers_pass(&s->offers, ev->offers[i], s->topology.rack_attribute, &ref)) {
            KLOG_WARN(MOD, "offer %s ignored (duplicate)", ev->offers[i]->id->value);
            continue;
        }
        kmesos_topology_learn(&s->topology, ref.agent_id, ref.hostname, ref.rack);
        ids[n++] = ref.id;
    }
    if (n) {
        kmesos_sched_send(s, kmesos_call_decline(ids, n, s->cfg.decline_refuse_s));
        s->stats.offers_declined += n;
        KLOG_DEBUG(MOD, "DECLINE %zu offer(s), refuse_seconds=%g (nothing pending)", n,
                   s->cfg.decline_refuse_s);
    }
    free(ids);
    return 1;
}

/* ---- entry points ---------------------------------------------------------- */

void kmesos_place_offers(kmesos_scheduler *s, const Mesos__V1__Scheduler__Event__Offers *ev)
{
    kmesos_decide_ctx ctx;
    decline_batch batch = {0};
    if (place_decline_all(s, ev))
        return;
    make_ctx(s, &ctx);
    for (size_t i = 0; i < ev->n_offers; i++) {
        s->stats.offers_received++;
        kmesos_offer *o = kmesos_offers_add(&s->offers, ev->offers[i], ctx.now_ms);
        if (o)
            o->received_us = kmesos_sched_now_us(s);
        if (!o) {
            KLOG_WARN(MOD, "offer %s ignored (duplicate)", ev->offers[i]->id->value);
            continue;
        }
        kmesos_topology_learn(&s->topology, o->agent_id, o->hostname,
                              kmesos_offer_attr(o, s->topology.rack_attribute));
        kmesos_trace_offer(s->trace, ctx.now_ms, o,
                           kmesos_candidates_offer_rack(&s->topology, o));
        place_prepare(s);
        place_offer(s, o, &batch, &ctx);
    }
    if (s->replace_held) {
        /* a module asked for it: e.g. a group of tasks can now launch
         * together on offers held until the last one came */
        s->replace_held = 0;
        place_prepare(s);
        kmesos_offer *h, *tmp;
        HASH_ITER(hh, s->offers.by_id, h, tmp) if (h->hold_until_ms) place_offer(s, h, &batch, &ctx);
    }
    batch_flush(s, &batch);
}

void kmesos_place_held(kmesos_scheduler *s)
{
    kmesos_decide_ctx ctx;
    decline_batch batch = {0};
    make_ctx(s, &ctx);
    place_prepare(s);
    kmesos_offer *o, *tmp;
    HASH_ITER(hh, s->offers.by_id, o, tmp) {
        if (ctx.now_ms >= o->hold_until_ms) {
            s->offers.stats.expired++;
            s->stats.hold_expiries++;
            kmesos_trace_expire(s->trace, ctx.now_ms, o);
            batch_decline(s, &batch, o, s->cfg.decline_refuse_s);
        } else {
            place_offer(s, o, &batch, &ctx);
        }
    }
    batch_flush(s, &batch);
}

void kmesos_place_release(kmesos_scheduler *s)
{
    decline_batch batch = {0};
    kmesos_offer *o, *tmp;
    HASH_ITER(hh, s->offers.by_id, o, tmp) batch_decline(s, &batch, o, s->cfg.decline_refuse_s);
    batch_flush(s, &batch);
}
