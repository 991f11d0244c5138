/* Tests of producers and consumers (client.h, kafka/lifecycle.h,
 * client_api.h) with a fake io: settings and option validation (400
 * naming the field, nothing changed), the REST contract on plain
 * parameter lists, the perf tool's command line, waiting while no broker
 * runs, the TaskInfo (executor, URIs, KAFKA_BOOTSTRAP_SERVERS,
 * KAFKA_TOPIC, KMESOS_TASK_COMMAND), task.prefer.hosts = the RUNNING
 * brokers' hosts, the restart rule (exit 0 done, failure relaunched
 * after the failover backoff), and the state round trip. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "codec/num.h"
#include "codec/protocol.h"
#include "sched/api/broker_api.h"
#include "sched/api/client_api.h"
#include "sched/kafka/kafka.h"
#include "codec/pb.h"
#include "kafka_world.h"
#include "testlib.h"

typedef kafka_world world;

static unsigned run(world *w, const char *kind, const char *method, const char *cmd,
                    const char *form, json_t **body)
{
    kmesos_broker_api_params p = {0};
    CHECK_INT(kmesos_broker_api_parse_form(&p, form, strlen(form), &(kmesos_api_param_error){0}), 0);
    unsigned status;
    if (strcmp(kind, "broker") == 0) {
        status = kmesos_broker_api_run(&w->k, method, cmd, &p, body);
    } else {
        kmesos_client_kind k;
        CHECK_INT(kmesos_client_kind_parse(kind, &k), 0);
        status = kmesos_client_api_run(&w->k, k, method, cmd, &p, body);
    }
    kmesos_broker_api_params_free(&p);
    return status;
}

static unsigned run_drop(world *w, const char *kind, const char *cmd, const char *form)
{
    json_t *body = NULL;
    unsigned st = run(w, kind, "POST", cmd, form, &body);
    json_decref(body);
    return st;
}

/* 400 naming field (and the message containing text, when given). */
static void check_bad(world *w, const char *kind, const char *cmd, const char *form,
                      const char *field, const char *text)
{
    json_t *body = NULL;
    CHECK_INT(run(w, kind, "POST", cmd, form, &body), 400);
    CHECK_STR(json_string_value(json_object_get(body, "field")), field);
    const char *err = json_string_value(json_object_get(body, "error"));
    if (text && (!err || !strstr(err, text))) {
        char m[512];
        snprintf(m, sizeof m, "'%s' in '%s'", text, err ? err : "(null)");
        testlib_fail(__FILE__, __LINE__, m);
    }
    json_decref(body);
}

/* How many producers and consumers there are. */
static size_t n_clients(const world *w)
{
    return kmesos_kafka_count(&w->k, KMESOS_CLIENT_PRODUCER) +
           kmesos_kafka_count(&w->k, KMESOS_CLIENT_CONSUMER);
}

/* Offers here have 4 cpus and 8192 MB, ports 31000-31009. */
static void feed_offer(world *w, const char *id, const char *host)
{
    kafka_world_feed_offers(w, &id, &host, 1, 4, 8192);
}

