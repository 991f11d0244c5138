/* node: what a Kafka broker, a producer and a consumer have in common,
 * as the base both kmesos_broker (broker.h) and kmesos_client (client.h)
 * begin with: the kind tag, the id (unique within its kind), whether the
 * operator wants it running (active), and what the scheduler learnt of
 * it (consecutive failures, the last failure, the host it ran on). Each
 * node is one workload "<kind>-<id>" of the scheduler whose ext points at
 * the node, so code that holds a workload reaches the node, and code
 * that holds a node reaches its broker or client by the kind. The
 * rolling restart queue names nodes by one integer key per node. */
#ifndef KMESOS_KAFKA_NODE_H
#define KMESOS_KAFKA_NODE_H
#include <stddef.h>

typedef enum kmesos_kafka_kind {
    KMESOS_KAFKA_PRODUCER = 0, /* the clients' kinds (client.h) come first */
    KMESOS_KAFKA_CONSUMER = 1,
    KMESOS_KAFKA_BROKER = 2,
} kmesos_kafka_kind;

#define KMESOS_KAFKA_MAX_ID 99999 /* ids are 0..KMESOS_KAFKA_MAX_ID */

typedef struct kmesos_kafka_node {
    kmesos_kafka_kind kind;
    int id;
    int active;         /* wanted running */
    int failures;       /* consecutive failures (mirror of the task's) */
    char *last_failure; /* NULL: none */
    char *host;         /* where it last ran; NULL: never */
    int refresh_due;    /* rebuild its workload once the event is over (not saved) */
} kmesos_kafka_node;

/* "broker", "producer" or "consumer" (also the workload kind). */
const char *kmesos_kafka_kind_name(kmesos_kafka_kind kind);
/* "<kind>-<id>": the name of the node's workload. */
void kmesos_kafka_node_name(const kmesos_kafka_node *n, char *out, size_t len);
/* Frees the node's strings (not the node). */
void kmesos_kafka_node_clear(kmesos_kafka_node *n);

/* Rolling restart keys: a broker's is its id, a client's lies above every
 * broker id. */
int kmesos_kafka_key(kmesos_kafka_kind kind, int id);
/* The inverse. 0, or -1 for a key of no kind. */
int kmesos_kafka_key_split(int key, kmesos_kafka_kind *kind, int *id);

#endif
