/* mcall: the scheduler calls a subscribed framework makes, after the HTTP
 * checks of master.c. Validation follows Mesos 1.12's
 * validation::scheduler::call::validate. ACCEPT checks its offers first
 * (validation::offer: no duplicate, each outstanding and the framework's,
 * one allocation role, one agent): a failure makes every task of the call
 * TASK_LOST with REASON_INVALID_OFFERS (the offers named go back);
 * otherwise each LAUNCH task is checked (its TaskID and ExecutorID by
 * Mesos' ID rule, duplicate id, command or executor, the allocation roles
 * of its resources (mroles.c), resources) and handed to its agent, and
 * what the tasks did not use goes back with a refuse filter. RESERVE,
 * UNRESERVE, CREATE and DESTROY (mops.c) apply in the call's order. RECONCILE and KILL of a task the
 * master does not know answer as Master::reconcile does, by what the
 * master knows of the agent named (reconcile-unknown capture).
 * Master-made updates carry no uuid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "local/master/internal.h"
#include "local/util.h"

#define CALL(t) MESOS__V1__SCHEDULER__CALL__TYPE__##t

const char *klocal_mcall_validate(const Mesos__V1__Scheduler__Call *c)
{
    if (!c->has_type || c->type == CALL(UNKNOWN))
        return "Expecting 'type' to be present";
    if (c->type == CALL(SUBSCRIBE)) {
        if (!c->subscribe)
            return "Expecting 'subscribe' to be present";
        const Mesos__V1__FrameworkInfo *fi = c->subscribe->framework_info;
        const char *a = fi->id ? fi->id->value : "";
        const char *b = c->framework_id ? c->framework_id->value : "";
        return strcmp(a, b) ? "'framework_id' differs from 'subscribe.framework_info.id'" : NULL;
    }
    if (!c->framework_id)
        return "Expecting 'framework_id' to be present";
    switch (c->type) {
    case CALL(ACCEPT): return c->accept ? NULL : "Expecting 'accept' to be present";
    case CALL(DECLINE): return c->decline ? NULL : "Expecting 'decline' to be present";
    case CALL(ACCEPT_INVERSE_OFFERS):
        return c->accept_inverse_offers ? NULL : "Expecting 'accept_inverse_offers' to be present";
    case CALL(DECLINE_INVERSE_OFFERS):
        return c->decline_inverse_offers ? NULL
                                         : "Expecting 'decline_inverse_offers' to be present";
    case CALL(KILL): return c->kill ? NULL : "Expecting 'kill' to be present";
    case CALL(SHUTDOWN): return c->shutdown ? NULL : "Expecting 'shutdown' to be present";
    case CALL(ACKNOWLEDGE):
        if (!c->acknowledge)
            return "Expecting 'acknowledge' to be present";
        return c->acknowledge->uuid.len == 16 ? NULL : "Not a valid UUID";
    case CALL(RECONCILE): return c->reconcile ? NULL : "Expecting 'reconcile' to be present";
    case CALL(MESSAGE): return c->message ? NULL : "Expecting 'message' to be present";
    case CALL(REQUEST): return c->request ? NULL : "Expecting 'request' to be present";
    default: return NULL;
    }
}

/* ------------------------------------------------------------- ACCEPT */

static void mcall_task_error(klocal_fw *fw, const Mesos__V1__TaskInfo *ti, const char *msg)
{
    KLOG_WARN("master", "framework %s: task %s refused: %s", fw->id, ti->task_id->value, msg);
    klocal_mevent_status(fw, ti->task_id->value, ti->agent_id->value,
                         MESOS__V1__TASK_STATE__TASK_ERROR,
                         MESOS__V1__TASK_STATUS__REASON__REASON_TASK_INVALID, msg);
}

/* Resources the task needs: its own, plus its executor's if new. */
static void mcall_needs(klocal_fw *fw, klocal_magent *ma, const Mesos__V1__TaskInfo *ti,
                        klocal_res *need, int *new_exec)
{
    klocal_res_add_pb(need, ti->resources, ti->n_resources);
    *new_exec = ti->executor && !klocal_mbook_exec(fw, ma, ti->executor->executor_id->value);
    if (*new_exec)
        klocal_res_add_pb(need, ti->executor->resources, ti->executor->n_resources);
}

