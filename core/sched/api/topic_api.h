/* topic_api: the topic commands of the admin REST API (docs/api.md
 * "Topics"), answered when Kafka has answered (kafka/admin.h):
 *   GET|POST /api/topic/list[?topic=NAME]             200 {"topics":[...]}
 *   POST /api/topic/add?topic=NAME[&partitions=N][&replication_factor=R]
 *        [&options=k=v,k=v]                           200 {"topics":[added]}
 *   POST /api/topic/update?topic=NAME[&partitions=N][&options=k=v,k=]
 *        (partitions only grow; "k=" removes config k) 200 {"topics":[...]}
 *   POST /api/topic/delete?topic=NAME                 200 {"deleted":[NAME]}
 * Parameters as for brokers (query string or form body). Bad input is 400
 * {"error", "field"} before Kafka is asked; Kafka's refusals are 400 with
 * Kafka's text; an unknown topic is 404 (field topic); no running broker
 * 503; nothing changes on an error. */
#ifndef KMESOS_TOPIC_API_H
#define KMESOS_TOPIC_API_H
#include <jansson.h>

#include "net/httpd.h"
#include "sched/api/broker_api.h"
#include "sched/kafka/admin.h"
#include "sched/kafka/kafka.h"

/* Answers a request for /api/topic/<cmd>. */
void kmesos_topic_api_handle(kmesos_kadmin *ka, kmesos_kafka *k, kmesos_httpd_req *req,
                             const char *cmd);
/* The same on plain parameters: cb gets the answer, at once for bad
 * input, else once Kafka answered. */
void kmesos_topic_api_run(kmesos_kadmin *ka, kmesos_kafka *k, const char *method,
                          const char *cmd, const kmesos_broker_api_params *p,
                          kmesos_kadmin_cb cb, void *arg);

#endif
