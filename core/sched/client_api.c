/* client_api: see client_api.h. Shaped like broker_api.c: the HTTP side
 * gathers the parameters (form body, then the query string) and
 * kmesos_client_api_run does the work on plain lists. Id expressions are
 * the brokers' (kmesos_broker_ids_parse); its messages are reworded with
 * the client kind, which is also the id parameter's name. */
#include "sched/client_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "sched/kafka_clients.h"

#define MOD "api"
#define MAX_PARAMS 32

static const char *param(const kmesos_broker_api_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->values[i];
    return NULL;
}

static unsigned error(json_t **body, const char *field, const char *message)
{
    *body = json_pack("{s:s, s:s}", "error", message, "field", field);
    return 400;
}

/* "broker" -> kind in a message of the id parser. */
static void reword(const char *in, const char *kind, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    while (*in && used + 1 < len) {
        if (strncmp(in, "broker", 6) == 0) {
            used += (size_t)snprintf(out + used, len - used, "%s", kind);
            in += 6;
        } else {
            out[used++] = *in++;
            out[used] = '\0';
        }
        if (used >= len)
            used = len - 1;
    }
}

static json_t *ids_json(const int *ids, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

static json_t *clients_json(const kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                            size_t n)
{
    char key[16];
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        const kmesos_client *c = kmesos_kafka_client(k, kind, ids[i]);
        if (c)
            json_array_append_new(arr, kmesos_kafka_client_json(k, c));
    }
    snprintf(key, sizeof key, "%ss", kmesos_client_kind_name(kind));
    return json_pack("{s:o}", key, arr);
}

typedef enum cmd_kind { CMD_LIST, CMD_ADD, CMD_UPDATE, CMD_REMOVE, CMD_START, CMD_STOP,
                        CMD_RESTART, CMD_UNKNOWN } cmd_kind;

static cmd_kind cmd_of(const char *cmd)
{
    static const char *const names[] = {"list", "add", "update", "remove", "start", "stop",
                                        "restart"};
    for (int i = 0; i < CMD_UNKNOWN; i++)
        if (strcmp(cmd, names[i]) == 0)
            return (cmd_kind)i;
    return CMD_UNKNOWN;
}

/* Every name is the id parameter, or (add, update) a setting. */
static const char *unknown_name(const kmesos_broker_api_params *p, const char *id_name,
                                int settings)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], id_name) != 0 &&
            !(settings && kmesos_client_param_known(p->names[i])))
            return p->names[i];
    return NULL;
}

static kmesos_kafka_params settings_of(const kmesos_broker_api_params *p, const char *id_name,
                                       const char **names, const char **values)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], id_name) != 0) {
            names[n] = p->names[i];
            values[n++] = p->values[i];
        }
    return (kmesos_kafka_params){names, values, n};
}

static unsigned execute(kmesos_kafka *k, kmesos_client_kind kind, cmd_kind c, const int *ids,
                        size_t n, const kmesos_broker_api_params *p, json_t **body)
{
    const char *id_name = kmesos_client_kind_name(kind);
    const char *names[MAX_PARAMS], *values[MAX_PARAMS], *field = id_name;
    char err[512] = "";
    kmesos_kafka_params kp = settings_of(p, id_name, names, values);
    int rc = 0, *queued = NULL;
    size_t n_queued = 0;
    switch (c) {
    case CMD_ADD: rc = kmesos_kafka_clients_add(k, kind, ids, n, &kp, &field, err, sizeof err); break;
    case CMD_UPDATE:
        rc = kmesos_kafka_clients_update(k, kind, ids, n, &kp, &field, err, sizeof err);
        break;
    case CMD_REMOVE: rc = kmesos_kafka_clients_remove(k, kind, ids, n, err, sizeof err); break;
    case CMD_START: rc = kmesos_kafka_clients_start(k, kind, ids, n, err, sizeof err); break;
    case CMD_STOP: rc = kmesos_kafka_clients_stop(k, kind, ids, n, err, sizeof err); break;
    case CMD_RESTART:
        rc = kmesos_kafka_clients_restart(k, kind, ids, n, &queued, &n_queued, err, sizeof err);
        break;
    default: break;
    }
    if (rc != 0)
        return error(body, field, err);
    if (c == CMD_REMOVE) {
        *body = json_pack("{s:o}", "removed", ids_json(ids, n));
        return 200;
    }
    if (c == CMD_RESTART) {
        *body = json_pack("{s:o}", "restarting", ids_json(queued, n_queued));
        free(queued);
        return 202;
    }
    *body = clients_json(k, kind, ids, n);
    return 200;
}

