/* client_api: the producer and consumer commands of the admin REST API
 * (docs/api.md, "Producers and consumers"), KIND = producer | consumer:
 *   GET  /api/KIND/list[?KIND=EXPR]          200 {"KINDs":[...]}
 *   POST /api/KIND/add?KIND=EXPR&topic=...   200 {"KINDs":[added]}
 *   POST /api/KIND/update?KIND=EXPR&...      200 {"KINDs":[...]}
 *   POST /api/KIND/remove?KIND=EXPR          200 {"removed":[ids]}
 *   POST /api/KIND/start|stop?KIND=EXPR      200 {"KINDs":[...]}
 *   POST /api/KIND/restart?KIND=EXPR         202 {"restarting":[ids]}
 * Parameters as for the brokers (query string or form body); every error
 * is 400 {"error": "...", "field": "<name>"} and changes nothing. */
#ifndef KMESOS_CLIENT_API_H
#define KMESOS_CLIENT_API_H
#include <jansson.h>

#include "net/httpd.h"
#include "sched/api/broker_api.h"
#include "sched/kafka/client.h"
#include "sched/kafka/kafka.h"

/* Answers /api/<kind>/<cmd>. */
void kmesos_client_api_handle(kmesos_kafka *k, kmesos_client_kind kind, kmesos_httpd_req *req,
                              const char *cmd);
/* The same without HTTP (tests): the status, *body a new reference. */
unsigned kmesos_client_api_run(kmesos_kafka *k, kmesos_client_kind kind, const char *method,
                               const char *cmd, const kmesos_broker_api_params *p,
                               json_t **body);

#endif