/* One broker (a 1-voter quorum) RUNNING on h1. */
static void run_one_broker(world *w)
{
    CHECK_INT(run_drop(w, "broker", "add", "broker=0&cpus=0.5&mem=1024&heap=256"), 200);
    CHECK_INT(run_drop(w, "broker", "start", "broker=0"), 200);
    feed_offer(w, "ob", "h1");
    Mesos__V1__TaskInfo *ti = kafka_world_launched(w, "broker-0-");
    CHECK(ti != NULL);
    if (ti)
        kafka_world_feed_update(w, ti->task_id->value, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    fake_io_reset(&w->f);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_settings_and_options(void)
{
    kmesos_client_settings s;
    char err[256];
    const char *field = NULL;
    CHECK_INT(kmesos_client_settings_defaults(&s), 0);
    CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_PRODUCER, &s, &field, err, sizeof err),
              -1);
    CHECK_STR(field, "topic");
    CHECK_INT(kmesos_client_param_set(&s, "topic", "events.v1_x-y", err, sizeof err), 0);
    CHECK_INT(kmesos_client_param_set(&s, "topic", "a/b", err, sizeof err), -1);
    CHECK(strncmp(err, "topic:", 6) == 0);
    CHECK_INT(kmesos_client_param_set(&s, "topic", "..", err, sizeof err), -1);
    CHECK_INT(kmesos_client_param_set(&s, "cpus", "0", err, sizeof err), -1);
    CHECK_INT(kmesos_client_param_set(&s, "mem", "x", err, sizeof err), -1);
    CHECK_INT(kmesos_client_param_set(&s, "command", "a\nb", err, sizeof err), -1);
    CHECK_INT(kmesos_client_param_set(&s, "port", "1", err, sizeof err), -1);
    CHECK_STR(err, "unknown parameter 'port'");
    /* the lifecycle settings are checked as a broker's: the same values
     * pass and fail, and each message names the field */
    const char *good[][2] = {{"heap", "256"}, {"heap", "auto"}, {"jvm_options", "-Dx=1 -Dy=2"},
                             {"constraints", "hostname=unique;rack=groupBy:3"},
                             {"constraints", ""}, {"failover_delay", "30s"},
                             {"failover_max_delay", "5m"}, {"failover_max_tries", "5"},
                             {"failover_max_tries", "none"}};
    kmesos_broker_settings bs;
    CHECK_INT(kmesos_broker_settings_defaults(&bs), 0);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK_INT(kmesos_client_param_set(&s, good[i][0], good[i][1], err, sizeof err), 0);
        if (strcmp(good[i][1], "auto") != 0)
            CHECK_INT(kmesos_broker_param_set(&bs, good[i][0], good[i][1], err, sizeof err), 0);
    }
    const char *bad[][2] = {{"heap", ""},  {"heap", "-1"}, {"jvm_options", "a\nb"},
                            {"constraints", "hostname=sometimes"}, {"constraints", "rack"},
                            {"constraints", "rack=groupBy:0"}, {"failover_delay", "0s"},
                            {"failover_delay", "soon"}, {"failover_max_delay", "x"},
                            {"failover_max_tries", "0"}, {"failover_max_tries", "two"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char berr[256];
        err[0] = '\0';
        CHECK_INT(kmesos_client_param_set(&s, bad[i][0], bad[i][1], err, sizeof err), -1);
        CHECK(strncmp(err, bad[i][0], strlen(bad[i][0])) == 0); /* names the field */
        CHECK_INT(kmesos_broker_param_set(&bs, bad[i][0], bad[i][1], berr, sizeof berr), -1);
        if (strcmp(bad[i][0], "heap") != 0) /* a client's heap may also be auto */
            CHECK(strcmp(err, berr) == 0); /* word for word the broker's message */
    }
    kmesos_broker_settings_free(&bs);
    CHECK(s.heap == 256 || s.heap == 0);
    CHECK_INT(s.failover_max_tries, 0);
    CHECK(s.failover_delay_s == 30 && s.failover_max_delay_s == 300);
    /* the whole: heap below mem, max delay not below the delay */
    CHECK_INT(kmesos_client_param_set(&s, "topic", "t", err, sizeof err), 0);
    CHECK_INT(kmesos_client_param_set(&s, "heap", "512", err, sizeof err), 0);
    CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_PRODUCER, &s, &field, err, sizeof err),
              -1);
    CHECK_STR(field, "heap");
    CHECK_INT(kmesos_client_param_set(&s, "heap", "auto", err, sizeof err), 0);
    CHECK_INT(kmesos_client_heap_mb(&s), 256);
    CHECK_INT(kmesos_client_param_set(&s, "failover_max_delay", "10s", err, sizeof err), 0);
    CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_PRODUCER, &s, &field, err, sizeof err),
              -1);
    CHECK_STR(field, "failover_max_delay");
    CHECK_INT(kmesos_client_param_set(&s, "failover_max_delay", "10m", err, sizeof err), 0);
    /* the broker-only settings are refused with the reason */
    char why[256];
    CHECK(kmesos_client_param_refused(KMESOS_CLIENT_PRODUCER, "port", why, sizeof why) != NULL);
    CHECK(strstr(why, "port: a broker-only setting: a producer listens on no port") == why);
    CHECK(kmesos_client_param_refused(KMESOS_CLIENT_CONSUMER, "data_dir", why, sizeof why));
    CHECK(kmesos_client_param_refused(KMESOS_CLIENT_CONSUMER, "stickiness_period", why,
                                      sizeof why));
    CHECK(kmesos_client_param_refused(KMESOS_CLIENT_CONSUMER, "colour", why, sizeof why) == NULL);
    const char *good_p[] = {"", "num-records=10", "throughput=-1,record-size=5",
                            "acks=all,linger.ms=5", "bootstrap.servers=a:1,b:2"};
    for (size_t i = 0; i < sizeof good_p / sizeof good_p[0]; i++) {
        CHECK_INT(kmesos_client_param_set(&s, "options", good_p[i], err, sizeof err), 0);
        CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_PRODUCER, &s, &field, err,
                                               sizeof err), 0);
    }
    const char *bad_p[] = {"colour=red", "num-records=0", "num-records=x", "throughput=0",
                           "messages=5", "timeout=10"};
    for (size_t i = 0; i < sizeof bad_p / sizeof bad_p[0]; i++) {
        CHECK_INT(kmesos_client_param_set(&s, "options", bad_p[i], err, sizeof err), 0);
        CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_PRODUCER, &s, &field, err,
                                               sizeof err), -1);
        CHECK_STR(field, "options");
    }
    /* the consumer's own settings */
    CHECK_INT(kmesos_client_param_set(&s, "options", "messages=5,timeout=10", err, sizeof err), 0);
    CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_CONSUMER, &s, &field, err, sizeof err),
              0);
    /* with a command the options are the command's business */
    CHECK_INT(kmesos_client_param_set(&s, "options", "colour=red", err, sizeof err), 0);
    CHECK_INT(kmesos_client_param_set(&s, "command", "my-tool --x", err, sizeof err), 0);
    CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_CONSUMER, &s, &field, err, sizeof err),
              0);
    CHECK_INT(kmesos_client_param_set(&s, "options", "=x", err, sizeof err), -1);
    kmesos_client_settings_free(&s);
}

