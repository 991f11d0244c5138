/* test_placement: the job-aware placement of issue 9 through the real
 * core and policy host: the candidate tiers (a task preferring the offer's
 * host before the rest, then its rack, jobs in fair order), the per-job
 * wait clock as task.job shows it (starts when the job is passed over,
 * resets at a launch), on_launch, the rack of a host that never offered
 * (from the topology, as GET_AGENTS fills it), wait-only offers declined at
 * once with the short refuse, and a job's non-local tasks asked once per
 * offer instead of one by one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/pb.h"
#include "fake_io.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"
#include "sched/trace.h"
#include "testlib.h"

#include <jansson.h>

static char tmpdir[] = "/tmp/kmesos-placement-XXXXXX";

typedef struct world {
    kmesos_scheduler s;
    fake_io io;
    kmesos_policy *p;
} world;

/* A scheduler with the workloads (spec lines) and, when lua is not NULL,
 * a one-policy chain bound to it. */
static void world_up(world *w, const char *const *specs, size_t n, const char *lua)
{
    memset(w, 0, sizeof *w);
    w->io.now_ms = 1000;
    w->io.epoch_s = 1.7e9;
    kmesos_workload *list = calloc(n, sizeof *list);
    char err[512];
    for (size_t i = 0; i < n; i++)
        CHECK_INT(kmesos_workload_parse(specs[i], &list[i], err, sizeof err), 0);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = fake_io_make(&w->io);
    kmesos_scheduler_init(&w->s, &cfg, &io, list, n);
    CHECK_INT(kmesos_scheduler_fill_slots(&w->s), 0);
    if (lua) {
        char path[512];
        snprintf(path, sizeof path, "%s/p.lua", tmpdir);
        FILE *f = fopen(path, "w");
        fputs(lua, f);
        fclose(f);
        const char *files[] = {path};
        kmesos_policy_config pc = {.files = files, .n_files = 1};
        w->p = kmesos_policy_new(&pc, err, sizeof err);
        CHECK(w->p != NULL);
        kmesos_policy_attach(w->p, &w->s.offers, &w->s.tasks);
        kmesos_policy_attach_topology(w->p, &w->s.topology);
        kmesos_policy_bind(w->p, &w->s.decider);
    }
    kmesos_scheduler_on_subscribed(&w->s, "fw-1");
    fake_io_reset(&w->io);
}

static void world_down(world *w)
{
    fake_io_reset(&w->io);
    kmesos_scheduler_free(&w->s);
    kmesos_policy_free(w->p);
}

static void offer(world *w, const char *id, const char *host, const char *rack, double cpus)
{
    Mesos__V1__Offer *o = fake_io_offer(id, NULL, host, rack, cpus);
    fake_io_feed(&w->s, &o, 1);
}

/* The task launched by the n-th ACCEPT sent (NULL when none). */
static const char *launched(const world *w, size_t n)
{
    for (size_t i = 0; i < w->io.n; i++) {
        const kmesos_call *c = w->io.calls[i];
        if (c->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT && n-- == 0)
            return c->accept->operations[0]->launch->task_infos[0]->task_id->value;
    }
    return NULL;
}

static const char *reason_of(world *w, const char *workload, int instance)
{
    const kmesos_workload *wl = kmesos_scheduler_workload(&w->s, workload);
    kmesos_task *t = wl ? kmesos_scheduler_slot(&w->s, wl, instance) : NULL;
    return t && t->wait_reason ? t->wait_reason : "(none)";
}

static void test_node_local_task_first(void)
{
    /* job "a" is older, but only job "b" holds data on h1 */
    const char *specs[] = {"name=a cmd=true cpus=1 instances=2 prefer_hosts_by_instance=\"h2;h3\"",
                           "name=b cmd=true cpus=1 prefer_hosts=h1"};
    world w;
    world_up(&w, specs, 2, NULL);
    offer(&w, "o1", "h1", "r1", 1);
    CHECK_STR(launched(&w, 0), "b-0-3");
    CHECK_INT(w.s.stats.launched_at[KMESOS_LOCALITY_NODE], 1);
    world_down(&w);
}

static void test_rack_tier_before_the_rest(void)
{
    const char *specs[] = {"name=a cmd=true cpus=1 prefer_racks=r9",
                           "name=b cmd=true cpus=1 prefer_racks=r1"};
    world w;
    world_up(&w, specs, 2, NULL);
    offer(&w, "o1", "h1", "r1", 1);
    CHECK_STR(launched(&w, 0), "b-0-2");
    CHECK_INT(w.s.stats.launched_at[KMESOS_LOCALITY_RACK], 1);
    world_down(&w);
}

