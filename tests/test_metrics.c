/* test_metrics: GET /metrics without a server. The writer (sched/api/
 * metrics.h): HELP/TYPE lines, label values escaped, exact integers,
 * reals that read back, NaN/Inf, cumulative histogram buckets; the
 * policies' reason classes and their caps (policy/tally.h); the decide
 * latency buckets; and the figures of a scheduler that received an offer
 * and of a policy chain that answered "wait". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_io.h"
#include "sched/api/metrics.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"
#include "testlib.h"

static void test_writer(void)
{
    kmesos_metrics_w w;
    kmesos_metrics_init(&w);
    kmesos_metrics_family(&w, "kmesos_x_total", "counter", "Help with \\ and\nnewline.");
    kmesos_metrics_label l[2] = {{"a", "q\"uote\\back\nline"}, {"b", "h\xc3\xa9"}};
    kmesos_metrics_u64(&w, "kmesos_x_total", l, 2, 18446744073709551615ULL);
    kmesos_metrics_real(&w, "kmesos_y", NULL, 0, 0.1);
    kmesos_metrics_real(&w, "kmesos_y", NULL, 0, NAN);
    kmesos_metrics_real(&w, "kmesos_y", NULL, 0, -INFINITY);
    kmesos_metrics_real(&w, "kmesos_y", NULL, 0, 1.0 / 3);
    size_t len = 0;
    const char *text = kmesos_metrics_text(&w, &len);
    CHECK_STR(text, "# HELP kmesos_x_total Help with \\\\ and\\nnewline.\n"
                    "# TYPE kmesos_x_total counter\n"
                    "kmesos_x_total{a=\"q\\\"uote\\\\back\\nline\",b=\"h\xc3\xa9\"} "
                    "18446744073709551615\n"
                    "kmesos_y 0.1\n"
                    "kmesos_y NaN\n"
                    "kmesos_y -Inf\n"
                    "kmesos_y 0.33333333333333331\n");
    CHECK_INT((int)len, (int)strlen(text));
    CHECK_INT(w.failed, 0);
    kmesos_metrics_free(&w);
}

static void test_histogram(void)
{
    kmesos_metrics_w w;
    kmesos_metrics_init(&w);
    const double bounds[2] = {0.001, 0.5};
    const uint64_t counts[3] = {2, 0, 3};
    kmesos_metrics_histogram(&w, "kmesos_h_seconds", bounds, counts, 2, 7.25);
    CHECK_STR(kmesos_metrics_text(&w, NULL), "kmesos_h_seconds_bucket{le=\"0.001\"} 2\n"
                                             "kmesos_h_seconds_bucket{le=\"0.5\"} 2\n"
                                             "kmesos_h_seconds_bucket{le=\"+Inf\"} 5\n"
                                             "kmesos_h_seconds_sum 7.25\n"
                                             "kmesos_h_seconds_count 5\n");
    kmesos_metrics_free(&w);
}

static void test_decide_buckets(void)
{
    kmesos_scheduler_stats st = {0};
    kmesos_scheduler_decide_observe(&st, 0);
    kmesos_scheduler_decide_observe(&st, 100);  /* on the bound: in it */
    kmesos_scheduler_decide_observe(&st, 101);
    kmesos_scheduler_decide_observe(&st, 999999999);
    CHECK_INT((int)st.decide_hist[0], 2);
    CHECK_INT((int)st.decide_hist[1], 1);
    CHECK_INT((int)st.decide_hist[KMESOS_DECIDE_BUCKETS], 1);
}

static void check_class(const char *reason, const char *want)
{
    char out[KMESOS_PTALLY_REASON_MAX];
    kmesos_ptally_class(reason, out, sizeof out);
    CHECK_STR(out, want);
}

static void test_reason_class(void)
{
    check_class("waiting 3.2s for node a1", "waiting");
    check_class("gate is closed (x)", "gate is closed");
    check_class("max per host: 2 on h1", "max per host");
    check_class("", "none");
    check_class(NULL, "none");
    check_class("42", "none");
    check_class("spread, then", "spread, then");
    check_class("rack=r1", "rack");
    /* cut at the size, never inside a UTF-8 sequence */
    char long_reason[200];
    memset(long_reason, 'a', sizeof long_reason);
    memcpy(long_reason + KMESOS_PTALLY_REASON_MAX - 2, "\xc3\xa9", 2); /* cut between */
    long_reason[sizeof long_reason - 1] = 0;
    char out[KMESOS_PTALLY_REASON_MAX];
    kmesos_ptally_class(long_reason, out, sizeof out);
    CHECK_INT((int)strlen(out), KMESOS_PTALLY_REASON_MAX - 2);
}

