/* transport: libcurl multi driven by libuv (the "multi_socket" pattern).
 *
 * libcurl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION: one
 * uv_poll_t per socket, created on demand and closed on CURL_POLL_REMOVE)
 * and when to wake it up (CURLMOPT_TIMERFUNCTION: one uv_timer_t); libuv
 * events are fed back with curl_multi_socket_action and finished transfers
 * are collected with curl_multi_info_read. Nothing blocks.
 *
 * libcurl forbids adding or removing handles from inside its callbacks,
 * yet our users' callbacks run there (on_headers, on_data). So every entry
 * from libuv is bracketed by enter/leave: while `depth` is non-zero, start
 * only links the request (it is added to the multi handle in flush),
 * cancel only marks it (its curl callbacks then return an abort code and
 * flush removes it), close only sets a flag. flush runs when depth drops
 * back to zero. Requests are freed only in flush, finish or an immediate
 * cancel, never while libcurl may still call back into them. */
#include "net/transport.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "codec/buf.h"
#include "codec/log.h"

#define MOD "transport"
#define STREAM_ERROR_BODY_MAX (64 * 1024)
#define CALL_BODY_MAX (4 * 1024 * 1024)

struct kmesos_transport_headers {
    kmesos_buf lines; /* "Name: value\0" repeated */
};

struct kmesos_transport_req {
    kmesos_transport *t;
    CURL *easy;
    struct curl_slist *hdrs;
    int streaming;
    int added;     /* in the multi handle */
    int cancelled; /* to be removed silently */
    int finished;  /* on_done is running or ran */
    long status;
    int headers_done;
    kmesos_transport_headers headers;
    kmesos_buf body;
    size_t body_max;
    kmesos_transport_stream_cbs cbs;
    kmesos_transport_done_cb done;
    void *arg;
    char errbuf[CURL_ERROR_SIZE];
    kmesos_transport_req *prev, *next;
};

typedef struct tp_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    kmesos_transport *t;
    struct tp_sock *prev, *next;
} tp_sock;

struct kmesos_transport {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    kmesos_transport_opts opts;
    kmesos_transport_req *reqs;
    tp_sock *socks;
    int depth;
    int closing;
    int cleaning; /* inside curl_multi_cleanup */
    int handles_open;
    kmesos_transport_close_cb close_cb;
    void *close_arg;
};

static void tp_flush(kmesos_transport *t);

/* ---- request list ------------------------------------------------------ */

static void req_link(kmesos_transport *t, kmesos_transport_req *r)
{
    r->next = t->reqs;
    if (t->reqs)
        t->reqs->prev = r;
    t->reqs = r;
}

static void req_unlink(kmesos_transport *t, kmesos_transport_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        t->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

static void tp_req_free(kmesos_transport_req *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->hdrs);
    kmesos_buf_free(&r->headers.lines);
    kmesos_buf_free(&r->body);
    free(r);
}

/* Takes r out of the multi handle and the list and frees it. */
static void req_destroy(kmesos_transport_req *r)
{
    kmesos_transport *t = r->t;
    if (r->added)
        curl_multi_remove_handle(t->multi, r->easy);
    req_unlink(t, r);
    tp_req_free(r);
}

/* ---- enter / leave ------------------------------------------------------ */

static void tp_enter(kmesos_transport *t) { t->depth++; }

static void tp_leave(kmesos_transport *t)
{
    if (--t->depth == 0)
        tp_flush(t);
}

/* ---- libcurl callbacks on one transfer ---------------------------------- */

static int header_is_status_line(const char *line, size_t n)
{
    return n >= 5 && strncmp(line, "HTTP/", 5) == 0;
}

static void req_headers_complete(kmesos_transport_req *r)
{
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 100 && status < 200)
        return; /* an interim block; the final one follows */
    r->status = status;
    r->headers_done = 1;
    if (r->streaming && r->cbs.on_headers)
        r->cbs.on_headers(r->arg, status, &r->headers);
}

