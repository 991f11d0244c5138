/* kafka_clients: the producers and consumers of the Kafka cluster
 * (client.h) on top of the scheduler's workloads. Each is one workload
 * "producer-<id>" / "consumer-<id>" of kind "producer" / "consumer" with
 * one instance while active, restart rule on-failure: a client that exits
 * 0 is done (TASK_FINISHED), a failure relaunches it after its
 * failover_delay, doubling up to failover_max_delay, and it is
 * deactivated after failover_max_tries failures in a row (the brokers'
 * bookkeeping, kafka_settings.h; the count is reset when it finishes or
 * has been RUNNING for its failover_delay, since a client is RUNNING as
 * soon as its command starts); its constraints go to the policies as a
 * broker's do. A restart is rolling, in the brokers' queue (kafka.h): one
 * task at a time, the next once the previous is TASK_RUNNING again or has
 * finished. It runs under kmesos-executor
 * like a broker (same executor and Kafka tarball URIs) with
 * KAFKA_BOOTSTRAP_SERVERS = the endpoints of the RUNNING brokers at its
 * launch; while no broker runs it waits with a waiting reason. Its
 * task.prefer.hosts are the hosts of the RUNNING brokers (kept up to date
 * while it is pending), so policies/delay.lua places it near them. */
#ifndef KMESOS_KAFKA_CLIENTS_H
#define KMESOS_KAFKA_CLIENTS_H
#include <stddef.h>

#include <jansson.h>

#include "sched/kafka/client.h"
#include "sched/kafka/kafka.h"

kmesos_client *kmesos_kafka_client(const kmesos_kafka *k, kmesos_client_kind kind, int id);
/* The ids of every client of a kind (free it). */
int *kmesos_kafka_client_ids(const kmesos_kafka *k, kmesos_client_kind kind, size_t *n);
/* The client's task slot, or NULL. */
kmesos_task *kmesos_kafka_client_task(const kmesos_kafka *k, const kmesos_client *c);

/* Lifecycle, as the broker's (kafka.h): everything is checked first;
 * -1 with a message and the bad field in *field changes nothing. */
int kmesos_kafka_clients_add(kmesos_kafka *k, kmesos_client_kind kind, const int *ids, size_t n,
                             const kmesos_kafka_params *p, const char **field, char *err,
                             size_t errlen);
int kmesos_kafka_clients_update(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                                size_t n, const kmesos_kafka_params *p, const char **field,
                                char *err, size_t errlen);
/* Refused while a client is wanted and not done, or its task may run. */
int kmesos_kafka_clients_remove(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                                size_t n, char *err, size_t errlen);
int kmesos_kafka_clients_start(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                               size_t n, char *err, size_t errlen);
int kmesos_kafka_clients_stop(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                              size_t n, char *err, size_t errlen);
/* Queues the running ones for the rolling restart (kafka.h: brokers and
 * clients share one queue, one task at a time); their ids in out/n_out
 * (free it). */
int kmesos_kafka_clients_restart(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                                 size_t n, int **out, size_t *n_out, char *err, size_t errlen);
/* Rolling restart keys: a broker's is its id, a client's
 * kmesos_kafka_client_key (above every broker id). */
#define KMESOS_KAFKA_CLIENT_KEY_BASE (KMESOS_BROKER_MAX_ID + 1)
int kmesos_kafka_client_key(kmesos_client_kind kind, int id);
/* Kills the client of key for a restart: 0, or -1 when it is not
 * RUNNING (skipped). */
int kmesos_kafka_client_restart_begin(kmesos_kafka *k, int key);
/* 1 when the restart of the client of key is over: it is back
 * (TASK_RUNNING again, or finished) after its old task ended, or it was
 * stopped, removed or deactivated meanwhile. */
int kmesos_kafka_client_restart_back(const kmesos_kafka *k, int key);
/* Periodic: pending clients follow the RUNNING brokers' hosts. */
void kmesos_kafka_clients_tick(kmesos_kafka *k);
/* Rebuilds the workloads an update marked (refresh_due), after the event. */
void kmesos_kafka_clients_settle(kmesos_kafka *k);
void kmesos_kafka_clients_free(kmesos_kafka *k);

/* 1 when the workload is a client's (kind producer or consumer). */
int kmesos_kafka_is_client(const kmesos_workload *w);
/* Placement hooks for client workloads (called by kafka.c's hooks). */
void kmesos_kafka_client_gate(kmesos_kafka *k, const kmesos_task *t, const kmesos_offer *o,
                              kmesos_verdict *v);
Mesos__V1__TaskInfo *kmesos_kafka_client_task_info(kmesos_kafka *k, const kmesos_task *t,
                                                   const kmesos_offer *o);
void kmesos_kafka_client_on_update(kmesos_kafka *k, kmesos_task *t, int state,
                                   const char *message, kmesos_update_result r);

/* API view (new reference). */
json_t *kmesos_kafka_client_json(const kmesos_kafka *k, const kmesos_client *c);

/* State: an array of clients; load registers their workloads. */
json_t *kmesos_kafka_clients_state_json(const kmesos_kafka *k);
int kmesos_kafka_clients_state_load(kmesos_kafka *k, json_t *arr, char *err, size_t errlen);

#endif
