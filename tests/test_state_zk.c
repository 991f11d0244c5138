/* Tests of the ZooKeeper state store (state_zk.h, and the --state store
 * in state.h over it): zk URL parsing and its errors, a bounded failure
 * when nothing listens, and against a real ZooKeeper server (Debian's
 * zookeeper package, started here standalone on a free loopback port):
 * parents created, saves coalesced, a second writer detected and logged
 * while the store keeps going, a scheduler state round trip, and a
 * corrupt znode refused and left untouched. The server part is skipped
 * with a message when the zookeeper package is not installed. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "sched/state/state.h"
#include "sched/state/state_zk.h"
#include "sched/workload.h"
#include "fake_io.h"
#include "testlib.h"
#include "zk_server.h"

static void test_parse(void)
{
    char *h, *p, err[256];
    unsetenv("KMESOS_ZK");
    CHECK_INT(kmesos_state_zk_parse("zk:/kafka-mesos/a", &h, &p, err, sizeof err), 0);
    CHECK_STR(h, KMESOS_STATE_ZK_DEFAULT);
    CHECK_STR(p, "/kafka-mesos/a");
    free(h), free(p);
    setenv("KMESOS_ZK", "zk1:2181,zk2:2182", 1);
    CHECK_INT(kmesos_state_zk_parse("zk:/x", &h, &p, err, sizeof err), 0);
    CHECK_STR(h, "zk1:2181,zk2:2182");
    free(h), free(p);
    unsetenv("KMESOS_ZK");
    CHECK_INT(kmesos_state_zk_parse("zk://a:1,b:2/k/m", &h, &p, err, sizeof err), 0);
    CHECK_STR(h, "a:1,b:2");
    CHECK_STR(p, "/k/m");
    free(h), free(p);
    static const char *const bad[][2] = {
        {"zk:kafka", "not a znode path"},       {"zk:/", "not a znode path"},
        {"zk:/a/", "not a znode path"},         {"zk:/a//b", "not a znode path"},
        {"zk:/a/../b", "not a znode path"},     {"zk://h:1", "no znode path"},
        {"zk:///x", "bad server list"},         {"zk://a:1,,b:2/x", "bad server list"},
        {"file:/x", "not a zk: URL"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_INT(kmesos_state_zk_parse(bad[i][0], &h, &p, err, sizeof err), -1);
        CHECK(h == NULL && p == NULL);
        if (!strstr(err, bad[i][1]))
            testlib_fail(__FILE__, __LINE__, err);
    }
}

static void test_unreachable_is_bounded(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char url[128], err[512], *text = NULL;
    snprintf(url, sizeof url, "zk://127.0.0.1:%d/kmesos/x", zk_server_free_port());
    kmesos_state_zk *z = kmesos_state_zk_new(&loop, url, err, sizeof err);
    CHECK(z != NULL);
    time_t t0 = time(NULL);
    CHECK_INT(kmesos_state_zk_load(z, 800, &text, err, sizeof err), -1);
    CHECK(time(NULL) - t0 <= 3);
    CHECK(strstr(err, "is ZooKeeper running") != NULL);
    kmesos_state_zk_close(z, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    kmesos_state_zk_free(z);
    uv_loop_close(&loop);
}

/* ---- a real server ------------------------------------------------------------------ */

static zk_server zk;

static void on_wake(uv_timer_t *t) { (void)t; }

/* Runs the loop until z has nothing left to write (10 s at most). */
static int run_until_idle(uv_loop_t *loop, kmesos_state_zk *z)
{
    uv_timer_t wake;
    uv_timer_init(loop, &wake);
    uv_timer_start(&wake, on_wake, 50, 50);
    time_t deadline = time(NULL) + 10;
    while (!kmesos_state_zk_idle(z) && time(NULL) < deadline)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&wake, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return kmesos_state_zk_idle(z);
}

/* Reads the znode through a store of its own, on a loop of its own. */
static char *zk_read(const char *url)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[512], *text = NULL;
    kmesos_state_zk *z = kmesos_state_zk_new(&loop, url, err, sizeof err);
    if (z && kmesos_state_zk_load(z, 15000, &text, err, sizeof err) < 0)
        testlib_fail(__FILE__, __LINE__, err);
    kmesos_state_zk_close(z, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    kmesos_state_zk_free(z);
    uv_loop_close(&loop);
    return text;
}