static size_t on_curl_header(char *line, size_t size, size_t nitems, void *userp)
{
    kmesos_transport_req *r = userp;
    size_t n = size * nitems;
    if (r->cancelled || r->t->closing)
        return 0;
    size_t len = n;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (header_is_status_line(line, len)) {
        kmesos_buf_reset(&r->headers.lines);
        r->headers_done = 0;
    } else if (len == 0) {
        req_headers_complete(r);
    } else if (kmesos_buf_append(&r->headers.lines, line, len) != 0 ||
               kmesos_buf_append(&r->headers.lines, "", 1) != 0) {
        return 0;
    }
    return (r->cancelled || r->t->closing) ? 0 : n;
}

/* Keeps up to body_max bytes; the rest is dropped, not an error. */
static int req_collect(kmesos_transport_req *r, const char *data, size_t n)
{
    size_t room = r->body.len < r->body_max ? r->body_max - r->body.len : 0;
    return kmesos_buf_append(&r->body, data, n < room ? n : room);
}

static size_t on_curl_write(char *data, size_t size, size_t nmemb, void *userp)
{
    kmesos_transport_req *r = userp;
    size_t n = size * nmemb;
    if (r->cancelled || r->t->closing)
        return 0;
    int is_2xx = r->status >= 200 && r->status < 300;
    if (r->streaming && is_2xx) {
        if (r->cbs.on_data)
            r->cbs.on_data(r->arg, (const uint8_t *)data, n);
    } else if (req_collect(r, data, n) != 0) {
        return 0;
    }
    return (r->cancelled || r->t->closing) ? 0 : n;
}

/* ---- starting requests -------------------------------------------------- */

static int req_set_headers(kmesos_transport_req *r, const char *const *headers)
{
    /* No "Expect: 100-continue" round trip before the body. */
    r->hdrs = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; r->hdrs && headers && headers[i]; i++) {
        struct curl_slist *n = curl_slist_append(r->hdrs, headers[i]);
        if (!n)
            return -1;
        r->hdrs = n;
    }
    return r->hdrs ? 0 : -1;
}

static void req_set_auth(CURL *e, const kmesos_transport_request *rq)
{
    if (!rq->user)
        return;
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_USERNAME, rq->user);
    curl_easy_setopt(e, CURLOPT_PASSWORD, rq->secret ? rq->secret : "");
}

