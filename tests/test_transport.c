/* test_transport: libcurl multi on libuv against a small libmicrohttpd
 * server on loopback: one-shot POSTs (body, headers, basic auth), a
 * refused connection, streams (chunks as they come, error bodies of
 * non-2xx answers), and the re-entrancy rules: cancel and start from
 * inside callbacks, close with transfers in flight, nothing called after
 * a cancel, every handle closed (uv_loop_close succeeds). */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "codec/buf.h"
#include "net/transport.h"
#include "testlib.h"

/* ---- server: the path says what to do ----------------------------------- */

typedef struct server {
    struct MHD_Daemon *d;
    int port;
    atomic_int stopping;
} server;

typedef struct upload {
    kmesos_buf body;
} upload;

typedef struct hold {
    server *srv;
    int sent;
} hold;

static ssize_t hold_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    hold *h = cls;
    if (atomic_load(&h->srv->stopping))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (h->sent < 3 && max >= 5) {
        memcpy(buf, "chunk", 5);
        h->sent++;
        usleep(1000);
        return 5;
    }
    usleep(10000);
    return 0;
}

static enum MHD_Result queue(struct MHD_Connection *c, int status, const void *data,
                             size_t len, const char *auth)
{
    struct MHD_Response *rs =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(rs, "X-Echo", "  yes  ");
    MHD_add_response_header(rs, "X-Auth", auth ? auth : "none");
    enum MHD_Result r = MHD_queue_response(c, (unsigned)status, rs);
    MHD_destroy_response(rs);
    return r;
}

static enum MHD_Result queue_hold(server *srv, struct MHD_Connection *c)
{
    hold *h = calloc(1, sizeof *h);
    h->srv = srv;
    struct MHD_Response *rs =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, hold_read, h, free);
    MHD_add_response_header(rs, "Mesos-Stream-Id", "abc-123");
    enum MHD_Result r = MHD_queue_response(c, 200, rs);
    MHD_destroy_response(rs);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)method;
    (void)version;
    upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        kmesos_buf_init(&u->body);
        *con_cls = u;
        return MHD_YES;
    }
    if (*size) {
        kmesos_buf_append(&u->body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (strcmp(url, "/echo") == 0)
        return queue(c, 200, u->body.data ? (const void *)u->body.data : "", u->body.len, auth);
    if (strcmp(url, "/hold") == 0)
        return queue_hold(cls, c);
    return queue(c, 404, "nope", 4, auth);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    upload *u = *con_cls;
    if (u) {
        kmesos_buf_free(&u->body);
        free(u);
    }
    *con_cls = NULL;
}

static void server_start(server *srv)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                              0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
                              (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                              on_completed, srv, MHD_OPTION_END);
    CHECK(srv->d != NULL);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
}

static void server_stop(server *srv)
{
    atomic_store(&srv->stopping, 1);
    MHD_stop_daemon(srv->d);
}

/* ---- client side -------------------------------------------------------- */

typedef struct tctx {
    uv_loop_t loop;
    kmesos_transport *t;
    server srv;
    char url[128];
    kmesos_transport_req *req;
    int headers, data, done, closed, posts_done;
    long status;
    int curl_code;
    char body[256];
    char header[64];
    char sid[64];
    char auth[128];
    char error[256];
} tctx;

static void on_closed(void *arg) { ((tctx *)arg)->closed = 1; }

static void set_url(tctx *c, const char *path)
{
    snprintf(c->url, sizeof c->url, "http://127.0.0.1:%d%s", c->srv.port, path);
}

static void begin(tctx *c)
{
    memset(c, 0, sizeof *c);
    server_start(&c->srv);
    uv_loop_init(&c->loop);
    c->t = kmesos_transport_new(&c->loop, NULL);
    CHECK(c->t != NULL);
}

static void finish(tctx *c)
{
    uv_run(&c->loop, UV_RUN_DEFAULT);
    CHECK(c->closed);
    CHECK_INT(uv_loop_close(&c->loop), 0);
    server_stop(&c->srv);
}

static void copy_result(tctx *c, const kmesos_transport_result *r)
{
    c->status = r->status;
    c->curl_code = r->curl_code;
    snprintf(c->body, sizeof c->body, "%s", r->body);
    snprintf(c->error, sizeof c->error, "%s", r->error ? r->error : "");
    const char *h = kmesos_transport_header(r->headers, "x-echo");
    const char *a = kmesos_transport_header(r->headers, "X-Auth");
    snprintf(c->header, sizeof c->header, "%s", h ? h : "(none)");
    snprintf(c->auth, sizeof c->auth, "%s", a ? a : "(none)");
}

static void post_done_close(void *arg, const kmesos_transport_result *r)
{
    tctx *c = arg;
    c->posts_done++;
    copy_result(c, r);
    kmesos_transport_close(c->t, on_closed, c); /* from inside a callback */
}

static void test_post_echo_with_auth(void)
{
    tctx c;
    begin(&c);
    set_url(&c, "/echo");
    const char *hdrs[] = {"Content-Type: text/plain", NULL};
    kmesos_transport_request rq = {.url = c.url, .headers = hdrs, .body = "ping-body",
                                   .body_len = 9, .user = "kafka", .secret = "secret",
                                   .timeout_ms = 5000};
    CHECK(kmesos_transport_post(c.t, &rq, post_done_close, &c) != NULL);
    finish(&c);
    CHECK_INT(c.posts_done, 1);
    CHECK_INT(c.status, 200);
    CHECK_INT(c.curl_code, 0);
    CHECK_STR(c.body, "ping-body");
    CHECK_STR(c.header, "yes  "); /* leading blanks trimmed */
    CHECK_STR(c.auth, "Basic a2Fma2E6c2VjcmV0");
}

