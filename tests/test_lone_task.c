/* The lone-task bound of issue 9 (point 4) on the scheduler core itself,
 * without the simulator: a task whose preferred host never offers must
 * launch no later than node_wait_s + rack_wait_s + one allocation
 * interval after the first offer. The core runs with its default
 * configuration (no offer hold, the default wait refuse) and the default
 * policy chain (constraints.lua + delay.lua, loaded with kmesos_policy_new
 * and bound with kmesos_policy_bind, as kmesos-scheduler does), through
 * fake_io. The test plays a small Mesos master: four agents in two racks,
 * whose free resources are offered once per allocation interval (1 s of
 * the fake clock) unless a decline filter still hides them; the scheduler
 * ticks every second as main.c makes it. While the task waits, every
 * offer must be declined at once (none held) with refuse_seconds of at
 * most one interval; the ACCEPT must come at or before the bound, and not
 * before node_wait_s (the delay really waits). Two cases: a preferred host
 * absent from the cluster, and one the topology knows (as from GET_AGENTS)
 * in a rack whose other agents offer, but which never offers itself. */
#include <stdlib.h>

#include "codec/log.h"
#include "codec/pb.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"
#include "fake_io.h"
#include "testlib.h"

#define POLICIES KMESOS_TEST_DATA "/../../policies"
#define N_AGENTS 4
#define INTERVAL_MS 1000
#define NODE_WAIT_S 5.0 /* delay.lua's defaults */
#define RACK_WAIT_S 5.0

static const char *const HOSTS[N_AGENTS] = {"host-0", "host-1", "host-2", "host-3"};
static const char *const AGENTS[N_AGENTS] = {"agent-0", "agent-1", "agent-2", "agent-3"};
static const char *const RACKS[N_AGENTS] = {"r0", "r0", "r1", "r1"};

typedef struct lone {
    fake_io io;
    kmesos_scheduler s;
    kmesos_policy *policy;
    uint64_t next_offer_ms[N_AGENTS]; /* when the agent may be offered again */
    int open[N_AGENTS];               /* an offer of it is outstanding */
    int silent;                       /* this agent never offers (-1: none) */
    size_t seen;                      /* calls already looked at */
    uint64_t first_offer_ms, accept_ms;
    const char *accept_host;
    size_t declines, bad_refuse;
    double max_refuse_s;
    int held;                         /* offers seen staying in the book */
} lone;

static int setup(lone *l, const char *prefer, int silent)
{
    memset(l, 0, sizeof *l);
    l->silent = silent;
    l->io.now_ms = 1000000;
    l->io.epoch_s = 1.7e9;
    char first[1100], second[1100], err[1024];
    kmesos_policy_default_chain(POLICIES, first, second, sizeof first);
    const char *chain[2] = {first, second};
    kmesos_policy_config pc = {.files = chain, .n_files = 2};
    l->policy = kmesos_policy_new(&pc, err, sizeof err);
    if (!l->policy) {
        fprintf(stderr, "  default chain does not load: %s\n", err);
        return -1;
    }
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = fake_io_make(&l->io);
    CHECK_INT(kmesos_scheduler_init(&l->s, &cfg, &io, NULL, 0), 0);
    kmesos_policy_attach(l->policy, &l->s.offers, &l->s.tasks);
    kmesos_policy_attach_topology(l->policy, &l->s.topology);
    kmesos_policy_bind(l->policy, &l->s.decider);
    for (int i = 0; i < N_AGENTS; i++) /* what GET_AGENTS tells before any offer */
        CHECK_INT(kmesos_topology_learn(&l->s.topology, AGENTS[i], HOSTS[i], RACKS[i]), 0);
    char spec[256];
    snprintf(spec, sizeof spec, "name=lone cmd=true cpus=1 mem=128 instances=1 "
             "restart=never prefer_hosts=%s", prefer);
    kmesos_workload *w = calloc(1, sizeof *w);
    if (!w || kmesos_workload_parse(spec, w, err, sizeof err) != 0) {
        fprintf(stderr, "  workload: %s\n", err);
        free(w);
        return -1;
    }
    CHECK_INT(kmesos_scheduler_add_workload(&l->s, w), 0);
    kmesos_scheduler_on_subscribed(&l->s, "fw-lone");
    return 0;
}

static void teardown(lone *l)
{
    fake_io_reset(&l->io);
    kmesos_scheduler_free(&l->s);
    kmesos_policy_free(l->policy);
}

static Mesos__V1__Attribute *rack_attr(const char *rack)
{
    Mesos__V1__Attribute *a = kmesos_pb_new(&mesos__v1__attribute__descriptor);
    a->name = strdup("rack");
    a->type = MESOS__V1__VALUE__TYPE__TEXT;
    a->text = kmesos_pb_new(&mesos__v1__value__text__descriptor);
    a->text->value = strdup(rack);
    return a;
}

static Mesos__V1__Offer *make_offer(int agent, uint64_t now_ms)
{
    char id[64];
    snprintf(id, sizeof id, "o-%d-%llu", agent, (unsigned long long)now_ms);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw-lone");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, AGENTS[agent]);
    o->hostname = strdup(HOSTS[agent]);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("cpus", 4, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources,
                   kmesos_pb_scalar("mem", 4096, "*"));
    kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, rack_attr(RACKS[agent]));
    return o;
}

/* One allocation round: every agent that is free, not silent and not
 * filtered is offered, all in one OFFERS event. */