static const char *mcall_check_task(klocal_fw *fw, klocal_magent *ma,
                                    const Mesos__V1__TaskInfo *ti, const char *role, int *fits,
                                    char *buf, size_t len)
{
    const char *bad = klocal_util_id_error(ti->task_id->value, buf, len);
    if (bad)
        return bad;
    if (ti->executor && (bad = klocal_util_id_error(ti->executor->executor_id->value, buf, len)))
        return bad;
    klocal_mtask *old = klocal_mbook_task(fw, ti->task_id->value);
    if (old)
        return snprintf(buf, len, "Task has duplicate ID: %s", ti->task_id->value), buf;
    if (strcmp(ti->agent_id->value, klocal_agent_id(ma->agent)) != 0)
        return snprintf(buf, len, "Task uses invalid agent: %s", ti->agent_id->value), buf;
    if (!ti->command == !ti->executor)
        return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo "
               "present";
    return klocal_mroles_task(ti, role, fits, buf, len);
}

/* The launched task (and its new executor) remember the offer's role. */
static void mcall_set_role(klocal_fw *fw, klocal_magent *ma, const Mesos__V1__TaskInfo *ti,
                           const char *role)
{
    klocal_mtask *t = klocal_mbook_task(fw, ti->task_id->value);
    if (t && !t->role)
        t->role = klocal_util_xstrdup(role);
    klocal_mexec *x = ti->executor ? klocal_mbook_exec(fw, ma, ti->executor->executor_id->value)
                                   : NULL;
    if (x && !x->role)
        x->role = klocal_util_xstrdup(role);
}

static void mcall_launch(klocal_fw *fw, klocal_magent *ma, klocal_res *avail, const char *role,
                         const Mesos__V1__TaskInfo *ti)
{
    char buf[512];
    int fits = 1;
    const char *why = mcall_check_task(fw, ma, ti, role, &fits, buf, sizeof buf);
    if (why) {
        mcall_task_error(fw, ti, why);
        return;
    }
    klocal_res need;
    klocal_res_init(&need);
    int new_exec;
    mcall_needs(fw, ma, ti, &need, &new_exec);
    if (!fits || !klocal_res_contains(avail, &need)) {
        char *a = klocal_res_format(&need), *b = klocal_res_format(avail);
        snprintf(buf, sizeof buf,
                 "Total resources %s required by task and its executor is more than available "
                 "%s", a, b);
        free(a);
        free(b);
        mcall_task_error(fw, ti, buf);
    } else {
        klocal_res_subtract(avail, &need);
        klocal_mbook_launch(fw, ma, ti, &need, new_exec);
        mcall_set_role(fw, ma, ti, role);
        KLOG_INFO("master", "framework %s: launching task %s on %s", fw->id,
                  ti->task_id->value, klocal_agent_id(ma->agent));
        klocal_agent_launch(ma->agent, fw->info, ti);
    }
    klocal_res_free(&need);
}

/* Every LAUNCH task of the call: TASK_DROPPED (TASK_LOST when not
 * partition-aware) with reason and msg. */
static void mcall_drop_tasks(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Accept *acc,
                             int reason, const char *msg)
{
    int state = klocal_mbook_lost_state(fw, MESOS__V1__TASK_STATE__TASK_DROPPED);
    for (size_t i = 0; i < acc->n_operations; i++) {
        const Mesos__V1__Offer__Operation *op = acc->operations[i];
        if (op->type != MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH || !op->launch)
            continue;
        for (size_t k = 0; k < op->launch->n_task_infos; k++) {
            const Mesos__V1__TaskInfo *ti = op->launch->task_infos[k];
            klocal_mevent_status(fw, ti->task_id->value, ti->agent_id->value, state, reason,
                                 msg);
        }
    }
}

static void mcall_invalid_offers(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Accept *acc,
                                 const char *bad)
{
    char *msg = klocal_util_xasprintf("Task launched with invalid offers: %s", bad);
    mcall_drop_tasks(fw, acc, MESOS__V1__TASK_STATUS__REASON__REASON_INVALID_OFFERS, msg);
    free(msg);
}

/* --max-queued-launches: 1 (and every task dropped, the offers' resources
 * back) when the call's tasks would queue more starts than allowed. */