static void test_post_refused(void)
{
    tctx c;
    begin(&c);
    server dead;
    memset(&dead, 0, sizeof dead);
    server_start(&dead);
    int port = dead.port;
    server_stop(&dead);
    snprintf(c.url, sizeof c.url, "http://127.0.0.1:%d/echo", port);
    kmesos_transport_request rq = {.url = c.url, .body = "x", .body_len = 1};
    CHECK(kmesos_transport_post(c.t, &rq, post_done_close, &c) != NULL);
    finish(&c);
    CHECK_INT(c.posts_done, 1);
    CHECK_INT(c.status, 0);
    CHECK(c.curl_code != 0);
    CHECK(strlen(c.error) > 0);
}

static void s_headers(void *arg, long status, const kmesos_transport_headers *h)
{
    tctx *c = arg;
    c->headers++;
    c->status = status;
    const char *sid = kmesos_transport_header(h, "mesos-stream-id");
    snprintf(c->sid, sizeof c->sid, "%s", sid ? sid : "(none)");
}

static void s_data_cancel_and_post(void *arg, const uint8_t *data, size_t len)
{
    tctx *c = arg;
    c->data++;
    CHECK(len >= 1 && data[0] == 'c');
    kmesos_transport_cancel(c->req); /* no callback of it after this */
    set_url(c, "/echo");
    kmesos_transport_request rq = {.url = c->url, .body = "second", .body_len = 6};
    CHECK(kmesos_transport_post(c->t, &rq, post_done_close, c) != NULL);
}

static void s_done(void *arg, const kmesos_transport_result *r)
{
    tctx *c = arg;
    c->done++;
    copy_result(c, r);
}

static void test_stream_cancel_inside_data(void)
{
    tctx c;
    begin(&c);
    set_url(&c, "/hold");
    kmesos_transport_stream_cbs cbs = {s_headers, s_data_cancel_and_post, s_done};
    kmesos_transport_request rq = {.url = c.url, .body = "sub", .body_len = 3};
    c.req = kmesos_transport_stream(c.t, &rq, &cbs, &c);
    CHECK(c.req != NULL);
    finish(&c);
    CHECK_INT(c.headers, 1);
    CHECK_STR(c.sid, "abc-123");
    CHECK_INT(c.data, 1);
    CHECK_INT(c.done, 0);
    CHECK_INT(c.posts_done, 1);
    CHECK_STR(c.body, "second");
}

static void s_data_count(void *arg, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    tctx *c = arg;
    if (++c->data == 3)
        kmesos_transport_close(c->t, on_closed, c); /* with the stream in flight */
}

static void test_close_with_stream_in_flight(void)
{
    tctx c;
    begin(&c);
    set_url(&c, "/hold");
    kmesos_transport_stream_cbs cbs = {s_headers, s_data_count, s_done};
    kmesos_transport_request rq = {.url = c.url};
    CHECK(kmesos_transport_stream(c.t, &rq, &cbs, &c) != NULL);
    /* a second request that close must drop silently */
    kmesos_transport_stream_cbs cbs2 = {NULL, NULL, s_done};
    CHECK(kmesos_transport_stream(c.t, &rq, &cbs2, &c) != NULL);
    finish(&c);
    CHECK(c.data >= 3);
    CHECK_INT(c.done, 0);
}

static void close_done(void *arg, const kmesos_transport_result *r)
{
    tctx *c = arg;
    s_done(arg, r);
    kmesos_transport_close(c->t, on_closed, c);
}

static void s_data_never(void *arg, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    ((tctx *)arg)->data++;
}

static void test_stream_error_body(void)
{
    tctx c;
    begin(&c);
    set_url(&c, "/missing");
    kmesos_transport_stream_cbs cbs = {s_headers, s_data_never, close_done};
    kmesos_transport_request rq = {.url = c.url};
    CHECK(kmesos_transport_stream(c.t, &rq, &cbs, &c) != NULL);
    finish(&c);
    CHECK_INT(c.headers, 1);
    CHECK_INT(c.data, 0);
    CHECK_INT(c.done, 1);
    CHECK_INT(c.status, 404);
    CHECK_STR(c.body, "nope");
}

static void cancel_later(uv_timer_t *h)
{
    tctx *c = h->data;
    kmesos_transport_cancel(c->req); /* from outside any transport callback */
    kmesos_transport_close(c->t, on_closed, c);
    uv_close((uv_handle_t *)h, NULL);
}

static void test_cancel_from_timer(void)
{
    tctx c;
    begin(&c);
    set_url(&c, "/hold");
    kmesos_transport_stream_cbs cbs = {s_headers, s_data_never, s_done};
    kmesos_transport_request rq = {.url = c.url};
    c.req = kmesos_transport_stream(c.t, &rq, &cbs, &c);
    uv_timer_t timer;
    uv_timer_init(&c.loop, &timer);
    timer.data = &c;
    uv_timer_start(&timer, cancel_later, 100, 0);
    finish(&c);
    CHECK_INT(c.headers, 1);
    CHECK(c.data >= 1);
    CHECK_INT(c.done, 0);
}

int main(void)
{
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    RUN_TEST(test_post_echo_with_auth);
    RUN_TEST(test_post_refused);
    RUN_TEST(test_stream_cancel_inside_data);
    RUN_TEST(test_close_with_stream_in_flight);
    RUN_TEST(test_stream_error_body);
    RUN_TEST(test_cancel_from_timer);
    return testlib_finish();
}