static void test_writes_coalesce_and_conflicts_are_survived(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char url[128], err[512], *text = NULL;
    snprintf(url, sizeof url, "zk://127.0.0.1:%d/kmesos/deep/doc", zk.port);
    kmesos_state_zk *a = kmesos_state_zk_new(&loop, url, err, sizeof err);
    int rc = kmesos_state_zk_load(a, 15000, &text, err, sizeof err);
    if (rc != 1) /* fresh */
        testlib_fail(__FILE__, __LINE__, err);
    kmesos_state_zk_save(a, strdup("doc1"));
    kmesos_state_zk_save(a, strdup("doc2"));
    kmesos_state_zk_save(a, strdup("doc3"));
    CHECK(run_until_idle(&loop, a));
    CHECK(kmesos_state_zk_writes(a) <= 2); /* doc2 was superseded by doc3 */
    text = zk_read(url);
    CHECK_STR(text, "doc3");
    free(text);

    /* a second writer: a's next write finds a newer version, logs it
     * and keeps going (its own document wins) */
    kmesos_state_zk *b = kmesos_state_zk_new(&loop, url, err, sizeof err);
    CHECK_INT(kmesos_state_zk_load(b, 15000, &text, err, sizeof err), 0);
    CHECK_STR(text, "doc3");
    free(text);
    kmesos_state_zk_save(b, strdup("from-b"));
    CHECK(run_until_idle(&loop, b));
    unsigned before = kmesos_state_zk_writes(a);
    kmesos_state_zk_save(a, strdup("doc4"));
    CHECK(run_until_idle(&loop, a));
    CHECK_INT(kmesos_state_zk_writes(a), before + 1);
    text = zk_read(url);
    CHECK_STR(text, "doc4");
    free(text);
    kmesos_state_zk_close(a, 1000);
    kmesos_state_zk_close(b, 1000);
    uv_run(&loop, UV_RUN_DEFAULT);
    kmesos_state_zk_free(a);
    kmesos_state_zk_free(b);
    uv_loop_close(&loop);
}

static void make_sched(kmesos_scheduler *s)
{
    fake_io_quiet_scheduler(s, "name=web cmd=true instances=2");
}

/* Loads url into a fresh scheduler s; returns what the load returned. */
static int store_load(uv_loop_t *loop, const char *url, kmesos_scheduler *s, char *err,
                      size_t errlen)
{
    make_sched(s);
    kmesos_state_doc d;
    kmesos_state_doc_init(&d, s);
    kmesos_state_store *st = kmesos_state_open(loop, url, err, errlen);
    int rc = st ? kmesos_state_store_load(st, &d, err, errlen) : -2;
    kmesos_state_store_close(st);
    uv_run(loop, UV_RUN_DEFAULT);
    kmesos_state_store_free(st);
    return rc;
}

