/* exec_core: the executor's logic, driven from outside and doing no I/O
 * itself. It decodes each event record, keeps the tasks it was given
 * (with a copy of their TaskInfo until the agent acknowledged one of
 * their updates), turns LAUNCH into a process start and TASK_STARTING,
 * readiness into TASK_RUNNING, a process end into the terminal update,
 * KILL and SHUTDOWN into kills with a grace period, and keeps every
 * update until ACKNOWLEDGED (resending it on a growing interval and
 * handing it over on re-subscribe). It asks to exit 0 once every task
 * ended and every update was acknowledged, or after a SHUTDOWN as soon as
 * every task ended and its terminal update went out: a SHUTDOWN comes
 * with a framework's teardown or an agent's shutdown, when the agent
 * ignores updates and never acknowledges them (src/slave/slave.cpp,
 * Slave::statusUpdate: "Ignoring status update ... for terminating
 * framework"), so waiting for acks would only eat into the agent's
 * shutdown grace period. */
#include "exec/exec_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/protocol.h"
#include "codec/pb.h"
#include "codec/uuid.h"
#include "exec/exec_status.h"

#define MOD "exec"
#define REASON_NONE (-1)

#define exec_event_type_name(v) \
    kmesos_protocol_enum_name(&mesos__v1__executor__event__type__descriptor, (v))

void kmesos_exec_core_init(kmesos_exec_core *c, const kmesos_exec_config *cfg,
                           char *const *base_env, const kmesos_exec_io *io)
{
    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->base_env = base_env;
    c->io = *io;
    kmesos_exec_updates_init(&c->updates, KMESOS_EXEC_RESEND_FIRST_MS, KMESOS_EXEC_RESEND_MAX_MS);
}

static void exec_task_free(kmesos_exec_task *t)
{
    if (t->info)
        protobuf_c_message_free_unpacked(&t->info->base, NULL);
    free(t->failure);
    free(t->id);
    free(t);
}

void kmesos_exec_core_free(kmesos_exec_core *c)
{
    kmesos_exec_task *t = c->tasks;
    while (t) {
        kmesos_exec_task *next = t->next;
        exec_task_free(t);
        t = next;
    }
    c->tasks = NULL;
    kmesos_exec_updates_free(&c->updates);
    free(c->agent_id);
    c->agent_id = NULL;
}

kmesos_exec_task *kmesos_exec_core_find(const kmesos_exec_core *c, const char *task_id)
{
    for (kmesos_exec_task *t = c->tasks; t; t = t->next)
        if (strcmp(t->id, task_id) == 0)
            return t;
    return NULL;
}

/* ---- the end --------------------------------------------------------------- */

static int exec_all_tasks_ended(const kmesos_exec_core *c)
{
    for (const kmesos_exec_task *t = c->tasks; t; t = t->next)
        if (t->running || !kmesos_exec_status_terminal((Mesos__V1__TaskState)t->state))
            return 0;
    return 1;
}

static void exec_request_exit(kmesos_exec_core *c, int code, const char *why)
{
    if (c->exit_requested)
        return;
    c->exit_requested = 1;
    KLOG_INFO(MOD, "exiting with status %d: %s", code, why);
    c->io.exit(c->io.arg, code);
}

/* Exits when there is nothing left to do (see the file comment). */
static void exec_check_done(kmesos_exec_core *c)
{
    if (c->exit_requested || !exec_all_tasks_ended(c))
        return;
    if (c->giving_up) {
        exec_request_exit(c, 1, "the agent could not be reached; tasks killed");
    } else if (c->shutting_down) {
        char why[96];
        snprintf(why, sizeof why, "shut down; every task ended (%zu updates unacknowledged)",
                 c->updates.count);
        exec_request_exit(c, 0, why);
    } else if (c->launched > 0 && c->updates.count == 0) {
        exec_request_exit(c, 0, "every task ended and its updates were acknowledged");
    }
}

/* ---- calls ----------------------------------------------------------------- */

