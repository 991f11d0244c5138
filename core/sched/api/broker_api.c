/* broker_api: the broker commands of the admin API (list, add, update,
 * remove, start, stop, restart), and the command runner the producer and
 * consumer kinds share (client_api.c). The HTTP side only gathers the
 * parameters (form body, then the query string) and writes the answer;
 * kmesos_broker_api_run does the work on plain name/value lists, so the
 * contract is tested without sockets. Every command validates all of its
 * input (parameter names, the id expression, each value) before the
 * cluster is touched. */
#include "sched/api/broker_api.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "sched/kafka/kafka.h"

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

#define MAX_PARAMS 32

int kmesos_broker_api_param_add(kmesos_broker_api_params *p, const char *name, const char *value)
{
    ssize_t at = param_index(p, name);
    if (at < 0 && p->n > MAX_PARAMS)
        return 0; /* one past the limit is kept: check_names refuses it; the
                   * rest is not looked up, so parsing stays linear */
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

/* '+' is a space in forms; %XX is decoded by libmicrohttpd. The decoded
 * length, which counts a NUL byte from %00. */
static size_t form_unescape(char *s)
{
    for (char *c = s; *c; c++)
        if (*c == '+')
            *c = ' ';
    return MHD_http_unescape(s);
}

int kmesos_broker_api_parse_form(kmesos_broker_api_params *p, const char *text, size_t len,
                                 kmesos_api_param_error *e)
{
    char *copy = strndup(text, len), *save = NULL;
    int rc = copy ? 0 : -1;
    if (copy && memchr(text, '\0', len)) /* a raw NUL: nothing after it was read */
        rc = kmesos_api_param_ok("body", 4, text, len, e) != 0 ? -2 : 0;
    for (char *pair = copy ? strtok_r(copy, "&", &save) : NULL; pair && rc == 0;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        size_t name_len = form_unescape(pair), value_len = eq ? form_unescape(eq + 1) : 0;
        if (kmesos_api_param_ok(pair, name_len, eq ? eq + 1 : "", value_len, e) != 0)
            rc = -2;
        else
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

static json_t *items_json(const kmesos_api_kind *ak, const kmesos_kafka *k, const int *ids,
                          size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *item = ak->item_json(k, ak->kind, ids[i]);
        if (item)
            json_array_append_new(arr, item);
    }
    return json_pack("{s:o}", ak->plural, arr);
}

static json_t *ids_json(const int *ids, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

/* "broker" -> the kind's word in a message of the id parser. */
static void reword(const char *in, const char *word, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    while (*in && used + 1 < len) {
        if (strncmp(in, "broker", 6) == 0) {
            used += (size_t)snprintf(out + used, len - used, "%s", word);
            in += 6;
        } else {
            out[used++] = *in++;
            out[used] = '\0';
        }
        if (used >= len)
            used = len - 1;
    }
}

/* Checks parameter names: the id always, the settings when allowed, and
 * extra (NULL: none). 0, or the 400 answer. */
static unsigned check_names(const kmesos_api_kind *ak, const kmesos_broker_api_params *p,
                            int settings, const char *extra, json_t **body)
{
    char msg[400];
    if (p->n > MAX_PARAMS) {
        snprintf(msg, sizeof msg, "too many parameters (at most %d)", MAX_PARAMS);
        return error(body, ak->id_name, msg);
    }
    for (size_t i = 0; i < p->n; i++) {
        const char *name = p->names[i];
        if (strcmp(name, ak->id_name) == 0 || (settings && ak->param_known(name)) ||
            (extra && strcmp(name, extra) == 0))
            continue;
        if (!(settings && ak->param_refused &&
              ak->param_refused(ak->kind, name, msg, sizeof msg)))
            snprintf(msg, sizeof msg, "unknown parameter '%s'", name);
        return error(body, name, msg);
    }
    return 0;
}

/* The settings parameters as kafka params (pointers into p): all but the
 * id and clone's "to". */
static kmesos_kafka_params settings_of(const kmesos_api_kind *ak,
                                       const kmesos_broker_api_params *p, const char **names,
                                       const char **values)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], ak->id_name) != 0 && strcmp(p->names[i], "to") != 0) {
            names[n] = p->names[i];
            values[n++] = p->values[i];
        }
    return (kmesos_kafka_params){names, values, n};
}

typedef enum cmd_kind { CMD_LIST, CMD_ADD, CMD_UPDATE, CMD_REMOVE, CMD_START, CMD_STOP,
                        CMD_RESTART, CMD_CLONE, CMD_UNKNOWN } cmd_kind;

