/* Tests of the Kafka broker model and its scheduling, with a fake io
 * (calls captured, a settable clock): id expressions, parameter
 * validation (bad input -> 400 naming the field, state unchanged), the
 * REST contract on plain parameter lists, quorum formation (all voters
 * together, each on its own host, controller ports recorded), the
 * broker TaskInfo (executor, URIs, environment), failover backoff and
 * deactivation, stickiness and voter pinning, rolling restart, and the
 * state file round trip with brokers, voters and the cluster id. */
#include <stdlib.h>
#include <unistd.h>

#include "codec/protocol.h"
#include "sched/api/api.h"
#include "sched/api/broker_api.h"
#include "sched/kafka/kafka.h"
#include "codec/pb.h"
#include "sched/state/state.h"
#include "kafka_world.h"
#include "testlib.h"

typedef kafka_world world;

static const char *field_of(json_t *body)
{
    return json_string_value(json_object_get(body, "field"));
}

/* Offers here have 2 cpus and 4096 MB. */
static Mesos__V1__Offer *offer(const char *id, const char *host, uint64_t lo, uint64_t hi)
{
    return kafka_world_offer(id, host, 2, 4096, lo, hi);
}

static void feed_offers(world *w, const char *const *ids, const char *const *hosts, size_t n)
{
    kafka_world_feed_offers(w, ids, hosts, n, 2, 4096);
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_id_expressions(void)
{
    int known[] = {1, 3, 5}, *ids = NULL;
    size_t n = 0;
    char err[256];
    CHECK_INT(kmesos_broker_ids_parse("0", NULL, 0, 0, &ids, &n, err, sizeof err), 0);
    CHECK(n == 1 && ids[0] == 0);
    free(ids);
    CHECK_INT(kmesos_broker_ids_parse("2,0,2", NULL, 0, 0, &ids, &n, err, sizeof err), 0);
    CHECK(n == 2 && ids[0] == 0 && ids[1] == 2);
    free(ids);
    CHECK_INT(kmesos_broker_ids_parse("0..4", NULL, 0, 0, &ids, &n, err, sizeof err), 0);
    CHECK(n == 5 && ids[4] == 4);
    free(ids);
    CHECK_INT(kmesos_broker_ids_parse("*", known, 3, 1, &ids, &n, err, sizeof err), 0);
    CHECK(n == 3 && ids[0] == 1 && ids[2] == 5);
    free(ids);
    ids = NULL;
    CHECK_INT(kmesos_broker_ids_parse("*", NULL, 0, 1, &ids, &n, err, sizeof err), 0);
    CHECK_INT(n, 0); /* no brokers yet: an empty list */
    free(ids);
    const char *bad[] = {"", "a", "1..", "3..1", "0,,1", "-1", "0..x", ",1", "1,", "0..5000",
                         "1.5", "100000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_INT(kmesos_broker_ids_parse(bad[i], NULL, 0, 0, &ids, &n, err, sizeof err), -1);
        CHECK(strncmp(err, "broker:", 7) == 0);
    }
    CHECK_INT(kmesos_broker_ids_parse("1,2", known, 3, 1, &ids, &n, err, sizeof err), -1);
    CHECK_STR(err, "broker: unknown broker id 2");
}

static void test_parameters_are_validated(void)
{
    kmesos_broker_settings s;
    char err[256];
    CHECK_INT(kmesos_broker_settings_defaults(&s), 0);
    const char *good[][2] = {{"cpus", "0.5"}, {"mem", "1024"}, {"heap", "256"},
                             {"port", "auto"}, {"port", "9092"}, {"options", "a=1,b=x,y"},
                             {"jvm_options", "-Dx=1 -Dy=2"}, {"constraints", "hostname=unique;rack=groupBy:3"},
                             {"failover_delay", "30s"}, {"failover_max_delay", "5m"},
                             {"failover_max_tries", "5"}, {"failover_max_tries", "none"},
                             {"stickiness_period", "0s"}, {"data_dir", "/d/b0,/e/b0"}, {"data_dir", ""}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_INT(kmesos_broker_param_set(&s, good[i][0], good[i][1], err, sizeof err), 0);
    const char *bad[][2] = {{"cpus", "-1"}, {"cpus", "x"}, {"cpus", "0"}, {"mem", "nan"},
                            {"heap", ""}, {"port", "0"}, {"port", "70000"}, {"port", "ninety"},
                            {"options", "=1"}, {"options", "noequals"}, {"jvm_options", "a\nb"},
                            {"constraints", "hostname=sometimes"}, {"constraints", "rack"},
                            {"constraints", "rack=groupBy:0"}, {"failover_delay", "0s"},
                            {"failover_delay", "soon"}, {"failover_max_tries", "0"},
                            {"stickiness_period", "-5s"}, {"data_dir", "relative/dir"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_INT(kmesos_broker_param_set(&s, bad[i][0], bad[i][1], err, sizeof err), -1);
        CHECK(strncmp(err, bad[i][0], strlen(bad[i][0])) == 0); /* names the field */
    }
    CHECK_INT(kmesos_broker_param_set(&s, "colour", "red", err, sizeof err), -1);
    CHECK_STR(err, "unknown parameter 'colour'");
    const char *field = NULL;
    s.heap = 2048;
    s.mem = 1024;
    CHECK_INT(kmesos_broker_settings_check(&s, &field, err, sizeof err), -1);
    CHECK_STR(field, "heap");
    kmesos_broker_settings_free(&s);
    char text[32];
    kmesos_broker_duration_text(90, text, sizeof text);
    CHECK_STR(text, "1m30s");
    kmesos_broker_duration_text(600, text, sizeof text);
    CHECK_STR(text, "10m");
    kmesos_broker_duration_text(0.5, text, sizeof text);
    CHECK_STR(text, "500ms");
}

static void test_rest_contract(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "add", "broker=0..2&cpus=0.5&mem=1024&heap=256", &body), 200);
    CHECK_INT(json_array_size(json_object_get(body, "brokers")), 3);
    json_t *b0 = json_array_get(json_object_get(body, "brokers"), 0);
    CHECK_STR(json_string_value(json_object_get(b0, "port")), "auto");
    CHECK_STR(json_string_value(json_object_get(b0, "data_dir")), "/data/broker-0");
    CHECK_STR(json_string_value(json_object_get(json_object_get(b0, "failover"), "delay")), "1m");
    CHECK(json_is_null(json_object_get(json_object_get(b0, "failover"), "max_tries")));
    CHECK(json_is_null(json_object_get(b0, "task")));
    json_decref(body);
    /* errors: 400 naming the field, and nothing changes */
    CHECK_INT(kafka_world_api(&w, "POST", "add", "broker=1", &body), 400);
    CHECK_STR(field_of(body), "broker");
    json_decref(body);
    CHECK_INT(kafka_world_api(&w, "POST", "update", "broker=0..2&cpus=2&mem=lots", &body), 400);
    CHECK_STR(field_of(body), "mem");
    json_decref(body);
    CHECK(kmesos_kafka_broker(&w.k, 0)->set.cpus == 0.5); /* cpus=2 not applied either */
    CHECK_INT(kafka_world_api(&w, "POST", "update", "broker=0&shoe_size=9", &body), 400);
    CHECK_STR(field_of(body), "shoe_size");
    json_decref(body);
    CHECK_INT(kafka_world_api(&w, "POST", "start", "broker=0&cpus=1", &body), 400); /* start takes no settings */
    CHECK_STR(field_of(body), "cpus");
    json_decref(body);
    CHECK_INT(kafka_world_api(&w, "POST", "stop", "broker=9", &body), 400);
    CHECK_STR(json_string_value(json_object_get(body, "error")), "broker: unknown broker id 9");
    json_decref(body);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=*"), 400);
    CHECK_INT(kafka_world_api_drop(&w, "GET", "add", "broker=5"), 405);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "explode", "broker=0"), 404);
    CHECK_INT(kmesos_kafka_count(&w.k, KMESOS_KAFKA_BROKER), 3);
    /* update, list with an expression */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "update", "broker=1,2&port=9092&failover_max_tries=3"), 200);
    CHECK_INT(kafka_world_api(&w, "GET", "list", "broker=2", &body), 200);
    b0 = json_array_get(json_object_get(body, "brokers"), 0);
    CHECK_INT(json_integer_value(json_object_get(b0, "port")), 9092);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(b0, "failover"), "max_tries")), 3);
    json_decref(body);
    /* remove: refused while active, fine once stopped (before a quorum exists) */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=2"), 200);
    CHECK_INT(kafka_world_api(&w, "POST", "remove", "broker=2", &body), 400);
    CHECK_STR(json_string_value(json_object_get(body, "error")), "broker 2 is active: stop it first");
    json_decref(body);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "stop", "broker=2"), 200);
    CHECK_INT(kafka_world_api(&w, "POST", "remove", "broker=2", &body), 200);
    CHECK_INT(json_integer_value(json_array_get(json_object_get(body, "removed"), 0)), 2);
    json_decref(body);
    CHECK(kmesos_kafka_broker(&w.k, 2) == NULL);
    CHECK(kmesos_scheduler_workload(&w.s, "broker-2") == NULL);
    /* restart of brokers that do not run: nothing queued */
    CHECK_INT(kafka_world_api(&w, "POST", "restart", "broker=*", &body), 202);
    CHECK_INT(json_array_size(json_object_get(body, "restarting")), 0);
    json_decref(body);
    kafka_world_teardown(&w);
}