static void exec_call_init(kmesos_exec_core *c, Mesos__V1__Executor__Call *call,
                           Mesos__V1__ExecutorID *eid, Mesos__V1__FrameworkID *fid,
                           Mesos__V1__Executor__Call__Type type)
{
    mesos__v1__executor__call__init(call);
    mesos__v1__executor_id__init(eid);
    mesos__v1__framework_id__init(fid);
    eid->value = c->cfg->executor_id;
    fid->value = c->cfg->framework_id;
    call->executor_id = eid;
    call->framework_id = fid;
    call->has_type = 1;
    call->type = type;
}

static void exec_send_status(kmesos_exec_core *c, const Mesos__V1__TaskStatus *st)
{
    Mesos__V1__Executor__Call call;
    Mesos__V1__ExecutorID eid;
    Mesos__V1__FrameworkID fid;
    Mesos__V1__Executor__Call__Update upd = MESOS__V1__EXECUTOR__CALL__UPDATE__INIT;
    exec_call_init(c, &call, &eid, &fid, MESOS__V1__EXECUTOR__CALL__TYPE__UPDATE);
    upd.status = (Mesos__V1__TaskStatus *)st;
    call.update = &upd;
    if (c->io.send(c->io.arg, &call) != 0)
        KLOG_WARN(MOD, "cannot post the UPDATE of task %s; it will be resent",
                  st->task_id->value);
}

static void exec_resend_cb(void *arg, const Mesos__V1__TaskStatus *st)
{
    kmesos_exec_core *c = arg;
    char hex[KMESOS_UUID_HEX];
    KLOG_INFO(MOD, "task %s: resending unacknowledged %s (uuid %s)", st->task_id->value,
              kmesos_exec_status_state_name(st->state),
              kmesos_uuid_hex(st->uuid.data, st->uuid.len, hex));
    exec_send_status(c, st);
}

/* Makes, keeps and (when subscribed) sends one status update of t. */
static void exec_update(kmesos_exec_core *c, kmesos_exec_task *t, Mesos__V1__TaskState state,
                        const char *message, int reason)
{
    uint8_t uuid[KMESOS_UUID_LEN];
    Mesos__V1__TaskStatus st = MESOS__V1__TASK_STATUS__INIT;
    Mesos__V1__TaskID tid = MESOS__V1__TASK_ID__INIT;
    Mesos__V1__AgentID aid = MESOS__V1__AGENT_ID__INIT;
    Mesos__V1__ExecutorID eid = MESOS__V1__EXECUTOR_ID__INIT;
    tid.value = t->id;
    eid.value = c->cfg->executor_id;
    aid.value = c->agent_id;
    st.task_id = &tid;
    st.state = state;
    st.message = (char *)message;
    st.has_source = 1;
    st.source = MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR;
    st.has_reason = reason != REASON_NONE;
    st.reason = st.has_reason ? (Mesos__V1__TaskStatus__Reason)reason : st.reason;
    st.agent_id = c->agent_id ? &aid : NULL;
    st.executor_id = &eid;
    st.has_timestamp = 1;
    st.timestamp = c->io.wall_s(c->io.arg);
    t->state = state;
    if (c->io.uuid(c->io.arg, uuid) != 0) {
        KLOG_ERROR(MOD, "task %s: no random bytes for a status uuid; %s not sent", t->id,
                   kmesos_exec_status_state_name(state));
        return;
    }
    st.has_uuid = 1;
    st.uuid.data = uuid;
    st.uuid.len = sizeof uuid;
    const Mesos__V1__TaskStatus *kept =
        kmesos_exec_updates_add(&c->updates, &st, c->io.mono_ms(c->io.arg));
    char hex[KMESOS_UUID_HEX];
    KLOG_INFO(MOD, "task %s: %s%s%s (uuid %s)%s", t->id, kmesos_exec_status_state_name(state),
              message ? ": " : "", message ? message : "",
              kmesos_uuid_hex(uuid, sizeof uuid, hex),
              c->subscribed ? "" : " [queued until re-subscribed]");
    if (c->subscribed)
        exec_send_status(c, kept ? kept : &st);
}

/* ---- tasks ----------------------------------------------------------------- */

