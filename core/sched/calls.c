/* calls: the scheduler Calls we send, built as protobuf-c heap trees.
 *
 * One builder per call type (ACCEPT with one LAUNCH operation, after
 * operations such as RESERVE and CREATE, or with these alone; DECLINE
 * with Filters.refuse_seconds, ACKNOWLEDGE, RECONCILE explicit or
 * implicit, KILL, and the argument-less ones: REVIVE, SUPPRESS with an
 * explicit empty Suppress as a real master session sends it). Every
 * builder returns NULL when memory runs out, freeing what it built so
 * far (and the TaskInfos it was given to own), so the caller has one
 * thing to check and one kmesos_pb_free to call. framework_id stays
 * unset: the session fills it in when the call is sent. */
#include "sched/calls.h"

#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"

kmesos_call *kmesos_call_simple(Mesos__V1__Scheduler__Call__Type type)
{
    kmesos_call *c = kmesos_pb_new(&mesos__v1__scheduler__call__descriptor);
    if (c) {
        c->has_type = 1;
        c->type = type;
    }
    /* an explicit empty Suppress (all roles), as sent in the recorded session */
    if (c && type == MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS &&
        !(c->suppress = kmesos_pb_new(&mesos__v1__scheduler__call__suppress__descriptor))) {
        kmesos_pb_free(c);
        return NULL;
    }
    return c;
}

static Mesos__V1__Filters *filters(double refuse_seconds)
{
    Mesos__V1__Filters *f = kmesos_pb_new(&mesos__v1__filters__descriptor);
    if (f && refuse_seconds >= 0) {
        f->has_refuse_seconds = 1;
        f->refuse_seconds = refuse_seconds;
    }
    return f;
}

static int push_ids(Mesos__V1__OfferID ***arr, size_t *n, const char *const *ids, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (kmesos_pb_push((void ***)arr, n, kmesos_pb_id(&mesos__v1__offer_id__descriptor,
                                                          ids[i])) != 0)
            return -1;
    return 0;
}

static kmesos_call *calls_fail(kmesos_call *c)
{
    kmesos_pb_free(c);
    return NULL;
}

static void free_infos(Mesos__V1__TaskInfo **infos, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kmesos_pb_free(infos[i]);
}

kmesos_call *kmesos_call_accept(const char *offer_id, Mesos__V1__TaskInfo **infos, size_t n,
                                double refuse_seconds)
{
    return kmesos_call_accept_ops(offer_id, NULL, 0, infos, n, refuse_seconds);
}

static void free_ops(Mesos__V1__Offer__Operation **ops, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kmesos_pb_free(ops[i]);
}

/* The LAUNCH operation of infos (owned; freed on failure). */
static Mesos__V1__Offer__Operation *launch_op(Mesos__V1__TaskInfo **infos, size_t n)
{
    Mesos__V1__Offer__Operation *op = kmesos_pb_new(&mesos__v1__offer__operation__descriptor);
    Mesos__V1__Offer__Operation__Launch *l =
        kmesos_pb_new(&mesos__v1__offer__operation__launch__descriptor);
    Mesos__V1__TaskInfo **copy = n ? malloc(n * sizeof *copy) : NULL;
    if (!op || !l || (n && !copy)) {
        free_infos(infos, n);
        free(copy);
        free(l);
        free(op);
        return NULL;
    }
    memcpy(copy, infos, n * sizeof *copy);
    l->task_infos = copy;
    l->n_task_infos = n;
    op->has_type = 1;
    op->type = MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH;
    op->launch = l;
    return op;
}

kmesos_call *kmesos_call_accept_ops(const char *offer_id, Mesos__V1__Offer__Operation **ops,
                                    size_t n_ops, Mesos__V1__TaskInfo **infos, size_t n,
                                    double refuse_seconds)
{
    kmesos_call *c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT);
    Mesos__V1__Scheduler__Call__Accept *a =
        kmesos_pb_new(&mesos__v1__scheduler__call__accept__descriptor);
    if (c)
        c->accept = a;
    if (!c || !a) {
        free_infos(infos, n);
        free_ops(ops, n_ops);
        return calls_fail(c);
    }
    size_t i = 0;
    for (; i < n_ops; i++)
        if (kmesos_pb_push((void ***)&a->operations, &a->n_operations, ops[i]) != 0)
            break;
    if (i < n_ops) {
        free_ops(ops + i + 1, n_ops - i - 1);
        free_infos(infos, n);
        return calls_fail(c);
    }
    Mesos__V1__Offer__Operation *op = n || !n_ops ? launch_op(infos, n) : NULL;
    if (((n || !n_ops) && !op) ||
        (op && kmesos_pb_push((void ***)&a->operations, &a->n_operations, op) != 0) ||
        push_ids(&a->offer_ids, &a->n_offer_ids, &offer_id, 1) != 0 ||
        !(a->filters = filters(refuse_seconds)))
        return calls_fail(c);
    return c;
}