static int mcall_storm_refused(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Accept *acc)
{
    size_t n = 0, queued = klocal_hub_queued(fw->m->hub), max = fw->m->cfg->max_queued_launches;
    for (size_t i = 0; i < acc->n_operations; i++)
        if (acc->operations[i]->launch)
            n += acc->operations[i]->launch->n_task_infos;
    if (!n || queued + n <= max)
        return 0;
    char *msg = klocal_util_xasprintf("kmesos-local: %zu task starts are queued, %zu more would "
                                      "pass --max-queued-launches %zu: launch refused",
                                      queued, n, max);
    KLOG_WARN("master", "framework %s: %s", fw->id, msg);
    mcall_drop_tasks(fw, acc, MESOS__V1__TASK_STATUS__REASON__REASON_CONTAINER_LAUNCH_FAILED,
                     msg);
    free(msg);
    return 1;
}

/* validation::offer::validate of an ACCEPT's offers, pass by pass (no
 * duplicate, each outstanding, the framework's own, all allocated to one
 * role and on one agent): NULL, or why not (in buf). */
static const char *mcall_check_offers(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Accept *acc,
                                      char *buf, size_t len)
{
    size_t n = acc->n_offer_ids;
    if (!n)
        return "Offer (none) is no longer valid";
    klocal_offer **o = klocal_util_xcalloc(n, sizeof *o);
    const char *bad = NULL;
    for (size_t i = 0; i < n && !bad; i++)
        for (size_t k = 0; k < i && !bad; k++)
            if (strcmp(acc->offer_ids[i]->value, acc->offer_ids[k]->value) == 0)
                snprintf(buf, len, "Duplicate offer %s in offer list", acc->offer_ids[i]->value),
                    bad = buf;
    for (size_t i = 0; i < n && !bad; i++)
        if (!(o[i] = klocal_alloc_offer(fw->m, acc->offer_ids[i]->value)))
            snprintf(buf, len, "Offer %s is no longer valid", acc->offer_ids[i]->value), bad = buf;
    for (size_t i = 0; i < n && !bad; i++)
        if (o[i]->fw != fw)
            snprintf(buf, len, "Offer %s has invalid framework %s while framework %s is expected",
                     o[i]->id, o[i]->fw->id, fw->id), bad = buf;
    for (size_t i = 1; i < n && !bad; i++)
        if (strcmp(o[i]->role, o[0]->role) != 0)
            snprintf(buf, len, "Aggregated offers must be allocated to the same role. Offer %s "
                     "uses role '%s but another is using role '%s", o[i]->id, o[i]->role,
                     o[0]->role), bad = buf;
    for (size_t i = 1; i < n && !bad; i++)
        if (o[i]->agent != o[0]->agent)
            snprintf(buf, len, "Aggregated offers must belong to one single agent. Offer %s uses "
                     "agent %s and agent %s", o[i]->id, klocal_agent_id(o[i]->agent->agent),
                     klocal_agent_id(o[0]->agent->agent)), bad = buf;
    free(o);
    return bad;
}

/* Checks the call's offers, then takes those of fw out of the book into
 * avail (valid or not: they go back), with their agent and role
 * (malloc'd). The problem (in buf), or NULL. */
static const char *mcall_take_offers(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Accept *acc,
                                     klocal_res *avail, klocal_magent **agent, char **role,
                                     char *buf, size_t len)
{
    const char *bad = mcall_check_offers(fw, acc, buf, len);
    for (size_t i = 0; i < acc->n_offer_ids; i++) {
        klocal_offer *o = klocal_alloc_offer(fw->m, acc->offer_ids[i]->value);
        if (!o || o->fw != fw)
            continue;
        *agent = o->agent;
        if (!*role)
            *role = klocal_util_xstrdup(o->role);
        klocal_res_add(avail, &o->res);
        klocal_alloc_remove_offer(fw->m, o, 0);
    }
    return bad;
}

static int mcall_changes_resources(const Mesos__V1__Offer__Operation *op)
{
    return op->type == MESOS__V1__OFFER__OPERATION__TYPE__RESERVE ||
           op->type == MESOS__V1__OFFER__OPERATION__TYPE__UNRESERVE ||
           op->type == MESOS__V1__OFFER__OPERATION__TYPE__CREATE ||
           op->type == MESOS__V1__OFFER__OPERATION__TYPE__DESTROY;
}