static void test_tool_args(void)
{
    kmesos_client_settings s;
    char err[256];
    CHECK_INT(kmesos_client_settings_defaults(&s), 0);
    CHECK_INT(kmesos_client_param_set(&s, "topic", "t", err, sizeof err), 0);
    char *a = kmesos_client_tool_args(KMESOS_CLIENT_PRODUCER, &s);
    CHECK_STR(a, "--topic 't' --num-records '100000' --record-size '100' --throughput '-1'");
    free(a);
    CHECK_INT(kmesos_client_param_set(&s, "options",
                                      "num-records=2000,acks=all,client.id=it's,x", err,
                                      sizeof err), 0);
    a = kmesos_client_tool_args(KMESOS_CLIENT_PRODUCER, &s);
    CHECK_STR(a, "--topic 't' --num-records '2000' --record-size '100' --throughput '-1' "
                 "--command-property 'acks=all' 'client.id=it'\\''s,x'");
    free(a);
    CHECK_INT(kmesos_client_param_set(&s, "options", "messages=7,group.id=g,fetch.min.bytes=1",
                                      err, sizeof err), 0);
    a = kmesos_client_tool_args(KMESOS_CLIENT_CONSUMER, &s);
    CHECK_STR(a, "--topic 't' --num-records '7' --timeout '60000' --command-property "
                 "'group.id=g' --command-property 'fetch.min.bytes=1'");
    free(a);
    kmesos_client_settings_free(&s);
}

static void test_rest_contract(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    json_t *body = NULL;
    check_bad(&w, "producer", "add", "producer=0", "topic", "topic: required");
    check_bad(&w, "producer", "add", "producer=0&topic=t&options=colour=red", "options",
              "unknown producer option 'colour'");
    check_bad(&w, "consumer", "add", "consumer=0&topic=t&port=9092", "port",
              "port: a broker-only setting: a consumer listens on no port");
    check_bad(&w, "producer", "add", "producer=0&topic=t&data_dir=/d", "data_dir",
              "broker-only");
    check_bad(&w, "producer", "add", "producer=0&topic=t&stickiness_period=1m",
              "stickiness_period", "broker-only");
    check_bad(&w, "consumer", "add", "consumer=0&topic=t&colour=red", "colour",
              "unknown parameter 'colour'");
    check_bad(&w, "producer", "add", "producer=0&topic=t&constraints=hostname=sometimes",
              "constraints", "constraints:");
    check_bad(&w, "producer", "add", "producer=0&topic=t&failover_delay=0s", "failover_delay",
              "failover_delay: expected a duration > 0");
    check_bad(&w, "producer", "add", "producer=0&topic=t&failover_delay=1m&failover_max_delay=5s",
              "failover_max_delay", "shorter than failover_delay");
    check_bad(&w, "producer", "add", "producer=0&topic=t&failover_max_tries=0",
              "failover_max_tries", NULL);
    check_bad(&w, "consumer", "add", "consumer=0&topic=t&mem=256&heap=256", "heap",
              "does not fit in mem");
    check_bad(&w, "consumer", "add", "consumer=0&topic=t&jvm_options=a%0Ab", "jvm_options", NULL);
    check_bad(&w, "producer", "add", "producer=0..x&topic=t", "producer", "producer: bad id expression '0..x'");
    check_bad(&w, "producer", "add", "producer=*&topic=t", "producer", NULL);
    check_bad(&w, "producer", "start", "producer=3", "producer", "unknown producer id 3");
    check_bad(&w, "consumer", "list", "consumer=1", "consumer", "unknown consumer id 1");
    check_bad(&w, "producer", "start", "producer=0&topic=t", "topic", "unknown parameter");
    CHECK_INT(n_clients(&w), 0);
    CHECK_INT(run(&w, "producer", "POST", "add", "producer=0..1&topic=t&mem=256", &body), 200);
    json_t *list = json_object_get(body, "producers");
    CHECK_INT(json_array_size(list), 2);
    json_t *p0 = json_array_get(list, 0);
    CHECK_STR(json_string_value(json_object_get(p0, "kind")), "producer");
    CHECK_STR(json_string_value(json_object_get(p0, "topic")), "t");
    CHECK(json_is_false(json_object_get(p0, "active")));
    CHECK(json_real_value(json_object_get(p0, "mem")) == 256);
    json_decref(body);
    check_bad(&w, "producer", "add", "producer=1&topic=t", "producer", "producer 1 already exists");
    /* update checks everything first */
    check_bad(&w, "producer", "update", "producer=0,1&cpus=2&options=num-records=x", "options",
              NULL);
    CHECK(kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 0)->set.cpus == 0.5);
    check_bad(&w, "producer", "update", "producer=0,1&cpus=2&constraints=rack", "constraints",
              NULL);
    check_bad(&w, "producer", "update", "producer=0&port=1", "port", "broker-only");
    CHECK(kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 0)->set.cpus == 0.5);
    CHECK_STR(kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 1)->set.constraints, "");
    CHECK_INT(run_drop(&w, "producer", "update", "producer=1&options=throughput=10"), 200);
    /* a consumer with the same id is another object */
    CHECK_INT(run_drop(&w, "consumer", "add", "consumer=1&topic=u"), 200);
    CHECK_INT(run(&w, "consumer", "GET", "list", "", &body), 200);
    CHECK_INT(json_array_size(json_object_get(body, "consumers")), 1);
    json_decref(body);
    CHECK_INT(run_drop(&w, "consumer", "explode", "consumer=1"), 404);
    CHECK_INT(run(&w, "consumer", "GET", "add", "consumer=5&topic=t", &body), 405);
    json_decref(body);
    /* remove: refused while active */
    CHECK_INT(run_drop(&w, "producer", "start", "producer=1"), 200);
    check_bad(&w, "producer", "remove", "producer=1", "producer", "stop it first");
    CHECK_INT(run_drop(&w, "producer", "stop", "producer=1"), 200);
    CHECK_INT(run(&w, "producer", "POST", "remove", "producer=0,1", &body), 200);
    CHECK_INT(json_integer_value(json_array_get(json_object_get(body, "removed"), 1)), 1);
    json_decref(body);
    CHECK_INT(n_clients(&w), 1);
    CHECK(kmesos_scheduler_workload(&w.s, "producer-1") == NULL);
    kafka_world_teardown(&w);
}

