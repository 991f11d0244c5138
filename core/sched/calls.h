/* calls: builders of the scheduler Calls we send, one per type, each a
 * heap tree freed with kmesos_pb_free. framework_id is filled in by the
 * session when the call is sent. */
#ifndef KMESOS_CALLS_H
#define KMESOS_CALLS_H
#include <stddef.h>
#include <stdint.h>

#include "mesos/v1/scheduler/scheduler.pb-c.h"

typedef Mesos__V1__Scheduler__Call kmesos_call;

/* ACCEPT one offer with LAUNCH of the given TaskInfos (ownership taken). */
kmesos_call *kmesos_call_accept(const char *offer_id, Mesos__V1__TaskInfo **infos, size_t n,
                                double refuse_seconds);
/* ACCEPT one offer with ops (RESERVE, CREATE, DESTROY, UNRESERVE...) in
 * that order, then LAUNCH of infos when n > 0 (ownership of both taken). */
kmesos_call *kmesos_call_accept_ops(const char *offer_id, Mesos__V1__Offer__Operation **ops,
                                    size_t n_ops, Mesos__V1__TaskInfo **infos, size_t n,
                                    double refuse_seconds);
kmesos_call *kmesos_call_decline(const char *const *offer_ids, size_t n, double refuse_seconds);
kmesos_call *kmesos_call_decline_inverse(const char *const *offer_ids, size_t n);
kmesos_call *kmesos_call_acknowledge(const char *agent_id, const char *task_id,
                                     const uint8_t *uuid, size_t uuid_len);
/* Explicit reconciliation of n tasks (agent ids may be NULL); n == 0 is
 * the implicit form (all tasks). */
kmesos_call *kmesos_call_reconcile(const char *const *task_ids, const char *const *agent_ids,
                                   size_t n);
kmesos_call *kmesos_call_kill(const char *task_id, const char *agent_id);
kmesos_call *kmesos_call_simple(Mesos__V1__Scheduler__Call__Type type);

#endif
