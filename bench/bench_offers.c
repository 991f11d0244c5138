/* bench_offers: how fast the scheduler answers an OFFERS event, printed,
 * not asserted (issue 12: within 2x of protobuf-c's own decode).
 *
 * It builds OFFERS events of 1,000 and 10,000 offers as kmesos-local sends
 * them (one offer per agent: cpus 4, mem 4096, disk 10000 and ports
 * [31000-32000] with role "*", the agent's URL, TEXT attributes rack and
 * zone, kmesos-local's id shapes) and encodes each once. Then, over RUNS
 * runs each (the median and the best are printed):
 *   unpack  mesos__v1__scheduler__event__unpack of the bytes alone (the
 *           reference; its free is not counted);
 *   answer  the scheduler's whole handling, through the functions the real
 *           session calls: kmesos_protocol_decode_in of the bytes (into
 *           the event arena), then kmesos_scheduler_on_event, whose
 *           DECLINE is encoded by the fake io (tests/fake_io.c,
 *           encode_only: the body the session would POST), then the
 *           arena reset, as the session drops the event.
 * The scheduler runs the default policy chain bound as kmesos-scheduler
 * binds it, with a workload of 2,000 tasks launched on a first event, so
 * nothing is pending: every timed event is answered by one DECLINE.
 * Last, the RSS figure: a scheduler holding 10,000 agents' offers in its
 * book (one pending task that waits for a host never offered, offers held
 * for an hour), VmRSS of this process before it and with the book full.
 * Usage: bench_offers [POLICY_DIR [1000|rss]] (POLICY_DIR "" or none: found
 * like the scheduler; 1000: that size only, e.g. under callgrind; rss: the
 * RSS figure only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/log.h"
#include "codec/pb.h"
#include "codec/protocol.h"
#include "fake_io.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"

#define RUNS 21
#define MASTER_ID "6f1c1a52-8c8e-4a5d-9b0e-3d1f0e2a7c11"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static Mesos__V1__Resource *res(const char *name, double v)
{
    return kmesos_pb_scalar(name, v, "*");
}

static Mesos__V1__Offer *make_offer(size_t i, size_t gen)
{
    char id[96], agent[96], host[64];
    snprintf(id, sizeof id, "%s-O%zu", MASTER_ID, gen * 100000 + i);
    snprintf(agent, sizeof agent, "%s-S%zu", MASTER_ID, i);
    snprintf(host, sizeof host, "agent-%zu.local", i);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, MASTER_ID "-0000");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    o->hostname = strdup(host);
    o->url = kmesos_pb_new(&mesos__v1__url__descriptor);
    o->url->scheme = strdup("http");
    o->url->address = kmesos_pb_new(&mesos__v1__address__descriptor);
    o->url->address->hostname = strdup(host);
    o->url->address->ip = strdup("127.0.0.1");
    o->url->address->port = (int32_t)(20000 + i % 40000);
    o->url->path = strdup("/slave(1)");
    Mesos__V1__Resource *ports = kmesos_pb_new(&mesos__v1__resource__descriptor);
    ports->name = strdup("ports");
    ports->type = MESOS__V1__VALUE__TYPE__RANGES;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    ports->role = strdup("*");
#pragma GCC diagnostic pop
    ports->ranges = kmesos_pb_new(&mesos__v1__value__ranges__descriptor);
    Mesos__V1__Value__Range *r = kmesos_pb_new(&mesos__v1__value__range__descriptor);
    r->begin = 31000;
    r->end = 32000;
    kmesos_pb_push((void ***)&ports->ranges->range, &ports->ranges->n_range, r);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, ports);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, res("cpus", 4));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, res("mem", 4096));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, res("disk", 10000));
    kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, fake_io_text_attr("rack", "r1"));
    kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, fake_io_text_attr("zone", "z1"));
    return o;
}

/* The encoded OFFERS event of n offers (ids numbered from gen). */
static void event_bytes(size_t n, size_t gen, kmesos_buf *out)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (size_t i = 0; i < n; i++)
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers, make_offer(i, gen));
    kmesos_buf_init(out);
    kmesos_protocol_encode(&ev->base, KMESOS_CT_PROTOBUF, out);
    kmesos_pb_free(ev);
}

/* What the session does with one record (session.c ss_on_record). */
static void feed_bytes(kmesos_scheduler *s, kmesos_arena *arena, const kmesos_buf *b)
{
    int in_arena;
    ProtobufCMessage *m =
        kmesos_protocol_decode_in(&mesos__v1__scheduler__event__descriptor, KMESOS_CT_PROTOBUF,
                                  b->data, b->len, arena, &in_arena, NULL, 0);
    if (m)
        kmesos_scheduler_on_event(s, (const Mesos__V1__Scheduler__Event *)m);
    kmesos_arena_reset(arena);
}

typedef struct rig {
    kmesos_scheduler s;
    kmesos_policy *p;
    fake_io io;
    kmesos_arena arena; /* the session's for events */
} rig;

