/* exec_ready: the TCP readiness probe of a task. A repeating uv timer
 * starts one non-blocking uv_tcp_connect at a time; the first connect
 * that succeeds reports ready, and reaching the deadline reports a
 * timeout. Each attempt owns its own uv_tcp_t and is freed in its close
 * callback; stopping the probe detaches a pending attempt (closing its
 * handle cancels the connect) and closes the timer, whose close callback
 * frees the probe. */
#include "exec/exec_ready.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct exec_ready_attempt exec_ready_attempt;

struct kmesos_exec_ready {
    uv_loop_t *loop;
    uv_timer_t timer;
    struct sockaddr_storage addr;
    char what[128];              /* "host:port" for messages */
    uint64_t deadline_ms;        /* uv_now() based */
    kmesos_exec_ready_cb cb;
    void *arg;
    int done;                    /* the callback ran */
    exec_ready_attempt *attempt; /* the pending connect, if any */
};

struct exec_ready_attempt {
    uv_tcp_t tcp;
    uv_connect_t req;
    kmesos_exec_ready *owner; /* NULL once detached */
};

static void exec_ready_attempt_closed(uv_handle_t *h)
{
    free(h->data);
}

static void exec_ready_report(kmesos_exec_ready *r, int ok)
{
    char what[200];
    if (r->done)
        return;
    r->done = 1;
    uv_timer_stop(&r->timer);
    if (ok)
        snprintf(what, sizeof what, "ready: %s accepts connections", r->what);
    else
        snprintf(what, sizeof what, "not ready in time: nothing accepted connections on %s",
                 r->what);
    r->cb(r->arg, ok, what);
}

static void exec_ready_connected(uv_connect_t *req, int status)
{
    exec_ready_attempt *a = req->data;
    kmesos_exec_ready *r = a->owner;
    if (!uv_is_closing((uv_handle_t *)&a->tcp))
        uv_close((uv_handle_t *)&a->tcp, exec_ready_attempt_closed);
    if (!r)
        return;
    r->attempt = NULL;
    if (status == 0)
        exec_ready_report(r, 1);
}

static void exec_ready_try(kmesos_exec_ready *r)
{
    exec_ready_attempt *a = calloc(1, sizeof *a);
    if (!a)
        return; /* try again on the next tick */
    a->owner = r;
    a->tcp.data = a;
    a->req.data = a;
    if (uv_tcp_init(r->loop, &a->tcp) != 0) {
        free(a);
        return;
    }
    if (uv_tcp_connect(&a->req, &a->tcp, (const struct sockaddr *)&r->addr,
                       exec_ready_connected) != 0) {
        uv_close((uv_handle_t *)&a->tcp, exec_ready_attempt_closed);
        return;
    }
    r->attempt = a;
}

static void exec_ready_tick(uv_timer_t *t)
{
    kmesos_exec_ready *r = t->data;
    if (uv_now(r->loop) >= r->deadline_ms) {
        exec_ready_report(r, 0);
        return;
    }
    if (!r->attempt)
        exec_ready_try(r);
}

static int exec_ready_addr(kmesos_exec_ready *r, const char *host, int port)
{
    const char *ip = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&r->addr) == 0)
        return 0;
    return uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&r->addr) == 0 ? 0 : -1;
}

kmesos_exec_ready *kmesos_exec_ready_start(uv_loop_t *loop, const char *host, int port,
                                           double timeout_s, kmesos_exec_ready_cb cb, void *arg,
                                           char *err, size_t errlen)
{
    kmesos_exec_ready *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (exec_ready_addr(r, host, port) != 0) {
        snprintf(err, errlen, "KMESOS_READY_HOST '%s' is not an IP address", host);
        free(r);
        return NULL;
    }
    r->loop = loop;
    r->cb = cb;
    r->arg = arg;
    snprintf(r->what, sizeof r->what, "%s:%d", host, port);
    r->deadline_ms = uv_now(loop) + (uint64_t)(timeout_s * 1000.0);
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    uv_timer_start(&r->timer, exec_ready_tick, 0, KMESOS_EXEC_READY_PERIOD_MS);
    return r;
}

static void exec_ready_closed(uv_handle_t *h)
{
    free(h->data);
}

void kmesos_exec_ready_stop(kmesos_exec_ready *r)
{
    if (!r)
        return;
    if (r->attempt) {
        r->attempt->owner = NULL;
        uv_close((uv_handle_t *)&r->attempt->tcp, exec_ready_attempt_closed);
        r->attempt = NULL;
    }
    uv_close((uv_handle_t *)&r->timer, exec_ready_closed);
}
