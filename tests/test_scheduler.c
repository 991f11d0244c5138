/* Tests of the scheduler core with a fake io: offers in (one recorded
 * from a real master, others built here), calls out. Checks the offer
 * book invariants (every offer answered exactly once; rescinded offers
 * never answered; held offers declined when the hold ends), ACCEPT
 * contents, acknowledgements, reconciliation, SUPPRESS/REVIVE, the
 * evaluator's status and tick hooks and io.send_arg. */
#include <stdlib.h>

#include "codec/protocol.h"
#include "codec/pb.h"
#include "sched/scheduler.h"
#include "fake_io.h"
#include "testlib.h"

typedef struct fake {
    fake_io io;
    kmesos_verdict_kind verdict; /* what the fake policy answers */
} fake;

static void fake_policy(void *impl, const kmesos_offer *o, const kmesos_task *t,
                        const kmesos_decide_ctx *ctx, kmesos_verdict *out)
{
    (void)o, (void)t, (void)ctx;
    out->kind = ((fake *)impl)->verdict;
    snprintf(out->reason, sizeof out->reason, "fake says %s", kmesos_verdict_name(out->kind));
}

static void setup(kmesos_scheduler *s, fake *f, const char *spec)
{
    memset(f, 0, sizeof *f);
    f->io.now_ms = 1000;
    kmesos_workload *w = calloc(1, sizeof *w);
    char err[256];
    CHECK_INT(kmesos_workload_parse(spec, w, err, sizeof err), 0);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = fake_io_make(&f->io);
    kmesos_scheduler_init(s, &cfg, &io, w, 1);
    CHECK_INT(kmesos_scheduler_fill_slots(s), 0);
}

static void teardown(kmesos_scheduler *s, fake *f)
{
    fake_io_reset(&f->io);
    kmesos_scheduler_free(s);
}

/* An OFFERS event with one offer per (id, agent) given. */
static Mesos__V1__Scheduler__Event *offers_event(const char *const *ids, size_t n, double cpus)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (size_t i = 0; i < n; i++) {
        Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
        o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, ids[i]);
        o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw");
        o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, "agent-1");
        o->hostname = strdup("host-1");
        kmesos_pb_push((void ***)&o->resources, &o->n_resources,
                       kmesos_pb_scalar("cpus", cpus, "*"));
        kmesos_pb_push((void ***)&o->resources, &o->n_resources,
                       kmesos_pb_scalar("mem", 1024, "*"));
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers, o);
    }
    return ev;
}

static void feed_offers(kmesos_scheduler *s, const char *const *ids, size_t n, double cpus)
{
    Mesos__V1__Scheduler__Event *ev = offers_event(ids, n, cpus);
    kmesos_scheduler_on_event(s, ev);
    kmesos_pb_free(ev);
}

static void test_subscribe_reconciles_then_revives(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true instances=2");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    CHECK_INT(f.io.n, 2);
    CHECK_INT(f.io.calls[0]->type, MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE);
    CHECK_INT(f.io.calls[0]->reconcile->n_tasks, 0); /* nothing launched yet: implicit only */
    CHECK_INT(f.io.calls[1]->type, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE);
    CHECK_STR(s.framework_id, "fw-1");
    CHECK_INT(f.io.changes, 1);
    teardown(&s, &f);
}

/* A REVIVE that never reached the master (its call failed) leaves the
 * framework without offers: with slots waiting, no offer and no REVIVE
 * for 15 s, the tick sends another; an offer in that time or in the book
 * means none is needed. */
static void test_revive_again_when_no_offer_comes(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true cpus=4 instances=1");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 1);
    f.io.now_ms += 14000;
    kmesos_scheduler_tick(&s);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 1);
    f.io.now_ms += 2000;
    kmesos_scheduler_tick(&s);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 2);
    kmesos_scheduler_tick(&s); /* not again at once */
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 2);
    const char *ids[] = {"o1"};
    feed_offers(&s, ids, 1, 1.0); /* too small: declined, but offers do come */
    f.io.now_ms += 10000;
    kmesos_scheduler_tick(&s);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 2);
    teardown(&s, &f);
}

