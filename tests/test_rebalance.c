/* Partition reassignment: the parsing of Kafka's tool output (rplan.h:
 * --generate, --verify, kafka-log-dirs, kafka-topics --list), the moves,
 * the drain plan and the checks; and the refusals of a rebalance request
 * (rebalance.h) before anything runs. The texts below have the shape the
 * Kafka 4.x tools print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_world.h"
#include "sched/kafka/ktool.h"
#include "sched/kafka/rebalance.h"
#include "sched/kafka/rplan.h"
#include "testlib.h"

static const char GENERATE[] =
    "Current partition replica assignment\n"
    "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[0,1],"
    "\"log_dirs\":[\"any\",\"any\"]},{\"topic\":\"t\",\"partition\":1,\"replicas\":[1,2],"
    "\"log_dirs\":[\"any\",\"any\"]},{\"topic\":\"my-t\",\"partition\":0,\"replicas\":[2,0],"
    "\"log_dirs\":[\"any\",\"any\"]}]}\n\n"
    "Proposed partition reassignment configuration\n"
    "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[0,1],"
    "\"log_dirs\":[\"any\",\"any\"]},{\"topic\":\"t\",\"partition\":1,\"replicas\":[3,4],"
    "\"log_dirs\":[\"any\",\"any\"]},{\"topic\":\"my-t\",\"partition\":0,\"replicas\":[2,3],"
    "\"log_dirs\":[\"any\",\"any\"]}]}\n";

static void test_generate_and_moves(void)
{
    kmesos_rplan cur, prop, moves;
    char err[300];
    CHECK_INT(kmesos_rplan_parse_generate(GENERATE, &cur, &prop, err, sizeof err), 0);
    CHECK_INT(cur.n, 3);
    CHECK_STR(cur.parts[2].topic, "my-t");
    CHECK_INT(cur.parts[1].replicas[1], 2);
    CHECK_INT(kmesos_rplan_moves(&cur, &prop, &moves), 0);
    CHECK_INT(moves.n, 2); /* t-0 stays */
    CHECK_STR(moves.parts[0].topic, "t");
    CHECK_INT(moves.parts[0].added, 2);
    CHECK_INT(moves.parts[1].added, 1);
    char *json = kmesos_rplan_json(&moves);
    CHECK_STR(json, "{\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":1,"
                    "\"replicas\":[3,4]},{\"topic\":\"my-t\",\"partition\":0,"
                    "\"replicas\":[2,3]}]}");
    free(json);
    char held[100];
    CHECK_INT(kmesos_rplan_held(&cur, 2, held, sizeof held), 2);
    CHECK_STR(held, "t-1,my-t-0");
    CHECK_INT(kmesos_rplan_check_rf(&cur, 2, err, sizeof err), 0);
    CHECK_INT(kmesos_rplan_check_rf(&cur, 1, err, sizeof err), -1);
    CHECK(strstr(err, "t-0 has replication factor 2 but only 1 target broker") != NULL);

    /* progress: --verify (a topic name with '-' in it), sizes, bytes */
    const char *verify = "Status of partition reassignment:\n"
                         "Reassignment of partition t-1 is still in progress.\n"
                         "Reassignment of partition my-t-0 is completed.\n";
    CHECK_INT(kmesos_rplan_verify(verify, &moves), 1);
    CHECK_INT(moves.parts[1].done, 1);
    const char *dirs = "Querying brokers for log directories information\n"
                       "Received log directory information from brokers 0,1,2\n"
                       "{\"brokers\":[{\"broker\":1,\"logDirs\":[{\"logDir\":\"/d\",\"error\":"
                       "null,\"partitions\":[{\"partition\":\"t-1\",\"size\":1000,"
                       "\"offsetLag\":0,\"isFuture\":false},{\"partition\":\"my-t-0\",\"size\":"
                       "300,\"offsetLag\":0,\"isFuture\":false}]}]},{\"broker\":2,\"logDirs\":"
                       "[{\"logDir\":\"/d\",\"error\":null,\"partitions\":[{\"partition\":"
                       "\"t-1\",\"size\":900,\"offsetLag\":0,\"isFuture\":false},{\"partition\":"
                       "\"t-1\",\"size\":99999,\"offsetLag\":0,\"isFuture\":true}]}]}]}\n";
    CHECK_INT(kmesos_rplan_sizes(dirs, &moves, err, sizeof err), 0);
    CHECK_INT(moves.parts[0].size, 1000); /* the largest, a future replica not counted */
    int64_t total, moved;
    kmesos_rplan_bytes(&moves, &total, &moved);
    CHECK_INT(total, 2 * 1000 + 300);
    CHECK_INT(moved, 300);
    CHECK_INT(kmesos_rplan_verify("Reassignment of partition t-1 is completed.\n", &moves), 2);
    kmesos_rplan_free(&cur);
    kmesos_rplan_free(&prop);
    kmesos_rplan_free(&moves);
}