static cmd_kind cmd_of(const char *cmd)
{
    static const char *const names[] = {"list", "add", "update", "remove", "start", "stop",
                                        "restart", "clone"};
    for (int i = 0; i < CMD_UNKNOWN; i++)
        if (strcmp(cmd, names[i]) == 0)
            return (cmd_kind)i;
    return CMD_UNKNOWN;
}

/* remove, with its one parameter: purge=true|false. */
static int remove_cmd(const kmesos_api_kind *ak, kmesos_kafka *k, const int *ids, size_t n,
                      const kmesos_kafka_params *kp, const char **field, char *err, size_t errlen)
{
    int purge = 0;
    for (size_t i = 0; i < kp->n; i++) {
        if (strcmp(kp->names[i], "purge") != 0)
            continue;
        int yes = strcmp(kp->values[i], "true") == 0, no = strcmp(kp->values[i], "false") == 0;
        if (!yes && !no) {
            *field = "purge";
            snprintf(err, errlen, "purge: expected true or false");
            return -1;
        }
        purge = yes;
    }
    return ak->remove(k, ak->kind, ids, n, purge, field, err, errlen);
}

/* clone: ids is the one node to copy; `to` names the new ids (none may
 * exist, '*' refused). */
static int clone_cmd(const kmesos_api_kind *ak, kmesos_kafka *k, const int *ids, size_t n,
                     const kmesos_broker_api_params *p, const kmesos_kafka_params *kp,
                     int **to, size_t *n_to, const char **field, char *err, size_t errlen)
{
    const char *expr = param(p, "to");
    char msg[256];
    *field = "to";
    if (n != 1) {
        snprintf(err, errlen, "clone copies one %s: give one id, not %zu", ak->id_name, n);
        *field = ak->id_name;
        return -1;
    }
    if (!expr) {
        snprintf(err, errlen, "to: the ids of the new %s are missing (e.g. to=3..4)",
                 ak->plural);
        return -1;
    }
    if (strcmp(expr, "*") == 0) {
        snprintf(err, errlen, "to: clone takes ids, not '*'");
        return -1;
    }
    if (kmesos_broker_ids_parse(expr, NULL, 0, 0, to, n_to, msg, sizeof msg) != 0) {
        char worded[300];
        reword(msg, ak->id_name, worded, sizeof worded);
        snprintf(err, errlen, "to: %s", worded);
        return -1;
    }
    *field = ak->id_name;
    return ak->clone(k, ak->kind, ids[0], *to, *n_to, kp, field, err, errlen);
}

/* Runs a command on validated ids. */
static unsigned execute(const kmesos_api_kind *ak, kmesos_kafka *k, cmd_kind c, const int *ids,
                        size_t n, const kmesos_broker_api_params *p, json_t **body)
{
    const char *names[MAX_PARAMS], *values[MAX_PARAMS], *field = ak->id_name;
    char err[512] = "";
    kmesos_kafka_params kp = settings_of(ak, p, names, values);
    int rc = 0, kind = ak->kind;
    int *queued = NULL;
    size_t n_queued = 0;
    switch (c) {
    case CMD_ADD: rc = ak->add(k, kind, ids, n, &kp, &field, err, sizeof err); break;
    case CMD_CLONE:
        rc = clone_cmd(ak, k, ids, n, p, &kp, &queued, &n_queued, &field, err, sizeof err);
        break;
    case CMD_UPDATE: rc = ak->update(k, kind, ids, n, &kp, &field, err, sizeof err); break;
    case CMD_REMOVE: rc = remove_cmd(ak, k, ids, n, &kp, &field, err, sizeof err); break;
    case CMD_START: rc = ak->start(k, kind, ids, n, err, sizeof err); break;
    case CMD_STOP: rc = ak->stop(k, kind, ids, n, err, sizeof err); break;
    case CMD_RESTART:
        rc = ak->restart(k, kind, ids, n, &queued, &n_queued, err, sizeof err);
        break;
    default: break;
    }
    if (rc != 0) {
        free(queued);
        return error(body, field, err);
    }
    if (c == CMD_CLONE) { /* the new ones */
        *body = items_json(ak, k, queued, n_queued);
        free(queued);
        return 200;
    }
    if (c == CMD_REMOVE) {
        *body = json_pack("{s:o}", "removed", ids_json(ids, n));
        return 200;
    }
    if (c == CMD_RESTART) {
        *body = json_pack("{s:o}", "restarting", ids_json(queued, n_queued));
        free(queued);
        return 202;
    }
    *body = items_json(ak, k, ids, n);
    return 200;
}

