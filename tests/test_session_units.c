/* test_session_units: the pure parts of the session: --master parsing,
 * 307 Location resolution (scheme-relative, with the /master prefix of a
 * real master) and the bounds of the jittered backoff. */
#include <stdlib.h>

#include "sched/mesos/backoff.h"
#include "sched/mesos/master_url.h"
#include "testlib.h"

static void parse_ok(const char *spec, size_t n, const char *const *want)
{
    kmesos_master_url_list l;
    char err[256] = "";
    int rc = kmesos_master_url_parse(spec, &l, err, sizeof err);
    CHECK_INT(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "  %s: %s\n", spec, err);
        return;
    }
    CHECK_INT(l.n, n);
    for (size_t i = 0; i < n && i < l.n; i++)
        CHECK_STR(l.urls[i], want[i]);
    kmesos_master_url_list_free(&l);
}

static void parse_fails(const char *spec, const char *needle)
{
    kmesos_master_url_list l;
    char err[256] = "";
    CHECK_INT(kmesos_master_url_parse(spec, &l, err, sizeof err), -1);
    CHECK_INT(l.n, 0);
    CHECK(l.urls == NULL);
    if (!strstr(err, needle)) {
        fprintf(stderr, "  error for '%s' was '%s'\n", spec ? spec : "(null)", err);
        CHECK(strstr(err, needle) != NULL);
    }
}

static void test_master_host_port(void)
{
    const char *one[] = {"http://127.0.0.1:5050/api/v1/scheduler"};
    parse_ok("127.0.0.1:5050", 1, one);
    parse_ok("  127.0.0.1:5050 ", 1, one);
    const char *dflt[] = {"http://mesos-master:5050/api/v1/scheduler"};
    parse_ok("mesos-master", 1, dflt);
    const char *two[] = {"http://h1:5050/api/v1/scheduler", "http://h2:5051/api/v1/scheduler"};
    parse_ok("h1:5050,h2:5051", 2, two);
    parse_ok("h1:5050, h2:5051", 2, two);
}

static void test_master_schemes(void)
{
    const char *http[] = {"http://m1:5050/api/v1/scheduler"};
    parse_ok("http://m1:5050", 1, http);
    parse_ok("http://m1:5050/", 1, http);
    parse_ok("http://m1:5050/api/v1/scheduler", 1, http);
    const char *https[] = {"https://m1:8443/api/v1/scheduler", "https://m2/api/v1/scheduler"};
    parse_ok("https://m1:8443,https://m2", 2, https);
    const char *prefix[] = {"http://m1:5050/master/api/v1/scheduler"};
    parse_ok("http://m1:5050/master", 1, prefix);
    const char *mixed[] = {"https://m1:5050/api/v1/scheduler", "http://m2:5050/api/v1/scheduler"};
    parse_ok("HTTPS://m1:5050,m2", 2, mixed);
}

static void test_master_errors(void)
{
    parse_fails("zk://127.0.0.1:2181/mesos", "not a list of masters");
    parse_fails("zk://u:p@h1:2181,h2:2181/mesos", "not a list of masters");
    parse_fails("", "empty master address");
    parse_fails(NULL, "empty master address");
    parse_fails("h1:5050,,h2:5050", "empty master address");
    parse_fails("h1:5050,", "empty master address");
    parse_fails("ftp://h1:21", "unsupported scheme");
    parse_fails("h1:notaport", "invalid master address");
}

static void resolve_is(const char *base, const char *loc, const char *want)
{
    char err[256] = "";
    char *got = kmesos_master_url_resolve(base, loc, err, sizeof err);
    CHECK_STR(got, want);
    if (!got)
        fprintf(stderr, "  %s\n", err);
    free(got);
}

