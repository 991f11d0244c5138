/* hooks: the scheduler's ext hooks for Kafka nodes, the periodic work and
 * the rolling restart (hooks.h). Every workload a node owns has ext =
 * the node, so a hook finds the node, and its broker or client by the
 * kind. The hooks never call back into the scheduler while it handles
 * an event: what an update asks for (rebuild a node's workload, move the
 * rolling restart on) is marked on the node (refresh_due) or the cluster
 * (restart_step_due) and done in settle, which the scheduler calls once
 * the event is over. The rolling restart is a queue of node keys
 * (node.h) with one current key: the current node's task is killed (and
 * relaunched at once by the scheduler); once its old task ended and the
 * node is TASK_RUNNING again, or finished, or is no longer active, the
 * next running node in the queue is killed. */
#include "sched/kafka/hooks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/log.h"
#include "codec/protocol.h"
#include "codec/str.h"
#include "sched/kafka/launch.h"
#include "sched/kafka/lifecycle.h"
#include "sched/kafka/quorum.h"
#include "sched/kafka/reserve.h"

#define MOD "kafka"

/* ---- placement -------------------------------------------------------------------------- */

static void hooks_gate(void *arg, const kmesos_task *t, const kmesos_offer *o,
                       const kmesos_port_cursor *pc, kmesos_verdict *v)
{
    kmesos_kafka *k = arg;
    kmesos_broker *b = kmesos_broker_of(t->workload->ext);
    if (b) {
        kmesos_kafka_broker_gate(k, b, o, pc, v);
        if (v->kind == KMESOS_VERDICT_ACCEPT && kmesos_broker_reserves(&b->set))
            kmesos_kafka_reserve_gate(k, b, o, v);
        return;
    }
    const char *hosts[1];
    if (kmesos_kafka_broker_hosts(k, hosts, 1) > 0)
        return;
    v->kind = KMESOS_VERDICT_WAIT;
    snprintf(v->reason, sizeof v->reason,
             "waiting for a RUNNING broker (%s %s needs KAFKA_BOOTSTRAP_SERVERS)",
             t->workload->kind, t->workload->name);
}

static Mesos__V1__TaskInfo *hooks_task_info(void *arg, const kmesos_task *t,
                                            const kmesos_offer *o, kmesos_port_cursor *pc)
{
    const kmesos_kafka *k = arg;
    const kmesos_kafka_node *n = t->workload->ext;
    kmesos_broker *b = kmesos_broker_of(n);
    return b ? kmesos_kafka_broker_task_info(k, b, t, o, pc)
             : kmesos_kafka_client_task_info(k, kmesos_client_of(n), t, o);
}

static int hooks_operations(void *arg, const kmesos_task *t, const kmesos_offer *o,
                            Mesos__V1__Offer__Operation ***ops, size_t *n)
{
    kmesos_broker *b = kmesos_broker_of(t->workload->ext);
    return b ? kmesos_kafka_reserve_ops(arg, b, o, ops, n) : 0;
}

static int hooks_offer_operations(void *arg, const kmesos_offer *o,
                                  Mesos__V1__Offer__Operation ***ops, size_t *n)
{
    return kmesos_kafka_purge_ops(arg, o, ops, n);
}

static int hooks_wants_offers(void *arg)
{
    const kmesos_kafka *k = arg;
    return k->n_purge > 0;
}

static void hooks_on_operation(void *arg, const char *op_id, int ok, const char *message)
{
    kmesos_kafka_reserve_status(arg, op_id, ok, message);
}

static int hooks_endpoint(void *arg, const kmesos_task *t, char *buf, size_t n)
{
    (void)arg;
    const kmesos_broker *b = kmesos_broker_of(t->workload->ext);
    return b ? kmesos_kafka_endpoint_of(b, t, buf, n) : 0; /* a client serves nothing */
}

/* ---- status updates --------------------------------------------------------------------- */

