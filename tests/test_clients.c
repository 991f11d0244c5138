/* Tests of producers and consumers (client.h, kafka_clients.h,
 * client_api.h) with a fake io: settings and option validation (400
 * naming the field, nothing changed), the REST contract on plain
 * parameter lists, the perf tool's command line, waiting while no broker
 * runs, the TaskInfo (executor, URIs, KAFKA_BOOTSTRAP_SERVERS,
 * KAFKA_TOPIC, KMESOS_TASK_COMMAND), task.prefer.hosts = the RUNNING
 * brokers' hosts, the restart rule (exit 0 done, failure relaunched
 * after the failover backoff), and the state round trip. */
#include <stdlib.h>
#include <unistd.h>

#include "codec/protocol.h"
#include "sched/broker_api.h"
#include "sched/client_api.h"
#include "sched/kafka.h"
#include "sched/kafka_clients.h"
#include "sched/pbuild.h"
#include "testlib.h"

typedef struct fake {
    uint64_t now_ms;
    kmesos_call *calls[256];
    size_t n;
} fake;

static int fake_send(void *arg, kmesos_call *call)
{
    fake *f = arg;
    kmesos_buf b;
    kmesos_buf_init(&b);
    kmesos_protocol_encode(&call->base, KMESOS_CT_PROTOBUF, &b);
    if (f->n < 256)
        f->calls[f->n++] = (kmesos_call *)kmesos_protocol_decode(
            &mesos__v1__scheduler__call__descriptor, KMESOS_CT_PROTOBUF, b.data, b.len, NULL, 0);
    kmesos_buf_free(&b);
    return 0;
}
static uint64_t fake_now_ms(void *arg) { return ((fake *)arg)->now_ms; }
static double fake_now_s(void *arg) { return (double)((fake *)arg)->now_ms / 1000.0; }

static void reset_calls(fake *f)
{
    for (size_t i = 0; i < f->n; i++)
        kmesos_pb_free(f->calls[i]);
    f->n = 0;
}

typedef struct world {
    fake f;
    kmesos_scheduler s;
    kmesos_kafka k;
} world;

static void setup(world *w)
{
    memset(w, 0, sizeof *w);
    w->f.now_ms = 1000000;
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = {&w->f, fake_send, fake_now_ms, fake_now_s, NULL};
    kmesos_scheduler_init(&w->s, &cfg, &io, NULL, 0);
    kmesos_kafka_config kc = {.executor = "/opt/km/kmesos-executor",
                              .dist = "/cache/kafka-4.4.0.tgz", .fetch = KMESOS_FETCH_URI,
                              .files_url = "http://sched:7000", .data_root = "/data"};
    char err[256];
    CHECK_INT(kmesos_kafka_init(&w->k, &w->s, &kc, err, sizeof err), 0);
    kmesos_scheduler_on_subscribed(&w->s, "fw-1");
    reset_calls(&w->f);
}

static void teardown(world *w)
{
    reset_calls(&w->f);
    kmesos_scheduler_free(&w->s);
    kmesos_kafka_free(&w->k);
}

static unsigned run(world *w, const char *kind, const char *method, const char *cmd,
                    const char *form, json_t **body)
{
    kmesos_broker_api_params p = {0};
    CHECK_INT(kmesos_broker_api_parse_form(&p, form, strlen(form)), 0);
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

static Mesos__V1__Offer *offer(const char *id, const char *host, uint64_t lo, uint64_t hi)
{
    char agent[32];
    snprintf(agent, sizeof agent, "agent-%s", host);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw-1");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    o->hostname = strdup(host);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("cpus", 4, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("mem", 8192, "*"));
    Mesos__V1__Resource *r = kmesos_pb_new(&mesos__v1__resource__descriptor);
    r->name = strdup("ports");
    r->type = MESOS__V1__VALUE__TYPE__RANGES;
    r->ranges = kmesos_pb_new(&mesos__v1__value__ranges__descriptor);
    Mesos__V1__Value__Range *range = kmesos_pb_new(&mesos__v1__value__range__descriptor);
    range->begin = lo;
    range->end = hi;
    kmesos_pb_push((void ***)&r->ranges->range, &r->ranges->n_range, range);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, r);
    return o;
}

static void feed_offer(world *w, const char *id, const char *host)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers,
                   offer(id, host, 31000, 31009));
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

static void feed_update(world *w, const char *task_id, const char *agent, int state)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE;
    ev->update = kmesos_pb_new(&mesos__v1__scheduler__event__update__descriptor);
    Mesos__V1__TaskStatus *st = kmesos_pb_new(&mesos__v1__task_status__descriptor);
    st->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task_id);
    st->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    st->state = state;
    st->message = strdup(state == MESOS__V1__TASK_STATE__TASK_FAILED ? "exited with status 1" : "");
    ev->update->status = st;
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

