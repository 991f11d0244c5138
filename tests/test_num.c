/* test_num: the checked number and duration parser (codec/num) with
 * accept/refuse tables, the checked conversions, the one id-expression
 * grammar (codec/idexpr) giving the same answers to the API's broker and
 * client ids and to the CLI, the number boundaries of issue 11 that used
 * to convert out of range (kafka settings, workload specs), and the UTF-8
 * and NUL checks of request parameters. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "codec/idexpr.h"
#include "codec/num.h"
#include "codec/utf8.h"
#include "sched/api/params.h"
#include "sched/kafka/broker.h"
#include "sched/kafka/client.h"
#include "sched/workload.h"
#include "testlib.h"

/* ---- the parser ---------------------------------------------------------- */

static void test_real_accepts(void)
{
    static const struct { const char *text; double want; } ok[] = {
        {"0", 0},      {"1", 1},         {"1.5", 1.5}, {"0.5", 0.5},    {"5.0", 5},
        {"-2", -2},    {"1e3", 1000},    {"1E-3", 1e-3}, {"2.5e+2", 250}, {"007", 7},
        {"-0", 0},     {"1000000", 1e6},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double d = -99;
        CHECK_INT(kmesos_num_real(ok[i].text, -10, 1e6, &d), KMESOS_NUM_OK);
        CHECK(d == ok[i].want);
    }
}