static void mcall_accept(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Accept *acc)
{
    klocal_res avail;
    klocal_res_init(&avail);
    klocal_magent *ma = NULL;
    char *role = NULL, buf[512];
    const char *bad = mcall_take_offers(fw, acc, &avail, &ma, &role, buf, sizeof buf);
    if (bad) {
        mcall_invalid_offers(fw, acc, bad);
    } else if (!mcall_storm_refused(fw, acc)) {
        for (size_t i = 0; i < acc->n_operations; i++) {
            const Mesos__V1__Offer__Operation *op = acc->operations[i];
            if (mcall_changes_resources(op)) {
                klocal_mops_apply(fw, ma, role, &avail, op);
                continue;
            }
            if (op->type != MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH || !op->launch) {
                KLOG_WARN("master", "framework %s: offer operation %d is not supported", fw->id,
                          (int)op->type);
                continue;
            }
            for (size_t k = 0; k < op->launch->n_task_infos; k++)
                mcall_launch(fw, ma, &avail, role, op->launch->task_infos[k]);
        }
        double refuse = acc->filters ? acc->filters->refuse_seconds : 5.0;
        if (!klocal_res_empty(&avail))
            klocal_alloc_filter(fw, ma, &avail, refuse);
    }
    free(role);
    klocal_res_free(&avail);
}

/* ------------------------------------------------------ other calls */

static void mcall_decline(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Decline *d)
{
    double refuse = d->filters ? d->filters->refuse_seconds : 5.0;
    for (size_t i = 0; i < d->n_offer_ids; i++) {
        klocal_offer *o = klocal_alloc_offer(fw->m, d->offer_ids[i]->value);
        if (!o || o->fw != fw)
            continue;
        klocal_alloc_filter(fw, o->agent, &o->res, refuse);
        klocal_alloc_remove_offer(fw->m, o, 0);
    }
}

/* Master::reconcile for a task the master does not know (explicit
 * RECONCILE, or KILL of an unknown task): nothing while its agent (or,
 * without an agent id, any agent) is recovered from the registry and not
 * re-registered yet (--registry replicated_log); on a registered agent
 * TASK_GONE
 * "Task is unknown to the agent", on an unreachable one TASK_UNREACHABLE
 * "Task is unreachable" with its unreachable_time, else (no or an unknown
 * agent id, echoed when given) TASK_UNKNOWN "Task is unknown"; TASK_LOST
 * instead of each for a framework that is not PARTITION_AWARE. */
static void mcall_unknown_task(klocal_fw *fw, const char *task_id, const char *agent_id)
{
    if (klocal_mbook_recovered(fw->m, agent_id)) {
        KLOG_INFO("master", "framework %s: dropping the reconciliation of task %s: %s not yet "
                  "re-registered", fw->id, task_id, agent_id ? agent_id : "agents");
        return;
    }
    klocal_magent *ma = agent_id ? klocal_mbook_agent(fw->m, agent_id) : NULL;
    if (ma && (ma->unknown || strcmp(klocal_agent_id(ma->agent), agent_id) != 0))
        ma = NULL; /* an index is no agent id; a restarted master forgot it */
    int aware = !ma ? MESOS__V1__TASK_STATE__TASK_UNKNOWN
                : ma->unreachable ? MESOS__V1__TASK_STATE__TASK_UNREACHABLE
                                  : MESOS__V1__TASK_STATE__TASK_GONE;
    const char *msg = !ma ? "Reconciliation: Task is unknown"
                      : ma->unreachable ? "Reconciliation: Task is unreachable"
                                        : "Reconciliation: Task is unknown to the agent";
    Mesos__V1__TaskStatus *st = klocal_mevent_new_status(
        task_id, agent_id, klocal_mbook_lost_state(fw, aware),
        MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION, msg);
    if (ma && ma->unreachable) {
        st->unreachable_time = klocal_util_pb_new(&mesos__v1__time_info__descriptor);
        st->unreachable_time->nanoseconds = ma->unreachable_ns;
    }
    klocal_mevent_update(fw, st);
}

static void mcall_kill(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Kill *k)
{
    klocal_mtask *t = klocal_mbook_task(fw, k->task_id->value);
    if (t && k->agent_id && strcmp(k->agent_id->value, klocal_agent_id(t->agent->agent)) != 0) {
        KLOG_WARN("master", "framework %s: not killing task %s of agent %s: it belongs to agent "
                  "%s", fw->id, t->id, k->agent_id->value, klocal_agent_id(t->agent->agent));
        return; /* Master::kill ignores it */
    }
    if (t) {
        double grace = k->kill_policy && k->kill_policy->grace_period
                           ? (double)k->kill_policy->grace_period->nanoseconds / 1e9
                           : -1;
        if (!t->agent->removed && !kmesos_task_state_is_terminal(t->state))
            klocal_agent_kill_task(t->agent->agent, fw->id, t->id, grace);
        return;
    }
    mcall_unknown_task(fw, k->task_id->value, k->agent_id ? k->agent_id->value : NULL);
}