/* The TaskInfo launched with a task id starting with prefix. */
static Mesos__V1__TaskInfo *launched(world *w, const char *prefix)
{
    for (size_t i = 0; i < w->f.n; i++) {
        kmesos_call *c = w->f.calls[i];
        if (c->type != MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
            continue;
        Mesos__V1__Offer__Operation__Launch *l = c->accept->operations[0]->launch;
        for (size_t k = 0; k < l->n_task_infos; k++)
            if (strncmp(l->task_infos[k]->task_id->value, prefix, strlen(prefix)) == 0)
                return l->task_infos[k];
    }
    return NULL;
}

static const char *env_of(const Mesos__V1__TaskInfo *ti, const char *name)
{
    const Mesos__V1__Environment *env = ti->executor->command->environment;
    for (size_t i = 0; i < env->n_variables; i++)
        if (strcmp(env->variables[i]->name, name) == 0)
            return env->variables[i]->value;
    return NULL;
}

/* One broker (a 1-voter quorum) RUNNING on h1. */
static void run_one_broker(world *w)
{
    CHECK_INT(run_drop(w, "broker", "add", "broker=0&cpus=0.5&mem=1024&heap=256"), 200);
    CHECK_INT(run_drop(w, "broker", "start", "broker=0"), 200);
    feed_offer(w, "ob", "h1");
    Mesos__V1__TaskInfo *ti = launched(w, "broker-0-");
    CHECK(ti != NULL);
    if (ti)
        feed_update(w, ti->task_id->value, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    reset_calls(&w->f);
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
    CHECK_INT(kmesos_client_param_set(&s, "heap", "1", err, sizeof err), -1);
    CHECK_STR(err, "unknown parameter 'heap'");
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
    setup(&w);
    json_t *body = NULL;
    check_bad(&w, "producer", "add", "producer=0", "topic", "topic: required");
    check_bad(&w, "producer", "add", "producer=0&topic=t&options=colour=red", "options",
              "unknown producer option 'colour'");
    check_bad(&w, "consumer", "add", "consumer=0&topic=t&heap=1", "heap", NULL);
    check_bad(&w, "producer", "add", "producer=0..x&topic=t", "producer", "producer: bad range");
    check_bad(&w, "producer", "add", "producer=*&topic=t", "producer", NULL);
    check_bad(&w, "producer", "start", "producer=3", "producer", "unknown producer id 3");
    check_bad(&w, "consumer", "list", "consumer=1", "consumer", "unknown consumer id 1");
    check_bad(&w, "producer", "start", "producer=0&topic=t", "topic", "unknown parameter");
    CHECK_INT(w.k.n_clients, 0);
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
    CHECK_INT(w.k.n_clients, 1);
    CHECK(kmesos_scheduler_workload(&w.s, "producer-1") == NULL);
    teardown(&w);
}

static void test_waits_for_a_broker_then_launches_near_it(void)
{
    world w;
    setup(&w);
    CHECK_INT(run_drop(&w, "producer", "add", "producer=0&topic=t&options=num-records=5"), 200);
    CHECK_INT(run_drop(&w, "producer", "start", "producer=0"), 200);
    feed_offer(&w, "o1", "h2");
    kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_PRODUCER, 0);
    kmesos_task *t = kmesos_kafka_client_task(&w.k, c);
    CHECK(t && t->phase == KMESOS_PHASE_PENDING);
    CHECK(t && t->wait_reason && strstr(t->wait_reason, "waiting for a RUNNING broker"));
    CHECK(launched(&w, "producer-0-") == NULL);
    kmesos_scheduler_release_offers(&w.s);
    run_one_broker(&w);
    kmesos_kafka_tick(&w.k); /* the pending producer now prefers h1 */
    t = kmesos_kafka_client_task(&w.k, c);
    CHECK_INT(t->workload->n_prefer_hosts, 1);
    CHECK_STR(t->workload->prefer_hosts[0], "h1");
    CHECK_STR(t->workload->kind, "producer");
    feed_offer(&w, "o2", "h1");
    Mesos__V1__TaskInfo *ti = launched(&w, "producer-0-");
    CHECK(ti != NULL);
    if (!ti) {
        teardown(&w);
        return;
    }
    CHECK(ti->command == NULL && ti->executor != NULL);
    CHECK_STR(ti->executor->command->value, "./kmesos-executor");
    CHECK_INT(ti->executor->command->n_uris, 2);
    CHECK_STR(ti->executor->command->uris[1]->value, "http://sched:7000/files/kafka-4.4.0.tgz");
    char boot[64];
    snprintf(boot, sizeof boot, "h1:%d", kmesos_kafka_broker(&w.k, 0)->client_port);
    CHECK_STR(env_of(ti, "KAFKA_BOOTSTRAP_SERVERS"), boot);
    CHECK_STR(env_of(ti, "KAFKA_TOPIC"), "t");
    CHECK_STR(env_of(ti, "KAFKA_HEAP"), "256m");
    CHECK_STR(env_of(ti, "KMESOS_TASK_COMMAND"),
              "./kafka-4.4.0/bin/kafka-client.sh producer --topic 't' --num-records '5' "
              "--record-size '100' --throughput '-1'");
    CHECK(env_of(ti, "KMESOS_READY_PORT") == NULL);
    CHECK(env_of(ti, "KAFKA_LIBS") == NULL); /* uri mode: libs next to bin */
    /* exit 0: done, not relaunched */
    char id[128];
    snprintf(id, sizeof id, "%s", ti->task_id->value);
    feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_STR(c->host, "h1");
    feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FINISHED);
    t = kmesos_kafka_client_task(&w.k, c);
    CHECK_INT(t->phase, KMESOS_PHASE_DONE);
    CHECK(c->last_failure == NULL);
    /* start again: runs once more */
    CHECK_INT(run_drop(&w, "producer", "start", "producer=0"), 200);
    CHECK_INT(kmesos_kafka_client_task(&w.k, c)->phase, KMESOS_PHASE_PENDING);
    teardown(&w);
}