/* clone: new brokers with one's settings (but its advertised host and data
 * folders), the
 * given ones applied over them; every bad input is a 400 naming its field
 * and adds nothing. */
static void test_clone(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    json_t *body = NULL;
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add",
                                   "broker=0&cpus=0.5&mem=1536&heap=512&options=a=1"
                                   "&advertised_host=kafka0.example.com&failover_max_tries=4"
                                   "&data_dir=/srv/k0"),
              200);
    CHECK_INT(kafka_world_api(&w, "POST", "clone", "broker=0&to=3..4&mem=2048", &body), 200);
    json_t *list = json_object_get(body, "brokers");
    CHECK_INT(json_array_size(list), 2);
    json_decref(body);
    const kmesos_broker *b0 = kmesos_kafka_broker(&w.k, 0), *b4 = kmesos_kafka_broker(&w.k, 4);
    CHECK(b4 != NULL && kmesos_kafka_broker(&w.k, 3) != NULL);
    CHECK(b4->set.cpus == 0.5 && b4->set.heap == 512 && b4->set.mem == 2048);
    CHECK(b0->set.mem == 1536); /* the source is untouched */
    CHECK_STR(b4->set.options, "a=1");
    CHECK_INT(b4->set.failover_max_tries, 4);
    CHECK_STR(b4->set.advertised_host, "");
    CHECK_STR(b0->set.advertised_host, "kafka0.example.com");
    CHECK_STR(b0->set.data_dir, "/srv/k0");
    CHECK_STR(b4->set.data_dir, ""); /* its own id's default folder, not the source's */
    /* bad input: nothing added */
    static const struct { const char *form, *field; } bad[] = {
        {"broker=0", "to"},                      /* no target */
        {"broker=0&to=*", "to"},                 /* not all */
        {"broker=0&to=x", "to"},                 /* not an expression */
        {"broker=0&to=4..5", "broker"},          /* 4 exists */
        {"broker=9&to=5", "broker"},             /* no such source */
        {"broker=0,3&to=5", "broker"},           /* two sources */
        {"broker=0&to=5&mem=lots", "mem"},       /* a bad setting */
        {"broker=0&to=5&heap=4096", "heap"},     /* the whole is checked: heap above mem */
        {"broker=0&to=5&purge=true", "purge"},   /* not a clone parameter */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(kafka_world_api(&w, "POST", "clone", bad[i].form, &body), 400);
        CHECK_STR(field_of(body), bad[i].field);
        json_decref(body);
    }
    CHECK_INT(kmesos_kafka_count(&w.k, KMESOS_KAFKA_BROKER), 3);
    CHECK(kmesos_kafka_broker(&w.k, 5) == NULL);
    CHECK_INT(kafka_world_api_drop(&w, "GET", "clone", "broker=0&to=5"), 405);
    kafka_world_teardown(&w);
}