static void test_bad_output(void)
{
    kmesos_rplan cur, prop, p;
    char err[300];
    CHECK_INT(kmesos_rplan_parse_generate("Error: nothing\n", &cur, &prop, err, sizeof err), -1);
    CHECK(strstr(err, "no current and proposed") != NULL);
    CHECK_INT(kmesos_rplan_parse("{\"partitions\":[{\"topic\":1}]}", &p, err, sizeof err), -1);
    CHECK_INT(kmesos_rplan_parse("{\"partitions\":[{\"topic\":\"t\",\"partition\":0,"
                                 "\"replicas\":[-1]}]}", &p, err, sizeof err), -1);
    CHECK_INT(kmesos_rplan_parse("not json", &p, err, sizeof err), -1);
    CHECK_INT(kmesos_rplan_parse("{\"partitions\":[]}", &p, err, sizeof err), 0);
    CHECK_INT(kmesos_rplan_sizes("no json here", &p, err, sizeof err), -1);
    CHECK_INT(kmesos_rplan_verify("garbage\n", &p), 0);
    kmesos_rplan_free(&p);
}

static void test_drain(void)
{
    kmesos_rplan cur, prop, out;
    char err[300];
    CHECK_INT(kmesos_rplan_parse_generate(GENERATE, &cur, &prop, err, sizeof err), 0);
    const int drain[] = {2}, targets[] = {0, 1, 3};
    CHECK_INT(kmesos_rplan_drain(&cur, drain, 1, targets, 3, &out, err, sizeof err), 0);
    CHECK_INT(out.n, 2); /* t-1 [1,2] and my-t-0 [2,0]; t-0 has no replica on 2 */
    CHECK_INT(out.parts[0].replicas[0], 1);
    CHECK_INT(out.parts[0].replicas[1], 3); /* the least loaded target the partition lacks */
    CHECK_INT(out.parts[1].replicas[1], 0);  /* the rest and its order kept */
    CHECK(out.parts[1].replicas[0] != 2 && out.parts[1].replicas[0] != 0);
    kmesos_rplan_free(&out);
    const int one[] = {0};
    CHECK_INT(kmesos_rplan_drain(&cur, drain, 1, one, 1, &out, err, sizeof err), -1);
    CHECK(strstr(err, "t-1,my-t-0") != NULL);
    CHECK_INT(out.n, 0);
    /* t-1 [1,2] and my-t-0 [2,0] with brokers 1 and 2 drained and 0, 3
     * left: t-1 has no copy on a running broker */
    const int two[] = {1, 2}, rest[] = {0, 3};
    CHECK_INT(kmesos_rplan_drain(&cur, two, 2, rest, 2, &out, err, sizeof err), -1);
    CHECK(strstr(err, "no running broker has a copy of t-1 ") != NULL);
    CHECK_INT(out.n, 0);
    kmesos_rplan_free(&cur);
    kmesos_rplan_free(&prop);
}

static int no_internal(void *arg, const char *topic)
{
    (void)arg;
    return strncmp(topic, "__", 2) != 0;
}

static void test_topics(void)
{
    size_t n = 0;
    char *j = kmesos_rplan_topics_json("a\n__consumer_offsets\nb.c\n\nnot a topic\n", no_internal,
                                       NULL, &n);
    CHECK_INT(n, 2);
    CHECK_STR(j, "{\"version\":1,\"topics\":[{\"topic\":\"a\"},{\"topic\":\"b.c\"}]}");
    free(j);
}

static void dropped(void *arg, unsigned status, json_t *body)
{
    *(unsigned *)arg = status;
    json_decref(body);
}

