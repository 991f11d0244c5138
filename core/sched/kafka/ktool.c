/* ktool: a Kafka tool as a child process on the loop (ktool.h). Five
 * handles belong to one run: the process, the stdin, stdout and stderr
 * pipes and the timeout timer. The run ends when the process has exited
 * and both output pipes reached EOF; then the callback gets the exit code
 * and the collected output, and every handle is closed. The memory is
 * freed when the last handle's close callback ran, so a cancel at any
 * point (the scheduler shutting down, a rebalance cancelled) is safe. */
#include "sched/kafka/ktool.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KTOOL_MAX_OUT (4u << 20)

typedef struct ktool_buf {
    char *data;
    size_t len;
} ktool_buf;

struct kmesos_ktool {
    uv_process_t proc;
    uv_pipe_t in, out, err;
    uv_timer_t timer;
    uv_write_t write;
    char *stdin_text;
    ktool_buf bout, berr;
    int open_handles, eofs, exited, code, cancelled, timed_out;
    kmesos_ktool_done done;
    void *arg;
};

static void ktool_closed(uv_handle_t *h)
{
    kmesos_ktool *t = h->data;
    if (--t->open_handles > 0)
        return;
    free(t->bout.data);
    free(t->berr.data);
    free(t->stdin_text);
    free(t);
}

static void ktool_close_all(kmesos_ktool *t)
{
    uv_handle_t *hs[] = {(uv_handle_t *)&t->proc, (uv_handle_t *)&t->in,
                         (uv_handle_t *)&t->out, (uv_handle_t *)&t->err,
                         (uv_handle_t *)&t->timer};
    for (size_t i = 0; i < 5; i++)
        if (!uv_is_closing(hs[i]))
            uv_close(hs[i], ktool_closed);
}

static void ktool_kill(kmesos_ktool *t)
{
    if (!t->exited && t->proc.pid > 0)
        kill(-t->proc.pid, SIGKILL); /* its group: the script and its JVM */
}

/* Both pipes at EOF and the process gone: report once, then close. */
static void ktool_maybe_done(kmesos_ktool *t)
{
    if (!t->exited || t->eofs < 2)
        return;
    if (!t->cancelled && t->done) {
        const char *why = t->timed_out ? "timed out: killed" : "killed by a signal";
        t->done(t->arg, t->code, t->bout.data ? t->bout.data : "",
                t->code < 0 ? why : t->berr.data ? t->berr.data : "");
        t->done = NULL;
    }
    ktool_close_all(t);
}

static void ktool_exit(uv_process_t *p, int64_t status, int sig)
{
    kmesos_ktool *t = p->data;
    t->exited = 1;
    t->code = sig || t->timed_out || status < 0 || status > 255 ? -1 : (int)status;
    ktool_maybe_done(t);
}

static void ktool_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(hint);
    buf->len = buf->base ? hint : 0;
}

static void ktool_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    kmesos_ktool *t = s->data;
    ktool_buf *b = s == (uv_stream_t *)&t->out ? &t->bout : &t->berr;
    if (n > 0 && b->len + (size_t)n <= KTOOL_MAX_OUT) {
        char *grown = realloc(b->data, b->len + (size_t)n + 1);
        if (grown) {
            memcpy(grown + b->len, buf->base, (size_t)n);
            b->len += (size_t)n;
            grown[b->len] = '\0';
            b->data = grown;
        }
    }
    free(buf->base);
    if (n < 0) {
        uv_read_stop(s);
        t->eofs++;
        ktool_maybe_done(t);
    }
}

static void ktool_timeout(uv_timer_t *timer)
{
    kmesos_ktool *t = timer->data;
    t->timed_out = 1;
    ktool_kill(t);
}

static void ktool_written(uv_write_t *w, int status)
{
    (void)status;
    kmesos_ktool *t = w->data;
    if (!uv_is_closing((uv_handle_t *)&t->in))
        uv_close((uv_handle_t *)&t->in, ktool_closed);
}

/* The environment: ours plus extra (a malloc'd array of borrowed strings). */
static char **ktool_env(char *const extra[])
{
    extern char **environ;
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (extra && extra[m])
        m++;
    char **env = calloc(n + m + 1, sizeof *env);
    if (!env)
        return NULL;
    if (m)
        memcpy(env, extra, m * sizeof *env);
    memcpy(env + m, environ, n * sizeof *env); /* the first of a name wins */
    return env;
}

/* The handles are set up: spawn and start the reads. 0 or a uv error. */
static int ktool_spawn(uv_loop_t *loop, kmesos_ktool *t, char *const argv[], char **env)
{
    uv_stdio_container_t io[3] = {
        {.flags = UV_CREATE_PIPE | UV_READABLE_PIPE, .data.stream = (uv_stream_t *)&t->in},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&t->out},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&t->err}};
    uv_process_options_t o = {.exit_cb = ktool_exit, .file = argv[0], .args = (char **)argv,
                              .env = env, .flags = UV_PROCESS_DETACHED, .stdio_count = 3,
                              .stdio = io};
    int rc = uv_spawn(loop, &t->proc, &o);
    t->open_handles++; /* the process handle needs closing even on failure */
    if (rc != 0)
        return rc;
    uv_read_start((uv_stream_t *)&t->out, ktool_alloc, ktool_read);
    uv_read_start((uv_stream_t *)&t->err, ktool_alloc, ktool_read);
    return 0;
}

kmesos_ktool *kmesos_ktool_run(uv_loop_t *loop, char *const argv[], char *const env[],
                               const char *stdin_text, unsigned timeout_ms, kmesos_ktool_done done,
                               void *arg, char *errbuf, size_t errlen)
{
    kmesos_ktool *t = calloc(1, sizeof *t);
    char **full = ktool_env(env);
    if (!t || !full || (stdin_text && !(t->stdin_text = strdup(stdin_text)))) {
        snprintf(errbuf, errlen, "out of memory");
        free(full);
        if (t)
            free(t->stdin_text);
        free(t);
        return NULL;
    }
    t->done = done;
    t->arg = arg;
    uv_pipe_init(loop, &t->in, 0);
    uv_pipe_init(loop, &t->out, 0);
    uv_pipe_init(loop, &t->err, 0);
    uv_timer_init(loop, &t->timer);
    t->in.data = t->out.data = t->err.data = t->timer.data = t->proc.data = t;
    t->open_handles = 4;
    int rc = ktool_spawn(loop, t, argv, full);
    free(full);
    if (rc != 0) {
        snprintf(errbuf, errlen, "cannot run %s: %s", argv[0], uv_strerror(rc));
        t->done = NULL;
        ktool_close_all(t);
        return NULL;
    }
    uv_timer_start(&t->timer, ktool_timeout, timeout_ms, 0);
    uv_buf_t b = uv_buf_init(t->stdin_text ? t->stdin_text : "", t->stdin_text ?
                             (unsigned)strlen(t->stdin_text) : 0);
    t->write.data = t;
    if (uv_write(&t->write, (uv_stream_t *)&t->in, &b, 1, ktool_written) != 0)
        uv_close((uv_handle_t *)&t->in, ktool_closed);
    return t;
}

void kmesos_ktool_cancel(kmesos_ktool *t)
{
    if (!t)
        return;
    t->cancelled = 1;
    ktool_kill(t);
    if (!t->exited) {
        /* the exit callback still comes and closes the handles */
        return;
    }
    ktool_close_all(t);
}
