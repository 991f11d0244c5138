/* Tests of the ZooKeeper master detection: the pure znode decoding
 * (master_info.h) on the znodes a real Mesos 1.12 master wrote
 * (tests/data/mesos-captures/master-failover-zk/z2_znodes), on hand-made
 * fallbacks and bad znodes, and under random mutation; and the detector
 * (detector.h) against a real ZooKeeper: the lowest json.info_ child
 * leads, a deleted leader hands over to the next, no child means no
 * leader, and a garbage leader znode is reported and retried. */
#include <stdlib.h>
#include <time.h>
#include <uv.h>

#include "codec/protocol.h"
#include "net/zkc.h"
#include "sched/mesos/detector.h"
#include "sched/mesos/master_info.h"
#include "testlib.h"
#include "zk_server.h"

#define ZNODES KMESOS_TEST_DATA "/mesos-captures/master-failover-zk/z2_znodes/"

static char *capture(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, ZNODES "%s", name);
    char *text = testlib_slurp(path);
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    return text;
}

/* err of a decode that must fail, checked for a phrase */
static void decode_fails(const char *name, const char *data, size_t len, const char *phrase)
{
    char url[300], err[512] = "";
    CHECK_INT(kmesos_master_info_decode(name, data, len, url, sizeof url, err, sizeof err), -1);
    if (!strstr(err, phrase))
        testlib_fail(__FILE__, __LINE__, err);
}

static void decode_is(const char *name, const char *data, const char *want)
{
    char url[300] = "", err[512] = "";
    int rc = kmesos_master_info_decode(name, data, strlen(data), url, sizeof url, err, sizeof err);
    if (rc != 0)
        testlib_fail(__FILE__, __LINE__, err);
    CHECK_STR(url, want);
}

static void test_leader_among_children(void)
{
    /* the names as listed by zkCli before and after the failover */
    char *names0[] = {"json.info_0000000001", "json.info_0000000000"};
    CHECK_INT(kmesos_master_info_leader(names0, 2), 1);
    char *names1[] = {"log_replicas", "json.info_0000000002", "json.info_0000000001"};
    CHECK_INT(kmesos_master_info_leader(names1, 3), 2);
    char *legacy[] = {"json.info_0000000007", "info_0000000003", "other_0000000001"};
    CHECK_INT(kmesos_master_info_leader(legacy, 3), 1);
    char *none[] = {"log_replicas", "json.info_", "json.info_12a", "json.info_00000000001",
                    "xjson.info_0000000001"};
    CHECK_INT(kmesos_master_info_leader(none, 5), -1);
    CHECK_INT(kmesos_master_info_leader(NULL, 0), -1);
}

static void test_decode_capture(void)
{
    char *leader = capture("before_json.info_0000000000.content.txt");
    char *other = capture("before_json.info_0000000001.content.txt");
    decode_is("json.info_0000000000", leader, "http://127.0.0.1:5050");
    decode_is("json.info_0000000001", other, "http://127.0.0.1:5051");
    free(leader);
    free(other);
}

static void test_decode_fallbacks(void)
{
    /* no address: the deprecated ip (network order) and port */
    decode_is("json.info_1", "{\"id\":\"m\",\"ip\":16777343,\"port\":5052,\"hostname\":\"h\"}",
              "http://127.0.0.1:5052");
    /* no ip either: the hostname */
    decode_is("json.info_1", "{\"id\":\"m\",\"ip\":0,\"port\":5053,\"hostname\":\"mesos-a\"}",
              "http://mesos-a:5053");
    /* an address with a hostname only, and an IPv6 one */
    decode_is("json.info_1",
              "{\"id\":\"m\",\"ip\":0,\"port\":1,\"address\":{\"hostname\":\"m1.example\","
              "\"port\":5054}}",
              "http://m1.example:5054");
    decode_is("json.info_1",
              "{\"id\":\"m\",\"ip\":0,\"port\":1,\"address\":{\"ip\":\"::1\",\"port\":5055}}",
              "http://[::1]:5055");
    /* the protobuf label ("info_"), as masters before 0.24 wrote it */
    Mesos__V1__MasterInfo mi = MESOS__V1__MASTER_INFO__INIT;
    mi.id = "m";
    mi.ip = 16777343;
    mi.port = 5056;
    kmesos_buf b;
    kmesos_buf_init(&b);
    CHECK_INT(kmesos_protocol_encode(&mi.base, KMESOS_CT_PROTOBUF, &b), 0);
    char url[300], err[512] = "";
    CHECK_INT(kmesos_master_info_decode("info_0000000003", (const char *)b.data, b.len, url,
                                        sizeof url, err, sizeof err),
              0);
    CHECK_STR(url, "http://127.0.0.1:5056");
    kmesos_buf_free(&b);
}

