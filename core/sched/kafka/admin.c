/* admin: topics through librdkafka's Admin API without blocking the loop.
 *
 * The client (ka_client) owns an rd_kafka_t, one event queue and a pipe:
 * librdkafka writes a byte to the pipe when the queue gets an event
 * (rd_kafka_queue_io_event_enable), a uv_poll_t on its read end wakes the
 * loop, and every event is taken off the queue there with a zero timeout:
 * admin results (each carries its operation as opaque), and the client's
 * log lines and errors (its log queue and main queue are forwarded to the
 * same queue). A metadata read is a blocking call in librdkafka, so it
 * runs as a uv_work_t on libuv's thread pool; after an add or an update it
 * also waits there (up to METADATA_SETTLE_MS) until the brokers' metadata
 * shows the change, so that the answer shows it too.
 *
 * An operation (ka_op) is a small state machine of steps: list reads the
 * metadata, then the topics' configs (DescribeConfigs, the dynamic ones);
 * add creates (CreateTopics) and lists; update reads the metadata (the
 * topic must exist, partitions may only grow), the configs, checks the new
 * configs (AlterConfigs, which replaces the set: the current dynamic
 * configs merged with the asked ones) and the new partition count
 * (CreatePartitions) with validate_only, then does both and lists; delete
 * is one DeleteTopics. Kafka's errors come back with their own text. The
 * JSON views and the error mapping are in admin_view.c. */
#include "sched/kafka/admin.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/log.h"
#include "codec/str.h"

#define MOD "kafka-admin"
#define REQUEST_TIMEOUT_MS 15000
#define OPERATION_TIMEOUT_MS 10000
#define METADATA_TIMEOUT_MS 10000
#define METADATA_SETTLE_MS 5000

typedef struct ka_client {
    kmesos_kadmin *a;
    rd_kafka_t *rk;
    rd_kafka_queue_t *q;
    int fds[2];
    uv_poll_t poll;
    uv_work_t work; /* its destruction on the thread pool */
    char *bootstrap;
} ka_client;

typedef enum { KA_LIST, KA_ADD, KA_UPDATE, KA_DELETE, KA_SUMMARY } ka_kind;
typedef enum { ST_META, ST_DESCRIBE, ST_CHECK_CONFIGS, ST_CHECK_PARTITIONS, ST_CONFIGS,
               ST_PARTITIONS, ST_CREATE, ST_DELETE } ka_step;

typedef struct ka_op {
    struct ka_op *next;
    kmesos_kadmin *a;
    ka_client *c;       /* the client it runs on */
    ka_kind kind;
    ka_step step;
    kmesos_kadmin_cb cb; /* NULL: nobody waits */
    void *arg;
    char *name;          /* the topic; NULL: every topic (list) */
    int partitions, rf;  /* asked; 0: not */
    json_t *asked;       /* the asked configs {name: value} */
    json_t *configs;     /* {topic: {name: value}} read by DescribeConfigs */
    json_t *topics;      /* the listed topics (array) */
    int settle;          /* the metadata read waits for the change to show */
    int changed;         /* listing after a change: the topic may not show yet */
    int working;         /* a metadata read is on the thread pool */
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t md_err;
    uv_work_t work;
} ka_op;

struct kmesos_kadmin {
    uv_loop_t *loop;
    ka_client *client;
    ka_op *ops;
    int closing;
    int summary_busy;
    kmesos_kadmin_summary summary;
};

/* ---- operations --------------------------------------------------------------------------- */

static void op_free(ka_op *op)
{
    kmesos_kadmin *a = op->a;
    for (ka_op **p = &a->ops; *p; p = &(*p)->next)
        if (*p == op) {
            *p = op->next;
            break;
        }
    if (op->md)
        rd_kafka_metadata_destroy(op->md);
    json_decref(op->asked);
    json_decref(op->configs);
    json_decref(op->topics);
    free(op->name);
    free(op);
}

static void op_reply(ka_op *op, unsigned status, json_t *body)
{
    if (op->kind == KA_SUMMARY)
        op->a->summary_busy = 0;
    if (op->cb)
        op->cb(op->arg, status, body);
    else
        json_decref(body);
    op_free(op);
}

static void op_error(ka_op *op, unsigned status, const char *field, const char *msg)
{
    op_reply(op, status, kmesos_kadmin_view_error(field, msg));
}