kmesos_call *kmesos_call_decline(const char *const *offer_ids, size_t n, double refuse_seconds)
{
    kmesos_call *c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE);
    if (!c || !(c->decline = kmesos_pb_new(&mesos__v1__scheduler__call__decline__descriptor)))
        return calls_fail(c);
    if (push_ids(&c->decline->offer_ids, &c->decline->n_offer_ids, offer_ids, n) != 0 ||
        !(c->decline->filters = filters(refuse_seconds)))
        return calls_fail(c);
    return c;
}

kmesos_call *kmesos_call_decline_inverse(const char *const *offer_ids, size_t n)
{
    kmesos_call *c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE_INVERSE_OFFERS);
    Mesos__V1__Scheduler__Call__DeclineInverseOffers *d =
        c ? kmesos_pb_new(&mesos__v1__scheduler__call__decline_inverse_offers__descriptor) : NULL;
    if (!d)
        return calls_fail(c);
    c->decline_inverse_offers = d;
    if (push_ids(&d->inverse_offer_ids, &d->n_inverse_offer_ids, offer_ids, n) != 0)
        return calls_fail(c);
    return c;
}

kmesos_call *kmesos_call_acknowledge(const char *agent_id, const char *task_id,
                                     const uint8_t *uuid, size_t uuid_len)
{
    kmesos_call *c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE);
    Mesos__V1__Scheduler__Call__Acknowledge *a =
        c ? kmesos_pb_new(&mesos__v1__scheduler__call__acknowledge__descriptor) : NULL;
    if (!a)
        return calls_fail(c);
    c->acknowledge = a;
    a->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent_id);
    a->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task_id);
    a->uuid.data = malloc(uuid_len ? uuid_len : 1);
    if (!a->agent_id || !a->task_id || !a->uuid.data)
        return calls_fail(c);
    memcpy(a->uuid.data, uuid, uuid_len);
    a->uuid.len = uuid_len;
    return c;
}

static int push_reconcile_task(Mesos__V1__Scheduler__Call__Reconcile *r, const char *task_id,
                               const char *agent_id)
{
    Mesos__V1__Scheduler__Call__Reconcile__Task *t =
        kmesos_pb_new(&mesos__v1__scheduler__call__reconcile__task__descriptor);
    if (kmesos_pb_push((void ***)&r->tasks, &r->n_tasks, t) != 0)
        return -1;
    t->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task_id);
    if (agent_id)
        t->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent_id);
    return t->task_id && (!agent_id || t->agent_id) ? 0 : -1;
}

kmesos_call *kmesos_call_reconcile(const char *const *task_ids, const char *const *agent_ids,
                                   size_t n)
{
    kmesos_call *c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE);
    if (!c || !(c->reconcile = kmesos_pb_new(&mesos__v1__scheduler__call__reconcile__descriptor)))
        return calls_fail(c);
    for (size_t i = 0; i < n; i++)
        if (push_reconcile_task(c->reconcile, task_ids[i], agent_ids ? agent_ids[i] : NULL) != 0)
            return calls_fail(c);
    return c;
}

kmesos_call *kmesos_call_kill(const char *task_id, const char *agent_id)
{
    kmesos_call *c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__KILL);
    if (!c || !(c->kill = kmesos_pb_new(&mesos__v1__scheduler__call__kill__descriptor)))
        return calls_fail(c);
    c->kill->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task_id);
    if (agent_id)
        c->kill->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent_id);
    if (!c->kill->task_id || (agent_id && !c->kill->agent_id))
        return calls_fail(c);
    return c;
}
