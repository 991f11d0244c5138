/* httpd: libmicrohttpd driven by a libuv loop.
 *
 * The daemon runs with MHD_USE_EPOLL and no thread of its own: its epoll
 * descriptor is watched by a uv_poll handle, MHD_get_timeout arms a
 * uv_timer, and every wake-up calls MHD_run. A request is handed to the
 * owner once its body is complete; an answer given later (outside the
 * request callback) resumes the suspended connection. Streams use a
 * content-reader response of unknown size (chunked): when the reader has
 * nothing to send it suspends the connection, and a push resumes it. A
 * suspended connection is invisible to MHD, so while a stream waits its
 * socket is watched by a second uv_poll that notices the client going
 * away (EOF or error) and reports it through the stream's on_close. */
#include "net/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "codec/buf.h"
#include "codec/log.h"

#define HTTPD_DEFAULT_MAX_BODY (1024u * 1024u)
#define HTTPD_STREAM_BLOCK (32u * 1024u)

struct kmesos_httpd {
    uv_loop_t *loop;
    struct MHD_Daemon *daemon;
    uv_poll_t poll;
    uv_timer_t timer;
    int open_handles;
    int stopping;
    int running;    /* inside MHD_run */
    int kicked;     /* a kick came while running: run again */
    int port;
    size_t max_body;
    kmesos_httpd_handler on_request;
    void *arg;
    kmesos_httpd_req *reqs; /* every live request */
};

typedef struct httpd_watch {
    uv_poll_t poll;
    kmesos_httpd_stream *stream; /* NULL once the stream is gone */
    int active;
} httpd_watch;

struct kmesos_httpd_stream {
    kmesos_httpd_req *req;
    kmesos_buf out;
    int closed;     /* owner asked for a clean end */
    int aborted;    /* owner asked for a cut */
    int peer_gone;  /* the client went away while suspended */
    int gave_data;  /* the reader handed out bytes since it last said 0 */
    kmesos_httpd_stream_closed on_close;
    void *arg;
    httpd_watch *watch;
};

struct kmesos_httpd_req {
    kmesos_httpd *h;
    struct MHD_Connection *conn;
    char *method;
    char *url;
    kmesos_buf body;
    int too_big;
    int dispatched;
    int answered;
    int suspended;
    kmesos_httpd_stream *stream;
    kmesos_httpd_req *prev, *next;
};

/* ---------------------------------------------------------------- loop */

static void httpd_run(kmesos_httpd *h);

static void httpd_on_timer(uv_timer_t *t) { httpd_run(t->data); }

/* Asks for an MHD_run soon. A kick from inside MHD_run (a callback
 * resuming a connection) makes httpd_run go round once more instead: a
 * timer started there would be re-armed by httpd_run's own exit. */
static void httpd_kick(kmesos_httpd *h)
{
    if (h->stopping)
        return;
    if (h->running)
        h->kicked = 1;
    else
        uv_timer_start(&h->timer, httpd_on_timer, 0, 0);
}

static void httpd_arm_timer(kmesos_httpd *h)
{
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (MHD_get_timeout(h->daemon, &ms) == MHD_YES)
        uv_timer_start(&h->timer, httpd_on_timer, (uint64_t)ms, 0);
    else
        uv_timer_stop(&h->timer);
}

static void httpd_run(kmesos_httpd *h)
{
    if (h->stopping || !h->daemon || h->running)
        return;
    h->running = 1;
    for (int round = 0; round < 8; round++) {
        h->kicked = 0;
        MHD_run(h->daemon);
        if (!h->kicked || h->stopping)
            break;
    }
    h->running = 0;
    if (h->stopping)
        return;
    if (h->kicked)
        uv_timer_start(&h->timer, httpd_on_timer, 0, 0);
    else
        httpd_arm_timer(h);
}

static void httpd_on_poll(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    httpd_run(p->data);
}

/* --------------------------------------------------- disconnect watch */

static void watch_free_cb(uv_handle_t *handle) { free(handle); }

static void watch_release(httpd_watch *w)
{
    if (!w)
        return;
    w->stream = NULL;
    uv_close((uv_handle_t *)&w->poll, watch_free_cb);
}

static void stream_resume(kmesos_httpd_stream *s);