static kmesos_exec_task *exec_task_add(kmesos_exec_core *c, const Mesos__V1__TaskInfo *info)
{
    kmesos_exec_task *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->id = strdup(info->task_id->value);
    t->info = (Mesos__V1__TaskInfo *)kmesos_pb_dup(&info->base);
    if (!t->id || !t->info) {
        exec_task_free(t);
        return NULL;
    }
    t->state = -1;
    t->grace_ns = kmesos_exec_spec_grace(info->kill_policy, c->cfg->shutdown_grace_ns);
    kmesos_exec_task **tail = &c->tasks;
    while (*tail)
        tail = &(*tail)->next;
    *tail = t;
    c->launched++;
    return t;
}

static void exec_task_start(kmesos_exec_core *c, kmesos_exec_task *t)
{
    char err[512];
    kmesos_exec_spec spec;
    if (kmesos_exec_spec_build(&spec, t->info, c->base_env, c->cfg->sandbox, t->grace_ns, err,
                               sizeof err) != 0) {
        exec_update(c, t, MESOS__V1__TASK_STATE__TASK_FAILED, err,
                    MESOS__V1__TASK_STATUS__REASON__REASON_TASK_INVALID);
        return;
    }
    spec.guard_exe = c->cfg->guard_exe;
    KLOG_INFO(MOD, "task %s: starting '%s'%s%s in %s", t->id,
              spec.argv[spec.argv[1] && strcmp(spec.file, "/bin/sh") == 0 ? 2 : 0],
              spec.ready_port ? " (readiness: TCP port)" : "",
              spec.ready_command ? " (readiness: command)" : "", spec.cwd);
    if (c->io.spawn(c->io.arg, t, &spec, err, sizeof err) != 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "cannot start the command: %s", err);
        exec_update(c, t, MESOS__V1__TASK_STATE__TASK_FAILED, msg,
                    MESOS__V1__TASK_STATUS__REASON__REASON_CONTAINER_LAUNCH_FAILED);
    } else {
        t->running = 1;
        exec_update(c, t, MESOS__V1__TASK_STATE__TASK_STARTING, NULL, REASON_NONE);
        if (!spec.ready_port && !spec.ready_command)
            exec_update(c, t, MESOS__V1__TASK_STATE__TASK_RUNNING, NULL, REASON_NONE);
    }
    kmesos_exec_spec_free(&spec);
}

static void exec_on_launch(kmesos_exec_core *c, const Mesos__V1__TaskInfo *info)
{
    if (kmesos_exec_core_find(c, info->task_id->value)) {
        KLOG_WARN(MOD, "LAUNCH of task %s again: ignored", info->task_id->value);
        return;
    }
    kmesos_exec_task *t = exec_task_add(c, info);
    if (!t) {
        KLOG_ERROR(MOD, "LAUNCH of task %s: out of memory", info->task_id->value);
        return;
    }
    KLOG_INFO(MOD, "LAUNCH of task %s (%s)", t->id, info->name);
    if (c->shutting_down || c->giving_up)
        exec_update(c, t, MESOS__V1__TASK_STATE__TASK_FAILED, "the executor is shutting down",
                    MESOS__V1__TASK_STATUS__REASON__REASON_EXECUTOR_TERMINATED);
    else
        exec_task_start(c, t);
}

static void exec_on_launch_group(kmesos_exec_core *c, const Mesos__V1__TaskGroupInfo *g)
{
    KLOG_WARN(MOD, "LAUNCH_GROUP of %zu tasks: task groups are not supported", g->n_tasks);
    for (size_t i = 0; i < g->n_tasks; i++) {
        if (kmesos_exec_core_find(c, g->tasks[i]->task_id->value))
            continue;
        kmesos_exec_task *t = exec_task_add(c, g->tasks[i]);
        if (t)
            exec_update(c, t, MESOS__V1__TASK_STATE__TASK_FAILED,
                        "unsupported: kmesos-executor does not run task groups (LAUNCH_GROUP)",
                        MESOS__V1__TASK_STATUS__REASON__REASON_TASK_GROUP_INVALID);
    }
}

