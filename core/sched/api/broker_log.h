/* broker_log: GET /api/broker/log?broker=ID&name=stdout|stderr&lines=N,
 * the tail of a broker's sandbox file, read from its agent the way the
 * Mesos web UI does: the master's /master/state names the agent's address
 * (its "pid", slave(1)@IP:PORT), the agent's /state names the executor's
 * sandbox ("directory"), and the agent's /files/read gives the bytes of
 * <sandbox>/<task_id>.stdout or .stderr, where kmesos-executor puts the
 * broker's output. */
#ifndef KMESOS_BROKER_LOG_H
#define KMESOS_BROKER_LOG_H
#include <uv.h>

#include "net/httpd.h"
#include "sched/kafka/kafka.h"

typedef struct kmesos_broker_log kmesos_broker_log;

/* NULL when memory runs out or libcurl cannot start. principal and
 * secret (copied; NULL: none) are the scheduler's credentials. */
kmesos_broker_log *kmesos_broker_log_new(uv_loop_t *loop, const char *principal,
                                         const char *secret);
/* Answers req (now or later, once the agent answered). master_url: the
 * leading master's URL (any path; only scheme://host:port is used), NULL
 * when not known (then 503). trusted: the leader may get the credentials
 * (kmesos_session_leader_trusted); they then go to it and to the agent
 * its state names, never elsewhere. */
void kmesos_broker_log_handle(kmesos_broker_log *bl, kmesos_kafka *k, const char *master_url,
                              int trusted, kmesos_httpd_req *req);
/* Drops the requests under way (unanswered: the server is closing) and
 * frees everything once the transport closed. NULL is fine. */
void kmesos_broker_log_free(kmesos_broker_log *bl);

/* For tests: the last n complete lines of data (len bytes; from_start: data
 * starts at the file's beginning, else its first partial line is dropped),
 * as a JSON array of strings. */
json_t *kmesos_broker_log_tail(const char *data, size_t len, int from_start, long n);

#endif
