/* exec_app: the real io behind exec_core. It owns the libuv loop and
 * everything on it: the agent session (calls and the event stream), the
 * task processes (exec_proc, one per running task), a 250 ms tick that
 * drives update resends and the shutdown wait, and SIGTERM/SIGINT
 * watchers that turn a signal into a SHUTDOWN. An exit request from the
 * core is deferred to a timer: it lets calls in flight (the last UPDATEs)
 * get their answer for up to 3 s, then abandons any process left (only
 * possible on error paths), closes every handle and stops the loop. */
#include "exec/exec_app.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "codec/log.h"
#include "exec/exec_core.h"
#include "codec/pb.h"
#include "codec/uuid.h"
#include "exec/exec_proc.h"
#include "exec/exec_session.h"

#define MOD "exec"
#define EXEC_APP_TICK_MS 250
#define EXEC_APP_EXIT_POLL_MS 50
#define EXEC_APP_EXIT_WAIT_MS 3000

typedef struct exec_app {
    uv_loop_t loop;
    const kmesos_exec_config *cfg;
    kmesos_exec_core core;
    kmesos_exec_session *session;
    uv_timer_t tick;
    uv_timer_t exit_timer;
    uv_signal_t sigterm, sigint;
    int exit_code;
    int exiting;
    int torn_down;
    uint64_t exit_deadline_ms;
} exec_app;

/* ---- io for the core ------------------------------------------------------- */

static int exec_app_send(void *arg, const Mesos__V1__Executor__Call *call)
{
    exec_app *a = arg;
    return a->session ? kmesos_exec_session_send(a->session, call) : -1;
}

static void exec_app_proc_ready(void *arg, void *owner, int ok, const char *what)
{
    exec_app *a = arg;
    if (ok)
        kmesos_exec_core_task_ready(&a->core, owner, what);
    else
        kmesos_exec_core_task_not_ready(&a->core, owner, what);
}

static void exec_app_proc_exit(void *arg, void *owner, int64_t exit_status, int term_signal)
{
    exec_app *a = arg;
    kmesos_exec_core_task_exited(&a->core, owner, exit_status, term_signal);
}

static int exec_app_spawn(void *arg, kmesos_exec_task *t, const kmesos_exec_spec *spec, char *err,
                          size_t errlen)
{
    exec_app *a = arg;
    kmesos_exec_proc_cbs cbs = {exec_app_proc_ready, exec_app_proc_exit, a};
    t->proc = kmesos_exec_proc_spawn(&a->loop, spec, &cbs, t, err, errlen);
    return t->proc ? 0 : -1;
}

static void exec_app_kill(void *arg, kmesos_exec_task *t, int64_t grace_ns)
{
    (void)arg;
    if (t->proc)
        kmesos_exec_proc_kill(t->proc, grace_ns);
}

static int exec_app_uuid(void *arg, uint8_t out[16])
{
    (void)arg;
    return kmesos_uuid_random(out);
}

