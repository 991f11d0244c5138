/* test_session_replay: the session (and the transport under it) against a
 * replay server on loopback. The server is libmicrohttpd in its own
 * threads; it answers each SUBSCRIBE with the next scripted action: the
 * captured protobuf stream of a real master, sent chunked in odd-size
 * chunks with the recorded Mesos-Stream-Id, a 307 with a scheme-relative
 * Location carrying the /master prefix (as a real non-leader does), a
 * 503, a stream that ends with a bare TCP close, or garbage. Calls are
 * answered 202 (or a scripted error) and every request is recorded so the
 * tests can check what the session sent: framework ids on re-subscribe,
 * stream ids, paths, credentials. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "codec/log.h"
#include "codec/protocol.h"
#include "codec/recordio.h"
#include "sched/mesos/session.h"
#include "testlib.h"

#define CAPS KMESOS_TEST_DATA "/mesos-captures/"
#define B3_BODY CAPS "scheduler/proto-launch-ack/b3_proto_subscribe.body.bin"
#define B3_STREAM_ID "7209c59c-0b0e-4fa7-8ae3-3aebeb61082b"
#define B3_FWID "f0a4f90e-e2ad-42c4-a867-2c78a7cebd72-0004"
#define JSON_BODY CAPS "scheduler/json-decline-revive/a_json_subscribe.body.recordio"

enum { EV_SUBSCRIBED = 1, EV_OFFERS = 2, EV_UPDATE = 4, EV_ERROR = 7, EV_HEARTBEAT = 8 };

/* ---- replay server ------------------------------------------------------ */

typedef enum { ACT_STREAM, ACT_REDIRECT, ACT_STATUS, ACT_SILENT } act_kind;
typedef enum { END_FINAL, END_EOF, END_HOLD } act_end;

typedef struct act {
    act_kind kind;
    int status;        /* ACT_STATUS */
    const char *text;
    int port;          /* ACT_REDIRECT: where the leader is */
    const uint8_t *data; /* ACT_STREAM: RecordIO bytes */
    size_t len;
    act_end end;
    const char *stream_id;
    int json;
} act;

#define MAX_ACTS 8
#define MAX_REQS 32

typedef struct rec_req {
    char path[128];
    char stream_id[80];
    char auth[160];
    char content_type[64];
    int type;         /* Call.type, -1 when undecodable */
    char fwid[128];   /* Call.framework_id */
    char fi_id[128];  /* Call.subscribe.framework_info.id */
    char principal[64];
    char role[64];
    int n_caps;
} rec_req;

typedef struct server {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    act acts[MAX_ACTS];
    int n_acts;
    int next_act;
    int call_status;
    const char *call_text;
    rec_req reqs[MAX_REQS];
    int n_reqs;
    atomic_int stopping;
} server;

typedef struct conn {
    kmesos_buf body;
} conn;

typedef struct streamer {
    server *srv;
    act a;
    size_t pos;
    unsigned chunk;
} streamer;

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void record_call(rec_req *r, const conn *cn)
{
    char err[128];
    kmesos_content_type ct = kmesos_content_type_parse(r->content_type);
    ProtobufCMessage *m = kmesos_protocol_decode(&mesos__v1__scheduler__call__descriptor,
                                                 ct, cn->body.data, cn->body.len, err, sizeof err);
    r->type = -1;
    if (!m)
        return;
    Mesos__V1__Scheduler__Call *c = (Mesos__V1__Scheduler__Call *)m;
    r->type = c->type;
    if (c->framework_id)
        copy_str(r->fwid, sizeof r->fwid, c->framework_id->value);
    Mesos__V1__FrameworkInfo *fi = c->subscribe ? c->subscribe->framework_info : NULL;
    if (fi && fi->id)
        copy_str(r->fi_id, sizeof r->fi_id, fi->id->value);
    if (fi) {
        copy_str(r->principal, sizeof r->principal, fi->principal);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        copy_str(r->role, sizeof r->role, fi->n_roles ? fi->roles[0] : fi->role);
#pragma GCC diagnostic pop
        r->n_caps = (int)fi->n_capabilities;
    }
    protobuf_c_message_free_unpacked(m, NULL);
}

