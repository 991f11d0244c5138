/* broker_log: the tail of a broker's sandbox file for the admin API,
 * read from its agent the way the Mesos web UI does.
 *
 * One request walks four one-shot calls on the scheduler's libcurl
 * transport, never blocking the loop: the master's /master/state (the
 * agent of the broker's task: its pid slave(1)@IP:PORT), the agent's
 * /state (the executor's "directory", the sandbox), /files/read with
 * offset=-1 (the file's size), then /files/read of the last 64 KiB (a
 * Mesos agent's largest read), split into lines. The file is the
 * broker's own output, which kmesos-executor writes to
 * <task_id>.stdout / <task_id>.stderr in the sandbox (the sandbox's
 * stdout/stderr hold the fetcher's and the executor's logs). The HTTP
 * request is answered from the last callback (httpd keeps it suspended
 * until then). These endpoints do not check the method, so the
 * transport's POST with an empty body reads them. The scheduler's
 * credentials (--principal/--secret-file) go with each call, as a master
 * with --authenticate_http_readonly and its agents want them, but only
 * when the session may send them to the leader (kmesos_session_leader_trusted)
 * and then only to it and to the agent it names. */
#include "sched/api/broker_log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/idexpr.h"
#include "codec/log.h"
#include "codec/num.h"
#include "codec/str.h"
#include "net/transport.h"

#define MOD "api"
#define LOG_WINDOW (64 * 1024)
#define LOG_TIMEOUT_MS 10000
#define LOG_MAX_LINES 10000

typedef enum { STEP_MASTER, STEP_AGENT, STEP_SIZE, STEP_READ } log_step;

typedef struct log_call {
    struct log_call *next;
    kmesos_broker_log *bl;
    kmesos_httpd_req *req;
    kmesos_transport_req *treq;
    log_step step;
    int broker;
    char name[8];
    long lines;
    char *task_id, *agent_id;
    char *master;  /* scheme://host:port */
    char *agent;   /* http://ip:port */
    char *path;    /* sandbox file */
    long long size;
    int credentials; /* send them (the leader may have them) */
} log_call;

struct kmesos_broker_log {
    kmesos_transport *t;
    log_call *calls;
    char *principal, *secret; /* NULL: none */
};

/* ---- helpers ------------------------------------------------------------------------------ */

static void log_reply_error(kmesos_httpd_req *req, unsigned status, const char *field,
                            const char *msg)
{
    json_t *j = field ? json_pack("{s:s, s:s}", "error", msg, "field", field)
                      : json_pack("{s:s}", "error", msg);
    kmesos_httpd_reply_json(req, status, j);
}

/* Percent-encodes s for a query string (malloc'd). */
static char *url_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    if (!out)
        return NULL;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("-_.~/", *c)) {
            *o++ = (char)*c;
        } else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* scheme://host:port of url (malloc'd), or NULL. */
static char *url_base(const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p)
        return NULL;
    const char *slash = strchr(p + 3, '/');
    size_t n = slash ? (size_t)(slash - url) : strlen(url);
    return strndup(url, n);
}

static void call_free(log_call *c)
{
    log_call **pp = &c->bl->calls;
    while (*pp && *pp != c)
        pp = &(*pp)->next;
    if (*pp)
        *pp = c->next;
    free(c->task_id);
    free(c->agent_id);
    free(c->master);
    free(c->agent);
    free(c->path);
    free(c);
}

/* Ends c with an error answer. */
static void call_fail(log_call *c, unsigned status, const char *msg)
{
    KLOG_INFO(MOD, "broker log %d: %u %s", c->broker, status, msg);
    log_reply_error(c->req, status, NULL, msg);
    call_free(c);
}

/* ---- the tail -------------------------------------------------------------------------------- */

