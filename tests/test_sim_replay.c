/* Tests of kmesos-sim --replay (core/sim/replay.c, tread.c) and --trace.
 * A real trace is produced by the scheduler core inside a simulated run
 * (the run's core records into a kmesos_trace, as kmesos-scheduler
 * --trace does); replayed, it gives back the cluster (hosts, racks, agent
 * ids, resources), the jobs (names, task counts, per-task preferred
 * hosts, resources, arrivals, durations), the recorded locality equal to
 * what the run counted, and a replay with the same chain that keeps the
 * busy time exactly and the locality close. A hand-written trace covers
 * what a simulator-made one does not: preferred agents and racks, disk
 * (a task only a disk-offering agent fits), an agent without a rack, an
 * agent re-registered under a new id, a relaunch, a launch of a task no
 * record describes, the default duration. Bad traces exit 2 with the
 * file, the line and the field; a job no agent can hold is warned about;
 * the program's flags (--replay, --replay-duration, --trace) and the
 * shipped example (sim/traces/demo.jsonl) are checked too. */
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "codec/log.h"
#include "sched/scheduler.h"
#include "sched/trace.h"
#include "sim/replay.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "testlib.h"

static char tmpdir[256];
static char chain_c[512], chain_d[512];
static const char *chain[2] = {chain_c, chain_d};

static ksim_run_config config(const ksim_scenario *sc)
{
    kmesos_scheduler_config core;
    kmesos_scheduler_config_defaults(&core);
    return (ksim_run_config){.sc = sc, .policies = chain, .n_policies = 2, .options = "{}",
                             .offer_hold_s = core.offer_hold_s,
                             .decline_refuse_s = core.decline_refuse_s,
                             .wait_refuse_s = core.wait_refuse_s, .mode = sc->mode,
                             .seed = sc->seed};
}

static const ksim_job_spec *job_named(const ksim_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_jobs; i++)
        if (strcmp(sc->jobs[i].name, name) == 0)
            return &sc->jobs[i];
    return NULL;
}

static const ksim_agent_spec *agent_named(const ksim_scenario *sc, const char *host)
{
    for (size_t i = 0; i < sc->n_agents; i++)
        if (strcmp(sc->agents[i].hostname, host) == 0)
            return &sc->agents[i];
    return NULL;
}

/* ---- a trace the core recorded ------------------------------------------------------ */

static const char *SCENARIO =
    "{\"seed\": 3, \"cluster\": {\"cpus_per_slot\": 0.5, \"mem_per_slot\": 512, \"agents\": ["
    "{\"hostname\": \"a0\", \"rack\": \"r0\", \"slots\": 2}, {\"hostname\": \"a1\", \"rack\": "
    "\"r0\", \"slots\": 2}, {\"hostname\": \"a2\", \"rack\": \"r1\", \"slots\": 4}, "
    "{\"hostname\": \"a3\", \"rack\": \"r1\", \"slots\": 2}, {\"hostname\": \"a4\", \"rack\": "
    "\"r2\", \"slots\": 2}, {\"hostname\": \"a5\", \"rack\": \"r2\", \"slots\": 2}]},"
    " \"framework\": {\"jobs\": ["
    "{\"name\": \"data\", \"count\": 2, \"tasks\": 6, \"interval_s\": 3, \"duration_s\": [4, 9],"
    " \"replicas\": 2, \"cpus\": 0.5, \"mem\": 256},"
    "{\"name\": \"pinned\", \"tasks\": 3, \"arrival_s\": 5, \"duration_s\": 7, \"prefer_hosts\":"
    " [\"a2\", \"gone-host\"], \"cpus\": 0.5, \"mem\": 512},"
    "{\"name\": \"free\", \"tasks\": 2, \"arrival_s\": 1, \"duration_s\": 3}]}}";

/* Runs SCENARIO with the core tracing into trace; res: the run. */
static int record(const char *trace, ksim_result *res)
{
    char err[1024];
    ksim_scenario sc;
    if (ksim_scenario_load(testlib_write_file(tmpdir, "rec.json", SCENARIO), &sc, err, sizeof err) != 0) {
        fprintf(stderr, "  %s\n", err);
        return -1;
    }
    unlink(trace);
    ksim_run_config cfg = config(&sc);
    cfg.trace = kmesos_trace_open(trace, err, sizeof err);
    int rc = cfg.trace ? ksim_run(&cfg, res, err, sizeof err) : -1;
    if (rc != 0)
        fprintf(stderr, "  %s\n", err);
    kmesos_trace_close(cfg.trace);
    ksim_scenario_free(&sc);
    return rc;
}

