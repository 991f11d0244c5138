/* reserve: brokers on reserved resources and persistent volumes (docs/kafka.md,
 * "Reserved resources and persistent volumes"). A broker with reserve=true
 * first launches with RESERVE (its cpus, mem and volume_size of disk, for
 * the framework's role and principal) and CREATE (a volume mounted at
 * kafka-data in its sandbox, its log dir) in the same ACCEPT; from then
 * on it launches only on offers of that agent that carry them, without
 * new operations. A removed broker's volume is destroyed and unreserved on
 * the next offer of its agent that carries it (remove with purge). An
 * operation the master refuses stops the broker from launching, with the
 * master's message in its volume's error (broker list). */
#ifndef KMESOS_KAFKA_RESERVE_H
#define KMESOS_KAFKA_RESERVE_H
#include <stddef.h>

#include "sched/kafka/cluster.h"

/* After the broker's own gate accepted: the reservation's rules. */
void kmesos_kafka_reserve_gate(kmesos_kafka *k, kmesos_broker *b, const kmesos_offer *o,
                               kmesos_verdict *v);
/* Makes ti run on the broker's reserved resources and volume, planning
 * them on o's agent at the first launch. 0 or -1. */
int kmesos_kafka_reserve_task(const kmesos_kafka *k, kmesos_broker *b, const kmesos_offer *o,
                              Mesos__V1__TaskInfo *ti);
/* The RESERVE and CREATE the launch planned (none on a relaunch). 0 or -1
 * (no memory: the plan is dropped). */
int kmesos_kafka_reserve_ops(kmesos_kafka *k, kmesos_broker *b, const kmesos_offer *o,
                             Mesos__V1__Offer__Operation ***ops, size_t *n);
/* DESTROY and UNRESERVE of the purged volumes offer o carries. 0 or -1. */
int kmesos_kafka_purge_ops(kmesos_kafka *k, const kmesos_offer *o,
                           Mesos__V1__Offer__Operation ***ops, size_t *n);
/* Keeps the broker's volume for purging (remove with purge). 0 or -1. */
int kmesos_kafka_purge(kmesos_kafka *k, kmesos_broker *b);
/* The volumes still to purge as the state's "purge" list (NULL: no
 * memory), and its inverse (j NULL: none). 0, or -1 with err. */
json_t *kmesos_kafka_purge_json(const kmesos_kafka *k);
int kmesos_kafka_purge_load(kmesos_kafka *k, json_t *j, char *err, size_t errlen);
/* An operation's outcome (ids "kafka-broker-<id>-<op>-<n>", a purge's
 * "kafka-purge-<op>-<n>": a refusal is logged). */
void kmesos_kafka_reserve_status(kmesos_kafka *k, const char *op_id, int ok, const char *message);
/* The settings checks: reserve=true needs a framework role other than *. */
int kmesos_kafka_reserve_check(const kmesos_kafka *k, const kmesos_broker_settings *s,
                               const char **field, char *err, size_t errlen);

#endif