json_t *kmesos_broker_log_tail(const char *data, size_t len, int from_start, long n)
{
    const char *p = data, *end = data + len;
    if (!from_start) { /* the first line was cut by the window */
        const char *nl = memchr(p, '\n', len);
        p = nl ? nl + 1 : end;
    }
    if (end > p && end[-1] == '\n')
        end--;
    const char *start = end; /* walk back over n lines */
    for (long got = 0; start > p;) {
        const char *q = start;
        while (q > p && q[-1] != '\n')
            q--;
        if (++got == n || q == p) {
            start = q;
            break;
        }
        start = q - 1; /* the newline that ends the line before */
    }
    json_t *arr = json_array();
    while (arr && start < end && n > 0) {
        const char *nl = memchr(start, '\n', (size_t)(end - start));
        const char *stop = nl ? nl : end;
        json_t *s = json_stringn(start, (size_t)(stop - start));
        if (!s || json_array_append_new(arr, s) != 0) {
            json_decref(arr);
            return NULL;
        }
        start = nl ? nl + 1 : end;
    }
    return arr;
}

/* ---- steps -------------------------------------------------------------------------------------- */

static void on_done(void *arg, const kmesos_transport_result *res);

/* Starts the one-shot call of c's step to base+path. */
static void call_start(log_call *c, const char *base, const char *path)
{
    char *url = NULL;
    if (asprintf(&url, "%s%s", base, path) < 0) {
        call_fail(c, 500, "out of memory");
        return;
    }
    kmesos_broker_log *bl = c->bl;
    kmesos_transport_request r = {.url = url, .timeout_ms = LOG_TIMEOUT_MS,
                                  .user = c->credentials ? bl->principal : NULL,
                                  .secret = c->credentials ? bl->secret : NULL};
    c->treq = kmesos_transport_post(c->bl->t, &r, on_done, c);
    free(url);
    if (!c->treq)
        call_fail(c, 500, "cannot start an HTTP request");
}

static void read_file(log_call *c, long long offset, long long length)
{
    char *path = url_escape(c->path), *q = NULL;
    if (!path || asprintf(&q, "/files/read?path=%s&offset=%lld&length=%lld", path, offset,
                          length) < 0) {
        free(path);
        call_fail(c, 500, "out of memory");
        return;
    }
    free(path);
    call_start(c, c->agent, q);
    free(q);
}

/* The agent's address from the master's state (its pid slave(1)@IP:PORT). */
static int from_master(log_call *c, json_t *j)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(j, "slaves"), i, a) {
        const char *id = json_string_value(json_object_get(a, "id"));
        const char *pid = json_string_value(json_object_get(a, "pid"));
        const char *at = pid ? strchr(pid, '@') : NULL;
        if (id && at && strcmp(id, c->agent_id) == 0)
            return asprintf(&c->agent, "http://%s", at + 1) < 0 ? (c->agent = NULL, -1) : 0;
    }
    return -1;
}

/* Does executor e run (or has it run) task_id? */
static int exec_has_task(json_t *e, const char *task_id)
{
    const char *id = json_string_value(json_object_get(e, "id"));
    if (id && strcmp(id, task_id) == 0)
        return 1;
    static const char *const lists[] = {"tasks", "completed_tasks", "queued_tasks"};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(e, lists[l]), i, t) {
            const char *tid = json_string_value(json_object_get(t, "id"));
            if (tid && strcmp(tid, task_id) == 0)
                return 1;
        }
    }
    return 0;
}

/* The sandbox of the broker's executor from the agent's state. */
static int from_agent(log_call *c, json_t *j)
{
    static const char *const fws[] = {"frameworks", "completed_frameworks"};
    static const char *const execs[] = {"executors", "completed_executors"};
    for (size_t f = 0; f < 2; f++) {
        size_t i, k;
        json_t *fw, *e;
        json_array_foreach(json_object_get(j, fws[f]), i, fw)
            for (size_t x = 0; x < 2; x++)
                json_array_foreach(json_object_get(fw, execs[x]), k, e) {
                    const char *dir = json_string_value(json_object_get(e, "directory"));
                    if (dir && exec_has_task(e, c->task_id))
                        return asprintf(&c->path, "%s/%s.%s", dir, c->task_id, c->name) < 0
                                   ? (c->path = NULL, -1) : 0;
                }
    }
    return -1;
}