static void check_cluster(const ksim_scenario *sc)
{
    const int slots[] = {2, 2, 4, 2, 2, 2};
    const char *racks[] = {"r0", "r0", "r1", "r1", "r2", "r2"};
    CHECK_INT(sc->n_agents, 6);
    for (int i = 0; i < 6; i++) {
        char host[8], id[16];
        snprintf(host, sizeof host, "a%d", i);
        snprintf(id, sizeof id, "agent-%d", i);
        const ksim_agent_spec *a = agent_named(sc, host);
        CHECK(a != NULL);
        if (!a)
            continue;
        CHECK_STR(a->id, id);
        CHECK_STR(a->rack, racks[i]);
        CHECK(fabs(a->cpus - 0.5 * slots[i]) < 1e-9 && fabs(a->mem - 512.0 * slots[i]) < 1e-9);
    }
}

/* Every task: n hosts, distinct, known to the cluster (or exactly want). */
static void check_hosts(const ksim_scenario *sc, const ksim_job_spec *j, size_t n,
                        const char *const *want)
{
    for (int k = 0; j && k < j->tasks; k++) {
        const ksim_task_spec *t = &j->task_specs[k];
        CHECK_INT(t->n_hosts, n);
        for (size_t h = 0; h < t->n_hosts && h < n; h++) {
            if (want)
                CHECK_STR(t->hosts[h], want[h]);
            else
                CHECK(agent_named(sc, t->hosts[h]) != NULL);
        }
        CHECK(n < 2 || strcmp(t->hosts[0], t->hosts[1]) != 0);
    }
}

static void check_jobs(const ksim_scenario *sc)
{
    const ksim_job_spec *d0 = job_named(sc, "data-0"), *d1 = job_named(sc, "data-1");
    const ksim_job_spec *pin = job_named(sc, "pinned"), *fr = job_named(sc, "free");
    CHECK_INT(sc->n_jobs, 4);
    CHECK(d0 && d1 && pin && fr);
    if (!d0 || !d1 || !pin || !fr)
        return;
    CHECK_INT(d0->tasks, 6);
    CHECK_INT(d1->tasks, 6);
    CHECK_INT(pin->tasks, 3);
    CHECK_INT(fr->tasks, 2);
    CHECK(d0->cpus == 0.5 && d0->mem == 256 && pin->mem == 512 && fr->cpus == 1);
    CHECK(d0->arrival_s == 0);
    CHECK(fr->arrival_s >= 1 && fr->arrival_s <= 2);
    CHECK(d1->arrival_s >= 3 && d1->arrival_s <= 4);
    CHECK(pin->arrival_s >= 5 && pin->arrival_s <= 6);
    const char *pinned_hosts[] = {"a2", "gone-host"};
    check_hosts(sc, d0, 2, NULL);
    check_hosts(sc, d1, 2, NULL);
    check_hosts(sc, pin, 2, pinned_hosts);
    check_hosts(sc, fr, 0, NULL);
    for (int k = 0; k < d0->tasks; k++)
        CHECK(d0->task_specs[k].dur_s >= 4 && d0->task_specs[k].dur_s <= 9);
    for (int k = 0; k < pin->tasks; k++)
        CHECK(fabs(pin->task_specs[k].dur_s - 7) < 1e-6);
    CHECK(pin->n_prefer_agents == 0 && pin->n_prefer_racks == 0);
}