/* Parses the id expression of the request. 0, or the 400 answer. */
static unsigned parse_ids(const kmesos_api_kind *ak, kmesos_kafka *k, cmd_kind c,
                          const kmesos_broker_api_params *p, int **ids, size_t *n, json_t **body)
{
    const char *expr = param(p, ak->id_name);
    char err[256], msg[300];
    if (c == CMD_LIST && !expr)
        expr = "*";
    size_t n_known = 0;
    int *known = ak->ids(k, ak->kind, &n_known);
    int rc = kmesos_broker_ids_parse(expr, known, n_known, c != CMD_ADD, ids, n, err, sizeof err);
    free(known);
    if (rc != 0) {
        reword(err, ak->id_name, msg, sizeof msg);
        return error(body, ak->id_name, msg);
    }
    if (c == CMD_ADD && strcmp(expr, "*") == 0) {
        free(*ids);
        *ids = NULL;
        snprintf(msg, sizeof msg, "%s: add takes ids, not '*'", ak->id_name);
        return error(body, ak->id_name, msg);
    }
    return 0;
}

unsigned kmesos_api_kind_run(const kmesos_api_kind *ak, kmesos_kafka *k, const char *method,
                             const char *cmd, const kmesos_broker_api_params *p, json_t **body)
{
    cmd_kind c = cmd_of(cmd);
    if (c == CMD_UNKNOWN) {
        char msg[64];
        snprintf(msg, sizeof msg, "no such %s command", ak->id_name);
        *body = json_pack("{s:s}", "error", msg);
        return 404;
    }
    if (strcmp(method, "POST") != 0 && !(c == CMD_LIST && strcmp(method, "GET") == 0)) {
        *body = json_pack("{s:s}", "error", "method not allowed");
        return 405;
    }
    unsigned status = check_names(ak, p, c == CMD_ADD || c == CMD_UPDATE || c == CMD_CLONE,
                                  c == CMD_REMOVE ? "purge" : c == CMD_CLONE ? "to" : NULL,
                                  body);
    int *ids = NULL;
    size_t n = 0;
    if (status || (status = parse_ids(ak, k, c, p, &ids, &n, body)) != 0)
        return status;
    status = c == CMD_LIST ? (*body = items_json(ak, k, ids, n), 200)
                           : execute(ak, k, c, ids, n, p, body);
    free(ids);
    return status;
}

/* ---- brokers -------------------------------------------------------------------------------- */

static int *broker_ids(const kmesos_kafka *k, int kind, size_t *n)
{
    (void)kind;
    return kmesos_kafka_ids(k, KMESOS_KAFKA_BROKER, n);
}

static json_t *broker_json(const kmesos_kafka *k, int kind, int id)
{
    (void)kind;
    const kmesos_broker *b = kmesos_kafka_broker(k, id);
    return b ? kmesos_kafka_broker_json(k, b) : NULL;
}

static int broker_add(kmesos_kafka *k, int kind, const int *ids, size_t n,
                      const kmesos_kafka_params *p, const char **field, char *err, size_t errlen)
{
    (void)kind;
    return kmesos_kafka_add(k, KMESOS_KAFKA_BROKER, ids, n, p, field, err, errlen);
}

static int broker_update(kmesos_kafka *k, int kind, const int *ids, size_t n,
                         const kmesos_kafka_params *p, const char **field, char *err,
                         size_t errlen)
{
    (void)kind;
    return kmesos_kafka_update(k, KMESOS_KAFKA_BROKER, ids, n, p, field, err, errlen);
}

static int broker_remove(kmesos_kafka *k, int kind, const int *ids, size_t n, int purge,
                         const char **field, char *err, size_t errlen)
{
    (void)kind;
    return kmesos_kafka_remove(k, KMESOS_KAFKA_BROKER, ids, n, purge, field, err, errlen);
}

static int broker_start(kmesos_kafka *k, int kind, const int *ids, size_t n, char *err,
                        size_t errlen)
{
    (void)kind;
    return kmesos_kafka_start(k, KMESOS_KAFKA_BROKER, ids, n, err, errlen);
}

static int broker_stop(kmesos_kafka *k, int kind, const int *ids, size_t n, char *err,
                       size_t errlen)
{
    (void)kind;
    return kmesos_kafka_stop(k, KMESOS_KAFKA_BROKER, ids, n, err, errlen);
}

static int broker_restart(kmesos_kafka *k, int kind, const int *ids, size_t n, int **out,
                          size_t *n_out, char *err, size_t errlen)
{
    (void)kind;
    return kmesos_kafka_restart(k, KMESOS_KAFKA_BROKER, ids, n, out, n_out, err, errlen);
}

static int broker_clone(kmesos_kafka *k, int kind, int from, const int *ids, size_t n,
                        const kmesos_kafka_params *p, const char **field, char *err,
                        size_t errlen)
{
    (void)kind;
    return kmesos_kafka_clone(k, KMESOS_KAFKA_BROKER, from, ids, n, p, field, err, errlen);
}

