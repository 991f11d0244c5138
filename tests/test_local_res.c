/* test_local_res: the pure pieces of kmesos-local: resource parsing and
 * arithmetic (ports ranges, 3-decimal scalars, containment), attribute
 * alternatives per agent, durations, the flag parser, and the status
 * update manager's ack matching. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "local/attrs.h"
#include "local/config.h"
#include "local/res.h"
#include "local/agent/updates.h"
#include "local/util.h"
#include "testlib.h"

static void test_parse(void)
{
    klocal_res r;
    char err[256];
    klocal_res_init(&r);
    CHECK_INT(klocal_res_parse(&r, "cpus:4;mem:4096;disk:10000;ports:[31000-32000]", err,
                               sizeof err), 0);
    CHECK(klocal_res_scalar(&r, "cpus") == 4.0);
    CHECK(klocal_res_scalar(&r, "mem") == 4096.0);
    CHECK_INT(r.nports, 1);
    CHECK_INT(r.ports[0].begin, 31000);
    CHECK_INT(r.ports[0].end, 32000);
    CHECK_INT(klocal_res_parse(&r, "ports:[1-5, 10-12,6-9]", err, sizeof err), 0);
    CHECK_INT(r.nports, 1); /* merged */
    CHECK_INT(r.ports[0].end, 12);
    CHECK_INT(klocal_res_parse(&r, "cpus:x", err, sizeof err), -1);
    CHECK(strstr(err, "cpus") != NULL);
    CHECK_INT(klocal_res_parse(&r, "gpus", err, sizeof err), -1);
    CHECK_INT(klocal_res_parse(&r, "ports:[5-1]", err, sizeof err), -1);
    CHECK_INT(klocal_res_parse(&r, "disk:[1-2]", err, sizeof err), -1);
    klocal_res_free(&r);
}

static void test_arith(void)
{
    klocal_res a, b;
    char err[256];
    klocal_res_init(&a);
    klocal_res_init(&b);
    klocal_res_parse(&a, "cpus:4;mem:4096;ports:[31000-32000]", err, sizeof err);
    klocal_res_parse(&b, "cpus:0.1;mem:32;ports:[31005-31005]", err, sizeof err);
    CHECK(klocal_res_contains(&a, &b));
    klocal_res_subtract(&a, &b);
    CHECK(klocal_res_scalar(&a, "cpus") == 3.9);
    CHECK(klocal_res_scalar(&a, "mem") == 4064.0);
    CHECK_INT(a.nports, 2);
    CHECK(!klocal_res_contains(&a, &b)); /* the port is gone */
    for (int i = 0; i < 39; i++) {
        klocal_res c;
        klocal_res_init(&c);
        klocal_res_set_scalar(&c, "cpus", 0.1);
        klocal_res_subtract(&a, &c);
        klocal_res_free(&c);
    }
    CHECK(klocal_res_scalar(&a, "cpus") == 0.0); /* no 1e-15 leftovers */
    CHECK(klocal_res_allocatable(&a));            /* mem still there */
    klocal_res_add(&a, &b);
    CHECK_INT(a.nports, 1);
    json_t *j = klocal_res_to_json(&a);
    CHECK_STR(json_string_value(json_object_get(j, "ports")), "[31000-32000]");
    json_decref(j);
    size_t n;
    Mesos__V1__Resource **pb = klocal_res_to_pb(&a, 1, &n);
    CHECK_INT(n, 3);
    CHECK_STR(pb[0]->name, "ports");
    klocal_res c;
    klocal_res_init(&c);
    klocal_res_add_pb(&c, pb, n);
    CHECK(klocal_res_contains(&a, &c) && klocal_res_contains(&c, &a));
    klocal_res_free_pb(pb, n);
    klocal_res_free(&c);
    klocal_res_free(&a);
    klocal_res_free(&b);
}

static void test_attrs(void)
{
    klocal_attrs a;
    char err[256];
    klocal_attrs_init(&a);
    CHECK_INT(klocal_attrs_parse(&a, "rack:r1,r2,r3;zone:z1;level:2", 4, err, sizeof err), 0);
    CHECK_INT(a.n, 3);
    CHECK_STR(a.v[0].value, "r2"); /* 4 mod 3 */
    CHECK_STR(a.v[1].value, "z1");
    size_t n;
    Mesos__V1__Attribute **pb = klocal_attrs_to_pb(&a, &n);
    CHECK_INT(pb[0]->type, MESOS__V1__VALUE__TYPE__TEXT);
    CHECK_INT(pb[2]->type, MESOS__V1__VALUE__TYPE__SCALAR);
    klocal_attrs_free_pb(pb, n);
    klocal_attrs_free(&a);
    CHECK_INT(klocal_attrs_parse(&a, "rack", 0, err, sizeof err), -1);
    klocal_attrs_free(&a);
}

