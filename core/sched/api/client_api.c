/* client_api: the producer and consumer commands of the admin API, as
 * two more kinds of kmesos_api_kind for the broker command runner
 * (broker_api.h): the commands, parameter checks, id expressions
 * (messages reworded with the kind) and the HTTP side are the brokers';
 * here are only the kinds' names and lifecycle functions. */
#include "sched/api/client_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/kafka/kafka.h"

/* The lifecycle functions with the kind passed through. */

static int *ids_of(const kmesos_kafka *k, int kind, size_t *n)
{
    return kmesos_kafka_ids(k, (kmesos_kafka_kind)kind, n);
}

static json_t *item_json(const kmesos_kafka *k, int kind, int id)
{
    const kmesos_client *c = kmesos_kafka_client(k, (kmesos_client_kind)kind, id);
    return c ? kmesos_kafka_client_json(k, c) : NULL;
}

static const char *refused(int kind, const char *name, char *buf, size_t len)
{
    return kmesos_client_param_refused((kmesos_client_kind)kind, name, buf, len);
}

static int add(kmesos_kafka *k, int kind, const int *ids, size_t n, const kmesos_kafka_params *p,
               const char **field, char *err, size_t errlen)
{
    return kmesos_kafka_add(k, (kmesos_kafka_kind)kind, ids, n, p, field, err, errlen);
}

static int update(kmesos_kafka *k, int kind, const int *ids, size_t n,
                  const kmesos_kafka_params *p, const char **field, char *err, size_t errlen)
{
    return kmesos_kafka_update(k, (kmesos_kafka_kind)kind, ids, n, p, field, err, errlen);
}

static int remove_(kmesos_kafka *k, int kind, const int *ids, size_t n, int purge,
                   const char **field, char *err, size_t errlen)
{
    return kmesos_kafka_remove(k, (kmesos_kafka_kind)kind, ids, n, purge, field, err, errlen);
}

static int start(kmesos_kafka *k, int kind, const int *ids, size_t n, char *err, size_t errlen)
{
    return kmesos_kafka_start(k, (kmesos_kafka_kind)kind, ids, n, err, errlen);
}

static int stop(kmesos_kafka *k, int kind, const int *ids, size_t n, char *err, size_t errlen)
{
    return kmesos_kafka_stop(k, (kmesos_kafka_kind)kind, ids, n, err, errlen);
}

static int restart(kmesos_kafka *k, int kind, const int *ids, size_t n, int **out,
                   size_t *n_out, char *err, size_t errlen)
{
    return kmesos_kafka_restart(k, (kmesos_kafka_kind)kind, ids, n, out, n_out, err, errlen);
}

static int clone_(kmesos_kafka *k, int kind, int from, const int *ids, size_t n,
                  const kmesos_kafka_params *p, const char **field, char *err, size_t errlen)
{
    return kmesos_kafka_clone(k, (kmesos_kafka_kind)kind, from, ids, n, p, field, err, errlen);
}

static const kmesos_api_kind kinds[] = {
    {"producer", "producers", KMESOS_CLIENT_PRODUCER, kmesos_client_param_known, refused, ids_of,
     item_json, add, update, remove_, start, stop, restart, clone_},
    {"consumer", "consumers", KMESOS_CLIENT_CONSUMER, kmesos_client_param_known, refused, ids_of,
     item_json, add, update, remove_, start, stop, restart, clone_},
};

unsigned kmesos_client_api_run(kmesos_kafka *k, kmesos_client_kind kind, const char *method,
                               const char *cmd, const kmesos_broker_api_params *p, json_t **body)
{
    return kmesos_api_kind_run(&kinds[kind == KMESOS_CLIENT_CONSUMER], k, method, cmd, p, body);
}

void kmesos_client_api_handle(kmesos_kafka *k, kmesos_client_kind kind, kmesos_httpd_req *req,
                              const char *cmd)
{
    kmesos_api_kind_handle(&kinds[kind == KMESOS_CLIENT_CONSUMER], k, req, cmd);
}