static void hooks_running(kmesos_kafka *k, kmesos_kafka_node *n, kmesos_task *t)
{
    kmesos_broker *b = kmesos_broker_of(n);
    if (b) {
        n->failures = 0;
        b->stopped_at_s = 0;
        if (t->agent_id)
            kmesos_str_set(&b->agent_id, t->agent_id);
        kmesos_kafka_voter_moved(k, n->id, t->agent_id, t->hostname);
    } else {
        /* a client is RUNNING as soon as its command starts (no readiness
         * check), so RUNNING alone proves nothing: the failures in a row
         * go on counting until it finishes or has run for its
         * failover_delay (kmesos_kafka_tick) */
        t->failures = n->failures;
        kmesos_client_of(n)->running_since_ms = kmesos_kafka_now_ms(k);
    }
    if (t->hostname)
        kmesos_str_set(&n->host, t->hostname);
    kmesos_kafka_changed(k);
    if (k->restart_current == kmesos_kafka_key(n->kind, n->id))
        k->restart_step_due = 1;
}

static void hooks_ended(kmesos_kafka *k, kmesos_kafka_node *n, const kmesos_task *t, int state,
                        const char *message, kmesos_update_result r)
{
    kmesos_broker *b = kmesos_broker_of(n);
    char who[48];
    snprintf(who, sizeof who, "%s %d", kmesos_kafka_kind_name(n->kind), n->id);
    if (b)
        b->stopped_at_s = kmesos_kafka_now_s(k);
    if (b && state == MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR && n->host) {
        /* its agent was marked gone by an operator, and the data dir with
         * it: no stickiness. A plain TASK_GONE says only that this task is
         * gone (a reconciliation of a task its live agent no longer has
         * answers it): the data may well be there. */
        KLOG_INFO(MOD, "%s: agent %s (%s) is gone; it may start anywhere now", who,
                  b->agent_id ? b->agent_id : "?", n->host);
        kmesos_str_set(&b->agent_id, NULL);
        kmesos_str_set(&n->host, NULL);
    }
    int failed = kmesos_ks_failover(t, state, message, r, t->workload->max_failures,
                                    &n->failures, &n->last_failure, &n->active, who);
    if (!b && !failed && state == MESOS__V1__TASK_STATE__TASK_FINISHED) {
        n->failures = 0;
        KLOG_INFO(MOD, "%s finished", who);
    }
    /* a broker's stickiness starts; a deactivated node has no instance */
    if (b || failed == 2)
        n->refresh_due = 1;
    if (k->restart_current == kmesos_kafka_key(n->kind, n->id)) {
        k->restart_seen_down = 1;
        if (t->phase == KMESOS_PHASE_DONE)
            k->restart_step_due = 1; /* finished (or given up): the next one */
    }
    kmesos_kafka_changed(k);
}

static void hooks_on_update(void *arg, kmesos_task *t, int state, const char *message,
                            kmesos_update_result r)
{
    kmesos_kafka *k = arg;
    kmesos_kafka_node *n = t->workload->ext;
    if (r == KMESOS_UPDATE_ACTIVE && state == MESOS__V1__TASK_STATE__TASK_RUNNING)
        hooks_running(k, n, t);
    else if (r == KMESOS_UPDATE_RELAUNCH || r == KMESOS_UPDATE_DONE)
        hooks_ended(k, n, t, state, message, r);
}

/* ---- rolling restart --------------------------------------------------------------------- */

/* 1 when the restart of the current node is over: it is back
 * (TASK_RUNNING again, or finished) after its old task ended, or it was
 * stopped, removed or deactivated meanwhile. */
static int restart_back(const kmesos_kafka *k)
{
    kmesos_kafka_kind kind;
    int id;
    if (kmesos_kafka_key_split(k->restart_current, &kind, &id) != 0)
        return 1;
    const kmesos_kafka_node *n = kmesos_kafka_node_find(k, kind, id);
    if (!n || !n->active)
        return 1;
    const kmesos_task *t = kmesos_kafka_task(k, n);
    if (!t || !k->restart_seen_down ||
        (!kmesos_kafka_running(t) && t->phase != KMESOS_PHASE_DONE))
        return 0;
    KLOG_INFO(MOD, "rolling restart: %s %d is back (%s)", kmesos_kafka_kind_name(kind), id,
              t->phase == KMESOS_PHASE_DONE ? "finished" : "TASK_RUNNING");
    return 1;
}

