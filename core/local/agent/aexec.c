/* aexec: executors and tasks of a simulated agent. A command task gets
 * the built-in command executor (executor id = task id): the agent itself
 * sends TASK_STARTING, spawns the shell or argv command in the sandbox,
 * sends TASK_RUNNING, and turns the exit into TASK_FINISHED, TASK_FAILED
 * or TASK_KILLED with the command executor's messages. A custom executor
 * (ExecutorInfo) is spawned with the Mesos executor environment and gets
 * its tasks as LAUNCH events once it subscribes; its UPDATE calls are
 * acknowledged at once and queued to the status update manager, except
 * during the framework's teardown, when they are ignored and never
 * acknowledged, as Mesos' agent does. An executor that misses the
 * re-registration window of an agent restart is killed and its tasks
 * become TASK_LOST (TASK_GONE if partition-aware). Its environment is
 * built in aenv.c. Every
 * status carries a fresh uuid and source SOURCE_EXECUTOR, except those
 * the agent makes up itself (launch failures, executor exits), which say
 * SOURCE_AGENT. Before a command task or a custom executor starts, the
 * URIs of its CommandInfo are fetched into the sandbox (fetch.c); a fetch
 * failure fails the tasks with REASON_CONTAINER_LAUNCH_FAILED, a KILL or
 * shutdown meanwhile cancels the fetch (TASK_KILLED, killed during
 * launch). A new executor's start (its sandbox's mkdir, the fetch's set-up,
 * the spawn) waits in the agents' launch queue (hub.c), which runs a few
 * milliseconds of starts per loop iteration: a launch returns at once, so
 * the master answers ACCEPT before any process starts and keeps serving
 * acknowledgements while a thousand tasks start. A KILL or shutdown of a
 * start still queued drops it (TASK_KILLED, killed during launch). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "codec/num.h"
#include "codec/log.h"
#include "codec/wstatus.h"
#include "local/agent/aenv.h"
#include "local/agent/info.h"
#include "local/agent/internal.h"
#include "local/agent/volumes.h"
#include "local/util.h"
#include "local/wire.h"
#include "mesos/v1/executor/executor.pb-c.h"

#define EXEC_EVENT(ev, TYPE)                                                   \
    Mesos__V1__Executor__Event *ev =                                           \
        klocal_util_pb_new(&mesos__v1__executor__event__descriptor);           \
    ev->has_type = 1;                                                          \
    ev->type = MESOS__V1__EXECUTOR__EVENT__TYPE__##TYPE

/* ------------------------------------------------------------- lookup */

klocal_aexec *klocal_aexec_find(const klocal_agent *a, const char *fw_id, const char *exec_id)
{
    for (klocal_aexec *e = a->execs; e; e = e->next)
        if (strcmp(e->fw_id, fw_id) == 0 && (!exec_id || strcmp(e->exec_id, exec_id) == 0))
            return e;
    return NULL;
}

klocal_atask *klocal_aexec_task(const klocal_aexec *e, const char *task_id)
{
    for (klocal_atask *t = e->tasks; t; t = t->next)
        if (strcmp(t->info->task_id->value, task_id) == 0)
            return t;
    return NULL;
}

klocal_aexec *klocal_aexec_of_task(const klocal_agent *a, const char *fw_id, const char *task_id)
{
    for (klocal_aexec *e = a->execs; e; e = e->next)
        if (strcmp(e->fw_id, fw_id) == 0 && klocal_aexec_task(e, task_id))
            return e;
    return NULL;
}

/* ------------------------------------------------------ life and death */