static void test_recorded_offer_is_accepted_with_launch(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=\"sleep 30\" cpus=0.1 mem=32 ports=2");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    fake_io_reset(&f.io);
    size_t len = 0;
    unsigned char *rec = testlib_read_file(
        KMESOS_TEST_DATA "/mesos-captures/scheduler/proto-launch-ack/records/rec002.bin", &len);
    CHECK(rec != NULL);
    Mesos__V1__Scheduler__Event *ev = (Mesos__V1__Scheduler__Event *)kmesos_protocol_decode(
        &mesos__v1__scheduler__event__descriptor, KMESOS_CT_PROTOBUF, rec, len, NULL, 0);
    CHECK(ev && ev->type == MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS);
    kmesos_scheduler_on_event(&s, ev);
    kmesos_call *acc = fake_io_find(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT);
    CHECK(acc != NULL);
    if (acc) {
        CHECK_STR(acc->accept->offer_ids[0]->value, ev->offers->offers[0]->id->value);
        Mesos__V1__TaskInfo *ti = acc->accept->operations[0]->launch->task_infos[0];
        CHECK_STR(ti->agent_id->value, ev->offers->offers[0]->agent_id->value);
        CHECK_STR(ti->command->value, "sleep 30");
        CHECK_INT(ti->n_resources, 3);
        CHECK_STR(ti->resources[2]->name, "ports");
        CHECK_INT(ti->resources[2]->ranges->range[0]->begin, 31000);
        CHECK_INT(ti->resources[2]->ranges->range[0]->end, 31001);
        CHECK(acc->accept->filters && acc->accept->filters->has_refuse_seconds);
    }
    /* nothing pending anymore: SUPPRESS */
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS), 1);
    CHECK_INT(s.offers.count, 0);
    kmesos_pb_free(ev);
    free(rec);
    teardown(&s, &f);
}

static void test_offers_that_do_not_fit_are_declined_in_one_call(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=big cmd=true cpus=8");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    fake_io_reset(&f.io);
    const char *ids[] = {"o1", "o2", "o3"};
    feed_offers(&s, ids, 3, 1.0);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 1);
    kmesos_call *d = fake_io_find(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE);
    CHECK(d && d->decline->n_offer_ids == 3);
    CHECK(d && d->decline->filters->refuse_seconds == 5.0);
    CHECK_INT(s.offers.count, 0);
    kmesos_task *t = s.tasks.by_id;
    CHECK(t && t->wait_reason && strstr(t->wait_reason, "insufficient cpus") != NULL);
    teardown(&s, &f);
}

static void test_each_offer_answered_exactly_once(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true instances=1");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    fake_io_reset(&f.io);
    const char *ids[] = {"o1", "o2"};
    feed_offers(&s, ids, 2, 1.0); /* o1 accepted, o2 declined */
    feed_offers(&s, ids, 1, 1.0); /* o1 again: already answered, answered again as new */
    size_t accepts = fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT);
    size_t declined = 0;
    for (size_t i = 0; i < f.io.n; i++)
        if (f.io.calls[i]->type == MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE)
            declined += f.io.calls[i]->decline->n_offer_ids;
    CHECK_INT(accepts, 1);
    CHECK_INT(declined, 2);
    CHECK_INT(s.offers.count, 0);
    CHECK_INT(s.offers.stats.added, s.offers.stats.taken + s.offers.stats.rescinded);
    teardown(&s, &f);
}

