/* Tests of the topic commands' side that needs no Kafka (docs/api.md
 * "Topics"): every bad parameter is refused with 400 naming its field
 * before Kafka is asked, a replication factor above the running brokers
 * too, and a good request with no broker running is 503; and the JSON of
 * librdkafka metadata built by hand (sorted topics, under-replicated and
 * offline partitions, the summary for metrics, the "settled" test after a
 * change), Kafka's errors as HTTP statuses and the merge of configs for
 * AlterConfigs; the asynchronous path against a closed port, and an
 * admin freed while a request is under way. The calls to Kafka are
 * tested end to end
 * (tests/e2e/kafka_topics.sh). */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sched/api/topic_api.h"
#include "sched/kafka/admin.h"
#include "kafka_world.h"
#include "testlib.h"

typedef struct answer {
    int calls;
    unsigned status;
    json_t *body;
} answer;

static void on_answer(void *arg, unsigned status, json_t *body)
{
    answer *a = arg;
    a->calls++;
    a->status = status;
    a->body = body;
}

/* Runs cmd with form on a world without running brokers; the answer must
 * come at once. */
static void run(kafka_world *w, kmesos_kadmin *ka, const char *method, const char *cmd,
                const char *form, answer *a)
{
    kmesos_broker_api_params p = {0};
    CHECK_INT(kmesos_broker_api_parse_form(&p, form, strlen(form), &(kmesos_api_param_error){0}),
              0);
    a->calls = 0;
    a->body = NULL;
    kmesos_topic_api_run(ka, &w->k, method, cmd, &p, on_answer, a);
    kmesos_broker_api_params_free(&p);
    CHECK_INT(a->calls, 1);
}

static void refused(kafka_world *w, kmesos_kadmin *ka, const char *cmd, const char *form,
                    unsigned status, const char *field)
{
    answer a = {0};
    run(w, ka, "POST", cmd, form, &a);
    CHECK_INT(a.status, status);
    const char *f = json_string_value(json_object_get(a.body, "field"));
    if (field)
        CHECK_STR(f ? f : "(none)", field);
    CHECK(json_string_value(json_object_get(a.body, "error")) != NULL);
    json_decref(a.body);
}

static void test_topic_bad_input(void)
{
    kafka_world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    uv_loop_t loop;
    uv_loop_init(&loop);
    kmesos_kadmin *ka = kmesos_kadmin_new(&loop);
    refused(&w, ka, "frobnicate", "topic=t", 404, NULL);
    answer a = {0};
    run(&w, ka, "GET", "add", "topic=t", &a);
    CHECK_INT(a.status, 405);
    json_decref(a.body);
    refused(&w, ka, "add", "partitions=1", 400, "topic");
    refused(&w, ka, "add", "topic=a%20b", 400, "topic");
    refused(&w, ka, "add", "topic=..", 400, "topic");
    refused(&w, ka, "add", "topic=t&partitions=0", 400, "partitions");
    refused(&w, ka, "add", "topic=t&partitions=1.5", 400, "partitions");
    refused(&w, ka, "add", "topic=t&partitions=1000001", 400, "partitions");
    refused(&w, ka, "add", "topic=t&replication_factor=-1", 400, "replication_factor");
    /* no broker runs: a factor of 1 is already too many */
    refused(&w, ka, "add", "topic=t&replication_factor=1", 400, "replication_factor");
    refused(&w, ka, "add", "topic=t&colour=red", 400, "colour");
    refused(&w, ka, "add", "topic=t&options=oops", 400, "options");
    refused(&w, ka, "add", "topic=t&options=%3Dx", 400, "options");
    refused(&w, ka, "update", "topic=t&replication_factor=2", 400, "replication_factor");
    refused(&w, ka, "update", "topic=t", 400, "options");
    refused(&w, ka, "delete", "topic=t&partitions=2", 400, "partitions");
    refused(&w, ka, "delete", "", 400, "topic");
    /* good requests reach the admin client: no broker, 503 */
    refused(&w, ka, "add", "topic=t&partitions=3&options=cleanup.policy%3Dcompact,delete", 503,
            NULL);
    run(&w, ka, "GET", "list", "", &a);
    CHECK_INT(a.status, 503);
    CHECK_STR(json_string_value(json_object_get(a.body, "error")), "no broker is running");
    json_decref(a.body);
    kmesos_kadmin_free(ka);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
    kafka_world_teardown(&w);
}

/* ---- metadata views ---- */

static int32_t r123[] = {1, 2, 3}, r12[] = {1, 2};

