/* exec_session: talks HTTP to the agent through the shared transport
 * (libcurl multi on libuv). SUBSCRIBE is a streaming POST whose 200 body
 * is RecordIO; each record goes to the on_record callback (the core).
 * Losing a stream that delivered events is handled as Mesos 1.12's
 * executor library does (src/executor/executor.cpp, MesosProcess::
 * disconnected and backoff): without checkpointing the executor gives up
 * at once; with it, a recovery timer of MESOS_RECOVERY_TIMEOUT starts at
 * the loss, a new SUBSCRIBE goes out at once and, after each failed
 * attempt, again after a wait drawn uniformly from [0,
 * MESOS_SUBSCRIPTION_BACKOFF_MAX] (the agent's re-registration window, 2 s
 * by default, so that several tries fit in it). The first live record
 * stops the timer; when it fires the session gives up (on_give_up). Two
 * differences: Mesos stops the timer once TCP connects and exits if its
 * very first connection fails, where we stop it at the first event and
 * retry the first subscription the same way for up to a minute (the
 * agent's executor_registration_timeout). A bad record drops the stream
 * like a loss. The agent's heartbeats (every 30 min) are never used for
 * liveness: a lost agent shows as a closed or broken TCP connection (TCP
 * keepalive on). Calls are one-shot POSTs, protobuf both ways, answered
 * 202. */
#include "exec/exec_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/protocol.h"
#include "codec/recordio.h"
#include "codec/uuid.h"
#include "net/transport.h"

#define MOD "exec_session"
#define EXEC_SESSION_MAX_RECORD (16u * 1024u * 1024u)
#define EXEC_SESSION_CALL_TIMEOUT_MS 30000
#define EXEC_SESSION_REASON_MAX 512
#define EXEC_SESSION_CONNECT_MIN_MS 1000
#define EXEC_SESSION_CONNECT_MAX_MS 10000

#define exec_call_type_name(v) \
    kmesos_protocol_enum_name(&mesos__v1__executor__call__type__descriptor, (v))

typedef enum exec_session_state {
    EXEC_SESSION_IDLE,
    EXEC_SESSION_CONNECTING, /* SUBSCRIBE sent, stream open or opening */
    EXEC_SESSION_BACKOFF,    /* waiting to re-subscribe */
    EXEC_SESSION_GAVE_UP,
    EXEC_SESSION_CLOSING,
} exec_session_state;

typedef struct exec_session_call {
    kmesos_exec_session *s;
    int type;
    kmesos_buf body;
    kmesos_transport_req *req; /* set once started */
    struct exec_session_call *prev, *next;
} exec_session_call;

struct kmesos_exec_session {
    uv_loop_t *loop;
    kmesos_transport *tp;
    char *url;
    kmesos_exec_session_cbs cbs;
    int resubscribe;
    uint64_t backoff_max_ms;
    uint64_t recovery_ms;
    exec_session_state state;
    kmesos_transport_req *stream;
    kmesos_recordio rio;
    int live;               /* the current stream delivered a record */
    int ever_live;          /* some stream did */
    int bad_record;         /* on_record refused one */
    uint64_t lost_since_ms; /* uv_now() at the loss (or the start) */
    uv_timer_t retry_timer;
    uv_timer_t recovery_timer;
    exec_session_call *calls, *calls_tail; /* FIFO, head in flight */
    size_t pending_calls;
    int closing_parts;
    void (*close_done)(void *arg);
    void *close_arg;
};

uint64_t kmesos_exec_session_backoff_ms(uint64_t max_ms, uint32_t rnd)
{
    /* max_ms * rnd / UINT32_MAX without overflow: max_ms = q * UINT32_MAX + r */
    uint64_t q = max_ms / UINT32_MAX, r = max_ms % UINT32_MAX;
    return q * rnd + r * rnd / UINT32_MAX;
}