static void test_decode_bad(void)
{
    const char *ok = "{\"id\":\"m\",\"ip\":0,\"port\":5050,\"hostname\":\"h\"}";
    decode_fails("log_replicas", ok, strlen(ok), "not a master's znode");
    decode_fails("json.info_1", "", 0, "holds 0 bytes");
    decode_fails("json.info_1", "not json", 8, "JSON");
    decode_fails("json.info_1", "[1,2]", 5, "MasterInfo");
    const char *no_port = "{\"id\":\"m\",\"ip\":0,\"hostname\":\"h\"}";
    decode_fails("json.info_1", no_port, strlen(no_port), "port");
    const char *bad_utf8 = "{\"id\":\"m\xff\xfe\",\"ip\":0,\"port\":5050,\"hostname\":\"h\"}";
    decode_fails("json.info_1", bad_utf8, strlen(bad_utf8), "JSON");
    const char *no_host = "{\"id\":\"m\",\"ip\":0,\"port\":5050}";
    decode_fails("json.info_1", no_host, strlen(no_host), "no usable host");
    const char *evil = "{\"id\":\"m\",\"ip\":0,\"port\":5050,\"hostname\":\"h@evil/x\"}";
    decode_fails("json.info_1", evil, strlen(evil), "no usable host");
    const char *port0 =
        "{\"id\":\"m\",\"ip\":0,\"port\":1,\"address\":{\"ip\":\"10.0.0.1\",\"port\":0}}";
    decode_fails("json.info_1", port0, strlen(port0), "not in 1-65535");
    const char *port_big =
        "{\"id\":\"m\",\"ip\":0,\"port\":1,\"address\":{\"ip\":\"10.0.0.1\",\"port\":70000}}";
    decode_fails("json.info_1", port_big, strlen(port_big), "not in 1-65535");
    const char *port_neg =
        "{\"id\":\"m\",\"ip\":0,\"port\":1,\"address\":{\"ip\":\"10.0.0.1\",\"port\":-5}}";
    decode_fails("json.info_1", port_neg, strlen(port_neg), "not in 1-65535");
    decode_fails("info_1", "\xff\xff\xff", 3, "invalid protobuf");
    size_t huge = KMESOS_MASTER_INFO_MAX + 1;
    char *big = malloc(huge);
    memset(big, ' ', huge);
    decode_fails("json.info_1", big, huge, "at most");
    free(big);
}

/* Random byte changes and cuts of a real znode: never a crash, and
 * every failure says why. */
static void test_decode_mutations(void)
{
    char *orig = capture("before_json.info_0000000000.content.txt");
    size_t n = strlen(orig);
    char *buf = malloc(n + 1);
    unsigned seed = 12345;
    int failed = 0;
    for (int i = 0; i < 3000; i++) {
        memcpy(buf, orig, n + 1);
        size_t len = n;
        for (int k = 0; k < 1 + i % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % n] = (char)(seed >> 20);
        }
        if (i % 5 == 0)
            len = (seed >> 4) % n;
        char url[300], err[512] = "";
        int rc = kmesos_master_info_decode(i % 2 ? "json.info_9" : "info_9", buf, len, url,
                                           sizeof url, err, sizeof err);
        if (rc != 0 && !err[0])
            failed++;
        if (rc == 0 && strncmp(url, "http://", 7) != 0)
            failed++;
    }
    CHECK_INT(failed, 0);
    free(buf);
    free(orig);
}

/* ---- the detector against a real server ----------------------------------------- */

static zk_server zk;

typedef struct seen {
    int calls, done;
    char url[128];
    char path[128];
} seen;

static void on_leader(void *arg, const char *url)
{
    seen *s = arg;
    s->calls++;
    snprintf(s->url, sizeof s->url, "%s", url ? url : "(none)");
}

static void on_created(void *arg, int rc, const char *path)
{
    seen *s = arg;
    CHECK_INT(rc, KMESOS_ZKC_OK);
    snprintf(s->path, sizeof s->path, "%s", path ? path : "");
    s->done++;
}

static void on_done(void *arg, int rc, int version)
{
    (void)version;
    seen *s = arg;
    CHECK_INT(rc, KMESOS_ZKC_OK);
    s->done++;
}

static void on_session(void *arg, kmesos_zkc_event ev)
{
    if (ev == KMESOS_ZKC_CONNECTED)
        ((seen *)arg)->done++;
}

static void on_tick(uv_timer_t *t) { (void)t; }