static void test_config(void)
{
    double s;
    CHECK_INT(klocal_config_duration("500ms", &s), 0);
    CHECK(s == 0.5);
    CHECK_INT(klocal_config_duration("2mins", &s), 0);
    CHECK(s == 120.0);
    CHECK_INT(klocal_config_duration("7", &s), 0);
    CHECK(s == 7.0);
    CHECK_INT(klocal_config_duration("fast", &s), -1);
    klocal_config c;
    char err[256];
    char *ok[] = {"kmesos-local", "--port", "0", "--agents", "3", "--heartbeat-interval", "1s",
                  NULL};
    CHECK_INT(klocal_config_parse(&c, 7, ok, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK_INT(c.agents, 3);
    CHECK(c.heartbeat_interval == 1.0);
    CHECK(c.reregistration == 2.0);      /* executor_reregistration_timeout default */
    CHECK(c.recovery_timeout == 900.0);  /* recovery_timeout default (15mins) */
    klocal_config_free(&c);
    char *window[] = {"kmesos-local", "--executor-reregistration-timeout", "500ms",
                      "--recovery-timeout", "1mins", NULL};
    CHECK_INT(klocal_config_parse(&c, 5, window, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK(c.reregistration == 0.5);
    CHECK(c.recovery_timeout == 60.0);
    klocal_config_free(&c);
    const char *bad_windows[] = {"16s", "0s", "soon", "1e300weeks"};
    for (size_t i = 0; i < sizeof bad_windows / sizeof bad_windows[0]; i++) {
        char *argv[] = {"kmesos-local", "--executor-reregistration-timeout",
                        (char *)bad_windows[i], NULL};
        CHECK_INT(klocal_config_parse(&c, 3, argv, err, sizeof err), KLOCAL_CONFIG_ERROR);
        CHECK(strstr(err, "executor-reregistration-timeout") != NULL);
        klocal_config_free(&c);
    }
    char *bad_recovery[] = {"kmesos-local", "--recovery-timeout", "400days", NULL};
    CHECK_INT(klocal_config_parse(&c, 3, bad_recovery, err, sizeof err), KLOCAL_CONFIG_ERROR);
    klocal_config_free(&c);
    char *bad[] = {"kmesos-local", "--agent-resources", "cpus:lots", NULL};
    CHECK_INT(klocal_config_parse(&c, 3, bad, err, sizeof err), KLOCAL_CONFIG_ERROR);
    CHECK(strstr(err, "cpus") != NULL);
    klocal_config_free(&c);
    char *unknown[] = {"kmesos-local", "--nope", NULL};
    CHECK_INT(klocal_config_parse(&c, 2, unknown, err, sizeof err), KLOCAL_CONFIG_ERROR);
    CHECK(strstr(err, "--nope") != NULL);
    klocal_config_free(&c);
}

/* Hostile numbers in kmesos-local's flags (issue 11): codec/num's grammar,
 * so no hex, '+', blanks, inf or nan, and bounded durations. */
static void test_config_hostile_numbers(void)
{
    double s = 42;
    const char *bad_durations[] = {"inf", "infsecs", "nan", "0x10s", "0x10", " 5s", "+5s",
                                   "-1s", "1e400", "1e300weeks", "5 s"};
    for (size_t i = 0; i < sizeof bad_durations / sizeof bad_durations[0]; i++)
        CHECK_INT(klocal_config_duration(bad_durations[i], &s), -1);
    CHECK(s == 42);
    klocal_config c;
    char err[256];
    const char *bad_counts[] = {"+3", " 3", "0x3", "3.0", "1e1"};
    for (size_t i = 0; i < sizeof bad_counts / sizeof bad_counts[0]; i++) {
        char *argv[] = {"kmesos-local", "--agents", (char *)bad_counts[i], NULL};
        CHECK_INT(klocal_config_parse(&c, 3, argv, err, sizeof err), KLOCAL_CONFIG_ERROR);
        CHECK(strstr(err, "agents") != NULL);
        klocal_config_free(&c);
    }
    klocal_res r;
    klocal_res_init(&r);
    const char *bad_res[] = {"cpus:0x10", "cpus:1e300", "cpus:+4", "mem: 64", "disk:inf"};
    for (size_t i = 0; i < sizeof bad_res / sizeof bad_res[0]; i++) {
        CHECK_INT(klocal_res_parse(&r, bad_res[i], err, sizeof err), -1);
        CHECK(strstr(err, "resource") != NULL);
    }
    klocal_res_free(&r);
}

/* --zk and --masters (the masters elected through ZooKeeper), --registry. */
static void test_config_zk(void)
{
    klocal_config c;
    char err[256];
    char *ok[] = {"kmesos-local", "--zk", "zk://127.0.0.1:2181,127.0.0.1:2182/mesos",
                  "--masters", "3", NULL};
    CHECK_INT(klocal_config_parse(&c, 5, ok, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK_STR(c.zk.hosts, "127.0.0.1:2181,127.0.0.1:2182");
    CHECK_STR(c.zk.path, "/mesos");
    CHECK_INT(c.masters, 3);
    klocal_config_free(&c);
    CHECK(c.zk.hosts == NULL);
    struct {
        int argc;
        char *argv[6];
        const char *says;
    } bad[] = {
        {3, {"kmesos-local", "--masters", "2"}, "needs --zk"},
        {5, {"kmesos-local", "--zk", "zk://h:1/m", "--masters", "4"}, "--masters"},
        {5, {"kmesos-local", "--zk", "zk://h:1/m", "--masters", "0"}, "--masters"},
        {3, {"kmesos-local", "--zk", "http://h:1/m"}, "--zk"},
        {3, {"kmesos-local", "--zk", "zk://h:1"}, "--zk"},
        {5, {"kmesos-local", "--zk", "zk://h:1/m", "--port", "0"}, "--port 0"},
        {5, {"kmesos-local", "--zk", "zk://h:1/m", "--redirect-to", "h:1"}, "--redirect-to"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK_INT(klocal_config_parse(&c, bad[i].argc, bad[i].argv, err, sizeof err),
                  KLOCAL_CONFIG_ERROR);
        CHECK(strstr(err, bad[i].says) != NULL);
        klocal_config_free(&c);
    }
    char *one[] = {"kmesos-local", NULL};
    CHECK_INT(klocal_config_parse(&c, 1, one, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK_INT(c.masters, 1);
    CHECK(c.zk.hosts == NULL);
    CHECK_INT(c.registry_log, 0); /* in_memory */
    klocal_config_free(&c);
    char *log[] = {"kmesos-local", "--registry", "replicated_log", NULL};
    CHECK_INT(klocal_config_parse(&c, 3, log, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK_INT(c.registry_log, 1);
    klocal_config_free(&c);
    char *badreg[] = {"kmesos-local", "--registry", "zookeeper", NULL};
    CHECK_INT(klocal_config_parse(&c, 3, badreg, err, sizeof err), KLOCAL_CONFIG_ERROR);
    CHECK(strstr(err, "--registry") != NULL);
    klocal_config_free(&c);
}

/* The health check flags (Mesos' names) and the agents file keys that let
 * several agents share a hostname with their own port and work dir. */
static void test_config_agents(void)
{
    klocal_config c;
    char err[256];
    char *dflt[] = {"kmesos-local", NULL};
    CHECK_INT(klocal_config_parse(&c, 1, dflt, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK(c.agent_ping_timeout == 15.0 && c.max_agent_ping_timeouts == 5);
    klocal_config_free(&c);
    char *pings[] = {"kmesos-local", "--agent-ping-timeout", "500ms",
                     "--max-agent-ping-timeouts", "2", NULL};
    CHECK_INT(klocal_config_parse(&c, 5, pings, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK(c.agent_ping_timeout == 0.5 && c.max_agent_ping_timeouts == 2);
    klocal_config_free(&c);
    const char *bad[][2] = {{"--agent-ping-timeout", "0s"}, {"--agent-ping-timeout", "2days"},
                            {"--agent-ping-timeout", "soon"}, {"--max-agent-ping-timeouts", "0"},
                            {"--max-agent-ping-timeouts", "1001"},
                            {"--max-agent-ping-timeouts", "2x"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {"kmesos-local", (char *)bad[i][0], (char *)bad[i][1], NULL};
        CHECK_INT(klocal_config_parse(&c, 3, argv, err, sizeof err), KLOCAL_CONFIG_ERROR);
        CHECK(strstr(err, bad[i][0] + 2) != NULL);
        klocal_config_free(&c);
    }
    char dir[] = "/tmp/test_local_cfg.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *two = testlib_write_file(
        dir, "two.json",
        "{\"agents\":[{\"hostname\":\"node-a\",\"port\":5051,\"work_dir\":\"/w/a\"},"
        "{\"hostname\":\"node-a\",\"port\":5052}]}");
    char *argv[] = {"kmesos-local", "--agent-config", (char *)two, NULL};
    CHECK_INT(klocal_config_parse(&c, 3, argv, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK_INT(c.nspecs, 2);
    CHECK(strcmp(c.specs[0].hostname, c.specs[1].hostname) == 0);
    CHECK_INT(c.specs[0].port, 5051);
    CHECK_INT(c.specs[1].port, 5052);
    CHECK(c.specs[0].work_dir && strcmp(c.specs[0].work_dir, "/w/a") == 0);
    CHECK(c.specs[1].work_dir == NULL);
    klocal_config_free(&c);
    const char *bad_entries[] = {"{\"agents\":[{\"port\":0}]}", "{\"agents\":[{\"port\":70000}]}",
                                 "{\"agents\":[{\"port\":\"5051\"}]}",
                                 "{\"agents\":[{\"work_dir\":\"\"}]}", "{\"agents\":[7]}"};
    for (size_t i = 0; i < sizeof bad_entries / sizeof bad_entries[0]; i++) {
        char *a2[] = {"kmesos-local", "--agent-config",
                      (char *)testlib_write_file(dir, "bad.json", bad_entries[i]), NULL};
        CHECK_INT(klocal_config_parse(&c, 3, a2, err, sizeof err), KLOCAL_CONFIG_ERROR);
        CHECK(strstr(err, "agent 0") != NULL && strstr(err, "bad.json") != NULL);
        klocal_config_free(&c);
    }
    CHECK_INT(unlink(two), 0);
    CHECK_INT(unlink(testlib_write_file(dir, "bad.json", "")), 0);
    CHECK_INT(rmdir(dir), 0);
}

typedef struct sent_log {
    int sent;
    int done;
} sent_log;

static void on_send(void *arg, const char *fw, const Mesos__V1__TaskStatus *st)
{
    (void)fw;
    (void)st;
    ((sent_log *)arg)->sent++;
}

static void on_done(void *arg, const char *fw, const char *task)
{
    (void)fw;
    (void)task;
    ((sent_log *)arg)->done++;
}

static Mesos__V1__TaskStatus *status(const char *task, int state, uint8_t tag)
{
    Mesos__V1__TaskStatus *st = klocal_util_pb_new(&mesos__v1__task_status__descriptor);
    st->task_id = KLOCAL_ID(TaskID, task_id, task);
    st->state = state;
    uint8_t u[16] = {tag};
    st->has_uuid = 1;
    st->uuid = klocal_util_pb_bytes(u, sizeof u);
    return st;
}

static void test_updates(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    sent_log log = {0, 0};
    klocal_updates *u = klocal_updates_new(&loop, 10.0, on_send, on_done, &log);
    klocal_updates_add(u, "fw", status("t", MESOS__V1__TASK_STATE__TASK_RUNNING, 1));
    klocal_updates_add(u, "fw", status("t", MESOS__V1__TASK_STATE__TASK_FINISHED, 2));
    CHECK_INT(log.sent, 1); /* one at a time */
    uint8_t wrong[16] = {2}, right1[16] = {1};
    CHECK_INT(klocal_updates_ack(u, "fw", "t", wrong, 16), 0);
    CHECK_INT(klocal_updates_ack(u, "fw", "t", right1, 16), 1);
    CHECK_INT(log.sent, 2);
    CHECK_INT(log.done, 0);
    CHECK_INT(klocal_updates_ack(u, "fw", "t", wrong, 16), 1);
    CHECK_INT(log.done, 1);
    CHECK_INT(klocal_updates_pending(u), 0);
    klocal_updates_add(u, "fw", status("x", MESOS__V1__TASK_STATE__TASK_RUNNING, 3));
    klocal_updates_free(u);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
    RUN_TEST(test_parse);
    RUN_TEST(test_arith);
    RUN_TEST(test_attrs);
    RUN_TEST(test_config);
    RUN_TEST(test_config_hostile_numbers);
    RUN_TEST(test_config_zk);
    RUN_TEST(test_config_agents);
    RUN_TEST(test_updates);
    return testlib_finish();
}