static void test_waits_for_a_broker_then_launches_near_it(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    CHECK_INT(run_drop(&w, "producer", "add", "producer=0&topic=t&options=num-records=5"), 200);
    CHECK_INT(run_drop(&w, "producer", "start", "producer=0"), 200);
    feed_offer(&w, "o1", "h2");
    kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 0);
    kmesos_task *t = kmesos_kafka_task(&w.k, &c->node);
    CHECK(t && t->phase == KMESOS_PHASE_PENDING);
    CHECK(t && t->wait_reason && strstr(t->wait_reason, "waiting for a RUNNING broker"));
    CHECK(kafka_world_launched(&w, "producer-0-") == NULL);
    kmesos_scheduler_release_offers(&w.s);
    run_one_broker(&w);
    kmesos_kafka_tick(&w.k); /* the pending producer now prefers h1 */
    t = kmesos_kafka_task(&w.k, &c->node);
    CHECK_INT(t->workload->n_prefer_hosts, 1);
    CHECK_STR(t->workload->prefer_hosts[0], "h1");
    CHECK_STR(t->workload->kind, "producer");
    feed_offer(&w, "o2", "h1");
    Mesos__V1__TaskInfo *ti = kafka_world_launched(&w, "producer-0-");
    CHECK(ti != NULL);
    if (!ti) {
        kafka_world_teardown(&w);
        return;
    }
    CHECK(ti->command == NULL && ti->executor != NULL);
    CHECK_STR(ti->executor->command->value, "./kmesos-executor");
    CHECK_INT(ti->executor->command->n_uris, 2);
    CHECK_STR(ti->executor->command->uris[1]->value, "http://sched:7000/files/kafka-4.4.0.tgz");
    char boot[64];
    snprintf(boot, sizeof boot, "h1:%d", kmesos_kafka_broker(&w.k, 0)->client_port);
    CHECK_STR(kafka_world_env(ti, "KAFKA_BOOTSTRAP_SERVERS"), boot);
    CHECK_STR(kafka_world_env(ti, "KAFKA_TOPIC"), "t");
    CHECK_STR(kafka_world_env(ti, "KAFKA_HEAP"), "256m");
    CHECK_STR(kafka_world_env(ti, "KMESOS_TASK_COMMAND"),
              "./kafka-4.4.0/bin/kafka-client.sh producer --topic 't' --num-records '5' "
              "--record-size '100' --throughput '-1'");
    CHECK(kafka_world_env(ti, "KMESOS_READY_PORT") == NULL);
    CHECK(kafka_world_env(ti, "KAFKA_LIBS") == NULL); /* uri mode: libs next to bin */
    /* exit 0: done, not relaunched */
    char id[128];
    snprintf(id, sizeof id, "%s", ti->task_id->value);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_STR(c->node.host, "h1");
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FINISHED);
    t = kmesos_kafka_task(&w.k, &c->node);
    CHECK_INT(t->phase, KMESOS_PHASE_DONE);
    CHECK(c->node.last_failure == NULL);
    /* start again: runs once more */
    CHECK_INT(run_drop(&w, "producer", "start", "producer=0"), 200);
    CHECK_INT(kmesos_kafka_task(&w.k, &c->node)->phase, KMESOS_PHASE_PENDING);
    kafka_world_teardown(&w);
}

static void test_failure_relaunches_after_backoff(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    run_one_broker(&w);
    CHECK_INT(run_drop(&w, "consumer", "add", "consumer=0&topic=t&command=my-tool"), 200);
    CHECK_INT(run_drop(&w, "consumer", "start", "consumer=0"), 200);
    feed_offer(&w, "o1", "h1");
    Mesos__V1__TaskInfo *ti = kafka_world_launched(&w, "consumer-0-");
    CHECK(ti != NULL);
    if (!ti) {
        kafka_world_teardown(&w);
        return;
    }
    CHECK_STR(kafka_world_env(ti, "KMESOS_TASK_COMMAND"), "my-tool");
    CHECK_STR(kafka_world_env(ti, "KAFKA_CLIENT"), "./kafka-4.4.0/bin/kafka-client.sh");
    char id[128];
    snprintf(id, sizeof id, "%s", ti->task_id->value);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FAILED);
    kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_CONSUMER, 0);
    kmesos_task *t = kmesos_kafka_task(&w.k, &c->node);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(c->node.failures, 1);
    CHECK_STR(c->node.last_failure, "TASK_FAILED: exited with status 1");
    CHECK(t->next_attempt_ms == w.f.now_ms + 60000); /* the broker failover default */
    kafka_world_teardown(&w);
}