static rec_req record_request(server *srv, struct MHD_Connection *c, const char *url,
                              const conn *cn)
{
    rec_req r;
    memset(&r, 0, sizeof r);
    copy_str(r.path, sizeof r.path, url);
    copy_str(r.stream_id, sizeof r.stream_id,
             MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mesos-Stream-Id"));
    copy_str(r.auth, sizeof r.auth,
             MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));
    copy_str(r.content_type, sizeof r.content_type,
             MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"));
    record_call(&r, cn);
    pthread_mutex_lock(&srv->mu);
    if (srv->n_reqs < MAX_REQS)
        srv->reqs[srv->n_reqs++] = r;
    pthread_mutex_unlock(&srv->mu);
    return r;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    static const size_t sizes[] = {7, 13, 1, 3, 64, 5, 200, 2, 31};
    streamer *st = cls;
    if (atomic_load(&st->srv->stopping))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (st->pos < st->a.len) {
        size_t n = sizes[st->chunk++ % (sizeof sizes / sizeof sizes[0])];
        size_t left = st->a.len - st->pos;
        n = n < left ? n : left;
        n = n < max ? n : max;
        memcpy(buf, st->a.data + st->pos, n);
        st->pos += n;
        usleep(300); /* let the chunks travel one by one */
        return (ssize_t)n;
    }
    if (st->a.end == END_FINAL)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (st->a.end == END_EOF)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    usleep(20000); /* END_HOLD: an open stream with no event */
    return 0;
}

static enum MHD_Result queue_text(struct MHD_Connection *c, int status, const char *text,
                                  const char *location)
{
    struct MHD_Response *rs = MHD_create_response_from_buffer(
        strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (*text)
        MHD_add_response_header(rs, "Content-Type", "text/plain; charset=utf-8");
    if (location)
        MHD_add_response_header(rs, "Location", location);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, rs);
    MHD_destroy_response(rs);
    return ret;
}

static enum MHD_Result queue_stream(server *srv, struct MHD_Connection *c, const act *a)
{
    streamer *st = calloc(1, sizeof *st);
    st->srv = srv;
    st->a = *a;
    struct MHD_Response *rs =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st, free);
    MHD_add_response_header(rs, "Mesos-Stream-Id", a->stream_id ? a->stream_id : B3_STREAM_ID);
    MHD_add_response_header(rs, "Content-Type",
                            a->json ? "application/json" : "application/x-protobuf");
    enum MHD_Result ret = MHD_queue_response(c, 200, rs);
    MHD_destroy_response(rs);
    return ret;
}

static enum MHD_Result answer_subscribe(server *srv, struct MHD_Connection *c)
{
    pthread_mutex_lock(&srv->mu);
    int i = srv->next_act < srv->n_acts ? srv->next_act++ : srv->n_acts - 1;
    act a = srv->acts[i];
    pthread_mutex_unlock(&srv->mu);
    char loc[128];
    switch (a.kind) {
    case ACT_REDIRECT:
        snprintf(loc, sizeof loc, "//127.0.0.1:%d/master/api/v1/scheduler", a.port);
        return queue_text(c, 307, "", loc);
    case ACT_STATUS:
        return queue_text(c, a.status, a.text, NULL);
    case ACT_SILENT: /* accept the connection, never answer */
        while (!atomic_load(&srv->stopping))
            usleep(10000);
        return MHD_NO;
    default:
        return queue_stream(srv, c, &a);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)method;
    (void)version;
    server *srv = cls;
    conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        kmesos_buf_init(&cn->body);
        *con_cls = cn;
        return MHD_YES;
    }
    if (*upload_size) {
        kmesos_buf_append(&cn->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    rec_req r = record_request(srv, c, url, cn);
    if (r.type == MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE)
        return answer_subscribe(srv, c);
    return queue_text(c, srv->call_status ? srv->call_status : 202,
                      srv->call_text ? srv->call_text : "", NULL);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn *cn = *con_cls;
    if (cn) {
        kmesos_buf_free(&cn->body);
        free(cn);
    }
    *con_cls = NULL;
}

static void server_start(server *srv)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    pthread_mutex_init(&srv->mu, NULL);
    srv->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                              0, NULL, NULL, on_request, srv,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                              MHD_OPTION_END);
    CHECK(srv->d != NULL);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
}

static void server_stop(server *srv)
{
    atomic_store(&srv->stopping, 1);
    if (srv->d)
        MHD_stop_daemon(srv->d);
    pthread_mutex_destroy(&srv->mu);
}

static void server_add(server *srv, act a)
{
    srv->acts[srv->n_acts++] = a;
}

static rec_req server_req(server *srv, int i)
{
    rec_req r;
    memset(&r, 0, sizeof r);
    r.type = -2;
    pthread_mutex_lock(&srv->mu);
    if (i < srv->n_reqs)
        r = srv->reqs[i];
    pthread_mutex_unlock(&srv->mu);
    return r;
}

static int server_count(server *srv, int type)
{
    int n = 0;
    pthread_mutex_lock(&srv->mu);
    for (int i = 0; i < srv->n_reqs; i++)
        n += srv->reqs[i].type == type;
    pthread_mutex_unlock(&srv->mu);
    return n;
}

/* ---- stream material ---------------------------------------------------- */

typedef struct records {
    kmesos_buf recs[64];
    int n;
} records;

static int collect_record(void *arg, const uint8_t *rec, size_t len)
{
    records *r = arg;
    if (r->n < 64) {
        kmesos_buf_init(&r->recs[r->n]);
        kmesos_buf_append(&r->recs[r->n++], rec, len);
    }
    return 0;
}

/* The first n records of the captured stream, framed again. */
static void b3_prefix(const uint8_t *body, size_t len, int n, kmesos_buf *out)
{
    records r = {.n = 0};
    kmesos_recordio rio;
    kmesos_recordio_init(&rio, 0);
    CHECK_INT(kmesos_recordio_feed(&rio, body, len, collect_record, &r), 0);
    kmesos_recordio_free(&rio);
    for (int i = 0; i < r.n; i++) {
        if (i < n)
            kmesos_recordio_encode(out, r.recs[i].data, r.recs[i].len);
        kmesos_buf_free(&r.recs[i]);
    }
}

