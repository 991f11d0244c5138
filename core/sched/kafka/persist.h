/* persist: the Kafka cluster's section of the scheduler's state document
 * ("kafka", added by main.c as a kmesos_state_section; the state store
 * knows nothing of Kafka):
 *   {"cluster_id": "...", "quorum_size": 0,
 *    "voters": [{"id", "host", "port"}], "brokers": [...], "clients": [...]}
 * (entries: broker.h, client.h). "clients" is optional, so sections
 * written before producers and consumers existed still load. */
#ifndef KMESOS_KAFKA_PERSIST_H
#define KMESOS_KAFKA_PERSIST_H
#include <stddef.h>

#include <jansson.h>

/* The section now (new reference); arg: the kmesos_kafka. NULL with err
 * when a node cannot be encoded or memory runs out. */
json_t *kmesos_kafka_state_save(void *arg, char *err, size_t errlen);
/* Loads a saved section into a fresh cluster (arg: the kmesos_kafka):
 * the cluster id, the voters, and the nodes with their workloads
 * registered (their saved tasks are restored after this). 0, or -1 with
 * err naming the bad entry's path ("kafka.brokers[2]: broker 5: cpus: ..."). */
int kmesos_kafka_state_load(void *arg, json_t *j, char *err, size_t errlen);

#endif
