/* Tests of the executor's agent session (exec_session) on a real libuv
 * loop against a small agent made of net/httpd on loopback: the wait
 * between attempts stays within [0, MESOS_SUBSCRIPTION_BACKOFF_MAX]
 * (the pure mapping, at its ends and in between); with checkpointing a
 * lost stream is re-subscribed at once, and an agent that stays away is
 * given up after MESOS_RECOVERY_TIMEOUT counted from the loss, with many
 * attempts meanwhile; an agent that comes back in time stops the recovery
 * clock; without checkpointing losing the stream gives up at once, with
 * no new SUBSCRIBE, as Mesos' executor library shuts the executor down.
 * Times are checked with generous upper bounds so that a loaded machine
 * does not fail them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "exec/exec_session.h"
#include "net/httpd.h"
#include "testlib.h"

/* ---- the pure backoff ------------------------------------------------------ */

static void test_backoff_bounds(void)
{
    CHECK_INT(kmesos_exec_session_backoff_ms(2000, 0), 0);
    CHECK_INT(kmesos_exec_session_backoff_ms(2000, UINT32_MAX), 2000);
    CHECK_INT(kmesos_exec_session_backoff_ms(2000, UINT32_MAX / 2), 999);
    CHECK_INT(kmesos_exec_session_backoff_ms(0, 12345), 0);
    CHECK_INT(kmesos_exec_session_backoff_ms(1, UINT32_MAX - 1), 0);
    CHECK_INT(kmesos_exec_session_backoff_ms(1, UINT32_MAX), 1);
    /* no overflow for any maximum, and never above it */
    CHECK_INT(kmesos_exec_session_backoff_ms(UINT64_MAX, UINT32_MAX) == UINT64_MAX, 1);
    CHECK_INT(kmesos_exec_session_backoff_ms(3600000, UINT32_MAX), 3600000);
    uint64_t prev = 0;
    for (uint64_t r = 0; r <= UINT32_MAX; r += 0x01000193u) {
        uint64_t w = kmesos_exec_session_backoff_ms(2000, (uint32_t)r);
        CHECK(w <= 2000 && w >= prev); /* monotonic in rnd, within [0, max] */
        prev = w;
    }
}

/* ---- a small agent ----------------------------------------------------------- */

typedef struct harness {
    uv_loop_t loop;
    kmesos_httpd *httpd;
    kmesos_httpd_stream *stream; /* the agent's side of the current SUBSCRIBE */
    int port;
    kmesos_exec_session *s;
    int subscribes;   /* SUBSCRIBE bodies encoded (attempts) */
    int records;
    int disconnects;
    int give_ups;
    uint64_t live_at, lost_at, gave_up_at; /* uv_now() */
    int closed;
    uv_timer_t step;
    void (*on_live)(struct harness *h); /* once per live stream, from a timer */
} harness;

static void agent_stream_closed(void *arg, kmesos_httpd_stream *st)
{
    harness *h = arg;
    if (h->stream == st)
        h->stream = NULL;
}

static void agent_on_request(void *arg, kmesos_httpd_req *req)
{
    harness *h = arg;
    h->stream = kmesos_httpd_stream_open(req, 200, "application/x-protobuf", NULL,
                                         agent_stream_closed, h);
    if (h->stream)
        kmesos_httpd_stream_push(h->stream, "3\nabc", 5);
}

static int h_encode(void *arg, kmesos_buf *out)
{
    harness *h = arg;
    h->subscribes++;
    return kmesos_buf_append(out, "x", 1);
}

static void h_step(uv_timer_t *t)
{
    harness *h = t->data;
    if (h->on_live)
        h->on_live(h);
}

static int h_record(void *arg, const uint8_t *rec, size_t len)
{
    harness *h = arg;
    CHECK(len == 3 && memcmp(rec, "abc", 3) == 0);
    h->records++;
    h->live_at = uv_now(&h->loop);
    uv_timer_start(&h->step, h_step, 0, 0); /* act outside the transport's callback */
    return 0;
}

static void h_disconnected(void *arg, const char *reason)
{
    harness *h = arg;
    (void)reason;
    h->disconnects++;
    h->lost_at = uv_now(&h->loop);
}

static void h_give_up(void *arg, const char *reason)
{
    harness *h = arg;
    (void)reason;
    h->give_ups++;
    h->gave_up_at = uv_now(&h->loop);
    uv_stop(&h->loop);
}

static void h_session_closed(void *arg)
{
    ((harness *)arg)->closed = 1;
}

