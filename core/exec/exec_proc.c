/* exec_proc: runs a task's command with uv_spawn. UV_PROCESS_DETACHED
 * makes the child a session and process group leader, so signals go to
 * the whole group (-pid): a shell and everything it started. stdout and
 * stderr go to <task_id>.stdout/.stderr in the sandbox, opened here with
 * open(2) (two small local calls per launch, acceptable on the loop) and
 * closed once the child has them; stdin is /dev/null. A kill is SIGTERM
 * at once and SIGKILL from a uv timer after the grace period; when the
 * leader ends, left-over members of its group get SIGKILL too. The
 * readiness probe (exec_ready) is owned here and stops with the process.
 * The struct is freed when both of its uv handles are closed.
 * A Mesos agent destroys a dead executor's container with everything in
 * it; a task here leads its own session, so it is started behind the
 * executor's guard (exec_guard.h: the whole group is SIGKILLed when the
 * executor dies), or, when no guard was set (unit tests), behind
 * util-linux's `setpriv --pdeathsig KILL` (when installed), which covers
 * the first process only: not what a `sh -c` command forks. */
#include "exec/exec_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/log.h"
#include "exec/exec_guard.h"
#include "exec/exec_ready.h"

#define MOD "exec_proc"

struct kmesos_exec_proc {
    uv_process_t process;
    uv_timer_t kill_timer;
    kmesos_exec_ready *ready;
    kmesos_exec_proc_cbs cbs;
    void *owner;
    int pid;
    int exited;
    int abandoned;
    int killing;
    int draining;           /* ended while killing; its group has not yet */
    int64_t exit_status;    /* kept while draining */
    int term_signal;
    uint64_t sigkill_at_ms; /* uv_now() based, while killing */
    int open_handles;
};

static void exec_proc_closed(uv_handle_t *h)
{
    kmesos_exec_proc *p = h->data;
    if (--p->open_handles == 0)
        free(p);
}

static void exec_proc_free_cb(uv_handle_t *h)
{
    free(h->data);
}

static void exec_proc_close(kmesos_exec_proc *p)
{
    kmesos_exec_ready_stop(p->ready);
    p->ready = NULL;
    uv_close((uv_handle_t *)&p->kill_timer, exec_proc_closed);
    uv_close((uv_handle_t *)&p->process, exec_proc_closed);
}

static void exec_proc_signal(kmesos_exec_proc *p, int sig)
{
    if (kill(-p->pid, sig) != 0 && errno == ESRCH && !p->exited)
        kill(p->pid, sig);
}

/* The end: whatever the leader left behind is killed (as an agent
 * destroys a container), the owner told, the handles closed. */
static void exec_proc_finish(kmesos_exec_proc *p)
{
    uv_timer_stop(&p->kill_timer);
    exec_proc_signal(p, SIGKILL);
    p->draining = 0;
    if (!p->abandoned)
        p->cbs.on_exit(p->cbs.arg, p->owner, p->exit_status, p->term_signal);
    exec_proc_close(p);
}

static int exec_proc_group_alive(const kmesos_exec_proc *p)
{
    return kill(-p->pid, 0) == 0 || errno == EPERM;
}

/* While draining, every 100 ms: the group gone, or its grace over. */
static void exec_proc_drain_tick(uv_timer_t *t)
{
    kmesos_exec_proc *p = t->data;
    int alive = exec_proc_group_alive(p);
    if (alive && uv_now(t->loop) < p->sigkill_at_ms)
        return;
    if (alive)
        KLOG_WARN(MOD, "process group %d outlived its grace period: SIGKILL", p->pid);
    exec_proc_finish(p);
}

static void exec_proc_on_exit(uv_process_t *proc, int64_t exit_status, int term_signal)
{
    kmesos_exec_proc *p = proc->data;
    p->exited = 1;
    p->exit_status = exit_status;
    p->term_signal = term_signal;
    KLOG_INFO(MOD, "process %d ended (status %lld, signal %d)", p->pid, (long long)exit_status,
              term_signal);
    /* Killed: a shell that died at once may leave its children (a JVM in
     * its controlled shutdown) running; the task ends when they have, or
     * when the grace period is over. */
    if (p->killing && !p->abandoned && exec_proc_group_alive(p) &&
        uv_now(proc->loop) < p->sigkill_at_ms) {
        KLOG_INFO(MOD, "process %d ended; waiting for the rest of its group", p->pid);
        p->draining = 1;
        uv_timer_start(&p->kill_timer, exec_proc_drain_tick, 100, 100);
        return;
    }
    exec_proc_finish(p);
}

static void exec_proc_on_ready(void *arg, int ok, const char *what)
{
    kmesos_exec_proc *p = arg;
    if (!p->exited && !p->abandoned)
        p->cbs.on_ready(p->cbs.arg, p->owner, ok, what);
}

static int exec_proc_open_out(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return fd;
}

#define EXEC_PROC_SETPRIV "/usr/bin/setpriv"

/* argv for the task behind the guard ("kmesos-guard --kmesos-guard PID
 * --", run from the executor's binary; argv[0] differs from the
 * executor's so that looking for the executor by name does not find its
 * guards) or "setpriv --pdeathsig KILL --", or NULL when neither is there
 * (the task then runs as given). Free the array and its [2] only: the
 * other strings are the spec's or static. */