static void test_quorum_forms_with_all_voters_and_task_info(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=0..2&cpus=0.5&mem=1024&heap=256&options=a=1"), 200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=*"), 200);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 1);
    /* two hosts only: the voters wait, the offers are held */
    const char *ids[] = {"o1", "o2", "o3"};
    feed_offers(&w, ids, KAFKA_WORLD_HOSTS, 2);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    CHECK_INT(w.s.offers.count, 2);
    CHECK(kafka_world_broker_task(&w, 0)->wait_reason && strstr(kafka_world_broker_task(&w, 0)->wait_reason, "quorum voters"));
    CHECK_INT(w.k.n_voters, 0);
    /* the third host: all three launch at once, one per host */
    const char *third[] = {"o3"};
    const char *host3[] = {"h3"};
    feed_offers(&w, third, host3, 1);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 3);
    CHECK_INT(w.s.offers.count, 0);
    CHECK_INT(w.k.n_voters, 3);
    char *voters = kmesos_kafka_voters_text(&w.k, KMESOS_VOTERS_STATIC);
    CHECK(voters && strstr(voters, "@h1:31009") && strstr(voters, "@h2:31009") &&
          strstr(voters, "@h3:31009"));
    Mesos__V1__TaskInfo *ti = kafka_world_broker_launched(&w, 0);
    CHECK(ti && ti->executor && !ti->command);
    if (ti && ti->executor) {
        const kmesos_voter *v0 = kmesos_kafka_voter(&w.k, 0);
        Mesos__V1__CommandInfo *cmd = ti->executor->command;
        CHECK_STR(cmd->value, "./kmesos-executor");
        CHECK_INT(cmd->n_uris, 2);
        CHECK_STR(cmd->uris[0]->value, "http://sched:7000/files/kmesos-executor");
        CHECK(cmd->uris[0]->executable && !cmd->uris[0]->extract);
        CHECK_STR(cmd->uris[1]->value, "http://sched:7000/files/kafka-4.4.0.tgz");
        CHECK(cmd->uris[1]->extract);
        CHECK_STR(kafka_world_env(ti, "KMESOS_TASK_COMMAND"), "exec ./kafka-4.4.0/bin/kafka-broker.sh");
        CHECK_STR(kafka_world_env(ti, "KAFKA_NODE_ID"), "0");
        CHECK_STR(kafka_world_env(ti, "KAFKA_PORT"), "31000");
        CHECK_STR(kafka_world_env(ti, "KMESOS_READY_PORT"), "31000");
        CHECK_STR(kafka_world_env(ti, "KAFKA_CONTROLLER_PORT"), "31009");
        CHECK_STR(kafka_world_env(ti, "KAFKA_HOST"), v0 ? v0->host : "?");
        CHECK_STR(kafka_world_env(ti, "KAFKA_LOG_DIRS"), "/data/broker-0");
        /* a new cluster's quorum is dynamic (KIP-853): the voters'
         * endpoints to bootstrap from, and for a voter's first format the
         * initial voters with their directory ids */
        CHECK(kafka_world_env(ti, "KAFKA_CONTROLLER_QUORUM_VOTERS") == NULL);
        char *boot = kmesos_kafka_voters_text(&w.k, KMESOS_VOTERS_BOOTSTRAP);
        char *init = kmesos_kafka_voters_text(&w.k, KMESOS_VOTERS_INITIAL);
        CHECK(boot && strstr(boot, "h1:31009") && strstr(boot, "h2:31009") && !strchr(boot, '@'));
        CHECK_STR(kafka_world_env(ti, "KAFKA_CONTROLLER_QUORUM_BOOTSTRAP"), boot);
        CHECK_STR(kafka_world_env(ti, "KAFKA_INITIAL_CONTROLLERS"), init);
        CHECK(v0 && v0->dir_id && strlen(v0->dir_id) == 22 && init && strstr(init, v0->dir_id));
        CHECK(kmesos_kafka_quorum_dynamic(&w.k));
        free(boot);
        free(init);
        CHECK_STR(kafka_world_env(ti, "KAFKA_CLUSTER_ID"), w.k.cluster_id);
        CHECK_INT(strlen(w.k.cluster_id), 22);
        CHECK_STR(kafka_world_env(ti, "KAFKA_HEAP"), "256m");
        CHECK_STR(kafka_world_env(ti, "KAFKA_OPTIONS"), "a=1");
        CHECK_STR(kafka_world_env(ti, "KAFKA_PROCESS_ROLES"), "broker,controller");
        CHECK(kafka_world_env(ti, "KAFKA_LIBS") == NULL); /* the script finds ../libs */
        /* resources: cpus, mem, then the two ports */
        CHECK_INT(ti->n_resources, 3);
        CHECK_STR(ti->resources[2]->name, "ports");
        CHECK_INT(ti->resources[2]->ranges->n_range, 2);
    }
    free(voters);
    /* /api/tasks (and `kmesos status`) name each broker task's endpoint */
    json_t *tasks = kmesos_api_tasks_json(&w.s);
    size_t i, with_endpoint = 0;
    json_t *tj;
    json_array_foreach(tasks, i, tj) {
        const char *ep = json_string_value(json_object_get(tj, "endpoint"));
        const char *host = json_string_value(json_object_get(tj, "hostname"));
        char want[64];
        snprintf(want, sizeof want, "%s:31000", host ? host : "?");
        with_endpoint += ep && strcmp(ep, want) == 0;
    }
    CHECK_INT(with_endpoint, 3);
    json_decref(tasks);
    /* a fourth broker added later is a plain broker with the same voters */
    fake_io_reset(&w.f);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=3&cpus=0.5&mem=1024&heap=256"), 200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=3"), 200);
    const char *o4[] = {"o4"};
    feed_offers(&w, o4, KAFKA_WORLD_HOSTS, 1);
    ti = kafka_world_broker_launched(&w, 3);
    CHECK(ti != NULL);
    if (ti) {
        CHECK_STR(kafka_world_env(ti, "KAFKA_PROCESS_ROLES"), "broker");
        CHECK(kafka_world_env(ti, "KAFKA_CONTROLLER_PORT") == NULL);
        CHECK_INT(ti->resources[2]->ranges->n_range, 1);
    }
    kafka_world_teardown(&w);
}