static int req_setup(kmesos_transport_req *r, const kmesos_transport_request *rq)
{
    const kmesos_transport_opts *o = &r->t->opts;
    CURL *e = r->easy;
    int ok = curl_easy_setopt(e, CURLOPT_URL, rq->url) == CURLE_OK;
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, o->keepalive_idle_s);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, o->keepalive_interval_s);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_curl_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_curl_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    ok = ok && curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS,
                                rq->body ? (const char *)rq->body : "") == CURLE_OK;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
    if (rq->timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
    if (r->streaming) {
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    req_set_auth(e, rq);
    return ok ? 0 : -1;
}

static int req_add(kmesos_transport_req *r)
{
    if (curl_multi_add_handle(r->t->multi, r->easy) != CURLM_OK)
        return -1;
    r->added = 1;
    return 0;
}

static kmesos_transport_req *req_start(kmesos_transport *t,
                                       const kmesos_transport_request *rq,
                                       int streaming, void *arg)
{
    if (t->closing || !rq->url)
        return NULL;
    kmesos_transport_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->t = t;
    r->streaming = streaming;
    r->arg = arg;
    r->body_max = streaming ? STREAM_ERROR_BODY_MAX : CALL_BODY_MAX;
    kmesos_buf_init(&r->headers.lines);
    kmesos_buf_init(&r->body);
    r->easy = curl_easy_init();
    if (!r->easy || req_set_headers(r, rq->headers) != 0 || req_setup(r, rq) != 0 ||
        (t->depth == 0 && req_add(r) != 0)) {
        KLOG_ERROR(MOD, "cannot start a request to %s", rq->url);
        tp_req_free(r);
        return NULL;
    }
    req_link(t, r); /* added in flush when started from a callback */
    return r;
}

kmesos_transport_req *kmesos_transport_stream(kmesos_transport *t,
                                              const kmesos_transport_request *r,
                                              const kmesos_transport_stream_cbs *cbs,
                                              void *arg)
{
    kmesos_transport_req *req = req_start(t, r, 1, arg);
    if (req)
        req->cbs = *cbs;
    return req;
}

kmesos_transport_req *kmesos_transport_post(kmesos_transport *t,
                                            const kmesos_transport_request *r,
                                            kmesos_transport_done_cb done, void *arg)
{
    kmesos_transport_req *req = req_start(t, r, 0, arg);
    if (req)
        req->done = done;
    return req;
}

void kmesos_transport_cancel(kmesos_transport_req *r)
{
    if (!r || r->finished || r->cancelled)
        return;
    r->cancelled = 1;
    if (r->t->depth == 0)
        req_destroy(r);
}

const char *kmesos_transport_header(const kmesos_transport_headers *h, const char *name)
{
    size_t nl = strlen(name);
    const char *p = (const char *)h->lines.data;
    if (!p)
        return NULL; /* no header read (a refused connection) */
    const char *end = p + h->lines.len;
    while (p < end) {
        size_t len = strlen(p);
        if (len > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return v;
        }
        p += len + 1;
    }
    return NULL;
}

/* ---- finished transfers ------------------------------------------------- */

static void req_finish(kmesos_transport_req *r, CURLcode rc)
{
    kmesos_transport *t = r->t;
    curl_multi_remove_handle(t->multi, r->easy);
    r->added = 0;
    req_unlink(t, r);
    if (r->cancelled) {
        tp_req_free(r);
        return;
    }
    r->finished = 1;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
    kmesos_transport_result res = {
        .curl_code = (int)rc,
        .error = rc == CURLE_OK ? NULL : (r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc)),
        .status = r->status,
        .body = kmesos_buf_cstr(&r->body),
        .body_len = r->body.len,
        .headers = &r->headers,
    };
    if (!res.body)
        res.body = "";
    if (r->streaming && r->cbs.on_done)
        r->cbs.on_done(r->arg, &res);
    else if (!r->streaming && r->done)
        r->done(r->arg, &res);
    tp_req_free(r);
}

static void tp_check_done(kmesos_transport *t)
{
    CURLMsg *msg;
    int left;
    while (!t->closing && (msg = curl_multi_info_read(t->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        req_finish((kmesos_transport_req *)priv, msg->data.result);
    }
}

static void tp_socket_action(kmesos_transport *t, curl_socket_t fd, int flags)
{
    int running = 0;
    tp_enter(t);
    if (!t->closing) {
        curl_multi_socket_action(t->multi, fd, flags, &running);
        tp_check_done(t);
    }
    tp_leave(t);
}

/* ---- libuv side: sockets and the timer ---------------------------------- */

static void on_handle_closed(kmesos_transport *t)
{
    if (--t->handles_open > 0 || !t->closing)
        return;
    kmesos_transport_close_cb cb = t->close_cb;
    void *arg = t->close_arg;
    free(t);
    curl_global_cleanup();
    if (cb)
        cb(arg);
}

static void on_sock_closed(uv_handle_t *h)
{
    tp_sock *s = h->data;
    kmesos_transport *t = s->t;
    free(s);
    on_handle_closed(t);
}

static void sock_close(kmesos_transport *t, tp_sock *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        t->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    tp_sock *s = h->data;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    tp_socket_action(s->t, s->fd, flags);
}

static tp_sock *sock_new(kmesos_transport *t, curl_socket_t fd)
{
    tp_sock *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (uv_poll_init_socket(t->loop, &s->poll, fd) != 0) {
        free(s);
        return NULL;
    }
    s->fd = fd;
    s->t = t;
    s->poll.data = s;
    t->handles_open++;
    s->next = t->socks;
    if (t->socks)
        t->socks->prev = s;
    t->socks = s;
    curl_multi_assign(t->multi, fd, s);
    return s;
}

static int on_curl_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
    (void)e;
    kmesos_transport *t = userp;
    tp_sock *s = sockp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            if (!t->cleaning)
                curl_multi_assign(t->multi, fd, NULL);
            sock_close(t, s);
        }
        return 0;
    }
    if (!s && !(s = sock_new(t, fd)))
        return -1;
    int events = ((what & CURL_POLL_IN) ? UV_READABLE : 0) |
                 ((what & CURL_POLL_OUT) ? UV_WRITABLE : 0);
    return uv_poll_start(&s->poll, events, on_poll) == 0 ? 0 : -1;
}

