/* fuzz_session: the scheduler's session (sched/mesos/session.c) fed a
 * SUBSCRIBE answer as a byte stream, with the scheduler behind it, over
 * fake_transport instead of libcurl. Input: byte 0 picks the content
 * type (bit 0: JSON) and the chunk size the body arrives in; byte 1 the
 * answer (mostly 200 with a Mesos-Stream-Id; 307 with the first line of
 * the rest as Location; 503); the rest is the body. The stream then ends
 * (the master closed it) and the session is closed. */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "fake_io.h"
#include "fake_transport.h"
#include "fuzz_common.h"
#include "sched/mesos/session.h"
/* the session's transport, to find the SUBSCRIBE on it (a test may look) */
#include "sched/mesos/session_int.h"
#include "sched/scheduler.h"

#define FUZZ_WORKLOAD "name=web cmd=true cpus=0.1 mem=16 instances=3"

typedef struct fuzz_ctx {
    uv_loop_t loop;
} fuzz_ctx;

static fuzz_ctx *ctx;

static void on_subscribed(void *arg, const char *framework_id, double heartbeat_s,
                          int is_resubscribe)
{
    (void)heartbeat_s;
    (void)is_resubscribe;
    kmesos_scheduler_on_subscribed(arg, framework_id);
}

static void on_disconnected(void *arg, const char *reason)
{
    (void)reason;
    kmesos_scheduler_on_disconnected(arg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    ctx = calloc(1, sizeof *ctx);
    if (!ctx || uv_loop_init(&ctx->loop) != 0)
        abort();
    return 0;
}

/* Plays the master: headers, the body in chunks while the stream lives,
 * then the end of the stream. */
static void play(kmesos_session *ss, const uint8_t *data, size_t size)
{
    size_t chunk = (size_t)(data[0] >> 1) % 64 + 1;
    unsigned answer = data[1] % 16;
    const uint8_t *body = data + 2;
    size_t len = size - 2;
    kmesos_transport_req *r = fake_transport_stream_of(ss->tp);
    if (!r)
        return;
    if (answer == 15) {
        char *loc = fuzz_strndup(body, len), *rest;
        fake_transport_headers(r, 307, NULL, fuzz_split_line(loc, &rest));
        fake_transport_done(r, 307);
        free(loc);
        return;
    }
    long status = answer == 14 ? 503 : 200;
    fake_transport_headers(r, status, answer == 13 ? NULL : "fuzz-stream-1", NULL);
    for (size_t off = 0; off < len && fake_transport_stream_of(ss->tp) == r; off += chunk)
        fake_transport_data(r, body + off, len - off < chunk ? len - off : chunk);
    if (fake_transport_stream_of(ss->tp) == r)
        fake_transport_done(r, status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    kmesos_scheduler sched;
    fake_io_quiet_scheduler(&sched, FUZZ_WORKLOAD);
    kmesos_session_config cfg = {
        .master = "127.0.0.1:5050", .framework_name = "fuzz", .user = "root",
        .content_type = (data[0] & 1) ? KMESOS_CT_JSON : KMESOS_CT_PROTOBUF,
        .max_record = 1 << 16,
    };
    kmesos_session_handler h = {.on_subscribed = on_subscribed,
                                .on_event = kmesos_scheduler_feed,
                                .on_disconnected = on_disconnected,
                                .event_arg = &sched};
    char err[256];
    kmesos_session *ss = kmesos_session_new(&ctx->loop, &cfg, &h, &sched, err, sizeof err);
    if (!ss)
        fuzz_fail("session_new", err);
    kmesos_session_start(ss);
    play(ss, data, size);
    kmesos_session_close(ss, NULL, NULL);
    uv_run(&ctx->loop, UV_RUN_DEFAULT);
    kmesos_scheduler_free(&sched);
    return 0;
}