static void test_a_recorded_trace_replays(void)
{
    char trace[512], err[1024];
    snprintf(trace, sizeof trace, "%s/run.jsonl", tmpdir);
    ksim_result orig, again;
    if (record(trace, &orig) != 0) {
        CHECK(0);
        return;
    }
    CHECK(orig.complete);
    ksim_scenario sc;
    ksim_recorded rec;
    int rc = ksim_replay_load(trace, 0, &sc, &rec, err, sizeof err);
    CHECK_INT(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "  %s\n", err);
        ksim_result_free(&orig);
        return;
    }
    check_cluster(&sc);
    check_jobs(&sc);
    /* what the trace recorded is what the run counted */
    CHECK_INT(rec.tasks, 17);
    CHECK_INT(rec.by_ev[KSIM_TEV_LAUNCH], 17);
    CHECK_INT(rec.durations_given, 17);
    CHECK_INT(rec.relaunches + rec.undescribed, 0);
    CHECK_INT(rec.racks, 3);
    CHECK_INT(rec.node, orig.total.node);
    CHECK_INT(rec.rack, orig.total.rack);
    CHECK_INT(rec.any, orig.total.off);
    CHECK_INT(rec.none, 2);
    CHECK(fabs(rec.wait_mean_s - orig.total.wait_mean_s) < 1.0);
    /* the same chain again: the same work, locality close to the recorded */
    ksim_run_config cfg = config(&sc);
    CHECK_INT(ksim_run(&cfg, &again, err, sizeof err), 0);
    CHECK(again.complete);
    CHECK_INT(again.total.launched, 17);
    CHECK(fabs(again.busy_slot_s * 1.0 - orig.busy_slot_s * 0.5) < 0.01); /* slot: 1 vs 0.5 cpu */
    size_t with = rec.node + rec.rack + rec.any;
    double rec_node = 100.0 * (double)rec.node / (double)(with ? with : 1);
    CHECK(fabs(ksim_pct(again.total.node, &again.total) - rec_node) <= 20.0);
    fprintf(stderr, "  recorded node %.1f%%, replayed %.1f%%\n", rec_node,
            ksim_pct(again.total.node, &again.total));
    ksim_result_free(&again);
    ksim_result_free(&orig);
    ksim_scenario_free(&sc);
}

/* ---- a hand-written trace --------------------------------------------------------------- */

static const char *HAND =
    "{\"ev\":\"offer\",\"t\":100.0,\"offer\":\"o1\",\"agent\":\"S1\",\"host\":\"h1\",\"rack\":"
    "\"r1\",\"cpus\":2,\"mem\":2048,\"disk\":0}\n"
    "{\"ev\":\"offer\",\"t\":100.0,\"offer\":\"o2\",\"agent\":\"S2\",\"host\":\"h2\",\"rack\":"
    "null,\"cpus\":4,\"mem\":4096,\"disk\":1000}\n"
    "\n"
    "{\"ev\":\"task\",\"t\":100.5,\"task\":\"d-0-1\",\"job\":\"d\",\"instance\":0,\"cpus\":1,"
    "\"mem\":100,\"disk\":500,\"prefer\":{\"agents\":[\"S1b\"],\"hosts\":[],\"racks\":[\"r1\"]}}\n"
    "{\"ev\":\"offer\",\"t\":101.0,\"offer\":\"o3\",\"agent\":\"S1b\",\"host\":\"h1\",\"cpus\":4,"
    "\"mem\":1024}\n"
    "{\"ev\":\"task\",\"t\":101.5,\"task\":\"w-7-1\",\"job\":\"w\",\"instance\":7,\"cpus\":1,"
    "\"mem\":100,\"prefer\":{\"agents\":[],\"hosts\":[\"h2\"],\"racks\":[]}}\n"
    "{\"ev\":\"task\",\"t\":101.5,\"task\":\"w-3-2\",\"job\":\"w\",\"instance\":3,\"cpus\":1,"
    "\"mem\":100}\n"
    "{\"ev\":\"verdict\",\"t\":101.5,\"offer\":\"o3\",\"task\":\"w-3-2\",\"verdict\":\"accept\","
    "\"reason\":null}\n"
    "{\"ev\":\"launch\",\"t\":101.5,\"offer\":\"o3\",\"task\":\"w-3-2\",\"host\":\"h1\","
    "\"locality\":\"none\"}\n"
    "{\"ev\":\"update\",\"t\":101.6,\"task\":\"w-3-2\",\"state\":\"TASK_RUNNING\"}\n"
    "{\"ev\":\"update\",\"t\":104.0,\"task\":\"w-3-2\",\"state\":\"TASK_FAILED\"}\n"
    "{\"ev\":\"task\",\"t\":104.5,\"task\":\"w-3-3\",\"job\":\"w\",\"instance\":3,\"cpus\":1,"
    "\"mem\":100}\n"
    "{\"ev\":\"launch\",\"t\":105.0,\"offer\":\"o4\",\"task\":\"w-3-3\",\"host\":\"h2\","
    "\"locality\":\"none\"}\n"
    "{\"ev\":\"launch\",\"t\":105.0,\"offer\":\"o4\",\"task\":\"x-0-9\",\"host\":\"h2\","
    "\"locality\":\"any\"}\n"
    "{\"ev\":\"decline\",\"t\":105.0,\"offers\":[\"o5\",\"o6\"],\"refuse_s\":5}\n"
    "{\"ev\":\"hold\",\"t\":105.0,\"offer\":\"o7\",\"until_s\":115}\n"
    "{\"ev\":\"launch\",\"t\":106.0,\"offer\":\"o8\",\"task\":\"w-7-1\",\"host\":\"h2\","
    "\"locality\":\"node\"}\n"
    "{\"ev\":\"expire\",\"t\":115.0,\"offer\":\"o7\"}\n";