static void test_local_fetch_mode_uses_absolute_paths(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_LOCAL);
    kafka_world_run_brokers(&w, 1, "");
    Mesos__V1__TaskInfo *ti = kafka_world_broker_launched(&w, 0);
    CHECK(ti != NULL);
    if (ti) {
        CHECK_STR(ti->executor->command->value, "'/opt/km/kmesos-executor'");
        CHECK_INT(ti->executor->command->n_uris, 0);
        CHECK_STR(kafka_world_env(ti, "KMESOS_TASK_COMMAND"), "exec '/cache/kafka-4.4.0/bin/kafka-broker.sh'");
        CHECK_STR(kafka_world_env(ti, "KAFKA_LIBS"), "/cache/kafka-4.4.0/libs");
        CHECK_STR(kafka_world_env(ti, "KAFKA_CONTROLLER_QUORUM_BOOTSTRAP"), "h1:31009");
    }
    kafka_world_teardown(&w);
}

static void test_failover_backoff_stickiness_and_deactivation(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_run_brokers(&w, 1, "&failover_delay=1s&failover_max_delay=3s&failover_max_tries=3");
    kmesos_task *t = kafka_world_broker_task(&w, 0);
    CHECK(t && t->phase == KMESOS_PHASE_LAUNCHING);
    kafka_world_feed_update(&w, t->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_STR(kmesos_kafka_broker(&w.k, 0)->node.host, "h1");
    uint64_t delays[] = {1000, 2000};
    for (int i = 0; i < 2; i++) {
        char id[64];
        snprintf(id, sizeof id, "%s", t->id);
        kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FAILED);
        CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
        CHECK_INT(t->next_attempt_ms - w.f.now_ms, delays[i]); /* 1 s, then doubled */
        CHECK_INT(kmesos_kafka_broker(&w.k, 0)->node.failures, i + 1);
        CHECK_STR(kmesos_kafka_broker(&w.k, 0)->node.last_failure,
                  "TASK_FAILED: exited with status 1");
        /* stickiness: it prefers the agent it ran on (known: no host) */
        CHECK(t->workload->n_prefer_agents == 1 &&
              strcmp(t->workload->prefer_agents[0], "agent-h1") == 0);
        CHECK_INT(t->workload->n_prefer_hosts, 0);
        w.f.now_ms += delays[i];
        /* a voter never moves: an offer from another host is declined */
        fake_io_reset(&w.f);
        const char *other[] = {"x", "h2"};
        feed_offers(&w, other, other + 1, 1);
        CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
        CHECK(t->wait_reason && strstr(t->wait_reason, "voter on host h1"));
        const char *mine[] = {i ? "o6" : "o5"};
        feed_offers(&w, mine, KAFKA_WORLD_HOSTS, 1);
        CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    }
    kafka_world_feed_update(&w, t->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FAILED);
    kmesos_broker *b = kmesos_kafka_broker(&w.k, 0);
    CHECK_INT(b->node.active, 0);
    CHECK(b->node.last_failure &&
          strstr(b->node.last_failure, "deactivated after 3 consecutive failures"));
    CHECK_INT(t->phase, KMESOS_PHASE_DONE);
    CHECK_INT(kmesos_tasks_pending(&w.s.tasks), 0);
    /* start again: pending under a fresh id, failures reset */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=0"), 200);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(b->node.failures, 0);
    kafka_world_teardown(&w);
}

/* A dynamic quorum's voter whose agent is gone waits for its host for
 * --kafka-voter-move-after, then moves to a host without a voter, with a
 * new controller port, and formats to join (no initial controllers);
 * another voter's host is never taken. */