/* The field an error of the current step is about. */
static const char *op_field(const ka_op *op)
{
    switch (op->step) {
    case ST_DESCRIBE:
    case ST_CHECK_CONFIGS:
    case ST_CONFIGS: return "options";
    case ST_CHECK_PARTITIONS:
    case ST_PARTITIONS: return "partitions";
    default: return "topic";
    }
}

static void op_kafka_error(ka_op *op, rd_kafka_resp_err_t err, const char *text)
{
    char msg[600];
    const char *field = NULL;
    unsigned status = kmesos_kadmin_view_status(err, op_field(op), &field);
    snprintf(msg, sizeof msg, "%s%s%s", op->name ? op->name : "", op->name ? ": " : "",
             text && *text ? text : rd_kafka_err2str(err));
    op_error(op, status, field, msg);
}

static ka_op *op_new(kmesos_kadmin *a, ka_kind kind, const char *name, kmesos_kadmin_cb cb,
                     void *arg)
{
    ka_op *op = calloc(1, sizeof *op);
    if (!op || kmesos_str_set(&op->name, name) != 0) {
        free(op);
        if (cb)
            cb(arg, 500, kmesos_kadmin_view_error(NULL, "out of memory"));
        return NULL;
    }
    op->a = a;
    op->kind = kind;
    op->cb = cb;
    op->arg = arg;
    op->work.data = op;
    op->next = a->ops;
    a->ops = op;
    return op;
}

/* ---- the client ------------------------------------------------------------------------------- */

static void client_destroy_work(uv_work_t *w)
{
    ka_client *c = w->data;
    if (c->q)
        rd_kafka_queue_destroy(c->q);
    if (c->rk)
        rd_kafka_destroy(c->rk);
}

static void client_destroyed(uv_work_t *w, int status)
{
    (void)status;
    ka_client *c = w->data;
    close(c->fds[0]);
    close(c->fds[1]);
    free(c->bootstrap);
    free(c);
}

static void client_poll_closed(uv_handle_t *h)
{
    ka_client *c = h->data;
    c->work.data = c;
    if (uv_queue_work(h->loop, &c->work, client_destroy_work, client_destroyed) != 0) {
        client_destroy_work(&c->work); /* not on a loop that runs: here, once */
        client_destroyed(&c->work, 0);
    }
}

/* Stops listening to c; librdkafka is destroyed on the thread pool. */
static void client_retire(ka_client *c)
{
    rd_kafka_queue_io_event_enable(c->q, -1, NULL, 0);
    uv_poll_stop(&c->poll);
    uv_close((uv_handle_t *)&c->poll, client_poll_closed);
}

static void on_event(kmesos_kadmin *a, rd_kafka_event_t *ev);

static void client_readable(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    ka_client *c = h->data;
    char buf[256];
    while (read(c->fds[0], buf, sizeof buf) > 0)
        ;
    rd_kafka_event_t *ev;
    /* an answer may retire this client (a new bootstrap): not while here */
    while (c->a->client == c && (ev = rd_kafka_queue_poll(c->q, 0)) != NULL) {
        on_event(c->a, ev);
        rd_kafka_event_destroy(ev);
    }
}

static rd_kafka_t *client_rk_new(const char *bootstrap, char *err, size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, errlen) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "client.id", "kmesos-scheduler", err, errlen) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "log.queue", "true", err, errlen) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, errlen);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

/* The queue that gets the admin results, the log and the errors, and
 * writes to the pipe. 0 or -1. */
