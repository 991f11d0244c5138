/* Tests of scheduler HA (--ha): the leadership lease on a fake clock
 * (taken from the send time of a round trip, renewed only forward, 2/3
 * of the session timeout long, never held again once lost), the election
 * rule (lowest sequence leads, each standby watches the one just before
 * it, names that are not candidates are ignored), the --ha flags, and
 * with a real ZooKeeper two candidates on one loop: the first leads and
 * may act, the second is a standby that knows the leader's API and may
 * not act, takes over when the leader's session ends, and is deposed
 * after a stall of its loop longer than the lease; a leader cut off
 * from ZooKeeper is deposed when its lease runs out. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "sched/ha/ha.h"
#include "sched/ha/lease.h"
#include "sched/options.h"
#include "testlib.h"
#include "zk_server.h"

#define MS 1000000ull

static void test_lease_on_a_fake_clock(void)
{
    kmesos_ha_lease l;
    kmesos_ha_lease_init(&l, 9000); /* lease: 6 s */
    CHECK(!kmesos_ha_lease_valid(&l, 1 * MS));
    kmesos_ha_lease_renew(&l, 1000 * MS); /* not held: a renewal alone gives nothing */
    CHECK(!kmesos_ha_lease_valid(&l, 1001 * MS));
    kmesos_ha_lease_take(&l, 1000 * MS);
    CHECK(kmesos_ha_lease_valid(&l, 1000 * MS));
    CHECK(kmesos_ha_lease_valid(&l, 6999 * MS));
    CHECK(!kmesos_ha_lease_valid(&l, 7000 * MS));
    CHECK_INT(kmesos_ha_lease_left(&l, 5000 * MS), 2000 * MS);
    /* an answer to an older round trip does not move it back */
    kmesos_ha_lease_renew(&l, 3000 * MS);
    kmesos_ha_lease_renew(&l, 2000 * MS);
    CHECK(kmesos_ha_lease_valid(&l, 8999 * MS));
    CHECK(!kmesos_ha_lease_valid(&l, 9000 * MS));
    /* a process stopped past the lease: the answer of the round trip sent
     * before the stop arrives late and does not make it valid again */
    kmesos_ha_lease_renew(&l, 2500 * MS);
    CHECK(!kmesos_ha_lease_valid(&l, 20000 * MS));
    kmesos_ha_lease_lose(&l);
    CHECK(!kmesos_ha_lease_valid(&l, 3001 * MS));
    kmesos_ha_lease_take(&l, 30000 * MS); /* lost for good */
    CHECK(!kmesos_ha_lease_valid(&l, 30001 * MS));
    CHECK_INT(kmesos_ha_lease_left(&l, 30001 * MS), 0);

    /* the server granted less than asked: the lease follows it down only */
    kmesos_ha_lease_init(&l, 9000);
    kmesos_ha_lease_limit(&l, 30000);
    kmesos_ha_lease_limit(&l, 3000); /* lease: 2 s */
    kmesos_ha_lease_take(&l, 1000 * MS);
    CHECK(kmesos_ha_lease_valid(&l, 2999 * MS));
    CHECK(!kmesos_ha_lease_valid(&l, 3000 * MS));
}

static void test_election_rule(void)
{
    char *names[] = {"m-1f-0000000012", "other", "m-2a-0000000003", "m-3b-0000000007",
                     "m-4c-0000000010", "m-bad-x"};
    char pred[64], leader[64];
    CHECK_INT(kmesos_ha_elect(names, 6, "m-", "m-2a-0000000003", pred, leader, sizeof pred), 0);
    CHECK_STR(leader, "m-2a-0000000003");
    CHECK_INT(kmesos_ha_elect(names, 6, "m-", "m-1f-0000000012", pred, leader, sizeof pred), 1);
    CHECK_STR(pred, "m-4c-0000000010"); /* the one just before, not the leader */
    CHECK_STR(leader, "m-2a-0000000003");
    CHECK_INT(kmesos_ha_elect(names, 6, "m-", "m-3b-0000000007", pred, leader, sizeof pred), 1);
    CHECK_STR(pred, "m-2a-0000000003");
    /* not among the candidates (deleted, or not created yet) */
    CHECK_INT(kmesos_ha_elect(names, 6, "m-", "m-9z-0000000001", pred, leader, sizeof pred), -1);
    CHECK_INT(kmesos_ha_elect(names, 0, "m-", "m-2a-0000000003", NULL, NULL, 0), -1);
    /* sequence numbers compare as numbers */
    char *wide[] = {"m-a-10000000000", "m-b-9999999999"};
    CHECK_INT(kmesos_ha_elect(wide, 2, "m-", "m-b-9999999999", NULL, NULL, 0), 0);
}