static void watch_on_event(uv_poll_t *p, int status, int events)
{
    httpd_watch *w = p->data;
    kmesos_httpd_stream *s = w->stream;
    (void)events;
    if (!s)
        return;
    char c;
    uv_os_fd_t fd = -1;
    ssize_t n = -1;
    if (status >= 0 && uv_fileno((uv_handle_t *)&w->poll, &fd) == 0)
        n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    else
        status = -1;
    if (n > 0) {
        /* The client sent bytes on a stream: we cannot tell more. */
        uv_poll_stop(&w->poll);
        w->active = 0;
        return;
    }
    if (n < 0 && status >= 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    s->peer_gone = 1;
    stream_resume(s);
}

static void watch_start(kmesos_httpd_stream *s)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(s->req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return;
    if (!s->watch) {
        httpd_watch *w = calloc(1, sizeof *w);
        if (!w)
            return;
        if (uv_poll_init_socket(s->req->h->loop, &w->poll, ci->connect_fd) != 0) {
            free(w);
            return;
        }
        w->poll.data = w;
        w->stream = s;
        s->watch = w;
    }
    if (uv_poll_start(&s->watch->poll, UV_READABLE | UV_DISCONNECT, watch_on_event) == 0)
        s->watch->active = 1;
}

static void watch_stop(kmesos_httpd_stream *s)
{
    if (s->watch && s->watch->active) {
        uv_poll_stop(&s->watch->poll);
        s->watch->active = 0;
    }
}

/* ------------------------------------------------------------ requests */

static void req_resume(kmesos_httpd_req *r)
{
    if (!r->suspended)
        return;
    if (r->stream)
        watch_stop(r->stream);
    r->suspended = 0;
    MHD_resume_connection(r->conn);
    httpd_kick(r->h);
}

static void stream_resume(kmesos_httpd_stream *s) { req_resume(s->req); }

static kmesos_httpd_req *req_new(kmesos_httpd *h, struct MHD_Connection *c,
                                 const char *url, const char *method)
{
    kmesos_httpd_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->h = h;
    r->conn = c;
    r->url = strdup(url ? url : "/");
    r->method = strdup(method ? method : "");
    kmesos_buf_init(&r->body);
    if (!r->url || !r->method) {
        free(r->url);
        free(r->method);
        free(r);
        return NULL;
    }
    r->next = h->reqs;
    if (h->reqs)
        h->reqs->prev = r;
    h->reqs = r;
    return r;
}

static void stream_free(kmesos_httpd_stream *s)
{
    if (!s)
        return;
    if (s->watch) {
        watch_stop(s);
        watch_release(s->watch);
    }
    kmesos_buf_free(&s->out);
    free(s);
}

static void httpd_req_free(kmesos_httpd_req *r)
{
    kmesos_httpd *h = r->h;
    if (r->prev)
        r->prev->next = r->next;
    else
        h->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    stream_free(r->stream);
    kmesos_buf_free(&r->body);
    free(r->url);
    free(r->method);
    free(r);
}

static enum MHD_Result httpd_on_access(void *cls, struct MHD_Connection *c,
                                       const char *url, const char *method,
                                       const char *version, const char *upload,
                                       size_t *upload_size, void **con_cls)
{
    kmesos_httpd *h = cls;
    kmesos_httpd_req *r = *con_cls;
    (void)version;
    if (!r) {
        r = req_new(h, c, url, method);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big && r->body.len + *upload_size > h->max_body)
            r->too_big = 1;
        if (!r->too_big && kmesos_buf_append(&r->body, upload, *upload_size) != 0)
            r->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if (h->stopping && !r->answered)
        return MHD_NO;
    if (!r->dispatched) {
        r->dispatched = 1;
        if (r->too_big)
            kmesos_httpd_reply_text(r, 413, "Request body is too large", NULL);
        else
            h->on_request(h->arg, r);
    }
    if (!r->answered && !r->suspended) {
        MHD_suspend_connection(c);
        r->suspended = 1;
    }
    return MHD_YES;
}

static void httpd_on_completed(void *cls, struct MHD_Connection *c,
                               void **con_cls, enum MHD_RequestTerminationCode toe)
{
    kmesos_httpd *h = cls;
    kmesos_httpd_req *r = *con_cls;
    (void)c;
    (void)toe;
    if (!r)
        return;
    *con_cls = NULL;
    kmesos_httpd_stream *s = r->stream;
    if (s && !s->closed && !s->aborted && !h->stopping && s->on_close)
        s->on_close(s->arg, s);
    httpd_req_free(r);
}

/* ------------------------------------------------------------- daemon */

static void httpd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    KLOG_DEBUG("httpd", "%s", line);
}

static int httpd_bind_addr(const kmesos_httpd_config *cfg, struct sockaddr_in *sa,
                           char *err, size_t errlen)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)cfg->port);
    const char *ip = cfg->ip && *cfg->ip ? cfg->ip : "0.0.0.0";
    if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1) {
        snprintf(err, errlen, "not an IPv4 address: '%s'", ip);
        return -1;
    }
    return 0;
}