static void exec_kill_task(kmesos_exec_core *c, kmesos_exec_task *t, int64_t grace_ns)
{
    t->kill_requested = 1;
    KLOG_INFO(MOD, "task %s: SIGTERM to its process group, SIGKILL after %.3f s", t->id,
              (double)grace_ns / 1e9);
    c->io.kill(c->io.arg, t, grace_ns);
}

static void exec_on_kill(kmesos_exec_core *c, const Mesos__V1__Executor__Event__Kill *k)
{
    kmesos_exec_task *t = kmesos_exec_core_find(c, k->task_id->value);
    if (!t) {
        KLOG_WARN(MOD, "KILL of unknown task %s: ignored", k->task_id->value);
        return;
    }
    if (!t->running) {
        KLOG_INFO(MOD, "KILL of task %s, which already ended (%s): ignored", t->id,
                  t->state >= 0 ? kmesos_exec_status_state_name(t->state) : "never started");
        return;
    }
    KLOG_INFO(MOD, "KILL of task %s", t->id);
    exec_kill_task(c, t, kmesos_exec_spec_grace(k->kill_policy, t->grace_ns));
}

static void exec_on_acknowledged(kmesos_exec_core *c, const Mesos__V1__Executor__Event__Acknowledged *a)
{
    char hex[KMESOS_UUID_HEX];
    Mesos__V1__TaskState state;
    kmesos_uuid_hex(a->uuid.data, a->uuid.len, hex);
    if (!kmesos_exec_updates_ack(&c->updates, a->uuid.data, a->uuid.len, &state)) {
        KLOG_INFO(MOD, "ACKNOWLEDGED of an update we do not hold (task %s, uuid %s)",
                  a->task_id->value, hex);
        return;
    }
    kmesos_exec_task *t = kmesos_exec_core_find(c, a->task_id->value);
    if (t)
        t->acked = 1;
    KLOG_INFO(MOD, "task %s: %s acknowledged (uuid %s, %zu unacknowledged left)",
              a->task_id->value, kmesos_exec_status_state_name(state), hex, c->updates.count);
    exec_check_done(c);
}

/* ---- events ---------------------------------------------------------------- */

static void exec_on_subscribed(kmesos_exec_core *c, const Mesos__V1__Executor__Event__Subscribed *s)
{
    char *agent = strdup(s->agent_info->id ? s->agent_info->id->value : "");
    if (agent) {
        free(c->agent_id);
        c->agent_id = agent;
    }
    c->subscribed = 1;
    c->subscriptions++;
    kmesos_exec_updates_restart(&c->updates, c->io.mono_ms(c->io.arg));
    KLOG_INFO(MOD, "%s to agent %s (%s) for framework %s (%s)",
              c->subscriptions > 1 ? "re-subscribed" : "subscribed", c->agent_id,
              s->agent_info->hostname, c->cfg->framework_id,
              s->framework_info->name ? s->framework_info->name : "");
    if (c->subscriptions > 1)
        KLOG_INFO(MOD, "handed over %zu unacknowledged updates", c->updates.count);
}

/* The part each event type needs, or NULL when it is missing. */
static const void *exec_event_part(const Mesos__V1__Executor__Event *ev)
{
    switch (ev->type) {
    case MESOS__V1__EXECUTOR__EVENT__TYPE__SUBSCRIBED:
        return ev->subscribed && ev->subscribed->agent_info && ev->subscribed->framework_info
                   ? (const void *)ev->subscribed : NULL;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__LAUNCH:
        return ev->launch && ev->launch->task ? (const void *)ev->launch : NULL;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__LAUNCH_GROUP:
        return ev->launch_group && ev->launch_group->task_group ? (const void *)ev->launch_group
                                                                  : NULL;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__KILL:
        return ev->kill;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__ACKNOWLEDGED:
        return ev->acknowledged;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__MESSAGE:
        return ev->message;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__ERROR:
        return ev->error;
    default:
        return ev; /* SHUTDOWN, HEARTBEAT and unknown types carry nothing */
    }
}