static void check_hand_scenario(const ksim_scenario *sc)
{
    const ksim_agent_spec *h1 = agent_named(sc, "h1"), *h2 = agent_named(sc, "h2");
    CHECK_INT(sc->n_agents, 2);
    CHECK(h1 && h2);
    if (h1 && h2) {
        CHECK_STR(h1->id, "S1b"); /* re-registered: the last id */
        CHECK_STR(h1->rack, "r1");
        CHECK(h1->cpus == 4 && h1->mem == 2048 && h1->disk == 0); /* the largest offered */
        CHECK(h2->rack == NULL && h2->disk == 1000);
    }
    const ksim_job_spec *d = job_named(sc, "d"), *w = job_named(sc, "w");
    CHECK(d && w);
    if (!d || !w)
        return;
    CHECK(d->tasks == 1 && d->disk == 500 && d->arrival_s == 0.5);
    CHECK(d->n_prefer_agents == 1 && strcmp(d->prefer_agents[0], "S1b") == 0);
    CHECK(d->n_prefer_racks == 1 && strcmp(d->prefer_racks[0], "r1") == 0);
    CHECK(d->task_specs[0].dur_s == 2); /* never launched: the default */
    CHECK_INT(w->tasks, 2);             /* instances 3 and 7, in that order */
    CHECK(w->arrival_s == 1.5);
    CHECK(fabs(w->task_specs[0].dur_s - 2.5) < 1e-9); /* its first run: 101.5 to 104.0 */
    CHECK_INT(w->task_specs[0].n_hosts, 0);
    CHECK(w->task_specs[1].n_hosts == 1 && strcmp(w->task_specs[1].hosts[0], "h2") == 0);
    CHECK(w->task_specs[1].dur_s == 2);
}

