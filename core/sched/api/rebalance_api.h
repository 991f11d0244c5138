/* rebalance_api: partition reassignment in the admin REST API
 * (docs/api.md), over kafka/rebalance.h:
 *   GET  /api/broker/rebalance (or POST without parameters)
 *                                               200 {"rebalance": progress}
 *   POST /api/broker/rebalance?broker=EXPR[&topics=REGEX][&throttle=BYTES]
 *        202 {"rebalance": progress} once the plan is known (200 when
 *        nothing is to move); 400 {"error","field"} and nothing moved
 *   POST /api/broker/rebalance?cancel=true      200 {"cancelled","consistent","tool"}
 *   POST /api/broker/remove?broker=EXPR[&purge=true][&force=true]
 *        a broker that still holds replicas is drained first: 202
 *        {"draining":[ids]}, removed when the move is done; force=true (or
 *        no broker running) removes at once as broker_api does. */
#ifndef KMESOS_REBALANCE_API_H
#define KMESOS_REBALANCE_API_H

#include "net/httpd.h"
#include "sched/kafka/rebalance.h"

/* Answers /api/broker/rebalance and /api/broker/remove (cmd: the part
 * after /api/broker/). */
void kmesos_rebalance_api_handle(kmesos_rebalance *rb, kmesos_kafka *k, kmesos_httpd_req *req,
                                 const char *cmd);

#endif