static int harness_init(harness *h, int resubscribe, uint64_t backoff_max_ms,
                        uint64_t recovery_ms)
{
    memset(h, 0, sizeof *h);
    uv_loop_init(&h->loop);
    uv_timer_init(&h->loop, &h->step);
    h->step.data = h;
    char err[256];
    kmesos_httpd_config hc = {.ip = "127.0.0.1", .on_request = agent_on_request, .arg = h};
    if (kmesos_httpd_start(&h->loop, &hc, &h->httpd, err, sizeof err) != 0) {
        CHECK(!"httpd starts");
        return -1;
    }
    h->port = kmesos_httpd_port(h->httpd);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/executor", h->port);
    kmesos_exec_session_params p = {url, resubscribe, backoff_max_ms, recovery_ms};
    kmesos_exec_session_cbs cbs = {h_encode, h_record, h_disconnected, h_give_up, h};
    h->s = kmesos_exec_session_new(&h->loop, &p, &cbs);
    CHECK(h->s != NULL);
    return h->s ? 0 : -1;
}

static void h_stop(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Runs the loop for at most ms (returns early on a give-up). */
static void harness_run(harness *h, uint64_t ms)
{
    uv_timer_t stop;
    uv_timer_init(&h->loop, &stop);
    uv_timer_start(&stop, h_stop, ms, 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&stop, NULL);
    uv_run(&h->loop, UV_RUN_NOWAIT);
}

static void harness_free(harness *h)
{
    kmesos_exec_session_close(h->s, h_session_closed, h);
    if (h->httpd)
        kmesos_httpd_stop(h->httpd);
    uv_close((uv_handle_t *)&h->step, NULL);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    CHECK(h->closed);
    CHECK_INT(uv_loop_close(&h->loop), 0);
}

/* ---- scenarios ----------------------------------------------------------------- */

/* The agent dies for good (its port closes) once the stream is live. */
static void agent_dies(harness *h)
{
    if (h->records != 1)
        return;
    kmesos_httpd_stop(h->httpd);
    h->httpd = NULL;
    h->stream = NULL;
}

static void test_checkpoint_gives_up_after_recovery_timeout(void)
{
    harness h;
    if (harness_init(&h, 1, 40, 800) != 0)
        return;
    h.on_live = agent_dies;
    kmesos_exec_session_start(h.s);
    harness_run(&h, 20000);
    CHECK_INT(h.records, 1);
    CHECK_INT(h.disconnects, 1);
    CHECK_INT(h.give_ups, 1);
    /* the clock starts at the loss: not before 800 ms after it */
    CHECK(h.gave_up_at >= h.lost_at + 800);
    CHECK(h.gave_up_at < h.lost_at + 8000);
    /* attempts every [0, 40 ms] meanwhile (~40 expected; loaded machines are slower) */
    CHECK(h.subscribes >= 6);
    int attempts = h.subscribes;
    harness_run(&h, 300); /* and none after giving up */
    CHECK_INT(h.subscribes, attempts);
    harness_free(&h);
}

/* The agent cuts the stream once (a restart), then takes the new SUBSCRIBE. */
static void agent_restarts(harness *h)
{
    if (h->records == 1 && h->stream) {
        kmesos_httpd_stream_abort(h->stream);
        h->stream = NULL;
    }
}

static void test_checkpoint_resubscribes_at_once_and_stops_the_clock(void)
{
    harness h;
    if (harness_init(&h, 1, 5000, 1500) != 0)
        return;
    h.on_live = agent_restarts;
    kmesos_exec_session_start(h.s);
    harness_run(&h, 4000); /* more than twice the recovery timeout */
    CHECK_INT(h.disconnects, 1);
    CHECK_INT(h.subscribes, 2); /* the second one at once, not after up to 5 s */
    CHECK_INT(h.records, 2);
    CHECK(h.live_at < h.lost_at + 2000);
    CHECK_INT(h.give_ups, 0); /* live again: the recovery timer stopped */
    harness_free(&h);
}

static void test_no_checkpoint_gives_up_at_the_loss(void)
{
    harness h;
    if (harness_init(&h, 0, 40, 600000) != 0)
        return;
    h.on_live = agent_restarts;
    kmesos_exec_session_start(h.s);
    harness_run(&h, 5000);
    CHECK_INT(h.disconnects, 1);
    CHECK_INT(h.give_ups, 1);
    CHECK_INT(h.subscribes, 1); /* no new SUBSCRIBE */
    CHECK(h.gave_up_at < h.lost_at + 1000);
    harness_free(&h);
}

int main(void)
{
    RUN_TEST(test_backoff_bounds);
    RUN_TEST(test_checkpoint_gives_up_after_recovery_timeout);
    RUN_TEST(test_checkpoint_resubscribes_at_once_and_stops_the_clock);
    RUN_TEST(test_no_checkpoint_gives_up_at_the_loss);
    return testlib_finish();
}
