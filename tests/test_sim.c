/* Tests of kmesos-sim's engine (core/sim), linked in: the random stream
 * and the event queue; scenario errors that name the file, the JSON path
 * and the field; determinism (same seed, same JSON; another seed, other
 * numbers); delay and no-delay runs that finish every task; the lone-task
 * bound (launch no later than node_wait_s + rack_wait_s + one allocation
 * interval) with the default chain and the core's defaults (no hold, the
 * default wait refuse), and what a longer wait refuse does to it; the
 * topology the cores learn before the first offer (GET_AGENTS): a task
 * whose preferred host never offers takes that host's rack after the node
 * wait, and waits for "any" without it; one framework per job; competitors
 * that run their jobs. The paper-scale acceptance is test_sim_locality.c.
 * Scenarios are the shipped ones or small ones written to a temporary
 * folder. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "codec/log.h"
#include "sched/scheduler.h"
#include "sim/heap.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "testlib.h"

static char tmpdir[256];

/* ---- rng and heap ------------------------------------------------------------------ */

static void test_rng_is_a_function_of_seed_and_stream(void)
{
    ksim_rng a, b, c;
    ksim_rng_seed(&a, 42, 1);
    ksim_rng_seed(&b, 42, 1);
    ksim_rng_seed(&c, 42, 2);
    int same = 1, differ = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t x = ksim_rng_next(&a), y = ksim_rng_next(&b), z = ksim_rng_next(&c);
        same &= x == y;
        differ |= x != z;
    }
    CHECK(same);
    CHECK(differ);
    int in_range = 1;
    for (int i = 0; i < 1000; i++) {
        double u = ksim_rng_uniform(&a, 15, 25);
        in_range &= ksim_rng_below(&a, 7) < 7 && u >= 15 && u <= 25;
    }
    CHECK(in_range);
}

static void test_heap_orders_by_time_kind_and_push(void)
{
    ksim_heap h;
    ksim_heap_init(&h);
    ksim_heap_push(&h, (ksim_event){.at_ms = 5, .kind = KSIM_EV_ALLOCATE, .a = 1});
    ksim_heap_push(&h, (ksim_event){.at_ms = 5, .kind = KSIM_EV_FINISH, .a = 2});
    ksim_heap_push(&h, (ksim_event){.at_ms = 1, .kind = KSIM_EV_TICK, .a = 3});
    ksim_heap_push(&h, (ksim_event){.at_ms = 5, .kind = KSIM_EV_FINISH, .a = 4});
    size_t want[] = {3, 2, 4, 1}, k = 0;
    ksim_event ev;
    while (ksim_heap_pop(&h, &ev) && k < 4)
        CHECK_INT(ev.a, want[k++]);
    CHECK_INT(k, 4);
    ksim_heap_free(&h);
    CHECK_INT(ksim_ms(1.5), 1500);
    CHECK_INT(ksim_ms(-3), 0);
    CHECK_INT(ksim_ms(NAN), 0);
}

/* ---- scenario errors ----------------------------------------------------------------- */

static void expect_error(const char *json, const char *want1, const char *want2)
{
    const char *path = testlib_write_file(tmpdir, "bad.json", json);
    ksim_scenario sc;
    char err[1024] = "";
    CHECK_INT(ksim_scenario_load(path, &sc, err, sizeof err), -1);
    CHECK(strstr(err, path) != NULL);
    CHECK(strstr(err, want1) != NULL);
    CHECK(strstr(err, want2) != NULL);
    if (!strstr(err, want1) || !strstr(err, want2))
        fprintf(stderr, "  got: %s\n", err);
}