static void test_held_offer_rescinded_is_never_answered(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true");
    s.cfg.offer_hold_s = 10; /* holding is the operator's explicit choice */
    kmesos_decider_init(&s.decider, fake_policy, &f);
    f.verdict = KMESOS_VERDICT_WAIT;
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    fake_io_reset(&f.io);
    const char *ids[] = {"held-1", "held-2"};
    feed_offers(&s, ids, 2, 1.0);
    CHECK_INT(f.io.n, 0);
    CHECK_INT(s.offers.count, 2);
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND;
    ev->rescind = kmesos_pb_new(&mesos__v1__scheduler__event__rescind__descriptor);
    ev->rescind->offer_id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, "held-1");
    kmesos_scheduler_on_event(&s, ev);
    kmesos_pb_free(ev);
    /* within the hold: re-asked on each tick, still held */
    f.io.now_ms += 5000;
    kmesos_scheduler_tick(&s);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 0);
    /* past the hold: declined once; later ticks add nothing */
    f.io.now_ms += 6000;
    kmesos_scheduler_tick(&s);
    kmesos_scheduler_tick(&s);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 1);
    kmesos_call *d = fake_io_find(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE);
    CHECK(d && d->decline->n_offer_ids == 1 &&
          strcmp(d->decline->offer_ids[0]->value, "held-2") == 0);
    CHECK_STR(s.tasks.by_id->wait_reason, "fake says wait");
    teardown(&s, &f);
}

static void test_held_offer_is_accepted_when_policy_changes_its_mind(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true");
    s.cfg.offer_hold_s = 10; /* holding is the operator's explicit choice */
    kmesos_decider_init(&s.decider, fake_policy, &f);
    f.verdict = KMESOS_VERDICT_WAIT;
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    fake_io_reset(&f.io);
    const char *ids[] = {"o1"};
    feed_offers(&s, ids, 1, 1.0);
    f.verdict = KMESOS_VERDICT_ACCEPT;
    f.io.now_ms += 1000;
    kmesos_scheduler_tick(&s);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 0);
    kmesos_scheduler_tick(&s);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    teardown(&s, &f);
}

static Mesos__V1__Scheduler__Event *update_event(const char *task_id, int state, int with_uuid)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE;
    ev->update = kmesos_pb_new(&mesos__v1__scheduler__event__update__descriptor);
    Mesos__V1__TaskStatus *st = kmesos_pb_new(&mesos__v1__task_status__descriptor);
    ev->update->status = st;
    st->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task_id);
    st->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, "agent-1");
    st->state = state;
    if (with_uuid) {
        st->has_uuid = 1;
        st->uuid.len = 16;
        st->uuid.data = calloc(1, 16);
        st->uuid.data[0] = 7;
    }
    return ev;
}

static void feed_update(kmesos_scheduler *s, const char *task_id, int state, int with_uuid)
{
    Mesos__V1__Scheduler__Event *ev = update_event(task_id, state, with_uuid);
    kmesos_scheduler_on_event(s, ev);
    kmesos_pb_free(ev);
}

static void test_updates_are_acknowledged_and_failures_relaunched(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    const char *ids[] = {"o1"};
    feed_offers(&s, ids, 1, 1.0);
    char first[64];
    snprintf(first, sizeof first, "%s", s.tasks.by_id->id);
    fake_io_reset(&f.io);
    feed_update(&s, first, MESOS__V1__TASK_STATE__TASK_RUNNING, 1);
    kmesos_call *ack = fake_io_find(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE);
    CHECK(ack && strcmp(ack->acknowledge->task_id->value, first) == 0);
    CHECK(ack && ack->acknowledge->uuid.len == 16 && ack->acknowledge->uuid.data[0] == 7);
    CHECK_INT(s.tasks.by_id->phase, KMESOS_PHASE_ACTIVE);
    fake_io_reset(&f.io);
    /* a reconciliation answer has no uuid: never acknowledged */
    feed_update(&s, first, MESOS__V1__TASK_STATE__TASK_RUNNING, 0);
    CHECK_INT(f.io.n, 0);
    feed_update(&s, first, MESOS__V1__TASK_STATE__TASK_FAILED, 1);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 1);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 1);
    kmesos_task *t = s.tasks.by_id;
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK(strcmp(t->id, first) != 0); /* a relaunch gets a fresh task id */
    CHECK_INT(t->next_attempt_ms, f.io.now_ms + 1000);
    /* during the backoff an offer is declined, after it accepted */
    fake_io_reset(&f.io);
    const char *ids2[] = {"o2"};
    feed_offers(&s, ids2, 1, 1.0);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    /* declined only for what is left of the backoff, not the default 5 s */
    kmesos_call *dec = fake_io_find(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE);
    CHECK(dec && dec->decline->filters->refuse_seconds == 1.0);
    f.io.now_ms += 1000;
    const char *ids3[] = {"o3"};
    feed_offers(&s, ids3, 1, 1.0);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    /* an update for the old id is acknowledged but changes nothing */
    fake_io_reset(&f.io);
    feed_update(&s, first, MESOS__V1__TASK_STATE__TASK_FAILED, 1);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE), 1);
    CHECK_INT(s.tasks.by_id->phase, KMESOS_PHASE_LAUNCHING);
    teardown(&s, &f);
}

