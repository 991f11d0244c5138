/* exec_ready: the readiness probe of a task. A repeating uv timer
 * starts one non-blocking uv_tcp_connect at a time; the first connect
 * that succeeds reports ready, and reaching the deadline reports a
 * timeout. With a readiness command, a successful connect (or the start,
 * without a port) moves on to running the command (exec_check, a child
 * process) every interval after the previous run ended: exit 0 reports
 * ready with its last output line; the deadline reports a timeout with
 * the last line of the last run, and kills a run still going. Each
 * attempt owns its own uv_tcp_t and is freed in its close callback;
 * stopping the probe detaches a pending attempt (closing its handle
 * cancels the connect) and closes the timer, whose close callback frees
 * the probe. */
#include "exec/exec_ready.h"

#include "codec/num.h"

#include "exec/exec_check.h"

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
    int port_ok;                 /* no port, or a connect succeeded */
    char *command;               /* NULL: none */
    char **env;
    char *cwd;
    uint64_t interval_ms;
    uint64_t next_check_ms;      /* uv_now() based */
    kmesos_exec_check *check;    /* the run under way, if any */
    int runs;                    /* runs that ended */
    char last[KMESOS_EXEC_CHECK_LINE + 64]; /* what the last run said */
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

static void exec_ready_message(const kmesos_exec_ready *r, int ok, char *what, size_t len)
{
    if (ok && r->command)
        snprintf(what, len, "ready: %s", r->last);
    else if (ok)
        snprintf(what, len, "ready: %s accepts connections", r->what);
    else if (!r->port_ok)
        snprintf(what, len, "not ready in time: nothing accepted connections on %s", r->what);
    else if (r->runs == 0)
        snprintf(what, len, "not ready in time: the readiness command did not finish once");
    else
        snprintf(what, len, "not ready in time: %s", r->last);
}

static void exec_ready_report(kmesos_exec_ready *r, int ok)
{
    char what[KMESOS_EXEC_CHECK_LINE + 128];
    if (r->done)
        return;
    r->done = 1;
    uv_timer_stop(&r->timer);
    exec_ready_message(r, ok, what, sizeof what);
    kmesos_exec_check_cancel(r->check);
    r->check = NULL;
    r->cb(r->arg, ok, what);
}

/* ---- the readiness command ------------------------------------------------ */

static void exec_ready_check_done(void *arg, int64_t exit_status, int term_signal,
                                  const char *last_line)
{
    kmesos_exec_ready *r = arg;
    r->check = NULL;
    r->runs++;
    r->next_check_ms = uv_now(r->loop) + r->interval_ms;
    if (*last_line)
        snprintf(r->last, sizeof r->last, "%s", last_line);
    else if (term_signal)
        snprintf(r->last, sizeof r->last, "the readiness command was killed by signal %d",
                 term_signal);
    else
        snprintf(r->last, sizeof r->last, "the readiness command exited %lld",
                 (long long)exit_status);
    if (exit_status == 0 && term_signal == 0)
        exec_ready_report(r, 1);
}

static void exec_ready_check_start(kmesos_exec_ready *r)
{
    char err[160];
    r->check = kmesos_exec_check_run(r->loop, r->command, r->env, r->cwd, exec_ready_check_done,
                                     r, err, sizeof err);
    if (!r->check) {
        r->runs++;
        r->next_check_ms = uv_now(r->loop) + r->interval_ms;
        snprintf(r->last, sizeof r->last, "the readiness command cannot start: %s", err);
    }
}

/* The port is fine: ready, or on to the command. */
static void exec_ready_port_ok(kmesos_exec_ready *r)
{
    r->port_ok = 1;
    if (!r->command)
        exec_ready_report(r, 1);
    else if (!r->check)
        exec_ready_check_start(r);
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
        exec_ready_port_ok(r);
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
    if (!r->port_ok) {
        if (!r->attempt)
            exec_ready_try(r);
    } else if (!r->check && uv_now(r->loop) >= r->next_check_ms) {
        exec_ready_check_start(r);
    }
}

static int exec_ready_addr(kmesos_exec_ready *r, const char *host, int port)
{
    const char *ip = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&r->addr) == 0)
        return 0;
    return uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&r->addr) == 0 ? 0 : -1;
}

static char **exec_ready_strv_dup(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    char **out = calloc(n + 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        if (!(out[i] = strdup(v[i]))) {
            while (i > 0)
                free(out[--i]);
            free(out);
            return NULL;
        }
    }
    return out;
}

static void exec_ready_free(kmesos_exec_ready *r)
{
    for (char **p = r->env; p && *p; p++)
        free(*p);
    free(r->env);
    free(r->command);
    free(r->cwd);
    free(r);
}

static int exec_ready_copy_command(kmesos_exec_ready *r, const kmesos_exec_ready_opts *o)
{
    if (!o->command)
        return 0;
    r->command = strdup(o->command);
    r->env = exec_ready_strv_dup(o->env);
    r->cwd = strdup(o->cwd ? o->cwd : ".");
    r->interval_ms = kmesos_num_ms(o->interval_s);
    return r->command && r->env && r->cwd ? 0 : -1;
}

kmesos_exec_ready *kmesos_exec_ready_start(uv_loop_t *loop, const kmesos_exec_ready_opts *o,
                                           kmesos_exec_ready_cb cb, void *arg, char *err,
                                           size_t errlen)
{
    kmesos_exec_ready *r = calloc(1, sizeof *r);
    if (!r || exec_ready_copy_command(r, o) != 0) {
        snprintf(err, errlen, "out of memory");
        if (r)
            exec_ready_free(r);
        return NULL;
    }
    if (o->port && exec_ready_addr(r, o->host, o->port) != 0) {
        snprintf(err, errlen, "KMESOS_READY_HOST '%s' is not an IP address", o->host);
        exec_ready_free(r);
        return NULL;
    }
    r->loop = loop;
    r->cb = cb;
    r->arg = arg;
    r->port_ok = !o->port;
    snprintf(r->what, sizeof r->what, "%s:%d", o->host ? o->host : "", o->port);
    r->deadline_ms = uv_now(loop) + kmesos_num_ms(o->timeout_s);
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    uv_timer_start(&r->timer, exec_ready_tick, 0, KMESOS_EXEC_READY_PERIOD_MS);
    return r;
}

static void exec_ready_closed(uv_handle_t *h)
{
    exec_ready_free(h->data);
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
    kmesos_exec_check_cancel(r->check);
    r->check = NULL;
    uv_close((uv_handle_t *)&r->timer, exec_ready_closed);
}
