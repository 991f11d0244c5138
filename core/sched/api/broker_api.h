/* broker_api: the broker commands of the admin REST API (docs/api.md):
 *   GET  /api/broker/list[?broker=EXPR]         200 {"brokers":[...]}
 *   POST /api/broker/add?broker=EXPR&cpus=...   200 {"brokers":[added]}
 *   POST /api/broker/clone?broker=ID&to=EXPR[&cpus=...]
 *                                               200 {"brokers":[added]}: new brokers
 *                                               with ID's settings (but its
 *                                               advertised_host, data_dir), the given ones
 *                                               applied over them
 *   POST /api/broker/update?broker=EXPR&...     200 {"brokers":[...]}
 *   POST /api/broker/remove?broker=EXPR[&purge=true]  200 {"removed":[ids]}
 *        (purge: destroy and unreserve the brokers' reserved volumes)
 *   POST /api/broker/start|stop?broker=EXPR     200 {"brokers":[...]}
 *   POST /api/broker/restart?broker=EXPR        202 {"restarting":[ids]}
 * Parameters come from the query string or an
 * application/x-www-form-urlencoded body. Every error is 400
 * {"error": "...", "field": "<name>"} and leaves the brokers unchanged. */
#ifndef KMESOS_BROKER_API_H
#define KMESOS_BROKER_API_H
#include <jansson.h>

#include "net/httpd.h"
#include "sched/api/params.h"
#include "sched/kafka/kafka.h"

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

/* A kind of Kafka workload as the API sees it: brokers here, producers
 * and consumers in client_api.c. The commands (list, add, clone, update,
 * remove, start, stop, restart), their parameter checks, id expressions, errors
 * and answers are written once (kmesos_api_kind_run); a kind brings its
 * names and its lifecycle functions. kind: passed back to them. */
typedef struct kmesos_api_kind {
    const char *id_name; /* the id parameter and the word in messages */
    const char *plural;  /* the key of the answer's list */
    int kind;
    int (*param_known)(const char *name);
    /* a message when a setting of another kind is given, else NULL */
    const char *(*param_refused)(int kind, const char *name, char *buf, size_t len);
    int *(*ids)(const kmesos_kafka *k, int kind, size_t *n);
    json_t *(*item_json)(const kmesos_kafka *k, int kind, int id);
    int (*add)(kmesos_kafka *k, int kind, const int *ids, size_t n, const kmesos_kafka_params *p,
               const char **field, char *err, size_t errlen);
    int (*update)(kmesos_kafka *k, int kind, const int *ids, size_t n,
                  const kmesos_kafka_params *p, const char **field, char *err, size_t errlen);
    int (*remove)(kmesos_kafka *k, int kind, const int *ids, size_t n, int purge,
                  const char **field,
                  char *err, size_t errlen);
    int (*start)(kmesos_kafka *k, int kind, const int *ids, size_t n, char *err, size_t errlen);
    int (*stop)(kmesos_kafka *k, int kind, const int *ids, size_t n, char *err, size_t errlen);
    int (*restart)(kmesos_kafka *k, int kind, const int *ids, size_t n, int **out,
                   size_t *n_out, char *err, size_t errlen);
    /* new ids[] with the settings of `from`, then p applied */
    int (*clone)(kmesos_kafka *k, int kind, int from, const int *ids, size_t n,
                 const kmesos_kafka_params *p, const char **field, char *err, size_t errlen);
} kmesos_api_kind;

unsigned kmesos_api_kind_run(const kmesos_api_kind *ak, kmesos_kafka *k, const char *method,
                             const char *cmd, const kmesos_broker_api_params *p, json_t **body);
/* The HTTP side: gathers the form body and the query string, runs,
 * answers. */
void kmesos_api_kind_handle(const kmesos_api_kind *ak, kmesos_kafka *k, kmesos_httpd_req *req,
                            const char *cmd);

/* POST /api/tasks/kill for the task of a broker or client (t->workload
 * built by kafka/lifecycle.c): the task is killed but its slot
 * is not stopped, so its end is a task loss like any other: the failover
 * path relaunches it after the failover delay and counts a failure (and
 * deactivates the workload after failover_max_tries). The workload stays
 * active: 202 {"killing": ID, "<kind>": id, "relaunch_in": "1m", "note":
 * "... use 'kmesos broker stop 0' to keep it down"}. A task that is not
 * launched or running has nothing to kill: 409. */
unsigned kmesos_kafka_api_kill(kmesos_kafka *k, kmesos_task *t, json_t **body);
/* Adds the pairs of an x-www-form-urlencoded text ("a=1&b=x%20y"). A
 * name given twice keeps its last value. 0, -1 (out of memory), or -2
 * and e when a name or value holds a NUL byte or is not UTF-8. */
int kmesos_broker_api_parse_form(kmesos_broker_api_params *p, const char *text, size_t len,
                                 kmesos_api_param_error *e);
/* The form body and then the query string of req into p (the HTTP side
 * of every command). 0, or 400 with its answer in *body. */
unsigned kmesos_broker_api_gather(kmesos_httpd_req *req, kmesos_broker_api_params *p,
                                  json_t **body);
/* The value of parameter name, or NULL. */
const char *kmesos_broker_api_param_get(const kmesos_broker_api_params *p, const char *name);
int kmesos_broker_api_param_add(kmesos_broker_api_params *p, const char *name,
                                const char *value);
void kmesos_broker_api_params_free(kmesos_broker_api_params *p);

#endif
