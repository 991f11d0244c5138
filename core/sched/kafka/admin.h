/* admin: the Kafka cluster's topics through librdkafka's Admin API, on
 * the scheduler's loop (docs/kafka.md "Topics").
 *
 * One admin client (librdkafka) is made from the running brokers'
 * PLAINTEXT endpoints (kmesos_kafka_bootstrap) when it is first needed,
 * and made again when that list changed and nothing is in flight. Each
 * operation is asynchronous: its answer is one call of a
 * kmesos_kadmin_cb with an HTTP status and a JSON body, made on the loop;
 * the loop never waits for Kafka (the Admin API's results arrive on a
 * queue that wakes a uv_poll_t, and a metadata request, which librdkafka
 * only has as a blocking call, runs on libuv's thread pool).
 *
 * Answers: 200 {"topics": [TOPIC, ...]} (list, add, update) where TOPIC
 * is {"name", "partitions", "replication_factor", "under_replicated",
 * "offline", "configs": {set configs}, "assignment": [{"partition",
 * "leader", "replicas": [ids], "isr": [ids]}]}; 200 {"deleted": [name]};
 * or {"error": "...", "field": "..."}: 400 (Kafka's own error text,
 * field topic, partitions, replication_factor or options), 404 (an
 * unknown topic, field topic), 503 (no broker), 504 (Kafka did not
 * answer). An update checks its changes with validate_only first, so a
 * refused change changes nothing. */
#ifndef KMESOS_KAFKA_ADMIN_H
#define KMESOS_KAFKA_ADMIN_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "sched/kafka/admin_view.h"

typedef struct kmesos_kadmin kmesos_kadmin;

/* The answer of one operation: body is a new reference the callee owns. */
typedef void (*kmesos_kadmin_cb)(void *arg, unsigned status, json_t *body);

/* A topic to create or change. partitions, replication_factor 0: not
 * given (add: the brokers' defaults). Configs: names[i]=values[i]; on
 * update an empty value removes the config (back to the default). */
typedef struct kmesos_kadmin_topic {
    const char *name;
    int partitions;
    int replication_factor;
    const char *const *config_names;
    const char *const *config_values;
    size_t n_configs;
} kmesos_kadmin_topic;

kmesos_kadmin *kmesos_kadmin_new(uv_loop_t *loop);
/* Drops every operation under way without calling back; the client is
 * closed on the thread pool (the loop must run on to release it). */
void kmesos_kadmin_free(kmesos_kadmin *a);

/* Each starts an operation against bootstrap ("host:port,..."); cb is
 * called once, perhaps before the function returns. */
void kmesos_kadmin_list(kmesos_kadmin *a, const char *bootstrap, const char *name,
                        kmesos_kadmin_cb cb, void *arg);
void kmesos_kadmin_add(kmesos_kadmin *a, const char *bootstrap, const kmesos_kadmin_topic *t,
                       kmesos_kadmin_cb cb, void *arg);
void kmesos_kadmin_update(kmesos_kadmin *a, const char *bootstrap,
                          const kmesos_kadmin_topic *t, kmesos_kadmin_cb cb, void *arg);
void kmesos_kadmin_delete(kmesos_kadmin *a, const char *bootstrap, const char *name,
                          kmesos_kadmin_cb cb, void *arg);

/* The last summary into *out (known 0: none yet); when it is older than
 * max_age_ms and none is being read, a new one is read in the background
 * (bootstrap "" or NULL: not). Every list also refreshes it. */
void kmesos_kadmin_summary_get(kmesos_kadmin *a, const char *bootstrap, uint64_t max_age_ms,
                               kmesos_kadmin_summary *out);

#endif