static int client_queue(ka_client *c)
{
    if (!(c->q = rd_kafka_queue_new(c->rk)))
        return -1;
    rd_kafka_queue_t *main_q = rd_kafka_queue_get_main(c->rk);
    if (main_q) {
        rd_kafka_queue_forward(main_q, c->q);
        rd_kafka_queue_destroy(main_q);
    }
    if (rd_kafka_set_log_queue(c->rk, c->q) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    rd_kafka_queue_io_event_enable(c->q, c->fds[1], "1", 1);
    return 0;
}

static ka_client *client_new(kmesos_kadmin *a, const char *bootstrap)
{
    ka_client *c = calloc(1, sizeof *c);
    char err[256] = "";
    if (!c)
        return NULL;
    c->a = a;
    c->fds[0] = c->fds[1] = -1;
    if (pipe(c->fds) != 0 || fcntl(c->fds[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(c->fds[1], F_SETFL, O_NONBLOCK) != 0 || !(c->bootstrap = strdup(bootstrap)) ||
        !(c->rk = client_rk_new(bootstrap, err, sizeof err)) || client_queue(c) != 0 ||
        uv_poll_init(a->loop, &c->poll, c->fds[0]) != 0) {
        KLOG_WARN(MOD, "cannot make a Kafka admin client: %s", *err ? err : "no memory");
        client_destroy_work(&(uv_work_t){.data = c});
        if (c->fds[0] >= 0)
            close(c->fds[0]);
        if (c->fds[1] >= 0)
            close(c->fds[1]);
        free(c->bootstrap);
        free(c);
        return NULL;
    }
    c->poll.data = c;
    uv_poll_start(&c->poll, UV_READABLE, client_readable);
    KLOG_INFO(MOD, "admin client on %s", bootstrap);
    return c;
}

/* The client for bootstrap: the current one, or a new one when the list
 * changed and nothing is under way. NULL: none could be made. */
static ka_client *client_for(kmesos_kadmin *a, const char *bootstrap)
{
    if (a->client && (strcmp(a->client->bootstrap, bootstrap) == 0 || a->ops))
        return a->client;
    if (a->client)
        client_retire(a->client);
    a->client = client_new(a, bootstrap);
    return a->client;
}

/* ---- metadata on the thread pool -------------------------------------------------------------- */

static void metadata_work(uv_work_t *w)
{
    ka_op *op = w->data;
    uint64_t waited = 0;
    for (;;) {
        op->md_err = rd_kafka_metadata(op->c->rk, 1, NULL, &op->md, METADATA_TIMEOUT_MS);
        if (op->md_err || !op->settle || waited >= METADATA_SETTLE_MS ||
            kmesos_kadmin_view_settled(op->md, op->name, op->kind == KA_DELETE, op->partitions))
            return;
        rd_kafka_metadata_destroy(op->md);
        op->md = NULL;
        usleep(200 * 1000);
        waited += 200;
    }
}

static void op_advance(ka_op *op);

static void metadata_done(uv_work_t *w, int status)
{
    ka_op *op = w->data;
    op->working = 0;
    if (op->a->closing) {
        kmesos_kadmin *a = op->a;
        op_free(op);
        if (!a->ops)
            kmesos_kadmin_free(a);
        return;
    }
    if (status != 0 || op->md_err) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot read the cluster's metadata: %s",
                 rd_kafka_err2str(status ? RD_KAFKA_RESP_ERR__FAIL : op->md_err));
        op_error(op, op->md_err == RD_KAFKA_RESP_ERR__TRANSPORT ||
                         op->md_err == RD_KAFKA_RESP_ERR__TIMED_OUT ? 504 : 503,
                 NULL, msg);
        return;
    }
    kmesos_kadmin_view_summary(op->md, uv_now(op->a->loop), &op->a->summary);
    op_advance(op);
}

static void metadata_start(ka_op *op)
{
    op->step = ST_META;
    if (op->md)
        rd_kafka_metadata_destroy(op->md);
    op->md = NULL;
    op->working = 1;
    if (uv_queue_work(op->a->loop, &op->work, metadata_work, metadata_done) != 0) {
        op->working = 0;
        op_error(op, 500, NULL, "cannot queue the metadata request");
    }
}

/* ---- admin requests ------------------------------------------------------------------------------ */

static rd_kafka_AdminOptions_t *op_options(ka_op *op, rd_kafka_admin_op_t which, int validate)
{
    char err[256];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(op->c->rk, which);
    if (!o)
        return NULL;
    rd_kafka_AdminOptions_set_request_timeout(o, REQUEST_TIMEOUT_MS, err, sizeof err);
    if (which != RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS && which != RD_KAFKA_ADMIN_OP_ALTERCONFIGS)
        rd_kafka_AdminOptions_set_operation_timeout(o, OPERATION_TIMEOUT_MS, err, sizeof err);
    if (validate)
        rd_kafka_AdminOptions_set_validate_only(o, 1, err, sizeof err);
    rd_kafka_AdminOptions_set_opaque(o, op);
    return o;
}

/* Reads the dynamic configs of the listed topics (or of op->name). */
static void describe_start(ka_op *op)
{
    op->step = ST_DESCRIBE;
    size_t n = op->topics ? json_array_size(op->topics) : 1;
    if (n == 0) {
        op_advance(op);
        return;
    }
    rd_kafka_ConfigResource_t **res = calloc(n, sizeof *res);
    rd_kafka_AdminOptions_t *o = res ? op_options(op, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, 0) : NULL;
    for (size_t i = 0; o && i < n; i++) {
        const char *name = op->topics ? json_string_value(json_object_get(
                                            json_array_get(op->topics, i), "name"))
                                      : op->name;
        res[i] = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
    }
    if (o)
        rd_kafka_DescribeConfigs(op->c->rk, res, n, o, op->c->q);
    for (size_t i = 0; res && i < n; i++)
        if (res[i])
            rd_kafka_ConfigResource_destroy(res[i]);
    free(res);
    if (o)
        rd_kafka_AdminOptions_destroy(o);
    else
        op_error(op, 500, NULL, "out of memory");
}

/* AlterConfigs of op->name with its current dynamic configs merged with
 * the asked ones. */
static void alter_start(ka_op *op, int validate)
{
    op->step = validate ? ST_CHECK_CONFIGS : ST_CONFIGS;
    json_t *merged = kmesos_kadmin_view_merge(json_object_get(op->configs, op->name), op->asked);
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, op->name);
    rd_kafka_AdminOptions_t *o = op_options(op, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, validate);
    const char *key;
    json_t *v;
    int ok = merged && res && o;
    json_object_foreach(merged, key, v)
        if (ok && rd_kafka_ConfigResource_set_config(res, key, json_string_value(v)) != 0)
            ok = 0;
    if (ok)
        rd_kafka_AlterConfigs(op->c->rk, &res, 1, o, op->c->q);
    json_decref(merged);
    if (res)
        rd_kafka_ConfigResource_destroy(res);
    if (o)
        rd_kafka_AdminOptions_destroy(o);
    if (!ok)
        op_error(op, 500, NULL, "out of memory");
}

