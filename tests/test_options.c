/* Tests of kmesos-scheduler's command line, workload specs and state
 * file: durations, bad flags (exit code 2), every workload key and its
 * errors, and a state round trip plus the refusal of corrupt or newer
 * state files. */
#include <stdlib.h>
#include <unistd.h>

#include "sched/options.h"
#include "sched/state/state.h"
#include "sched/workload.h"
#include "fake_io.h"
#include "testlib.h"

static int parse(kmesos_options *o, int argc, const char **argv)
{
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = kmesos_options_parse(argc, (char **)argv, o);
    fclose(stderr);
    stderr = saved;
    return rc;
}

static void test_durations(void)
{
    CHECK(kmesos_parse_duration("30s") == 30);
    CHECK(kmesos_parse_duration("5m") == 300);
    CHECK(kmesos_parse_duration("2h") == 7200);
    CHECK(kmesos_parse_duration("7d") == 604800);
    CHECK(kmesos_parse_duration("1w") == 604800);
    CHECK(kmesos_parse_duration("1.5") == 1.5);
    CHECK(kmesos_parse_duration("250ms") == 0.25);
    CHECK(kmesos_parse_duration("-1s") < 0);
    CHECK(kmesos_parse_duration("soon") < 0);
    CHECK(kmesos_parse_duration("5 m") < 0);
    CHECK(kmesos_parse_duration("") < 0);
}

static void test_defaults_and_flags(void)
{
    kmesos_options o;
    const char *argv[] = {"x", "--master", "h:1", "--framework-timeout", "30s", "--workload",
                          "name=a cmd=true", "--workload", "name=b cmd=true", "--policy", "p.lua"};
    CHECK_INT(parse(&o, 11, argv), 0);
    CHECK_STR(o.master, "h:1");
    CHECK(o.framework_timeout_s == 30);
    CHECK_INT(o.n_workloads, 2);
    CHECK_INT(o.n_policies, 1);
    CHECK_STR(o.api, "127.0.0.1:7000");
    CHECK_STR(o.state, "file:kmesos-state.json");
    kmesos_options_free(&o);
}

static void test_bad_flags_exit_2(void)
{
    kmesos_options o;
    const char *unknown[] = {"x", "--bogus"};
    const char *missing[] = {"x", "--master"};
    const char *bad_dur[] = {"x", "--offer-hold", "later"};
    const char *bad_level[] = {"x", "--log-level", "loud"};
    const char *stray[] = {"x", "extra"};
    const char *secret[] = {"x", "--secret-file", "/tmp/s"};
    CHECK_INT(parse(&o, 2, unknown), 2);
    kmesos_options_free(&o);
    CHECK_INT(parse(&o, 2, missing), 2);
    kmesos_options_free(&o);
    CHECK_INT(parse(&o, 3, bad_dur), 2);
    kmesos_options_free(&o);
    CHECK_INT(parse(&o, 3, bad_level), 2);
    kmesos_options_free(&o);
    CHECK_INT(parse(&o, 2, stray), 2);
    kmesos_options_free(&o);
    CHECK_INT(parse(&o, 3, secret), 2);
    kmesos_options_free(&o);
}

/* Hostile numbers in the scheduler's flags (issue 11): codec/num's
 * grammar and bounds; each exits 2 with the flag named. */
