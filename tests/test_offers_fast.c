/* Tests of the scheduler's fast answer to OFFERS (place.c): with nothing
 * pending, an event of K offers becomes exactly one DECLINE of the K offer
 * ids with --decline-refuse, no policy evaluation, nothing left in the
 * book, yet the agents learned, the offers counted and their ports seen;
 * a duplicate of a booked offer is not answered twice. With a task
 * pending, every offer still goes through the evaluator as before.
 * --no-suppress keeps offers coming when nothing is pending. */
#include <stdlib.h>

#include "codec/pb.h"
#include "sched/scheduler.h"
#include "fake_io.h"
#include "testlib.h"

#define K 40

typedef struct fake {
    fake_io io;
    size_t evaluations;
    kmesos_verdict_kind verdict;
} fake;

static void fake_policy(void *impl, const kmesos_offer *o, const kmesos_task *t,
                        const kmesos_decide_ctx *ctx, kmesos_verdict *out)
{
    (void)o, (void)t, (void)ctx;
    fake *f = impl;
    f->evaluations++;
    out->kind = f->verdict;
}

static void setup(kmesos_scheduler *s, fake *f, const char *spec, double refuse_s)
{
    memset(f, 0, sizeof *f);
    f->io.now_ms = 1000;
    f->verdict = KMESOS_VERDICT_DECLINE;
    kmesos_workload *w = calloc(1, sizeof *w);
    char err[256];
    CHECK_INT(kmesos_workload_parse(spec, w, err, sizeof err), 0);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    cfg.decline_refuse_s = refuse_s;
    cfg.rack_attribute = "rack";
    kmesos_scheduler_io io = fake_io_make(&f->io);
    CHECK_INT(kmesos_scheduler_init(s, &cfg, &io, w, 1), 0);
    CHECK_INT(kmesos_scheduler_fill_slots(s), 0);
    kmesos_decider_init(&s->decider, fake_policy, f);
    kmesos_scheduler_on_subscribed(s, "fw-1");
    fake_io_reset(&f->io);
}

/* K offers o<first>..: agent a-h<i>, rack r<i % 3>, ports 31000-32000. */
static void feed(kmesos_scheduler *s, int first, int k)
{
    Mesos__V1__Offer *offers[K];
    for (int i = 0; i < k; i++) {
        char id[32], host[32], rack[8];
        snprintf(id, sizeof id, "o%d", first + i);
        snprintf(host, sizeof host, "h%d", first + i);
        snprintf(rack, sizeof rack, "r%d", (first + i) % 3);
        offers[i] = fake_io_offer(id, NULL, host, rack, 2);
        Mesos__V1__Resource *p = kmesos_pb_new(&mesos__v1__resource__descriptor);
        p->name = strdup("ports");
        p->type = MESOS__V1__VALUE__TYPE__RANGES;
        p->ranges = kmesos_pb_new(&mesos__v1__value__ranges__descriptor);
        Mesos__V1__Value__Range *r = kmesos_pb_new(&mesos__v1__value__range__descriptor);
        r->begin = 31000;
        r->end = 32000;
        kmesos_pb_push((void ***)&p->ranges->range, &p->ranges->n_range, r);
        kmesos_pb_push((void ***)&offers[i]->resources, &offers[i]->n_resources, p);
    }
    fake_io_feed(s, offers, (size_t)k);
}