static void add_event(kmesos_buf *out, const Mesos__V1__Scheduler__Event *ev)
{
    size_t n = protobuf_c_message_get_packed_size(&ev->base);
    uint8_t *p = malloc(n ? n : 1);
    protobuf_c_message_pack(&ev->base, p);
    kmesos_recordio_encode(out, p, n);
    free(p);
}

static void add_subscribed(kmesos_buf *out, const char *fwid, double heartbeat)
{
    Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;
    fid.value = (char *)fwid;
    Mesos__V1__Scheduler__Event__Subscribed sub = MESOS__V1__SCHEDULER__EVENT__SUBSCRIBED__INIT;
    sub.framework_id = &fid;
    sub.has_heartbeat_interval_seconds = 1;
    sub.heartbeat_interval_seconds = heartbeat;
    Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
    ev.has_type = 1;
    ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED;
    ev.subscribed = &sub;
    add_event(out, &ev);
}

static void add_simple(kmesos_buf *out, int type)
{
    Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
    ev.has_type = 1;
    ev.type = (Mesos__V1__Scheduler__Event__Type)type;
    add_event(out, &ev);
}

static void add_error(kmesos_buf *out, const char *message)
{
    Mesos__V1__Scheduler__Event__Error e = MESOS__V1__SCHEDULER__EVENT__ERROR__INIT;
    e.message = (char *)message;
    Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
    ev.has_type = 1;
    ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR;
    ev.error = &e;
    add_event(out, &ev);
}

/* ---- session side ------------------------------------------------------- */

typedef struct tctx tctx;
struct tctx {
    uv_loop_t loop;
    kmesos_session *s;
    int types[128];
    int n_events;
    int n_subscribed;
    int resub[8];
    double heartbeat;
    char fwid[128];
    int n_disconnected;
    char disc_reason[512];
    int n_errors;
    char error_msg[256];
    int closing;
    int closed;
    int timed_out;
    int call_done;
    long call_status;
    char call_error[256];
    int early_call_rc;
    uint64_t started_ms;
    uint64_t subscribed_ms;
    uv_timer_t watchdog;
    uv_timer_t delay;
    kmesos_session_stats stats;
    kmesos_session_state final_state;
    void (*on_ev)(tctx *t, const Mesos__V1__Scheduler__Event *ev);
    void (*on_sub)(tctx *t);
    void (*on_err)(tctx *t);
    server *srv;
    const kmesos_session_handler *handler; /* NULL: the one below */
};

static void on_handle_closed(uv_handle_t *h) { (void)h; }

static void on_session_closed(void *arg)
{
    tctx *t = arg;
    t->closed = 1;
    uv_close((uv_handle_t *)&t->watchdog, on_handle_closed);
    uv_close((uv_handle_t *)&t->delay, on_handle_closed);
}

static void tc_close(tctx *t)
{
    if (t->closing)
        return;
    t->closing = 1;
    t->stats = *kmesos_session_get_stats(t->s);
    t->final_state = kmesos_session_get_state(t->s);
    kmesos_session_close(t->s, on_session_closed, t);
}

static void h_subscribed(void *arg, const char *fwid, double hb, int is_resub)
{
    tctx *t = arg;
    if (t->n_subscribed < 8)
        t->resub[t->n_subscribed] = is_resub;
    t->n_subscribed++;
    t->heartbeat = hb;
    t->subscribed_ms = uv_now(&t->loop);
    copy_str(t->fwid, sizeof t->fwid, fwid);
    CHECK_STR(kmesos_session_framework_id(t->s), fwid);
    if (t->on_sub)
        t->on_sub(t);
}

static void h_event(void *arg, const Mesos__V1__Scheduler__Event *ev)
{
    tctx *t = arg;
    if (t->n_events < 128)
        t->types[t->n_events] = ev->type;
    t->n_events++;
    if (t->on_ev)
        t->on_ev(t, ev);
}

static void h_disconnected(void *arg, const char *reason)
{
    tctx *t = arg;
    t->n_disconnected++;
    copy_str(t->disc_reason, sizeof t->disc_reason, reason);
}

static void h_error(void *arg, const char *message)
{
    tctx *t = arg;
    t->n_errors++;
    copy_str(t->error_msg, sizeof t->error_msg, message);
    if (t->on_err)
        t->on_err(t);
}

static const kmesos_session_handler handler = {h_subscribed, h_event, h_disconnected, h_error,
                                               NULL, NULL};

static void on_watchdog(uv_timer_t *h)
{
    tctx *t = h->data;
    t->timed_out = 1;
    fprintf(stderr, "  watchdog fired\n");
    tc_close(t);
}

static void on_call_done(void *arg, long status, const char *error)
{
    tctx *t = arg;
    t->call_done++;
    t->call_status = status;
    copy_str(t->call_error, sizeof t->call_error, error);
    tc_close(t);
}

static kmesos_session_config base_config(void)
{
    kmesos_session_config c;
    memset(&c, 0, sizeof c);
    c.framework_name = "kafka-test";
    c.user = "root";
    c.failover_timeout_s = 60;
    c.backoff_base_s = 0.05;
    c.backoff_cap_s = 0.2;
    c.connect_timeout_ms = 2000;
    return c;
}

static void tc_master(char *buf, size_t n, const server *srv)
{
    snprintf(buf, n, "127.0.0.1:%d", srv->port);
}