static void test_hostile_number_flags(void)
{
    static const char *const bad[][2] = {
        {"--framework-timeout", "inf"},  {"--framework-timeout", "1e400"},
        {"--offer-hold", "0x10s"},       {"--decline-refuse", "+5s"},
        {"--wait-refuse", " 5s"},        {"--unreachable-grace", "nan"},
        {"--policy-budget", "0x10"},     {"--policy-budget", "inf"},
        {"--kafka-quorum", "+3"},        {"--kafka-quorum", " 3"},
        {"--framework-timeout", "1e9w"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kmesos_options o;
        const char *argv[] = {"x", bad[i][0], bad[i][1]};
        CHECK_INT(parse(&o, 3, argv), 2);
        kmesos_options_free(&o);
    }
    CHECK(kmesos_parse_duration("inf") < 0);
    CHECK(kmesos_parse_duration("0x10") < 0);
}

static void test_workload_specs(void)
{
    kmesos_workload w;
    char err[256];
    CHECK_INT(kmesos_workload_parse("name=web cmd=\"sleep 5; echo 'hi'\" cpus=0.5 mem=64 disk=10 "
                                    "ports=2 instances=3 restart=always prefer_hosts=a,b",
                                    &w, err, sizeof err), 0);
    CHECK_STR(w.command, "sleep 5; echo 'hi'");
    CHECK(w.cpus == 0.5 && w.mem == 64 && w.disk == 10);
    CHECK_INT(w.ports, 2);
    CHECK_INT(w.instances, 3);
    CHECK_INT(w.restart, KMESOS_RESTART_ALWAYS);
    CHECK_INT(w.n_prefer_hosts, 2);
    kmesos_workload_free(&w);
    static const char *const bad[][2] = {
        {"cmd=true", "missing 'name'"},
        {"name=x", "missing 'cmd'"},
        {"name=x cmd=true cpus=-1", "bad value for 'cpus': '-1'"},
        {"name=x cmd=true mem=lots", "bad value for 'mem': 'lots'"},
        {"name=x cmd=true instances=1.5", "bad value for 'instances': '1.5'"},
        {"name=x cmd=true instances=1e30", "bad value for 'instances': '1e30'"},
        {"name=x cmd=true ports=-0.5", "bad value for 'ports': '-0.5'"},
        {"name=x cmd=true cpus=inf", "bad value for 'cpus': 'inf'"},
        {"name=x cmd=true mem=nan", "bad value for 'mem': 'nan'"},
        {"name=x cmd=true colour=red", "unknown key 'colour'"},
        {"name=x cmd=true restart=sometimes", "bad value for 'restart': 'sometimes'"},
        {"name=a/b cmd=true", "bad value for 'name': 'a/b'"},
        {"name=x cmd=\"true", "unclosed quote"},
        {"name=x cmd=true oops", "expected key=value, got 'oops'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_INT(kmesos_workload_parse(bad[i][0], &w, err, sizeof err), -1);
        CHECK_STR(err, bad[i][1]);
    }
}

static void make_sched(kmesos_scheduler *s)
{
    fake_io_quiet_scheduler(s, "name=web cmd=true instances=2");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_state_round_trip_and_refusals(void)
{
    char path[] = "/tmp/kmesos-state-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    kmesos_scheduler a, b;
    kmesos_state_doc da, db;
    char err[512];
    make_sched(&a);
    kmesos_state_doc_init(&da, &a);
    kmesos_state_doc_init(&db, &b);
    CHECK_INT(kmesos_state_load(path, &da, err, sizeof err), 1); /* fresh */
    kmesos_scheduler_fill_slots(&a);
    kmesos_scheduler_set_framework_id(&a, "fw-42");
    kmesos_task *t = a.tasks.by_id;
    kmesos_tasks_launched(&a.tasks, t, "agent-7", "host-7", 1);
    char launched_id[64];
    snprintf(launched_id, sizeof launched_id, "%s", t->id);
    CHECK_INT(kmesos_state_save(path, &da, err, sizeof err), 0);
    make_sched(&b);
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), 0);
    /* save -> load -> save gives the same document */
    char *text_a = kmesos_state_dump(&da), *text_b = kmesos_state_dump(&db);
    CHECK(text_a && text_b);
    if (text_a && text_b)
        CHECK_STR(text_b, text_a);
    free(text_a);
    free(text_b);
    CHECK_STR(b.framework_id, "fw-42");
    kmesos_task *r = kmesos_tasks_find(&b.tasks, launched_id);
    CHECK(r && r->phase == KMESOS_PHASE_LAUNCHING && strcmp(r->agent_id, "agent-7") == 0);
    CHECK_INT(kmesos_scheduler_fill_slots(&b), 0);
    CHECK_INT(b.tasks.count, 2); /* the saved slot plus one new pending slot */
    kmesos_scheduler_free(&b);

    write_file(path, "{\"version\": 1, \"tasks\": [");
    make_sched(&b);
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), -1);
    CHECK(strstr(err, "unusable") && strstr(err, "never overwritten"));
    kmesos_scheduler_free(&b);

    write_file(path, "{\"version\": 99, \"tasks\": []}");
    make_sched(&b);
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), -1);
    CHECK(strstr(err, "newer") != NULL);
    kmesos_scheduler_free(&b);

    /* a section no module of this scheduler claims would be lost */
    write_file(path, "{\"version\": 1, \"tasks\": [], \"kafka\": {}}");
    make_sched(&b);
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), -1);
    CHECK(strstr(err, "'kafka'") && strstr(err, "no module"));
    kmesos_scheduler_free(&b);

    char *p = kmesos_state_path("zk:/kafka", err, sizeof err);
    CHECK(p == NULL && strstr(err, "not supported"));
    p = kmesos_state_path("file:/x/y.json", err, sizeof err);
    CHECK_STR(p, "/x/y.json");
    free(p);
    kmesos_scheduler_free(&a);
    unlink(path);
}