static void test_hand_written_trace(void)
{
    char err[1024];
    ksim_scenario sc;
    ksim_recorded rec;
    int rc = ksim_replay_load(testlib_write_file(tmpdir, "hand.jsonl", HAND), 2.0, &sc, &rec, err, sizeof err);
    CHECK_INT(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    check_hand_scenario(&sc);
    CHECK_INT(rec.records, 17);
    CHECK(rec.by_ev[KSIM_TEV_LAUNCH] == 4 && rec.relaunches == 1 && rec.undescribed == 1);
    CHECK(rec.node == 1 && rec.rack == 0 && rec.any == 1 && rec.none == 2);
    CHECK(rec.launched == 2 && fabs(rec.wait_mean_s - 2.25) < 1e-9 && rec.wait_max_s == 4.5);
    CHECK(rec.declined_offers == 2 && rec.by_ev[KSIM_TEV_HOLD] == 1);
    CHECK(rec.by_ev[KSIM_TEV_EXPIRE] == 1 && rec.durations_given == 1 && rec.racks == 1);
    CHECK(fabs(rec.span_s - 15) < 1e-9);
    CHECK_INT(rec.unfit_jobs, 0);
    /* d fits only h2 (disk): it goes there, off its agent and rack */
    ksim_result res;
    ksim_run_config cfg = config(&sc);
    CHECK_INT(ksim_run(&cfg, &res, err, sizeof err), 0);
    CHECK(res.complete);
    CHECK_INT(res.total.launched, 3);
    CHECK_STR(res.jobs[0].name, "d");
    CHECK(res.jobs[0].st.launched == 1 && res.jobs[0].st.off == 1);
    json_t *j = ksim_replay_json(&rec);
    json_t *r = json_object_get(j, "recorded");
    CHECK(json_integer_value(json_object_get(r, "relaunches")) == 1);
    CHECK(json_real_value(json_object_get(r, "node_local_pct")) == 50.0);
    CHECK(json_integer_value(json_object_get(j, "durations_default")) == 2);
    json_decref(j);
    ksim_result_free(&res);
    ksim_scenario_free(&sc);
}

/* ---- the program ------------------------------------------------------------------------ */

/* Runs kmesos-sim with args (a shell word list) from the source folder. */
static testlib_out sim(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", KSIM_SRC, KSIM_BIN, args);
    return testlib_run_cmd(tmpdir, cmd);
}

#define OFFER "{\"ev\":\"offer\",\"t\":1,\"offer\":\"o1\",\"agent\":\"S1\",\"cpus\":1,\"mem\":64}\n"
#define TASK "{\"ev\":\"task\",\"t\":1,\"task\":\"j-0-1\",\"job\":\"j\",\"instance\":0," \
             "\"cpus\":1,\"mem\":64}\n"

static void expect_bad(const char *text, const char *where, const char *what)
{
    const char *path = testlib_write_file(tmpdir, "bad.jsonl", text);
    char args[700], at[600];
    snprintf(args, sizeof args, "--replay '%s'", path);
    snprintf(at, sizeof at, "%s%s", path, where);
    testlib_out r = sim(args);
    CHECK_INT(r.code, 2);
    CHECK(strstr(r.err, at) != NULL && strstr(r.err, what) != NULL);
    if (!strstr(r.err, at) || !strstr(r.err, what))
        fprintf(stderr, "  wanted '%s' and '%s' in: %s", at, what, r.err);
    CHECK(r.out[0] == '\0');
    testlib_out_free(&r);
}

static void test_bad_traces_exit_2(void)
{
    expect_bad(OFFER "not json\n", ":2: ", "not JSON");
    expect_bad(OFFER "[1, 2]\n", ":2: ", "expected a JSON object");
    expect_bad(OFFER "{\"ev\":\"offr\",\"t\":1}\n", ":2: ", "field 'ev': unknown event 'offr'");
    expect_bad(OFFER "{\"t\":1,\"task\":\"x\"}\n", ":2: ", "missing field 'ev'");
    expect_bad(OFFER "{\"ev\":\"task\",\"t\":1,\"task\":\"j-0\",\"instance\":0,\"cpus\":1,"
               "\"mem\":64}\n", ":2: ", "missing field 'job'");
    expect_bad(OFFER "{\"ev\":\"expire\",\"t\":\"soon\",\"offer\":\"o1\"}\n", ":2: ",
               "field 't': expected a number");
    expect_bad(OFFER "{\"ev\":\"expire\",\"offer\":\"o1\"}\n", ":2: ", "missing field 't'");
    expect_bad("{\"ev\":\"offer\",\"t\":1,\"offer\":\"o1\",\"agent\":\"S1\",\"cpus\":\"x\","
               "\"mem\":64}\n", ":1: ", "field 'cpus': expected a number");
    expect_bad("{\"ev\":\"offer\",\"t\":1,\"offer\":\"o1\",\"agent\":\"S1\",\"cpu\":1,"
               "\"mem\":64}\n", ":1: ", "unknown field 'cpu'");
    expect_bad(OFFER TASK "{\"ev\":\"launch\",\"t\":2,\"offer\":\"o1\",\"task\":\"j-0-1\","
               "\"locality\":\"near\"}\n", ":3: ", "field 'locality'");
    expect_bad(OFFER "{\"ev\":\"task\",\"t\":1,\"task\":\"j-0-1\",\"job\":\"j\",\"instance\":0,"
               "\"cpus\":1,\"mem\":64,\"prefer\":{\"hosts\":[1]}}\n", ":2: ",
               "field 'prefer.hosts'");
    expect_bad(OFFER "{\"ev\":\"task\",\"t\":1,\"task\":\"j-0-1\",\"job\":\"j\",\"instance\":-1,"
               "\"cpus\":1,\"mem\":64}\n", ":2: ", "field 'instance'");
    expect_bad(OFFER "{\"ev\":\"task\",\"t\":1,\"task\":\"x\",\"job\":\"a b\",\"instance\":0,"
               "\"cpus\":1,\"mem\":64}\n", ":2: ", "field 'job'");
    expect_bad("{\"ev\":\"offer\",\"t\":50,\"offer\":\"o1\",\"agent\":\"S1\",\"cpus\":1,"
               "\"mem\":64}\n\n" OFFER, ":3: ", "field 't'");
    expect_bad("", "", "empty trace");
    expect_bad("\n  \n", "", "empty trace");
    expect_bad(OFFER OFFER, "", "no task records");
    expect_bad(TASK, "", "no offer records");
    testlib_out r = sim("--replay /nonexistent/trace.jsonl");
    CHECK_INT(r.code, 2);
    CHECK(strstr(r.err, "/nonexistent/trace.jsonl") != NULL);
    testlib_out_free(&r);
}

static void test_flags_trace_and_example(void)
{
    testlib_out r = sim("--help");
    CHECK(strstr(r.out, "--replay") && strstr(r.out, "--replay-duration") &&
          strstr(r.out, "--trace"));
    testlib_out_free(&r);
    const char *bad[] = {"--replay sim/traces/demo.jsonl sim/scenarios/small.json",
                         "--replay-duration 5 sim/scenarios/small.json",
                         "--replay-duration 0 --replay sim/traces/demo.jsonl",
                         "--trace /tmp/x --sweep delay.node_wait_s=0,1 sim/scenarios/small.json"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = sim(bad[i]);
        CHECK_INT(r.code, 2);
        CHECK(strstr(r.err, "usage: kmesos-sim") != NULL);
        testlib_out_free(&r);
    }
    r = sim("--trace /nonexistent-dir/t.jsonl sim/traces/demo.json");
    CHECK_INT(r.code, 2);
    testlib_out_free(&r);
    char args[800], trace[512];
    snprintf(trace, sizeof trace, "%s/demo.jsonl", tmpdir);
    snprintf(args, sizeof args, "--trace '%s' sim/traces/demo.json", trace);
    r = sim(args);
    CHECK_INT(r.code, 0);
    testlib_out_free(&r);
    char *mine = testlib_slurp(trace);
    CHECK(strstr(mine, "\"ev\":\"launch\"") && strstr(mine, "\"ev\":\"task\""));
    free(mine);
    snprintf(args, sizeof args, "--replay '%s' --format json", trace);
    r = sim(args);
    CHECK_INT(r.code, 0);
    testlib_out_free(&r);
    r = sim("--replay sim/traces/demo.jsonl --format json");
    CHECK_INT(r.code, 0);
    json_t *j = json_loads(r.out, 0, NULL), *rp = json_object_get(j, "replay");
    CHECK(j && rp && json_object_get(rp, "recorded"));
    CHECK(json_integer_value(json_object_get(rp, "tasks")) == 28);
    CHECK(json_integer_value(json_object_get(json_object_get(j, "overall"), "launched")) == 28);
    json_decref(j);
    testlib_out_free(&r);
    snprintf(args, sizeof args, "--replay '%s'", testlib_write_file(tmpdir, "big.jsonl", OFFER
             "{\"ev\":\"task\",\"t\":1,\"task\":\"j-0-1\",\"job\":\"big\",\"instance\":0,"
             "\"cpus\":2,\"mem\":64}\n"));
    r = sim(args); /* a task no agent holds: warned, never launched */
    CHECK_INT(r.code, 1);
    CHECK(strstr(r.err, "(first: big): they cannot launch") != NULL);
    testlib_out_free(&r);
    r = sim("--replay sim/traces/demo.jsonl --option delay.node_wait_s=0");
    CHECK_INT(r.code, 0);
    CHECK(strstr(r.out, "recorded (trace)") && strstr(r.out, "replayed (this chain)"));
    testlib_out_free(&r);
}

int main(void)
{
    kmesos_log_set_level(KMESOS_LOG_ERROR);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kmesos-sim-replay-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(chain_c, sizeof chain_c, "%s/policies/constraints.lua", KSIM_SRC);
    snprintf(chain_d, sizeof chain_d, "%s/policies/delay.lua", KSIM_SRC);
    RUN_TEST(test_a_recorded_trace_replays);
    RUN_TEST(test_hand_written_trace);
    RUN_TEST(test_bad_traces_exit_2);
    RUN_TEST(test_flags_trace_and_example);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return testlib_finish();
}
