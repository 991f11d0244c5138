/* test_api_guard: the admin API's gate (sched/api/guard.h) without a
 * server: Host (DNS rebinding), Origin (a form POST from another page),
 * the bearer token (required on changes only, compared exactly), and the
 * token file's errors (missing, empty, blank). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sched/api/guard.h"
#include "testlib.h"

static char dir[] = "/tmp/kmesos-guard-XXXXXX";

static unsigned check(const kmesos_api_guard *g, const char *method, const char *url,
                      const char *host, const char *origin, const char *auth)
{
    kmesos_api_guard_req r = {method, url, host, origin, auth};
    char msg[160];
    return kmesos_api_guard_check(g, &r, msg, sizeof msg);
}

static void test_host(void)
{
    kmesos_api_guard g = {0};
    strcpy(g.hostname, "sched1");
    g.hosts[g.n_hosts++] = "api.example";
    CHECK_INT(check(&g, "GET", "/api/status", "127.0.0.1:7000", NULL, NULL), 0);
    CHECK_INT(check(&g, "GET", "/api/status", "10.1.2.3", NULL, NULL), 0);
    CHECK_INT(check(&g, "GET", "/api/status", "[::1]:7000", NULL, NULL), 0);
    CHECK_INT(check(&g, "GET", "/api/status", "localhost:7000", NULL, NULL), 0);
    CHECK_INT(check(&g, "GET", "/api/status", "SCHED1:7000", NULL, NULL), 0);
    CHECK_INT(check(&g, "GET", "/api/status", "api.example:7000", NULL, NULL), 0);
    /* DNS rebinding: the attacker's name resolving to us */
    CHECK_INT(check(&g, "GET", "/api/status", "evil.example:7000", NULL, NULL), 403);
    CHECK_INT(check(&g, "POST", "/api/teardown", "evil.example:7000", NULL, NULL), 403);
    CHECK_INT(check(&g, "GET", "/api/status", NULL, NULL, NULL), 403);
    CHECK_INT(check(&g, "GET", "/api/status", "", NULL, NULL), 403);
    CHECK_INT(check(&g, "GET", "/api/status", "[::1", NULL, NULL), 403);
    /* the fetcher's downloads go by any name */
    CHECK_INT(check(&g, "GET", "/files/kmesos-executor", "evil.example", NULL, NULL), 0);
    CHECK_INT(check(&g, "POST", "/files/kmesos-executor", "evil.example", NULL, NULL), 403);
}

static void test_origin(void)
{
    kmesos_api_guard g = {0};
    CHECK_INT(check(&g, "POST", "/api/teardown", "127.0.0.1:7000", "http://evil.example", NULL),
              403);
    CHECK_INT(check(&g, "POST", "/api/teardown", "127.0.0.1:7000", "null", NULL), 403);
    CHECK_INT(check(&g, "POST", "/api/teardown", "127.0.0.1:7000", "http://127.0.0.1:7001",
                    NULL), 403);
    CHECK_INT(check(&g, "POST", "/api/teardown", "127.0.0.1:7000", "https://127.0.0.1:7000",
                    NULL), 403);
    CHECK_INT(check(&g, "GET", "/api/status", "127.0.0.1:7000", "http://evil.example", NULL),
              403);
    CHECK_INT(check(&g, "POST", "/api/teardown", "127.0.0.1:7000", "http://127.0.0.1:7000",
                    NULL), 0);
    g.tls = 1;
    CHECK_INT(check(&g, "POST", "/api/teardown", "127.0.0.1:7000", "http://127.0.0.1:7000",
                    NULL), 403);
    CHECK_INT(check(&g, "POST", "/api/teardown", "127.0.0.1:7000", "https://127.0.0.1:7000",
                    NULL), 0);
}

static void test_token(void)
{
    kmesos_api_guard g = {0};
    char err[256];
    const char *path = testlib_write_file(dir, "token", "s3cret-token\n");
    CHECK_INT(kmesos_api_guard_load_token(&g, path, err, sizeof err), 0);
    CHECK_STR(g.token, "s3cret-token");
    const char *h = "127.0.0.1:7000";
    CHECK_INT(check(&g, "GET", "/api/status", h, NULL, NULL), 0);
    CHECK_INT(check(&g, "POST", "/api/teardown", h, NULL, NULL), 401);
    CHECK_INT(check(&g, "DELETE", "/api/teardown", h, NULL, NULL), 401);
    CHECK_INT(check(&g, "POST", "/api/teardown", h, NULL, "Bearer s3cret-toke"), 401);
    CHECK_INT(check(&g, "POST", "/api/teardown", h, NULL, "Bearer s3cret-token2"), 401);
    CHECK_INT(check(&g, "POST", "/api/teardown", h, NULL, "Basic s3cret-token"), 401);
    CHECK_INT(check(&g, "POST", "/api/teardown", h, NULL, "Bearer "), 401);
    CHECK_INT(check(&g, "POST", "/api/teardown", h, NULL, "Bearer s3cret-token"), 0);
    CHECK_INT(check(&g, "POST", "/api/teardown", h, NULL, "bearer s3cret-token"), 0);
    /* Origin and Host still apply with a right token */
    CHECK_INT(check(&g, "POST", "/api/teardown", h, "http://evil.example", "Bearer s3cret-token"),
              403);
    kmesos_api_guard_free(&g);
    CHECK(g.token == NULL);
}

static void test_token_file_errors(void)
{
    kmesos_api_guard g = {0};
    char err[256] = "";
    char missing[300];
    snprintf(missing, sizeof missing, "%s/none", dir);
    CHECK_INT(kmesos_api_guard_load_token(&g, missing, err, sizeof err), -1);
    CHECK(strstr(err, "--api-token-file") && strstr(err, "No such file"));
    CHECK_INT(kmesos_api_guard_load_token(&g, testlib_write_file(dir, "empty", ""), err,
                                          sizeof err), -1);
    CHECK(strstr(err, "empty") != NULL);
    CHECK_INT(kmesos_api_guard_load_token(&g, testlib_write_file(dir, "blank", " \n\n"), err,
                                          sizeof err), -1);
    CHECK(strstr(err, "empty") != NULL);
    CHECK_INT(kmesos_api_guard_load_token(&g, testlib_write_file(dir, "sp", "a b\n"), err,
                                          sizeof err), -1);
    CHECK(strstr(err, "printable") != NULL);
    CHECK(g.token == NULL);
}

static void test_loopback(void)
{
    CHECK(kmesos_api_guard_is_loopback("127.0.0.1"));
    CHECK(kmesos_api_guard_is_loopback("127.9.0.1"));
    CHECK(!kmesos_api_guard_is_loopback("0.0.0.0"));
    CHECK(!kmesos_api_guard_is_loopback("10.0.0.1"));
    CHECK(!kmesos_api_guard_is_loopback("localhost"));
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN_TEST(test_host);
    RUN_TEST(test_origin);
    RUN_TEST(test_token);
    RUN_TEST(test_token_file_errors);
    RUN_TEST(test_loopback);
    int rc = testlib_finish();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