static void mcall_acknowledge(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Acknowledge *a)
{
    klocal_magent *ma = klocal_mbook_live_agent(fw->m, a->agent_id->value);
    if (ma)
        klocal_agent_acknowledge(ma->agent, fw->id, a->task_id->value, a->uuid.data,
                                 a->uuid.len);
}

static void mcall_send_latest(klocal_fw *fw, klocal_mtask *t)
{
    Mesos__V1__TaskStatus *st = t->last ? klocal_util_pb_dup(t->last)
                                        : klocal_util_pb_new(&mesos__v1__task_status__descriptor);
    if (!st->task_id)
        st->task_id = KLOCAL_ID(TaskID, task_id, t->id);
    st->state = t->state;
    if (!st->agent_id)
        st->agent_id = KLOCAL_ID(AgentID, agent_id, klocal_agent_id(t->agent->agent));
    free(st->message);
    st->message = klocal_util_xstrdup("Reconciliation: Latest task state");
    st->has_source = 1;
    st->source = MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER;
    st->has_reason = 1;
    st->reason = MESOS__V1__TASK_STATUS__REASON__REASON_RECONCILIATION;
    st->has_timestamp = 1;
    st->timestamp = klocal_util_now();
    if (st->has_uuid) {
        free(st->uuid.data);
        st->uuid.data = NULL;
        st->uuid.len = 0;
        st->has_uuid = 0;
    }
    klocal_mevent_update(fw, st);
}

static void mcall_reconcile(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Reconcile *r)
{
    if (!r->n_tasks) {
        for (klocal_mtask *t = fw->tasks; t; t = t->next)
            mcall_send_latest(fw, t);
        return;
    }
    for (size_t i = 0; i < r->n_tasks; i++) {
        const Mesos__V1__Scheduler__Call__Reconcile__Task *rt = r->tasks[i];
        klocal_mtask *t = klocal_mbook_task(fw, rt->task_id->value);
        if (t)
            mcall_send_latest(fw, t);
        else
            mcall_unknown_task(fw, rt->task_id->value, rt->agent_id ? rt->agent_id->value : NULL);
    }
}

static void mcall_shutdown(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Shutdown *s)
{
    klocal_magent *ma = klocal_mbook_live_agent(fw->m, s->agent_id->value);
    if (ma)
        klocal_agent_shutdown_executor(ma->agent, fw->id, s->executor_id->value);
}

static void mcall_message(klocal_fw *fw, const Mesos__V1__Scheduler__Call__Message *msg)
{
    klocal_magent *ma = klocal_mbook_live_agent(fw->m, msg->agent_id->value);
    if (ma)
        klocal_agent_message(ma->agent, fw->id, msg->executor_id->value, msg->data.data,
                             msg->data.len);
}

void klocal_mcall_handle(klocal_fw *fw, const Mesos__V1__Scheduler__Call *c)
{
    KLOG_DEBUG("master", "framework %s: %s", fw->id, kmesos_sched_call_type_name(c->type));
    switch (c->type) {
    case CALL(TEARDOWN): klocal_life_remove_fw(fw); break;
    case CALL(ACCEPT): mcall_accept(fw, c->accept); break;
    case CALL(DECLINE): mcall_decline(fw, c->decline); break;
    case CALL(REVIVE):
        fw->suppressed = 0;
        klocal_alloc_free_filters(fw);
        klocal_alloc_run(fw->m);
        break;
    case CALL(SUPPRESS): fw->suppressed = 1; break;
    case CALL(KILL): mcall_kill(fw, c->kill); break;
    case CALL(SHUTDOWN): mcall_shutdown(fw, c->shutdown); break;
    case CALL(ACKNOWLEDGE): mcall_acknowledge(fw, c->acknowledge); break;
    case CALL(RECONCILE): mcall_reconcile(fw, c->reconcile); break;
    case CALL(MESSAGE): mcall_message(fw, c->message); break;
    default: break; /* REQUEST, inverse offers, ...: accepted, nothing to do */
    }
}