static void test_bad_scenarios_name_file_path_and_field(void)
{
    expect_error("{\"cluster\": {\"agents\": 3}, \"framework\": {\"jobs\": [{}]}, \"colour\": 1}",
                 "$.colour", "unknown field 'colour'");
    expect_error("{\"cluster\": {\"agents\": 3, \"rack_sise\": 2}, \"framework\": {\"jobs\": [{}]}}",
                 "$.cluster.rack_sise", "unknown field 'rack_sise'");
    expect_error("{\"cluster\": {\"agents\": 3}, \"framework\": {\"jobs\": [{}, {\"taks\": 4}]}}",
                 "$.framework.jobs[1].taks", "unknown field 'taks'");
    expect_error("{\"cluster\": {\"agents\": 3}, \"framework\": {\"jobs\": [{\"tasks\": 0}]}}",
                 "$.framework.jobs[0].tasks", "bad value for 'tasks'");
    expect_error("{\"cluster\": {\"agents\": 3}, \"framework\": {\"jobs\": [{\"replicas\": 4}]}}",
                 "$.framework.jobs[0].replicas", "[0, 3]");
    expect_error("{\"cluster\": {\"agents\": 3}, \"framework\": {\"jobs\": [{\"duration_s\": "
                 "[5, 1]}]}}", "$.framework.jobs[0].duration_s", "bad value for 'duration_s'");
    expect_error("{\"cluster\": {\"agents\": 3}, \"mode\": \"shard\", \"framework\": {\"jobs\": "
                 "[{}]}}", "$.mode", "framework_per_job");
    expect_error("{\"cluster\": {\"agents\": 2}, \"framework\": {\"jobs\": [{}]}, \"competitors\":"
                 " [{\"name\": \"c\", \"type\": \"static\", \"agents\": [\"host-009\"]}]}",
                 "$.competitors[0].agents[0]", "host-009");
    expect_error("{\"cluster\": {\"agents\": 2}, \"framework\": {\"jobs\": [{\"name\": \"a\"}, "
                 "{\"name\": \"a\"}]}}", "$.framework.jobs", "'a' is used twice");
    expect_error("{\"cluster\": {\"agents\": 2},\n \"framework\": {\"jobs\": [}}", ":2:", "");
    expect_error("{\"cluster\": {\"agents\": 2}}", "$", "missing field 'framework'");
    expect_error("{\"cluster\": {\"agents\": 2}, \"framework\": {\"get_agents\": 1, \"jobs\": "
                 "[{}]}}", "$.framework.get_agents", "true or false");
    expect_error("{\"cluster\": {\"agents\": 2}, \"framework\": {\"wait_refuse_s\": -1, "
                 "\"jobs\": [{}]}}", "$.framework.wait_refuse_s", "bad value");
    expect_error("{\"cluster\": {\"agents\": 2}, \"answer_latency_s\": \"x\", \"framework\": "
                 "{\"jobs\": [{}]}}", "$.answer_latency_s", "bad value");
}

/* ---- runs -------------------------------------------------------------------------- */

typedef struct run_setup {
    ksim_scenario sc;
    const char *chain[2];
    size_t n_chain;
    ksim_run_config cfg;
} run_setup;

static char chain_c[512], chain_d[512];

/* Loads a scenario with the default chain and the core's hold/refuse. */
static int setup(run_setup *r, const char *path, const char *options)
{
    char err[1024];
    memset(r, 0, sizeof *r);
    if (ksim_scenario_load(path, &r->sc, err, sizeof err) != 0) {
        fprintf(stderr, "  %s\n", err);
        return -1;
    }
    kmesos_scheduler_config core;
    kmesos_scheduler_config_defaults(&core);
    r->chain[0] = chain_c;
    r->chain[1] = chain_d;
    r->cfg = (ksim_run_config){.sc = &r->sc, .policies = r->chain, .n_policies = 2,
                               .options = options, .offer_hold_s = core.offer_hold_s,
                               .decline_refuse_s = core.decline_refuse_s,
                               .wait_refuse_s = core.wait_refuse_s, .mode = r->sc.mode,
                               .seed = r->sc.seed};
    return 0;
}

static int run(run_setup *r, ksim_result *res)
{
    char err[1024];
    int rc = ksim_run(&r->cfg, res, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "  run failed: %s\n", err);
    return rc;
}

static char *run_json(run_setup *r)
{
    ksim_result res;
    if (run(r, &res) != 0)
        return NULL;
    json_t *j = ksim_report_json(&res);
    char *text = json_dumps(j, JSON_SORT_KEYS);
    json_decref(j);
    ksim_result_free(&res);
    return text;
}

static void test_same_seed_same_json(void)
{
    run_setup r;
    if (setup(&r, KSIM_SRC "/sim/scenarios/small.json", "{}") != 0) {
        CHECK(0);
        return;
    }
    char *a = run_json(&r), *b = run_json(&r);
    r.cfg.seed = 99;
    char *c = run_json(&r);
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK_STR(a, b);
        CHECK(strcmp(a, c) != 0);
    }
    free(a);
    free(b);
    free(c);
    ksim_scenario_free(&r.sc);
}

static double node_pct(const ksim_result *res) { return ksim_pct(res->total.node, &res->total); }

/* The paper's shape, smaller: 93 agents x 4 slots, 16 jobs of 60 tasks. */
static const char SMALL_PAPER[] =
    "{\"seed\": 11, \"cluster\": {\"agents\": 93, \"slots_per_agent\": 4, \"rack_size\": 20},\n"
    " \"framework\": {\"jobs\": [{\"name\": \"job\", \"count\": 16, \"tasks\": 60,\n"
    "   \"duration_s\": [15, 25], \"replicas\": 3}]}}\n";