/* Parses the id expression of the request. 0, or the 400 answer. */
static unsigned parse_ids(kmesos_kafka *k, kmesos_client_kind kind, cmd_kind c,
                          const kmesos_broker_api_params *p, int **ids, size_t *n, json_t **body)
{
    const char *id_name = kmesos_client_kind_name(kind);
    const char *expr = param(p, id_name);
    char err[256], msg[300];
    if (c == CMD_LIST && !expr)
        expr = "*";
    size_t n_known = 0;
    int *known = kmesos_kafka_client_ids(k, kind, &n_known);
    int rc = kmesos_broker_ids_parse(expr, known, n_known, c != CMD_ADD, ids, n, err, sizeof err);
    free(known);
    if (rc != 0) {
        reword(err, id_name, msg, sizeof msg);
        return error(body, id_name, msg);
    }
    if (c == CMD_ADD && strcmp(expr, "*") == 0) {
        free(*ids);
        *ids = NULL;
        snprintf(msg, sizeof msg, "%s: add takes ids, not '*'", id_name);
        return error(body, id_name, msg);
    }
    return 0;
}

unsigned kmesos_client_api_run(kmesos_kafka *k, kmesos_client_kind kind, const char *method,
                               const char *cmd, const kmesos_broker_api_params *p, json_t **body)
{
    cmd_kind c = cmd_of(cmd);
    const char *id_name = kmesos_client_kind_name(kind), *bad = NULL;
    if (c == CMD_UNKNOWN) {
        char msg[64];
        snprintf(msg, sizeof msg, "no such %s command", id_name);
        *body = json_pack("{s:s}", "error", msg);
        return 404;
    }
    if (strcmp(method, "POST") != 0 && !(c == CMD_LIST && strcmp(method, "GET") == 0)) {
        *body = json_pack("{s:s}", "error", "method not allowed");
        return 405;
    }
    if (p->n > MAX_PARAMS ||
        (bad = unknown_name(p, id_name, c == CMD_ADD || c == CMD_UPDATE)) != NULL) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown parameter '%s'", bad ? bad : "?");
        return error(body, bad ? bad : id_name, msg);
    }
    int *ids = NULL;
    size_t n = 0;
    unsigned status = parse_ids(k, kind, c, p, &ids, &n, body);
    if (status)
        return status;
    status = c == CMD_LIST ? (*body = clients_json(k, kind, ids, n), 200)
                           : execute(k, kind, c, ids, n, p, body);
    free(ids);
    return status;
}

/* ---- HTTP ---------------------------------------------------------------------------------- */

static void add_query(void *arg, const char *name, const char *value)
{
    kmesos_broker_api_param_add(arg, name, value);
}

void kmesos_client_api_handle(kmesos_kafka *k, kmesos_client_kind kind, kmesos_httpd_req *req,
                              const char *cmd)
{
    kmesos_broker_api_params p = {0};
    size_t len = 0;
    const uint8_t *data = kmesos_httpd_body(req, &len);
    const char *ct = kmesos_httpd_header(req, "Content-Type");
    json_t *body = NULL;
    unsigned status;
    if (len && ct && strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
        status = error(&body, "body", "the body must be application/x-www-form-urlencoded");
    } else if (len && kmesos_broker_api_parse_form(&p, (const char *)data, len) != 0) {
        status = error(&body, "body", "out of memory");
    } else {
        kmesos_httpd_query_each(req, add_query, &p);
        status = kmesos_client_api_run(k, kind, kmesos_httpd_method(req), cmd, &p, &body);
    }
    if (status >= 400)
        KLOG_INFO(MOD, "%s %s: %u %s", kmesos_client_kind_name(kind), cmd, status,
                  json_string_value(json_object_get(body, "error")));
    kmesos_broker_api_params_free(&p);
    kmesos_httpd_reply_json(req, status, body);
}