static void test_resubscribe_reconciles_known_tasks_explicitly(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    const char *ids[] = {"o1"};
    feed_offers(&s, ids, 1, 1.0);
    kmesos_scheduler_on_disconnected(&s);
    fake_io_reset(&f.io);
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    CHECK_INT(f.io.calls[0]->type, MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE);
    CHECK_INT(f.io.calls[0]->reconcile->n_tasks, 1);
    CHECK_STR(f.io.calls[0]->reconcile->tasks[0]->task_id->value, s.tasks.by_id->id);
    CHECK_STR(f.io.calls[0]->reconcile->tasks[0]->agent_id->value, "agent-1");
    CHECK_INT(f.io.calls[1]->type, MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE);
    CHECK_INT(f.io.calls[1]->reconcile->n_tasks, 0);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS), 1);
    teardown(&s, &f);
}

/* What the evaluator's hooks heard (the policy host's on_status/on_tick). */
typedef struct heard {
    int statuses, ticks;
    char task_id[64], state[32];
    int had_slot;
    kmesos_phase phase; /* of the slot when the hook ran */
    double now_s;
} heard;

static void heard_status(void *impl, const kmesos_task *task, const char *task_id,
                         const char *state, const char *message, double now_s)
{
    (void)message;
    heard *h = impl;
    h->statuses++;
    snprintf(h->task_id, sizeof h->task_id, "%s", task_id);
    snprintf(h->state, sizeof h->state, "%s", state);
    h->had_slot = task != NULL;
    h->phase = task ? task->phase : KMESOS_PHASE_PENDING;
    h->now_s = now_s;
}

static void heard_tick(void *impl, double now_s)
{
    heard *h = impl;
    h->ticks++;
    h->now_s = now_s;
}

static void test_updates_and_ticks_reach_the_evaluator_hooks(void)
{
    kmesos_scheduler s;
    fake f;
    heard h = {0};
    setup(&s, &f, "name=web cmd=true");
    f.io.epoch_s = 1000;
    kmesos_decider_init(&s.decider, NULL, &h);
    s.decider.status = heard_status;
    s.decider.tick = heard_tick;
    kmesos_scheduler_tick(&s); /* not subscribed yet: the hook still runs */
    CHECK_INT(h.ticks, 1);
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    const char *ids[] = {"o1"};
    feed_offers(&s, ids, 1, 1.0);
    char id[64];
    snprintf(id, sizeof id, "%s", s.tasks.by_id->id);
    feed_update(&s, id, MESOS__V1__TASK_STATE__TASK_RUNNING, 1);
    CHECK_INT(h.statuses, 1);
    CHECK_STR(h.task_id, id);
    CHECK_STR(h.state, "TASK_RUNNING");
    CHECK_INT(h.had_slot, 1);
    CHECK_INT(h.phase, KMESOS_PHASE_ACTIVE); /* told after the update was applied */
    CHECK(h.now_s > 1000.9 && h.now_s < 1001.1);
    feed_update(&s, "nobody", MESOS__V1__TASK_STATE__TASK_LOST, 0);
    CHECK_INT(h.statuses, 2);
    CHECK_INT(h.had_slot, 0);
    CHECK_STR(h.task_id, "nobody");
    kmesos_scheduler_tick(&s);
    CHECK_INT(h.ticks, 2);
    teardown(&s, &f);
}