static void partitions_start(ka_op *op, int validate)
{
    op->step = validate ? ST_CHECK_PARTITIONS : ST_PARTITIONS;
    char err[256] = "out of memory";
    rd_kafka_NewPartitions_t *np =
        rd_kafka_NewPartitions_new(op->name, (size_t)op->partitions, err, sizeof err);
    rd_kafka_AdminOptions_t *o = np ? op_options(op, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, validate)
                                    : NULL;
    if (o)
        rd_kafka_CreatePartitions(op->c->rk, &np, 1, o, op->c->q);
    if (np)
        rd_kafka_NewPartitions_destroy(np);
    if (o)
        rd_kafka_AdminOptions_destroy(o);
    else
        op_error(op, 400, "partitions", err);
}

static void create_start(ka_op *op)
{
    op->step = ST_CREATE;
    char err[512] = "out of memory";
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(op->name, op->partitions ? op->partitions : -1,
                                                    op->rf ? op->rf : -1, err, sizeof err);
    const char *key;
    json_t *v;
    json_object_foreach(op->asked, key, v)
        if (nt && rd_kafka_NewTopic_set_config(nt, key, json_string_value(v)) != 0) {
            rd_kafka_NewTopic_destroy(nt);
            nt = NULL;
        }
    rd_kafka_AdminOptions_t *o = nt ? op_options(op, RD_KAFKA_ADMIN_OP_CREATETOPICS, 0) : NULL;
    if (o)
        rd_kafka_CreateTopics(op->c->rk, &nt, 1, o, op->c->q);
    if (nt)
        rd_kafka_NewTopic_destroy(nt);
    if (o)
        rd_kafka_AdminOptions_destroy(o);
    else
        op_error(op, 400, "topic", err);
}

static void delete_start(ka_op *op)
{
    op->step = ST_DELETE;
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(op->name);
    rd_kafka_AdminOptions_t *o = dt ? op_options(op, RD_KAFKA_ADMIN_OP_DELETETOPICS, 0) : NULL;
    if (o)
        rd_kafka_DeleteTopics(op->c->rk, &dt, 1, o, op->c->q);
    if (dt)
        rd_kafka_DeleteTopic_destroy(dt);
    if (o)
        rd_kafka_AdminOptions_destroy(o);
    else
        op_error(op, 500, NULL, "out of memory");
}

/* ---- the steps ------------------------------------------------------------------------------- */

/* After the metadata of an update: the topic exists, partitions only grow. */
static void update_checked(ka_op *op)
{
    int current = kmesos_kadmin_view_partitions(op->md, op->name);
    char msg[400];
    if (current < 0) {
        snprintf(msg, sizeof msg, "unknown topic '%s'", op->name);
        op_error(op, 404, "topic", msg);
        return;
    }
    if (op->partitions && op->partitions < current) {
        snprintf(msg, sizeof msg, "partitions: topic '%s' has %d partitions; their number can "
                 "only grow (asked %d)", op->name, current, op->partitions);
        op_error(op, 400, "partitions", msg);
        return;
    }
    if (op->partitions == current)
        op->partitions = 0; /* nothing to do */
    if (json_object_size(op->asked))
        describe_start(op);
    else if (op->partitions)
        partitions_start(op, 1);
    else
        op_advance(op);
}