int kmesos_httpd_start(uv_loop_t *loop, const kmesos_httpd_config *cfg,
                       kmesos_httpd **out, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    if (httpd_bind_addr(cfg, &sa, err, errlen) != 0)
        return -1;
    kmesos_httpd *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    h->loop = loop;
    h->max_body = cfg->max_body ? cfg->max_body : HTTPD_DEFAULT_MAX_BODY;
    h->on_request = cfg->on_request;
    h->arg = cfg->arg;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    h->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, httpd_on_access, h,
        MHD_OPTION_NOTIFY_COMPLETED, httpd_on_completed, h,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0,
        MHD_OPTION_EXTERNAL_LOGGER, httpd_log, NULL,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
        MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d (%s)", cfg->ip ? cfg->ip : "0.0.0.0",
                 cfg->port, strerror(errno));
        free(h);
        return -1;
    }
    const union MHD_DaemonInfo *pi = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = pi ? pi->port : cfg->port;
    const union MHD_DaemonInfo *ei = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (!ei || uv_poll_init(loop, &h->poll, ei->epoll_fd) != 0) {
        snprintf(err, errlen, "cannot watch the MHD epoll descriptor");
        MHD_stop_daemon(h->daemon);
        free(h);
        return -1;
    }
    uv_timer_init(loop, &h->timer);
    h->poll.data = h;
    h->timer.data = h;
    h->open_handles = 2;
    uv_poll_start(&h->poll, UV_READABLE, httpd_on_poll);
    httpd_arm_timer(h);
    *out = h;
    return 0;
}

int kmesos_httpd_port(const kmesos_httpd *h) { return h->port; }

static void httpd_handle_closed(uv_handle_t *handle)
{
    kmesos_httpd *h = handle->data;
    if (--h->open_handles == 0)
        free(h);
}

void kmesos_httpd_stop(kmesos_httpd *h)
{
    if (!h || h->stopping)
        return;
    for (kmesos_httpd_req *r = h->reqs; r; r = r->next) {
        if (r->stream)
            r->stream->aborted = 1;
        if (r->suspended) {
            if (r->stream)
                watch_stop(r->stream);
            r->suspended = 0;
            MHD_resume_connection(r->conn);
        }
    }
    h->stopping = 1;
    MHD_run(h->daemon);
    MHD_stop_daemon(h->daemon);
    h->daemon = NULL;
    uv_close((uv_handle_t *)&h->poll, httpd_handle_closed);
    uv_close((uv_handle_t *)&h->timer, httpd_handle_closed);
}

/* ------------------------------------------------------ request info */

const char *kmesos_httpd_method(const kmesos_httpd_req *req) { return req->method; }

const char *kmesos_httpd_url(const kmesos_httpd_req *req) { return req->url; }

const char *kmesos_httpd_header(const kmesos_httpd_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *kmesos_httpd_query(const kmesos_httpd_req *req, const char *name)
{
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name,
                                      strlen(name), &v, &n) != MHD_YES)
        return NULL;
    return v ? v : "";
}

typedef struct httpd_query_each {
    void (*fn)(void *arg, const char *name, const char *value);
    void *arg;
} httpd_query_each;

static enum MHD_Result query_each_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    httpd_query_each *q = cls;
    (void)kind;
    q->fn(q->arg, key, value ? value : "");
    return MHD_YES;
}

void kmesos_httpd_query_each(const kmesos_httpd_req *req,
                             void (*fn)(void *arg, const char *name, const char *value),
                             void *arg)
{
    httpd_query_each q = {fn, arg};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_each_cb, &q);
}

typedef struct httpd_query_each_n {
    int (*fn)(void *arg, const char *name, size_t name_len, const char *value,
              size_t value_len);
    void *arg;
} httpd_query_each_n;

static enum MHD_Result query_each_n_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                       size_t key_size, const char *value, size_t value_size)
{
    httpd_query_each_n *q = cls;
    (void)kind;
    return q->fn(q->arg, key, key_size, value ? value : "", value ? value_size : 0) == 0
               ? MHD_YES : MHD_NO;
}

void kmesos_httpd_query_each_n(const kmesos_httpd_req *req,
                               int (*fn)(void *arg, const char *name, size_t name_len,
                                         const char *value, size_t value_len),
                               void *arg)
{
    httpd_query_each_n q = {fn, arg};
    MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND, query_each_n_cb, &q);
}

const uint8_t *kmesos_httpd_body(const kmesos_httpd_req *req, size_t *len)
{
    *len = req->body.len;
    return req->body.data ? req->body.data : (const uint8_t *)"";
}