/* io.send_arg, when set, is what send gets (the session in the program). */
static int sent_through(void *arg, kmesos_call *call)
{
    (void)call;
    (*(int *)arg)++;
    return 0;
}

static void test_calls_go_to_the_send_arg(void)
{
    kmesos_scheduler s;
    fake f;
    int sends = 0;
    setup(&s, &f, "name=web cmd=true");
    s.io.send = sent_through;
    s.io.send_arg = &sends;
    kmesos_scheduler_on_subscribed(&s, "fw-1"); /* implicit RECONCILE, REVIVE */
    CHECK_INT(sends, 2);
    CHECK_INT(f.io.n, 0);
    s.io.send = NULL; /* nothing to send through: dropped, nothing breaks */
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    CHECK_INT(sends, 2);
    teardown(&s, &f);
}

static void send_update_why(kmesos_scheduler *s, const char *task_id, int state, int reason)
{
    Mesos__V1__Scheduler__Event *ev = update_event(task_id, state, 0);
    if (reason >= 0) {
        ev->update->status->has_reason = 1;
        ev->update->status->reason = reason;
    }
    kmesos_scheduler_on_event(s, ev);
    kmesos_pb_free(ev);
}

static void send_update(kmesos_scheduler *s, const char *task_id, int state)
{
    send_update_why(s, task_id, state, -1);
}

/* A launched, running slot of "web" (instance 0), its id copied out. */
static kmesos_task *running_slot(kmesos_scheduler *s, fake *f, char *id, size_t n)
{
    kmesos_scheduler_on_subscribed(s, "fw-1");
    const char *ids[] = {"o1"};
    feed_offers(s, ids, 1, 1.0);
    kmesos_task *t = s->tasks.by_id;
    snprintf(id, n, "%s", t->id);
    send_update(s, id, MESOS__V1__TASK_STATE__TASK_RUNNING);
    fake_io_reset(&f->io);
    return t;
}

/* A running slot of "web" whose task went unreachable and was given up
 * (the grace ran out): pending again under a fresh id. */
static kmesos_task *given_up_slot(kmesos_scheduler *s, fake *f, char *id, size_t n)
{
    setup(s, f, "name=web cmd=true");
    kmesos_task *t = running_slot(s, f, id, n);
    send_update(s, id, MESOS__V1__TASK_STATE__TASK_UNREACHABLE);
    f->io.now_ms += 121000;
    kmesos_scheduler_tick(s);
    return t;
}

static void test_unreachable_task_keeps_its_slot_then_is_replaced(void)
{
    kmesos_scheduler s;
    fake f;
    char id[64];
    setup(&s, &f, "name=web cmd=true");
    kmesos_task *t = running_slot(&s, &f, id, sizeof id);
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_UNREACHABLE);
    CHECK_INT(t->phase, KMESOS_PHASE_ACTIVE);
    f.io.now_ms += 60000; /* within --unreachable-grace (120 s) */
    kmesos_scheduler_tick(&s);
    CHECK_INT(t->phase, KMESOS_PHASE_ACTIVE);
    CHECK_STR(t->id, id);
    f.io.now_ms += 61000;
    kmesos_scheduler_tick(&s);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK(strcmp(t->id, id) != 0); /* a fresh id: ids are never reused */
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 1);
    teardown(&s, &f);
}

static void test_given_up_task_that_comes_back_is_adopted(void)
{
    kmesos_scheduler s;
    fake f;
    char id[64];
    kmesos_task *t = given_up_slot(&s, &f, id, sizeof id);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    /* the agent re-registers: the old task is RUNNING again */
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(t->phase, KMESOS_PHASE_ACTIVE);
    CHECK_STR(t->id, id);
    CHECK_INT(kmesos_tasks_pending(&s.tasks), 0);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 0);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS), 1);
    teardown(&s, &f);
}