/* The answer of a list, or its next step. */
static void list_step(ka_op *op)
{
    if (op->step == ST_META) {
        json_decref(op->topics);
        op->topics = kmesos_kadmin_view_topics(op->md, op->name);
        if (op->name && json_array_size(op->topics) == 0 && op->changed) {
            json_t *body = json_pack("{s:[{s:s, s:s}]}", "topics", "name", op->name, "note",
                                     "not in the brokers' metadata yet");
            op_reply(op, 200, body);
            return;
        }
        if (op->name && json_array_size(op->topics) == 0) {
            char msg[300];
            snprintf(msg, sizeof msg, "unknown topic '%s'", op->name);
            op_error(op, 404, "topic", msg);
            return;
        }
        describe_start(op);
        return;
    }
    kmesos_kadmin_view_attach_configs(op->topics, op->configs);
    json_t *body = json_pack("{s:O}", "topics", op->topics);
    op_reply(op, body ? 200 : 500, body ? body : kmesos_kadmin_view_error(NULL, "out of memory"));
}

/* After a change: list the topic once the metadata shows it. */
static void relist(ka_op *op)
{
    op->kind = KA_LIST;
    op->settle = op->changed = 1;
    json_decref(op->configs);
    op->configs = NULL;
    metadata_start(op);
}

static void update_step(ka_op *op)
{
    int configs = json_object_size(op->asked) > 0;
    switch (op->step) {
    case ST_META: update_checked(op); return;
    case ST_DESCRIBE: alter_start(op, 1); return;
    case ST_CHECK_CONFIGS:
        if (op->partitions)
            partitions_start(op, 1);
        else
            alter_start(op, 0);
        return;
    case ST_CHECK_PARTITIONS:
        if (configs)
            alter_start(op, 0);
        else
            partitions_start(op, 0);
        return;
    case ST_CONFIGS:
        if (op->partitions)
            partitions_start(op, 0);
        else
            relist(op);
        return;
    default: relist(op); return;
    }
}

static void op_advance(ka_op *op)
{
    switch (op->kind) {
    case KA_SUMMARY: op_reply(op, 200, NULL); return;
    case KA_LIST: list_step(op); return;
    case KA_UPDATE: update_step(op); return;
    case KA_ADD: relist(op); return;
    case KA_DELETE: {
        json_t *body = json_pack("{s:[s]}", "deleted", op->name);
        op_reply(op, 200, body);
        return;
    }
    }
}

/* ---- events ------------------------------------------------------------------------------ */

static void on_log(rd_kafka_event_t *ev)
{
    const char *fac = NULL, *text = NULL;
    int level = 7;
    if (rd_kafka_event_log(ev, &fac, &text, &level) != 0)
        return;
    if (level <= 2) /* syslog levels: connection refusals (3) are routine during restarts */
        KLOG_WARN(MOD, "librdkafka %s: %s", fac ? fac : "", text ? text : "");
    else
        KLOG_DEBUG(MOD, "librdkafka %s: %s", fac ? fac : "", text ? text : "");
}

static void on_result(ka_op *op, rd_kafka_event_t *ev)
{
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    if (err) {
        op_kafka_error(op, err, rd_kafka_event_error_string(ev));
        return;
    }
    const char *text = NULL;
    err = kmesos_kadmin_view_result(ev, op->name, &text);
    if (op->step == ST_DESCRIBE && !err) {
        json_decref(op->configs);
        op->configs = kmesos_kadmin_view_configs(ev);
    }
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && op->name) {
        char msg[300];
        snprintf(msg, sizeof msg, "unknown topic '%s'", op->name);
        op_error(op, 404, "topic", msg);
    } else if (err)
        op_kafka_error(op, err, text);
    else
        op_advance(op);
}

static void on_event(kmesos_kadmin *a, rd_kafka_event_t *ev)
{
    switch (rd_kafka_event_type(ev)) {
    case RD_KAFKA_EVENT_LOG: on_log(ev); return;
    case RD_KAFKA_EVENT_ERROR:
        KLOG_DEBUG(MOD, "librdkafka: %s", rd_kafka_event_error_string(ev));
        return;
    default: break;
    }
    ka_op *op = rd_kafka_event_opaque(ev);
    for (ka_op *o = a->ops; op && o; o = o->next)
        if (o == op) {
            on_result(op, ev);
            return;
        }
}

