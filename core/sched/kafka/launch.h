/* launch: the TaskInfo of a broker or a client placed on an offer: an
 * ExecutorInfo running kmesos-executor, which runs the node's command
 * with the environment built here (docs/kafka.md lists it). */
#ifndef KMESOS_KAFKA_LAUNCH_H
#define KMESOS_KAFKA_LAUNCH_H

#include "sched/kafka/cluster.h"

/* Claims the broker's ports on the offer (pc) and records them in b
 * (client_port, controller_port). NULL: the ports are not there, or no
 * memory. */
Mesos__V1__TaskInfo *kmesos_kafka_broker_task_info(const kmesos_kafka *k, kmesos_broker *b,
                                                   const kmesos_task *t, const kmesos_offer *o,
                                                   kmesos_port_cursor *pc);
/* KAFKA_BOOTSTRAP_SERVERS: the running brokers now. NULL on no memory. */
Mesos__V1__TaskInfo *kmesos_kafka_client_task_info(const kmesos_kafka *k, const kmesos_client *c,
                                                   const kmesos_task *t, const kmesos_offer *o);

#endif
