/* topic_api: list, add, update and delete Kafka topics over the admin
 * API. Every parameter is checked here first (its name, the topic name,
 * partitions 1..KMESOS_TOPIC_MAX_PARTITIONS, a replication factor
 * 1..32767 and not above the running brokers, options as k=v pairs where
 * a piece without '=' continues the previous value, so
 * cleanup.policy=compact,delete passes whole); then kafka/admin.c asks
 * Kafka and the request is answered from its callback (httpd keeps the
 * connection waiting meanwhile). The admin client talks to the brokers'
 * PLAINTEXT client listeners, which every broker has. */
#include "sched/api/topic_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/num.h"
#include "sched/kafka/settings.h"

#define MOD "api"
#define KMESOS_TOPIC_MAX_PARTITIONS 100000
#define KMESOS_TOPIC_MAX_CONFIGS 64
#define KMESOS_TOPIC_MAX_RF 32767

typedef enum { TOPIC_LIST, TOPIC_ADD, TOPIC_UPDATE, TOPIC_DELETE, TOPIC_UNKNOWN } topic_cmd;

/* The parsed request: configs point into text (owned). */
typedef struct topic_req {
    kmesos_kadmin_topic t;
    char *text;
    const char *names[KMESOS_TOPIC_MAX_CONFIGS], *values[KMESOS_TOPIC_MAX_CONFIGS];
} topic_req;

static void refuse(kmesos_kadmin_cb cb, void *arg, unsigned status, const char *field,
                   const char *msg)
{
    cb(arg, status, field ? json_pack("{s:s, s:s}", "error", msg, "field", field)
                          : json_pack("{s:s}", "error", msg));
}

static topic_cmd topic_cmd_of(const char *cmd)
{
    static const char *const names[] = {"list", "add", "update", "delete"};
    for (int i = 0; i < TOPIC_UNKNOWN; i++)
        if (strcmp(cmd, names[i]) == 0)
            return (topic_cmd)i;
    return TOPIC_UNKNOWN;
}

/* 1 when cmd takes parameter name. */
static int topic_param_known(topic_cmd c, const char *name)
{
    if (strcmp(name, "topic") == 0)
        return 1;
    if (c == TOPIC_ADD)
        return strcmp(name, "partitions") == 0 || strcmp(name, "replication_factor") == 0 ||
               strcmp(name, "options") == 0;
    if (c == TOPIC_UPDATE)
        return strcmp(name, "partitions") == 0 || strcmp(name, "options") == 0;
    return 0;
}

static int topic_check_names(topic_cmd c, const kmesos_broker_api_params *p, char *msg,
                             size_t len, const char **field)
{
    for (size_t i = 0; i < p->n; i++) {
        if (topic_param_known(c, p->names[i]))
            continue;
        *field = p->names[i];
        if (c == TOPIC_UPDATE && strcmp(p->names[i], "replication_factor") == 0)
            snprintf(msg, len, "replication_factor: update does not change a topic's "
                     "replication factor (that is a reassignment of its replicas)");
        else
            snprintf(msg, len, "unknown parameter '%s'", p->names[i]);
        return -1;
    }
    return 0;
}

/* A config name: letters, digits, '.', '_', '-'. */
static int topic_config_name_ok(const char *s, size_t n)
{
    return n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") >= n;
}

/* options "k=v,k=v" into r's configs (a piece without '=' continues the
 * value before it; "k=" is an empty value). 0, or -1 with msg. */
static int topic_parse_options(topic_req *r, const char *options, char *msg, size_t len)
{
    if (!*options)
        return 0;
    if (!(r->text = strdup(options))) {
        snprintf(msg, len, "out of memory");
        return -1;
    }
    char *save = NULL;
    for (char *piece = strtok_r(r->text, ",", &save); piece; piece = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(piece, '=');
        if (eq && topic_config_name_ok(piece, (size_t)(eq - piece))) {
            if (r->t.n_configs == KMESOS_TOPIC_MAX_CONFIGS) {
                snprintf(msg, len, "options: at most %d configs", KMESOS_TOPIC_MAX_CONFIGS);
                return -1;
            }
            *eq = '\0';
            r->names[r->t.n_configs] = piece;
            r->values[r->t.n_configs++] = eq + 1;
        } else if (r->t.n_configs) {
            piece[-1] = ','; /* glue it back onto the value before */
        } else {
            snprintf(msg, len, "options: '%s' is not name=value", piece);
            return -1;
        }
    }
    return 0;
}

static size_t topic_running_brokers(const kmesos_kafka *k)
{
    size_t n = 0, running = 0;
    int *ids = kmesos_kafka_ids(k, KMESOS_KAFKA_BROKER, &n);
    for (size_t i = 0; ids && i < n; i++) {
        const kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        running += b && kmesos_kafka_running(kmesos_kafka_task(k, &b->node));
    }
    free(ids);
    return running;
}

