/* broker_api: the broker commands of the admin REST API (docs/api.md):
 *   GET  /api/broker/list[?broker=EXPR]         200 {"brokers":[...]}
 *   POST /api/broker/add?broker=EXPR&cpus=...   200 {"brokers":[added]}
 *   POST /api/broker/update?broker=EXPR&...     200 {"brokers":[...]}
 *   POST /api/broker/remove?broker=EXPR         200 {"removed":[ids]}
 *   POST /api/broker/start|stop?broker=EXPR     200 {"brokers":[...]}
 *   POST /api/broker/restart?broker=EXPR        202 {"restarting":[ids]}
 * Parameters come from the query string or an
 * application/x-www-form-urlencoded body. Every error is 400
 * {"error": "...", "field": "<name>"} and leaves the brokers unchanged. */
#ifndef KMESOS_BROKER_API_H
#define KMESOS_BROKER_API_H
#include <jansson.h>

#include "codec/httpd.h"
#include "sched/kafka.h"

/* Answers a request for /api/broker/<cmd> (cmd is the part after the
 * prefix). */
void kmesos_broker_api_handle(kmesos_kafka *k, kmesos_httpd_req *req, const char *cmd);

/* The same without HTTP, for tests: runs cmd with the given parameters;
 * returns the HTTP status and sets *body (new reference). */
typedef struct kmesos_broker_api_params {
    char **names;
    char **values;
    size_t n;
} kmesos_broker_api_params;

unsigned kmesos_broker_api_run(kmesos_kafka *k, const char *method, const char *cmd,
                               const kmesos_broker_api_params *p, json_t **body);
/* Adds the pairs of an x-www-form-urlencoded text ("a=1&b=x%20y"). A
 * name given twice keeps its last value. 0 or -1. */
int kmesos_broker_api_parse_form(kmesos_broker_api_params *p, const char *text, size_t len);
int kmesos_broker_api_param_add(kmesos_broker_api_params *p, const char *name,
                                const char *value);
void kmesos_broker_api_params_free(kmesos_broker_api_params *p);

#endif