static klocal_aexec *aexec_new(klocal_agent *a, const Mesos__V1__FrameworkInfo *fw,
                               const char *exec_id, const Mesos__V1__ExecutorInfo *info)
{
    klocal_aexec *e = klocal_util_xcalloc(1, sizeof *e);
    e->agent = a;
    e->fw_id = klocal_util_xstrdup(fw->id->value);
    e->exec_id = klocal_util_xstrdup(exec_id);
    e->command = info == NULL;
    e->info = klocal_util_pb_dup(info);
    e->fw_info = klocal_util_pb_dup(fw);
    e->kill_grace = -1;
    e->lost_reason = -1;
    klocal_util_uuid_string(e->container_id);
    e->sandbox = klocal_util_xasprintf("%s/slaves/%s/frameworks/%s/executors/%s/runs/%s",
                                       a->work_dir, a->id, e->fw_id, exec_id, e->container_id);
    uv_timer_init(a->loop, &e->timer);
    e->timer.data = e;
    e->next = a->execs;
    a->execs = e;
    return e;
}

static void aexec_freed(uv_handle_t *h)
{
    klocal_aexec *e = h->data;
    while (e->tasks) {
        klocal_atask *t = e->tasks;
        e->tasks = t->next;
        kmesos_pb_free(t->info);
        free(t->seen);
        free(t);
    }
    kmesos_pb_free(e->info);
    kmesos_pb_free(e->fw_info);
    free(e->lost_message);
    free(e->fw_id);
    free(e->exec_id);
    free(e->sandbox);
    free(e);
}

