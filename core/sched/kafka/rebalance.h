/* rebalance: partition reassignment with Kafka's own tool
 * (kafka-reassign-partitions, run by ktool.h as a child process of the
 * scheduler; the data in rplan.h). One at a time:
 *   rebalance  brokers EXPR carry an even share of the partitions of the
 *              topics matching a POSIX regex (all: none given), racks
 *              respected (--generate is rack-aware), optionally throttled;
 *   drain      the replicas of brokers about to be removed move to the
 *              other running brokers (the least loaded first, keeping the
 *              replication factor); at the end the brokers are removed.
 * Steps: kafka-topics --list, --generate (the current assignment and a
 * proposal), the checks, kafka-log-dirs --describe (sizes), --execute,
 * then --verify every 2 s until every partition is done (the last verify
 * also clears the throttle). A start is answered through a callback once
 * the plan is known (or refused: 400 naming the field, nothing moved);
 * progress is kmesos_rebalance_json; cancel runs --cancel, which reverts
 * the partitions still moving to their old replicas. */
#ifndef KMESOS_KAFKA_REBALANCE_H
#define KMESOS_KAFKA_REBALANCE_H
#include <jansson.h>
#include <stddef.h>
#include <uv.h>

#include "sched/kafka/cluster.h"

typedef struct kmesos_rebalance kmesos_rebalance;

/* An answer to the request that started or cancelled (status, body: a
 * new reference given away). */
typedef void (*kmesos_rebalance_reply)(void *arg, unsigned status, json_t *body);

typedef struct kmesos_rebalance_req {
    const char *brokers;  /* id expression of the target brokers (rebalance) */
    const char *topics;   /* POSIX extended regex over topic names, or NULL: all */
    const char *throttle; /* bytes/s, a positive integer, or NULL */
} kmesos_rebalance_req;

kmesos_rebalance *kmesos_rebalance_new(uv_loop_t *loop, kmesos_kafka *k);
/* Kills a running tool; the reassignment itself goes on in Kafka. A
 * request still waiting is not answered: free after the HTTP server. */
void kmesos_rebalance_free(kmesos_rebalance *rb);

/* Checks rq (unknown broker ids, a bad regex or throttle, one already
 * running, no broker running) and starts: -1 with *field and err (nothing
 * started), or 0 and reply is called once the plan is known: 202
 * {"rebalance": progress}, 200 when nothing is to move, 400 when the plan
 * would leave a partition below its replication factor. */
int kmesos_rebalance_start(kmesos_rebalance *rb, const kmesos_rebalance_req *rq,
                           kmesos_rebalance_reply reply, void *arg, const char **field,
                           char *err, size_t errlen);
/* Drains ids[] (they must be removable, lifecycle.h) then removes them
 * (purge as kmesos_kafka_remove). reply: 200 {"removed":[ids]} at once
 * when they hold no replica, 202 {"draining":[ids]} when the move
 * started, 400 naming the partitions held when the other brokers are too
 * few. -1 with err when it cannot start (one already running). */
int kmesos_rebalance_drain(kmesos_rebalance *rb, const int *ids, size_t n, int purge,
                           kmesos_rebalance_reply reply, void *arg, const char **field,
                           char *err, size_t errlen);
/* Cancels the running reassignment: reply 200 {"cancelled": true,
 * "consistent": ..., "tool": what --cancel said}. -1 when none runs. */
int kmesos_rebalance_cancel(kmesos_rebalance *rb, kmesos_rebalance_reply reply, void *arg,
                            char *err, size_t errlen);
/* {"state": idle|planning|moving|done|failed|cancelled, "partitions":
 * total, "moved": n, "bytes": total, "bytes_moved": n, "eta_s": s, ...}. */
json_t *kmesos_rebalance_json(const kmesos_rebalance *rb);
/* 1 when a rebalance or drain runs. */
int kmesos_rebalance_busy(const kmesos_rebalance *rb);

#endif