static void test_scheduler_state_round_trip_and_corrupt_znode(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char url[128], err[1024];
    snprintf(url, sizeof url, "zk://127.0.0.1:%d/kmesos/sched", zk.port);
    kmesos_scheduler a, b;
    kmesos_state_doc da;
    make_sched(&a);
    kmesos_state_doc_init(&da, &a);
    kmesos_state_store *st = kmesos_state_open(&loop, url, err, sizeof err);
    CHECK_INT(kmesos_state_store_load(st, &da, err, sizeof err), 1);
    kmesos_scheduler_fill_slots(&a);
    kmesos_scheduler_set_framework_id(&a, "fw-zk");
    kmesos_task *t = a.tasks.by_id;
    kmesos_tasks_launched(&a.tasks, t, "agent-9", "host-9", 1);
    char launched[64];
    snprintf(launched, sizeof launched, "%s", t->id);
    kmesos_state_store_save(st, &da);
    kmesos_state_store_close(st); /* flushes the write, then closes */
    uv_run(&loop, UV_RUN_DEFAULT);
    kmesos_state_store_free(st);
    kmesos_scheduler_free(&a);

    CHECK_INT(store_load(&loop, url, &b, err, sizeof err), 0);
    CHECK_STR(b.framework_id, "fw-zk");
    kmesos_task *r = kmesos_tasks_find(&b.tasks, launched);
    CHECK(r && strcmp(r->agent_id, "agent-9") == 0);
    kmesos_scheduler_free(&b);

    /* corrupt the znode: refused, and still corrupt afterwards */
    char *dummy = NULL;
    kmesos_state_zk *z = kmesos_state_zk_new(&loop, url, err, sizeof err);
    CHECK_INT(kmesos_state_zk_load(z, 15000, &dummy, err, sizeof err), 0);
    free(dummy);
    kmesos_state_zk_save(z, strdup("{"));
    CHECK(run_until_idle(&loop, z));
    kmesos_state_zk_close(z, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    kmesos_state_zk_free(z);
    CHECK_INT(store_load(&loop, url, &b, err, sizeof err), -1);
    CHECK(strstr(err, "state znode") && strstr(err, "never overwritten"));
    kmesos_scheduler_free(&b);
    char *text = zk_read(url);
    CHECK_STR(text, "{");
    free(text);
    uv_loop_close(&loop);
}

/* --ha: the gate is asked as each write leaves; a refused write (and
 * what waits behind it) is dropped and the znode keeps what it had. */
static int gate_open;
static int gate(void *arg)
{
    (void)arg;
    return gate_open;
}

static void test_gate_refuses_writes(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char url[128], err[512], *text = NULL;
    snprintf(url, sizeof url, "zk://127.0.0.1:%d/kmesos/gated", zk.port);
    kmesos_state_zk *z = kmesos_state_zk_new(&loop, url, err, sizeof err);
    kmesos_state_zk_set_gate(z, gate, NULL);
    CHECK_INT(kmesos_state_zk_load(z, 5000, &text, err, sizeof err), 1);
    gate_open = 1;
    kmesos_state_zk_save(z, strdup("leader"));
    CHECK(run_until_idle(&loop, z));
    CHECK_INT(kmesos_state_zk_writes(z), 1);
    gate_open = 0; /* deposed */
    kmesos_state_zk_save(z, strdup("deposed"));
    CHECK(run_until_idle(&loop, z));
    CHECK_INT(kmesos_state_zk_writes(z), 1);
    text = zk_read(url);
    CHECK_STR(text, "leader");
    free(text);
    kmesos_state_zk_close(z, 1000);
    uv_run(&loop, UV_RUN_DEFAULT);
    kmesos_state_zk_free(z);
    uv_loop_close(&loop);
}

/* --ha: the load while the loop runs; its answer comes from the loop. */
typedef struct async_load {
    int calls, rc;
    char *text;
} async_load;

static void on_async_loaded(void *arg, int rc, char *text, const char *err)
{
    (void)err;
    async_load *l = arg;
    l->calls++;
    l->rc = rc;
    l->text = text;
}

static void test_load_async(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char url[128], err[512];
    snprintf(url, sizeof url, "zk://127.0.0.1:%d/kmesos/gated", zk.port); /* written above */
    kmesos_state_zk *z = kmesos_state_zk_new(&loop, url, err, sizeof err);
    async_load l = {0};
    CHECK_INT(kmesos_state_zk_load_async(z, 5000, on_async_loaded, &l, err, sizeof err), 0);
    CHECK_INT(l.calls, 0); /* not before the loop runs */
    CHECK_INT(kmesos_state_zk_load_async(z, 5000, on_async_loaded, &l, err, sizeof err), -1);
    time_t deadline = time(NULL) + 10;
    while (!l.calls && time(NULL) < deadline)
        uv_run(&loop, UV_RUN_ONCE);
    CHECK_INT(l.calls, 1);
    CHECK_INT(l.rc, 0);
    CHECK_STR(l.text, "leader");
    free(l.text);
    kmesos_state_zk_close(z, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    kmesos_state_zk_free(z);
    uv_loop_close(&loop);
}

int main(void)
{
    RUN_TEST(test_parse);
    RUN_TEST(test_unreachable_is_bounded);
    if (zk_server_start(&zk) != 0) {
        printf("# SKIP server tests: no ZooKeeper server could be started (%s; "
               "scripts/install-deps.sh installs the zookeeper package)\n", ZK_SERVER_JAR);
    } else {
        RUN_TEST(test_writes_coalesce_and_conflicts_are_survived);
        RUN_TEST(test_scheduler_state_round_trip_and_corrupt_znode);
        RUN_TEST(test_gate_refuses_writes);
        RUN_TEST(test_load_async);
    }
    zk_server_stop(&zk);
    return testlib_finish();
}