/* The id of the last KILL call, or "". */
static const char *last_kill(world *w)
{
    for (size_t i = w->f.n; i-- > 0;)
        if (w->f.calls[i]->type == MESOS__V1__SCHEDULER__CALL__TYPE__KILL)
            return w->f.calls[i]->kill->task_id->value;
    return "";
}

static size_t kills(world *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->f.n; i++)
        n += w->f.calls[i]->type == MESOS__V1__SCHEDULER__CALL__TYPE__KILL;
    return n;
}

static void test_lifecycle_settings_reach_workload_list_and_task(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    run_one_broker(&w);
    json_t *body = NULL;
    CHECK_INT(run(&w, "producer", "POST", "add",
                  "producer=0&topic=t&mem=512&heap=200&jvm_options=-XX:%2BUseG1GC"
                  "&constraints=hostname=like:h2&failover_delay=5s&failover_max_delay=20s"
                  "&failover_max_tries=2",
                  &body),
              200);
    json_t *p0 = json_array_get(json_object_get(body, "producers"), 0);
    CHECK(json_real_value(json_object_get(p0, "heap")) == 200);
    CHECK_STR(json_string_value(json_object_get(p0, "jvm_options")), "-XX:+UseG1GC");
    CHECK_STR(json_string_value(json_object_get(p0, "constraints")), "hostname=like:h2");
    json_t *fo = json_object_get(p0, "failover");
    CHECK_STR(json_string_value(json_object_get(fo, "delay")), "5s");
    CHECK_STR(json_string_value(json_object_get(fo, "max_delay")), "20s");
    CHECK_INT(json_integer_value(json_object_get(fo, "max_tries")), 2);
    json_decref(body);
    /* the defaults: heap auto (half of mem), 1m doubling to 10m, no limit */
    CHECK_INT(run(&w, "consumer", "POST", "add", "consumer=0&topic=t&mem=384", &body), 200);
    json_t *c0 = json_array_get(json_object_get(body, "consumers"), 0);
    CHECK(json_real_value(json_object_get(c0, "heap")) == 192);
    CHECK(json_is_true(json_object_get(c0, "heap_auto")));
    fo = json_object_get(c0, "failover");
    CHECK_STR(json_string_value(json_object_get(fo, "delay")), "1m");
    CHECK_STR(json_string_value(json_object_get(fo, "max_delay")), "10m");
    CHECK(json_is_null(json_object_get(fo, "max_tries")));
    json_decref(body);
    /* the workload carries them to the policies and the task registry */
    CHECK_INT(run_drop(&w, "producer", "start", "producer=0"), 200);
    kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 0);
    kmesos_task *t = kmesos_kafka_task(&w.k, &c->node);
    const kmesos_workload *wl = t->workload;
    CHECK_INT(wl->n_constraints, 1);
    CHECK_STR(wl->constraints[0].key, "hostname");
    CHECK_STR(wl->constraints[0].value, "like:h2");
    CHECK_INT(wl->backoff_base_ms, 5000);
    CHECK_INT(wl->backoff_max_ms, 20000);
    CHECK_INT(wl->max_failures, 2);
    /* update reaches the workload at once (the next launch) */
    CHECK_INT(run_drop(&w, "producer", "update", "producer=0&constraints="), 200);
    CHECK_INT(kmesos_kafka_task(&w.k, &c->node)->workload->n_constraints, 0);
    CHECK_INT(run_drop(&w, "producer", "update", "producer=0&constraints=rack=like:r2"), 200);
    feed_offer(&w, "o2", "h2");
    Mesos__V1__TaskInfo *ti = kafka_world_launched(&w, "producer-0-");
    CHECK(ti != NULL);
    if (ti) {
        CHECK_STR(kafka_world_env(ti, "KAFKA_HEAP"), "200m");
        CHECK_STR(kafka_world_env(ti, "KAFKA_JVM_OPTIONS"), "-XX:+UseG1GC");
    }
    kafka_world_teardown(&w);
}

