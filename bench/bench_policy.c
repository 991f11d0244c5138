/* bench_policy: numbers for the policy host, printed, not asserted.
 *   1. (offer x task) evaluations per second through the default chain
 *      (constraints.lua + delay.lua) on one core, with the instruction
 *      budget enforced (JIT off, the default) and, for comparison, with
 *      the JIT on (budget not enforced inside compiled loops). Workload:
 *      1,000 offers from 100 agents (host-0..99) in 10 racks (r0..r9)
 *      against 100 pending tasks of kind broker:
 *        34 plain tasks (no prefer, no constraints: accepted),
 *        33 tasks preferring host-7 (delay.lua: accept on host-7; wait
 *           while waiting_s < 5; then accept in host-7's rack r7),
 *        33 tasks with constraints hostname=unique and rack=like:r[0-4]
 *           (constraints.lua: regex and count checks; half the offers
 *           declined).
 *      One pass asks every offer x task pair at one clock value (one
 *      batch, as in one OFFERS event); a cycle is 5 passes 1 s apart with
 *      the tasks waiting 2..6 s, so the delay tasks see both the "wait
 *      for the node" and the "rack" phase. The line gives the best and
 *      the median cycle and the verdict mix of one cycle;
 *   2. the time to handle one OFFERS event of 10,000 offers against 100
 *      pending tasks, end to end through the scheduler core with the
 *      default chain bound as kmesos-scheduler binds it: protobuf decode,
 *      offer book, candidate tiers, policies, encoded ACCEPT/DECLINE
 *      calls; best and median of 5 runs, each on a fresh scheduler. Three
 *      cases: tasks that fit anywhere (most offers declined quickly; the
 *      target is <= 30 ms); one job of 100 tasks that all wait for a host
 *      not offered (the job's first task answers for the job: one
 *      evaluation per offer), also without GET_AGENTS (the 1,000 agents
 *      are first learned from this event's offers); 100 jobs of one such
 *      task (every pair evaluated, 1,000,000 evaluations). Except where
 *      said, the topology holds the 1,000 agents before the event, as
 *      after GET_AGENTS;
 *   3. the time of a hot reload of the default chain.
 * Usage: bench_policy [POLICY_DIR [eval|event|reload]] (POLICY_DIR "" or
 * none: found like the scheduler; no section: every section). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/log.h"
#include "codec/protocol.h"
#include "codec/pb.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"

typedef struct bench_io {
    uint64_t now_ms;
    size_t calls, bytes;
} bench_io;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int io_send(void *arg, kmesos_call *call)
{
    bench_io *b = arg;
    kmesos_buf buf;
    kmesos_buf_init(&buf);
    kmesos_protocol_encode(&call->base, KMESOS_CT_PROTOBUF, &buf);
    b->calls++;
    b->bytes += buf.len;
    kmesos_buf_free(&buf);
    return 0;
}
static uint64_t io_now_ms(void *arg) { return ((bench_io *)arg)->now_ms; }
static double io_now_s(void *arg) { return 1.7e9 + (double)((bench_io *)arg)->now_ms / 1e3; }

static Mesos__V1__Attribute *text_attr(const char *name, const char *value)
{
    Mesos__V1__Attribute *a = kmesos_pb_new(&mesos__v1__attribute__descriptor);
    a->name = strdup(name);
    a->type = MESOS__V1__VALUE__TYPE__TEXT;
    a->text = kmesos_pb_new(&mesos__v1__value__text__descriptor);
    a->text->value = strdup(value);
    return a;
}

static Mesos__V1__Offer *make_offer(size_t i, size_t agents)
{
    char id[64], agent[64], host[64], rack[16];
    snprintf(id, sizeof id, "offer-%zu", i);
    snprintf(agent, sizeof agent, "agent-%zu", i % agents);
    snprintf(host, sizeof host, "host-%zu", i % agents);
    snprintf(rack, sizeof rack, "r%zu", i % 10);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    o->hostname = strdup(host);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("cpus", 4, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("mem", 16384, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("disk", 1e5, "*"));
    kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, text_attr("rack", rack));
    kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, text_attr("zone", "z1"));
    return o;
}

static Mesos__V1__Scheduler__Event *offers_event(size_t n, size_t agents)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (size_t i = 0; i < n; i++)
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers,
                       make_offer(i, agents));
    return ev;
}

static kmesos_policy *default_host(const char *dir, int jit)
{
    char c[1024], d[1024], err[512];
    kmesos_policy_default_chain(dir, c, d, sizeof c);
    const char *files[] = {c, d};
    kmesos_policy_config cfg = {files, 2, NULL, 0, jit, NULL};
    kmesos_policy *p = kmesos_policy_new(&cfg, err, sizeof err);
    if (!p)
        fprintf(stderr, "bench_policy: %s\n", err);
    return p;
}

static kmesos_workload *workloads(size_t *n, const char *const *specs, size_t count)
{
    kmesos_workload *w = calloc(count, sizeof *w);
    char err[256];
    for (size_t i = 0; i < count; i++)
        if (kmesos_workload_parse(specs[i], &w[i], err, sizeof err) != 0)
            fprintf(stderr, "bench_policy: %s\n", err);
    *n = count;
    return w;
}

/* 1. evaluations per second */
#define EVAL_PASSES 5  /* passes per cycle, 1 s apart */
#define EVAL_CYCLES 12 /* cycles timed */