/* A scheduler with "web" (2 instances) on the fake io fi. */
static void clocked_sched(kmesos_scheduler *s, fake_io *fi, uint64_t now_ms, double epoch_s)
{
    memset(fi, 0, sizeof *fi);
    fi->now_ms = now_ms;
    fi->epoch_s = epoch_s;
    kmesos_workload *w = calloc(1, sizeof *w);
    char err[128];
    CHECK_INT(kmesos_workload_parse("name=web cmd=true instances=2", w, err, sizeof err), 0);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = fake_io_make(fi);
    kmesos_scheduler_init(s, &cfg, &io, w, 1);
}

/* What a returning task needs after a restart: that it ran (unknown to
 * the master is then not final) and since when it is unreachable (the
 * grace goes on, on the new process's clock). */
static void test_state_keeps_unreachable_tasks(void)
{
    char path[] = "/tmp/kmesos-state-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    kmesos_scheduler a, b;
    fake_io fa, fb;
    kmesos_state_doc da, db;
    char err[512];
    clocked_sched(&a, &fa, 50000, 1000); /* wall clock 1050 s */
    kmesos_state_doc_init(&da, &a);
    CHECK_INT(kmesos_scheduler_fill_slots(&a), 0);
    kmesos_task *t = a.tasks.by_id;
    kmesos_tasks_launched(&a.tasks, t, "agent-7", "host-7", 1);
    kmesos_tasks_update(&a.tasks, t->id, MESOS__V1__TASK_STATE__TASK_RUNNING, -1, NULL, NULL,
                        10000);
    kmesos_tasks_update(&a.tasks, t->id, MESOS__V1__TASK_STATE__TASK_UNREACHABLE, -1, NULL,
                        NULL, 20000); /* 30 s ago: wall clock 1020 s */
    char id[64];
    snprintf(id, sizeof id, "%s", t->id);
    CHECK_INT(kmesos_state_save(path, &da, err, sizeof err), 0);
    char *saved = testlib_slurp(path);
    CHECK(strstr(saved, "\"ran\": true") && strstr(saved, "\"unreachable_since\": 1020"));
    free(saved);
    clocked_sched(&b, &fb, 100000, 960); /* restarted: wall clock 1060 s */
    kmesos_state_doc_init(&db, &b);
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), 0);
    /* (saved before SUBSCRIBED: the framework id is null) */
    kmesos_task *r = kmesos_tasks_find(&b.tasks, id);
    CHECK(r && r->ran && r->unreachable_ms == 60000); /* 40 s ago */
    /* the master that restarted does not know it: not final */
    CHECK_INT(kmesos_tasks_update(&b.tasks, id, MESOS__V1__TASK_STATE__TASK_UNKNOWN, -1, NULL,
                                  NULL, 100000),
              KMESOS_UPDATE_ACTIVE);
    CHECK(r && r->unreachable_ms == 60000);
    /* a bad time is refused */
    write_file(path, "{\"version\": 1, \"tasks\": [{\"workload\": \"web\", \"instance\": 0, "
                     "\"task_id\": \"web-0-1\", \"unreachable_since\": -5}]}");
    kmesos_scheduler c;
    kmesos_state_doc dc;
    make_sched(&c);
    kmesos_state_doc_init(&dc, &c);
    CHECK_INT(kmesos_state_load(path, &dc, err, sizeof err), -1);
    CHECK(strstr(err, "unreachable_since") != NULL);
    kmesos_scheduler_free(&c);
    kmesos_scheduler_free(&a);
    kmesos_scheduler_free(&b);
    fake_io_reset(&fa);
    fake_io_reset(&fb);
    unlink(path);
}

int main(void)
{
    RUN_TEST(test_durations);
    RUN_TEST(test_defaults_and_flags);
    RUN_TEST(test_bad_flags_exit_2);
    RUN_TEST(test_hostile_number_flags);
    RUN_TEST(test_workload_specs);
    RUN_TEST(test_state_round_trip_and_refusals);
    RUN_TEST(test_state_keeps_unreachable_tasks);
    return testlib_finish();
}