static void test_voter_moves_after_its_host_is_gone(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    w.k.voter_move_after_ms = 30000;
    kafka_world_run_brokers(&w, 3, "&failover_delay=1s");
    kmesos_task *t = kafka_world_broker_task(&w, 0);
    for (int i = 0; i < 3; i++)
        kafka_world_feed_update(&w, kafka_world_broker_task(&w, i)->id,
                                i == 0 ? "agent-h1" : i == 1 ? "agent-h2" : "agent-h3",
                                MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK(kmesos_kafka_voter(&w.k, 0)->ran);
    /* the agent is removed: the task is lost with it */
    kmesos_topology_forget(&w.s.topology, "agent-h1");
    char id[64];
    snprintf(id, sizeof id, "%s", t->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_GONE);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    w.f.now_ms += 1000;
    fake_io_reset(&w.f);
    const char *h4[] = {"o41", "h4"}, *h2[] = {"o21", "h2"};
    feed_offers(&w, h4, h4 + 1, 1); /* too early: it waits for its host */
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    CHECK_STR(kmesos_kafka_voter(&w.k, 0)->host, "h1");
    w.f.now_ms += 30000;
    feed_offers(&w, h2, h2 + 1, 1); /* another voter's host: never */
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    CHECK_STR(kmesos_kafka_voter(&w.k, 0)->host, "h1");
    const char *h4b[] = {"o42", "h4"};
    feed_offers(&w, h4b, h4b + 1, 1);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    const kmesos_voter *v0 = kmesos_kafka_voter(&w.k, 0);
    CHECK_STR(v0->host, "h4");
    CHECK_STR(v0->agent_id, "agent-h4");
    CHECK_INT(v0->port, 31009);
    /* the calls were reset before: the one launch of broker 0 is the moved one */
    Mesos__V1__TaskInfo *ti = kafka_world_launched(&w, "broker-0-");
    CHECK(ti != NULL);
    if (ti) {
        CHECK_STR(ti->agent_id->value, "agent-h4");
        CHECK(kafka_world_env(ti, "KAFKA_INITIAL_CONTROLLERS") == NULL);
        CHECK_STR(kafka_world_env(ti, "KAFKA_CONTROLLER_PORT"), "31009");
        const char *boot = kafka_world_env(ti, "KAFKA_CONTROLLER_QUORUM_BOOTSTRAP");
        CHECK(boot && strstr(boot, "h4:31009") && !strstr(boot, "h1:"));
    }
    kafka_world_teardown(&w);
}

/* role=controller: dedicated controllers are the voters (process.roles
 * controller, no client port, ready on the controller port, not in the
 * bootstrap servers); the other nodes are brokers only; a controller
 * with TLS listeners is refused naming role; the role is saved. */
static void test_dedicated_controllers(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "add", "broker=9&role=controller&ssl_port=auto", &body),
              400);
    CHECK_STR(field_of(body), "role");
    json_decref(body);
    CHECK_INT(kafka_world_api(&w, "POST", "add", "broker=9&role=leader", &body), 400);
    CHECK_STR(field_of(body), "role");
    json_decref(body);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add",
                                   "broker=0..2&role=controller&cpus=0.25&mem=512&heap=256"),
              200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=3&cpus=0.5&mem=1024&heap=256"),
              200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=*"), 200);
    const char *ids[] = {"o1", "o2", "o3"};
    kafka_world_feed_offers(&w, ids, KAFKA_WORLD_HOSTS, 3, 2, 4096);
    CHECK_INT(w.k.n_voters, 3);
    for (int i = 0; i < 3; i++)
        CHECK(kmesos_kafka_voter(&w.k, i) != NULL);
    CHECK(kmesos_kafka_voter(&w.k, 3) == NULL);
    Mesos__V1__TaskInfo *c0 = kafka_world_broker_launched(&w, 0);
    Mesos__V1__TaskInfo *b3 = kafka_world_broker_launched(&w, 3);
    CHECK(c0 != NULL && b3 != NULL);
    if (c0 && b3) {
        CHECK_STR(kafka_world_env(c0, "KAFKA_PROCESS_ROLES"), "controller");
        CHECK(kafka_world_env(c0, "KAFKA_PORT") == NULL);
        CHECK(kafka_world_env(c0, "KMESOS_READY_COMMAND") == NULL);
        CHECK_STR(kafka_world_env(c0, "KMESOS_READY_PORT"),
                  kafka_world_env(c0, "KAFKA_CONTROLLER_PORT"));
        CHECK(kafka_world_env(c0, "KAFKA_INITIAL_CONTROLLERS") != NULL);
        CHECK_STR(kafka_world_env(b3, "KAFKA_PROCESS_ROLES"), "broker");
        CHECK(kafka_world_env(b3, "KAFKA_PORT") != NULL);
        CHECK(kafka_world_env(b3, "KAFKA_CONTROLLER_PORT") == NULL);
        CHECK(kafka_world_env(b3, "KAFKA_INITIAL_CONTROLLERS") == NULL);
    }
    for (int i = 0; i < 4; i++) {
        char agent[16];
        const kmesos_task *t = kafka_world_broker_task(&w, i);
        snprintf(agent, sizeof agent, "agent-%s", t && t->hostname ? t->hostname : "?");
        if (t)
            kafka_world_feed_update(&w, t->id, agent, MESOS__V1__TASK_STATE__TASK_RUNNING);
    }
    char *boot = kmesos_kafka_bootstrap(&w.k);
    CHECK(boot && !strchr(boot, ',')); /* broker 3 alone: controllers serve no clients */
    free(boot);
    CHECK_INT(kafka_world_api(&w, "GET", "list", "broker=0", &body), 200);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(body, "brokers"), 0),
                                                "role")),
              "controller");
    json_decref(body);
    /* a controller added after formation is not a voter: it waits */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=4&role=controller"), 200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=4"), 200);
    const char *more[] = {"o9"};
    kafka_world_feed_offers(&w, more, KAFKA_WORLD_HOSTS, 1, 2, 4096);
    const kmesos_task *t4 = kafka_world_broker_task(&w, 4);
    CHECK(t4 && t4->phase == KMESOS_PHASE_PENDING && t4->wait_reason &&
          strstr(t4->wait_reason, "dedicated controller but not a voter"));
    kafka_world_teardown(&w);
}