static double exec_app_wall_s(void *arg)
{
    (void)arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t exec_app_mono_ms(void *arg)
{
    exec_app *a = arg;
    return (int64_t)uv_now(&a->loop);
}

static void exec_app_teardown(exec_app *a);

static void exec_app_exit_poll(uv_timer_t *t)
{
    exec_app *a = t->data;
    size_t pending = a->session ? kmesos_exec_session_pending_calls(a->session) : 0;
    if (pending && uv_now(&a->loop) < a->exit_deadline_ms)
        return;
    if (pending)
        KLOG_WARN(MOD, "leaving with %zu calls unanswered", pending);
    exec_app_teardown(a);
}

static void exec_app_exit(void *arg, int code)
{
    exec_app *a = arg;
    if (a->exiting)
        return;
    a->exiting = 1;
    a->exit_code = code;
    a->exit_deadline_ms = uv_now(&a->loop) + EXEC_APP_EXIT_WAIT_MS;
    uv_timer_start(&a->exit_timer, exec_app_exit_poll, 0, EXEC_APP_EXIT_POLL_MS);
}

/* ---- session callbacks ------------------------------------------------------ */

static int exec_app_encode_subscribe(void *arg, kmesos_buf *out)
{
    exec_app *a = arg;
    return kmesos_exec_core_encode_subscribe(&a->core, out);
}

static int exec_app_on_record(void *arg, const uint8_t *rec, size_t len)
{
    exec_app *a = arg;
    return kmesos_exec_core_on_record(&a->core, rec, len);
}

static void exec_app_on_disconnected(void *arg, const char *reason)
{
    exec_app *a = arg;
    if (a->cfg->checkpoint)
        KLOG_WARN(MOD, "lost the agent (%s); tasks keep running while we re-subscribe", reason);
    kmesos_exec_core_disconnected(&a->core);
}

static void exec_app_on_give_up(void *arg, const char *reason)
{
    exec_app *a = arg;
    kmesos_exec_core_give_up(&a->core, reason);
}

/* ---- timers, signals, teardown ---------------------------------------------- */

static void exec_app_on_tick(uv_timer_t *t)
{
    exec_app *a = t->data;
    kmesos_exec_core_tick(&a->core);
}

static void exec_app_on_signal(uv_signal_t *h, int signum)
{
    exec_app *a = h->data;
    kmesos_exec_core_shutdown(&a->core, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void exec_app_session_closed(void *arg)
{
    exec_app *a = arg;
    a->session = NULL;
}

static void exec_app_teardown(exec_app *a)
{
    if (a->torn_down)
        return;
    a->torn_down = 1;
    for (kmesos_exec_task *t = a->core.tasks; t; t = t->next) {
        if (t->proc) {
            KLOG_WARN(MOD, "task %s still running at exit: SIGKILL", t->id);
            kmesos_exec_proc_abandon(t->proc);
            t->proc = NULL;
        }
    }
    uv_close((uv_handle_t *)&a->tick, NULL);
    uv_close((uv_handle_t *)&a->exit_timer, NULL);
    uv_close((uv_handle_t *)&a->sigterm, NULL);
    uv_close((uv_handle_t *)&a->sigint, NULL);
    if (a->session)
        kmesos_exec_session_close(a->session, exec_app_session_closed, a);
}

static int exec_app_init_handles(exec_app *a)
{
    uv_timer_init(&a->loop, &a->tick);
    uv_timer_init(&a->loop, &a->exit_timer);
    uv_signal_init(&a->loop, &a->sigterm);
    uv_signal_init(&a->loop, &a->sigint);
    a->tick.data = a->exit_timer.data = a->sigterm.data = a->sigint.data = a;
    uv_timer_start(&a->tick, exec_app_on_tick, EXEC_APP_TICK_MS, EXEC_APP_TICK_MS);
    uv_signal_start(&a->sigterm, exec_app_on_signal, SIGTERM);
    uv_signal_start(&a->sigint, exec_app_on_signal, SIGINT);
    kmesos_exec_session_cbs scbs = {exec_app_encode_subscribe, exec_app_on_record,
                                    exec_app_on_disconnected, exec_app_on_give_up, a};
    const kmesos_exec_config *c = a->cfg; /* both durations range-checked by exec_config */
    kmesos_exec_session_params sp = {
        .url = c->agent_url, .resubscribe = c->checkpoint,
        .backoff_max_ms = c->backoff_max_ns > 0 ? (uint64_t)c->backoff_max_ns / 1000000u : 0,
        .recovery_ms = c->recovery_ns > 0 ? (uint64_t)c->recovery_ns / 1000000u : 0};
    a->session = kmesos_exec_session_new(&a->loop, &sp, &scbs);
    return a->session ? 0 : -1;
}

int kmesos_exec_app_run(const kmesos_exec_config *cfg, char *const *base_env)
{
    exec_app *a = calloc(1, sizeof *a);
    if (!a || uv_loop_init(&a->loop) != 0) {
        KLOG_ERROR(MOD, "cannot set up the event loop");
        free(a);
        return 1;
    }
    a->cfg = cfg;
    kmesos_exec_io io = {a, exec_app_send, exec_app_spawn, exec_app_kill, exec_app_uuid,
                         exec_app_wall_s, exec_app_mono_ms, exec_app_exit};
    kmesos_exec_core_init(&a->core, cfg, base_env, &io);
    KLOG_INFO(MOD, "executor %s of framework %s; agent %s; sandbox %s; shutdown grace %.1f s",
              cfg->executor_id, cfg->framework_id, cfg->agent_url, cfg->sandbox,
              (double)cfg->shutdown_grace_ns / 1e9);
    if (cfg->checkpoint)
        KLOG_INFO(MOD, "checkpointing: a lost agent is re-subscribed at random intervals of up "
                       "to %.3f s, for up to %.3f s", (double)cfg->backoff_max_ns / 1e9,
                  (double)cfg->recovery_ns / 1e9);
    else
        KLOG_INFO(MOD, "no checkpointing: losing the agent ends the executor");
    if (exec_app_init_handles(a) != 0) {
        KLOG_ERROR(MOD, "cannot set up the HTTP transport");
        a->exit_code = 1;
        exec_app_teardown(a);
    } else {
        kmesos_exec_session_start(a->session);
    }
    uv_run(&a->loop, UV_RUN_DEFAULT);
    int code = a->exit_code;
    kmesos_exec_core_free(&a->core);
    if (uv_loop_close(&a->loop) != 0)
        KLOG_WARN(MOD, "event loop closed with handles still open");
    free(a);
    return code;
}
