/* Tests of the shared ZooKeeper pieces: the zk URL parser (codec/zkurl.h:
 * good URLs, credentials, and bad URLs with the part that is wrong), and
 * the asynchronous client (net/zkc.h) against a real ZooKeeper server:
 * sessions, ephemeral sequential znodes listed in order, a children watch
 * that fires when one is deleted, data with versions, parents created on
 * demand, a closed client's ephemerals gone at once for a second
 * client, digest credentials, and an expired session replaced by a new
 * one. The server part is skipped when the zookeeper package is not
 * installed. */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

#include "codec/zkurl.h"
#include "net/zkc.h"
#include "testlib.h"
#include "zk_server.h"

static void test_url_parse(void)
{
    kmesos_zkurl u;
    char err[512];
    CHECK_INT(kmesos_zkurl_parse("zk://zk1:2181,zk2:2182/mesos", &u, err, sizeof err), 0);
    CHECK_STR(u.hosts, "zk1:2181,zk2:2182");
    CHECK_STR(u.path, "/mesos");
    CHECK(u.user == NULL && u.pass == NULL);
    kmesos_zkurl_free(&u);
    CHECK_INT(kmesos_zkurl_parse("zk://bob:s3:cr@t@10.0.0.1:2181/a/b", &u, err, sizeof err), 0);
    CHECK_STR(u.user, "bob");
    CHECK_STR(u.pass, "s3:cr@t");
    CHECK_STR(u.hosts, "10.0.0.1:2181");
    CHECK_STR(u.path, "/a/b");
    kmesos_zkurl_free(&u);
}