static void test_location_resolution(void)
{
    /* as recorded from a real non-leading master */
    resolve_is("http://127.0.0.1:5050/api/v1/scheduler",
               "//127.0.0.1:5051/master/api/v1/scheduler",
               "http://127.0.0.1:5051/master/api/v1/scheduler");
    resolve_is("https://m1:5050/api/v1/scheduler", "//m2:5051/master/api/v1/scheduler",
               "https://m2:5051/master/api/v1/scheduler");
    resolve_is("http://m1:5050/api/v1/scheduler", "http://m2:5050/api/v1/scheduler",
               "http://m2:5050/api/v1/scheduler");
    resolve_is("http://m1:5050/api/v1/scheduler", "/master/api/v1/scheduler",
               "http://m1:5050/master/api/v1/scheduler");
    char err[256] = "";
    CHECK(kmesos_master_url_resolve("http://m1:5050/x", "", err, sizeof err) == NULL);
    CHECK(kmesos_master_url_resolve("http://m1:5050/x", NULL, err, sizeof err) == NULL);
    CHECK(kmesos_master_url_resolve("http://m1:5050/x", "ftp://m2/x", err, sizeof err) == NULL);
    CHECK(strstr(err, "unsupported scheme") != NULL);
}

static void test_backoff_bounds(void)
{
    for (uint64_t seed = 1; seed <= 50; seed++) {
        kmesos_backoff b;
        kmesos_backoff_init(&b, 0.5, 30.0, seed * 7919);
        double ceiling = 0.5;
        for (int i = 0; i < 40; i++) {
            double c = kmesos_backoff_ceiling(&b);
            CHECK(c == ceiling);
            double d = kmesos_backoff_next(&b);
            CHECK(d >= c / 2 && d <= c);
            CHECK(d <= 30.0);
            ceiling = ceiling * 2 > 30.0 ? 30.0 : ceiling * 2;
        }
        kmesos_backoff_reset(&b);
        double d = kmesos_backoff_next(&b);
        CHECK(d >= 0.25 && d <= 0.5);
    }
}

static void test_backoff_jitter_spreads(void)
{
    kmesos_backoff b;
    kmesos_backoff_init(&b, 1.0, 1.0, 42);
    double lo = 1.0, hi = 0.0;
    for (int i = 0; i < 1000; i++) {
        double d = kmesos_backoff_next(&b);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    CHECK(lo >= 0.5 && lo < 0.55); /* uses the whole [c/2, c] range */
    CHECK(hi <= 1.0 && hi > 0.95);
}

static void test_backoff_defaults(void)
{
    kmesos_backoff b;
    kmesos_backoff_init(&b, 0, 0, 0);
    CHECK(b.base_s == 0.5);
    CHECK(b.cap_s == 0.5);
    CHECK(b.rng != 0);
    CHECK(kmesos_backoff_next(&b) <= 0.5);
}

/* The credentials rule's comparison: a 307 from https to http (any host)
 * is never trusted; ports default by scheme; hosts compare without case. */
static void test_redirect_relation(void)
{
    const char *a = "http://m1:5050/api/v1/scheduler";
    CHECK_INT(kmesos_master_url_relation(a, "http://M1:5050/api/v1/scheduler"),
              KMESOS_MASTER_URL_SAME_ORIGIN);
    CHECK_INT(kmesos_master_url_relation(a, "http://m2:5050/api/v1/scheduler"),
              KMESOS_MASTER_URL_SAME_PORT);
    CHECK_INT(kmesos_master_url_relation(a, "http://m1:5051/api/v1/scheduler"),
              KMESOS_MASTER_URL_SAME_SCHEME);
    CHECK_INT(kmesos_master_url_relation(a, "https://m1:5050/api/v1/scheduler"),
              KMESOS_MASTER_URL_NO_TRUST);
    CHECK_INT(kmesos_master_url_relation("https://m1/api/v1/scheduler",
                                         "http://evil:443/api/v1/scheduler"),
              KMESOS_MASTER_URL_NO_TRUST);
    CHECK_INT(kmesos_master_url_relation("https://m1/x", "https://m1:443/y"),
              KMESOS_MASTER_URL_SAME_ORIGIN);
    CHECK_INT(kmesos_master_url_relation(a, "not a url"), KMESOS_MASTER_URL_NO_TRUST);
    CHECK_INT(kmesos_master_url_relation(NULL, a), KMESOS_MASTER_URL_NO_TRUST);
}

int main(void)
{
    RUN_TEST(test_redirect_relation);
    RUN_TEST(test_master_host_port);
    RUN_TEST(test_master_schemes);
    RUN_TEST(test_master_errors);
    RUN_TEST(test_location_resolution);
    RUN_TEST(test_backoff_bounds);
    RUN_TEST(test_backoff_jitter_spreads);
    RUN_TEST(test_backoff_defaults);
    return testlib_finish();
}