static void test_real_refuses(void)
{
    static const struct { const char *text; int rc; } bad[] = {
        {"", KMESOS_NUM_SYNTAX},     {" 1", KMESOS_NUM_SYNTAX},    {"1 ", KMESOS_NUM_SYNTAX},
        {"+1", KMESOS_NUM_SYNTAX},   {"0x10", KMESOS_NUM_SYNTAX},  {"0X1p4", KMESOS_NUM_SYNTAX},
        {"inf", KMESOS_NUM_SYNTAX},  {"-inf", KMESOS_NUM_SYNTAX},  {"INF", KMESOS_NUM_SYNTAX},
        {"infinity", KMESOS_NUM_SYNTAX}, {"nan", KMESOS_NUM_SYNTAX}, {"NaN", KMESOS_NUM_SYNTAX},
        {"1e", KMESOS_NUM_SYNTAX},   {"1e+", KMESOS_NUM_SYNTAX},   {".", KMESOS_NUM_SYNTAX},
        {"-", KMESOS_NUM_SYNTAX},    {"1.2.3", KMESOS_NUM_SYNTAX}, {"1,5", KMESOS_NUM_SYNTAX},
        {"--1", KMESOS_NUM_SYNTAX},  {".5", KMESOS_NUM_SYNTAX},    {"5.", KMESOS_NUM_SYNTAX},  {"1\n", KMESOS_NUM_SYNTAX},   {"\t1", KMESOS_NUM_SYNTAX},
        {"1e400", KMESOS_NUM_RANGE}, {"-1e400", KMESOS_NUM_RANGE}, {"1e300", KMESOS_NUM_RANGE},
        {"-11", KMESOS_NUM_RANGE},   {"1000001", KMESOS_NUM_RANGE},
        /* 102 digits: far past any bound */
        {"1000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "00000000000000000",
         KMESOS_NUM_RANGE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double d = 42;
        CHECK_INT(kmesos_num_real(bad[i].text, -10, 1e6, &d), bad[i].rc);
        CHECK(d == 42);
    }
    double d = 42;
    CHECK_INT(kmesos_num_real(NULL, 0, 1, &d), KMESOS_NUM_SYNTAX);
    /* no sign where the bounds allow none, not even "-0" */
    CHECK_INT(kmesos_num_real("-0", 0, 1, &d), KMESOS_NUM_RANGE);
    long long v = 3;
    CHECK_INT(kmesos_num_int("-0", 0, 1, &v), KMESOS_NUM_RANGE);
    CHECK(d == 42 && v == 3);
}

static void test_int_table(void)
{
    long long v = 0;
    CHECK_INT(kmesos_num_int("65535", 1, 65535, &v), KMESOS_NUM_OK);
    CHECK_INT(v, 65535);
    CHECK_INT(kmesos_num_int("-5", -10, 10, &v), KMESOS_NUM_OK);
    CHECK_INT(v, -5);
    static const struct { const char *text; int rc; } bad[] = {
        {"1.0", KMESOS_NUM_SYNTAX}, {"1e3", KMESOS_NUM_SYNTAX},  {"0x50", KMESOS_NUM_SYNTAX},
        {"+80", KMESOS_NUM_SYNTAX}, {" 80", KMESOS_NUM_SYNTAX},  {"80 ", KMESOS_NUM_SYNTAX},
        {"", KMESOS_NUM_SYNTAX},    {"65536", KMESOS_NUM_RANGE}, {"0", KMESOS_NUM_RANGE},
        {"99999999999999999999999", KMESOS_NUM_RANGE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        CHECK_INT(kmesos_num_int(bad[i].text, 1, 65535, &v), bad[i].rc);
        CHECK_INT(v, 7);
    }
}

static void test_duration_table(void)
{
    static const struct { const char *text; double want; } ok[] = {
        {"30s", 30}, {"5m", 300}, {"2h", 7200}, {"7d", 604800}, {"1w", 604800},
        {"1.5", 1.5}, {"250ms", 0.25}, {"0", 0}, {"0.5m", 30},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK(kmesos_parse_duration(ok[i].text) == ok[i].want);
        double d = -1;
        CHECK_INT(kmesos_num_duration(ok[i].text, 0, KMESOS_NUM_DURATION_MAX_S, &d), 0);
        CHECK(d == ok[i].want);
    }
    static const char *const bad[] = {"inf", "infs", "nan", "nans", "1e400s", "-1s", "0x10s",
                                      "+5s", " 5s", "5s ", "5 s", "5x", "s", "", "1e300",
                                      "522w", "1e9d", "-0s", "-0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(kmesos_parse_duration(bad[i]) == -1);
    double d = 9;
    CHECK_INT(kmesos_num_duration("2m", 0, 60, &d), KMESOS_NUM_RANGE);
    CHECK(d == 9);
}

static void test_error_text_names_the_field(void)
{
    char err[160];
    CHECK_INT(kmesos_num_error(err, sizeof err, "cpus", "0x10", KMESOS_NUM_SYNTAX, 0, 1), -1);
    CHECK_STR(err, "cpus: '0x10' is not a decimal number");
    kmesos_num_error(err, sizeof err, "mem", "1e300", KMESOS_NUM_RANGE, 1, 1e9);
    CHECK_STR(err, "mem: '1e300' is out of range (1..1e+09)");
}

/* ---- conversions ---------------------------------------------------------- */

static void test_checked_conversions(void)
{
    CHECK(kmesos_num_ms(1.5) == 1500);
    CHECK(kmesos_num_ms(-1) == 0);
    CHECK(kmesos_num_ms(NAN) == 0);
    CHECK(kmesos_num_ms(-INFINITY) == 0);
    uint64_t cap = kmesos_num_ms(KMESOS_NUM_DURATION_MAX_S);
    CHECK(kmesos_num_ms(INFINITY) == cap);
    CHECK(kmesos_num_ms(1e300) == cap);
    CHECK(kmesos_num_ms(DBL_MAX) == cap);
    long long v = 5;
    CHECK_INT(kmesos_num_to_ll(1e300, 0, LLONG_MAX, &v), -1);
    CHECK_INT(kmesos_num_to_ll(9223372036854775807.0, 0, LLONG_MAX, &v), -1); /* 2^63 */
    CHECK_INT(kmesos_num_to_ll(NAN, 0, 10, &v), -1);
    CHECK_INT(kmesos_num_to_ll(-1, 0, 10, &v), -1);
    CHECK_INT(v, 5);
    CHECK_INT(kmesos_num_to_ll(9.9, 0, 10, &v), 0);
    CHECK_INT(v, 9);
    CHECK(kmesos_num_in(1, 0, 1) && !kmesos_num_in(INFINITY, 0, INFINITY));
}

/* ---- one id-expression grammar -------------------------------------------- */

static const char *const expr_ok[] = {"0", "0,2", "0..4", "*", "1,3..5,9", "7..7", "99999",
                                      "0..2,5"};
static const char *const expr_bad[] = {"",  " 1", "+1",   "-0",   "-1",   "1 ",  "01",
                                       "0x1", "1e2", "0..", "..4",  "4..0", "0,,2", "0,",
                                       ",0", "*,1", "0...4", "1.5", "a",    "100000",
                                       "1234567890", "0..100000"};

/* The API (broker and client ids) and the CLI answer alike. */
static void test_idexpr_same_everywhere(void)
{
    int known[] = {0, 1, 2};
    char err[256];
    for (size_t i = 0; i < sizeof expr_ok / sizeof expr_ok[0]; i++) {
        int *ids = NULL;
        size_t n = 0;
        CHECK_INT(kmesos_idexpr_check(expr_ok[i], KMESOS_IDEXPR_MAX_ID, err, sizeof err), 0);
        CHECK_INT(kmesos_broker_ids_parse(expr_ok[i], known, 3, 0, &ids, &n, err, sizeof err), 0);
        free(ids);
    }
    for (size_t i = 0; i < sizeof expr_bad / sizeof expr_bad[0]; i++) {
        int *ids = NULL;
        size_t n = 0;
        int api = kmesos_broker_ids_parse(expr_bad[i], known, 3, 0, &ids, &n, err, sizeof err);
        CHECK_INT(api, -1);
        CHECK(strstr(err, "broker") != NULL);
        free(ids);
        CHECK_INT(kmesos_idexpr_check(expr_bad[i], 99999, err, sizeof err), -1);
    }
}

typedef struct { long from[8], to[8]; int n; } walked;

static int walk_one(long from, long to, void *arg)
{
    walked *w = arg;
    if (w->n >= 8)
        return -1;
    w->from[w->n] = from;
    w->to[w->n++] = to;
    return 0;
}

static void test_idexpr_walk(void)
{
    walked w = {.n = 0};
    char err[128];
    CHECK_INT(kmesos_idexpr_walk("0..2,5", 10, walk_one, &w, err, sizeof err), 0);
    CHECK_INT(w.n, 2);
    CHECK(w.from[0] == 0 && w.to[0] == 2 && w.from[1] == 5 && w.to[1] == 5);
    CHECK_INT(kmesos_idexpr_walk("*", 10, walk_one, &w, err, sizeof err), 1);
    CHECK_INT(kmesos_idexpr_walk("4..0", 10, walk_one, &w, err, sizeof err), -1);
    CHECK(strstr(err, "runs backwards (write 0..4)") != NULL);
    CHECK_INT(kmesos_idexpr_walk("0..11", 10, walk_one, &w, err, sizeof err), -1);
    CHECK(strstr(err, "above the largest id 10") != NULL);
    /* a huge range is refused by the caller before anything is expanded */
    int *ids = NULL;
    size_t n = 0;
    CHECK_INT(kmesos_broker_ids_parse("0..99999", NULL, 0, 0, &ids, &n, err, sizeof err), -1);
    CHECK(strstr(err, "more than") != NULL);
    CHECK(ids == NULL);
}

/* ---- kafka settings ------------------------------------------------------- */

static void test_broker_settings_refuse_hostile_numbers(void)
{
    static const struct { const char *name, *value; } bad[] = {
        {"failover_delay", "inf"},   {"failover_delay", "1e400"}, {"stickiness_period", "inf"},
        {"failover_max_delay", "nan"}, {"cpus", "0x10"},          {"cpus", " 1"},
        {"mem", "1e300"},            {"heap", "+512"},            {"port", "0x50"},
        {"port", "-0"},              {"failover_delay", "-1s"},   {"failover_max_tries", "1e3"},
    };
    kmesos_broker_settings s;
    CHECK_INT(kmesos_broker_settings_defaults(&s), 0);
    double delay = s.failover_delay_s, cpus = s.cpus;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        CHECK_INT(kmesos_broker_param_set(&s, bad[i].name, bad[i].value, err, sizeof err), -1);
        CHECK(strncmp(err, bad[i].name, strlen(bad[i].name)) == 0);
    }
    CHECK(s.failover_delay_s == delay && s.cpus == cpus);
    /* a value that got in some other way (an old state file) is refused */
    s.failover_delay_s = INFINITY;
    const char *field = NULL;
    char err[256];
    CHECK_INT(kmesos_broker_settings_check(&s, &field, err, sizeof err), -1);
    CHECK_STR(field, "failover_delay");
    kmesos_broker_settings_free(&s);
}

static void test_client_numbers(void)
{
    kmesos_client_settings s;
    CHECK_INT(kmesos_client_settings_defaults(&s), 0);
    char err[256];
    CHECK_INT(kmesos_client_param_set(&s, "mem", "1e300", err, sizeof err), -1);
    CHECK(strncmp(err, "mem", 3) == 0);
    /* an out-of-range mem or heap held anyway converts safely */
    s.heap = 0;
    s.mem = 1e300;
    CHECK_INT(kmesos_client_heap_mb(&s), 64);
    s.heap = 1e300;
    CHECK_INT(kmesos_client_heap_mb(&s), 64);
    s.heap = 0;
    s.mem = 1024;
    CHECK_INT(kmesos_client_heap_mb(&s), 512);
    CHECK_INT(kmesos_client_param_set(&s, "topic", "t", err, sizeof err), 0);
    s.failover_delay_s = -1; /* as an old state file could hold it */
    const char *field = NULL;
    s.heap = 0;
    CHECK_INT(kmesos_client_settings_check(KMESOS_CLIENT_PRODUCER, &s, &field, err, sizeof err),
              -1);
    CHECK_STR(field, "failover_delay");
    kmesos_client_settings_free(&s);
}

/* ---- workload specs ---------------------------------------------------------- */

static void test_workload_numbers(void)
{
    static const char *const bad[] = {
        ("name=a cmd=x ports=10000000000000000000000000000000000000000000000000000000000000000"
         "0000000000000000000000000000000000000"),
        "name=a cmd=x ports=0x10",  "name=a cmd=x cpus=0x10",   "name=a cmd=x cpus=inf",
        "name=a cmd=x mem=1e300",   "name=a cmd=x instances=+2", "name=a cmd=x instances=1e3",
        "name=a cmd=x disk=nan",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kmesos_workload w;
        char err[256] = "";
        int rc = kmesos_workload_parse(bad[i], &w, err, sizeof err);
        CHECK_INT(rc, -1);
        if (rc == 0)
            kmesos_workload_free(&w);
    }
    kmesos_workload w;
    char err[256];
    CHECK_INT(kmesos_workload_parse("name=a cmd=x cpus=0.5 mem=64 ports=2 instances=3", &w, err,
                                    sizeof err),
              0);
    CHECK(w.cpus == 0.5 && w.mem == 64 && w.ports == 2 && w.instances == 3);
    kmesos_workload_free(&w);
}

/* ---- strings: UTF-8 and %00 ------------------------------------------------- */

static void test_utf8_table(void)
{
    static const char *const ok[] = {"", "abc", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                     "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        CHECK(kmesos_utf8_valid(ok[i], strlen(ok[i])));
    static const char *const bad[] = {"\xff",         "\x80",         "\xc0\xaf",
                                      "\xc1\xbf",     "\xe0\x80\xaf", "\xed\xa0\x80",
                                      "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82",
                                      "a\xc3",        "\xf0\x9f\x98"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!kmesos_utf8_valid(bad[i], strlen(bad[i])));
}

static void test_param_check_names_the_field(void)
{
    kmesos_api_param_error e;
    CHECK_INT(kmesos_api_param_ok("id", 2, "web-0-1", 7, &e), 0);
    /* "web-0-1%00x" decoded: the C string stops at the NUL, the length does not */
    CHECK_INT(kmesos_api_param_ok("id", 2, "web-0-1\0x", 9, &e), -1);
    CHECK_STR(e.field, "id");
    CHECK(strstr(e.error, "NUL byte (%00)") != NULL);
    CHECK_INT(kmesos_api_param_ok("options", 7, "a=\xff", 3, &e), -1);
    CHECK_STR(e.field, "options");
    CHECK(strstr(e.error, "UTF-8") != NULL);
    CHECK_INT(kmesos_api_param_ok("\xff", 1, "1", 1, &e), -1);
    CHECK_STR(e.field, "parameter name");
}

int main(void)
{
    RUN_TEST(test_real_accepts);
    RUN_TEST(test_real_refuses);
    RUN_TEST(test_int_table);
    RUN_TEST(test_duration_table);
    RUN_TEST(test_error_text_names_the_field);
    RUN_TEST(test_checked_conversions);
    RUN_TEST(test_idexpr_same_everywhere);
    RUN_TEST(test_idexpr_walk);
    RUN_TEST(test_broker_settings_refuse_hostile_numbers);
    RUN_TEST(test_client_numbers);
    RUN_TEST(test_workload_numbers);
    RUN_TEST(test_utf8_table);
    RUN_TEST(test_param_check_names_the_field);
    return testlib_finish();
}