static void tc_run_full(tctx *t, const kmesos_session_config *cfg, const char *preset_fwid,
                        uv_timer_cb delay_cb, uint64_t delay_ms);

/* Runs the session until a test callback closes it (or 10 s pass). */
static void tc_run(tctx *t, const kmesos_session_config *cfg, const char *preset_fwid)
{
    tc_run_full(t, cfg, preset_fwid, NULL, 0);
}

/* Same, and calls delay_cb after delay_ms. */
static void tc_run_with_timer(tctx *t, const kmesos_session_config *cfg, uv_timer_cb delay_cb,
                              uint64_t delay_ms)
{
    tc_run_full(t, cfg, NULL, delay_cb, delay_ms);
}

static void tc_run_full(tctx *t, const kmesos_session_config *cfg, const char *preset_fwid,
                        uv_timer_cb delay_cb, uint64_t delay_ms)
{
    char err[256] = "";
    uv_loop_init(&t->loop);
    t->s = kmesos_session_new(&t->loop, cfg, t->handler ? t->handler : &handler, t, err,
                              sizeof err);
    CHECK(t->s != NULL);
    if (!t->s) {
        fprintf(stderr, "  %s\n", err);
        uv_loop_close(&t->loop);
        return;
    }
    if (preset_fwid)
        kmesos_session_set_framework_id(t->s, preset_fwid);
    uv_timer_init(&t->loop, &t->watchdog);
    uv_timer_init(&t->loop, &t->delay);
    t->watchdog.data = t;
    t->delay.data = t;
    uv_timer_start(&t->watchdog, on_watchdog, 10000, 0);
    if (delay_cb)
        uv_timer_start(&t->delay, delay_cb, delay_ms, 0);
    t->started_ms = uv_now(&t->loop);
    Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
    call.has_type = 1;
    call.type = MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE;
    t->early_call_rc = kmesos_session_call(t->s, &call, on_call_done, t);
    CHECK_INT(kmesos_session_start(t->s), 0);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    CHECK(t->closed);
    CHECK(!t->timed_out);
    CHECK_INT(uv_loop_close(&t->loop), 0);
}

static void send_revive(tctx *t)
{
    Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
    call.has_type = 1;
    call.type = MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE;
    int rc = kmesos_session_call(t->s, &call, on_call_done, t);
    CHECK_INT(rc, 0);
    CHECK(call.framework_id == NULL); /* the caller's call is left as it was */
    if (rc != 0)
        tc_close(t);
}

/* ---- tests -------------------------------------------------------------- */

static const int b3_types[] = {EV_SUBSCRIBED, EV_HEARTBEAT, EV_OFFERS, EV_UPDATE,
                               EV_UPDATE, EV_OFFERS, EV_HEARTBEAT, EV_HEARTBEAT,
                               EV_UPDATE, EV_OFFERS, EV_HEARTBEAT};
#define B3_EVENTS 11

static void revive_after_b3(tctx *t, const Mesos__V1__Scheduler__Event *ev)
{
    (void)ev;
    if (t->n_events == B3_EVENTS)
        send_revive(t);
}

static void check_b3_events(const tctx *t, int offset)
{
    for (int i = 0; i < B3_EVENTS; i++)
        CHECK_INT(t->types[offset + i], b3_types[i]);
}

/* A replay server streaming the captured B3 session (then held open), its
 * address in master. The body (free it after server_stop), or NULL. */
static uint8_t *b3_server(server *srv, size_t *len, char *master, size_t n)
{
    *len = 0;
    uint8_t *body = testlib_read_file(B3_BODY, len);
    CHECK(body != NULL);
    if (!body)
        return NULL;
    memset(srv, 0, sizeof *srv);
    server_add(srv, (act){.kind = ACT_STREAM, .data = body, .len = *len, .end = END_HOLD});
    server_start(srv);
    tc_master(master, n, srv);
    return body;
}

static void test_captured_stream_in_odd_chunks(void)
{
    size_t len;
    server srv;
    char master[64];
    uint8_t *body = b3_server(&srv, &len, master, sizeof master);
    if (!body)
        return;
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    cfg.role = "kafka";
    cfg.checkpoint = 1;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_ev = revive_after_b3;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.early_call_rc, KMESOS_SESSION_ENOTSUBSCRIBED);
    CHECK_INT(t.n_events, B3_EVENTS);
    check_b3_events(&t, 0);
    CHECK_INT(t.n_subscribed, 1);
    CHECK_INT(t.resub[0], 0);
    CHECK_STR(t.fwid, B3_FWID);
    CHECK(t.heartbeat == 15.0);
    CHECK_INT(t.call_done, 1);
    CHECK_INT(t.call_status, 202);
    CHECK_STR(t.call_error, "");
    CHECK_INT(t.stats.subscribes, 1);
    CHECK_INT(t.stats.subscribe_attempts, 1);
    CHECK_INT(t.stats.events, B3_EVENTS);
    CHECK_INT(t.stats.events_by_type[EV_OFFERS], 3);
    CHECK_INT(t.stats.events_by_type[EV_UPDATE], 3);
    CHECK_INT(t.stats.events_by_type[EV_HEARTBEAT], 4);
    CHECK_INT(t.stats.bytes, len);
    CHECK_INT(t.stats.calls_sent, 1);
    CHECK_INT(t.final_state, KMESOS_SESSION_SUBSCRIBED);
    rec_req sub = server_req(&srv, 0), call = server_req(&srv, 1);
    CHECK_INT(sub.type, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE);
    CHECK_STR(sub.path, "/api/v1/scheduler");
    CHECK_STR(sub.stream_id, "");
    CHECK_STR(sub.content_type, "application/x-protobuf");
    CHECK_STR(sub.fwid, "");
    CHECK_STR(sub.role, "kafka"); /* FrameworkInfo.role: no MULTI_ROLE asked */
    CHECK_INT(sub.n_caps, 0);
    CHECK_INT(call.type, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE);
    CHECK_STR(call.stream_id, B3_STREAM_ID);
    CHECK_STR(call.fwid, B3_FWID);
    server_stop(&srv);
    free(body);
}