static void test_failure_relaunches_after_backoff(void)
{
    world w;
    setup(&w);
    run_one_broker(&w);
    CHECK_INT(run_drop(&w, "consumer", "add", "consumer=0&topic=t&command=my-tool"), 200);
    CHECK_INT(run_drop(&w, "consumer", "start", "consumer=0"), 200);
    feed_offer(&w, "o1", "h1");
    Mesos__V1__TaskInfo *ti = launched(&w, "consumer-0-");
    CHECK(ti != NULL);
    if (!ti) {
        teardown(&w);
        return;
    }
    CHECK_STR(env_of(ti, "KMESOS_TASK_COMMAND"), "my-tool");
    CHECK_STR(env_of(ti, "KAFKA_CLIENT"), "./kafka-4.4.0/bin/kafka-client.sh");
    char id[128];
    snprintf(id, sizeof id, "%s", ti->task_id->value);
    feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FAILED);
    kmesos_client *c = kmesos_kafka_client(&w.k, KMESOS_CLIENT_CONSUMER, 0);
    kmesos_task *t = kmesos_kafka_client_task(&w.k, c);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(c->failures, 1);
    CHECK_STR(c->last_failure, "TASK_FAILED: exited with status 1");
    CHECK(t->next_attempt_ms == w.f.now_ms + 60000); /* the broker failover default */
    teardown(&w);
}

static void test_state_round_trip(void)
{
    world w;
    setup(&w);
    CHECK_INT(run_drop(&w, "producer", "add", "producer=2&topic=t&options=acks=all&cpus=0.25"),
              200);
    CHECK_INT(run_drop(&w, "consumer", "add", "consumer=0&topic=u&command=x"), 200);
    CHECK_INT(run_drop(&w, "consumer", "start", "consumer=0"), 200);
    json_t *j = kmesos_kafka_state_json(&w.k);
    CHECK_INT(json_array_size(json_object_get(j, "clients")), 2);
    world v;
    setup(&v);
    char err[256];
    CHECK_INT(kmesos_kafka_state_load(&v.k, j, err, sizeof err), 0);
    CHECK_INT(v.k.n_clients, 2);
    kmesos_client *p = kmesos_kafka_client(&v.k, KMESOS_CLIENT_PRODUCER, 2);
    kmesos_client *c = kmesos_kafka_client(&v.k, KMESOS_CLIENT_CONSUMER, 0);
    CHECK(p && p->set.cpus == 0.25 && !p->active);
    CHECK(p && strcmp(p->set.options, "acks=all") == 0);
    CHECK(c && c->active && strcmp(c->set.command, "x") == 0);
    CHECK(kmesos_scheduler_workload(&v.s, "consumer-0") != NULL);
    json_decref(j);
    /* an old state without clients still loads */
    json_t *old = json_pack("{s:s, s:[], s:[]}", "cluster_id", "AAAAAAAAAAAAAAAAAAAAAA", "voters",
                            "brokers");
    world u;
    setup(&u);
    CHECK_INT(kmesos_kafka_state_load(&u.k, old, err, sizeof err), 0);
    CHECK_INT(u.k.n_clients, 0);
    json_decref(old);
    teardown(&u);
    teardown(&v);
    teardown(&w);
}

int main(void)
{
    RUN_TEST(test_settings_and_options);
    RUN_TEST(test_tool_args);
    RUN_TEST(test_rest_contract);
    RUN_TEST(test_waits_for_a_broker_then_launches_near_it);
    RUN_TEST(test_failure_relaunches_after_backoff);
    RUN_TEST(test_state_round_trip);
    return testlib_finish();
}