static char **exec_proc_deathsig_argv(const kmesos_exec_spec *spec)
{
    int guard = spec->guard_exe != NULL;
    if (!guard && access(EXEC_PROC_SETPRIV, X_OK) != 0)
        return NULL;
    size_t n = 0;
    while (spec->argv[n])
        n++;
    char **argv = calloc(n + 5, sizeof *argv);
    if (!argv)
        return NULL;
    static char setpriv[] = EXEC_PROC_SETPRIV, flag[] = "--pdeathsig", sig[] = "KILL",
                guard_name[] = "kmesos-guard", guard_flag[] = KMESOS_EXEC_GUARD_FLAG,
                dashes[] = "--";
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    argv[0] = guard ? guard_name : setpriv;
    argv[1] = guard ? guard_flag : flag;
    argv[2] = strdup(guard ? pid : sig);
    argv[3] = dashes;
    argv[4] = spec->file;
    for (size_t i = 1; i < n; i++)
        argv[4 + i] = spec->argv[i];
    if (!argv[2]) {
        free(argv);
        return NULL;
    }
    return argv;
}

static void exec_proc_deathsig_free(char **argv)
{
    if (!argv)
        return;
    free(argv[2]);
    free(argv);
}

static int exec_proc_start(kmesos_exec_proc *p, uv_loop_t *loop, const kmesos_exec_spec *spec,
                           int out_fd, int err_fd, char *err, size_t errlen)
{
    char **deathsig_argv = exec_proc_deathsig_argv(spec);
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = out_fd;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = err_fd;
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.exit_cb = exec_proc_on_exit;
    o.file = !deathsig_argv ? spec->file : spec->guard_exe ? spec->guard_exe : EXEC_PROC_SETPRIV;
    o.args = deathsig_argv ? deathsig_argv : spec->argv;
    o.env = spec->env;
    o.cwd = spec->cwd;
    o.flags = UV_PROCESS_DETACHED;
    o.stdio_count = 3;
    o.stdio = stdio;
    int rc = uv_spawn(loop, &p->process, &o);
    exec_proc_deathsig_free(deathsig_argv);
    if (rc != 0)
        snprintf(err, errlen, "cannot run %s: %s", spec->file, uv_strerror(rc));
    return rc;
}

static int exec_proc_probe(kmesos_exec_proc *p, uv_loop_t *loop, const kmesos_exec_spec *spec,
                           char *err, size_t errlen)
{
    if (!spec->ready_port && !spec->ready_command)
        return 0;
    kmesos_exec_ready_opts o = {spec->ready_host,       spec->ready_port, spec->ready_command,
                                spec->env,              spec->cwd,        spec->ready_interval_s,
                                spec->ready_timeout_s};
    p->ready = kmesos_exec_ready_start(loop, &o, exec_proc_on_ready, p, err, errlen);
    return p->ready ? 0 : -1;
}

kmesos_exec_proc *kmesos_exec_proc_spawn(uv_loop_t *loop, const kmesos_exec_spec *spec,
                                         const kmesos_exec_proc_cbs *cbs, void *owner,
                                         char *err, size_t errlen)
{
    kmesos_exec_proc *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->cbs = *cbs;
    p->owner = owner;
    p->process.data = p;
    int out_fd = exec_proc_open_out(spec->stdout_path, err, errlen);
    int err_fd = out_fd < 0 ? -1 : exec_proc_open_out(spec->stderr_path, err, errlen);
    int rc = err_fd < 0 ? -1 : exec_proc_start(p, loop, spec, out_fd, err_fd, err, errlen);
    if (out_fd >= 0)
        close(out_fd);
    if (err_fd >= 0)
        close(err_fd);
    if (rc != 0) {
        if (err_fd >= 0) /* uv_spawn failed after initialising the handle */
            uv_close((uv_handle_t *)&p->process, exec_proc_free_cb);
        else
            free(p);
        return NULL;
    }
    p->pid = p->process.pid;
    uv_timer_init(loop, &p->kill_timer);
    p->kill_timer.data = p;
    p->open_handles = 2;
    KLOG_INFO(MOD, "started process %d (group %d): %s", p->pid, p->pid, spec->file);
    if (exec_proc_probe(p, loop, spec, err, errlen) != 0) {
        KLOG_ERROR(MOD, "process %d: %s; killing it", p->pid, err);
        kmesos_exec_proc_abandon(p);
        return NULL;
    }
    return p;
}

int kmesos_exec_proc_pid(const kmesos_exec_proc *p)
{
    return p->pid;
}

static void exec_proc_sigkill(uv_timer_t *t)
{
    kmesos_exec_proc *p = t->data;
    if (p->exited)
        return;
    KLOG_WARN(MOD, "process %d outlived its grace period: SIGKILL to its group", p->pid);
    exec_proc_signal(p, SIGKILL);
}

void kmesos_exec_proc_kill(kmesos_exec_proc *p, int64_t grace_ns)
{
    if (p->exited)
        return;
    uint64_t now = uv_now(p->kill_timer.loop);
    /* rounded up without adding first: grace_ns may be INT64_MAX */
    uint64_t grace_ms =
        grace_ns > 0 ? (uint64_t)(grace_ns / 1000000) + (grace_ns % 1000000 != 0) : 0;
    if (p->killing && now + grace_ms >= p->sigkill_at_ms)
        return;
    if (!p->killing)
        exec_proc_signal(p, SIGTERM);
    p->killing = 1;
    p->sigkill_at_ms = now + grace_ms;
    uv_timer_start(&p->kill_timer, exec_proc_sigkill, grace_ms, 0);
}

void kmesos_exec_proc_abandon(kmesos_exec_proc *p)
{
    p->abandoned = 1;
    if (p->draining) {
        exec_proc_finish(p); /* kills the rest, closes; no callback */
        return;
    }
    if (p->exited)
        return; /* already closing from its exit callback */
    exec_proc_signal(p, SIGKILL);
    exec_proc_close(p);
}
