/* api: the scheduler's admin REST API (JSON over HTTP, loopback by
 * default), served by httpd on the scheduler's loop:
 *   GET  /api/status            framework, session, offer book, counters;
 *                               with --ha also "ha" (who leads); on a
 *                               standby every other /api/... is a 307
 *                               to the leader (standby.h)
 *   GET  /api/tasks             every task slot: state, host, reasons
 *   POST /api/tasks/kill?id=ID  kill a task and keep it stopped
 *   POST /api/teardown          TEARDOWN the framework, then exit
 *   GET  /api/policy            policy chain status (when a host is set)
 *   GET  /metrics               Prometheus text format (metrics.h)
 *   GET  /                      the status page (page.h)
 *   /api/broker/...             the broker commands (broker_api.h)
 *   /api/topic/...              Kafka topics (topic_api.h)
 *   /api/producer/..., /api/consumer/...  the clients' (client_api.h)
 *   GET  /files/<name>          the executor and the Kafka tarball, for
 *                               the Mesos fetcher (files.h)
 * Errors are JSON {"error": "..."} with 400/404/405. docs/api.md is the
 * contract. */
#ifndef KMESOS_API_H
#define KMESOS_API_H
#include <jansson.h>
#include <uv.h>

#include "net/httpd.h"
#include "sched/api/broker_log.h"
#include "sched/api/files.h"
#include "sched/api/guard.h"
#include "sched/api/metrics.h"
#include "sched/scheduler.h"
#include "sched/mesos/session.h"

typedef struct kmesos_api_hooks {
    void *arg;
    kmesos_session *(*session)(void *arg); /* may return NULL while closing */
    void (*teardown)(void *arg);          /* TEARDOWN then stop */
    json_t *(*policy_status)(void *arg);  /* new reference or NULL */
    /* --ha (both NULL without): 1 on a standby, with where the leader's
     * API is (NULL: no leader known); /api/... is then redirected there
     * (standby.h), except GET /api/status. */
    int (*standby)(void *arg, const char **leader_api);
    json_t *(*ha_status)(void *arg); /* "ha" of /api/status: new reference */
    json_t *(*state_status)(void *arg); /* "state" of /api/status (the last save's
                                         * outcome), new reference; NULL: none */
} kmesos_api_hooks;

/* How the admin API listens and whom it lets in (options.h has the flags). */
typedef struct kmesos_api_config {
    const char *addr;        /* --api IP:PORT */
    const char *token_file;  /* --api-token-file, or NULL */
    const char *const *hosts; /* --api-host names */
    size_t n_hosts;
    int insecure;            /* --api-insecure: no token off loopback */
    const char *cert_file, *key_file; /* --api-cert/--api-key, or NULL */
    const char *principal, *secret; /* the master's credentials (broker log), or NULL */
} kmesos_api_config;

#define KMESOS_API_IDLE_TIMEOUT_S 30
#define KMESOS_API_MAX_CONNECTIONS 256
#define KMESOS_API_PER_IP_LIMIT 64

typedef struct kmesos_api {
    kmesos_httpd *httpd;
    kmesos_api_guard guard;
    kmesos_scheduler *sched;
    kmesos_kafka *kafka;       /* not owned, set after start; NULL: no Kafka API */
    const struct kmesos_policy *policy; /* not owned, set after start; NULL: none
                                         * (its figures in GET /metrics) */
    struct kmesos_agents *agents; /* not owned; GET_AGENTS stats in /api/topology */
    kmesos_api_hooks hooks;
    kmesos_kafka_files *files; /* not owned; NULL: no /files */
    kmesos_broker_log *log;    /* GET /api/broker/log */
    struct kmesos_kadmin *kadmin; /* /api/topic/...; its summary for metrics
                                   * (kmesos_kadmin_summary_get, kafka/admin.h) */
    struct kmesos_rebalance *rebalance; /* not owned; /api/broker/rebalance, remove's drain */
    uint64_t requests;
} kmesos_api;

/* The bound port (after start). */
int kmesos_api_port(const kmesos_api *api);
/* Reads the token and the TLS files, checks that a non-loopback address
 * has a token (or --api-insecure), and listens. 0, or -1 with err. */
int kmesos_api_start(kmesos_api *api, uv_loop_t *loop, const kmesos_api_config *cfg,
                     kmesos_scheduler *sched, const kmesos_api_hooks *hooks, char *err,
                     size_t errlen);
void kmesos_api_stop(kmesos_api *api);
/* The JSON views, also used by tests. New references. */
json_t *kmesos_api_tasks_json(const kmesos_scheduler *sched);
/* GET /api/topology: the rack attribute and every known agent's
 * hostname and rack (from GET_AGENTS and offers). */
json_t *kmesos_api_topology_json(const kmesos_scheduler *s, const struct kmesos_agents *agents);
json_t *kmesos_api_status_json(const kmesos_scheduler *sched, const kmesos_kafka *kafka,
                               kmesos_session *session);

#endif