static void exec_dispatch(kmesos_exec_core *c, const Mesos__V1__Executor__Event *ev)
{
    switch (ev->type) {
    case MESOS__V1__EXECUTOR__EVENT__TYPE__SUBSCRIBED:
        exec_on_subscribed(c, ev->subscribed);
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__LAUNCH:
        exec_on_launch(c, ev->launch->task);
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__LAUNCH_GROUP:
        exec_on_launch_group(c, ev->launch_group->task_group);
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__KILL:
        exec_on_kill(c, ev->kill);
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__ACKNOWLEDGED:
        exec_on_acknowledged(c, ev->acknowledged);
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__MESSAGE:
        KLOG_INFO(MOD, "MESSAGE from the framework (%zu bytes)", ev->message->data.len);
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__SHUTDOWN:
        kmesos_exec_core_shutdown(c, "SHUTDOWN from the agent");
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__ERROR:
        KLOG_ERROR(MOD, "ERROR from the agent: %s", ev->error->message);
        break;
    case MESOS__V1__EXECUTOR__EVENT__TYPE__HEARTBEAT:
        KLOG_DEBUG(MOD, "HEARTBEAT");
        break;
    default:
        KLOG_WARN(MOD, "event of unknown type %d: skipped", (int)ev->type);
        break;
    }
}

int kmesos_exec_core_on_event(kmesos_exec_core *c, const Mesos__V1__Executor__Event *ev)
{
    if (!ev->has_type || !exec_event_part(ev)) {
        KLOG_ERROR(MOD, "malformed %s event: %s",
                   ev->has_type ? exec_event_type_name(ev->type) : "untyped",
                   ev->has_type ? "its body is missing" : "no type");
        return -1;
    }
    if (ev->type != MESOS__V1__EXECUTOR__EVENT__TYPE__SUBSCRIBED && !c->subscribed &&
        ev->type != MESOS__V1__EXECUTOR__EVENT__TYPE__HEARTBEAT) {
        KLOG_ERROR(MOD, "%s event before SUBSCRIBED", exec_event_type_name(ev->type));
        return -1;
    }
    exec_dispatch(c, ev);
    return 0;
}

