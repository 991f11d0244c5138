/* hooks: the Kafka cluster as the scheduler core sees it, through its ext
 * hooks (kmesos_scheduler_ext): whether a node's task may go on an offer,
 * its TaskInfo, what a status update means for the node (failover
 * bookkeeping, deactivation, stickiness), the endpoint a broker serves,
 * and the work an update leaves for after the event (settle). Also the
 * periodic work and the rolling restart, whose queue this module alone
 * drives: brokers and clients share it, one task at a time, the next
 * killed once the previous is TASK_RUNNING again (or, for a client, has
 * finished). */
#ifndef KMESOS_KAFKA_HOOKS_H
#define KMESOS_KAFKA_HOOKS_H
#include <stddef.h>

#include "sched/kafka/cluster.h"

/* Sets the scheduler's ext hooks to this cluster's. */
void kmesos_kafka_attach(kmesos_kafka *k);
/* Queues the running ones among ids for the rolling restart and moves it
 * on; writes their ids to out/n_out (free it). 0, or -1 with err. */
int kmesos_kafka_restart(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                         int **out, size_t *n_out, char *err, size_t errlen);
/* Periodic: rolling restart progress, stickiness running out, pending
 * clients following the running brokers' hosts, a client's failure
 * count starting over once it ran for its failover_delay. */
void kmesos_kafka_tick(kmesos_kafka *k);

#endif
