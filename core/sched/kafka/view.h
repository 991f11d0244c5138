/* view: brokers and clients as the admin API shows them (docs/api.md):
 * their settings in the API's words (durations as "1m30s", "auto"
 * ports), what was learnt, and their task. New references. */
#ifndef KMESOS_KAFKA_VIEW_H
#define KMESOS_KAFKA_VIEW_H
#include <jansson.h>

#include "sched/kafka/cluster.h"

json_t *kmesos_kafka_broker_json(const kmesos_kafka *k, const kmesos_broker *b);
json_t *kmesos_kafka_client_json(const kmesos_kafka *k, const kmesos_client *c);

#endif