/* The program's data path: handler.event_arg sends the events to their
 * consumer (the scheduler), which answers through kmesos_session_send. */
typedef struct consumer {
    tctx *t;
    int events;
    int send_rc;
} consumer;

static void consume(void *arg, const Mesos__V1__Scheduler__Event *ev)
{
    (void)ev;
    consumer *c = arg;
    if (++c->events != B3_EVENTS)
        return;
    Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
    call.has_type = 1;
    call.type = MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE;
    c->send_rc = kmesos_session_send(c->t->s, &call);
    /* calls go out in order: once this one is answered, so was the send */
    call.type = MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS;
    if (kmesos_session_call(c->t->s, &call, on_call_done, c->t) != 0)
        tc_close(c->t);
}

static void test_events_go_to_their_consumer(void)
{
    size_t len;
    server srv;
    char master[64];
    uint8_t *body = b3_server(&srv, &len, master, sizeof master);
    if (!body)
        return;
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    consumer c = {&t, 0, -99};
    kmesos_session_handler h = handler;
    h.on_event = consume;
    h.event_arg = &c;
    t.handler = &h;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(c.events, B3_EVENTS);
    CHECK_INT(t.n_events, 0);     /* none went to the handler's arg */
    CHECK_INT(t.n_subscribed, 1); /* the rest of the handler still does */
    CHECK_INT(c.send_rc, 0);
    CHECK_INT(t.call_status, 202);
    CHECK_INT(server_req(&srv, 1).type, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE);
    CHECK_STR(server_req(&srv, 1).stream_id, B3_STREAM_ID);
    CHECK_STR(server_req(&srv, 1).fwid, B3_FWID);
    CHECK_INT(server_req(&srv, 2).type, MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS);
    server_stop(&srv);
    free(body);
}

static void test_redirect_to_leader(void)
{
    size_t len = 0;
    uint8_t *body = testlib_read_file(B3_BODY, &len);
    server leader, other;
    memset(&leader, 0, sizeof leader);
    memset(&other, 0, sizeof other);
    server_add(&leader, (act){.kind = ACT_STREAM, .data = body, .len = len, .end = END_HOLD});
    server_start(&leader);
    server_add(&other, (act){.kind = ACT_REDIRECT, .port = leader.port});
    server_start(&other);
    char master[64];
    tc_master(master, sizeof master, &other);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_ev = revive_after_b3;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 1);
    CHECK_INT(t.n_events, B3_EVENTS);
    CHECK_INT(t.stats.redirects, 1);
    CHECK_INT(t.stats.subscribe_attempts, 2);
    CHECK_INT(t.call_status, 202);
    CHECK_STR(server_req(&other, 0).path, "/api/v1/scheduler");
    CHECK_INT(server_req(&other, 1).type, -2); /* nothing else went to the non-leader */
    rec_req sub = server_req(&leader, 0), call = server_req(&leader, 1);
    CHECK_STR(sub.path, "/master/api/v1/scheduler");
    CHECK_INT(sub.type, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE);
    CHECK_STR(call.path, "/master/api/v1/scheduler");
    CHECK_STR(call.stream_id, B3_STREAM_ID);
    server_stop(&other);
    server_stop(&leader);
    free(body);
}

static void close_on_subscribed(tctx *t) { tc_close(t); }

static void test_503_then_success(void)
{
    size_t len = 0;
    uint8_t *body = testlib_read_file(B3_BODY, &len);
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STATUS, .status = 503, .text = "No leader elected"});
    server_add(&srv, (act){.kind = ACT_STREAM, .data = body, .len = len, .end = END_HOLD});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    cfg.role = "kafka-role";
    static const Mesos__V1__FrameworkInfo__Capability__Type caps[] = {
        MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE,
        MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__MULTI_ROLE};
    cfg.capabilities = caps;
    cfg.n_capabilities = 2;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = close_on_subscribed;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 1);
    CHECK_INT(t.stats.subscribe_attempts, 2);
    CHECK_INT(t.n_disconnected, 0);
    CHECK_STR(server_req(&srv, 1).role, "kafka-role"); /* roles[0] with MULTI_ROLE */
    CHECK_INT(server_req(&srv, 1).n_caps, 2);
    CHECK(strstr(t.stats.last_error, "503") != NULL);
    CHECK(strstr(t.stats.last_error, "No leader elected") != NULL);
    CHECK(t.subscribed_ms - t.started_ms >= 20); /* backed off >= base/2 */
    server_stop(&srv);
    free(body);
}