static int rig_init(rig *r, const char *dir, const char *spec, double hold_s)
{
    char c[1024], d[1024], err[512];
    kmesos_policy_default_chain(dir, c, d, sizeof c);
    const char *files[] = {c, d};
    kmesos_policy_config pc = {files, 2, NULL, 0, 0, NULL};
    memset(r, 0, sizeof *r);
    kmesos_arena_init(&r->arena);
    r->p = kmesos_policy_new(&pc, err, sizeof err);
    kmesos_workload *w = calloc(1, sizeof *w);
    if (!r->p || !w || kmesos_workload_parse(spec, w, err, sizeof err) != 0) {
        fprintf(stderr, "bench_offers: %s\n", err);
        free(w);
        return -1;
    }
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    cfg.offer_hold_s = hold_s;
    r->io.now_ms = 1000;
    r->io.epoch_s = 1.7e9;
    r->io.encode_only = 1;
    kmesos_scheduler_io io = fake_io_make(&r->io);
    if (kmesos_scheduler_init(&r->s, &cfg, &io, w, 1) != 0 ||
        kmesos_scheduler_fill_slots(&r->s) != 0)
        return -1;
    kmesos_policy_attach(r->p, &r->s.offers, &r->s.tasks);
    kmesos_policy_attach_topology(r->p, &r->s.topology);
    kmesos_policy_bind(r->p, &r->s.decider);
    kmesos_scheduler_on_subscribed(&r->s, MASTER_ID "-0000");
    return 0;
}

static void rig_free(rig *r)
{
    kmesos_scheduler_release_offers(&r->s);
    kmesos_scheduler_free(&r->s);
    kmesos_policy_free(r->p);
    fake_io_reset(&r->io);
    kmesos_arena_free(&r->arena);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct timing {
    double best, median;
} timing;

static timing summary(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return (timing){v[0], v[n / 2]};
}

static timing time_unpack(const kmesos_buf *b)
{
    double v[RUNS];
    for (int k = 0; k < RUNS; k++) {
        double t0 = now_ms();
        Mesos__V1__Scheduler__Event *ev =
            mesos__v1__scheduler__event__unpack(NULL, b->len, b->data);
        v[k] = now_ms() - t0;
        mesos__v1__scheduler__event__free_unpacked(ev, NULL);
    }
    return summary(v, RUNS);
}

/* The answer to one event, nothing pending; *ok 0 when it was not one
 * DECLINE of every offer. Not inlined: callgrind's --toggle-collect. */
__attribute__((noinline)) static timing time_answer(rig *r, const kmesos_buf *b,
                                                    size_t n_offers, int *ok)
{
    double v[RUNS];
    *ok = 1;
    for (int k = 0; k < RUNS; k++) {
        r->io.now_ms += 1000;
        size_t sent = r->io.sent, declined = r->s.stats.offers_declined;
        double t0 = now_ms();
        feed_bytes(&r->s, &r->arena, b);
        v[k] = now_ms() - t0;
        if (r->io.sent != sent + 1 || r->s.stats.offers_declined != declined + n_offers)
            *ok = 0;
    }
    return summary(v, RUNS);
}

static void bench_size(rig *r, size_t n)
{
    kmesos_buf b;
    event_bytes(n, 1, &b);
    timing unpack = time_unpack(&b);
    int ok;
    timing answer = time_answer(r, &b, n, &ok);
    printf("%6zu offers (%7zu bytes): unpack %7.3f ms (best %.3f), answer %7.3f ms (best %.3f)"
           ", ratio %.2f (best %.2f); DECLINE body %zu bytes%s\n",
           n, b.len, unpack.median, unpack.best, answer.median, answer.best,
           answer.median / unpack.median, answer.best / unpack.best, r->io.last.len,
           ok ? "" : "  [not one DECLINE of every offer!]");
    kmesos_buf_free(&b);
}

static void bench_rss(const char *dir)
{
    long before = rss_kb("VmRSS");
    rig r;
    kmesos_buf b;
    event_bytes(10000, 7, &b);
    if (rig_init(&r, dir, "name=h cmd=true cpus=0.01 mem=1 instances=1 prefer_hosts=host-none",
                 3600) != 0)
        return;
    long ready = rss_kb("VmRSS");
    feed_bytes(&r.s, &r.arena, &b);
    kmesos_buf_free(&b);
    printf("RSS: %ld kB before the scheduler, %ld kB with it (empty book), %ld kB with %zu "
           "offers of 10,000 agents held in its book (peak %ld kB)\n",
           before, ready, rss_kb("VmRSS"), r.s.offers.count, rss_kb("VmHWM"));
    rig_free(&r);
}

int main(int argc, char **argv)
{
    char dir[1024];
    if (argc > 1 && argv[1][0])
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else if (kmesos_policy_find_dir(argv[0], dir, sizeof dir) != 0) {
        fprintf(stderr, "usage: bench_offers POLICY_DIR (policies/ not found)\n");
        return 2;
    }
    kmesos_log_set_level(KMESOS_LOG_ERROR);
    if (argc > 2 && strcmp(argv[2], "rss") == 0) {
        bench_rss(dir);
        return 0;
    }
    rig r;
    if (rig_init(&r, dir, "name=w cmd=\"sleep 3600\" cpus=0.01 mem=1 instances=2000", 0) != 0)
        return 1;
    kmesos_buf first;
    event_bytes(1000, 0, &first); /* launches the 2,000 tasks */
    feed_bytes(&r.s, &r.arena, &first);
    kmesos_buf_free(&first);
    printf("bench_offers: %zu tasks launched, %zu pending; %d runs each\n",
           (size_t)r.s.stats.tasks_launched, kmesos_tasks_pending(&r.s.tasks), RUNS);
    int only_1k = argc > 2 && strcmp(argv[2], "1000") == 0;
    bench_size(&r, 1000);
    if (!only_1k)
        bench_size(&r, 10000);
    rig_free(&r);
    if (!only_1k)
        bench_rss(dir);
    return 0;
}