typedef struct eval_setup {
    kmesos_offers book;
    kmesos_tasks tasks;
    kmesos_workload *w;
    size_t nw;
} eval_setup;

static void eval_setup_init(eval_setup *e, kmesos_policy *p)
{
    static const char *const specs[] = {
        "name=plain kind=broker cmd=true cpus=1 mem=1024 instances=34",
        "name=pref kind=broker cmd=true cpus=1 mem=1024 instances=33 prefer_hosts=host-7",
        ("name=cons kind=broker cmd=true cpus=1 mem=1024 instances=33 "
         "constraints=\"hostname=unique;rack=like:r[0-4]\""),
    };
    e->w = workloads(&e->nw, specs, 3);
    kmesos_offers_init(&e->book);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_tasks_init(&e->tasks, cfg.backoff);
    for (size_t i = 0; i < e->nw; i++)
        for (int k = 0; k < e->w[i].instances; k++)
            kmesos_tasks_add(&e->tasks, &e->w[i], k, 0);
    Mesos__V1__Scheduler__Event *ev = offers_event(1000, 100);
    for (size_t i = 0; i < ev->offers->n_offers; i++)
        kmesos_offers_add(&e->book, ev->offers->offers[i], 0);
    kmesos_pb_free(ev);
    kmesos_policy_attach(p, &e->book, &e->tasks);
}

static void eval_setup_free(eval_setup *e)
{
    kmesos_offers_free(&e->book);
    kmesos_tasks_free(&e->tasks);
    for (size_t i = 0; i < e->nw; i++)
        kmesos_workload_free(&e->w[i]);
    free(e->w);
}

/* One cycle: EVAL_PASSES passes, the tasks waiting 2..6 s. Returns the
 * seconds taken; adds the pairs to *pairs and the verdicts to counts. */