static void test_task_that_comes_back_after_its_replacement_is_killed(void)
{
    kmesos_scheduler s;
    fake f;
    char id[64];
    kmesos_task *t = given_up_slot(&s, &f, id, sizeof id);
    f.io.now_ms += 1000; /* the give-up was a failure: the first backoff */
    const char *ids[] = {"o2"};
    feed_offers(&s, ids, 1, 1.0); /* the replacement launches */
    CHECK_INT(t->phase, KMESOS_PHASE_LAUNCHING);
    fake_io_reset(&f.io);
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_RUNNING);
    kmesos_call *k = fake_io_find(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__KILL);
    CHECK(k && strcmp(k->kill->task_id->value, id) == 0);
    CHECK(strcmp(t->id, id) != 0);
    teardown(&s, &f);
}

static void test_update_for_a_task_we_never_ran_kills_it(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    fake_io_reset(&f.io);
    send_update(&s, "intruder-0-9", MESOS__V1__TASK_STATE__TASK_RUNNING);
    send_update(&s, "garbage", MESOS__V1__TASK_STATE__TASK_RUNNING);
    send_update(&s, "web-7-9", MESOS__V1__TASK_STATE__TASK_RUNNING); /* no instance 7 */
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 3);
    send_update(&s, "other-0-3", MESOS__V1__TASK_STATE__TASK_FINISHED); /* gone: nothing */
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 3);
    teardown(&s, &f);
}

static void test_unknown_to_the_master_depends_on_whether_it_ran(void)
{
    kmesos_scheduler s;
    fake f;
    char id[64];
    setup(&s, &f, "name=web cmd=true instances=2");
    kmesos_task *t = running_slot(&s, &f, id, sizeof id);
    /* a master that failed over does not know the running task yet */
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_UNKNOWN);
    CHECK_INT(t->phase, KMESOS_PHASE_ACTIVE);
    CHECK(t->unreachable_ms != 0);
    /* a slot that never ran: its launch was lost, relaunch at once */
    kmesos_task *u = NULL;
    for (kmesos_task *x = s.tasks.by_id; x; x = x->hh.next)
        if (x != t)
            u = x;
    const char *ids[] = {"o3"};
    feed_offers(&s, ids, 1, 1.0);
    CHECK(u && u->phase == KMESOS_PHASE_LAUNCHING);
    char uid[64];
    snprintf(uid, sizeof uid, "%s", u ? u->id : "");
    send_update(&s, uid, MESOS__V1__TASK_STATE__TASK_UNKNOWN);
    CHECK(u && u->phase == KMESOS_PHASE_PENDING);
    teardown(&s, &f);
}

static void test_task_ids_are_never_reused_across_a_restart(void)
{
    char a[64], b[64];
    uint64_t seqs[2];
    for (int run = 0; run < 2; run++) {
        kmesos_tasks reg;
        kmesos_relaunch_backoff bo = {1000, 60000};
        kmesos_tasks_init(&reg, bo);
        reg.seq = run ? seqs[0] : 0; /* what the state's task_seq restores */
        kmesos_workload w = {.name = "web", .instances = 1};
        kmesos_task *t = kmesos_tasks_add(&reg, &w, 0, 1);
        snprintf(run ? b : a, 64, "%s", t->id);
        seqs[run] = reg.seq;
        kmesos_tasks_free(&reg);
    }
    CHECK(strcmp(a, b) != 0);
    char name[64];
    int instance;
    uint64_t seq;
    CHECK_INT(kmesos_tasks_parse_id("my-job-12-345", name, sizeof name, &instance, &seq), 0);
    CHECK_STR(name, "my-job");
    CHECK_INT(instance, 12);
    CHECK_INT(seq, 345);
    CHECK_INT(kmesos_tasks_parse_id("web-x-3", name, sizeof name, &instance, &seq), -1);
    CHECK_INT(kmesos_tasks_parse_id("-1-3", name, sizeof name, &instance, &seq), -1);
    CHECK_INT(kmesos_tasks_parse_id("web-1-", name, sizeof name, &instance, &seq), -1);
    CHECK_INT(kmesos_tasks_parse_id("web-99999999999-1", name, sizeof name, &instance, &seq), -1);
}