static void test_delay_and_no_delay_finish_every_task(void)
{
    const char *path = testlib_write_file(tmpdir, "small_paper.json", SMALL_PAPER);
    const char *options[] = {"{\"delay\": {\"node_wait_s\": 0, \"rack_wait_s\": 0}}",
                             "{\"delay\": {\"node_wait_s\": 1}}", "{}"};
    double util[3] = {0};
    for (int i = 0; i < 3; i++) {
        run_setup r;
        ksim_result res;
        if (setup(&r, path, options[i]) != 0 || run(&r, &res) != 0) {
            CHECK(0);
            continue;
        }
        fprintf(stderr, "  %-48s node-local %5.1f%%, utilisation %.3f\n", options[i],
                node_pct(&res), res.utilisation);
        CHECK(res.complete);
        CHECK_INT(res.total.ended, 960);
        CHECK_INT(res.total.launched, 960);
        CHECK(res.utilisation > 0.3 && res.utilisation <= 1.0);
        CHECK_INT(res.policy_errors, 0);
        CHECK_INT(res.acks, res.updates);
        util[i] = res.utilisation;
        ksim_result_free(&res);
        ksim_scenario_free(&r.sc);
    }
    CHECK(util[0] > 0);
}

/* Runs the lone-task scenario with wait_refuse_s; the task's launch delay. */
static double lone_task_delay(run_setup *r, double wait_refuse_s, uint64_t *offers)
{
    ksim_result res;
    r->cfg.wait_refuse_s = wait_refuse_s;
    if (run(r, &res) != 0)
        return -1;
    CHECK(res.complete);
    CHECK_INT(res.total.off, 1);
    CHECK_INT(res.hold_expiries, 0);
    CHECK(res.held_slot_s == 0);
    double delay = res.total.wait_max_s;
    *offers = res.offers_made;
    fprintf(stderr, "  lone task, --wait-refuse %g: launched after %.1f s, %llu offers\n",
            wait_refuse_s, delay, (unsigned long long)res.offers_made);
    ksim_result_free(&res);
    return delay;
}

static void test_lone_task_bound(void)
{
    run_setup r;
    if (setup(&r, KSIM_SRC "/sim/scenarios/lone_task.json", "{}") != 0) {
        CHECK(0);
        return;
    }
    const double bound = 5 + 5 + r.sc.alloc_interval_s; /* delay.lua's defaults */
    kmesos_scheduler_config core;
    kmesos_scheduler_config_defaults(&core);
    CHECK(core.offer_hold_s == 0); /* the defaults hold nothing */
    uint64_t offers_default, offers_1, offers_2;
    double d = lone_task_delay(&r, core.wait_refuse_s, &offers_default);
    CHECK(d >= 5 && d <= bound);
    /* a refuse of one allocation interval: the agents come back every
     * other round, still within the bound */
    double d1 = lone_task_delay(&r, r.sc.alloc_interval_s, &offers_1);
    CHECK(d1 >= 5 && d1 <= bound);
    CHECK(offers_1 < offers_default);
    /* two intervals: the round that would launch it is filtered away */
    double d2 = lone_task_delay(&r, 2 * r.sc.alloc_interval_s, &offers_2);
    CHECK(d2 > bound);
    CHECK(offers_2 < offers_1);
    ksim_scenario_free(&r.sc);
}

/* host-003 is taken by a pinned competitor for 100 s before our task,
 * which prefers it, arrives: host-003 never offers to us. */
static const char SILENT_HOST[] =
    "{\"seed\": 2, \"cluster\": {\"agents\": 8, \"slots_per_agent\": 4, \"rack_size\": 4},\n"
    " \"framework\": {%s\"jobs\": [{\"name\": \"lone\", \"arrival_s\": 1, \"duration_s\": 5,\n"
    "   \"prefer_hosts\": [\"host-003\"]}]},\n"
    " \"competitors\": [{\"name\": \"pinned\", \"type\": \"static\", \"agents\": [\"host-003\"],\n"
    "   \"jobs\": [{\"name\": \"hold\", \"tasks\": 4, \"duration_s\": 100}]}]}\n";

static void silent_host_run(int get_agents, ksim_stats *st)
{
    char text[1024];
    snprintf(text, sizeof text, SILENT_HOST, get_agents ? "" : "\"get_agents\": false, ");
    run_setup r;
    ksim_result res;
    memset(st, 0, sizeof *st);
    if (setup(&r, testlib_write_file(tmpdir, get_agents ? "silent.json" : "silent_nga.json", text), "{}") != 0 ||
        run(&r, &res) != 0) {
        CHECK(0);
        return;
    }
    CHECK(res.complete);
    CHECK_INT(res.n_ours, 1);
    *st = res.jobs[0].st;
    fprintf(stderr, "  preferred host never offers, get_agents %s: launched after %.1f s, "
            "%s\n", get_agents ? "true" : "false", st->wait_max_s,
            st->rack ? "rack-local" : st->off ? "off-rack" : "node-local");
    ksim_result_free(&res);
    ksim_scenario_free(&r.sc);
}