static void answer(log_call *c, json_t *j, long long offset)
{
    const char *data = json_string_value(json_object_get(j, "data"));
    size_t len = json_string_length(json_object_get(j, "data"));
    json_t *lines = kmesos_broker_log_tail(data ? data : "", data ? len : 0, offset == 0,
                                           c->lines);
    json_t *body = lines ? json_pack("{s:i, s:s, s:s, s:s, s:I, s:o}", "broker", c->broker,
                                     "name", c->name, "agent", c->agent, "path", c->path,
                                     "size", (json_int_t)c->size, "lines", lines)
                         : NULL;
    if (!body) {
        call_fail(c, 500, "out of memory");
        return;
    }
    kmesos_httpd_reply_json(c->req, 200, body);
    call_free(c);
}

/* One step's JSON answer arrived. */
static void step(log_call *c, json_t *j)
{
    char msg[256];
    switch (c->step) {
    case STEP_MASTER:
        if (from_master(c, j) != 0) {
            snprintf(msg, sizeof msg, "agent %s of broker %d is not known to the master",
                     c->agent_id, c->broker);
            call_fail(c, 404, msg);
            return;
        }
        c->step = STEP_AGENT;
        call_start(c, c->agent, "/state");
        return;
    case STEP_AGENT:
        if (from_agent(c, j) != 0) {
            snprintf(msg, sizeof msg, "the sandbox of task %s is not on agent %s", c->task_id,
                     c->agent_id);
            call_fail(c, 404, msg);
            return;
        }
        c->step = STEP_SIZE;
        read_file(c, -1, 0);
        return;
    case STEP_SIZE:
        c->size = json_integer_value(json_object_get(j, "offset"));
        c->step = STEP_READ;
        long long off = c->size > LOG_WINDOW ? c->size - LOG_WINDOW : 0;
        read_file(c, off, LOG_WINDOW);
        return;
    case STEP_READ:
        answer(c, j, json_integer_value(json_object_get(j, "offset")));
        return;
    }
}

static void on_done(void *arg, const kmesos_transport_result *res)
{
    log_call *c = arg;
    c->treq = NULL;
    char msg[512];
    if (res->curl_code != 0 || res->status != 200) {
        snprintf(msg, sizeof msg, "%s %s: %s", c->step == STEP_MASTER ? "master" : "agent",
                 c->step == STEP_MASTER ? c->master : c->agent,
                 res->curl_code ? res->error : res->body);
        call_fail(c, res->status == 404 ? 404 : 502, msg);
        return;
    }
    json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
    if (!j) {
        call_fail(c, 502, "the agent or master answered something that is not JSON");
        return;
    }
    step(c, j);
    json_decref(j);
}

/* ---- the request ---------------------------------------------------------------------------- */

static void check_name(void *arg, const char *name, const char *value)
{
    (void)value;
    const char **bad = arg;
    if (!*bad && strcmp(name, "broker") != 0 && strcmp(name, "name") != 0 &&
        strcmp(name, "lines") != 0)
        *bad = name;
}

/* The one id of a "broker=" (the id-expression grammar, one plain id). */
static int log_one_id(long from, long to, void *arg)
{
    long *id = arg;
    if (from != to || *id >= 0)
        return -1;
    *id = from;
    return 0;
}