/* ---- the interface ------------------------------------------------------------------------ */

kmesos_kadmin *kmesos_kadmin_new(uv_loop_t *loop)
{
    kmesos_kadmin *a = calloc(1, sizeof *a);
    if (a)
        a->loop = loop;
    return a;
}

void kmesos_kadmin_free(kmesos_kadmin *a)
{
    if (!a)
        return;
    a->closing = 1;
    ka_op *op = a->ops, *keep = NULL;
    a->ops = NULL;
    while (op) { /* those on the thread pool end in metadata_done */
        ka_op *next = op->next;
        op->next = NULL;
        if (op->working) {
            op->next = keep;
            keep = op;
        } else {
            a->ops = op;
            op_free(op); /* unlinks it: a->ops is NULL again */
        }
        op = next;
    }
    a->ops = keep;
    if (a->ops)
        return; /* the last metadata_done calls this again */
    if (a->client)
        client_retire(a->client);
    free(a);
}

/* The client and the operation, or an answer already given. */
static ka_op *op_begin(kmesos_kadmin *a, const char *bootstrap, ka_kind kind, const char *name,
                       kmesos_kadmin_cb cb, void *arg)
{
    if (!bootstrap || !*bootstrap) {
        if (cb)
            cb(arg, 503, kmesos_kadmin_view_error(NULL, "no broker is running"));
        return NULL;
    }
    ka_client *c = client_for(a, bootstrap);
    if (!c) {
        if (cb)
            cb(arg, 503, kmesos_kadmin_view_error(NULL, "cannot make a Kafka admin client"));
        return NULL;
    }
    ka_op *op = op_new(a, kind, name, cb, arg);
    if (op)
        op->c = c;
    return op;
}

/* The asked configs as an object, or -1 (answered). */
static int op_configs(ka_op *op, const kmesos_kadmin_topic *t)
{
    op->asked = json_object();
    for (size_t i = 0; op->asked && i < t->n_configs; i++)
        if (json_object_set_new(op->asked, t->config_names[i],
                                json_string(t->config_values[i])) != 0) {
            op_error(op, 400, "options", "options: a name or value is not UTF-8");
            return -1;
        }
    if (op->asked)
        return 0;
    op_error(op, 500, NULL, "out of memory");
    return -1;
}

void kmesos_kadmin_list(kmesos_kadmin *a, const char *bootstrap, const char *name,
                        kmesos_kadmin_cb cb, void *arg)
{
    ka_op *op = op_begin(a, bootstrap, KA_LIST, name, cb, arg);
    if (op)
        metadata_start(op);
}

void kmesos_kadmin_add(kmesos_kadmin *a, const char *bootstrap, const kmesos_kadmin_topic *t,
                       kmesos_kadmin_cb cb, void *arg)
{
    ka_op *op = op_begin(a, bootstrap, KA_ADD, t->name, cb, arg);
    if (!op || op_configs(op, t) != 0)
        return;
    op->partitions = t->partitions;
    op->rf = t->replication_factor;
    create_start(op);
}

void kmesos_kadmin_update(kmesos_kadmin *a, const char *bootstrap,
                          const kmesos_kadmin_topic *t, kmesos_kadmin_cb cb, void *arg)
{
    ka_op *op = op_begin(a, bootstrap, KA_UPDATE, t->name, cb, arg);
    if (!op || op_configs(op, t) != 0)
        return;
    op->partitions = t->partitions;
    metadata_start(op);
}

void kmesos_kadmin_delete(kmesos_kadmin *a, const char *bootstrap, const char *name,
                          kmesos_kadmin_cb cb, void *arg)
{
    ka_op *op = op_begin(a, bootstrap, KA_DELETE, name, cb, arg);
    if (op)
        delete_start(op);
}

void kmesos_kadmin_summary_get(kmesos_kadmin *a, const char *bootstrap, uint64_t max_age_ms,
                               kmesos_kadmin_summary *out)
{
    *out = a->summary;
    uint64_t now = uv_now(a->loop);
    if (a->summary_busy || !bootstrap || !*bootstrap ||
        (a->summary.known && now - a->summary.at_ms < max_age_ms))
        return;
    ka_op *op = op_begin(a, bootstrap, KA_SUMMARY, NULL, NULL, NULL);
    if (!op)
        return;
    a->summary_busy = 1;
    metadata_start(op);
}
