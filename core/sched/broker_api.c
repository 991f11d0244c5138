/* broker_api: see broker_api.h. The HTTP side only gathers the
 * parameters (form body, then the query string) and writes the answer;
 * kmesos_broker_api_run does the work on plain name/value lists, so the
 * contract is tested without sockets. Every command validates all of its
 * input (parameter names, the id expression, each value) before the
 * cluster is touched. */
#include "sched/broker_api.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"

#define MOD "api"

/* ---- parameters ------------------------------------------------------------------------ */

static ssize_t param_index(const kmesos_broker_api_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return (ssize_t)i;
    return -1;
}

static const char *param(const kmesos_broker_api_params *p, const char *name)
{
    ssize_t i = param_index(p, name);
    return i < 0 ? NULL : p->values[i];
}

int kmesos_broker_api_param_add(kmesos_broker_api_params *p, const char *name, const char *value)
{
    ssize_t at = param_index(p, name);
    char *v = strdup(value ? value : "");
    if (!v)
        return -1;
    if (at >= 0) {
        free(p->values[at]);
        p->values[at] = v;
        return 0;
    }
    char *n = strdup(name);
    char **names = n ? realloc(p->names, (p->n + 1) * sizeof *names) : NULL;
    if (names)
        p->names = names;
    char **values = names ? realloc(p->values, (p->n + 1) * sizeof *values) : NULL;
    if (!values) {
        free(n);
        free(v);
        return -1;
    }
    p->values = values;
    p->names[p->n] = n;
    p->values[p->n++] = v;
    return 0;
}

void kmesos_broker_api_params_free(kmesos_broker_api_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->names[i]);
        free(p->values[i]);
    }
    free(p->names);
    free(p->values);
    memset(p, 0, sizeof *p);
}

/* '+' is a space in forms; %XX is decoded by libmicrohttpd. */
static void form_unescape(char *s)
{
    for (char *c = s; *c; c++)
        if (*c == '+')
            *c = ' ';
    MHD_http_unescape(s);
}

int kmesos_broker_api_parse_form(kmesos_broker_api_params *p, const char *text, size_t len)
{
    char *copy = strndup(text, len), *save = NULL;
    int rc = copy ? 0 : -1;
    for (char *pair = copy ? strtok_r(copy, "&", &save) : NULL; pair && rc == 0;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        form_unescape(pair);
        if (eq)
            form_unescape(eq + 1);
        rc = kmesos_broker_api_param_add(p, pair, eq ? eq + 1 : "");
    }
    free(copy);
    return rc;
}

/* ---- answers ------------------------------------------------------------------------------ */

static unsigned error(json_t **body, const char *field, const char *message)
{
    *body = json_pack("{s:s, s:s}", "error", message, "field", field);
    return 400;
}

static json_t *brokers_json(const kmesos_kafka *k, const int *ids, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        const kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        if (b)
            json_array_append_new(arr, kmesos_kafka_broker_json(k, b));
    }
    return json_pack("{s:o}", "brokers", arr);
}

static json_t *ids_json(const int *ids, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

/* Checks parameter names: "broker" always, the settings when allowed. */
static int check_names(const kmesos_broker_api_params *p, int settings, const char **bad)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], "broker") != 0 &&
            !(settings && kmesos_broker_param_known(p->names[i]))) {
            *bad = p->names[i];
            return -1;
        }
    return 0;
}

/* The settings parameters as kafka params (pointers into p). */
static kmesos_kafka_params settings_of(const kmesos_broker_api_params *p, const char **names,
                                       const char **values)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], "broker") != 0) {
            names[n] = p->names[i];
            values[n++] = p->values[i];
        }
    return (kmesos_kafka_params){names, values, n};
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