/* The one DECLINE sent names exactly o<first>..o<first+k-1>, in order. */
static void check_decline(const fake *f, int first, int k, double refuse_s)
{
    CHECK_INT(fake_io_count(&f->io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 1);
    kmesos_call *d = fake_io_find(&f->io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE);
    CHECK(d != NULL && d->decline != NULL);
    if (!d || !d->decline)
        return;
    CHECK_INT(d->decline->n_offer_ids, k);
    for (int i = 0; i < k && (size_t)i < d->decline->n_offer_ids; i++) {
        char id[32];
        snprintf(id, sizeof id, "o%d", first + i);
        CHECK_STR(d->decline->offer_ids[i]->value, id);
    }
    CHECK(d->decline->filters && d->decline->filters->has_refuse_seconds);
    if (d->decline->filters)
        CHECK(d->decline->filters->refuse_seconds == refuse_s);
}

static void test_nothing_pending_one_decline_no_policy(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=w cmd=true instances=0", 7.5);
    feed(&s, 0, K);
    CHECK_INT(f.io.n, 1); /* the DECLINE, nothing else (no SUPPRESS again) */
    check_decline(&f, 0, K, 7.5);
    CHECK_INT(f.evaluations, 0);
    CHECK_INT(s.decider.evaluations, 0);
    CHECK_INT(s.offers.count, 0);
    CHECK_INT(s.stats.offers_received, K);
    CHECK_INT(s.stats.offers_declined, K);
    CHECK_INT(s.offers.stats.added, K);
    CHECK_INT(s.offers.stats.taken, K);
    /* what the book learns from an offer is still learned */
    CHECK(kmesos_topology_knows_agent(&s.topology, "a-h5"));
    CHECK_STR(kmesos_topology_rack_of_agent(&s.topology, "a-h5"), "r2");
    CHECK_INT(kmesos_offers_port_seen(&s.offers, 31500), 1);
    CHECK_INT(kmesos_offers_port_seen(&s.offers, 30000), 0);
    /* the next event: one more DECLINE of its own offers */
    fake_io_reset(&f.io);
    feed(&s, K, 3);
    check_decline(&f, K, 3, 7.5);
    kmesos_scheduler_free(&s);
    fake_io_reset(&f.io);
}

static void test_pending_task_goes_through_the_policy(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=w cmd=true cpus=1 mem=16 instances=1", 7.5);
    CHECK_INT(kmesos_tasks_pending(&s.tasks), 1);
    feed(&s, 0, K);
    CHECK_INT(f.evaluations, K); /* one job of one task: asked about each offer */
    CHECK_INT(s.offers.count, 0);
    check_decline(&f, 0, K, 7.5); /* declined by the policy, batched as before */
    /* the policy says yes: the task launches on the next offer */
    fake_io_reset(&f.io);
    f.verdict = KMESOS_VERDICT_ACCEPT;
    feed(&s, K, 1);
    CHECK_INT(f.evaluations, K + 1);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    CHECK_INT(kmesos_tasks_pending(&s.tasks), 0);
    /* and now that nothing is pending the fast path answers, unasked */
    fake_io_reset(&f.io);
    feed(&s, K + 1, 5);
    CHECK_INT(f.evaluations, K + 1);
    check_decline(&f, K + 1, 5, 7.5);
    kmesos_scheduler_free(&s);
    fake_io_reset(&f.io);
}

/* With an offer held in the book (a task waits for it), an event that
 * brings the same offer id again does not answer it twice. */
static void test_duplicate_of_a_held_offer_is_not_answered(void)
{
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=w cmd=true cpus=1 mem=16 instances=1", 7.5);
    s.cfg.offer_hold_s = 60;
    f.verdict = KMESOS_VERDICT_WAIT;
    feed(&s, 0, 1);
    CHECK_INT(s.offers.count, 1); /* held */
    /* the task goes away: nothing pending, the fast path applies */
    kmesos_task *t = s.tasks.by_id;
    CHECK(t != NULL);
    if (t)
        kmesos_tasks_stop(&s.tasks, t);
    CHECK_INT(kmesos_tasks_pending(&s.tasks), 0);
    fake_io_reset(&f.io);
    feed(&s, 0, 2); /* o0 again (duplicate) and o1 */
    CHECK_INT(s.offers.stats.duplicates, 1);
    check_decline(&f, 1, 1, 7.5);
    CHECK_INT(s.offers.count, 1); /* o0 stays held until its hold ends */
    kmesos_scheduler_free(&s);
    fake_io_reset(&f.io);
}

/* --no-suppress: nothing pending sends no SUPPRESS; offers that still
 * come are declined at once, one DECLINE per event. */
static void test_no_suppress_keeps_offers_coming_and_declines_them(void)
{
    kmesos_scheduler s;
    fake f;
    memset(&f, 0, sizeof f);
    kmesos_workload *w = calloc(1, sizeof *w);
    char err[256];
    CHECK_INT(kmesos_workload_parse("name=w cmd=true instances=0", w, err, sizeof err), 0);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    CHECK_INT(cfg.no_suppress, 0);
    cfg.no_suppress = 1;
    cfg.decline_refuse_s = 0;
    kmesos_scheduler_io io = fake_io_make(&f.io);
    CHECK_INT(kmesos_scheduler_init(&s, &cfg, &io, w, 1), 0);
    kmesos_decider_init(&s.decider, fake_policy, &f);
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS), 0);
    fake_io_reset(&f.io);
    feed(&s, 0, K);
    feed(&s, K, 2);
    CHECK_INT(f.io.n, 2);
    CHECK_INT(fake_io_count(&f.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 2);
    CHECK_INT(f.evaluations, 0);
    kmesos_scheduler_free(&s);
    fake_io_reset(&f.io);
}

int main(void)
{
    RUN_TEST(test_nothing_pending_one_decline_no_policy);
    RUN_TEST(test_pending_task_goes_through_the_policy);
    RUN_TEST(test_duplicate_of_a_held_offer_is_not_answered);
    RUN_TEST(test_no_suppress_keeps_offers_coming_and_declines_them);
    return testlib_finish();
}