int kmesos_httpd_basic_auth(const kmesos_httpd_req *req, char **user, char **password)
{
    char *pass = NULL;
    char *u = MHD_basic_auth_get_username_password(req->conn, &pass);
    if (!u) {
        if (pass)
            MHD_free(pass);
        return -1;
    }
    *user = strdup(u);
    *password = strdup(pass ? pass : "");
    MHD_free(u);
    if (pass)
        MHD_free(pass);
    if (!*user || !*password) {
        free(*user);
        free(*password);
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------- answers */

static int add_headers(struct MHD_Response *resp, const char *content_type,
                       const char *const *headers)
{
    if (headers)
        for (size_t i = 0; headers[i] && headers[i + 1]; i += 2)
            if (MHD_add_response_header(resp, headers[i], headers[i + 1]) != MHD_YES)
                return -1;
    if (content_type && MHD_add_response_header(resp, "Content-Type", content_type) != MHD_YES)
        return -1;
    return 0;
}

static int queue(kmesos_httpd_req *req, unsigned status, struct MHD_Response *resp)
{
    int rc = MHD_queue_response(req->conn, status, resp) == MHD_YES ? 0 : -1;
    MHD_destroy_response(resp);
    req->answered = 1;
    req_resume(req);
    return rc;
}

int kmesos_httpd_reply(kmesos_httpd_req *req, unsigned status, const char *content_type,
                       const void *body, size_t len, const char *const *headers)
{
    if (req->answered)
        return -1;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(len ? body : ""), MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return -1;
    if (add_headers(resp, content_type, headers) != 0) {
        MHD_destroy_response(resp);
        return -1;
    }
    return queue(req, status, resp);
}

int kmesos_httpd_reply_text(kmesos_httpd_req *req, unsigned status, const char *text,
                            const char *const *headers)
{
    return kmesos_httpd_reply(req, status, "text/plain; charset=utf-8", text,
                              strlen(text), headers);
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    kmesos_httpd_stream *s = cls;
    (void)pos;
    if (s->aborted || s->peer_gone)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (s->out.len) {
        size_t n = s->out.len < max ? s->out.len : max;
        memcpy(buf, s->out.data, n);
        kmesos_buf_consume(&s->out, n);
        s->gave_data = 1;
        return (ssize_t)n;
    }
    if (s->closed)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (s->gave_data) {
        /* MHD may still hold the last chunk unsent; suspending now would
         * keep it from the client. Say "nothing yet" once so it sends,
         * and suspend when it asks again. */
        s->gave_data = 0;
        httpd_kick(s->req->h);
        return 0;
    }
    kmesos_httpd_req *r = s->req;
    if (!r->suspended && !r->h->stopping) {
        MHD_suspend_connection(r->conn);
        r->suspended = 1;
        watch_start(s);
    }
    return 0;
}

void kmesos_httpd_reply_json(kmesos_httpd_req *req, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_INDENT(2)) : NULL;
    json_decref(body);
    if (!text) {
        kmesos_httpd_reply_text(req, 500, "out of memory", NULL);
        return;
    }
    size_t n = strlen(text);
    text[n] = '\n';
    kmesos_httpd_reply(req, status, "application/json", text, n + 1, NULL);
    free(text);
}

kmesos_httpd_stream *kmesos_httpd_stream_open(kmesos_httpd_req *req, unsigned status,
                                              const char *content_type,
                                              const char *const *headers,
                                              kmesos_httpd_stream_closed on_close, void *arg)
{
    if (req->answered)
        return NULL;
    kmesos_httpd_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    kmesos_buf_init(&s->out);
    s->req = req;
    s->on_close = on_close;
    s->arg = arg;
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, HTTPD_STREAM_BLOCK, stream_reader, s, NULL);
    if (!resp || add_headers(resp, content_type, headers) != 0) {
        if (resp)
            MHD_destroy_response(resp);
        free(s);
        return NULL;
    }
    req->stream = s;
    if (queue(req, status, resp) != 0) {
        req->stream = NULL;
        free(s);
        return NULL;
    }
    return s;
}

int kmesos_httpd_stream_push(kmesos_httpd_stream *s, const void *data, size_t len)
{
    if (s->closed || s->aborted || s->peer_gone)
        return -1;
    if (kmesos_buf_append(&s->out, data, len) != 0)
        return -1;
    stream_resume(s);
    return 0;
}

size_t kmesos_httpd_stream_pending(const kmesos_httpd_stream *s) { return s->out.len; }

void kmesos_httpd_stream_close(kmesos_httpd_stream *s)
{
    s->closed = 1;
    stream_resume(s);
}

void kmesos_httpd_stream_abort(kmesos_httpd_stream *s)
{
    s->aborted = 1;
    kmesos_buf_reset(&s->out);
    stream_resume(s);
}