/* Parses the parameters into c; 0, or -1 after answering 400. */
static int parse(log_call *c, kmesos_httpd_req *req)
{
    const char *bad = NULL, *b = kmesos_httpd_query(req, "broker");
    const char *name = kmesos_httpd_query(req, "name"), *lines = kmesos_httpd_query(req, "lines");
    char msg[256];
    kmesos_httpd_query_each(req, check_name, &bad);
    if (bad) {
        snprintf(msg, sizeof msg, "unknown parameter '%.64s'", bad);
        log_reply_error(req, 400, bad, msg);
        return -1;
    }
    long id = -1;
    char why[128];
    if (kmesos_idexpr_walk(b, 99999, log_one_id, &id, why, sizeof why) != 0 || id < 0) {
        log_reply_error(req, 400, "broker", "broker: expected one broker id (0..99999)");
        return -1;
    }
    if (name && strcmp(name, "stdout") != 0 && strcmp(name, "stderr") != 0) {
        log_reply_error(req, 400, "name", "name: expected stdout or stderr");
        return -1;
    }
    long long n = 100;
    if (lines && kmesos_num_int(lines, 1, LOG_MAX_LINES, &n) != KMESOS_NUM_OK) {
        log_reply_error(req, 400, "lines", "lines: expected a number from 1 to 10000");
        return -1;
    }
    c->broker = (int)id;
    snprintf(c->name, sizeof c->name, "%s", name ? name : "stdout");
    c->lines = (long)n;
    return 0;
}

/* The broker's last task: 0, or -1 after answering. */
static int find_task(log_call *c, kmesos_kafka *k, kmesos_httpd_req *req)
{
    char msg[128];
    kmesos_broker *b = kmesos_kafka_broker(k, c->broker);
    kmesos_task *t = b ? kmesos_kafka_task(k, &b->node) : NULL;
    if (!b) {
        snprintf(msg, sizeof msg, "broker: unknown broker id %d", c->broker);
        log_reply_error(req, 400, "broker", msg);
        return -1;
    }
    if (!t || !t->agent_id || !t->id) {
        snprintf(msg, sizeof msg, "broker %d has not been launched yet", c->broker);
        log_reply_error(req, 404, NULL, msg);
        return -1;
    }
    c->task_id = strdup(t->id);
    c->agent_id = strdup(t->agent_id);
    if (c->task_id && c->agent_id)
        return 0;
    log_reply_error(req, 500, NULL, "out of memory");
    return -1;
}

void kmesos_broker_log_handle(kmesos_broker_log *bl, kmesos_kafka *k, const char *master_url,
                              int trusted, kmesos_httpd_req *req)
{
    if (strcmp(kmesos_httpd_method(req), "GET") != 0) {
        log_reply_error(req, 405, NULL, "method not allowed");
        return;
    }
    if (!bl || !k) {
        log_reply_error(req, 503, NULL, "broker log is not available");
        return;
    }
    log_call *c = calloc(1, sizeof *c);
    if (!c) {
        log_reply_error(req, 500, NULL, "out of memory");
        return;
    }
    c->bl = bl;
    c->req = req;
    c->next = bl->calls;
    bl->calls = c;
    if (parse(c, req) != 0 || find_task(c, k, req) != 0) {
        call_free(c);
        return;
    }
    if (!(c->master = url_base(master_url))) {
        call_fail(c, 503, "no leading master known yet");
        return;
    }
    c->credentials = trusted && bl->principal && bl->secret;
    c->step = STEP_MASTER;
    call_start(c, c->master, "/master/state");
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

kmesos_broker_log *kmesos_broker_log_new(uv_loop_t *loop, const char *principal,
                                         const char *secret)
{
    kmesos_broker_log *bl = calloc(1, sizeof *bl);
    if (bl && (kmesos_str_set(&bl->principal, principal) != 0 ||
               kmesos_str_set(&bl->secret, secret) != 0 ||
               !(bl->t = kmesos_transport_new(loop, NULL)))) {
        free(bl->principal);
        free(bl->secret);
        free(bl);
        bl = NULL;
    }
    return bl;
}

static void on_closed(void *arg)
{
    kmesos_broker_log *bl = arg;
    free(bl->principal);
    free(bl->secret);
    free(bl);
}

void kmesos_broker_log_free(kmesos_broker_log *bl)
{
    if (!bl)
        return;
    while (bl->calls) {
        if (bl->calls->treq)
            kmesos_transport_cancel(bl->calls->treq);
        call_free(bl->calls);
    }
    kmesos_transport_close(bl->t, on_closed, bl);
}
