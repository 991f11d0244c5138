/* lifecycle: one lifecycle for every kind of node (brokers, producers,
 * consumers) on top of the scheduler's workloads: add, update, remove,
 * start, stop, and the workload each node is. A node is one workload
 * "<kind>-<id>" with one instance while it is active, rebuilt from the
 * node's settings when they change, so a change takes effect at the
 * node's next launch. A broker's restart rule is always, a client's
 * on-failure (one that exits 0 is done). Every command checks everything
 * first and changes nothing on error: -1 with a message and the name of
 * the bad field in *field. The ids given must exist (the API checked
 * them), except for add, where they must not. */
#ifndef KMESOS_KAFKA_LIFECYCLE_H
#define KMESOS_KAFKA_LIFECYCLE_H
#include <stddef.h>

#include "sched/kafka/cluster.h"

int kmesos_kafka_add(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                     const kmesos_kafka_params *p, const char **field, char *err,
                     size_t errlen);
/* Adds nodes ids[] of kind with the settings of node `from` (but a
 * broker's advertised_host and data_dir, which are that broker's own:
 * the clones get their defaults), then the
 * parameters applied over them. The same checks and answers as add; a
 * missing `from` is refused naming the kind. */
int kmesos_kafka_clone(kmesos_kafka *k, kmesos_kafka_kind kind, int from, const int *ids,
                       size_t n, const kmesos_kafka_params *p, const char **field, char *err,
                       size_t errlen);
int kmesos_kafka_update(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                        const kmesos_kafka_params *p, const char **field, char *err,
                        size_t errlen);
/* Refused while a node is active or its task may still run, and for a
 * voter of the controller quorum. purge: a broker's reserved volume is
 * destroyed and unreserved (reserve.h); without it, it stays reserved. */
int kmesos_kafka_remove(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                        int purge, const char **field, char *err, size_t errlen);
/* The checks of remove alone (nothing changes): 0, or -1 with err. */
int kmesos_kafka_remove_check(const kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids,
                              size_t n, char *err, size_t errlen);
/* Activates (a done client runs again: start means "run it now"). */
int kmesos_kafka_start(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                       char *err, size_t errlen);
/* Deactivates (the task is killed) and leaves the restart queue. */
int kmesos_kafka_stop(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                      char *err, size_t errlen);

/* The node's workload as its settings are now (the caller owns it):
 * a broker prefers a voter's host, or the host it ran on within its
 * stickiness period; a client prefers the running brokers' hosts. NULL
 * on no memory. */
kmesos_workload *kmesos_kafka_workload(const kmesos_kafka *k, kmesos_kafka_node *n);
/* Gives the scheduler the node's workload as it is now (and clears
 * refresh_due). Not from inside a scheduler hook: mark refresh_due
 * there. 0 or -1. */
int kmesos_kafka_refresh(kmesos_kafka *k, kmesos_kafka_node *n);
/* 1 when the node's task t is pending and its workload prefers hosts it
 * should not any more: a broker's stickiness ran out, the running
 * brokers moved (clients). */
int kmesos_kafka_stale(const kmesos_kafka *k, const kmesos_kafka_node *n, const kmesos_task *t);

#endif