static void test_give_up_is_a_failure_with_backoff(void)
{
    kmesos_scheduler s;
    fake f;
    char id[64];
    kmesos_task *t = given_up_slot(&s, &f, id, sizeof id);
    CHECK_INT(t->failures, 1);
    CHECK_INT(t->next_attempt_ms, f.io.now_ms + 1000); /* the first relaunch delay */
    CHECK(t->last_message && strstr(t->last_message, "unreachable for 121s"));
    /* it comes back meanwhile: adopted, RUNNING resets the failures */
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_STR(t->id, id);
    CHECK_INT(t->failures, 0);
    teardown(&s, &f);
}

static void test_gone_is_replaced_at_once_and_not_counted(void)
{
    const int gone[] = {MESOS__V1__TASK_STATE__TASK_GONE,
                        MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR};
    for (size_t i = 0; i < 2; i++) {
        kmesos_scheduler s;
        fake f;
        char id[64];
        setup(&s, &f, "name=web cmd=true");
        kmesos_task *t = running_slot(&s, &f, id, sizeof id);
        send_update(&s, id, MESOS__V1__TASK_STATE__TASK_UNREACHABLE);
        send_update(&s, id, gone[i]); /* no grace: the agent is gone */
        CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
        CHECK_INT(t->failures, 0);
        CHECK_INT(t->next_attempt_ms, f.io.now_ms);
        CHECK(strcmp(t->id, id) != 0);
        teardown(&s, &f);
    }
}

static void test_lost_depends_on_its_reason(void)
{
    kmesos_scheduler s;
    fake f;
    char id[64];
    setup(&s, &f, "name=web cmd=true");
    kmesos_task *t = running_slot(&s, &f, id, sizeof id);
    /* "Reconciliation: Task is unknown" from a master that failed over
     * (recorded in master-restart): not final, kept for the grace */
    send_update_why(&s, id, MESOS__V1__TASK_STATE__TASK_LOST,
                    MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION);
    CHECK_INT(t->phase, KMESOS_PHASE_ACTIVE);
    CHECK(t->unreachable_ms != 0);
    send_update_why(&s, id, MESOS__V1__TASK_STATE__TASK_RUNNING,
                    MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REREGISTERED);
    CHECK_INT(t->unreachable_ms, 0);
    CHECK_STR(t->id, id);
    /* the agent removed (shut down): a failure, relaunched after backoff */
    send_update_why(&s, id, MESOS__V1__TASK_STATE__TASK_LOST,
                    MESOS__V1__TASK_STATUS__REASON__REASON_AGENT_REMOVED);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(t->failures, 1);
    teardown(&s, &f);
}

static void test_dropped_launch_is_a_failure(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    const char *ids[] = {"o1"};
    feed_offers(&s, ids, 1, 1.0);
    kmesos_task *t = s.tasks.by_id;
    char id[64];
    snprintf(id, sizeof id, "%s", t->id);
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_DROPPED);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(t->failures, 1);
    CHECK(t->next_attempt_ms > f.io.now_ms);
    teardown(&s, &f);
}

static void test_given_up_task_reported_unreachable_is_left_alone(void)
{
    kmesos_scheduler s;
    fake f;
    char id[64];
    kmesos_task *t = given_up_slot(&s, &f, id, sizeof id);
    fake_io_reset(&f.io);
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_UNREACHABLE);
    send_update(&s, id, MESOS__V1__TASK_STATE__TASK_UNKNOWN);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 0);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK(strcmp(t->id, id) != 0);
    teardown(&s, &f);
}