static void close_on_second_subscribed(tctx *t)
{
    if (t->n_subscribed == 2)
        tc_close(t);
}

/* The heartbeat each SUBSCRIBED gave (issue 11): bounded, then default. */
static void check_bounded_heartbeat(tctx *t)
{
    static const double want[] = {3600.0, 15.0};
    if (t->n_subscribed <= 2)
        CHECK(t->heartbeat == want[t->n_subscribed - 1]);
    close_on_second_subscribed(t);
}

/* A master's heartbeat_interval_seconds of 1e300 once overflowed the
 * liveness timer (float-cast-overflow), so that every later SUBSCRIBE was
 * cancelled at once; a negative one is no heartbeat at all. */
static void test_hostile_heartbeat_is_bounded(void)
{
    kmesos_buf huge, negative;
    kmesos_buf_init(&huge);
    kmesos_buf_init(&negative);
    add_subscribed(&huge, "fw-hb-0001", 1e300);
    add_subscribed(&negative, "fw-hb-0001", -1);
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = huge.data, .len = huge.len,
                           .end = END_EOF});
    server_add(&srv, (act){.kind = ACT_STREAM, .data = negative.data, .len = negative.len,
                           .end = END_HOLD});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = check_bounded_heartbeat;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 2);
    CHECK_INT(t.stats.liveness_timeouts, 0);
    server_stop(&srv);
    kmesos_buf_free(&huge);
    kmesos_buf_free(&negative);
}

static void test_eof_resubscribes_with_framework_id(void)
{
    size_t len = 0;
    uint8_t *body = testlib_read_file(B3_BODY, &len);
    kmesos_buf prefix;
    kmesos_buf_init(&prefix);
    b3_prefix(body, len, 3, &prefix);
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = prefix.data, .len = prefix.len,
                           .end = END_EOF});
    server_add(&srv, (act){.kind = ACT_STREAM, .data = body, .len = len, .end = END_HOLD,
                           .stream_id = "second-stream"});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = close_on_second_subscribed;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 2);
    CHECK_INT(t.resub[0], 0);
    CHECK_INT(t.resub[1], 1);
    CHECK_INT(t.n_disconnected, 1);
    CHECK(strstr(t.disc_reason, "ended") != NULL);
    CHECK_INT(t.stats.reconnects, 1);
    /* SUBSCRIBED HEARTBEAT OFFERS; the second SUBSCRIBED reached only
     * on_subscribed, which closed the session: no event after a close. */
    CHECK_INT(t.n_events, 3);
    rec_req first = server_req(&srv, 0), second = server_req(&srv, 1);
    CHECK_INT(first.type, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE);
    CHECK_STR(first.fwid, "");
    CHECK_STR(first.fi_id, "");
    CHECK_INT(second.type, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE);
    CHECK_STR(second.fwid, B3_FWID);
    CHECK_STR(second.fi_id, B3_FWID);
    server_stop(&srv);
    kmesos_buf_free(&prefix);
    free(body);
}

static void test_garbage_streams_resubscribe(void)
{
    size_t len = 0;
    uint8_t *body = testlib_read_file(B3_BODY, &len);
    static const char badlen[] = "xyz\n12\nabcdefghijkl";
    static const char oversize[] = "99999999999\n0123456789";
    static const char undecodable[] = "5\nabcde";
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = (const uint8_t *)badlen,
                           .len = sizeof badlen - 1, .end = END_HOLD});
    server_add(&srv, (act){.kind = ACT_STREAM, .data = (const uint8_t *)oversize,
                           .len = sizeof oversize - 1, .end = END_HOLD});
    server_add(&srv, (act){.kind = ACT_STREAM, .data = (const uint8_t *)undecodable,
                           .len = sizeof undecodable - 1, .end = END_HOLD});
    server_add(&srv, (act){.kind = ACT_STREAM, .data = body, .len = len, .end = END_HOLD});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    cfg.max_record = 1024 * 1024;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = close_on_subscribed;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 1);
    CHECK_INT(t.stats.bad_streams, 3);
    CHECK_INT(t.stats.subscribe_attempts, 4);
    CHECK_INT(t.n_disconnected, 0);
    CHECK_INT(t.n_events, 0); /* closed inside on_subscribed */
    CHECK_INT(server_count(&srv, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE), 4);
    server_stop(&srv);
    free(body);
}

static void test_liveness_timeout(void)
{
    kmesos_buf stream;
    kmesos_buf_init(&stream);
    add_subscribed(&stream, "fw-live-0001", 0.1);
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = stream.data, .len = stream.len,
                           .end = END_HOLD});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = close_on_second_subscribed;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 2);
    CHECK_INT(t.resub[1], 1);
    CHECK_INT(t.stats.liveness_timeouts, 1);
    CHECK_INT(t.n_disconnected, 1);
    CHECK(strstr(t.disc_reason, "no event") != NULL);
    CHECK(t.heartbeat == 0.1);
    CHECK_STR(server_req(&srv, 1).fwid, "fw-live-0001");
    server_stop(&srv);
    kmesos_buf_free(&stream);
}

static void on_quiet_period(uv_timer_t *h) { tc_close(h->data); }

