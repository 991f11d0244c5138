/* rebalance_api: the HTTP face of kafka/rebalance.h (rebalance_api.h).
 * Parameters come from the form body and the query string as in
 * broker_api.c (whose parser this reuses); the answer may come later:
 * the request waits, suspended, until the rebalance module knows its
 * plan, and is then answered through rb_reply. A remove without force
 * while brokers run goes through the drain; everything else about
 * remove is broker_api's. */
#include "sched/api/rebalance_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/api/broker_api.h"

static unsigned rb_error(json_t **body, const char *field, const char *message)
{
    *body = json_pack("{s:s, s:s}", "error", message, "field", field);
    return 400;
}

static const char *rb_param(const kmesos_broker_api_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->values[i];
    return NULL;
}

static void rb_reply(void *arg, unsigned status, json_t *body)
{
    kmesos_httpd_reply_json(arg, status, body);
}

/* 0 when every parameter is one of names[] (NULL-ended), else the 400. */
static unsigned rb_names(const kmesos_broker_api_params *p, const char *const *names,
                         json_t **body)
{
    for (size_t i = 0; i < p->n; i++) {
        size_t j = 0;
        while (names[j] && strcmp(names[j], p->names[i]) != 0)
            j++;
        if (!names[j]) {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown parameter '%.100s'", p->names[i]);
            return rb_error(body, p->names[i], msg);
        }
    }
    return 0;
}

/* true, false or absent (0): 1/0 into *yes, or -1. */
static int rb_bool(const kmesos_broker_api_params *p, const char *name, int *yes)
{
    const char *v = rb_param(p, name);
    *yes = v && strcmp(v, "true") == 0;
    return !v || *yes || strcmp(v, "false") == 0 ? 0 : -1;
}

/* POST|GET /api/broker/rebalance. 0 when answered later. */
static unsigned rb_rebalance(kmesos_rebalance *rb, kmesos_httpd_req *req, const char *method,
                             const kmesos_broker_api_params *p, json_t **body)
{
    static const char *const names[] = {"broker", "topics", "throttle", "cancel", NULL};
    char err[600] = "";
    const char *field = "broker";
    int cancel = 0;
    if (strcmp(method, "GET") == 0 || (strcmp(method, "POST") == 0 && p->n == 0)) {
        *body = json_pack("{s:o}", "rebalance", kmesos_rebalance_json(rb));
        return 200;
    }
    if (strcmp(method, "POST") != 0) {
        *body = json_pack("{s:s}", "error", "method not allowed");
        return 405;
    }
    unsigned st = rb_names(p, names, body);
    if (st)
        return st;
    if (rb_bool(p, "cancel", &cancel) != 0)
        return rb_error(body, "cancel", "cancel: expected true or false");
    if (cancel)
        return kmesos_rebalance_cancel(rb, rb_reply, req, err, sizeof err) == 0
                   ? 0 : rb_error(body, "cancel", err);
    kmesos_rebalance_req rq = {rb_param(p, "broker"), rb_param(p, "topics"),
                               rb_param(p, "throttle")};
    if (!rq.brokers)
        return rb_error(body, "broker", "broker: the target brokers are missing (e.g. "
                                        "broker=*)");
    if (kmesos_rebalance_start(rb, &rq, rb_reply, req, &field, err, sizeof err) != 0)
        return rb_error(body, field, err);
    return 0;
}

/* POST /api/broker/remove: a drain when brokers run and force is not
 * given; else broker_api's remove (force taken out). 0 when answered later. */
static unsigned rb_remove(kmesos_rebalance *rb, kmesos_kafka *k, kmesos_httpd_req *req,
                          kmesos_broker_api_params *p, json_t **body)
{
    static const char *const names[] = {"broker", "purge", "force", NULL};
    int force = 0, purge = 0;
    unsigned st = rb_names(p, names, body);
    if (st)
        return st;
    if (rb_bool(p, "force", &force) != 0)
        return rb_error(body, "force", "force: expected true or false");
    if (rb_bool(p, "purge", &purge) != 0)
        return rb_error(body, "purge", "purge: expected true or false");
    char *boot = kmesos_kafka_bootstrap(k);
    int running = boot && *boot;
    free(boot);
    int *ids = NULL;
    size_t n = 0, n_known = 0;
    char err[600];
    const char *field = "broker";
    int *known = kmesos_kafka_ids(k, KMESOS_KAFKA_BROKER, &n_known);
    const char *expr = rb_param(p, "broker");
    int rc = kmesos_broker_ids_parse(expr, known, n_known, 1, &ids, &n, err, sizeof err);
    free(known);
    if (rc == 0 && (force || !running || strcmp(kmesos_httpd_method(req), "POST") != 0)) {
        free(ids);
        kmesos_broker_api_params rest = {0};
        for (size_t i = 0; i < p->n; i++)
            if (strcmp(p->names[i], "force") != 0)
                kmesos_broker_api_param_add(&rest, p->names[i], p->values[i]);
        st = kmesos_broker_api_run(k, kmesos_httpd_method(req), "remove", &rest, body);
        kmesos_broker_api_params_free(&rest);
        return st;
    }
    if (rc == 0 && (rc = kmesos_kafka_remove_check(k, KMESOS_KAFKA_BROKER, ids, n, err,
                                                   sizeof err)) == 0)
        rc = kmesos_rebalance_drain(rb, ids, n, purge, rb_reply, req, &field, err, sizeof err);
    free(ids);
    return rc == 0 ? 0 : rb_error(body, field, err);
}

static void rb_add_query(void *arg, const char *name, const char *value)
{
    kmesos_broker_api_param_add(arg, name, value);
}

void kmesos_rebalance_api_handle(kmesos_rebalance *rb, kmesos_kafka *k, kmesos_httpd_req *req,
                                 const char *cmd)
{
    kmesos_broker_api_params p = {0};
    size_t len = 0;
    const uint8_t *data = kmesos_httpd_body(req, &len);
    const char *ct = kmesos_httpd_header(req, "Content-Type");
    json_t *body = NULL;
    unsigned status;
    int rc;
    kmesos_api_param_error e;
    if (len && ct && strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
        status = rb_error(&body, "body", "the body must be application/x-www-form-urlencoded");
    } else if (len && (rc = kmesos_broker_api_parse_form(&p, (const char *)data, len, &e))) {
        status = rc == -2 ? rb_error(&body, e.field, e.error)
                          : rb_error(&body, "body", "out of memory");
    } else {
        kmesos_httpd_query_each(req, rb_add_query, &p);
        status = strcmp(cmd, "remove") == 0
                     ? rb_remove(rb, k, req, &p, &body)
                     : rb_rebalance(rb, req, kmesos_httpd_method(req), &p, &body);
    }
    kmesos_broker_api_params_free(&p);
    if (status)
        kmesos_httpd_reply_json(req, status, body);
}