static double eval_cycle(kmesos_policy *p, eval_setup *e, int cycle, size_t *pairs,
                         size_t counts[3])
{
    uint64_t base_ms = (uint64_t)cycle * 10000;
    for (kmesos_task *t = e->tasks.by_id; t; t = t->hh.next)
        t->pending_since_ms = base_ms;
    kmesos_verdict v;
    double t0 = now_s();
    for (int pass = 0; pass < EVAL_PASSES; pass++) {
        uint64_t now_ms = base_ms + 2000 + (uint64_t)pass * 1000;
        kmesos_decide_ctx ctx = {1.7e9 + (double)now_ms / 1e3, now_ms};
        for (kmesos_offer *o = e->book.by_id; o; o = o->hh.next)
            for (kmesos_task *t = e->tasks.by_id; t; t = t->hh.next) {
                kmesos_policy_eval(p, o, t, &ctx, &v);
                counts[v.kind]++;
                (*pairs)++;
            }
    }
    return now_s() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench_evaluations(const char *dir, int jit)
{
    kmesos_policy *p = default_host(dir, jit);
    if (!p)
        return;
    eval_setup e;
    eval_setup_init(&e, p);
    double secs[EVAL_CYCLES];
    size_t pairs = 0, counts[3] = {0}, warm[3] = {0};
    eval_cycle(p, &e, 0, &pairs, warm); /* warm-up: builds the views */
    pairs = 0;
    for (int c = 0; c < EVAL_CYCLES; c++)
        secs[c] = eval_cycle(p, &e, c + 1, &pairs, counts);
    qsort(secs, EVAL_CYCLES, sizeof secs[0], cmp_double);
    double per_cycle = (double)pairs / EVAL_CYCLES;
    printf("evaluations/s, default chain (constraints.lua + delay.lua), one core, JIT %s%s: "
           "%.2f M/s best, %.2f M/s median (%d cycles of %.0f pairs; verdicts per cycle: "
           "accept %.0f%%, decline %.0f%%, wait %.0f%%)\n",
           jit ? "on " : "off", jit ? " (budget NOT enforced in compiled loops)"
                                     : " (instruction budget enforced)",
           per_cycle / secs[0] / 1e6, per_cycle / secs[EVAL_CYCLES / 2] / 1e6, EVAL_CYCLES,
           per_cycle, 100.0 * (double)counts[0] / (double)pairs,
           100.0 * (double)counts[1] / (double)pairs, 100.0 * (double)counts[2] / (double)pairs);
    kmesos_policy_free(p);
    eval_setup_free(&e);
}

/* 2. one OFFERS event of 10,000 offers against 100 pending tasks */
#define EVENT_RUNS 5 /* each on a fresh scheduler; best and median shown */

typedef struct event_run {
    double decode_ms, place_ms, cpu_ms; /* cpu: decode + place, this process */
    uint64_t evaluations, launched, held, calls, bytes;
} event_run;

static double cpu_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A scheduler with the default chain bound as kmesos-scheduler binds it
 * (offer book, task registry and topology attached; evaluate, on_status,
 * on_tick and on_launch hooked), handling the encoded event once. */
static int event_once(const char *dir, const char *const *specs, size_t n_specs,
                      int get_agents, const kmesos_buf *wire, event_run *r)
{
    kmesos_policy *p = default_host(dir, 0);
    if (!p)
        return -1;
    bench_io io = {.now_ms = 1000};
    size_t nw;
    kmesos_workload *w = workloads(&nw, specs, n_specs);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io sio = {&io, io_send, io_now_ms, io_now_s, NULL, NULL, NULL};
    kmesos_scheduler s;
    if (kmesos_scheduler_init(&s, &cfg, &sio, w, nw) != 0 || kmesos_scheduler_fill_slots(&s) != 0) {
        kmesos_scheduler_free(&s);
        kmesos_policy_free(p);
        return -1;
    }
    kmesos_policy_attach(p, &s.offers, &s.tasks);
    kmesos_policy_attach_topology(p, &s.topology);
    kmesos_policy_bind(p, &s.decider);
    for (size_t a = 0; get_agents && a < 1000; a++) { /* as GET_AGENTS after subscribe */
        char agent[32], host[32], rack[16];
        snprintf(agent, sizeof agent, "agent-%zu", a);
        snprintf(host, sizeof host, "host-%zu", a);
        snprintf(rack, sizeof rack, "r%zu", a % 10);
        kmesos_topology_learn(&s.topology, agent, host, rack);
    }
    kmesos_scheduler_on_subscribed(&s, "fw");
    io.calls = io.bytes = 0;
    io.now_ms += 1000;
    uint64_t evals0 = kmesos_policy_stats_get(p)->evaluations;
    double t0 = now_s(), c0 = cpu_now_s();
    Mesos__V1__Scheduler__Event *in = (Mesos__V1__Scheduler__Event *)kmesos_protocol_decode(
        &mesos__v1__scheduler__event__descriptor, KMESOS_CT_PROTOBUF, wire->data, wire->len, NULL, 0);
    double t1 = now_s();
    kmesos_scheduler_on_event(&s, in);
    double t2 = now_s();
    *r = (event_run){(t1 - t0) * 1e3, (t2 - t1) * 1e3, (cpu_now_s() - c0) * 1e3,
                     kmesos_policy_stats_get(p)->evaluations - evals0, s.stats.tasks_launched,
                     s.offers.count, io.calls, io.bytes};
    kmesos_pb_free(in);
    kmesos_scheduler_release_offers(&s);
    kmesos_scheduler_free(&s);
    kmesos_policy_free(p);
    return 0;
}

static int cmp_run(const void *a, const void *b)
{
    const event_run *x = a, *y = b;
    double u = x->decode_ms + x->place_ms, v = y->decode_ms + y->place_ms;
    return u < v ? -1 : u > v;
}

static void bench_event(const char *dir, const char *label, const char *const *specs,
                        size_t n_specs, int get_agents)
{
    Mesos__V1__Scheduler__Event *ev = offers_event(10000, 1000);
    kmesos_buf wire;
    kmesos_buf_init(&wire);
    kmesos_protocol_encode(&ev->base, KMESOS_CT_PROTOBUF, &wire);
    kmesos_pb_free(ev);
    event_run runs[EVENT_RUNS];
    int n = 0;
    while (n < EVENT_RUNS && event_once(dir, specs, n_specs, get_agents, &wire, &runs[n]) == 0)
        n++;
    if (n == EVENT_RUNS) {
        qsort(runs, EVENT_RUNS, sizeof runs[0], cmp_run);
        const event_run *b = &runs[0], *m = &runs[EVENT_RUNS / 2];
        printf("OFFERS event, 10,000 offers x 100 tasks, %s: %.1f ms best, %.1f ms median "
               "(best: decode %.1f ms, place+answer %.1f ms, %.1f ms CPU; %d runs); "
               "%llu evaluations (%.2f M/s through the core, place+answer), %llu tasks "
               "launched, %llu offers held, %llu calls (%llu bytes) encoded; event %zu bytes\n",
               label, b->decode_ms + b->place_ms, m->decode_ms + m->place_ms, b->decode_ms,
               b->place_ms, b->cpu_ms, EVENT_RUNS, (unsigned long long)b->evaluations,
               b->place_ms > 0 ? (double)b->evaluations / b->place_ms / 1e3 : 0,
               (unsigned long long)b->launched, (unsigned long long)b->held,
               (unsigned long long)b->calls, (unsigned long long)b->bytes, wire.len);
    } else {
        fprintf(stderr, "bench_policy: %s: could not run\n", label);
    }
    kmesos_buf_free(&wire);
}

/* 3. hot reload of the default chain */
static void bench_reload(const char *dir)
{
    kmesos_policy *p = default_host(dir, 0);
    if (!p)
        return;
    double total = 0, worst = 0;
    int n = 20;
    for (int i = 0; i < n; i++) {
        kmesos_policy_reload(p);
        double ms = kmesos_policy_stats_get(p)->last_reload_ms;
        total += ms;
        if (ms > worst)
            worst = ms;
    }
    printf("reload (default chain): %.2f ms average, %.2f ms worst over %d reloads\n",
           total / n, worst, n);
    kmesos_policy_free(p);
}

int main(int argc, char **argv)
{
    char dir[1024];
    if (argc > 1 && argv[1][0])
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else if (kmesos_policy_find_dir(argv[0], dir, sizeof dir) != 0) {
        fprintf(stderr, "usage: bench_policy POLICY_DIR (policies/ not found)\n");
        return 2;
    }
    const char *only = argc > 2 ? argv[2] : NULL;
    kmesos_log_set_level(KMESOS_LOG_ERROR);
    if (!only || strcmp(only, "eval") == 0) {
        bench_evaluations(dir, 0);
        bench_evaluations(dir, 1);
    }
    static const char *const fit[] = {"name=b kind=broker cmd=true cpus=1 mem=1024 instances=100"};
    static const char *const wait1[] = {"name=b kind=broker cmd=true cpus=1 mem=1024 "
                                        "instances=100 prefer_hosts=host-none"};
    static char specs[100][128];
    const char *wait100[100];
    for (int i = 0; i < 100; i++) {
        snprintf(specs[i], sizeof specs[i], "name=j%d kind=broker cmd=true cpus=1 mem=1024 "
                 "instances=1 prefer_hosts=host-none", i);
        wait100[i] = specs[i];
    }
    if (!only || strcmp(only, "event") == 0) {
        bench_event(dir, "tasks fit anywhere", fit, 1, 1);
        bench_event(dir, "one job of 100 tasks waiting for host-none (one ask per offer)",
                    wait1, 1, 1);
        bench_event(dir, "the same, no GET_AGENTS (racks learned from these offers)", wait1, 1,
                    0);
        bench_event(dir, "100 jobs of 1 task waiting for host-none (every pair evaluated)",
                    wait100, 100, 1);
    }
    if (!only || strcmp(only, "reload") == 0)
        bench_reload(dir);
    return 0;
}