static void test_topology_gives_the_rack_of_a_host_that_never_offers(void)
{
    ksim_stats with, without;
    silent_host_run(1, &with);
    CHECK_INT(with.launched, 1);
    CHECK_INT(with.rack, 1);                     /* host-003's rack, from GET_AGENTS */
    CHECK(with.wait_max_s >= 5 && with.wait_max_s <= 5 + 1); /* node wait + a round */
    silent_host_run(0, &without);
    CHECK_INT(without.launched, 1);
    CHECK(without.wait_max_s >= 5 + 5);          /* no rack known: waits for "any" */
}

static void test_framework_per_job_mode(void)
{
    const char *path = testlib_write_file(tmpdir, "small_paper_fw.json", SMALL_PAPER);
    run_setup r;
    ksim_result res;
    if (setup(&r, path, "{\"delay\": {\"node_wait_s\": 1}}") != 0) {
        CHECK(0);
        return;
    }
    r.cfg.mode = KSIM_MODE_FRAMEWORK_PER_JOB;
    if (run(&r, &res) == 0) {
        fprintf(stderr, "  framework per job: node-local %.1f%%, utilisation %.3f\n",
                node_pct(&res), res.utilisation);
        CHECK(res.complete);
        CHECK_INT(res.total.ended, 960);
        CHECK_STR(res.mode, "framework_per_job");
        CHECK(node_pct(&res) > 50);
        CHECK(res.utilisation > 0.3 && res.utilisation <= 1.0);
        ksim_result_free(&res);
    }
    ksim_scenario_free(&r.sc);
    CHECK_INT(ksim_mode_parse("framework_per_job"), KSIM_MODE_FRAMEWORK_PER_JOB);
    CHECK_INT(ksim_mode_parse("shard"), -1);
}

static const char COMPETITORS[] =
    "{\"seed\": 5, \"cluster\": {\"agents\": 12, \"slots_per_agent\": 4, \"rack_size\": 4},\n"
    " \"framework\": {\"jobs\": [{\"name\": \"ours\", \"count\": 3, \"tasks\": 20,\n"
    "   \"duration_s\": [5, 10], \"replicas\": 2, \"interval_s\": 3}]},\n"
    " \"competitors\": [\n"
    "  {\"name\": \"hog\", \"type\": \"greedy\", \"jobs\": [{\"name\": \"b\", \"tasks\": 40,\n"
    "    \"duration_s\": [10, 20]}]},\n"
    "  {\"name\": \"pinned\", \"type\": \"static\", \"agents\": [\"host-000\", \"host-001\"],\n"
    "    \"jobs\": [{\"name\": \"svc\", \"tasks\": 6, \"duration_s\": 30, \"arrival_s\": 2}]}]}\n";

static void test_competitors_run_their_jobs(void)
{
    run_setup r;
    ksim_result res;
    if (setup(&r, testlib_write_file(tmpdir, "comp.json", COMPETITORS), "{}") != 0 || run(&r, &res) != 0) {
        CHECK(0);
        return;
    }
    CHECK(res.complete);
    CHECK_INT(res.n_jobs, 5);
    CHECK_INT(res.n_ours, 3);
    CHECK_STR(res.jobs[3].framework, "hog");
    CHECK_INT(res.jobs[3].st.ended, 40);
    CHECK_INT(res.jobs[4].st.ended, 6);
    /* the pinned framework has 8 slots: its 6 tasks of 30 s fit at once,
     * so it ends no earlier than 2 + 30 s */
    CHECK(res.jobs[4].completion_s >= 30);
    CHECK(res.utilisation > 0 && res.utilisation <= 1);
    ksim_result_free(&res);
    ksim_scenario_free(&r.sc);
}

int main(void)
{
    kmesos_log_set_level(KMESOS_LOG_ERROR);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kmesos-sim-test-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(chain_c, sizeof chain_c, "%s/policies/constraints.lua", KSIM_SRC);
    snprintf(chain_d, sizeof chain_d, "%s/policies/delay.lua", KSIM_SRC);
    RUN_TEST(test_rng_is_a_function_of_seed_and_stream);
    RUN_TEST(test_heap_orders_by_time_kind_and_push);
    RUN_TEST(test_bad_scenarios_name_file_path_and_field);
    RUN_TEST(test_same_seed_same_json);
    RUN_TEST(test_delay_and_no_delay_finish_every_task);
    RUN_TEST(test_lone_task_bound);
    RUN_TEST(test_topology_gives_the_rack_of_a_host_that_never_offers);
    RUN_TEST(test_framework_per_job_mode);
    RUN_TEST(test_competitors_run_their_jobs);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return testlib_finish();
}