static void aexec_remove(klocal_aexec *e)
{
    klocal_agent *a = e->agent;
    for (klocal_aexec **pp = &a->execs; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    klocal_hub_dequeue(a->hub, &e->start);
    if (e->stream) {
        kmesos_httpd_stream_close(e->stream);
        e->stream = NULL;
    }
    uv_timer_stop(&e->timer);
    uv_close((uv_handle_t *)&e->timer, aexec_freed);
}

static klocal_atask *aexec_add_task(klocal_aexec *e, const Mesos__V1__TaskInfo *info)
{
    klocal_atask *t = klocal_util_xcalloc(1, sizeof *t);
    t->info = klocal_util_pb_dup(info);
    t->state = MESOS__V1__TASK_STATE__TASK_STAGING;
    klocal_atask **pp = &e->tasks;
    while (*pp)
        pp = &(*pp)->next;
    *pp = t;
    return t;
}

/* ------------------------------------------------------------ statuses */

static Mesos__V1__TaskStatus *aexec_status(klocal_aexec *e, const char *task_id, int state,
                                           int source, int reason, const char *message)
{
    Mesos__V1__TaskStatus *st = klocal_util_pb_new(&mesos__v1__task_status__descriptor);
    st->task_id = KLOCAL_ID(TaskID, task_id, task_id);
    st->state = state;
    if (message)
        st->message = klocal_util_xstrdup(message);
    st->has_source = 1;
    st->source = source;
    if (reason >= 0) {
        st->has_reason = 1;
        st->reason = reason;
    }
    st->agent_id = KLOCAL_ID(AgentID, agent_id, e->agent->id);
    st->executor_id = KLOCAL_ID(ExecutorID, executor_id, e->exec_id);
    st->has_timestamp = 1;
    st->timestamp = klocal_util_now();
    uint8_t uuid[16];
    klocal_util_uuid(uuid);
    st->has_uuid = 1;
    st->uuid = klocal_util_pb_bytes(uuid, sizeof uuid);
    return st;
}

/* Records the state and hands st (owned) to the update manager. */
static void aexec_emit(klocal_aexec *e, klocal_atask *t, Mesos__V1__TaskStatus *st)
{
    if (t)
        t->state = st->state;
    if (e->silent || e->agent->stopped) {
        kmesos_pb_free(st);
        return;
    }
    if (st->source == MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR)
        klocal_updates_container_status(st, e->container_id, e->pid, e->agent->ip);
    KLOG_INFO("agent", "%s: task %s is %s", e->agent->id, st->task_id->value,
              kmesos_task_state_name(st->state));
    klocal_updates_add(e->agent->updates, e->fw_id, st);
}

static void aexec_emit_state(klocal_aexec *e, klocal_atask *t, int state, int source,
                             int reason, const char *message)
{
    aexec_emit(e, t, aexec_status(e, t->info->task_id->value, state, source, reason, message));
}

/* ---------------------------------------------------------- processes */

static void aexec_on_exit(void *arg, klocal_proc *p, int64_t status, int sig);

/* Spawns cmd in e's sandbox. 0, or -1 with a reason in err. */
static int aexec_spawn(klocal_aexec *e, const Mesos__V1__CommandInfo *cmd, klocal_proc_env *env,
                       char *err, size_t errlen)
{
    int shell = !cmd->has_shell || cmd->shell;
    if (!cmd->value) {
        snprintf(err, errlen, "CommandInfo has no value");
        return -1;
    }
    char *sh_argv[] = {"sh", "-c", cmd->value, NULL};
    char **argv = sh_argv;
    char **own = NULL;
    if (!shell) {
        own = klocal_util_xcalloc(cmd->n_arguments + 2, sizeof *own);
        own[0] = cmd->value;
        for (size_t i = 0; i < cmd->n_arguments; i++)
            own[i] = cmd->arguments[i];
        if (!cmd->n_arguments)
            own[0] = cmd->value;
        argv = own;
    }
    char *out = klocal_util_xasprintf("%s/stdout", e->sandbox);
    char *errp = klocal_util_xasprintf("%s/stderr", e->sandbox);
    klocal_proc_spec spec = {
        .file = shell ? "/bin/sh" : cmd->value,
        .argv = argv, .env = env, .cwd = e->sandbox,
        .stdout_path = out, .stderr_path = errp,
    };
    e->proc = klocal_proc_spawn(e->agent->loop, &spec, aexec_on_exit, e, err, errlen);
    free(own);
    free(out);
    free(errp);
    if (!e->proc)
        return -1;
    e->pid = klocal_proc_pid(e->proc);
    e->agent->live_procs++;
    return 0;
}

/* Tells the master that a custom executor ended (it frees the executor's
 * resources and sends FAILURE), unless the framework is gone, the agent
 * stopped, or the agent is cut off from the master by a partition (the
 * message is lost, as on a real network; the master learns what runs when
 * the agent re-registers). */
static void aexec_tell_exit(klocal_aexec *e, int status)
{
    klocal_agent *a = e->agent;
    if (!e->command && !e->silent && !a->stopped && !a->partitioned && a->ev.on_executor_exit)
        a->ev.on_executor_exit(a->ev.arg, a, e->fw_id, e->exec_id, status);
}

/* A custom executor that never ran is gone: the master frees its
 * resources and tells the scheduler (FAILURE), as for an exit. */
static void aexec_never_ran(klocal_aexec *e) { aexec_tell_exit(e, 0); }

static void aexec_launch_failed(klocal_aexec *e, const char *why)
{
    char *msg = klocal_util_xasprintf("Failed to launch container: %s", why);
    KLOG_WARN("agent", "%s: executor %s: %s", e->agent->id, e->exec_id, msg);
    for (klocal_atask *t = e->tasks; t; t = t->next)
        if (!kmesos_task_state_is_terminal(t->state))
            aexec_emit_state(e, t, MESOS__V1__TASK_STATE__TASK_FAILED,
                             MESOS__V1__TASK_STATUS__SOURCE__SOURCE_AGENT,
                             MESOS__V1__TASK_STATUS__REASON__REASON_CONTAINER_LAUNCH_FAILED, msg);
    free(msg);
    aexec_never_ran(e);
    aexec_remove(e);
}

/* The agent's answer to a KILL of a task its executor does not run yet. */
static void aexec_killed_in_launch(klocal_aexec *e, klocal_atask *t)
{
    aexec_emit_state(e, t, MESOS__V1__TASK_STATE__TASK_KILLED,
                     MESOS__V1__TASK_STATUS__SOURCE__SOURCE_AGENT,
                     MESOS__V1__TASK_STATUS__REASON__REASON_TASK_KILLED_DURING_LAUNCH,
                     "Killed before delivery to the executor");
}

static void aexec_start_command(klocal_aexec *e, klocal_atask *t)
{
    const Mesos__V1__TaskInfo *ti = t->info;
    klocal_proc_env env;
    klocal_proc_env_init(&env, 1);
    klocal_aenv_common(e, &env);
    klocal_proc_env_set(&env, "MESOS_TASK_ID", ti->task_id->value);
    klocal_aenv_command(&env, ti->command);
    char err[256];
    int rc = aexec_spawn(e, ti->command, &env, err, sizeof err);
    klocal_proc_env_free(&env);
    if (rc != 0) {
        aexec_launch_failed(e, err);
        return;
    }
    t->delivered = 1; /* STARTING once running, with its container's pid */
    aexec_emit_state(e, t, MESOS__V1__TASK_STATE__TASK_STARTING,
                     MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR, -1, NULL);
    aexec_emit_state(e, t, MESOS__V1__TASK_STATE__TASK_RUNNING,
                     MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR, -1, NULL);
}

static void aexec_start_custom(klocal_aexec *e)
{
    klocal_proc_env env;
    klocal_proc_env_init(&env, 1);
    klocal_aenv_executor(e, &env);
    char err[256];
    int rc = e->info->command ? aexec_spawn(e, e->info->command, &env, err, sizeof err)
                              : (snprintf(err, sizeof err, "ExecutorInfo has no command"), -1);
    klocal_proc_env_free(&env);
    if (rc != 0)
        aexec_launch_failed(e, err);
}

static char *aexec_exit_text(int64_t status, int sig)
{
    char how[96];
    kmesos_wstatus_mesos_text(status, sig, how, sizeof how);
    return klocal_util_xasprintf("Command %s", how);
}

static void aexec_command_exited(klocal_aexec *e, int64_t status, int sig)
{
    klocal_atask *t = e->tasks;
    if (!t || kmesos_task_state_is_terminal(t->state))
        return;
    char *msg = aexec_exit_text(status, sig);
    int state = t->killing ? MESOS__V1__TASK_STATE__TASK_KILLED
                : (status == 0 && !sig) ? MESOS__V1__TASK_STATE__TASK_FINISHED
                                        : MESOS__V1__TASK_STATE__TASK_FAILED;
    aexec_emit_state(e, t, state, MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR,
                     state == MESOS__V1__TASK_STATE__TASK_FAILED
                         ? MESOS__V1__TASK_STATUS__REASON__REASON_COMMAND_EXECUTOR_FAILED
                         : -1,
                     msg);
    free(msg);
}

static int aexec_partition_aware(const klocal_aexec *e)
{
    for (size_t i = 0; i < e->fw_info->n_capabilities; i++)
        if (e->fw_info->capabilities[i]->type ==
            MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE)
            return 1;
    return 0;
}

/* The state of the tasks of an executor that ended: after a missed
 * re-registration TASK_GONE, or TASK_LOST for a framework that is not
 * partition-aware (Slave::reregisterExecutorTimeout); else as killed or
 * failed. */
static int aexec_exit_state(const klocal_aexec *e, const klocal_atask *t)
{
    if (e->lost_reason >= 0)
        return aexec_partition_aware(e) ? MESOS__V1__TASK_STATE__TASK_GONE
                                        : MESOS__V1__TASK_STATE__TASK_LOST;
    return t->killing || e->shutting_down ? MESOS__V1__TASK_STATE__TASK_KILLED
                                          : MESOS__V1__TASK_STATE__TASK_FAILED;
}

static void aexec_custom_exited(klocal_aexec *e, int64_t status, int sig)
{
    for (klocal_atask *t = e->tasks; t; t = t->next)
        if (!kmesos_task_state_is_terminal(t->state))
            aexec_emit_state(e, t, aexec_exit_state(e, t),
                             MESOS__V1__TASK_STATUS__SOURCE__SOURCE_AGENT,
                             e->lost_reason >= 0
                                 ? e->lost_reason
                                 : MESOS__V1__TASK_STATUS__REASON__REASON_EXECUTOR_TERMINATED,
                             e->lost_message ? e->lost_message : "Executor terminated");
    aexec_tell_exit(e, sig ? sig : (int)(status & 0xff) << 8);
}

static void aexec_on_exit(void *arg, klocal_proc *p, int64_t status, int sig)
{
    klocal_aexec *e = arg;
    (void)p;
    e->proc = NULL;
    e->agent->live_procs--;
    char how[96];
    kmesos_wstatus_text(status, sig, how, sizeof how);
    KLOG_INFO("agent", "%s: executor %s (pid %d) %s", e->agent->id, e->exec_id, e->pid, how);
    if (e->command)
        aexec_command_exited(e, status, sig);
    else
        aexec_custom_exited(e, status, sig);
    aexec_remove(e);
}

/* -------------------------------------------------------------- fetch */

static void aexec_start(klocal_aexec *e)
{
    if (e->command)
        aexec_start_command(e, e->tasks);
    else
        aexec_start_custom(e);
}

static void aexec_fetch_cancelled(klocal_aexec *e)
{
    for (klocal_atask *t = e->tasks; t; t = t->next)
        if (!kmesos_task_state_is_terminal(t->state))
            aexec_killed_in_launch(e, t);
    aexec_never_ran(e);
    aexec_remove(e);
}

static void aexec_fetch_done(void *arg, klocal_fetch_result r, const char *message)
{
    klocal_aexec *e = arg;
    e->fetch = NULL;
    if (r == KLOCAL_FETCH_OK)
        aexec_start(e);
    else if (r == KLOCAL_FETCH_FAILED)
        aexec_launch_failed(e, message);
    else
        aexec_fetch_cancelled(e);
}

/* Fetches the URIs of the command to run first, or starts at once. */
static void aexec_fetch_or_start(klocal_aexec *e)
{
    klocal_agent *a = e->agent;
    const Mesos__V1__CommandInfo *cmd = e->command ? e->tasks->info->command : e->info->command;
    if (!cmd || cmd->n_uris == 0) {
        aexec_start(e);
        return;
    }
    const char *user = cmd->user ? cmd->user : e->fw_info->user;
    char *cache = user ? klocal_util_xasprintf("%s/fetch/slaves/%s/%s", a->work_dir, a->id, user)
                       : klocal_util_xasprintf("%s/fetch/slaves/%s", a->work_dir, a->id);
    klocal_fetch_params p = {
        .sandbox = e->sandbox, .container_id = e->container_id, .cache_dir = cache,
        .user = user, .uris = cmd->uris, .n_uris = cmd->n_uris,
    };
    KLOG_INFO("agent", "%s: fetching %zu URIs for executor %s", a->id, cmd->n_uris, e->exec_id);
    e->fetch = klocal_fetch_start(a->loop, &p, aexec_fetch_done, e);
    free(cache);
}

/* The queued start (hub.c): the sandbox, then the fetch or the start. */
static void aexec_begin(void *arg)
{
    klocal_aexec *e = arg;
    klocal_util_mkdirs(e->sandbox, 1);
    const char *wd = e->agent->work_dir;
    if (e->info)
        klocal_volumes_link(wd, e->sandbox, e->info->resources, e->info->n_resources);
    for (const klocal_atask *t = e->tasks; t; t = t->next)
        klocal_volumes_link(wd, e->sandbox, t->info->resources, t->info->n_resources);
    aexec_fetch_or_start(e);
}

/* A start still queued is dropped: no process ever ran. */
static int aexec_unqueue(klocal_aexec *e)
{
    if (!e->start.queued)
        return 0;
    aexec_fetch_cancelled(e);
    return 1;
}

static int aexec_live_tasks(const klocal_aexec *e)
{
    int n = 0;
    for (const klocal_atask *t = e->tasks; t; t = t->next)
        n += !kmesos_task_state_is_terminal(t->state);
    return n;
}

/* ------------------------------------------------------------- events */

void klocal_aexec_send(klocal_aexec *e, const ProtobufCMessage *event)
{
    if (e->stream)
        klocal_wire_send(e->stream, event, e->ct);
}

static void aexec_deliver(klocal_aexec *e, klocal_atask *t)
{
    EXEC_EVENT(ev, LAUNCH);
    ev->launch = klocal_util_pb_new(&mesos__v1__executor__event__launch__descriptor);
    ev->launch->task = klocal_util_pb_dup(t->info);
    klocal_aexec_send(e, &ev->base);
    kmesos_pb_free(ev);
    t->delivered = 1;
}

/* 1 when uuid was already received for t (remembers it otherwise). */
static int aexec_seen(klocal_atask *t, const ProtobufCBinaryData *uuid)
{
    if (!t || uuid->len != 16)
        return 0;
    for (size_t i = 0; i < t->nseen; i++)
        if (memcmp(t->seen[i], uuid->data, 16) == 0)
            return 1;
    t->seen = klocal_util_xrealloc(t->seen, (t->nseen + 1) * sizeof *t->seen);
    memcpy(t->seen[t->nseen++], uuid->data, 16);
    return 0;
}

/* Subscribe.unacknowledged_tasks: tasks the executor runs that this agent
 * does not know (any more) are taken back, as delivered. */
static void aexec_recover_tasks(klocal_aexec *e, const Mesos__V1__Executor__Call__Subscribe *sub)
{
    for (size_t i = 0; i < sub->n_unacknowledged_tasks; i++) {
        const Mesos__V1__TaskInfo *ti = sub->unacknowledged_tasks[i];
        klocal_atask *t = klocal_aexec_task(e, ti->task_id->value);
        if (!t) {
            t = aexec_add_task(e, ti);
            KLOG_INFO("agent", "%s: executor %s: task %s recovered", e->agent->id, e->exec_id,
                      ti->task_id->value);
        }
        t->delivered = 1;
    }
}

/* Subscribe.unacknowledged_updates: handled as UPDATE calls (duplicates
 * of updates already received are acknowledged, not forwarded again). */
static void aexec_recover_updates(klocal_aexec *e, const Mesos__V1__Executor__Call__Subscribe *sub)
{
    for (size_t i = 0; i < sub->n_unacknowledged_updates; i++) {
        const Mesos__V1__TaskStatus *st = sub->unacknowledged_updates[i]->status;
        if (st && st->task_id && st->has_uuid)
            klocal_aexec_executor_update(e, st);
    }
}

void klocal_aexec_subscribed(klocal_aexec *e, kmesos_httpd_stream *s, kmesos_content_type ct,
                             const Mesos__V1__Executor__Call__Subscribe *sub)
{
    if (e->stream)
        kmesos_httpd_stream_close(e->stream);
    e->stream = s;
    e->ct = ct;
    EXEC_EVENT(ev, SUBSCRIBED);
    ev->subscribed = klocal_util_pb_new(&mesos__v1__executor__event__subscribed__descriptor);
    ev->subscribed->executor_info = klocal_util_pb_dup(e->info);
    if (!ev->subscribed->executor_info->framework_id)
        ev->subscribed->executor_info->framework_id = KLOCAL_ID(FrameworkID, framework_id, e->fw_id);
    ev->subscribed->framework_info = klocal_util_pb_dup(e->fw_info);
    ev->subscribed->agent_info = klocal_info_agent(e->agent->id, e->agent->hostname, e->agent->port,
                                                   &e->agent->resources, &e->agent->attrs);
    ev->subscribed->container_id = KLOCAL_ID(ContainerID, container_id, e->container_id);
    klocal_aexec_send(e, &ev->base);
    kmesos_pb_free(ev);
    if (e->recovering) {
        e->recovering = 0;
        KLOG_INFO("agent", "%s: executor %s re-registered (%zu unacknowledged tasks, %zu updates)",
                  e->agent->id, e->exec_id, sub->n_unacknowledged_tasks,
                  sub->n_unacknowledged_updates);
    }
    aexec_recover_tasks(e, sub);
    for (klocal_atask *t = e->tasks; t; t = t->next)
        if (!t->delivered && !kmesos_task_state_is_terminal(t->state))
            aexec_deliver(e, t);
    aexec_recover_updates(e, sub);
}

void klocal_aexec_detach(klocal_aexec *e)
{
    if (e->stream) {
        kmesos_httpd_stream_abort(e->stream);
        e->stream = NULL;
    }
    if (!e->command && e->proc && !e->shutting_down)
        e->recovering = 1;
}

void klocal_aexec_recovery_expired(klocal_aexec *e)
{
    if (!e->recovering)
        return;
    e->recovering = 0;
    e->lost_reason = MESOS__V1__TASK_STATUS__REASON__REASON_EXECUTOR_REREGISTRATION_TIMEOUT;
    char *window = klocal_aenv_duration(klocal_aenv_ns(e->agent->recovery));
    free(e->lost_message);
    e->lost_message = klocal_util_xasprintf("Executor did not reregister within %s", window);
    free(window);
    KLOG_WARN("agent", "%s: executor %s: %s: killing it", e->agent->id, e->exec_id,
              e->lost_message);
    if (e->proc)
        klocal_proc_kill(e->proc, 0);
}

void klocal_aexec_disconnected(klocal_aexec *e)
{
    e->stream = NULL;
    KLOG_INFO("agent", "%s: executor %s disconnected", e->agent->id, e->exec_id);
    if (!(e->fw_info->has_checkpoint && e->fw_info->checkpoint))
        klocal_aexec_shutdown(e);
}

void klocal_aexec_executor_update(klocal_aexec *e, const Mesos__V1__TaskStatus *in)
{
    if (e->silent) { /* Slave::statusUpdate: no update, hence no ack, for a terminating framework */
        KLOG_WARN("agent", "%s: ignoring status update %s of task %s for terminating framework %s",
                  e->agent->id, kmesos_task_state_name(in->state), in->task_id->value, e->fw_id);
        return;
    }
    Mesos__V1__TaskStatus *st = klocal_util_pb_dup(in);
    if (!st->agent_id)
        st->agent_id = KLOCAL_ID(AgentID, agent_id, e->agent->id);
    if (!st->executor_id)
        st->executor_id = KLOCAL_ID(ExecutorID, executor_id, e->exec_id);
    if (!st->has_timestamp) {
        st->has_timestamp = 1;
        st->timestamp = klocal_util_now();
    }
    st->has_source = 1;
    st->source = MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR;
    klocal_atask *t = klocal_aexec_task(e, st->task_id->value);
    int dup = aexec_seen(t, &st->uuid);
    EXEC_EVENT(ack, ACKNOWLEDGED);
    ack->acknowledged = klocal_util_pb_new(&mesos__v1__executor__event__acknowledged__descriptor);
    ack->acknowledged->task_id = KLOCAL_ID(TaskID, task_id, st->task_id->value);
    ack->acknowledged->uuid = klocal_util_pb_bytes(st->uuid.data, st->uuid.len);
    if (dup) {
        KLOG_DEBUG("agent", "%s: duplicate update of task %s acknowledged again", e->agent->id,
                   st->task_id->value);
        kmesos_pb_free(st);
    } else {
        aexec_emit(e, t, st);
    }
    klocal_aexec_send(e, &ack->base);
    kmesos_pb_free(ack);
}

/* ------------------------------------------------------------- control */

void klocal_aexec_launch(klocal_agent *a, const Mesos__V1__FrameworkInfo *fw,
                         const Mesos__V1__TaskInfo *task)
{
    const char *exec_id = task->executor ? task->executor->executor_id->value
                                         : task->task_id->value;
    klocal_aexec *e = klocal_aexec_find(a, fw->id->value, exec_id);
    if (e && !e->command && task->executor) {
        klocal_atask *t = aexec_add_task(e, task);
        if (e->stream)
            aexec_deliver(e, t);
        return;
    }
    e = aexec_new(a, fw, exec_id, task->executor);
    aexec_add_task(e, task);
    e->start.run = aexec_begin;
    e->start.arg = e;
    klocal_hub_enqueue(a->hub, &e->start);
}

void klocal_aexec_kill(klocal_aexec *e, klocal_atask *t, double grace)
{
    if (kmesos_task_state_is_terminal(t->state))
        return;
    t->killing = 1;
    if (e->start.queued) {
        aexec_killed_in_launch(e, t);
        if (!aexec_live_tasks(e))
            aexec_unqueue(e);
        return;
    }
    if (e->fetch) {
        aexec_killed_in_launch(e, t);
        if (!aexec_live_tasks(e))
            klocal_fetch_cancel(e->fetch);
        return;
    }
    if (e->command) {
        if (grace < 0)
            grace = klocal_aenv_grace_s(
                t->info->kill_policy ? t->info->kill_policy->grace_period : NULL,
                e->agent->kill_grace);
        if (e->proc)
            klocal_proc_kill(e->proc, grace);
        return;
    }
    if (!t->delivered) {
        aexec_killed_in_launch(e, t);
        return;
    }
    EXEC_EVENT(ev, KILL);
    ev->kill = klocal_util_pb_new(&mesos__v1__executor__event__kill__descriptor);
    ev->kill->task_id = KLOCAL_ID(TaskID, task_id, t->info->task_id->value);
    if (grace >= 0) {
        ev->kill->kill_policy = klocal_util_pb_new(&mesos__v1__kill_policy__descriptor);
        ev->kill->kill_policy->grace_period =
            klocal_util_pb_new(&mesos__v1__duration_info__descriptor);
        ev->kill->kill_policy->grace_period->nanoseconds =
            (int64_t)kmesos_num_ms(grace) * 1000000;
    } else if (t->info->kill_policy) {
        ev->kill->kill_policy = klocal_util_pb_dup(t->info->kill_policy);
    }
    klocal_aexec_send(e, &ev->base);
    kmesos_pb_free(ev);
}

static void aexec_on_grace(uv_timer_t *timer)
{
    klocal_aexec *e = timer->data;
    if (e->fetch)
        klocal_fetch_cancel(e->fetch);
    if (e->proc)
        klocal_proc_kill(e->proc, 0);
}

void klocal_aexec_shutdown(klocal_aexec *e)
{
    if (e->shutting_down)
        return;
    e->shutting_down = 1;
    if (e->command) {
        if (e->tasks)
            klocal_aexec_kill(e, e->tasks, -1);
        return;
    }
    if (!e->stream) {
        if (aexec_unqueue(e))
            return;
        if (e->fetch)
            klocal_fetch_cancel(e->fetch);
        if (e->proc)
            klocal_proc_kill(e->proc, 0);
        return;
    }
    EXEC_EVENT(ev, SHUTDOWN);
    klocal_aexec_send(e, &ev->base);
    kmesos_pb_free(ev);
    double grace = klocal_aenv_grace_s(e->info->shutdown_grace_period, e->agent->executor_grace);
    uv_timer_start(&e->timer, aexec_on_grace, kmesos_num_ms(grace), 0);
}

void klocal_aexec_silence(klocal_aexec *e)
{
    e->silent = 1;
    if (e->start.queued) {
        klocal_hub_dequeue(e->agent->hub, &e->start);
        aexec_remove(e);
        return;
    }
    if (e->stream) {
        kmesos_httpd_stream_abort(e->stream);
        e->stream = NULL;
    }
    if (e->proc)
        klocal_proc_kill(e->proc, 0);
}