static void allocate(lone *l)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (int a = 0; a < N_AGENTS; a++) {
        if (a == l->silent || l->open[a] || l->next_offer_ms[a] > l->io.now_ms)
            continue;
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers,
                       make_offer(a, l->io.now_ms));
        l->open[a] = 1;
    }
    if (ev->offers->n_offers && !l->first_offer_ms)
        l->first_offer_ms = l->io.now_ms;
    if (ev->offers->n_offers)
        kmesos_scheduler_on_event(&l->s, ev);
    kmesos_pb_free(ev);
    l->held += l->s.offers.count > 0;
}

static int agent_of(const char *offer_id)
{
    int a = -1;
    return sscanf(offer_id, "o-%d-", &a) == 1 && a >= 0 && a < N_AGENTS ? a : -1;
}

/* A decline filter starts when the answer reaches the master, a moment
 * after the offer: a refuse of one interval hides the agent for a round. */
static void on_decline(lone *l, const Mesos__V1__Scheduler__Call__Decline *d)
{
    double refuse = d->filters && d->filters->has_refuse_seconds ? d->filters->refuse_seconds : 5;
    for (size_t i = 0; i < d->n_offer_ids; i++) {
        int a = agent_of(d->offer_ids[i]->value);
        if (a < 0)
            continue;
        l->open[a] = 0;
        if (l->accept_ms)
            continue; /* the rest of the launching round: the task no longer waits */
        l->declines++;
        l->bad_refuse += refuse > 1.0;
        if (refuse > l->max_refuse_s)
            l->max_refuse_s = refuse;
        l->next_offer_ms[a] = l->io.now_ms + (refuse > 0 ? 1 + (uint64_t)(refuse * 1000) : 0);
    }
}

static void on_accept(lone *l, const Mesos__V1__Scheduler__Call__Accept *acc)
{
    for (size_t i = 0; i < acc->n_offer_ids; i++) {
        int a = agent_of(acc->offer_ids[i]->value);
        if (a >= 0 && !l->accept_ms) {
            l->accept_ms = l->io.now_ms;
            l->accept_host = HOSTS[a];
        }
        if (a >= 0)
            l->open[a] = 0;
    }
}

/* Applies the calls the scheduler sent since the last look. */
static void answer(lone *l)
{
    for (; l->seen < l->io.n; l->seen++) {
        const kmesos_call *c = l->io.calls[l->seen];
        if (c->type == MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE && c->decline)
            on_decline(l, c->decline);
        else if (c->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT && c->accept)
            on_accept(l, c->accept);
    }
}

/* Runs rounds of tick + allocation, 1 s apart, until the ACCEPT or 60 s. */
static void run(lone *l)
{
    for (int k = 0; k < 60 && !l->accept_ms; k++) {
        kmesos_scheduler_tick(&l->s);
        answer(l);
        allocate(l);
        answer(l);
        if (l->io.n > FAKE_IO_MAX_CALLS - 16) { /* keep the record small */
            fake_io_reset(&l->io);
            l->seen = 0;
        }
        l->io.now_ms += INTERVAL_MS;
    }
}

static double launch_delay_s(const lone *l)
{
    return l->accept_ms ? (double)(l->accept_ms - l->first_offer_ms) / 1000.0 : -1;
}

static void check_bound(lone *l, const char *what)
{
    const double bound = NODE_WAIT_S + RACK_WAIT_S + INTERVAL_MS / 1000.0;
    double delay = launch_delay_s(l);
    fprintf(stderr, "  %s: ACCEPT %.1f s after the first offer on %s (bound %.1f s); "
            "%zu declines, largest refuse %.1f s\n", what, delay,
            l->accept_host ? l->accept_host : "-", bound, l->declines, l->max_refuse_s);
    CHECK(l->accept_ms != 0);
    CHECK(delay <= bound);
    CHECK(delay >= NODE_WAIT_S); /* it did wait for its host */
    CHECK(l->declines > 0);
    CHECK_INT(l->bad_refuse, 0);  /* a waiting task's declines come back within a round */
    CHECK_INT(l->held, 0);        /* declined at once, never held */
    CHECK_INT(l->s.stats.offers_held, 0);
}

static void test_absent_preferred_host(void)
{
    lone l;
    if (setup(&l, "gone-1", -1) != 0) {
        CHECK(0);
        return;
    }
    run(&l);
    check_bound(&l, "preferred host absent");
    /* nothing is known about gone-1: it waited for the node, then the rack */
    CHECK(launch_delay_s(&l) >= NODE_WAIT_S + RACK_WAIT_S);
    CHECK_INT(l.s.stats.launched_at[KMESOS_LOCALITY_ANY], 1);
    teardown(&l);
}

static void test_preferred_host_that_never_offers(void)
{
    lone l;
    if (setup(&l, "host-3", 3) != 0) {
        CHECK(0);
        return;
    }
    run(&l);
    check_bound(&l, "preferred host busy (known rack r1)");
    /* the topology names host-3's rack although host-3 never offered: the
     * task takes its rack once the node wait is over */
    CHECK_INT(l.s.stats.launched_at[KMESOS_LOCALITY_RACK], 1);
    CHECK_STR(l.accept_host, "host-2");
    CHECK(launch_delay_s(&l) <= NODE_WAIT_S + INTERVAL_MS / 1000.0);
    teardown(&l);
}

int main(void)
{
    kmesos_log_set_level(KMESOS_LOG_ERROR);
    RUN_TEST(test_absent_preferred_host);
    RUN_TEST(test_preferred_host_that_never_offers);
    return testlib_finish();
}
