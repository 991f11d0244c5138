/* exec_check: runs a readiness command without blocking the loop. The
 * child gets the write end of a pipe as stdout and stderr (made with
 * uv_pipe, closed here once the child has it) and stdin /dev/null; the
 * read end is a uv_pipe_t whose data is scanned for the last non-empty
 * line. UV_PROCESS_DETACHED makes the child a process group leader, so
 * when it ends whatever it left behind is killed too (that also brings
 * the pipe's EOF). The result goes out once both the exit and the EOF are
 * in; the struct is freed when both handles are closed. A cancelled run
 * is killed at once, its pipe closed, and its process handle kept until
 * the child is reaped. */
#include "exec/exec_check.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct kmesos_exec_check {
    uv_process_t process;
    uv_pipe_t out;
    kmesos_exec_check_cb cb;
    void *arg;
    int pid;
    int exited, eof, reported, cancelled;
    int open_handles;
    int64_t exit_status;
    int term_signal;
    char cur[KMESOS_EXEC_CHECK_LINE];  /* the line being read */
    size_t cur_len;
    char last[KMESOS_EXEC_CHECK_LINE]; /* the last complete non-empty line */
    char buf[4096];
};

static void exec_check_closed(uv_handle_t *h)
{
    kmesos_exec_check *c = h->data;
    if (--c->open_handles == 0)
        free(c);
}

static void exec_check_close(kmesos_exec_check *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->out))
        uv_close((uv_handle_t *)&c->out, exec_check_closed);
    if (!uv_is_closing((uv_handle_t *)&c->process))
        uv_close((uv_handle_t *)&c->process, exec_check_closed);
}

static void exec_check_group_kill(kmesos_exec_check *c)
{
    if (kill(-c->pid, SIGKILL) != 0 && errno == ESRCH && !c->exited)
        kill(c->pid, SIGKILL);
}

static void exec_check_line_end(kmesos_exec_check *c)
{
    size_t n = c->cur_len;
    while (n > 0 && (c->cur[n - 1] == ' ' || c->cur[n - 1] == '\t' || c->cur[n - 1] == '\r'))
        n--;
    if (n > 0) {
        memcpy(c->last, c->cur, n);
        c->last[n] = '\0';
    }
    c->cur_len = 0;
}

static void exec_check_scan(kmesos_exec_check *c, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n')
            exec_check_line_end(c);
        else if (c->cur_len < sizeof c->cur - 1)
            c->cur[c->cur_len++] = data[i] == '\0' ? ' ' : data[i];
    }
}

static void exec_check_maybe_report(kmesos_exec_check *c)
{
    if (!c->exited || !c->eof || c->reported)
        return;
    c->reported = 1;
    exec_check_line_end(c); /* an unterminated last line */
    if (!c->cancelled)
        c->cb(c->arg, c->exit_status, c->term_signal, c->last);
    exec_check_close(c);
}

static void exec_check_on_exit(uv_process_t *p, int64_t exit_status, int term_signal)
{
    kmesos_exec_check *c = p->data;
    c->exited = 1;
    c->exit_status = exit_status;
    c->term_signal = term_signal;
    exec_check_group_kill(c); /* leftovers of the group; brings the EOF */
    if (c->cancelled)
        exec_check_close(c);
    else
        exec_check_maybe_report(c);
}

static void exec_check_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    kmesos_exec_check *c = h->data;
    (void)suggested;
    *b = uv_buf_init(c->buf, sizeof c->buf);
}

static void exec_check_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    kmesos_exec_check *c = s->data;
    if (n > 0) {
        exec_check_scan(c, b->base, (size_t)n);
        return;
    }
    if (n == 0)
        return;
    uv_read_stop(s);
    c->eof = 1;
    exec_check_maybe_report(c);
}

static int exec_check_spawn(kmesos_exec_check *c, uv_loop_t *loop, const char *command,
                            char *const *env, const char *cwd, int wfd)
{
    char sh[] = "/bin/sh", dash_c[] = "-c";
    char *args[] = {sh, dash_c, (char *)command, NULL};
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = wfd;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = wfd;
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.exit_cb = exec_check_on_exit;
    o.file = sh;
    o.args = args;
    o.env = (char **)env;
    o.cwd = cwd;
    o.flags = UV_PROCESS_DETACHED;
    o.stdio_count = 3;
    o.stdio = stdio;
    return uv_spawn(loop, &c->process, &o);
}

kmesos_exec_check *kmesos_exec_check_run(uv_loop_t *loop, const char *command,
                                         char *const *env, const char *cwd,
                                         kmesos_exec_check_cb cb, void *arg, char *err,
                                         size_t errlen)
{
    uv_file fds[2];
    int rc = uv_pipe(fds, 0, 0);
    if (rc != 0) {
        snprintf(err, errlen, "cannot make a pipe: %s", uv_strerror(rc));
        return NULL;
    }
    kmesos_exec_check *c = calloc(1, sizeof *c);
    if (!c) {
        close(fds[0]);
        close(fds[1]);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->cb = cb;
    c->arg = arg;
    c->process.data = c;
    c->out.data = c;
    uv_pipe_init(loop, &c->out, 0);
    c->open_handles = 1;
    uv_pipe_open(&c->out, fds[0]); /* the handle owns the read end now */
    rc = exec_check_spawn(c, loop, command, env, cwd, fds[1]);
    close(fds[1]);
    if (rc != 0) {
        snprintf(err, errlen, "cannot run /bin/sh: %s", uv_strerror(rc));
        c->open_handles = 2; /* uv_spawn initialised the process handle */
        c->reported = 1;
        exec_check_close(c);
        return NULL;
    }
    c->open_handles = 2;
    c->pid = c->process.pid;
    uv_read_start((uv_stream_t *)&c->out, exec_check_alloc, exec_check_on_read);
    return c;
}

void kmesos_exec_check_cancel(kmesos_exec_check *c)
{
    if (!c || c->cancelled)
        return;
    c->cancelled = 1;
    if (c->reported)
        return; /* already closing */
    c->reported = 1;
    if (!uv_is_closing((uv_handle_t *)&c->out))
        uv_close((uv_handle_t *)&c->out, exec_check_closed);
    if (c->exited) {
        exec_check_close(c);
        return;
    }
    /* The process handle stays open until the child is reaped (no zombie);
     * its exit callback closes it. */
    exec_check_group_kill(c);
}