static void test_fair_order_fewest_running_first(void)
{
    const char *specs[] = {"name=a cmd=true cpus=1 instances=3", "name=b cmd=true cpus=1 instances=3"};
    world w;
    world_up(&w, specs, 2, NULL);
    offer(&w, "o1", "h1", NULL, 1); /* a runs one now */
    offer(&w, "o2", "h2", NULL, 1); /* so b goes next */
    offer(&w, "o3", "h3", NULL, 1); /* and then a again (1 each, a older) */
    CHECK(strncmp(launched(&w, 0), "a-", 2) == 0);
    CHECK(strncmp(launched(&w, 1), "b-", 2) == 0);
    CHECK(strncmp(launched(&w, 2), "a-", 2) == 0);
    CHECK_INT(w.s.stats.launched_at[KMESOS_LOCALITY_NONE], 3);
    world_down(&w);
}

/* Waits everywhere but h1 and shows task.job in the reason. */
static const char JOB_LUA[] =
    "return { evaluate = function(o, t, ctx)\n"
    "  if o.hostname == 'h1' then return 'accept' end\n"
    "  local j = t.job\n"
    "  return 'wait', string.format('%s w=%.1f p=%d r=%d l=%d', j.id, j.waiting_s, j.pending,\n"
    "                                j.running, j.launched)\n"
    "end }\n";

static void test_job_clock_starts_when_passed_over_and_resets_at_launch(void)
{
    const char *specs[] = {"name=j cmd=true cpus=1 instances=3"};
    world w;
    world_up(&w, specs, 1, JOB_LUA);
    w.io.now_ms = 5000; /* pending for 4 s already: the job clock does not care */
    offer(&w, "o1", "h2", NULL, 1);
    CHECK_STR(reason_of(&w, "j", 0), "j w=0.0 p=3 r=0 l=0");
    kmesos_call *d = fake_io_find(&w.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE);
    CHECK(d && d->decline->filters && d->decline->filters->refuse_seconds == 0);
    w.io.now_ms = 7500;
    offer(&w, "o2", "h2", NULL, 1);
    CHECK_STR(reason_of(&w, "j", 0), "j w=2.5 p=3 r=0 l=0");
    offer(&w, "o3", "h1", NULL, 1); /* a launch resets the clock */
    CHECK(launched(&w, 0) != NULL);
    w.io.now_ms = 8000;
    offer(&w, "o4", "h2", NULL, 1);
    CHECK_STR(reason_of(&w, "j", 1), "j w=0.0 p=2 r=1 l=1");
    w.io.now_ms = 9000;
    offer(&w, "o5", "h2", NULL, 1);
    CHECK_STR(reason_of(&w, "j", 1), "j w=1.0 p=2 r=1 l=1");
    world_down(&w);
}

static const char LAUNCH_LUA[] =
    "return {\n"
    "  evaluate = function(o, t, ctx)\n"
    "    local n = ctx.state.launches or 0\n"
    "    if n >= 1 then return 'wait', 'launches=' .. n .. ' last=' .. ctx.state.last end\n"
    "    return 'accept'\n"
    "  end,\n"
    "  on_launch = function(t, o, ctx)\n"
    "    ctx.state.launches = (ctx.state.launches or 0) + 1\n"
    "    ctx.state.last = t.name .. '@' .. o.hostname\n"
    "  end }\n";