static void test_url_bad(void)
{
    static const char *const bad[][2] = {
        {"http://h:1/x", "not a zk:// URL"},
        {"zk://h:1", "no znode path"},
        {"zk:///x", "bad server list"},
        {"zk://h/x", "bad server list"},
        {"zk://h:0/x", "bad server list"},
        {"zk://h:65536/x", "bad server list"},
        {"zk://h:12a/x", "bad server list"},
        {"zk://:1/x", "bad server list"},
        {"zk://a:1,,b:2/x", "bad server list"},
        {"zk://a:1,/x", "bad server list"},
        {"zk://a:1/", "not a znode path"},
        {"zk://a:1/x/", "not a znode path"},
        {"zk://a:1/x//y", "not a znode path"},
        {"zk://a:1/x/../y", "not a znode path"},
        {"zk://a:1/x/..", "not a znode path"},
        {"zk://bob@a:1/x", "user:password"},
        {"zk://:pw@a:1/x", "user:password"},
        {"zk://bob:@a:1/x", "user:password"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kmesos_zkurl u;
        char err[512] = "";
        CHECK_INT(kmesos_zkurl_parse(bad[i][0], &u, err, sizeof err), -1);
        CHECK(u.hosts == NULL && u.path == NULL && u.user == NULL);
        if (!strstr(err, bad[i][1]))
            testlib_fail(__FILE__, __LINE__, err);
    }
    /* a password never shows in the message */
    kmesos_zkurl u;
    char err[512] = "";
    CHECK_INT(kmesos_zkurl_parse("zk://bob:hunter2@a:1/x/", &u, err, sizeof err), -1);
    CHECK(strstr(err, "hunter2") == NULL && strstr(err, "not a znode path") != NULL);
}

/* ---- a real server ---------------------------------------------------------------- */

static zk_server zk;

typedef struct probe {
    int connected, expired, disconnected;
    int rc, version, count, done, watched;
    kmesos_zkc_watch_type wtype;
    char path[160], data[64], names[8][40];
} probe;

static void on_session(void *arg, kmesos_zkc_event ev)
{
    probe *p = arg;
    if (ev == KMESOS_ZKC_CONNECTED)
        p->connected++;
    else if (ev == KMESOS_ZKC_DISCONNECTED)
        p->disconnected++;
    else
        p->expired++;
}

static void on_created(void *arg, int rc, const char *path)
{
    probe *p = arg;
    p->rc = rc;
    snprintf(p->path, sizeof p->path, "%s", path ? path : "");
    p->done++;
}

static void on_children(void *arg, int rc, char *const *names, int count)
{
    probe *p = arg;
    p->rc = rc;
    p->count = count;
    for (int i = 0; i < count && i < 8; i++)
        snprintf(p->names[i], sizeof p->names[i], "%s", names[i]);
    p->done++;
}

static void on_data(void *arg, int rc, const char *data, int len, int version)
{
    probe *p = arg;
    p->rc = rc;
    p->version = version;
    snprintf(p->data, sizeof p->data, "%.*s", data ? len : 0, data ? data : "");
    p->done++;
}

static void on_stat(void *arg, int rc, int version)
{
    probe *p = arg;
    p->rc = rc;
    p->version = version;
    p->done++;
}

static void on_watch(void *arg, kmesos_zkc_watch_type type, const char *path)
{
    probe *p = arg;
    p->watched++;
    p->wtype = type;
    snprintf(p->path, sizeof p->path, "%s", path);
}

static void on_tick(uv_timer_t *t) { (void)t; }

/* Runs the loop until *flag >= want (secs at most); 1 when it got there. */
static int run_for(uv_loop_t *loop, const int *flag, int want, int secs)
{
    uv_timer_t tick;
    uv_timer_init(loop, &tick);
    uv_timer_start(&tick, on_tick, 20, 20);
    time_t deadline = time(NULL) + secs;
    while (*flag < want && time(NULL) < deadline)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return *flag >= want;
}

static int run_until(uv_loop_t *loop, const int *flag, int want)
{
    return run_for(loop, flag, want, 10);
}

static char hosts[64];

static kmesos_zkc *connect_to(uv_loop_t *loop, probe *p)
{
    kmesos_zkc *z = kmesos_zkc_new(loop, hosts, 4000, on_session, p);
    CHECK(z != NULL);
    CHECK(z && run_until(loop, &p->connected, 1));
    return z;
}

static void create(uv_loop_t *loop, kmesos_zkc *z, probe *p, const char *path, int flags)
{
    int before = p->done;
    CHECK_INT(kmesos_zkc_create(z, path, "x", 1, flags, on_created, p), KMESOS_ZKC_OK);
    CHECK(run_until(loop, &p->done, before + 1));
}

static void test_ephemeral_sequential_children_and_watch(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    probe a = {0}, w = {0};
    kmesos_zkc *z = connect_to(&loop, &a);
    CHECK(kmesos_zkc_session_timeout(z) > 0 && kmesos_zkc_session_id(z) != 0);
    create(&loop, z, &a, "/t1/deep/json.info_", KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_SEQUENCE |
                                                  KMESOS_ZKC_PARENTS);
    CHECK_INT(a.rc, KMESOS_ZKC_OK);
    CHECK_STR(a.path, "/t1/deep/json.info_0000000000");
    create(&loop, z, &a, "/t1/deep/log_replicas", 0);
    create(&loop, z, &a, "/t1/deep/json.info_", KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_SEQUENCE);
    CHECK_STR(a.path, "/t1/deep/json.info_0000000002");
    create(&loop, z, &a, "/t1/deep/json.info_", KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_SEQUENCE);
    create(&loop, z, &a, "/t1/deep/log_replicas", 0);
    CHECK_INT(a.rc, KMESOS_ZKC_NODEEXISTS);

    int before = a.done;
    CHECK_INT(kmesos_zkc_children(z, "/t1/deep", on_watch, &w, on_children, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.count, 4);
    CHECK_STR(a.names[0], "json.info_0000000000");
    CHECK_STR(a.names[1], "json.info_0000000002");
    CHECK_STR(a.names[2], "json.info_0000000003");
    CHECK_STR(a.names[3], "log_replicas");
    CHECK_INT(w.watched, 0);

    before = a.done;
    CHECK_INT(kmesos_zkc_delete(z, "/t1/deep/json.info_0000000000", -1, on_stat, &a), 0);
    CHECK(run_until(&loop, &w.watched, 1));
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_OK);
    CHECK_INT(w.wtype, KMESOS_ZKC_WATCH_CHILD);
    CHECK_STR(w.path, "/t1/deep");
    /* one-shot: a second change does not fire it again */
    create(&loop, z, &a, "/t1/deep/other", 0);
    CHECK_INT(w.watched, 1);

    kmesos_zkc_close(z);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

static void test_data_versions_and_missing_nodes(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    probe a = {0}, w = {0};
    kmesos_zkc *z = connect_to(&loop, &a);
    int before = a.done;
    CHECK_INT(kmesos_zkc_get(z, "/t2/none", on_watch, &w, on_data, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_NONODE);
    CHECK_INT(a.version, -1);
    before = a.done;
    CHECK_INT(kmesos_zkc_exists(z, "/t2/n", on_watch, &w, on_stat, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_NONODE);
    create(&loop, z, &a, "/t2/n", KMESOS_ZKC_PARENTS);
    CHECK(run_until(&loop, &w.watched, 1)); /* the exists watch */
    CHECK_INT(w.wtype, KMESOS_ZKC_WATCH_CREATED);
    before = a.done;
    CHECK_INT(kmesos_zkc_set(z, "/t2/n", "hello", 5, 0, on_stat, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_OK);
    CHECK_INT(a.version, 1);
    before = a.done;
    CHECK_INT(kmesos_zkc_set(z, "/t2/n", "stale", 5, 0, on_stat, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_BADVERSION);
    before = a.done;
    CHECK_INT(kmesos_zkc_get(z, "/t2/n", NULL, NULL, on_data, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_STR(a.data, "hello");
    CHECK_INT(a.version, 1);
    before = a.done;
    CHECK_INT(kmesos_zkc_delete(z, "/t2", -1, on_stat, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_NOTEMPTY);
    CHECK(strcmp(kmesos_zkc_error(KMESOS_ZKC_NONODE), "") != 0);
    kmesos_zkc_close(z);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

static void test_close_removes_ephemerals_at_once(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    probe a = {0}, b = {0}, w = {0};
    kmesos_zkc *za = connect_to(&loop, &a);
    kmesos_zkc *zb = connect_to(&loop, &b);
    create(&loop, za, &a, "/t3/leader_", KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_SEQUENCE |
                                             KMESOS_ZKC_PARENTS);
    char mine[160];
    snprintf(mine, sizeof mine, "%s", a.path);
    int before = b.done;
    CHECK_INT(kmesos_zkc_exists(zb, mine, on_watch, &w, on_stat, &b), 0);
    CHECK(run_until(&loop, &b.done, before + 1));
    CHECK_INT(b.rc, KMESOS_ZKC_OK);
    /* a pending answer of za is dropped, not delivered after close */
    int adone = a.done;
    CHECK_INT(kmesos_zkc_children(za, "/t3", NULL, NULL, on_children, &a), 0);
    uint64_t t0 = uv_hrtime();
    kmesos_zkc_close(za);
    CHECK(run_until(&loop, &w.watched, 1));
    CHECK(uv_hrtime() - t0 < 3500000000ULL); /* before the 4 s session timeout */
    CHECK_INT(w.wtype, KMESOS_ZKC_WATCH_DELETED);
    CHECK_STR(w.path, mine);
    CHECK_INT(a.done, adone);
    CHECK_INT(kmesos_zkc_children(zb, "/t3", NULL, NULL, on_children, &b), 0);
    before = b.done;
    CHECK(run_until(&loop, &b.done, before + 1));
    CHECK_INT(b.count, 0);
    kmesos_zkc_close(zb);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

/* Digest credentials: what a client with them creates, anyone reads and
 * only they change. */
static void test_digest_auth(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    probe a = {0}, b = {0};
    kmesos_zkc *za = kmesos_zkc_new(&loop, hosts, 4000, on_session, &a);
    CHECK_INT(kmesos_zkc_auth(za, "kafka", "s3cret"), KMESOS_ZKC_OK);
    CHECK(run_until(&loop, &a.connected, 1));
    kmesos_zkc *zb = connect_to(&loop, &b);
    create(&loop, za, &a, "/t5/owned", KMESOS_ZKC_PARENTS);
    CHECK_INT(a.rc, KMESOS_ZKC_OK);
    int before = b.done;
    CHECK_INT(kmesos_zkc_get(zb, "/t5/owned", NULL, NULL, on_data, &b), 0);
    CHECK(run_until(&loop, &b.done, before + 1));
    CHECK_INT(b.rc, KMESOS_ZKC_OK);
    CHECK_STR(b.data, "x");
    before = b.done;
    CHECK_INT(kmesos_zkc_set(zb, "/t5/owned", "y", 1, -1, on_stat, &b), 0);
    CHECK(run_until(&loop, &b.done, before + 1));
    CHECK_INT(b.rc, KMESOS_ZKC_NOAUTH);
    before = a.done;
    CHECK_INT(kmesos_zkc_set(za, "/t5/owned", "z", 1, -1, on_stat, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_OK);
    kmesos_zkc_close(za);
    kmesos_zkc_close(zb);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

/* The server frozen past the session timeout: on its return the session
 * is expired (EXPIRED, its ephemeral gone, a pending request silent), and
 * zkc has a new session (CONNECTED again, another id) that works. */
static void test_expired_session_is_replaced(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    probe a = {0}, w = {0};
    kmesos_zkc *z = kmesos_zkc_new(&loop, hosts, 2000, on_session, &a);
    CHECK(z && run_until(&loop, &a.connected, 1));
    long long id = kmesos_zkc_session_id(z);
    create(&loop, z, &a, "/t4/eph", KMESOS_ZKC_EPHEMERAL | KMESOS_ZKC_PARENTS);
    CHECK_INT(a.rc, KMESOS_ZKC_OK);
    CHECK_INT(kmesos_zkc_exists(z, "/t4/eph", on_watch, &w, on_stat, &a), 0);
    CHECK(run_until(&loop, &a.done, a.done + 1));
    /* on resuming, the server's expiry and the client's reconnection race:
     * a reconnection that wins revives the session, so try a few times */
    for (int attempt = 0; attempt < 4 && !a.expired; attempt++) {
        kill(zk.pid, SIGSTOP);
        uv_timer_t tick;
        uv_timer_init(&loop, &tick);
        uv_timer_start(&tick, on_tick, 20, 20);
        for (time_t end = time(NULL) + 4; time(NULL) < end;)
            uv_run(&loop, UV_RUN_ONCE);
        uv_close((uv_handle_t *)&tick, NULL);
        kill(zk.pid, SIGCONT);
        run_for(&loop, &a.expired, 1, 4);
    }
    CHECK_INT(a.expired, 1);
    /* a reconnection that revived the old session in an earlier attempt
     * counted as CONNECTED too: wait for the new session itself */
    for (time_t end = time(NULL) + 10;
         time(NULL) < end && (kmesos_zkc_session_id(z) == id || kmesos_zkc_session_id(z) == 0);)
        run_for(&loop, &a.connected, a.connected + 1, 1);
    CHECK(kmesos_zkc_session_id(z) != id && kmesos_zkc_session_id(z) != 0);
    CHECK_INT(w.watched, 0); /* the old session's watch is gone with it */
    int before = a.done;
    CHECK_INT(kmesos_zkc_exists(z, "/t4/eph", NULL, NULL, on_stat, &a), 0);
    CHECK(run_until(&loop, &a.done, before + 1));
    CHECK_INT(a.rc, KMESOS_ZKC_NONODE);
    kmesos_zkc_close(z);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

static void test_unreachable_stays_quiet(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    probe a = {0};
    char where[64];
    snprintf(where, sizeof where, "127.0.0.1:%d", zk_server_free_port());
    kmesos_zkc *z = kmesos_zkc_new(&loop, where, 2000, on_session, &a);
    CHECK(z != NULL);
    int before = a.done;
    CHECK_INT(kmesos_zkc_get(z, "/x", NULL, NULL, on_data, &a), 0);
    CHECK(!run_for(&loop, &a.connected, 1, 2)); /* nothing to connect to */
    /* the request failed with a connection loss, or is still waiting */
    CHECK(a.done == before || (a.done == before + 1 && a.rc == KMESOS_ZKC_CONNECTIONLOSS));
    int done = a.done;
    kmesos_zkc_close(z);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(a.done, done); /* nothing calls back after close */
    CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
    RUN_TEST(test_url_parse);
    RUN_TEST(test_url_bad);
    if (zk_server_start(&zk) != 0) {
        printf("# SKIP server tests: no ZooKeeper server could be started (%s; "
               "scripts/install-deps.sh installs the zookeeper package)\n", ZK_SERVER_JAR);
    } else {
        snprintf(hosts, sizeof hosts, "127.0.0.1:%d", zk.port);
        RUN_TEST(test_ephemeral_sequential_children_and_watch);
        RUN_TEST(test_data_versions_and_missing_nodes);
        RUN_TEST(test_close_removes_ephemerals_at_once);
        RUN_TEST(test_digest_auth);
        RUN_TEST(test_expired_session_is_replaced);
        RUN_TEST(test_unreachable_stays_quiet);
    }
    zk_server_stop(&zk);
    return testlib_finish();
}