static void test_stop_kills_and_rolling_restart_goes_one_by_one(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_run_brokers(&w, 2, "");
    for (int i = 0; i < 2; i++)
        kafka_world_feed_update(&w, kafka_world_broker_task(&w, i)->id, i ? "agent-h2" : "agent-h1",
                    MESOS__V1__TASK_STATE__TASK_RUNNING);
    fake_io_reset(&w.f);
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "restart", "broker=*", &body), 202);
    CHECK_INT(json_array_size(json_object_get(body, "restarting")), 2);
    json_decref(body);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1); /* broker 0 only */
    kmesos_task *t0 = kafka_world_broker_task(&w, 0);
    char old[64];
    snprintf(old, sizeof old, "%s", t0->id);
    kafka_world_feed_update(&w, old, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(t0->phase, KMESOS_PHASE_PENDING);         /* relaunched at once ... */
    CHECK_INT(t0->next_attempt_ms, w.f.now_ms);
    CHECK_INT(kmesos_kafka_broker(&w.k, 0)->node.failures, 0); /* ... and not a failure */
    kmesos_kafka_tick(&w.k);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1); /* 1 waits */
    const char *o[] = {"o9"};
    feed_offers(&w, o, KAFKA_WORLD_HOSTS, 1);
    fake_io_reset(&w.f);
    kafka_world_feed_update(&w, t0->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1); /* now broker 1 */
    kmesos_call *kill = w.f.calls[w.f.n - 1];
    CHECK(kill->type == MESOS__V1__SCHEDULER__CALL__TYPE__KILL &&
          strcmp(kill->kill->task_id->value, kafka_world_broker_task(&w, 1)->id) == 0);
    /* stop: KILL and no relaunch after TASK_KILLED */
    fake_io_reset(&w.f);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "stop", "broker=0"), 200);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1);
    kafka_world_feed_update(&w, t0->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(t0->phase, KMESOS_PHASE_STOPPED);
    CHECK_INT(kmesos_kafka_broker(&w.k, 0)->node.active, 0);
    /* a voter cannot be removed */
    CHECK_INT(kafka_world_api(&w, "POST", "remove", "broker=0", &body), 400);
    CHECK(strstr(json_string_value(json_object_get(body, "error")), "voter") != NULL);
    json_decref(body);
    kafka_world_teardown(&w);
}

static void test_tasks_kill_is_a_task_loss_and_does_not_wedge_a_restart(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_run_brokers(&w, 2, "&failover_delay=2s&failover_max_delay=4s&failover_max_tries=5");
    for (int i = 0; i < 2; i++)
        kafka_world_feed_update(&w, kafka_world_broker_task(&w, i)->id, i ? "agent-h2" : "agent-h1",
                    MESOS__V1__TASK_STATE__TASK_RUNNING);
    /* a plain kill of broker 1: KILL sent, the broker stays active, the
     * answer says how to keep it down */
    fake_io_reset(&w.f);
    kmesos_task *t1 = kafka_world_broker_task(&w, 1);
    json_t *body = NULL;
    CHECK_INT(kmesos_kafka_api_kill(&w.k, t1, &body), 202);
    CHECK_STR(json_string_value(json_object_get(body, "workload")), "broker 1");
    CHECK_STR(json_string_value(json_object_get(body, "relaunch_in")), "2s");
    CHECK(strstr(json_string_value(json_object_get(body, "note")), "kmesos broker stop 1") != NULL);
    json_decref(body);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1);
    char id[64];
    snprintf(id, sizeof id, "%s", t1->id);
    kafka_world_feed_update(&w, id, "agent-h2", MESOS__V1__TASK_STATE__TASK_KILLED);
    kmesos_broker *b1 = kmesos_kafka_broker(&w.k, 1);
    CHECK_INT(b1->node.active, 1);
    CHECK_INT(b1->node.failures, 1); /* a task loss counts */
    CHECK(b1->node.last_failure && strncmp(b1->node.last_failure, "TASK_KILLED", 11) == 0);
    CHECK_INT(t1->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(t1->next_attempt_ms - w.f.now_ms, 2000); /* after the failover delay */
    /* nothing to kill in a pending slot: 409 */
    CHECK_INT(kmesos_kafka_api_kill(&w.k, t1, &body), 409);
    CHECK_STR(field_of(body), "id");
    json_decref(body);
    CHECK_INT(t1->phase, KMESOS_PHASE_PENDING);
    w.f.now_ms += 2000;
    const char *o1[] = {"o7"};
    feed_offers(&w, o1, KAFKA_WORLD_HOSTS + 1, 1);
    kafka_world_feed_update(&w, t1->id, "agent-h2", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(b1->node.failures, 0);
    /* a rolling restart; the operator kills broker 0's new task while it
     * launches: failover relaunches it and the restart goes on afterwards */
    fake_io_reset(&w.f);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "restart", "broker=*"), 202);
    kmesos_task *t0 = kafka_world_broker_task(&w, 0);
    snprintf(id, sizeof id, "%s", t0->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    const char *o2[] = {"o8"};
    feed_offers(&w, o2, KAFKA_WORLD_HOSTS, 1);
    CHECK_INT(t0->phase, KMESOS_PHASE_LAUNCHING);
    CHECK_INT(kmesos_kafka_api_kill(&w.k, t0, &body), 202);
    json_decref(body);
    snprintf(id, sizeof id, "%s", t0->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(t0->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(kmesos_kafka_broker(&w.k, 0)->node.failures, 1);
    CHECK_INT(w.k.restart_current, 0); /* still broker 0's turn */
    w.f.now_ms += 2000;
    const char *o3[] = {"o9"};
    feed_offers(&w, o3, KAFKA_WORLD_HOSTS, 1);
    fake_io_reset(&w.f);
    kafka_world_feed_update(&w, t0->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1); /* broker 1 next */
    CHECK_INT(w.k.restart_current, 1);
    kafka_world_teardown(&w);
}

static void test_state_round_trip_with_brokers(void)
{
    char path[] = "/tmp/kmesos-broker-state-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    world a, b;
    kmesos_state_doc da, db;
    char err[512];
    kafka_world_setup(&a, KMESOS_FETCH_URI);
    kafka_world_doc(&a, &da);
    kafka_world_run_brokers(&a, 2, "&port=31005&constraints=hostname=unique&options=x=1");
    CHECK_INT(kafka_world_api_drop(&a, "POST", "add", "broker=7&cpus=0.5&mem=1024&heap=256"), 200);
    kafka_world_feed_update(&a, kafka_world_broker_task(&a, 0)->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    char t0[64];
    snprintf(t0, sizeof t0, "%s", kafka_world_broker_task(&a, 0)->id);
    CHECK_INT(kmesos_state_save(path, &da, err, sizeof err), 0);

    kafka_world_setup(&b, KMESOS_FETCH_URI);
    kafka_world_doc(&b, &db);
    CHECK(strcmp(a.k.cluster_id, b.k.cluster_id) != 0); /* a fresh one first ... */
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), 0);
    CHECK_STR(b.k.cluster_id, a.k.cluster_id);             /* ... then the saved one */
    /* save -> load -> save gives the same document */
    char *text_a = kmesos_state_dump(&da), *text_b = kmesos_state_dump(&db);
    CHECK(text_a && text_b && strstr(text_a, "\"kafka\""));
    if (text_a && text_b)
        CHECK_STR(text_b, text_a);
    free(text_a);
    free(text_b);
    CHECK_INT(kmesos_kafka_count(&b.k, KMESOS_KAFKA_BROKER), 3);
    CHECK_INT(b.k.n_voters, 2);
    char *va = kmesos_kafka_voters_text(&a.k, KMESOS_VOTERS_INITIAL),
         *vb = kmesos_kafka_voters_text(&b.k, KMESOS_VOTERS_INITIAL);
    CHECK(kmesos_kafka_quorum_dynamic(&b.k));
    CHECK(kmesos_kafka_voter(&b.k, 0)->ran && !kmesos_kafka_voter(&b.k, 1)->ran);
    CHECK_STR(vb, va);
    free(va);
    free(vb);
    kmesos_broker *b0 = kmesos_kafka_broker(&b.k, 0);
    CHECK(b0 && b0->node.active && b0->set.port == 31005 && b0->client_port == 31005 &&
          b0->set.heap == 256);
    CHECK_STR(b0->set.constraints, "hostname=unique");
    CHECK_STR(b0->set.options, "x=1");
    CHECK_STR(b0->node.host, "h1");
    CHECK(!kmesos_kafka_broker(&b.k, 7)->node.active);
    kmesos_task *r = kmesos_tasks_find(&b.s.tasks, t0);
    CHECK(r && r->phase == KMESOS_PHASE_LAUNCHING && r->workload->ext == b0);
    CHECK_INT(kmesos_scheduler_fill_slots(&b.s), 0);
    CHECK_INT(b.s.tasks.count, 2); /* brokers 0 and 1; 7 is not active */
    /* a later launch never reuses a saved task id */
    CHECK(b.s.tasks.seq >= 2);
    kafka_world_teardown(&b);

    /* a corrupt kafka section stops the load and names it */
    FILE *f = fopen(path, "w");
    fputs("{\"version\":1,\"tasks\":[],\"kafka\":{\"cluster_id\":\"short\",\"voters\":[],"
          "\"brokers\":[]}}", f);
    fclose(f);
    kafka_world_setup(&b, KMESOS_FETCH_URI);
    kafka_world_doc(&b, &db);
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), -1);
    CHECK(strstr(err, "kafka") && strstr(err, "never overwritten"));
    kafka_world_teardown(&b);
    kafka_world_teardown(&a);
    unlink(path);
}