static void wait_then_close(tctx *t)
{
    uv_timer_start(&t->delay, on_quiet_period, 300, 0);
}

static void test_error_event_stops(void)
{
    kmesos_buf stream;
    kmesos_buf_init(&stream);
    add_subscribed(&stream, "fw-err-0001", 15);
    add_simple(&stream, 99); /* an event type this build does not know */
    add_simple(&stream, EV_HEARTBEAT);
    add_error(&stream, "Framework has been removed");
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = stream.data, .len = stream.len,
                           .end = END_FINAL});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_err = wait_then_close;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_errors, 1);
    CHECK_STR(t.error_msg, "Framework has been removed");
    CHECK_INT(t.n_events, 3); /* SUBSCRIBED, HEARTBEAT, ERROR; type 99 skipped */
    CHECK_INT(t.types[2], EV_ERROR);
    CHECK_INT(t.stats.events_unknown, 1);
    CHECK_INT(t.final_state, KMESOS_SESSION_STOPPED);
    CHECK_INT(t.n_disconnected, 0);
    CHECK_INT(server_count(&srv, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE), 1);
    server_stop(&srv);
    kmesos_buf_free(&stream);
}

static void teardown_done(void *arg, long status, const char *error)
{
    tctx *t = arg;
    t->call_done++;
    t->call_status = status;
    copy_str(t->call_error, sizeof t->call_error, error);
    CHECK_INT(kmesos_session_get_state(t->s), KMESOS_SESSION_STOPPED);
    wait_then_close(t);
}

static void teardown_on_subscribed(tctx *t)
{
    CHECK_INT(kmesos_session_teardown(t->s, teardown_done, t), 0);
    CHECK_INT(kmesos_session_get_state(t->s), KMESOS_SESSION_STOPPING);
}

static void test_teardown_with_auth(void)
{
    kmesos_buf stream;
    kmesos_buf_init(&stream);
    add_subscribed(&stream, "fw-td-0001", 15);
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = stream.data, .len = stream.len,
                           .end = END_HOLD});
    server_start(&srv);
    char master[64];
    snprintf(master, sizeof master, "http://127.0.0.1:%d", srv.port);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    cfg.principal = "kafka";
    cfg.secret = "secret";
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = teardown_on_subscribed;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.call_done, 1);
    CHECK_INT(t.call_status, 202);
    CHECK_INT(t.final_state, KMESOS_SESSION_STOPPED);
    rec_req sub = server_req(&srv, 0), td = server_req(&srv, 1);
    CHECK_STR(sub.auth, "Basic a2Fma2E6c2VjcmV0"); /* kafka:secret */
    CHECK_STR(sub.principal, "kafka");
    CHECK_INT(td.type, MESOS__V1__SCHEDULER__CALL__TYPE__TEARDOWN);
    CHECK_STR(td.fwid, "fw-td-0001");
    CHECK_STR(td.auth, "Basic a2Fma2E6c2VjcmV0");
    CHECK_INT(server_count(&srv, MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE), 1);
    server_stop(&srv);
    kmesos_buf_free(&stream);
}

static void revive_on_subscribed(tctx *t) { send_revive(t); }

static void test_call_error_text(void)
{
    kmesos_buf stream;
    kmesos_buf_init(&stream);
    add_subscribed(&stream, "fw-call-0001", 15);
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = stream.data, .len = stream.len,
                           .end = END_HOLD});
    srv.call_status = 400;
    srv.call_text = "Failed to validate scheduler::Call: Expecting 'decline' to be present";
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = revive_on_subscribed;
    tc_run(&t, &cfg, "fw-call-0001");
    CHECK_INT(t.resub[0], 1); /* the preset framework id was sent */
    CHECK_STR(server_req(&srv, 0).fi_id, "fw-call-0001");
    CHECK_INT(t.call_status, 400);
    CHECK_STR(t.call_error, srv.call_text);
    CHECK_INT(t.stats.calls_failed, 1);
    server_stop(&srv);
    kmesos_buf_free(&stream);
}

/* The handler's gate (scheduler HA): once it refuses, a queued call is
 * answered with status 0 and never reaches the master. */
static int gate_open = 1;
static int h_may_send(void *arg)
{
    (void)arg;
    return gate_open;
}

static void close_gate_and_revive(tctx *t)
{
    gate_open = 0;
    send_revive(t);
}

static void test_gate_drops_calls(void)
{
    kmesos_buf stream;
    kmesos_buf_init(&stream);
    add_subscribed(&stream, "fw-gate-0001", 15);
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = stream.data, .len = stream.len,
                           .end = END_HOLD});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    kmesos_session_handler gated = handler;
    gated.may_send = h_may_send;
    tctx t;
    memset(&t, 0, sizeof t);
    t.handler = &gated;
    t.on_sub = close_gate_and_revive;
    gate_open = 1;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 1); /* SUBSCRIBE went out while the gate was open */
    CHECK_INT(t.call_done, 1);
    CHECK_INT(t.call_status, 0);
    CHECK_STR(t.call_error, "not the leader");
    CHECK_INT(server_count(&srv, MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE), 0);
    server_stop(&srv);
    kmesos_buf_free(&stream);
}

