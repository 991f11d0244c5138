/* node: the names and keys of the base that brokers and clients share
 * (node.h). A kind names its workloads ("broker-0", "producer-1"); the
 * restart queue keeps one int per node: a broker's id as it is, a
 * client's as (kind + 1) * (KMESOS_KAFKA_MAX_ID + 1) + id, so the two
 * ranges never meet and a key says its kind. */
#include "sched/kafka/node.h"

#include <stdio.h>
#include <stdlib.h>

#define NODE_KEY_BASE (KMESOS_KAFKA_MAX_ID + 1)

const char *kmesos_kafka_kind_name(kmesos_kafka_kind kind)
{
    switch (kind) {
    case KMESOS_KAFKA_PRODUCER: return "producer";
    case KMESOS_KAFKA_CONSUMER: return "consumer";
    default: return "broker";
    }
}

void kmesos_kafka_node_name(const kmesos_kafka_node *n, char *out, size_t len)
{
    snprintf(out, len, "%s-%d", kmesos_kafka_kind_name(n->kind), n->id);
}

void kmesos_kafka_node_clear(kmesos_kafka_node *n)
{
    free(n->last_failure);
    free(n->host);
    n->last_failure = n->host = NULL;
}

int kmesos_kafka_key(kmesos_kafka_kind kind, int id)
{
    return kind == KMESOS_KAFKA_BROKER ? id : ((int)kind + 1) * NODE_KEY_BASE + id;
}

int kmesos_kafka_key_split(int key, kmesos_kafka_kind *kind, int *id)
{
    if (key >= 0 && key < NODE_KEY_BASE) {
        *kind = KMESOS_KAFKA_BROKER;
        *id = key;
        return 0;
    }
    int k = key / NODE_KEY_BASE - 1;
    if (k != KMESOS_KAFKA_PRODUCER && k != KMESOS_KAFKA_CONSUMER)
        return -1;
    *kind = (kmesos_kafka_kind)k;
    *id = key % NODE_KEY_BASE;
    return 0;
}