static void test_tally_caps(void)
{
    kmesos_ptally *t = calloc(1, sizeof *t);
    char reason[64];
    for (int i = 0; i < KMESOS_PTALLY_PER_POLICY + 5; i++) {
        snprintf(reason, sizeof reason, "reason %c", 'a' + i);
        kmesos_ptally_add(t, "p", KMESOS_VERDICT_WAIT, reason);
    }
    kmesos_ptally_add(t, "p", KMESOS_VERDICT_WAIT, "reason a 7");
    CHECK_INT((int)t->n, KMESOS_PTALLY_PER_POLICY + 1);
    CHECK_STR(t->rows[0].reason, "reason a");
    CHECK_INT((int)t->rows[0].n, 2);
    CHECK_STR(t->rows[KMESOS_PTALLY_PER_POLICY].reason, "other");
    CHECK_INT((int)t->rows[KMESOS_PTALLY_PER_POLICY].n, 5);
    /* the table's end: counts go to dropped */
    for (int i = 0; i < KMESOS_PTALLY_ROWS; i++) {
        snprintf(reason, sizeof reason, "q%c", 'a' + i % 26);
        char pol[16];
        snprintf(pol, sizeof pol, "pol%c%c", 'a' + i / 26, 'a' + i % 26);
        kmesos_ptally_add(t, pol, KMESOS_VERDICT_DECLINE, reason);
    }
    CHECK_INT((int)t->n, KMESOS_PTALLY_ROWS);
    CHECK_INT((int)t->dropped, KMESOS_PTALLY_PER_POLICY + 1);
    free(t);
}

static char dir[] = "/tmp/kmesos-metrics-XXXXXX";

static kmesos_policy *gate_policy(void)
{
    const char *path = testlib_write_file(
        dir, "gate.lua",
        "return { name = \"gate\", evaluate = function(offer, task, ctx)\n"
        "  return \"wait\", \"gate is closed \" .. task.id end }\n");
    const char *files[1] = {path};
    kmesos_policy_config pc = {.files = files, .n_files = 1};
    char err[512];
    kmesos_policy *p = kmesos_policy_new(&pc, err, sizeof err);
    CHECK(p != NULL);
    json_t *offer = json_pack("{s:s, s:s, s:s, s:{s:f, s:f}}", "id", "o1", "agent_id", "a1",
                              "hostname", "h1", "resources", "cpus", 4.0, "mem", 4096.0);
    for (int i = 0; p && i < 3; i++) {
        json_t *task = json_pack("{s:s, s:s}", "id", i ? "t-2" : "t-1", "workload", "w");
        kmesos_verdict v;
        kmesos_policy_eval_json(p, offer, task, NULL, &v, NULL);
        CHECK_INT(v.kind, KMESOS_VERDICT_WAIT);
        json_decref(task);
    }
    json_decref(offer);
    return p;
}

static void test_render(void)
{
    CHECK(mkdtemp(dir) != NULL);
    kmesos_scheduler s;
    fake_io_quiet_scheduler(&s, "name=web cmd=true cpus=1 mem=64");
    CHECK_INT(kmesos_scheduler_fill_slots(&s), 0);
    s.subscribed = 1;
    Mesos__V1__Offer *o = fake_io_offer("o1", NULL, "h1", NULL, 4);
    fake_io_feed(&s, &o, 1);
    kmesos_policy *p = gate_policy();
    kmesos_metrics_kafka_gauges g = {3, -1};
    kmesos_metrics_src src = {.sched = &s, .policy = p, .kafka_gauges = &g, .api_requests = 9};
    kmesos_metrics_w w;
    kmesos_metrics_init(&w);
    kmesos_metrics_render(&w, &src);
    const char *text = kmesos_metrics_text(&w, NULL);
    CHECK(strstr(text, "\nkmesos_offers_received_total 1\n") != NULL);
    CHECK(strstr(text, "\nkmesos_offers_accepted_total 1\n") != NULL);
    CHECK(strstr(text, "\nkmesos_tasks{workload=\"web\",phase=\"launching\"} 1\n") != NULL);
    CHECK(strstr(text, "\nkmesos_decide_latency_seconds_count 1\n") != NULL);
    CHECK(strstr(text, "\nkmesos_policy_evaluations_total{verdict=\"wait\"} 3\n") != NULL);
    CHECK(strstr(text, "\nkmesos_policy_verdicts_total{policy=\"gate\",verdict=\"wait\","
                       "reason=\"gate is closed t\"} 3\n") != NULL);
    CHECK(strstr(text, "\nkmesos_api_requests_total 9\n") != NULL);
    /* no Kafka module: no broker figures, whatever the gauges say */
    CHECK(strstr(text, "kmesos_kafka_") == NULL);
    /* every family has HELP and TYPE, and every line ends */
    CHECK(strstr(text, "# TYPE kmesos_offers_received_total counter\n") != NULL);
    CHECK(text[strlen(text) - 1] == '\n');
    kmesos_metrics_free(&w);
    kmesos_policy_free(p);
    kmesos_scheduler_free(&s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN_TEST(test_writer);
    RUN_TEST(test_histogram);
    RUN_TEST(test_decide_buckets);
    RUN_TEST(test_reason_class);
    RUN_TEST(test_tally_caps);
    RUN_TEST(test_render);
    return testlib_finish();
}