static void test_next_master_after_refused(void)
{
    size_t len = 0;
    uint8_t *body = testlib_read_file(B3_BODY, &len);
    server srv, dead;
    memset(&srv, 0, sizeof srv);
    memset(&dead, 0, sizeof dead);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = body, .len = len, .end = END_HOLD});
    server_start(&srv);
    server_start(&dead); /* learn a free port, then close it */
    int dead_port = dead.port;
    server_stop(&dead);
    char master[128];
    snprintf(master, sizeof master, "127.0.0.1:%d,127.0.0.1:%d", dead_port, srv.port);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = close_on_subscribed;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 1);
    CHECK_INT(t.stats.subscribe_attempts, 2);
    CHECK(strstr(t.stats.last_error, "failed") != NULL);
    server_stop(&srv);
    free(body);
}

static void close_on_third_event(tctx *t, const Mesos__V1__Scheduler__Event *ev)
{
    (void)ev;
    if (t->n_events == 3)
        tc_close(t); /* inside the event callback, mid-stream */
}

static void test_json_stream_and_close_inside_handler(void)
{
    size_t len = 0;
    uint8_t *body = testlib_read_file(JSON_BODY, &len);
    CHECK(body != NULL);
    if (!body)
        return;
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = body, .len = len, .end = END_HOLD,
                           .json = 1});
    server_start(&srv);
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    cfg.content_type = KMESOS_CT_JSON;
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_ev = close_on_third_event;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_events, 3);
    CHECK_INT(t.types[0], EV_SUBSCRIBED);
    CHECK_STR(t.fwid, "f0a4f90e-e2ad-42c4-a867-2c78a7cebd72-0000");
    CHECK_STR(server_req(&srv, 0).content_type, "application/json");
    server_stop(&srv);
    free(body);
}

static void close_after_redirect_loop(uv_timer_t *h)
{
    tc_close(h->data);
}

static void test_redirect_loop_and_401_back_off(void)
{
    server srv;
    memset(&srv, 0, sizeof srv);
    server_add(&srv, (act){.kind = ACT_STATUS, .status = 401, .text = "401 Unauthorized."});
    server_start(&srv);
    srv.acts[srv.n_acts++] = (act){.kind = ACT_REDIRECT, .port = srv.port}; /* to itself */
    char master[64];
    tc_master(master, sizeof master, &srv);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    tctx t;
    memset(&t, 0, sizeof t);
    tc_run_with_timer(&t, &cfg, close_after_redirect_loop, 600);
    CHECK_INT(t.n_subscribed, 0);
    CHECK(t.stats.redirects >= 5);
    CHECK(t.stats.subscribe_attempts >= 7); /* 401, 1 + 5 redirects, retry */
    CHECK(strstr(t.stats.last_error, "too many redirects") != NULL);
    rec_req first = server_req(&srv, 0);
    CHECK_STR(first.path, "/api/v1/scheduler");
    server_stop(&srv);
}

static void test_silent_master_times_out(void)
{
    size_t len = 0;
    uint8_t *body = testlib_read_file(B3_BODY, &len);
    server silent, srv;
    memset(&silent, 0, sizeof silent);
    memset(&srv, 0, sizeof srv);
    server_add(&silent, (act){.kind = ACT_SILENT});
    server_start(&silent);
    server_add(&srv, (act){.kind = ACT_STREAM, .data = body, .len = len, .end = END_HOLD});
    server_start(&srv);
    char master[128];
    snprintf(master, sizeof master, "127.0.0.1:%d,127.0.0.1:%d", silent.port, srv.port);
    kmesos_session_config cfg = base_config();
    cfg.master = master;
    cfg.liveness_factor = 0.02; /* 0.3 s with the default 15 s heartbeat */
    tctx t;
    memset(&t, 0, sizeof t);
    t.on_sub = close_on_subscribed;
    tc_run(&t, &cfg, NULL);
    CHECK_INT(t.n_subscribed, 1);
    CHECK_INT(t.stats.liveness_timeouts, 1);
    CHECK(strstr(t.stats.last_error, "no answer") != NULL);
    CHECK(t.subscribed_ms - t.started_ms >= 250);
    server_stop(&srv);
    server_stop(&silent);
    free(body);
}

int main(void)
{
    if (!getenv("KMESOS_TEST_VERBOSE"))
        kmesos_log_set_level(KMESOS_LOG_ERROR + 1);
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    RUN_TEST(test_captured_stream_in_odd_chunks);
    RUN_TEST(test_events_go_to_their_consumer);
    RUN_TEST(test_redirect_to_leader);
    RUN_TEST(test_503_then_success);
    RUN_TEST(test_eof_resubscribes_with_framework_id);
    RUN_TEST(test_garbage_streams_resubscribe);
    RUN_TEST(test_liveness_timeout);
    RUN_TEST(test_hostile_heartbeat_is_bounded);
    RUN_TEST(test_error_event_stops);
    RUN_TEST(test_teardown_with_auth);
    RUN_TEST(test_call_error_text);
    RUN_TEST(test_gate_drops_calls);
    RUN_TEST(test_next_master_after_refused);
    RUN_TEST(test_json_stream_and_close_inside_handler);
    RUN_TEST(test_redirect_loop_and_401_back_off);
    RUN_TEST(test_silent_master_times_out);
    return testlib_finish();
}