/* Runs a command on validated ids. */
static unsigned execute(kmesos_kafka *k, cmd_kind c, const int *ids, size_t n,
                        const kmesos_broker_api_params *p, json_t **body)
{
    const char *names[32], *values[32], *field = "broker";
    char err[512] = "";
    kmesos_kafka_params kp = settings_of(p, names, values);
    int rc = 0;
    int *queued = NULL;
    size_t n_queued = 0;
    switch (c) {
    case CMD_ADD: rc = kmesos_kafka_add(k, ids, n, &kp, &field, err, sizeof err); break;
    case CMD_UPDATE: rc = kmesos_kafka_update(k, ids, n, &kp, &field, err, sizeof err); break;
    case CMD_REMOVE: rc = kmesos_kafka_remove(k, ids, n, &field, err, sizeof err); break;
    case CMD_START: rc = kmesos_kafka_start(k, ids, n, err, sizeof err); break;
    case CMD_STOP: rc = kmesos_kafka_stop(k, ids, n, err, sizeof err); break;
    case CMD_RESTART:
        rc = kmesos_kafka_restart(k, ids, n, &queued, &n_queued, err, sizeof err);
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
    *body = brokers_json(k, ids, n);
    return 200;
}

unsigned kmesos_broker_api_run(kmesos_kafka *k, const char *method, const char *cmd,
                               const kmesos_broker_api_params *p, json_t **body)
{
    cmd_kind c = cmd_of(cmd);
    const char *bad = NULL;
    if (c == CMD_UNKNOWN) {
        *body = json_pack("{s:s}", "error", "no such broker command");
        return 404;
    }
    if (strcmp(method, c == CMD_LIST ? "GET" : "POST") != 0 &&
        !(c == CMD_LIST && strcmp(method, "POST") == 0)) {
        *body = json_pack("{s:s}", "error", "method not allowed");
        return 405;
    }
    if (p->n > 32 || check_names(p, c == CMD_ADD || c == CMD_UPDATE, &bad) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown parameter '%s'", bad ? bad : "?");
        return error(body, bad ? bad : "broker", msg);
    }
    const char *expr = param(p, "broker");
    if (c == CMD_LIST && !expr)
        expr = "*";
    size_t n_known = 0, n = 0;
    int *known = kmesos_kafka_ids(k, &n_known), *ids = NULL;
    char err[256];
    int rc = kmesos_broker_ids_parse(expr, known, n_known, c != CMD_ADD, &ids, &n, err,
                                     sizeof err);
    free(known);
    if (rc != 0)
        return error(body, "broker", err);
    if (c == CMD_ADD && strcmp(expr, "*") == 0) {
        free(ids);
        return error(body, "broker", "broker: add takes ids, not '*'");
    }
    unsigned status = c == CMD_LIST ? (*body = brokers_json(k, ids, n), 200)
                                    : execute(k, c, ids, n, p, body);
    free(ids);
    return status;
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

static void add_query(void *arg, const char *name, const char *value)
{
    kmesos_broker_api_param_add(arg, name, value);
}

/* Every query-string parameter, so that unknown names are refused. */
static void gather_query(kmesos_httpd_req *req, kmesos_broker_api_params *p)
{
    kmesos_httpd_query_each(req, add_query, p);
}

void kmesos_broker_api_handle(kmesos_kafka *k, kmesos_httpd_req *req, const char *cmd)
{
    kmesos_broker_api_params p = {0};
    size_t len = 0;
    const uint8_t *data = kmesos_httpd_body(req, &len);
    const char *ct = kmesos_httpd_header(req, "Content-Type");
    json_t *body = NULL;
    unsigned status;
    if (len && ct && strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
        status = error(&body, "body", "the body must be application/x-www-form-urlencoded");
    } else if ((len && kmesos_broker_api_parse_form(&p, (const char *)data, len) != 0)) {
        status = error(&body, "body", "out of memory");
    } else {
        gather_query(req, &p);
        status = kmesos_broker_api_run(k, kmesos_httpd_method(req), cmd, &p, &body);
    }
    if (status >= 400)
        KLOG_INFO(MOD, "broker %s: %u %s", cmd, status,
                  json_string_value(json_object_get(body, "error")));
    kmesos_broker_api_params_free(&p);
    kmesos_httpd_reply_json(req, status, body);
}