/* Runs the loop until s->url is want (or, with want NULL, until *flag
 * reaches n); 10 s at most. */
static int run_until(uv_loop_t *loop, seen *s, const char *want, const int *flag, int n)
{
    uv_timer_t tick;
    uv_timer_init(loop, &tick);
    uv_timer_start(&tick, on_tick, 20, 20);
    time_t deadline = time(NULL) + 10;
    while (time(NULL) < deadline && (want ? strcmp(s->url, want) != 0 : *flag < n))
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return want ? strcmp(s->url, want) == 0 : *flag >= n;
}

static const char *info_json(int port)
{
    static char buf[256];
    snprintf(buf, sizeof buf,
             "{\"address\":{\"hostname\":\"127.0.0.1\",\"ip\":\"127.0.0.1\",\"port\":%d},"
             "\"hostname\":\"127.0.0.1\",\"id\":\"m%d\",\"ip\":16777343,\"port\":%d}",
             port, port, port);
    return buf;
}

static void create(uv_loop_t *loop, kmesos_zkc *z, seen *w, const char *path, const char *data)
{
    int before = w->done;
    CHECK_INT(kmesos_zkc_create(z, path, data, (int)strlen(data),
                                KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_SEQUENCE | KMESOS_ZKC_PARENTS,
                                on_created, w),
              0);
    CHECK(run_until(loop, w, NULL, &w->done, before + 1));
}

static void test_detector_follows_the_leader(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char hosts[64], url[128], err[512];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%d", zk.port);
    snprintf(url, sizeof url, "zk://%s/mesos", hosts);
    seen w = {0}, s = {0};
    kmesos_zkc *z = kmesos_zkc_new(&loop, hosts, 4000, on_session, &w);
    CHECK(run_until(&loop, &w, NULL, &w.done, 1));
    kmesos_detector *d = kmesos_detector_new(&loop, url, on_leader, &s, err, sizeof err);
    CHECK(d != NULL);
    /* no group znode yet, then a garbage member: no leader */
    create(&loop, z, &w, "/mesos/json.info_", "garbage");
    char garbage[128];
    snprintf(garbage, sizeof garbage, "%s", w.path);
    create(&loop, z, &w, "/mesos/json.info_", info_json(5051));
    CHECK(kmesos_detector_leader(d) == NULL);
    /* the garbage leader goes: the next member leads */
    int before = w.done;
    CHECK_INT(kmesos_zkc_delete(z, garbage, -1, on_done, &w), 0);
    CHECK(run_until(&loop, &w, NULL, &w.done, before + 1));
    CHECK(run_until(&loop, &s, "http://127.0.0.1:5051", NULL, 0));
    CHECK_STR(kmesos_detector_leader(d), "http://127.0.0.1:5051");
    char first[128];
    snprintf(first, sizeof first, "%s", w.path);
    /* a later member changes nothing; deleting the leader hands over */
    create(&loop, z, &w, "/mesos/json.info_", info_json(5052));
    int calls = s.calls;
    before = w.done;
    CHECK_INT(kmesos_zkc_delete(z, first, -1, on_done, &w), 0);
    CHECK(run_until(&loop, &s, "http://127.0.0.1:5052", NULL, 0));
    CHECK_INT(s.calls, calls + 1);
    /* the last member goes: no leader */
    before = w.done;
    CHECK_INT(kmesos_zkc_delete(z, w.path, -1, on_done, &w), 0);
    CHECK(run_until(&loop, &s, "(none)", NULL, 0));
    CHECK(kmesos_detector_leader(d) == NULL);
    kmesos_detector_close(d);
    kmesos_zkc_close(z);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

static void test_detector_bad_url(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[512] = "";
    seen s = {0};
    CHECK(kmesos_detector_new(&loop, "zk://h:2181", on_leader, &s, err, sizeof err) == NULL);
    CHECK(strstr(err, "no znode path") != NULL);
    CHECK(kmesos_detector_is_zk(" zk://h:1/x") && !kmesos_detector_is_zk("h:5050"));
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
    RUN_TEST(test_leader_among_children);
    RUN_TEST(test_decode_capture);
    RUN_TEST(test_decode_fallbacks);
    RUN_TEST(test_decode_bad);
    RUN_TEST(test_decode_mutations);
    RUN_TEST(test_detector_bad_url);
    if (zk_server_start(&zk) != 0) {
        printf("# SKIP server tests: no ZooKeeper server could be started (%s; "
               "scripts/install-deps.sh installs the zookeeper package)\n", ZK_SERVER_JAR);
    } else {
        RUN_TEST(test_detector_follows_the_leader);
    }
    zk_server_stop(&zk);
    return testlib_finish();
}