static int parse(kmesos_options *o, int argc, const char **argv)
{
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    int rc = kmesos_options_parse(argc, (char **)argv, o);
    fclose(stderr);
    stderr = saved;
    kmesos_options_free(o);
    return rc;
}

static void test_flags(void)
{
    kmesos_options o;
    const char *good[] = {"x", "--ha", "zk://h:2181/s", "--state", "zk://h:2181/st",
                          "--ha-session-timeout", "6s"};
    CHECK_INT(parse(&o, 7, good), 0);
    CHECK_STR(o.ha, "zk://h:2181/s");
    CHECK(o.ha_session_timeout_s == 6);
    const char *defaults[] = {"x", "--ha", "zk://h:2181/s", "--state", "zk:/st"};
    CHECK_INT(parse(&o, 5, defaults), 0);
    CHECK(o.ha_session_timeout_s == 10);
    const char *file_state[] = {"x", "--ha", "zk://h:2181/s", "--state", "file:/tmp/s.json"};
    CHECK_INT(parse(&o, 5, file_state), 2);
    const char *default_state[] = {"x", "--ha", "zk://h:2181/s"};
    CHECK_INT(parse(&o, 3, default_state), 2);
    const char *not_zk[] = {"x", "--ha", "h:2181/s", "--state", "zk:/st"};
    CHECK_INT(parse(&o, 5, not_zk), 2);
    const char *short_timeout[] = {"x", "--ha", "zk://h:1/s", "--state", "zk:/st",
                                   "--ha-session-timeout", "500ms"};
    CHECK_INT(parse(&o, 7, short_timeout), 2);
    const char *bad_timeout[] = {"x", "--ha", "zk://h:1/s", "--state", "zk:/st",
                                 "--ha-session-timeout", "soon"};
    CHECK_INT(parse(&o, 7, bad_timeout), 2);
}