/* Refused before anything runs: field and message; nothing started. */
static void refused(kmesos_rebalance *rb, const char *brokers, const char *topics,
                    const char *throttle, const char *want_field, const char *want_text)
{
    kmesos_rebalance_req rq = {brokers, topics, throttle};
    const char *field = NULL;
    char err[600] = "";
    unsigned status = 0;
    CHECK_INT(kmesos_rebalance_start(rb, &rq, dropped, &status, &field, err, sizeof err), -1);
    CHECK_STR(field, want_field);
    if (!strstr(err, want_text))
        CHECK_STR(err, want_text);
    CHECK_INT(status, 0);
    CHECK_INT(kmesos_rebalance_busy(rb), 0);
}

static void test_refusals(void)
{
    kafka_world w;
    uv_loop_t loop;
    uv_loop_init(&loop);
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_run_brokers(&w, 3, ""); /* launched, none RUNNING yet */
    kmesos_rebalance *rb = kmesos_rebalance_new(&loop, &w.k);
    refused(rb, "0..9", NULL, NULL, "broker", "unknown broker id");
    refused(rb, "*", "([a", NULL, "topics", "not a POSIX extended regex");
    refused(rb, "*", "^t", "0", "throttle", "throttle");
    refused(rb, "*", NULL, "10MB", "throttle", "not a decimal number");
    refused(rb, "*", NULL, "-5", "throttle", "throttle");
    refused(rb, "*", NULL, "1000", "broker", "broker 0 is not running");
    json_t *j = kmesos_rebalance_json(rb);
    CHECK_STR(json_string_value(json_object_get(j, "state")), "idle");
    json_decref(j);
    char err[200];
    unsigned status = 0;
    CHECK_INT(kmesos_rebalance_cancel(rb, dropped, &status, err, sizeof err), -1);
    CHECK_STR(err, "no rebalance is running");
    const int ids[] = {2};
    const char *field = NULL;
    CHECK_INT(kmesos_rebalance_drain(rb, ids, 1, 0, dropped, &status, &field, err, sizeof err),
              -1);
    CHECK(strstr(err, "no broker is running") != NULL);
    kmesos_rebalance_free(rb);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    kafka_world_teardown(&w);
}

typedef struct tool_result {
    int called, code;
    char out[200], err[200];
} tool_result;

static void tool_done(void *arg, int code, const char *out, const char *err)
{
    tool_result *r = arg;
    r->called++;
    r->code = code;
    snprintf(r->out, sizeof r->out, "%s", out);
    snprintf(r->err, sizeof r->err, "%s", err);
}

/* A child process: stdin in, stdout and stderr out, the exit code, the
 * extra environment; a timeout kills its whole group; a cancel calls
 * nothing; a program that does not exist is an error at once. */
static void test_ktool(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    tool_result r = {0};
    char err[200];
    char *echo[] = {"sh", "-c", "cat; echo \"v=$KTOOL_X\" >&2; exit 3", NULL};
    char *env[] = {"KTOOL_X=42", NULL};
    CHECK(kmesos_ktool_run(&loop, echo, env, "{\"a\":1}", 10000, tool_done, &r, err,
                           sizeof err) != NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(r.called, 1);
    CHECK_INT(r.code, 3);
    CHECK_STR(r.out, "{\"a\":1}");
    CHECK_STR(r.err, "v=42\n");

    tool_result t = {0};
    char *slow[] = {"sh", "-c", "sleep 30 & wait", NULL};
    uint64_t t0 = uv_hrtime();
    CHECK(kmesos_ktool_run(&loop, slow, NULL, NULL, 200, tool_done, &t, err, sizeof err) != NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(t.called, 1);
    CHECK_INT(t.code, -1);
    CHECK_STR(t.err, "timed out: killed");
    CHECK((uv_hrtime() - t0) / 1000000 < 5000); /* the group's sleep was killed too */

    tool_result c = {0};
    kmesos_ktool *k = kmesos_ktool_run(&loop, slow, NULL, "x", 10000, tool_done, &c, err,
                                       sizeof err);
    CHECK(k != NULL);
    kmesos_ktool_cancel(k);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(c.called, 0);

    char *none[] = {"/nonexistent/tool", NULL};
    CHECK(kmesos_ktool_run(&loop, none, NULL, NULL, 1000, tool_done, &c, err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot run /nonexistent/tool") != NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(c.called, 0);
    CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
    RUN_TEST(test_ktool);
    RUN_TEST(test_generate_and_moves);
    RUN_TEST(test_bad_output);
    RUN_TEST(test_drain);
    RUN_TEST(test_topics);
    RUN_TEST(test_refusals);
    return testlib_finish();
}