static kmesos_workload *command_workload(const char *spec)
{
    kmesos_workload *wl = calloc(1, sizeof *wl);
    char err[128];
    CHECK_INT(kmesos_workload_parse(spec, wl, err, sizeof err), 0);
    return wl;
}

static void test_workloads_at_runtime(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    CHECK_INT(kmesos_scheduler_add_workload(&w.s, command_workload("name=web cmd=true instances=2")), 0);
    CHECK_INT(w.s.tasks.count, 2);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 1);
    /* a second workload of that name is refused (and freed) */
    CHECK_INT(kmesos_scheduler_add_workload(&w.s, command_workload("name=web cmd=false")), -1);
    const char *ids[] = {"o1"};
    feed_offers(&w, ids, KAFKA_WORLD_HOSTS, 1);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    /* replace with one instance: tasks follow the new object, the surplus
     * running one is stopped and killed */
    const kmesos_workload *old = kmesos_scheduler_workload(&w.s, "web");
    uint64_t old_gen = old->generation;
    fake_io_reset(&w.f);
    kmesos_workload *nw = command_workload("name=web cmd=true instances=1 cpus=0.2");
    CHECK_INT(kmesos_scheduler_replace_workload(&w.s, nw), 0);
    CHECK(kmesos_scheduler_workload(&w.s, "web") == nw && nw != old);
    CHECK(nw->generation > old_gen); /* a new object, whatever its address */
    size_t stopped = 0;
    for (kmesos_task *t = w.s.tasks.by_id; t; t = t->hh.next) {
        CHECK(t->workload == nw);
        stopped += t->phase == KMESOS_PHASE_STOPPED;
    }
    CHECK_INT(stopped, 1);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1);
    /* remove: running slots are killed, every slot and the object go */
    fake_io_reset(&w.f);
    CHECK_INT(kmesos_scheduler_remove_workload(&w.s, "web"), 0);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1);
    CHECK_INT(w.s.tasks.count, 0);
    CHECK(kmesos_scheduler_workload(&w.s, "web") == NULL);
    CHECK_INT(kmesos_scheduler_remove_workload(&w.s, "web"), -1);
    kafka_world_teardown(&w);
}

static void test_cluster_ids(void)
{
    char id[23];
    for (int i = 0; i < 200; i++) {
        CHECK_INT(kmesos_kafka_new_cluster_id(id), 0);
        CHECK_INT(strlen(id), 22);
        CHECK(id[0] != '-' && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_") == 22);
    }
}

/* A fixed port no agent has offered is refused (400 naming port, the
 * ranges seen in the message); before any offer nothing is known. The
 * seen ranges merge across offers. */
static void test_port_the_agents_cannot_offer(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=0&port=80"), 200); /* nothing known yet */
    const char *ids[] = {"o1"};
    feed_offers(&w, ids, KAFKA_WORLD_HOSTS, 1);
    Mesos__V1__Offer *more = offer("o2", "h2", 31010, 31020);
    kmesos_offers_add(&w.s.offers, more, 0);
    kmesos_pb_free(more);
    char text[64];
    kmesos_offers_seen_ports_text(&w.s.offers, text, sizeof text);
    CHECK_STR(text, "31000-31020");
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "add", "broker=1&port=8080", &body), 400);
    CHECK_STR(field_of(body), "port");
    const char *msg = json_string_value(json_object_get(body, "error"));
    CHECK(msg && strstr(msg, "8080 is in no port range the agents have offered (31000-31020)"));
    json_decref(body);
    CHECK(kmesos_kafka_broker(&w.k, 1) == NULL); /* state unchanged */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "update", "broker=0&port=9999"), 400);
    CHECK_INT(kmesos_kafka_broker(&w.k, 0)->set.port, 80);
    /* a port offered passes; another setting of broker 0 is not held
     * back by its old port */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=1&port=31015"), 200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "update", "broker=0&cpus=0.5"), 200);
    kafka_world_teardown(&w);
}

