/* Tests of the kmesos-sim program as a user runs it: --help documents
 * every flag; a bad flag or a bad scenario exits 2 with the usage or an
 * error naming the file, the JSON path and the field; a policy chain that
 * does not load exits 2 the way the scheduler words it; --format json is
 * valid JSON with the report fields; two runs with one seed write equal
 * JSON files; a sweep writes a table, JSON and an SVG plot with its
 * baselines; the speed line goes to stderr. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "testlib.h"

static char tmpdir[256];

/* Runs kmesos-sim with args (a shell word list) from the source folder. */
static testlib_out sim(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", KSIM_SRC, KSIM_BIN, args);
    return testlib_run_cmd(tmpdir, cmd);
}

static void test_help_and_bad_flags(void)
{
    testlib_out r = sim("--help");
    CHECK_INT(r.code, 0);
    const char *flags[] = {"--policy", "--option", "--offer-hold", "--decline-refuse",
                           "--wait-refuse", "--seed", "--mode", "framework_per_job", "--format",
                           "--json", "--sweep", "--plot", "--log-level"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        CHECK(strstr(r.out, flags[i]) != NULL);
    testlib_out_free(&r);
    const char *bad[] = {"--bogus sim/scenarios/small.json", "", "--seed x sim/scenarios/small.json",
                         "--mode shard sim/scenarios/small.json",
                         "--offer-hold -1 sim/scenarios/small.json",
                         "--wait-refuse soon sim/scenarios/small.json",
                         "--plot x.svg sim/scenarios/small.json",
                         "--sweep delay.node_wait_s sim/scenarios/small.json"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = sim(bad[i]);
        CHECK_INT(r.code, 2);
        CHECK(strstr(r.err, "usage: kmesos-sim") != NULL);
        CHECK(r.out[0] == '\0');
        testlib_out_free(&r);
    }
}

static void test_bad_scenario_and_policy_exit_2(void)
{
    char path[400], args[600];
    snprintf(path, sizeof path, "%s/bad.json", tmpdir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("{\"cluster\": {\"agents\": 4}, \"framework\": {\"jobs\": [{\"tasks\": 2, "
          "\"cpu\": 1}]}}\n", f);
    fclose(f);
    snprintf(args, sizeof args, "'%s'", path);
    testlib_out r = sim(args);
    CHECK_INT(r.code, 2);
    CHECK(strstr(r.err, path) && strstr(r.err, "$.framework.jobs[0].cpu") &&
          strstr(r.err, "unknown field 'cpu'"));
    testlib_out_free(&r);
    r = sim("--policy /nonexistent.lua sim/scenarios/lone_task.json");
    CHECK_INT(r.code, 2);
    CHECK(strstr(r.err, "/nonexistent.lua") != NULL);
    testlib_out_free(&r);
    r = sim("--policy sim/scenarios/small.json sim/scenarios/lone_task.json");
    CHECK_INT(r.code, 2);
    CHECK(strstr(r.err, "policy chain does not load") != NULL);
    testlib_out_free(&r);
}

static void test_json_report_and_determinism(void)
{
    char args[1200], a[400], b[400];
    snprintf(a, sizeof a, "%s/a.json", tmpdir);
    snprintf(b, sizeof b, "%s/b.json", tmpdir);
    snprintf(args, sizeof args, "--format json --json '%s' --option delay.node_wait_s=1 "
             "--wait-refuse 0.5 sim/scenarios/small.json", a);
    testlib_out r = sim(args);
    CHECK_INT(r.code, 0);
    CHECK(strstr(r.err, "simulated tasks/s") != NULL);
    json_t *j = json_loads(r.out, 0, NULL);
    CHECK(j != NULL);
    const char *keys[] = {"overall", "utilisation", "makespan_s", "offers", "policy", "jobs"};
    for (size_t i = 0; j && i < sizeof keys / sizeof keys[0]; i++)
        CHECK(json_object_get(j, keys[i]) != NULL);
    json_t *overall = json_object_get(j, "overall");
    CHECK(json_real_value(json_object_get(overall, "node_local_pct")) > 0);
    CHECK(json_number_value(json_object_get(j, "wait_refuse_s")) == 0.5);
    json_t *delay = json_object_get(json_object_get(j, "options"), "delay");
    CHECK(json_number_value(json_object_get(delay, "node_wait_s")) == 1);
    json_decref(j);
    testlib_out_free(&r);
    snprintf(args, sizeof args, "--json '%s' --option delay.node_wait_s=1 --wait-refuse 0.5 "
             "sim/scenarios/small.json", b);
    r = sim(args);
    CHECK_INT(r.code, 0);
    CHECK(strstr(r.out, "ALL (ours)") != NULL);
    testlib_out_free(&r);
    char *ja = testlib_slurp(a), *jb = testlib_slurp(b);
    CHECK(ja[0] != '\0');
    CHECK_STR(ja, jb);
    free(ja);
    free(jb);
}

static void test_sweep_table_json_and_plot(void)
{
    char args[1200], svg[400], js[400];
    snprintf(svg, sizeof svg, "%s/plot.svg", tmpdir);
    snprintf(js, sizeof js, "%s/sweep.json", tmpdir);
    snprintf(args, sizeof args, "--sweep delay.node_wait_s=0,1,5 --plot '%s' --json '%s' "
             "--offer-hold 0 sim/scenarios/lone_task.json", svg, js);
    testlib_out r = sim(args);
    CHECK_INT(r.code, 0);
    CHECK(strstr(r.out, "delay.node_wait_s=1") && strstr(r.out, "static_partition") &&
          strstr(r.out, "no_delay"));
    char *plot = testlib_slurp(svg);
    CHECK(strstr(plot, "<svg") && strstr(plot, "</svg>") && strstr(plot, "static partitioning") &&
          strstr(plot, "no delay") && strstr(plot, "<polyline"));
    free(plot);
    json_t *j = json_load_file(js, 0, NULL);
    CHECK(j && json_array_size(json_object_get(j, "runs")) == 5);
    json_decref(j);
    testlib_out_free(&r);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kmesos-sim-cli-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN_TEST(test_help_and_bad_flags);
    RUN_TEST(test_bad_scenario_and_policy_exit_2);
    RUN_TEST(test_json_report_and_determinism);
    RUN_TEST(test_sweep_table_json_and_plot);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return testlib_finish();
}
