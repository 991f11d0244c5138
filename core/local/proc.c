/* proc: uv_spawn with UV_PROCESS_DETACHED (setsid: the child leads a new
 * process group), output files opened before the spawn and closed right
 * after it, and a per-process timer for the SIGTERM -> SIGKILL escalation.
 * A captured stdout is read from a pipe into a bounded buffer; the exit
 * callback waits for both the exit and the end of that pipe.
 * Handles are closed after the exit callback; the struct is freed when the
 * last one is closed. */
#include "local/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/num.h"
#include "codec/log.h"
#include "local/util.h"

extern char **environ;

#define PROC_CAPTURE_MAX (64u << 10)

struct klocal_proc {
    uv_process_t process;
    uv_timer_t timer;
    uv_pipe_t pipe;         /* captured stdout */
    int capturing;          /* pipe still open */
    char *out;
    size_t out_len;
    int64_t status;
    int sig;
    int pid;
    int exited;
    int killing;
    int open_handles;
    uint64_t kill_deadline; /* loop time of the SIGKILL, when killing */
    klocal_proc_exit_cb cb;
    void *arg;
};

void klocal_proc_env_init(klocal_proc_env *e, int inherit)
{
    e->n = 0;
    e->vars = klocal_util_xcalloc(1, sizeof *e->vars);
    if (!inherit)
        return;
    for (char **v = environ; v && *v; v++) {
        e->vars = klocal_util_xrealloc(e->vars, (e->n + 2) * sizeof *e->vars);
        e->vars[e->n++] = klocal_util_xstrdup(*v);
        e->vars[e->n] = NULL;
    }
}

void klocal_proc_env_set(klocal_proc_env *e, const char *name, const char *value)
{
    size_t len = strlen(name);
    char *entry = klocal_util_xasprintf("%s=%s", name, value ? value : "");
    for (size_t i = 0; i < e->n; i++)
        if (strncmp(e->vars[i], name, len) == 0 && e->vars[i][len] == '=') {
            free(e->vars[i]);
            e->vars[i] = entry;
            return;
        }
    e->vars = klocal_util_xrealloc(e->vars, (e->n + 2) * sizeof *e->vars);
    e->vars[e->n++] = entry;
    e->vars[e->n] = NULL;
}

void klocal_proc_env_free(klocal_proc_env *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->vars[i]);
    free(e->vars);
    e->vars = NULL;
    e->n = 0;
}

static void proc_handle_closed(uv_handle_t *h)
{
    klocal_proc *p = h->data;
    if (--p->open_handles == 0) {
        free(p->out);
        free(p);
    }
}

/* Runs the exit callback once the process is gone and its output read. */
static void proc_finish(klocal_proc *p)
{
    if (!p->exited || p->capturing)
        return;
    if (p->cb)
        p->cb(p->arg, p, p->status, p->sig);
    uv_close((uv_handle_t *)&p->process, proc_handle_closed);
    uv_close((uv_handle_t *)&p->timer, proc_handle_closed);
}

static void proc_on_exit(uv_process_t *up, int64_t status, int sig)
{
    klocal_proc *p = up->data;
    p->exited = 1;
    p->status = status;
    p->sig = sig;
    kill(-p->pid, SIGKILL); /* leftovers of the group, if any */
    uv_timer_stop(&p->timer);
    proc_finish(p);
}

static void proc_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    buf->base = klocal_util_xcalloc(1, hint);
    buf->len = hint;
}

static void proc_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    klocal_proc *p = s->data;
    if (n > 0 && p->out_len < PROC_CAPTURE_MAX) {
        size_t take = (size_t)n;
        if (take > PROC_CAPTURE_MAX - p->out_len)
            take = PROC_CAPTURE_MAX - p->out_len;
        p->out = klocal_util_xrealloc(p->out, p->out_len + take + 1);
        memcpy(p->out + p->out_len, buf->base, take);
        p->out_len += take;
        p->out[p->out_len] = '\0';
    }
    free(buf->base);
    if (n < 0) {
        p->capturing = 0;
        uv_close((uv_handle_t *)&p->pipe, proc_handle_closed);
        proc_finish(p);
    }
}

const char *klocal_proc_output(const klocal_proc *p, size_t *len)
{
    if (len)
        *len = p->out_len;
    return p->out ? p->out : "";
}

static int proc_open_out(const char *path)
{
    return open(path ? path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

klocal_proc *klocal_proc_spawn(uv_loop_t *loop, const klocal_proc_spec *spec,
                               klocal_proc_exit_cb cb, void *arg, char *err, size_t errlen)
{
    int out = proc_open_out(spec->stdout_path), errfd = proc_open_out(spec->stderr_path);
    if (out < 0 || errfd < 0) {
        snprintf(err, errlen, "cannot open sandbox output files: %s", strerror(errno));
        if (out >= 0)
            close(out);
        if (errfd >= 0)
            close(errfd);
        return NULL;
    }
    klocal_proc *p = klocal_util_xcalloc(1, sizeof *p);
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = out;
    if (spec->capture_stdout) {
        uv_pipe_init(loop, &p->pipe, 0);
        p->pipe.data = p;
        stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
        stdio[1].data.stream = (uv_stream_t *)&p->pipe;
    }
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = errfd;
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.exit_cb = proc_on_exit;
    o.file = spec->file;
    o.args = (char **)spec->argv;
    o.env = spec->env ? spec->env->vars : NULL;
    o.cwd = spec->cwd;
    o.flags = UV_PROCESS_DETACHED;
    o.stdio_count = 3;
    o.stdio = stdio;
    p->process.data = p;
    int rc = uv_spawn(loop, &p->process, &o);
    close(out);
    close(errfd);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start '%s': %s", spec->file, uv_strerror(rc));
        p->open_handles = spec->capture_stdout ? 2 : 1;
        uv_close((uv_handle_t *)&p->process, proc_handle_closed);
        if (spec->capture_stdout)
            uv_close((uv_handle_t *)&p->pipe, proc_handle_closed);
        return NULL;
    }
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    p->open_handles = 2;
    if (spec->capture_stdout) {
        p->open_handles = 3;
        p->capturing = 1;
        uv_read_start((uv_stream_t *)&p->pipe, proc_alloc, proc_on_read);
    }
    p->pid = p->process.pid;
    p->cb = cb;
    p->arg = arg;
    return p;
}

int klocal_proc_pid(const klocal_proc *p) { return p->pid; }

static void proc_on_grace(uv_timer_t *t)
{
    klocal_proc *p = t->data;
    if (!p->exited) {
        KLOG_DEBUG("proc", "pid %d: grace period over, SIGKILL", p->pid);
        kill(-p->pid, SIGKILL);
    }
}

void klocal_proc_kill(klocal_proc *p, double grace)
{
    if (p->exited)
        return;
    uv_loop_t *loop = p->timer.loop;
    uint64_t ms = kmesos_num_ms(grace);
    uint64_t deadline = uv_now(loop) + ms;
    if (p->killing && deadline >= p->kill_deadline)
        return;
    if (!p->killing)
        kill(-p->pid, SIGTERM);
    p->killing = 1;
    p->kill_deadline = deadline;
    if (ms == 0)
        kill(-p->pid, SIGKILL);
    else
        uv_timer_start(&p->timer, proc_on_grace, ms, 0);
}