static void test_revive_log_counts_every_pending_task(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true instances=3");
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    const char *ids[] = {"o1"};
    feed_offers(&s, ids, 1, 1.0); /* all three launch; SUPPRESS */
    char tid[3][64];
    size_t n = 0;
    for (kmesos_task *t = s.tasks.by_id; t && n < 3; t = t->hh.next)
        snprintf(tid[n++], 64, "%s", t->id);
    CHECK_INT(n, 3);
    testlib_stderr_begin();
    for (size_t i = 0; i < n; i++) /* one event each, as a master sends them */
        send_update(&s, tid[i], MESOS__V1__TASK_STATE__TASK_FAILED);
    kmesos_scheduler_tick(&s);
    char *log = testlib_stderr_end();
    CHECK(strstr(log, "REVIVE: 1 task(s) pending"));
    CHECK(strstr(log, "REVIVE: 3 task(s) pending now"));
    free(log);
    CHECK_INT(kmesos_tasks_pending(&s.tasks), 3);
    teardown(&s, &f);
}

static void test_executor_failure_status_is_decoded(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true");
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__FAILURE;
    ev->failure = kmesos_pb_new(&mesos__v1__scheduler__event__failure__descriptor);
    ev->failure->executor_id = kmesos_pb_id(&mesos__v1__executor_id__descriptor, "e1");
    ev->failure->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, "agent-1");
    ev->failure->has_status = 1;
    ev->failure->status = 9; /* raw wait status: SIGKILL */
    testlib_stderr_begin();
    kmesos_scheduler_on_event(&s, ev);
    ev->failure->status = 1 << 8; /* exit code 1 */
    kmesos_scheduler_on_event(&s, ev);
    char *log = testlib_stderr_end();
    CHECK(strstr(log, "executor e1 on agent agent-1 killed by signal 9 (SIGKILL)"));
    CHECK(strstr(log, "executor e1 on agent agent-1 exited with status 1"));
    free(log);
    kmesos_pb_free(ev);
    teardown(&s, &f);
}

int main(void)
{
    RUN_TEST(test_subscribe_reconciles_then_revives);
    RUN_TEST(test_revive_again_when_no_offer_comes);
    RUN_TEST(test_recorded_offer_is_accepted_with_launch);
    RUN_TEST(test_offers_that_do_not_fit_are_declined_in_one_call);
    RUN_TEST(test_each_offer_answered_exactly_once);
    RUN_TEST(test_held_offer_rescinded_is_never_answered);
    RUN_TEST(test_held_offer_is_accepted_when_policy_changes_its_mind);
    RUN_TEST(test_updates_are_acknowledged_and_failures_relaunched);
    RUN_TEST(test_resubscribe_reconciles_known_tasks_explicitly);
    RUN_TEST(test_updates_and_ticks_reach_the_evaluator_hooks);
    RUN_TEST(test_calls_go_to_the_send_arg);
    RUN_TEST(test_unreachable_task_keeps_its_slot_then_is_replaced);
    RUN_TEST(test_given_up_task_that_comes_back_is_adopted);
    RUN_TEST(test_task_that_comes_back_after_its_replacement_is_killed);
    RUN_TEST(test_update_for_a_task_we_never_ran_kills_it);
    RUN_TEST(test_unknown_to_the_master_depends_on_whether_it_ran);
    RUN_TEST(test_task_ids_are_never_reused_across_a_restart);
    RUN_TEST(test_give_up_is_a_failure_with_backoff);
    RUN_TEST(test_gone_is_replaced_at_once_and_not_counted);
    RUN_TEST(test_lost_depends_on_its_reason);
    RUN_TEST(test_dropped_launch_is_a_failure);
    RUN_TEST(test_given_up_task_reported_unreachable_is_left_alone);
    RUN_TEST(test_revive_log_counts_every_pending_task);
    RUN_TEST(test_executor_failure_status_is_decoded);
    return testlib_finish();
}
