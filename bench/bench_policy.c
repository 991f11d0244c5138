/* bench_policy: numbers for the policy host, printed, not asserted.
 *   1. (offer x task) evaluations per second through the default chain
 *      (constraints.lua + delay.lua) on one core: 1,000 offers from 100
 *      agents in 10 racks against 100 tasks (a third plain, a third with a
 *      preferred host, a third with hostname=unique + a rack like:),
 *      JIT off (the default: the budget is then exact) and on;
 *   2. the time to handle one OFFERS event of 10,000 offers against 100
 *      pending tasks, end to end through the scheduler core: protobuf
 *      decode, offer book, policies, encoded ACCEPT/DECLINE calls. Two
 *      cases: tasks that fit anywhere (most offers declined quickly) and
 *      tasks that all wait for a host not offered (every pair evaluated);
 *   3. the time of a hot reload of the default chain.
 * Usage: bench_policy [POLICY_DIR] (default: found like the scheduler). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/log.h"
#include "codec/protocol.h"
#include "sched/pbuild.h"
#include "sched/policy.h"
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
static void bench_evaluations(const char *dir, int jit)
{
    static const char *const specs[] = {
        "name=plain kind=broker cmd=true cpus=1 mem=1024 instances=34",
        "name=pref kind=broker cmd=true cpus=1 mem=1024 instances=33 prefer_hosts=host-7",
        "name=cons kind=broker cmd=true cpus=1 mem=1024 instances=33 "
        "constraints=\"hostname=unique;rack=like:r[0-4]\"",
    };
    kmesos_policy *p = default_host(dir, jit);
    if (!p)
        return;
    size_t nw;
    kmesos_workload *w = workloads(&nw, specs, 3);
    kmesos_offers book;
    kmesos_tasks tasks;
    kmesos_offers_init(&book);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_tasks_init(&tasks, cfg.backoff);
    for (size_t i = 0; i < nw; i++)
        for (int k = 0; k < w[i].instances; k++)
            kmesos_tasks_add(&tasks, &w[i], k, 0);
    Mesos__V1__Scheduler__Event *ev = offers_event(1000, 100);
    for (size_t i = 0; i < ev->offers->n_offers; i++)
        kmesos_offers_add(&book, ev->offers->offers[i], 0);
    kmesos_pb_free(ev);
    kmesos_policy_attach(p, &book, &tasks);
    kmesos_decide_ctx ctx = {1.7e9, 1000};
    kmesos_verdict v;
    size_t evals = 0, counts[3] = {0};
    double best = 1e9;
    for (int round = 0; round < 5; round++) {
        ctx.now_ms += 1000; /* a new batch each round, as on every event */
        ctx.now_s += 1;
        double t0 = now_s();
        size_t n = 0;
        for (kmesos_offer *o = book.by_id; o; o = o->hh.next)
            for (kmesos_task *t = tasks.by_id; t; t = t->hh.next, n++) {
                kmesos_policy_eval(p, o, t, &ctx, &v);
                counts[v.kind]++;
            }
        double dt = now_s() - t0;
        if (dt < best)
            best = dt;
        evals = n;
    }
    printf("evaluations (default chain, JIT %s): %zu pairs in %.1f ms = %.2f M evaluations/s "
           "(accept %zu, decline %zu, wait %zu over 5 rounds)\n",
           jit ? "on " : "off", evals, best * 1e3, (double)evals / best / 1e6, counts[0],
           counts[1], counts[2]);
    kmesos_policy_free(p);
    kmesos_offers_free(&book);
    kmesos_tasks_free(&tasks);
    for (size_t i = 0; i < nw; i++)
        kmesos_workload_free(&w[i]);
    free(w);
}

/* 2. one OFFERS event of 10,000 offers against 100 pending tasks */
static void bench_event(const char *dir, const char *label, const char *spec)
{
    kmesos_policy *p = default_host(dir, 0);
    if (!p)
        return;
    bench_io io = {.now_ms = 1000};
    size_t nw;
    kmesos_workload *w = workloads(&nw, &spec, 1);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io sio = {&io, io_send, io_now_ms, io_now_s, NULL};
    kmesos_scheduler s;
    kmesos_scheduler_init(&s, &cfg, &sio, w, nw);
    kmesos_scheduler_fill_slots(&s);
    kmesos_decider_init(&s.decider, kmesos_policy_evaluate, p);
    kmesos_policy_attach(p, &s.offers, &s.tasks);
    kmesos_scheduler_on_subscribed(&s, "fw");
    io.calls = io.bytes = 0;
    Mesos__V1__Scheduler__Event *ev = offers_event(10000, 1000);
    kmesos_buf wire;
    kmesos_buf_init(&wire);
    kmesos_protocol_encode(&ev->base, KMESOS_CT_PROTOBUF, &wire);
    kmesos_pb_free(ev);
    io.now_ms += 1000;
    uint64_t evals0 = kmesos_policy_stats_get(p)->evaluations;
    double t0 = now_s();
    Mesos__V1__Scheduler__Event *in = (Mesos__V1__Scheduler__Event *)kmesos_protocol_decode(
        &mesos__v1__scheduler__event__descriptor, KMESOS_CT_PROTOBUF, wire.data, wire.len, NULL, 0);
    double t1 = now_s();
    kmesos_scheduler_on_event(&s, in);
    double t2 = now_s();
    printf("OFFERS event, 10,000 offers x 100 tasks, %s: %.1f ms total (decode %.1f ms, "
           "place+answer %.1f ms); %llu evaluations, %zu tasks launched, %zu offers held, "
           "%zu calls (%zu bytes) encoded; event %zu bytes\n",
           label, (t2 - t0) * 1e3, (t1 - t0) * 1e3, (t2 - t1) * 1e3,
           (unsigned long long)(kmesos_policy_stats_get(p)->evaluations - evals0),
           (size_t)s.stats.tasks_launched, s.offers.count, io.calls, io.bytes, wire.len);
    kmesos_pb_free(in);
    kmesos_buf_free(&wire);
    kmesos_scheduler_release_offers(&s);
    kmesos_scheduler_free(&s);
    kmesos_policy_free(p);
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
    if (argc > 1)
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else if (kmesos_policy_find_dir(argv[0], dir, sizeof dir) != 0) {
        fprintf(stderr, "usage: bench_policy POLICY_DIR (policies/ not found)\n");
        return 2;
    }
    kmesos_log_set_level(KMESOS_LOG_ERROR);
    bench_evaluations(dir, 0);
    bench_evaluations(dir, 1);
    bench_event(dir, "tasks fit anywhere",
                "name=b kind=broker cmd=true cpus=1 mem=1024 instances=100");
    bench_event(dir, "all tasks wait for host-none (every pair evaluated)",
                "name=b kind=broker cmd=true cpus=1 mem=1024 instances=100 "
                "prefer_hosts=host-none");
    bench_reload(dir);
    return 0;
}