static void test_topic_views(void)
{
    rd_kafka_metadata_partition_t pa[2] = {
        {.id = 0, .leader = 1, .replica_cnt = 3, .replicas = r123, .isr_cnt = 3, .isrs = r123},
        {.id = 1, .leader = -1, .replica_cnt = 3, .replicas = r123, .isr_cnt = 2, .isrs = r12}};
    rd_kafka_metadata_partition_t pb[1] = {
        {.id = 0, .leader = 2, .replica_cnt = 2, .replicas = r12, .isr_cnt = 2, .isrs = r12}};
    rd_kafka_metadata_topic_t topics[3] = {
        {.topic = "zeta", .partition_cnt = 2, .partitions = pa},
        {.topic = "alpha", .partition_cnt = 1, .partitions = pb},
        {.topic = "gone", .err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART}};
    rd_kafka_metadata_broker_t brokers[3] = {{1, "h1", 9092}, {2, "h2", 9092}, {3, "h3", 9092}};
    rd_kafka_metadata_t md = {.broker_cnt = 3, .brokers = brokers, .topic_cnt = 3,
                              .topics = topics};
    json_t *all = kmesos_kadmin_view_topics(&md, NULL);
    CHECK_INT(json_array_size(all), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(all, 0), "name")), "alpha");
    json_t *z = json_array_get(all, 1);
    CHECK_INT(json_integer_value(json_object_get(z, "partitions")), 2);
    CHECK_INT(json_integer_value(json_object_get(z, "replication_factor")), 3);
    CHECK_INT(json_integer_value(json_object_get(z, "under_replicated")), 1);
    CHECK_INT(json_integer_value(json_object_get(z, "offline")), 1);
    CHECK_INT(json_array_size(json_object_get(
                  json_array_get(json_object_get(z, "assignment"), 1), "isr")), 2);
    json_t *configs = json_pack("{s:{s:s}}", "zeta", "retention.ms", "1000");
    kmesos_kadmin_view_attach_configs(all, configs);
    CHECK_STR(json_string_value(json_object_get(json_object_get(z, "configs"), "retention.ms")),
              "1000");
    CHECK_INT(json_object_size(json_object_get(json_array_get(all, 0), "configs")), 0);
    json_decref(configs);
    json_decref(all);
    json_t *one = kmesos_kadmin_view_topics(&md, "gone");
    CHECK_INT(json_array_size(one), 0);
    json_decref(one);
    CHECK_INT(kmesos_kadmin_view_partitions(&md, "zeta"), 2);
    CHECK_INT(kmesos_kadmin_view_partitions(&md, "gone"), -1);
    CHECK_INT(kmesos_kadmin_view_settled(&md, "alpha", 0, 1), 1);
    CHECK_INT(kmesos_kadmin_view_settled(&md, "alpha", 0, 2), 0);
    CHECK_INT(kmesos_kadmin_view_settled(&md, "zeta", 0, 0), 0); /* no leader yet */
    CHECK_INT(kmesos_kadmin_view_settled(&md, "gone", 1, 0), 1);
    CHECK_INT(kmesos_kadmin_view_settled(&md, "alpha", 1, 0), 0);
    kmesos_kadmin_summary s;
    kmesos_kadmin_view_summary(&md, 42, &s);
    CHECK(s.known && s.at_ms == 42);
    CHECK_INT(s.brokers, 3);
    CHECK_INT(s.topics, 2);
    CHECK_INT(s.partitions, 3);
    CHECK_INT(s.under_replicated, 1);
    CHECK_INT(s.offline, 1);
}

static void test_topic_errors_and_merge(void)
{
    const char *field = NULL;
    CHECK_INT(kmesos_kadmin_view_status(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "options",
                                        &field), 404);
    CHECK_STR(field, "topic");
    CHECK_INT(kmesos_kadmin_view_status(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, "topic",
                                        &field), 400);
    CHECK_STR(field, "replication_factor");
    CHECK_INT(kmesos_kadmin_view_status(RD_KAFKA_RESP_ERR_INVALID_CONFIG, "topic", &field), 400);
    CHECK_STR(field, "options");
    CHECK_INT(kmesos_kadmin_view_status(RD_KAFKA_RESP_ERR_INVALID_REQUEST, "partitions", &field),
              400);
    CHECK_STR(field, "partitions");
    CHECK_INT(kmesos_kadmin_view_status(RD_KAFKA_RESP_ERR__TIMED_OUT, "topic", &field), 504);
    CHECK(field == NULL);
    json_t *cur = json_pack("{s:s, s:s, s:n}", "retention.ms", "1", "cleanup.policy", "compact",
                            "secret", NULL);
    json_t *asked = json_pack("{s:s, s:s}", "retention.ms", "", "segment.ms", "5");
    json_t *m = kmesos_kadmin_view_merge(cur, asked);
    CHECK_INT(json_object_size(m), 2);
    CHECK_STR(json_string_value(json_object_get(m, "cleanup.policy")), "compact");
    CHECK_STR(json_string_value(json_object_get(m, "segment.ms")), "5");
    CHECK(json_object_get(m, "retention.ms") == NULL);
    json_decref(m);
    json_decref(cur);
    json_decref(asked);
}

/* The asynchronous path without Kafka: a list against a closed port
 * answers 503 or 504 from the loop (the metadata read on the thread
 * pool), the summary stays unknown but is asked for; an admin freed while
 * a read is under way calls nobody back and releases everything once the
 * loop has run (ASan checks the last part). */
static void test_topic_no_kafka_there(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    kmesos_kadmin *ka = kmesos_kadmin_new(&loop);
    answer a = {0};
    kmesos_kadmin_list(ka, "127.0.0.1:1", NULL, on_answer, &a);
    CHECK_INT(a.calls, 0); /* not at once: Kafka is asked */
    while (a.calls == 0 && uv_run(&loop, UV_RUN_ONCE))
        ;
    CHECK_INT(a.calls, 1);
    CHECK(a.status == 503 || a.status == 504);
    CHECK(strstr(json_string_value(json_object_get(a.body, "error")), "metadata") != NULL);
    json_decref(a.body);
    kmesos_kadmin_summary s;
    kmesos_kadmin_summary_get(ka, "127.0.0.1:1", 1000, &s);
    CHECK_INT(s.known, 0);
    a.calls = 0;
    kmesos_kadmin_list(ka, "127.0.0.1:1", "t", on_answer, &a);
    kmesos_kadmin_free(ka);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(a.calls, 0);
    CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
    RUN_TEST(test_topic_bad_input);
    RUN_TEST(test_topic_views);
    RUN_TEST(test_topic_errors_and_merge);
    RUN_TEST(test_topic_no_kafka_there);
    return testlib_finish();
}