/* Kills the running task of the node of key for a restart. 0, or -1
 * when there is no such task (skipped). */
static int restart_begin(kmesos_kafka *k, int key)
{
    kmesos_kafka_kind kind;
    int id;
    if (kmesos_kafka_key_split(key, &kind, &id) != 0)
        return -1;
    kmesos_kafka_node *n = kmesos_kafka_node_find(k, kind, id);
    kmesos_task *t = n && n->active ? kmesos_kafka_task(k, n) : NULL;
    if (!kmesos_kafka_running(t))
        return -1;
    kmesos_kafka_refresh(k, n); /* settings changed since take effect now */
    KLOG_INFO(MOD, "rolling restart: restarting %s %d (%s)", kmesos_kafka_kind_name(kind), id,
              t->id);
    return kmesos_scheduler_restart_task(k->sched, t);
}

/* Moves the rolling restart on: the current one back -> kill the next. */
static void restart_step(kmesos_kafka *k)
{
    k->restart_step_due = 0;
    if (k->restart_current >= 0) {
        if (!restart_back(k))
            return;
        k->restart_current = -1;
    }
    while (k->n_restart > 0) {
        int key = k->restart[0];
        memmove(k->restart, k->restart + 1, (k->n_restart - 1) * sizeof *k->restart);
        k->n_restart--;
        if (restart_begin(k, key) == 0) {
            k->restart_current = key;
            k->restart_seen_down = 0;
            return;
        }
    }
}

int kmesos_kafka_restart(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                         int **out, size_t *n_out, char *err, size_t errlen)
{
    int *q = calloc(n ? n : 1, sizeof *q);
    int *grown = realloc(k->restart, (k->n_restart + n + 1) * sizeof *grown);
    if (grown)
        k->restart = grown;
    if (!q || !grown) {
        free(q);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const kmesos_kafka_node *node = kmesos_kafka_node_find(k, kind, ids[i]);
        if (!node->active || !kmesos_kafka_running(kmesos_kafka_task(k, node)))
            continue;
        int key = kmesos_kafka_key(kind, node->id), queued = key == k->restart_current;
        q[m++] = node->id;
        for (size_t j = 0; j < k->n_restart; j++)
            queued |= k->restart[j] == key;
        if (!queued)
            k->restart[k->n_restart++] = key;
    }
    *out = q;
    *n_out = m;
    restart_step(k);
    return 0;
}

/* ---- after events, and every second ------------------------------------------------------ */

static void hooks_settle(void *arg)
{
    kmesos_kafka *k = arg;
    for (size_t i = 0; i < k->n_nodes; i++)
        if (k->nodes[i]->refresh_due)
            kmesos_kafka_refresh(k, k->nodes[i]);
    if (k->restart_step_due)
        restart_step(k);
}

void kmesos_kafka_tick(kmesos_kafka *k)
{
    uint64_t now = kmesos_kafka_now_ms(k);
    restart_step(k);
    for (size_t i = 0; i < k->n_nodes; i++) {
        kmesos_kafka_node *n = k->nodes[i];
        kmesos_task *t = kmesos_kafka_task(k, n);
        if (kmesos_kafka_stale(k, n, t))
            kmesos_kafka_refresh(k, n);
        /* a client RUNNING for its failover_delay: recovered, the count
         * starts over */
        const kmesos_client *c = kmesos_client_of(n);
        if (c && n->failures && kmesos_kafka_running(t) &&
            now - c->running_since_ms >= kmesos_num_ms(c->set.failover_delay_s)) {
            n->failures = t->failures = 0;
            kmesos_kafka_changed(k);
        }
    }
}

void kmesos_kafka_attach(kmesos_kafka *k)
{
    k->sched->ext = (kmesos_scheduler_ext){k,
                                           hooks_gate,
                                           hooks_task_info,
                                           hooks_on_update,
                                           hooks_endpoint,
                                           hooks_settle,
                                           hooks_operations,
                                           hooks_offer_operations,
                                           hooks_wants_offers,
                                           hooks_on_operation};
}