/* A spy between the scheduler and the Kafka hooks: it records whether
 * the on_update hook touched the scheduler (a workload put, a call sent)
 * before it returned. Such changes belong after the event (settle). */
typedef struct hook_spy {
    kmesos_scheduler_ext inner;
    kafka_world *w;
    int updates, reentered;
} hook_spy;

static void spy_gate(void *arg, const kmesos_task *t, const kmesos_offer *o,
                     const kmesos_port_cursor *pc, kmesos_verdict *v)
{
    hook_spy *sp = arg;
    sp->inner.gate(sp->inner.arg, t, o, pc, v);
}

static Mesos__V1__TaskInfo *spy_task_info(void *arg, const kmesos_task *t, const kmesos_offer *o,
                                          kmesos_port_cursor *pc)
{
    hook_spy *sp = arg;
    return sp->inner.task_info(sp->inner.arg, t, o, pc);
}

static void spy_on_update(void *arg, kmesos_task *t, int state, const char *message,
                          kmesos_update_result r)
{
    hook_spy *sp = arg;
    uint64_t gen = sp->w->s.workload_gen;
    size_t sent = sp->w->f.n;
    sp->inner.on_update(sp->inner.arg, t, state, message, r);
    sp->updates++;
    sp->reentered += sp->w->s.workload_gen != gen || sp->w->f.n != sent;
}

static int spy_endpoint(void *arg, const kmesos_task *t, char *buf, size_t n)
{
    hook_spy *sp = arg;
    return sp->inner.endpoint(sp->inner.arg, t, buf, n);
}

static void spy_settle(void *arg)
{
    hook_spy *sp = arg;
    sp->inner.settle(sp->inner.arg);
}

static void test_updates_never_reenter_the_scheduler(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    hook_spy sp = {w.s.ext, &w, 0, 0};
    CHECK(sp.inner.settle != NULL);
    w.s.ext = (kmesos_scheduler_ext){&sp,         spy_gate, spy_task_info, spy_on_update,
                                     spy_endpoint, spy_settle, NULL, NULL, NULL, NULL};
    kafka_world_run_brokers(&w, 2, "&failover_delay=1s");
    for (int i = 0; i < 2; i++)
        kafka_world_feed_update(&w, kafka_world_broker_task(&w, i)->id, i ? "agent-h2" : "agent-h1",
                                MESOS__V1__TASK_STATE__TASK_RUNNING);
    /* a failure: the workload is rebuilt (stickiness), after the event */
    uint64_t gen = w.s.workload_gen;
    char id[64];
    snprintf(id, sizeof id, "%s", kafka_world_broker_task(&w, 1)->id);
    kafka_world_feed_update(&w, id, "agent-h2", MESOS__V1__TASK_STATE__TASK_FAILED);
    CHECK(w.s.workload_gen > gen);
    CHECK_INT(kafka_world_broker_task(&w, 1)->workload->n_prefer_agents, 1);
    if (kafka_world_broker_task(&w, 1)->workload->n_prefer_agents)
        CHECK_STR(kafka_world_broker_task(&w, 1)->workload->prefer_agents[0], "agent-h2");
    /* a rolling restart: broker 0 back RUNNING -> broker 1's KILL, after the event */
    w.f.now_ms += 1000;
    const char *o[] = {"o8"}, *h[] = {"h2"};
    feed_offers(&w, o, h, 1);
    kafka_world_feed_update(&w, kafka_world_broker_task(&w, 1)->id, "agent-h2",
                            MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "restart", "broker=*"), 202);
    snprintf(id, sizeof id, "%s", kafka_world_broker_task(&w, 0)->id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_KILLED);
    const char *o2[] = {"o9"};
    feed_offers(&w, o2, KAFKA_WORLD_HOSTS, 1);
    fake_io_reset(&w.f);
    kafka_world_feed_update(&w, kafka_world_broker_task(&w, 0)->id, "agent-h1",
                            MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 1);
    CHECK_INT(w.k.restart_current, 1);
    CHECK(sp.updates >= 6);
    CHECK_INT(sp.reentered, 0);
    kafka_world_teardown(&w);
}

int main(void)
{
    RUN_TEST(test_id_expressions);
    RUN_TEST(test_parameters_are_validated);
    RUN_TEST(test_rest_contract);
    RUN_TEST(test_clone);
    RUN_TEST(test_quorum_forms_with_all_voters_and_task_info);
    RUN_TEST(test_local_fetch_mode_uses_absolute_paths);
    RUN_TEST(test_failover_backoff_stickiness_and_deactivation);
    RUN_TEST(test_voter_moves_after_its_host_is_gone);
    RUN_TEST(test_dedicated_controllers);
    RUN_TEST(test_stop_kills_and_rolling_restart_goes_one_by_one);
    RUN_TEST(test_tasks_kill_is_a_task_loss_and_does_not_wedge_a_restart);
    RUN_TEST(test_updates_never_reenter_the_scheduler);
    RUN_TEST(test_state_round_trip_with_brokers);
    RUN_TEST(test_workloads_at_runtime);
    RUN_TEST(test_cluster_ids);
    RUN_TEST(test_port_the_agents_cannot_offer);
    return testlib_finish();
}