static const kmesos_api_kind broker_kind = {
    "broker", "brokers", 0, kmesos_broker_param_known, NULL, broker_ids, broker_json,
    broker_add, broker_update, broker_remove, broker_start, broker_stop, broker_restart,
    broker_clone};

unsigned kmesos_broker_api_run(kmesos_kafka *k, const char *method, const char *cmd,
                               const kmesos_broker_api_params *p, json_t **body)
{
    return kmesos_api_kind_run(&broker_kind, k, method, cmd, p, body);
}

/* ---- tasks/kill ------------------------------------------------------------------------------ */

unsigned kmesos_kafka_api_kill(kmesos_kafka *k, kmesos_task *t, json_t **body)
{
    const kmesos_workload *w = t->workload;
    char what[48], stop[96], note[400], delay[32];
    const kmesos_kafka_node *node = w->ext;
    snprintf(what, sizeof what, "%s %d", kmesos_kafka_kind_name(node->kind), node->id);
    snprintf(stop, sizeof stop, "kmesos %s stop %s", w->kind, strchr(what, ' ') + 1);
    if (t->phase != KMESOS_PHASE_LAUNCHING && t->phase != KMESOS_PHASE_ACTIVE) {
        snprintf(note, sizeof note, "task %s of %s is %s: nothing runs to kill (to keep %s "
                 "from running, use '%s')", t->id, what, kmesos_phase_name(t->phase), what, stop);
        *body = json_pack("{s:s, s:s}", "error", note, "field", "id");
        return 409;
    }
    /* a KILL without stopping the slot: its end takes the failover path;
     * a restart already under way stays one */
    int restarting = t->restarting;
    if (kmesos_scheduler_restart_task(k->sched, t) != 0) {
        *body = json_pack("{s:s, s:s}", "error", "cannot kill the task", "field", "id");
        return 409;
    }
    t->restarting = restarting;
    kmesos_broker_duration_text(
        (double)kmesos_tasks_backoff_ms(&k->sched->tasks, t, t->failures + 1) / 1000.0, delay,
        sizeof delay);
    snprintf(note, sizeof note, "%s stays active: its task is relaunched %s like after any "
             "task loss (a failure, counted toward failover_max_tries); to keep it down use "
             "'%s' (POST /api/%s/stop)", what,
             restarting ? "at once (a restart was under way)" : "after the failover delay", stop,
             w->kind);
    KLOG_INFO(MOD, "tasks/kill: killing %s (%s); failover relaunches it", t->id, what);
    *body = json_pack("{s:s, s:s, s:s, s:s}", "killing", t->id, "workload", what, "relaunch_in",
                      restarting ? "0s" : delay, "note", note);
    return 202;
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

static void add_query(void *arg, const char *name, const char *value)
{
    kmesos_broker_api_param_add(arg, name, value);
}

unsigned kmesos_broker_api_gather(kmesos_httpd_req *req, kmesos_broker_api_params *p,
                                  json_t **body)
{
    size_t len = 0;
    const uint8_t *data = kmesos_httpd_body(req, &len);
    const char *ct = kmesos_httpd_header(req, "Content-Type");
    int rc;
    kmesos_api_param_error e;
    if (len && ct && strncmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return error(body, "body", "the body must be application/x-www-form-urlencoded");
    if (len && (rc = kmesos_broker_api_parse_form(p, (const char *)data, len, &e)))
        return rc == -2 ? error(body, e.field, e.error) : error(body, "body", "out of memory");
    /* every query-string parameter, so that unknown names are refused */
    kmesos_httpd_query_each(req, add_query, p);
    return 0;
}

const char *kmesos_broker_api_param_get(const kmesos_broker_api_params *p, const char *name)
{
    return param(p, name);
}

void kmesos_api_kind_handle(const kmesos_api_kind *ak, kmesos_kafka *k, kmesos_httpd_req *req,
                            const char *cmd)
{
    kmesos_broker_api_params p = {0};
    json_t *body = NULL;
    unsigned status = kmesos_broker_api_gather(req, &p, &body);
    if (!status)
        status = kmesos_api_kind_run(ak, k, kmesos_httpd_method(req), cmd, &p, &body);
    if (status >= 400)
        KLOG_INFO(MOD, "%s %s: %u %s", ak->id_name, cmd, status,
                  json_string_value(json_object_get(body, "error")));
    kmesos_broker_api_params_free(&p);
    kmesos_httpd_reply_json(req, status, body);
}

void kmesos_broker_api_handle(kmesos_kafka *k, kmesos_httpd_req *req, const char *cmd)
{
    kmesos_api_kind_handle(&broker_kind, k, req, cmd);
}