int kmesos_exec_core_on_record(kmesos_exec_core *c, const uint8_t *rec, size_t len)
{
    char err[256];
    ProtobufCMessage *m = kmesos_protocol_decode(&mesos__v1__executor__event__descriptor,
                                                 KMESOS_CT_PROTOBUF, rec, len, err, sizeof err);
    if (!m) {
        KLOG_ERROR(MOD, "undecodable event record of %zu bytes: %s", len, err);
        return -1;
    }
    int rc = kmesos_exec_core_on_event(c, (const Mesos__V1__Executor__Event *)m);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

/* ---- subscribe, disconnect, tick ---------------------------------------- */

int kmesos_exec_core_encode_subscribe(kmesos_exec_core *c, kmesos_buf *out)
{
    Mesos__V1__Executor__Call call;
    Mesos__V1__ExecutorID eid;
    Mesos__V1__FrameworkID fid;
    Mesos__V1__Executor__Call__Subscribe sub = MESOS__V1__EXECUTOR__CALL__SUBSCRIBE__INIT;
    exec_call_init(c, &call, &eid, &fid, MESOS__V1__EXECUTOR__CALL__TYPE__SUBSCRIBE);
    call.subscribe = &sub;
    size_t ntasks = 0;
    for (kmesos_exec_task *t = c->tasks; t; t = t->next)
        ntasks++;
    sub.unacknowledged_tasks = calloc(ntasks + 1, sizeof *sub.unacknowledged_tasks);
    Mesos__V1__Executor__Call__Update *upd = calloc(c->updates.count + 1, sizeof *upd);
    sub.unacknowledged_updates = calloc(c->updates.count + 1, sizeof *sub.unacknowledged_updates);
    int rc = -1;
    if (!sub.unacknowledged_tasks || !upd || !sub.unacknowledged_updates)
        goto out;
    for (kmesos_exec_task *t = c->tasks; t; t = t->next)
        if (!t->acked && t->info)
            sub.unacknowledged_tasks[sub.n_unacknowledged_tasks++] = t->info;
    for (kmesos_exec_update *e = c->updates.head; e; e = e->next) {
        mesos__v1__executor__call__update__init(&upd[sub.n_unacknowledged_updates]);
        upd[sub.n_unacknowledged_updates].status = e->status;
        sub.unacknowledged_updates[sub.n_unacknowledged_updates] = &upd[sub.n_unacknowledged_updates];
        sub.n_unacknowledged_updates++;
    }
    rc = kmesos_protocol_encode(&call.base, KMESOS_CT_PROTOBUF, out);
out:
    free(sub.unacknowledged_tasks);
    free(sub.unacknowledged_updates);
    free(upd);
    return rc;
}

void kmesos_exec_core_disconnected(kmesos_exec_core *c)
{
    c->subscribed = 0;
}

void kmesos_exec_core_tick(kmesos_exec_core *c)
{
    int64_t now = c->io.mono_ms(c->io.arg);
    if (c->subscribed)
        kmesos_exec_updates_resend_due(&c->updates, now, exec_resend_cb, c);
}

/* ---- from the io ------------------------------------------------------------ */

void kmesos_exec_core_task_ready(kmesos_exec_core *c, kmesos_exec_task *t, const char *what)
{
    if (!t->running || t->kill_requested || t->failure ||
        t->state != MESOS__V1__TASK_STATE__TASK_STARTING)
        return;
    exec_update(c, t, MESOS__V1__TASK_STATE__TASK_RUNNING, what, REASON_NONE);
}

void kmesos_exec_core_task_not_ready(kmesos_exec_core *c, kmesos_exec_task *t, const char *why)
{
    if (!t->running || t->kill_requested || t->failure)
        return;
    t->failure = strdup(why);
    KLOG_WARN(MOD, "task %s: %s", t->id, why);
    exec_kill_task(c, t, t->grace_ns);
}

void kmesos_exec_core_task_exited(kmesos_exec_core *c, kmesos_exec_task *t, int64_t exit_status,
                                  int term_signal)
{
    char msg[600];
    t->running = 0;
    t->proc = NULL;
    Mesos__V1__TaskState st = kmesos_exec_status_exit(
        exit_status, term_signal, t->kill_requested && !t->failure, t->failure, msg, sizeof msg);
    int reason = REASON_NONE;
    if (st == MESOS__V1__TASK_STATE__TASK_FAILED)
        reason = MESOS__V1__TASK_STATUS__REASON__REASON_COMMAND_EXECUTOR_FAILED;
    exec_update(c, t, st, msg, reason);
    exec_check_done(c);
}

/* SIGTERM..SIGKILL of a shutdown must end before the agent's own grace
 * period (after which it kills the executor): keep a second in hand. */
static int64_t exec_shutdown_cap(const kmesos_exec_core *c)
{
    int64_t g = c->cfg->shutdown_grace_ns;
    int64_t one_s = INT64_C(1000000000);
    return g > 2 * one_s ? g - one_s : g / 2;
}

static void exec_kill_all(kmesos_exec_core *c)
{
    int64_t cap = exec_shutdown_cap(c);
    for (kmesos_exec_task *t = c->tasks; t; t = t->next)
        if (t->running)
            exec_kill_task(c, t, t->grace_ns < cap ? t->grace_ns : cap);
}

void kmesos_exec_core_shutdown(kmesos_exec_core *c, const char *why)
{
    if (c->shutting_down || c->giving_up) {
        KLOG_INFO(MOD, "%s: already ending", why);
        return;
    }
    c->shutting_down = 1;
    KLOG_INFO(MOD, "%s: killing every task, then exiting", why);
    exec_kill_all(c);
    exec_check_done(c);
}

void kmesos_exec_core_give_up(kmesos_exec_core *c, const char *why)
{
    if (c->giving_up)
        return;
    c->giving_up = 1;
    KLOG_ERROR(MOD, "%s: killing every task, then exiting", why);
    exec_kill_all(c);
    exec_check_done(c);
}