static void test_bad_url(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    const char *bad[] = {"zk://", "zk://h:2181", "zk://h:2181/a//b", "zk://h:x/a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512] = "";
        kmesos_ha_config cfg = {.url = bad[i], .session_timeout_ms = 4000, .id = "t"};
        kmesos_ha_handler h = {0};
        CHECK(kmesos_ha_new(&loop, &cfg, &h, err, sizeof err) == NULL);
        CHECK(strncmp(err, "--ha", 4) == 0);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

/* ---- two candidates against a real ZooKeeper --------------------------------- */

typedef struct cand {
    kmesos_ha *ha;
    int elected, deposed;
} cand;

static void on_elected(void *arg) { ((cand *)arg)->elected++; }
static void on_deposed(void *arg, const char *why)
{
    (void)why;
    ((cand *)arg)->deposed++;
}

typedef struct waiter {
    uv_timer_t t;
    int (*done)(void *);
    void *arg;
    int ok;
} waiter;

static void on_poll(uv_timer_t *t)
{
    waiter *w = t->data;
    if (w->done(w->arg)) {
        w->ok = 1;
        uv_stop(t->loop);
    }
}

static void on_give_up(uv_timer_t *t) { uv_stop(t->loop); }

/* Runs the loop until done(arg) or timeout_ms. */
static int run_until(uv_loop_t *loop, int (*done)(void *), void *arg, int timeout_ms)
{
    waiter w = {.done = done, .arg = arg};
    uv_timer_t limit;
    uv_timer_init(loop, &w.t);
    uv_timer_init(loop, &limit);
    w.t.data = &w;
    uv_timer_start(&w.t, on_poll, 20, 20);
    uv_timer_start(&limit, on_give_up, (uint64_t)timeout_ms, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&w.t, NULL);
    uv_close((uv_handle_t *)&limit, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return w.ok;
}

static int first_elected(void *arg) { return ((cand *)arg)->elected == 1; }
static int was_deposed(void *arg) { return ((cand *)arg)->deposed > 0; }
static int standby_knows(void *arg)
{
    cand *c = arg;
    const char *api = kmesos_ha_leader_api(c->ha);
    return api && strcmp(api, "http://a:1") == 0;
}

static void start_cand(uv_loop_t *loop, cand *c, const char *url, const char *id,
                       const char *api)
{
    char err[512];
    kmesos_ha_config cfg = {.url = url, .session_timeout_ms = 4000, .id = id,
                            .hostname = "localhost", .api_url = api};
    kmesos_ha_handler h = {on_elected, on_deposed, c};
    c->ha = kmesos_ha_new(loop, &cfg, &h, err, sizeof err);
    CHECK(c->ha != NULL);
}

static void test_two_candidates(void)
{
    zk_server zk;
    if (zk_server_start(&zk) != 0) {
        printf("# SKIP: no ZooKeeper server (%s)\n", ZK_SERVER_JAR);
        return;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    char url[128];
    snprintf(url, sizeof url, "zk://127.0.0.1:%d/kmesos/ha", zk.port);
    cand a = {0}, b = {0};
    start_cand(&loop, &a, url, "a", "http://a:1");
    if (!a.ha) {
        zk_server_stop(&zk);
        return;
    }
    CHECK(run_until(&loop, first_elected, &a, 15000));
    CHECK(kmesos_ha_may_act(a.ha));
    CHECK(kmesos_ha_leading(a.ha));
    start_cand(&loop, &b, url, "b", "http://b:2");
    CHECK(run_until(&loop, standby_knows, &b, 10000));
    CHECK(!kmesos_ha_leading(b.ha));
    CHECK(!kmesos_ha_may_act(b.ha)); /* a standby never acts */
    CHECK_INT(b.deposed, 0);
    json_t *j = kmesos_ha_json(b.ha);
    CHECK(json_is_false(json_object_get(j, "leader")));
    CHECK_STR(json_string_value(json_object_get(j, "leader_id")), "a");
    json_decref(j);
    /* the leader resigns: its znode goes with its session, b takes over */
    uint64_t t0 = uv_hrtime();
    kmesos_ha_close(a.ha);
    CHECK(run_until(&loop, first_elected, &b, 10000));
    printf("# takeover after a resignation: %.0f ms\n", (double)(uv_hrtime() - t0) / 1e6);
    fflush(stdout); /* before a later test forks the server */
    CHECK(kmesos_ha_may_act(b.ha));
    CHECK_INT(a.deposed + b.deposed, 0);
    /* a stall of the loop past the lease (2/3 of 4 s), as after a kill
     * -STOP: the first check after it refuses, and the leader is deposed
     * (once, from the loop), even though ZooKeeper's own threads kept the
     * session alive meanwhile */
    usleep(2800 * 1000);
    CHECK(!kmesos_ha_may_act(b.ha));
    CHECK(!kmesos_ha_may_act(b.ha));
    CHECK_INT(b.deposed, 0); /* not from inside the gate */
    CHECK(run_until(&loop, was_deposed, &b, 2000));
    CHECK_INT(b.deposed, 1);
    CHECK(!kmesos_ha_leading(b.ha));
    kmesos_ha_close(b.ha);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
    zk_server_stop(&zk);
}

/* ZooKeeper goes away under a leader: the lease runs out 2/3 of the
 * session timeout after the last round trip and the leader is deposed,
 * before the session could expire. */
static void test_disconnected_leader_is_deposed(void)
{
    zk_server zk;
    if (zk_server_start(&zk) != 0) {
        printf("# SKIP: no ZooKeeper server (%s)\n", ZK_SERVER_JAR);
        return;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    char url[128];
    snprintf(url, sizeof url, "zk://127.0.0.1:%d/kmesos/ha2", zk.port);
    cand a = {0};
    start_cand(&loop, &a, url, "a", NULL);
    CHECK(a.ha && run_until(&loop, first_elected, &a, 15000));
    uint64_t t0 = uv_hrtime();
    zk_server_stop(&zk);
    CHECK(a.ha && run_until(&loop, was_deposed, &a, 6000));
    double took_ms = (double)(uv_hrtime() - t0) / 1e6;
    printf("# deposed %.0f ms after ZooKeeper went away (lease 2667 ms)\n", took_ms);
    CHECK(took_ms < 4000); /* before the 4 s session timeout */
    CHECK(a.ha && !kmesos_ha_may_act(a.ha));
    kmesos_ha_close(a.ha);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

int main(void)
{
    RUN_TEST(test_lease_on_a_fake_clock);
    RUN_TEST(test_election_rule);
    RUN_TEST(test_flags);
    RUN_TEST(test_bad_url);
    RUN_TEST(test_two_candidates);
    RUN_TEST(test_disconnected_leader_is_deposed);
    return testlib_finish();
}