static void test_client_failover_doubles_then_deactivates(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    run_one_broker(&w);
    CHECK_INT(run_drop(&w, "consumer", "add",
                       "consumer=0&topic=t&command=x&failover_delay=2s&failover_max_delay=3s"
                       "&failover_max_tries=3"),
              200);
    CHECK_INT(run_drop(&w, "consumer", "start", "consumer=0"), 200);
    kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_CONSUMER, 0);
    kmesos_task *t = kmesos_kafka_task(&w.k, &c->node);
    char id[128];
    const char *offers[] = {"o1", "o2", "o3"};
    uint64_t delays[] = {2000, 3000}; /* 2 s, then doubled but capped at 3 s */
    for (int i = 0; i < 3; i++) {
        fake_io_reset(&w.f);
        feed_offer(&w, offers[i], "h1");
        CHECK(kafka_world_launched(&w, "consumer-0-") != NULL);
        snprintf(id, sizeof id, "%s", t->id);
        /* RUNNING (at once for a client) does not reset the count */
        kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
        CHECK_INT(c->node.failures, i);
        CHECK_INT(t->failures, i);
        kmesos_kafka_tick(&w.k); /* not RUNNING for 2 s yet */
        CHECK_INT(c->node.failures, i);
        kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FAILED);
        CHECK_INT(c->node.failures, i + 1);
        if (i < 2) {
            CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
            CHECK_INT(c->node.active, 1);
            CHECK_INT(t->next_attempt_ms - w.f.now_ms, delays[i]);
            CHECK_STR(c->node.last_failure, "TASK_FAILED: exited with status 1");
            w.f.now_ms += delays[i];
        }
    }
    /* third failure in a row: given up and deactivated with the reason */
    CHECK_INT(t->phase, KMESOS_PHASE_DONE);
    CHECK_INT(c->node.active, 0);
    CHECK(c->node.last_failure &&
          strstr(c->node.last_failure,
                 "deactivated after 3 consecutive failures; last: TASK_FAILED"));
    CHECK_INT(kmesos_tasks_pending(&w.s.tasks), 0);
    /* start again: failures reset, pending at once */
    CHECK_INT(run_drop(&w, "consumer", "start", "consumer=0"), 200);
    CHECK_INT(c->node.failures, 0);
    /* one failure, then RUNNING for its failover_delay: the count starts over */
    fake_io_reset(&w.f);
    feed_offer(&w, "o5", "h1");
    snprintf(id, sizeof id, "%s", t->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FAILED);
    CHECK_INT(c->node.failures, 1);
    w.f.now_ms += 2000;
    fake_io_reset(&w.f);
    feed_offer(&w, "o6", "h1");
    kafka_world_feed_update(&w, t->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    w.f.now_ms += 1999;
    kmesos_kafka_tick(&w.k);
    CHECK_INT(c->node.failures, 1);
    w.f.now_ms += 1;
    kmesos_kafka_tick(&w.k);
    CHECK_INT(c->node.failures, 0);
    CHECK_INT(t->failures, 0);
    CHECK_INT(run_drop(&w, "consumer", "stop", "consumer=0"), 200);
    snprintf(id, sizeof id, "%s", t->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(run_drop(&w, "consumer", "start", "consumer=0"), 200);
    CHECK_INT(c->node.failures, 0);
    CHECK_INT(kmesos_kafka_task(&w.k, &c->node)->phase, KMESOS_PHASE_PENDING);
    /* a finished task is no failure */
    fake_io_reset(&w.f);
    feed_offer(&w, "o4", "h1");
    t = kmesos_kafka_task(&w.k, &c->node);
    snprintf(id, sizeof id, "%s", t->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FINISHED);
    CHECK_INT(t->phase, KMESOS_PHASE_DONE);
    CHECK_INT(c->node.failures, 0);
    CHECK_INT(c->node.active, 1);
    kafka_world_teardown(&w);
}

static kmesos_task *producer_task(world *w, int id)
{
    kmesos_client *c = kmesos_kafka_client(&w->k, KMESOS_CLIENT_PRODUCER, id);
    return c ? kmesos_kafka_task(&w->k, &c->node) : NULL;
}

/* Launches producers 0..n-1 (added and started) on h1 and makes them RUNNING. */
static void run_producers(world *w, int n)
{
    char form[64];
    snprintf(form, sizeof form, "producer=0..%d&topic=t&cpus=0.1&mem=64&command=x", n - 1);
    CHECK_INT(run_drop(w, "producer", "add", form), 200);
    CHECK_INT(run_drop(w, "producer", "start", "producer=*"), 200);
    feed_offer(w, "op", "h1");
    for (int i = 0; i < n; i++) {
        kmesos_task *t = producer_task(w, i);
        CHECK(t && t->phase == KMESOS_PHASE_LAUNCHING);
        if (t)
            kafka_world_feed_update(w, t->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    }
    fake_io_reset(&w->f);
}


static void test_rolling_restart_of_clients_one_at_a_time(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    run_one_broker(&w);
    run_producers(&w, 3);
    json_t *body = NULL;
    CHECK_INT(run(&w, "producer", "POST", "restart", "producer=*", &body), 202);
    json_t *q = json_object_get(body, "restarting");
    CHECK_INT(json_array_size(q), 3);
    json_decref(body);
    /* only producer 0 is killed */
    CHECK_INT(kills(&w), 1);
    kmesos_task *t0 = producer_task(&w, 0), *t1 = producer_task(&w, 1), *t2 = producer_task(&w, 2);
    CHECK_STR(last_kill(&w), t0->id);
    char id[128];
    snprintf(id, sizeof id, "%s", t0->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(t0->phase, KMESOS_PHASE_PENDING); /* at once, not a failure */
    CHECK_INT(t0->next_attempt_ms, w.f.now_ms);
    CHECK_INT(kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 0)->node.failures, 0);
    kmesos_kafka_tick(&w.k);
    CHECK_INT(kills(&w), 1); /* producer 1 waits until 0 is back */
    feed_offer(&w, "o2", "h1");
    CHECK_INT(t0->phase, KMESOS_PHASE_LAUNCHING);
    kmesos_kafka_tick(&w.k);
    CHECK_INT(kills(&w), 1); /* launched is not back yet */
    fake_io_reset(&w.f);
    kafka_world_feed_update(&w, t0->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(kills(&w), 1); /* back RUNNING: now producer 1 */
    CHECK_STR(last_kill(&w), t1->id);
    /* producer 1 comes back and finishes before a tick: finished counts as back */
    snprintf(id, sizeof id, "%s", t1->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    feed_offer(&w, "o3", "h1");
    fake_io_reset(&w.f);
    snprintf(id, sizeof id, "%s", t1->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FINISHED);
    CHECK_INT(t1->phase, KMESOS_PHASE_DONE);
    CHECK_INT(kills(&w), 1);
    CHECK_STR(last_kill(&w), t2->id);
    /* producer 2 is stopped meanwhile: the queue does not wait for it */
    CHECK_INT(run_drop(&w, "producer", "stop", "producer=2"), 200);
    kmesos_kafka_tick(&w.k);
    CHECK_INT(w.k.restart_current, -1);
    CHECK_INT(w.k.n_restart, 0);
    kafka_world_teardown(&w);
}

static void test_brokers_and_clients_share_the_restart_queue(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    run_one_broker(&w);
    run_producers(&w, 1);
    CHECK_INT(run_drop(&w, "broker", "restart", "broker=0"), 202);
    CHECK_INT(run_drop(&w, "producer", "restart", "producer=0"), 202);
    CHECK_INT(kills(&w), 1); /* the broker only */
    kmesos_task *b = kmesos_kafka_task(&w.k, &kmesos_kafka_broker(&w.k, 0)->node);
    CHECK_STR(last_kill(&w), b->id);
    char id[128];
    snprintf(id, sizeof id, "%s", b->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    feed_offer(&w, "o2", "h1");
    fake_io_reset(&w.f);
    kafka_world_feed_update(&w, b->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(kills(&w), 1); /* the broker is back: now the producer */
    CHECK_STR(last_kill(&w), producer_task(&w, 0)->id);
    kafka_world_teardown(&w);
}

static void test_tasks_kill_of_a_client_is_a_task_loss(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    run_one_broker(&w);
    CHECK_INT(run_drop(&w, "producer", "add",
                       "producer=0&topic=t&command=x&failover_delay=4s&failover_max_delay=8s"),
              200);
    json_t *body = NULL;
    /* nothing runs yet: 409, nothing changes */
    CHECK_INT(run_drop(&w, "producer", "start", "producer=0"), 200);
    kmesos_task *t = producer_task(&w, 0);
    CHECK(t != NULL);
    if (!t) {
        kafka_world_teardown(&w);
        return;
    }
    CHECK_INT(kmesos_kafka_api_kill(&w.k, t, &body), 409);
    CHECK(strstr(json_string_value(json_object_get(body, "error")), "kmesos producer stop 0"));
    json_decref(body);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    feed_offer(&w, "o1", "h1");
    kafka_world_feed_update(&w, t->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    fake_io_reset(&w.f);
    CHECK_INT(kmesos_kafka_api_kill(&w.k, t, &body), 202);
    CHECK_STR(json_string_value(json_object_get(body, "killing")), t->id);
    CHECK_STR(json_string_value(json_object_get(body, "workload")), "producer 0");
    CHECK_STR(json_string_value(json_object_get(body, "relaunch_in")), "4s");
    CHECK(strstr(json_string_value(json_object_get(body, "note")), "kmesos producer stop 0"));
    json_decref(body);
    CHECK_INT(kills(&w), 1);
    CHECK_STR(last_kill(&w), t->id);
    char id[128];
    snprintf(id, sizeof id, "%s", t->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 0);
    CHECK_INT(c->node.active, 1);
    CHECK_INT(c->node.failures, 1);
    CHECK(c->node.last_failure && strncmp(c->node.last_failure, "TASK_KILLED", 11) == 0);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(t->next_attempt_ms - w.f.now_ms, 4000);
    kafka_world_teardown(&w);
}

static void test_state_round_trip(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    CHECK_INT(run_drop(&w, "producer", "add", "producer=2&topic=t&options=acks=all&cpus=0.25"),
              200);
    CHECK_INT(run_drop(&w, "consumer", "add",
                       "consumer=0&topic=u&command=x&mem=1024&heap=300&jvm_options=-Da=b"
                       "&constraints=rack=like:r1&failover_delay=7s&failover_max_delay=70s"
                       "&failover_max_tries=4"),
              200);
    CHECK_INT(run_drop(&w, "consumer", "start", "consumer=0"), 200);
    char serr[256];
    json_t *j = kmesos_kafka_state_save(&w.k, serr, sizeof serr);
    CHECK_INT(json_array_size(json_object_get(j, "clients")), 2);
    world v;
    kafka_world_setup(&v, KMESOS_FETCH_URI);
    char err[256];
    CHECK_INT(kmesos_kafka_state_load(&v.k, j, err, sizeof err), 0);
    CHECK_INT(n_clients(&v), 2);
    kmesos_client *p = kmesos_kafka_client(&v.k, KMESOS_CLIENT_PRODUCER, 2);
    kmesos_client *c = kmesos_kafka_client(&v.k, KMESOS_CLIENT_CONSUMER, 0);
    CHECK(p && p->set.cpus == 0.25 && !p->node.active);
    CHECK(p && strcmp(p->set.options, "acks=all") == 0);
    CHECK(c && c->node.active && strcmp(c->set.command, "x") == 0);
    if (c) {
        CHECK(c->set.heap == 300 && c->set.mem == 1024);
        CHECK_STR(c->set.jvm_options, "-Da=b");
        CHECK_STR(c->set.constraints, "rack=like:r1");
        CHECK(c->set.failover_delay_s == 7 && c->set.failover_max_delay_s == 70);
        CHECK_INT(c->set.failover_max_tries, 4);
    }
    if (p) /* not set: the defaults come back */
        CHECK(p->set.heap == 0 && p->set.failover_delay_s == 60 && !p->set.failover_max_tries);
    const kmesos_workload *cw = kmesos_scheduler_workload(&v.s, "consumer-0");
    CHECK(cw != NULL);
    if (cw) /* the loaded settings steer the loaded workload */
        CHECK(cw->n_constraints == 1 && cw->backoff_base_ms == 7000 && cw->max_failures == 4);
    json_decref(j);
    /* an entry saved before the lifecycle settings existed loads with defaults */
    json_t *older = json_pack(
        "{s:s, s:[], s:[], s:[{s:s, s:i, s:b, s:f, s:f, s:s, s:s, s:s, s:i}]}", "cluster_id",
        "AAAAAAAAAAAAAAAAAAAAAA", "voters", "brokers", "clients", "kind", "producer", "id", 3,
        "active", 1, "cpus", 0.5, "mem", 400.0, "topic", "t", "options", "", "command", "", "failures",
        0);
    world x;
    kafka_world_setup(&x, KMESOS_FETCH_URI);
    CHECK_INT(kmesos_kafka_state_load(&x.k, older, err, sizeof err), 0);
    kmesos_client *o = kmesos_kafka_client(&x.k, KMESOS_CLIENT_PRODUCER, 3);
    CHECK(o != NULL);
    if (o) {
        CHECK(o->set.heap == 0 && kmesos_client_heap_mb(&o->set) == 200);
        CHECK(o->set.failover_delay_s == 60 && o->set.failover_max_delay_s == 600);
        CHECK_INT(o->set.failover_max_tries, 0);
        CHECK_STR(o->set.constraints, "");
        CHECK_STR(o->set.jvm_options, "");
    }
    json_decref(older);
    kafka_world_teardown(&x);
    /* an old state without clients still loads */
    json_t *old = json_pack("{s:s, s:[], s:[]}", "cluster_id", "AAAAAAAAAAAAAAAAAAAAAA", "voters",
                            "brokers");
    world u;
    kafka_world_setup(&u, KMESOS_FETCH_URI);
    CHECK_INT(kmesos_kafka_state_load(&u.k, old, err, sizeof err), 0);
    CHECK_INT(n_clients(&u), 0);
    json_decref(old);
    kafka_world_teardown(&u);
    kafka_world_teardown(&v);
    kafka_world_teardown(&w);
}

/* A state holding hostile numbers (issue 11: failover_delay 1e300, a
 * negative delay, mem 1e300). Either the loader refuses it naming the
 * field, or what it loads converts safely: the relaunch delays of the
 * workload are bounded milliseconds (no float-to-integer overflow, which
 * the clang sanitizer build reports), and nothing else changes. */
static void test_state_with_hostile_numbers(void)
{
    static const double delays[][2] = {{1e300, 1e300}, {-5, -1}, {INFINITY, INFINITY}};
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        json_t *st = json_pack(
            "{s:s, s:[], s:[], s:[{s:s, s:i, s:b, s:f, s:f, s:s, s:s, s:s, s:i, s:f, s:f}]}",
            "cluster_id", "AAAAAAAAAAAAAAAAAAAAAA", "voters", "brokers", "clients", "kind",
            "producer", "id", 4, "active", 1, "cpus", 0.5, "mem", 1e300, "topic", "t", "options",
            "", "command", "", "failures", 0, "failover_delay_s", delays[i][0],
            "failover_max_delay_s", delays[i][1]);
        CHECK(st != NULL || isinf(delays[i][0])); /* jansson refuses inf itself */
        if (!st)
            continue;
        world w;
        kafka_world_setup(&w, KMESOS_FETCH_URI);
        char err[256] = "";
        if (kmesos_kafka_state_load(&w.k, st, err, sizeof err) != 0) {
            CHECK(strstr(err, "failover") || strstr(err, "mem"));
        } else {
            const kmesos_workload *pw = kmesos_scheduler_workload(&w.s, "producer-4");
            uint64_t cap = kmesos_num_ms(KMESOS_NUM_DURATION_MAX_S);
            CHECK(pw == NULL || (pw->backoff_base_ms <= cap && pw->backoff_max_ms <= cap));
            kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 4);
            if (c)
                CHECK(kmesos_client_heap_mb(&c->set) == 64);
        }
        json_decref(st);
        kafka_world_teardown(&w);
    }
}

int main(void)
{
    RUN_TEST(test_settings_and_options);
    RUN_TEST(test_tool_args);
    RUN_TEST(test_rest_contract);
    RUN_TEST(test_waits_for_a_broker_then_launches_near_it);
    RUN_TEST(test_failure_relaunches_after_backoff);
    RUN_TEST(test_lifecycle_settings_reach_workload_list_and_task);
    RUN_TEST(test_client_failover_doubles_then_deactivates);
    RUN_TEST(test_rolling_restart_of_clients_one_at_a_time);
    RUN_TEST(test_brokers_and_clients_share_the_restart_queue);
    RUN_TEST(test_tasks_kill_of_a_client_is_a_task_loss);
    RUN_TEST(test_state_round_trip);
    RUN_TEST(test_state_with_hostile_numbers);
    return testlib_finish();
}
