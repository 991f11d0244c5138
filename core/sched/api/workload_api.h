/* workload_api: command workloads through the admin API, with the same
 * spec syntax as --workload (sched/workload.h), so that jobs with
 * per-task preferred hosts (prefer_hosts_by_instance) can be submitted to
 * a running scheduler:
 *   GET  /api/workload/list
 *   POST /api/workload/add      body: one spec line
 *   POST /api/workload/update   body: one spec line (same name)
 *   POST /api/workload/remove?name=NAME
 * Workloads a module owns (Kafka brokers, producers, consumers) are not
 * changed here: they have their own commands. */
#ifndef KMESOS_WORKLOAD_API_H
#define KMESOS_WORKLOAD_API_H
#include "net/httpd.h"
#include "sched/scheduler.h"

/* Answers a request under /api/workload/ (rest: the part after it). */
void kmesos_workload_api_handle(kmesos_scheduler *s, kmesos_httpd_req *req, const char *rest);

#endif