static void tp_on_timer(uv_timer_t *h)
{
    tp_socket_action(h->data, CURL_SOCKET_TIMEOUT, 0);
}

static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    kmesos_transport *t = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&t->timer);
    else
        uv_timer_start(&t->timer, tp_on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

/* ---- life cycle --------------------------------------------------------- */

static void set_defaults(kmesos_transport_opts *o, const kmesos_transport_opts *in)
{
    memset(o, 0, sizeof *o);
    if (in)
        *o = *in;
    if (o->connect_timeout_ms <= 0)
        o->connect_timeout_ms = 10000;
    if (o->keepalive_idle_s <= 0)
        o->keepalive_idle_s = 30;
    if (o->keepalive_interval_s <= 0)
        o->keepalive_interval_s = 10;
}

kmesos_transport *kmesos_transport_new(uv_loop_t *loop, const kmesos_transport_opts *opts)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    kmesos_transport *t = calloc(1, sizeof *t);
    if (t)
        t->multi = curl_multi_init();
    if (!t || !t->multi) {
        free(t);
        curl_global_cleanup();
        return NULL;
    }
    t->loop = loop;
    set_defaults(&t->opts, opts);
    uv_timer_init(loop, &t->timer);
    t->timer.data = t;
    t->handles_open = 1;
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t);
    return t;
}

static void tp_on_timer_closed(uv_handle_t *h) { on_handle_closed(h->data); }

/* Runs at depth 0 once close was asked for. */
static void tp_close_now(kmesos_transport *t)
{
    while (t->reqs)
        req_destroy(t->reqs);
    t->cleaning = 1;
    curl_multi_cleanup(t->multi); /* may report sockets removed */
    t->multi = NULL;
    while (t->socks)
        sock_close(t, t->socks);
    uv_timer_stop(&t->timer);
    uv_close((uv_handle_t *)&t->timer, tp_on_timer_closed);
}

/* Applies what was deferred while depth > 0. A request that cannot be
 * added finishes with an error; its callback may defer more work, so the
 * pass repeats (depth stays raised while walking the list). */
static void tp_flush(kmesos_transport *t)
{
    for (int again = 1; again;) {
        if (t->closing) {
            tp_close_now(t);
            return;
        }
        again = 0;
        t->depth++;
        kmesos_transport_req *next;
        for (kmesos_transport_req *r = t->reqs; r; r = next) {
            next = r->next;
            if (r->cancelled) {
                req_destroy(r);
            } else if (!r->added && req_add(r) != 0) {
                req_finish(r, CURLE_OUT_OF_MEMORY);
                again = 1;
            }
        }
        t->depth--;
    }
}

void kmesos_transport_close(kmesos_transport *t, kmesos_transport_close_cb cb, void *arg)
{
    if (t->closing)
        return;
    t->closing = 1;
    t->close_cb = cb;
    t->close_arg = arg;
    if (t->depth == 0)
        tp_close_now(t);
}