static void test_on_launch_hears_each_launch(void)
{
    const char *specs[] = {"name=j cmd=true cpus=1 instances=2"};
    world w;
    world_up(&w, specs, 1, LAUNCH_LUA);
    offer(&w, "o1", "h4", NULL, 2);
    CHECK_INT(fake_io_count(&w.io, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    CHECK_STR(reason_of(&w, "j", 1), "launches=1 last=j@h4");
    world_down(&w);
}

static void test_policy_sees_rack_of_a_host_that_never_offered(void)
{
    const char *specs[] = {"name=j cmd=true cpus=1 prefer_hosts=h9"};
    world w;
    world_up(&w, specs, 1,
             "return { evaluate = function(o, t, ctx)\n"
             "  return 'wait', 'h9 in ' .. tostring(ctx.cluster.rack_of_host.h9) ..\n"
             "    ', a-h9 in ' .. tostring(ctx.cluster.rack_of_agent['a-h9'])\n"
             "end }\n");
    kmesos_topology_learn(&w.s.topology, "a-h9", "h9", "r7"); /* as GET_AGENTS does */
    offer(&w, "o1", "h1", "r1", 1);
    CHECK_STR(reason_of(&w, "j", 0), "h9 in r7, a-h9 in r7");
    world_down(&w);
}

static void test_rack_tier_uses_racks_of_preferred_hosts(void)
{
    /* a prefers h9 (rack r7 per the topology), b prefers nothing */
    const char *specs[] = {"name=b cmd=true cpus=1", "name=a cmd=true cpus=1 prefer_hosts=h9"};
    world w;
    world_up(&w, specs, 2, NULL);
    kmesos_topology_learn(&w.s.topology, "a-h9", "h9", "r7");
    offer(&w, "o1", "h8", "r7", 1);
    CHECK_STR(launched(&w, 0), "a-0-2");
    CHECK_INT(w.s.stats.launched_at[KMESOS_LOCALITY_RACK], 1);
    world_down(&w);
}

static void test_non_local_tasks_of_a_job_asked_once_per_offer(void)
{
    const char *specs[] = {"name=j cmd=true cpus=1 instances=100 prefer_hosts=h9"};
    world w;
    world_up(&w, specs, 1, "return { evaluate = function() return 'wait', 'no' end }\n");
    offer(&w, "o1", "h1", NULL, 4);
    CHECK_INT(w.s.decider.evaluations, 1);
    CHECK_INT(fake_io_count(&w.io, MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE), 1);
    world_down(&w);
}

static void test_tasks_added_later_are_indexed(void)
{
    const char *specs[] = {"name=a cmd=true cpus=1 prefer_hosts=h5"};
    world w;
    world_up(&w, specs, 1, NULL);
    offer(&w, "o1", "h5", NULL, 1);
    kmesos_workload *nw = calloc(1, sizeof *nw);
    char err[256];
    CHECK_INT(kmesos_workload_parse("name=b cmd=true cpus=1 prefer_hosts=h6", nw, err, sizeof err), 0);
    CHECK_INT(kmesos_scheduler_add_workload(&w.s, nw), 0);
    offer(&w, "o2", "h6", NULL, 1);
    CHECK_STR(launched(&w, 0), "a-0-1");
    CHECK_STR(launched(&w, 1), "b-0-2");
    CHECK(w.s.cand.builds >= 2);
    world_down(&w);
}

/* Counts the trace lines of event ev (each line must parse as JSON). */
static int trace_count(const char *path, const char *ev, int *bad)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = 0;
    while (f && fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j || !json_is_number(json_object_get(j, "t")))
            (*bad)++;
        const char *e = json_string_value(json_object_get(j, "ev"));
        n += e && strcmp(e, ev) == 0;
        json_decref(j);
    }
    if (f)
        fclose(f);
    return n;
}

static void test_trace_records_what_placement_did(void)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/trace.jsonl", tmpdir);
    const char *specs[] = {"name=j cmd=true cpus=1 instances=2 prefer_hosts_by_instance=\"h1;h9\""};
    world w;
    world_up(&w, specs, 1, JOB_LUA);
    kmesos_trace *tr = kmesos_trace_open(path, err, sizeof err);
    CHECK(tr != NULL);
    w.s.trace = tr;
    offer(&w, "o1", "h1", "r1", 1); /* j-0 launches (node-local), j-1 does not fit */
    offer(&w, "o2", "h2", "r1", 1); /* j-1 waits: declined */
    kmesos_scheduler_tick(&w.s);
    int bad = 0;
    CHECK_INT(trace_count(path, "offer", &bad), 2);
    CHECK_INT(trace_count(path, "task", &bad), 2);      /* each slot described once */
    CHECK_INT(trace_count(path, "verdict", &bad), 3);
    CHECK_INT(trace_count(path, "launch", &bad), 1);
    CHECK_INT(trace_count(path, "decline", &bad), 1);
    CHECK_INT(bad, 0);
    w.s.trace = NULL;
    kmesos_trace_close(tr);
    CHECK(kmesos_trace_open("/nonexistent-dir/x", err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent-dir/x") != NULL);
    world_down(&w);
    unlink(path);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    RUN_TEST(test_node_local_task_first);
    RUN_TEST(test_rack_tier_before_the_rest);
    RUN_TEST(test_fair_order_fewest_running_first);
    RUN_TEST(test_job_clock_starts_when_passed_over_and_resets_at_launch);
    RUN_TEST(test_on_launch_hears_each_launch);
    RUN_TEST(test_policy_sees_rack_of_a_host_that_never_offered);
    RUN_TEST(test_rack_tier_uses_racks_of_preferred_hosts);
    RUN_TEST(test_non_local_tasks_of_a_job_asked_once_per_offer);
    RUN_TEST(test_tasks_added_later_are_indexed);
    RUN_TEST(test_trace_records_what_placement_did);
    char path[512];
    snprintf(path, sizeof path, "%s/p.lua", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return testlib_finish();
}