/* A count parameter within 1..max into *out (absent: 0). 0, or -1 with msg. */
static int topic_count(const kmesos_broker_api_params *p, const char *name, long long max,
                       int *out, char *msg, size_t len)
{
    const char *v = kmesos_broker_api_param_get(p, name);
    long long n = 0;
    *out = 0;
    if (!v)
        return 0;
    int rc = kmesos_num_int(v, 1, max, &n);
    if (rc != 0) {
        kmesos_num_error(msg, len, name, v, rc, 1, (double)max);
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* Checks and parses the parameters of c into r. 0, or -1 with field and msg. */
static int topic_parse(topic_cmd c, const kmesos_kafka *k, const kmesos_broker_api_params *p,
                       topic_req *r, const char **field, char *msg, size_t len)
{
    if (topic_check_names(c, p, msg, len, field) != 0)
        return -1;
    *field = "topic";
    r->t.name = kmesos_broker_api_param_get(p, "topic");
    if (!r->t.name && c != TOPIC_LIST) {
        snprintf(msg, len, "topic: missing (the topic's name)");
        return -1;
    }
    if (r->t.name && !kmesos_ks_topic_ok(r->t.name)) {
        snprintf(msg, len, "topic: '%s' is not a topic name (1 to 249 letters, digits, '.', "
                 "'_' or '-')", r->t.name);
        return -1;
    }
    *field = "partitions";
    if (topic_count(p, "partitions", KMESOS_TOPIC_MAX_PARTITIONS, &r->t.partitions, msg, len))
        return -1;
    *field = "replication_factor";
    if (topic_count(p, "replication_factor", KMESOS_TOPIC_MAX_RF, &r->t.replication_factor,
                    msg, len))
        return -1;
    size_t running = topic_running_brokers(k);
    if (r->t.replication_factor && (size_t)r->t.replication_factor > running) {
        snprintf(msg, len, "replication_factor: %d replicas need %d running brokers; %zu %s "
                 "running", r->t.replication_factor, r->t.replication_factor, running,
                 running == 1 ? "is" : "are");
        return -1;
    }
    *field = "options";
    const char *options = kmesos_broker_api_param_get(p, "options");
    if (options && topic_parse_options(r, options, msg, len) != 0)
        return -1;
    if (c == TOPIC_UPDATE && !r->t.partitions && !r->t.n_configs) {
        snprintf(msg, len, "nothing to change: give partitions or options");
        return -1;
    }
    r->t.config_names = r->names;
    r->t.config_values = r->values;
    return 0;
}

void kmesos_topic_api_run(kmesos_kadmin *ka, kmesos_kafka *k, const char *method,
                          const char *cmd, const kmesos_broker_api_params *p,
                          kmesos_kadmin_cb cb, void *arg)
{
    topic_cmd c = topic_cmd_of(cmd);
    if (c == TOPIC_UNKNOWN) {
        refuse(cb, arg, 404, NULL, "no such topic command");
        return;
    }
    if (strcmp(method, "POST") != 0 && !(c == TOPIC_LIST && strcmp(method, "GET") == 0)) {
        refuse(cb, arg, 405, NULL, "method not allowed");
        return;
    }
    topic_req r;
    memset(&r, 0, sizeof r);
    const char *field = NULL;
    char msg[512];
    if (topic_parse(c, k, p, &r, &field, msg, sizeof msg) != 0) {
        refuse(cb, arg, 400, field, msg);
        free(r.text);
        return;
    }
    char *bootstrap = kmesos_kafka_bootstrap(k);
    switch (c) {
    case TOPIC_LIST: kmesos_kadmin_list(ka, bootstrap, r.t.name, cb, arg); break;
    case TOPIC_ADD: kmesos_kadmin_add(ka, bootstrap, &r.t, cb, arg); break;
    case TOPIC_UPDATE: kmesos_kadmin_update(ka, bootstrap, &r.t, cb, arg); break;
    default: kmesos_kadmin_delete(ka, bootstrap, r.t.name, cb, arg); break;
    }
    free(bootstrap);
    free(r.text);
}

static void topic_reply(void *arg, unsigned status, json_t *body)
{
    kmesos_httpd_req *req = arg;
    if (status >= 400)
        KLOG_INFO(MOD, "topic %s: %u %s", kmesos_httpd_url(req), status,
                  json_string_value(json_object_get(body, "error")));
    kmesos_httpd_reply_json(req, status, body);
}

void kmesos_topic_api_handle(kmesos_kadmin *ka, kmesos_kafka *k, kmesos_httpd_req *req,
                             const char *cmd)
{
    kmesos_broker_api_params p = {0};
    json_t *body = NULL;
    unsigned status = kmesos_broker_api_gather(req, &p, &body);
    if (status)
        topic_reply(req, status, body);
    else if (!ka)
        topic_reply(req, 503, json_pack("{s:s}", "error", "topics are not available"));
    else
        kmesos_topic_api_run(ka, k, kmesos_httpd_method(req), cmd, &p, topic_reply, req);
    kmesos_broker_api_params_free(&p);
}