static uint64_t exec_session_backoff(const kmesos_exec_session *s)
{
    uint8_t bytes[16];
    uint32_t rnd = UINT32_MAX / 2;
    if (kmesos_uuid_random(bytes) == 0)
        rnd = (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 |
              (uint32_t)bytes[3];
    return kmesos_exec_session_backoff_ms(s->backoff_max_ms, rnd);
}

kmesos_exec_session *kmesos_exec_session_new(uv_loop_t *loop, const kmesos_exec_session_params *p,
                                             const kmesos_exec_session_cbs *cbs)
{
    kmesos_exec_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    uint64_t connect_ms = p->backoff_max_ms;
    if (connect_ms < EXEC_SESSION_CONNECT_MIN_MS)
        connect_ms = EXEC_SESSION_CONNECT_MIN_MS;
    if (connect_ms > EXEC_SESSION_CONNECT_MAX_MS)
        connect_ms = EXEC_SESSION_CONNECT_MAX_MS;
    kmesos_transport_opts opts = {.connect_timeout_ms = (long)connect_ms};
    s->loop = loop;
    s->url = strdup(p->url);
    s->tp = kmesos_transport_new(loop, &opts);
    if (!s->url || !s->tp) {
        free(s->url);
        if (s->tp)
            kmesos_transport_close(s->tp, NULL, NULL);
        free(s);
        return NULL;
    }
    s->cbs = *cbs;
    s->resubscribe = p->resubscribe;
    s->backoff_max_ms = p->backoff_max_ms;
    s->recovery_ms = p->recovery_ms;
    kmesos_recordio_init(&s->rio, EXEC_SESSION_MAX_RECORD);
    uv_timer_init(loop, &s->retry_timer);
    uv_timer_init(loop, &s->recovery_timer);
    s->retry_timer.data = s->recovery_timer.data = s;
    return s;
}

/* ---- the stream ------------------------------------------------------------ */

static void exec_session_connect(kmesos_exec_session *s);
static void exec_session_lost(kmesos_exec_session *s, kmesos_log_level level, const char *reason);

static int exec_session_on_record(void *arg, const uint8_t *rec, size_t len)
{
    kmesos_exec_session *s = arg;
    if (!s->live) {
        s->live = s->ever_live = 1;
        uv_timer_stop(&s->recovery_timer);
    }
    if (s->cbs.on_record(s->cbs.arg, rec, len) != 0) {
        s->bad_record = 1;
        return 1;
    }
    return s->state == EXEC_SESSION_CONNECTING ? 0 : 1;
}

static void exec_session_on_headers(void *arg, long status, const kmesos_transport_headers *h)
{
    kmesos_exec_session *s = arg;
    (void)h;
    if (status == 200)
        KLOG_INFO(MOD, "SUBSCRIBE accepted by %s; reading events", s->url);
}

static void exec_session_on_data(void *arg, const uint8_t *data, size_t len)
{
    kmesos_exec_session *s = arg;
    int rc = kmesos_recordio_feed(&s->rio, data, len, exec_session_on_record, s);
    if (rc == 0 || s->state != EXEC_SESSION_CONNECTING)
        return;
    char reason[EXEC_SESSION_REASON_MAX];
    snprintf(reason, sizeof reason, "bad event stream from %s: %s", s->url,
             s->bad_record ? "an event did not decode" : kmesos_recordio_strerror(rc));
    kmesos_transport_cancel(s->stream);
    s->stream = NULL;
    exec_session_lost(s, KMESOS_LOG_ERROR, reason);
}

static void exec_session_on_done(void *arg, const kmesos_transport_result *res)
{
    kmesos_exec_session *s = arg;
    char reason[EXEC_SESSION_REASON_MAX];
    s->stream = NULL;
    if (res->status == 200)
        snprintf(reason, sizeof reason, "event stream from %s ended: %s%s", s->url,
                 res->curl_code ? res->error : "closed by the agent",
                 kmesos_recordio_partial(&s->rio) ? " (inside a record)" : "");
    else if (res->status == 0)
        snprintf(reason, sizeof reason, "SUBSCRIBE to %s failed: %s", s->url,
                 res->error ? res->error : "no answer");
    else
        snprintf(reason, sizeof reason, "SUBSCRIBE to %s answered %ld: %.*s", s->url,
                 res->status, (int)(res->body_len > 200 ? 200 : res->body_len), res->body);
    exec_session_lost(s, res->status >= 400 ? KMESOS_LOG_ERROR : KMESOS_LOG_WARN, reason);
}

static const char *const exec_session_headers[] = {"Content-Type: application/x-protobuf",
                                                   "Accept: application/x-protobuf", NULL};

static void exec_session_connect(kmesos_exec_session *s)
{
    static const kmesos_transport_stream_cbs cbs = {exec_session_on_headers, exec_session_on_data,
                                                    exec_session_on_done};
    kmesos_buf body;
    kmesos_buf_init(&body);
    s->state = EXEC_SESSION_CONNECTING;
    s->live = 0;
    s->bad_record = 0;
    kmesos_recordio_reset(&s->rio);
    if (s->cbs.encode_subscribe(s->cbs.arg, &body) != 0) {
        kmesos_buf_free(&body);
        exec_session_lost(s, KMESOS_LOG_ERROR, "cannot encode SUBSCRIBE");
        return;
    }
    kmesos_transport_request rq = {.url = s->url, .headers = exec_session_headers,
                                   .body = body.data, .body_len = body.len};
    KLOG_INFO(MOD, "subscribing to %s", s->url);
    s->stream = kmesos_transport_stream(s->tp, &rq, &cbs, s);
    kmesos_buf_free(&body);
    if (!s->stream)
        exec_session_lost(s, KMESOS_LOG_ERROR, "cannot start the SUBSCRIBE request");
}

static void exec_session_on_retry(uv_timer_t *t)
{
    kmesos_exec_session *s = t->data;
    if (s->state == EXEC_SESSION_BACKOFF)
        exec_session_connect(s);
}

/* Stops trying for good: no stream, no timer, then tells the owner. */
static void exec_session_give_up(kmesos_exec_session *s, const char *why)
{
    if (s->stream)
        kmesos_transport_cancel(s->stream);
    s->stream = NULL;
    uv_timer_stop(&s->retry_timer);
    uv_timer_stop(&s->recovery_timer);
    s->state = EXEC_SESSION_GAVE_UP;
    s->cbs.on_give_up(s->cbs.arg, why);
}

static void exec_session_on_recovery_timeout(uv_timer_t *t)
{
    kmesos_exec_session *s = t->data;
    if (s->live || (s->state != EXEC_SESSION_CONNECTING && s->state != EXEC_SESSION_BACKOFF))
        return;
    char why[160];
    snprintf(why, sizeof why, "not subscribed %.3f s after %s (%s)",
             (double)(uv_now(s->loop) - s->lost_since_ms) / 1000.0,
             s->ever_live ? "losing the agent" : "the start",
             s->ever_live ? "MESOS_RECOVERY_TIMEOUT" : "first subscription");
    KLOG_ERROR(MOD, "%s: giving up", why);
    exec_session_give_up(s, why);
}

/* A live stream is gone: without checkpointing that is the end; with it,
 * the recovery clock starts and a new SUBSCRIBE goes out at once. */
static void exec_session_lost_live(kmesos_exec_session *s, kmesos_log_level level,
                                   const char *reason)
{
    char why[EXEC_SESSION_REASON_MAX + 120];
    if (!s->resubscribe) {
        snprintf(why, sizeof why, "%s; the framework does not checkpoint (MESOS_CHECKPOINT "
                 "is not 1): an executor ends with its agent", reason);
        KLOG_ERROR(MOD, "%s", why);
        exec_session_give_up(s, why);
        return;
    }
    s->lost_since_ms = uv_now(s->loop);
    uv_timer_start(&s->recovery_timer, exec_session_on_recovery_timeout, s->recovery_ms, 0);
    kmesos_log(level, MOD, "%s; re-subscribing now, then after a random wait of up to %.3f s "
               "each time, for up to %.3f s", reason, (double)s->backoff_max_ms / 1000.0,
               (double)s->recovery_ms / 1000.0);
    s->state = EXEC_SESSION_BACKOFF;
    uv_timer_start(&s->retry_timer, exec_session_on_retry, 0, 0);
}

/* The stream is gone (s->stream already cancelled or finished): report,
 * then re-subscribe later or give up. */
static void exec_session_lost(kmesos_exec_session *s, kmesos_log_level level, const char *reason)
{
    int was_live = s->live;
    if (s->live) {
        s->live = 0;
        s->cbs.on_disconnected(s->cbs.arg, reason);
    }
    if (s->state != EXEC_SESSION_CONNECTING)
        return; /* closing, or the handler ended the session */
    if (was_live) {
        exec_session_lost_live(s, level, reason);
        return;
    }
    uint64_t wait_ms = exec_session_backoff(s);
    kmesos_log(level, MOD, "%s; re-subscribing in %.3f s", reason, (double)wait_ms / 1000.0);
    s->state = EXEC_SESSION_BACKOFF;
    uv_timer_start(&s->retry_timer, exec_session_on_retry, wait_ms, 0);
}

void kmesos_exec_session_start(kmesos_exec_session *s)
{
    if (s->state != EXEC_SESSION_IDLE)
        return;
    s->lost_since_ms = uv_now(s->loop);
    uv_timer_start(&s->recovery_timer, exec_session_on_recovery_timeout,
                   KMESOS_EXEC_FIRST_SUBSCRIBE_MS, 0);
    exec_session_connect(s);
}

/* ---- calls ----------------------------------------------------------------- */
/* Calls go out one at a time, in order: the agent handles each UPDATE as
 * it arrives, so two concurrent POSTs could reorder TASK_STARTING and
 * TASK_RUNNING. s->calls is the FIFO; its head is the one in flight. */

static void exec_session_call_next(kmesos_exec_session *s);

static void exec_session_call_pop(kmesos_exec_session *s)
{
    exec_session_call *c = s->calls;
    s->calls = c->next;
    if (s->calls)
        s->calls->prev = NULL;
    else
        s->calls_tail = NULL;
    s->pending_calls--;
    kmesos_buf_free(&c->body);
    free(c);
}

static void exec_session_call_done(void *arg, const kmesos_transport_result *res)
{
    exec_session_call *c = arg;
    kmesos_exec_session *s = c->s;
    if (res->curl_code)
        KLOG_WARN(MOD, "%s call failed: %s", exec_call_type_name(c->type), res->error);
    else if (res->status != 202)
        KLOG_WARN(MOD, "%s call answered %ld: %.*s", exec_call_type_name(c->type), res->status,
                  (int)(res->body_len > 200 ? 200 : res->body_len), res->body);
    else
        KLOG_DEBUG(MOD, "%s call answered 202", exec_call_type_name(c->type));
    exec_session_call_pop(s);
    exec_session_call_next(s);
}

/* Starts the head of the FIFO if nothing is in flight; drops calls that
 * cannot start (an UPDATE stays with the core and is resent later). */
static void exec_session_call_next(kmesos_exec_session *s)
{
    while (s->calls && !s->calls->req && s->state != EXEC_SESSION_CLOSING) {
        exec_session_call *c = s->calls;
        kmesos_transport_request rq = {.url = s->url, .headers = exec_session_headers,
                                       .body = c->body.data, .body_len = c->body.len,
                                       .timeout_ms = EXEC_SESSION_CALL_TIMEOUT_MS};
        c->req = kmesos_transport_post(s->tp, &rq, exec_session_call_done, c);
        if (c->req)
            return;
        KLOG_WARN(MOD, "cannot start a %s call", exec_call_type_name(c->type));
        exec_session_call_pop(s);
    }
}

int kmesos_exec_session_send(kmesos_exec_session *s, const Mesos__V1__Executor__Call *call)
{
    if (s->state == EXEC_SESSION_CLOSING)
        return -1;
    exec_session_call *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    kmesos_buf_init(&c->body);
    if (kmesos_protocol_encode(&call->base, KMESOS_CT_PROTOBUF, &c->body) != 0) {
        kmesos_buf_free(&c->body);
        free(c);
        return -1;
    }
    c->s = s;
    c->type = call->type;
    c->prev = s->calls_tail;
    if (s->calls_tail)
        s->calls_tail->next = c;
    else
        s->calls = c;
    s->calls_tail = c;
    s->pending_calls++;
    exec_session_call_next(s);
    return 0;
}

size_t kmesos_exec_session_pending_calls(const kmesos_exec_session *s)
{
    return s->pending_calls;
}

/* ---- closing --------------------------------------------------------------- */

static void exec_session_part_closed(kmesos_exec_session *s)
{
    if (--s->closing_parts > 0)
        return;
    while (s->calls) /* the one in flight was cancelled silently by the transport */
        exec_session_call_pop(s);
    void (*done)(void *) = s->close_done;
    void *arg = s->close_arg;
    kmesos_recordio_free(&s->rio);
    free(s->url);
    free(s);
    if (done)
        done(arg);
}

static void exec_session_timer_closed(uv_handle_t *h)
{
    exec_session_part_closed(h->data);
}

static void exec_session_tp_closed(void *arg)
{
    exec_session_part_closed(arg);
}

void kmesos_exec_session_close(kmesos_exec_session *s, void (*done)(void *arg), void *arg)
{
    s->state = EXEC_SESSION_CLOSING;
    s->close_done = done;
    s->close_arg = arg;
    s->closing_parts = 3;
    s->stream = NULL;
    uv_close((uv_handle_t *)&s->retry_timer, exec_session_timer_closed);
    uv_close((uv_handle_t *)&s->recovery_timer, exec_session_timer_closed);
    kmesos_transport_close(s->tp, exec_session_tp_closed, s);
}
