/* rebalance: partition reassignment driven from the scheduler's loop
 * (rebalance.h). One object, one run at a time, as a chain of tool runs:
 * each step starts one Kafka tool through ktool.h and its callback parses
 * the output (rplan.h) and starts the next step. Kafka's reassignment
 * tool reads its input from files: the tool is started through a small
 * shell line that writes its stdin to a private temporary file, passes
 * the file's name as the last argument and removes it afterwards, so no
 * file is written from the loop. The request that started a run is
 * answered once the plan is known; the rest of the run is seen through
 * kmesos_rebalance_json (GET /api/broker/rebalance). */
#include "sched/kafka/rebalance.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/num.h"
#include "sched/kafka/ktool.h"
#include "sched/kafka/lifecycle.h"
#include "sched/kafka/rplan.h"

#define MOD "rebalance"
#define RB_TOOL_TIMEOUT_MS 180000u
#define RB_POLL_MS 2000u
#define RB_REASSIGN "org.apache.kafka.tools.reassign.ReassignPartitionsCommand"
#define RB_LOGDIRS "org.apache.kafka.tools.LogDirsCommand"

typedef enum rb_state { RB_IDLE, RB_PLANNING, RB_MOVING, RB_DONE, RB_FAILED,
                        RB_CANCELLED } rb_state;
static const char *const rb_state_names[] = {"idle", "planning", "moving", "done", "failed",
                                             "cancelled"};

struct kmesos_rebalance {
    uv_loop_t *loop;
    kmesos_kafka *k;
    rb_state state;
    int *targets, *drain; /* target brokers; brokers drained (drain mode) */
    size_t n_targets, n_drain;
    int purge;
    regex_t re;
    int has_re;
    char throttle[24];
    char *bootstrap, *plan_json, *topics_json;
    kmesos_rplan current, moves;
    double started_s, moving_s, ended_s;
    char error[600], note[600];
    kmesos_ktool *tool;
    uv_timer_t poll;
    kmesos_rebalance_reply reply;
    void *reply_arg;
};

typedef void (*rb_step)(void *arg, int code, const char *out, const char *err);

kmesos_rebalance *kmesos_rebalance_new(uv_loop_t *loop, kmesos_kafka *k)
{
    kmesos_rebalance *rb = calloc(1, sizeof *rb);
    if (!rb)
        return NULL;
    rb->loop = loop;
    rb->k = k;
    uv_timer_init(loop, &rb->poll);
    rb->poll.data = rb;
    return rb;
}

/* Forgets the last run's data (not its state, error or note). */
static void rb_clear(kmesos_rebalance *rb)
{
    free(rb->targets);
    free(rb->drain);
    free(rb->bootstrap);
    free(rb->plan_json);
    free(rb->topics_json);
    rb->targets = rb->drain = NULL;
    rb->bootstrap = rb->plan_json = rb->topics_json = NULL;
    rb->n_targets = rb->n_drain = 0;
    if (rb->has_re)
        regfree(&rb->re);
    rb->has_re = 0;
    kmesos_rplan_free(&rb->current);
    kmesos_rplan_free(&rb->moves);
}

static void rb_poll_closed(uv_handle_t *h) { free(h->data); }

void kmesos_rebalance_free(kmesos_rebalance *rb)
{
    if (!rb)
        return;
    kmesos_ktool_cancel(rb->tool);
    rb->reply = NULL; /* the HTTP server is gone, and its requests with it */
    rb_clear(rb);
    uv_close((uv_handle_t *)&rb->poll, rb_poll_closed);
}

int kmesos_rebalance_busy(const kmesos_rebalance *rb)
{
    return rb->state == RB_PLANNING || rb->state == RB_MOVING;
}

/* ---- running tools --------------------------------------------------------------------------- */

/* Runs kafka-client.sh of the distribution with cls and args against the
 * running brokers; stdin_text (or NULL) becomes a temporary file whose
 * name is the last argument. 0, or -1 with rb->error. */
static int rb_run(kmesos_rebalance *rb, const char *cls, const char *const *args,
                  const char *stdin_text, rb_step step)
{
    char script[2048], libs[2100];
    snprintf(script, sizeof script, "%s/bin/kafka-client.sh", rb->k->dist_dir);
    snprintf(libs, sizeof libs, "KAFKA_LIBS=%s/libs", rb->k->dist_dir);
    const char *line = stdin_text
        ? "f=$(mktemp) || exit 2; cat >\"$f\"; \"$@\" \"$f\"; rc=$?; rm -f \"$f\"; exit $rc"
        : "exec \"$@\"";
    const char *argv[24] = {"sh", "-c", line, "sh", script, cls, "--bootstrap-server",
                            rb->bootstrap};
    size_t n = 8;
    for (size_t i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *env[] = {libs, NULL};
    rb->tool = kmesos_ktool_run(rb->loop, (char *const *)argv, env, stdin_text,
                                RB_TOOL_TIMEOUT_MS, step, rb, rb->error, sizeof rb->error);
    return rb->tool ? 0 : -1;
}

/* The tool's answer is no good: the last lines of its stderr. */
static void rb_tool_failed(kmesos_rebalance *rb, const char *what, int code, const char *err)
{
    size_t len = strlen(err);
    const char *tail = len > 400 ? err + len - 400 : err;
    snprintf(rb->error, sizeof rb->error, "%s failed (exit %d): %s", what, code, tail);
}

static void rb_answer(kmesos_rebalance *rb, unsigned status, json_t *body)
{
    kmesos_rebalance_reply reply = rb->reply;
    rb->reply = NULL;
    if (reply)
        reply(rb->reply_arg, status, body);
    else
        json_decref(body);
}

/* The run ends in state st; a request still waiting gets a 400 (refused)
 * or 500 (tool failed) with rb->error. */
static void rb_end(kmesos_rebalance *rb, rb_state st, unsigned status, const char *field)
{
    rb->state = st;
    rb->ended_s = kmesos_kafka_now_s(rb->k);
    uv_timer_stop(&rb->poll);
    if (st == RB_FAILED)
        KLOG_WARN(MOD, "%s", rb->error);
    rb_answer(rb, status, json_pack("{s:s, s:s}", "error", rb->error, "field", field));
}

/* ---- steps ----------------------------------------------------------------------------------- */

static void rb_verified(void *arg, int code, const char *out, const char *err);

static void rb_verify(uv_timer_t *t)
{
    kmesos_rebalance *rb = t->data;
    const char *args[] = {"--verify", "--reassignment-json-file", NULL};
    if (rb_run(rb, RB_REASSIGN, args, rb->plan_json, rb_verified) != 0)
        rb_end(rb, RB_FAILED, 500, "broker");
}

/* Every partition moved: a drain removes its brokers now. */
static void rb_finish(kmesos_rebalance *rb)
{
    if (rb->n_drain) {
        const char *field = "broker";
        if (kmesos_kafka_remove(rb->k, KMESOS_KAFKA_BROKER, rb->drain, rb->n_drain, rb->purge,
                                &field, rb->error, sizeof rb->error) != 0) {
            rb_end(rb, RB_FAILED, 500, field);
            return;
        }
        snprintf(rb->note, sizeof rb->note, "drained and removed");
    }
    KLOG_INFO(MOD, "done: %zu partitions moved", rb->moves.n);
    rb_end(rb, RB_DONE, 200, "broker");
}

static void rb_verified(void *arg, int code, const char *out, const char *err)
{
    kmesos_rebalance *rb = arg;
    rb->tool = NULL;
    if (code != 0) { /* a failed verify is not the end: the move goes on */
        rb_tool_failed(rb, "--verify", code, err);
        KLOG_WARN(MOD, "%s", rb->error);
    } else {
        rb->error[0] = '\0'; /* an earlier failed verify is past */
    }
    if (kmesos_rplan_verify(out, &rb->moves) == rb->moves.n) {
        rb_finish(rb);
        return;
    }
    uv_timer_start(&rb->poll, rb_verify, RB_POLL_MS, 0);
}

static void rb_executed(void *arg, int code, const char *out, const char *err)
{
    kmesos_rebalance *rb = arg;
    (void)out;
    rb->tool = NULL;
    if (code != 0) {
        rb_tool_failed(rb, "--execute", code, err);
        rb_end(rb, RB_FAILED, 500, "broker");
        return;
    }
    rb->moving_s = kmesos_kafka_now_s(rb->k);
    uv_timer_start(&rb->poll, rb_verify, RB_POLL_MS, 0);
}

static void rb_execute(kmesos_rebalance *rb)
{
    const char *with[] = {"--execute", "--throttle", rb->throttle, "--reassignment-json-file",
                          NULL};
    const char *without[] = {"--execute", "--reassignment-json-file", NULL};
    if (rb_run(rb, RB_REASSIGN, rb->throttle[0] ? with : without, rb->plan_json,
               rb_executed) != 0)
        rb_end(rb, RB_FAILED, 500, "broker");
}

static void rb_sized(void *arg, int code, const char *out, const char *err)
{
    kmesos_rebalance *rb = arg;
    char msg[200];
    rb->tool = NULL;
    if (code != 0 || kmesos_rplan_sizes(out, &rb->moves, msg, sizeof msg) != 0)
        KLOG_WARN(MOD, "log-dirs (sizes unknown): %.300s", code != 0 ? err : msg);
    rb_execute(rb);
}

/* The plan is known and checked: answer, then sizes and --execute. */
static void rb_go(kmesos_rebalance *rb)
{
    rb->plan_json = kmesos_rplan_json(&rb->moves);
    if (!rb->plan_json) {
        snprintf(rb->error, sizeof rb->error, "out of memory");
        rb_end(rb, RB_FAILED, 500, "broker");
        return;
    }
    rb->state = RB_MOVING;
    json_t *ids = json_array();
    for (size_t i = 0; i < rb->n_drain; i++)
        json_array_append_new(ids, json_integer(rb->drain[i]));
    rb_answer(rb, 202, rb->n_drain ? json_pack("{s:o}", "draining", ids)
                                   : (json_decref(ids), json_pack("{s:o}", "rebalance",
                                                                  kmesos_rebalance_json(rb))));
    char topics[4096] = "";
    for (size_t i = 0, used = 0; i < rb->moves.n && used < sizeof topics; i++)
        if (!strstr(topics, rb->moves.parts[i].topic)) /* a superset at worst */
            used += (size_t)snprintf(topics + used, sizeof topics - used, "%s%s",
                                     used ? "," : "", rb->moves.parts[i].topic);
    const char *args[] = {"--describe", "--topic-list", topics, NULL};
    if (rb_run(rb, RB_LOGDIRS, args, NULL, rb_sized) != 0)
        rb_execute(rb);
}

/* Nothing to move: done at once (a drain removes its brokers). */
static void rb_nothing(kmesos_rebalance *rb)
{
    snprintf(rb->note, sizeof rb->note, "nothing to move");
    if (!rb->n_drain) {
        rb->state = RB_DONE;
        rb->ended_s = kmesos_kafka_now_s(rb->k);
        rb_answer(rb, 200, json_pack("{s:o}", "rebalance", kmesos_rebalance_json(rb)));
        return;
    }
    const char *field = "broker";
    json_t *ids = json_array();
    for (size_t i = 0; i < rb->n_drain; i++)
        json_array_append_new(ids, json_integer(rb->drain[i]));
    int rc = kmesos_kafka_remove(rb->k, KMESOS_KAFKA_BROKER, rb->drain, rb->n_drain, rb->purge,
                                 &field, rb->error, sizeof rb->error);
    rb->state = rc == 0 ? RB_DONE : RB_FAILED;
    rb->ended_s = kmesos_kafka_now_s(rb->k);
    rb_answer(rb, rc == 0 ? 200 : 400,
              rc == 0 ? json_pack("{s:o}", "removed", ids)
                      : (json_decref(ids), json_pack("{s:s, s:s}", "error", rb->error, "field",
                                                     field)));
}

/* "0,1,2" of ids[] into out. */
static void rb_list_text(const int *ids, size_t n, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0, used = 0; i < n && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%d", i ? "," : "", ids[i]);
}

/* The running brokers (the first --generate's list: every replica's
 * broker may be in it, so it works whatever the targets). */
static int *rb_running_ids(const kmesos_kafka *k, size_t *n);

static void rb_proposed(void *arg, int code, const char *out, const char *err)
{
    kmesos_rebalance *rb = arg;
    kmesos_rplan cur, proposed;
    rb->tool = NULL;
    if (code != 0) {
        rb_tool_failed(rb, "--generate", code, err);
        rb_end(rb, RB_FAILED, 500, "broker");
        return;
    }
    if (kmesos_rplan_parse_generate(out, &cur, &proposed, rb->error, sizeof rb->error) != 0) {
        rb_end(rb, RB_FAILED, 500, "broker");
        return;
    }
    int rc = kmesos_rplan_moves(&rb->current, &proposed, &rb->moves);
    kmesos_rplan_free(&cur);
    kmesos_rplan_free(&proposed);
    if (rc != 0) {
        snprintf(rb->error, sizeof rb->error, "out of memory");
        rb_end(rb, RB_FAILED, 500, "broker");
    } else if (rb->moves.n == 0) {
        rb_nothing(rb);
    } else {
        rb_go(rb);
    }
}

/* The current assignment is known: a drain plans its moves itself; a
 * rebalance checks the replication factors against its targets, then
 * asks --generate for a proposal over the targets. */
static void rb_planned(kmesos_rebalance *rb)
{
    if (rb->n_drain) {
        if (kmesos_rplan_drain(&rb->current, rb->drain, rb->n_drain, rb->targets,
                               rb->n_targets, &rb->moves, rb->error, sizeof rb->error) != 0)
            rb_end(rb, RB_FAILED, 400, "broker");
        else if (rb->moves.n == 0)
            rb_nothing(rb);
        else
            rb_go(rb);
        return;
    }
    if (kmesos_rplan_check_rf(&rb->current, rb->n_targets, rb->error, sizeof rb->error) != 0) {
        rb_end(rb, RB_FAILED, 400, "broker");
        return;
    }
    char list[1024];
    rb_list_text(rb->targets, rb->n_targets, list, sizeof list);
    const char *args[] = {"--generate", "--broker-list", list, "--topics-to-move-json-file",
                          NULL};
    if (rb_run(rb, RB_REASSIGN, args, rb->topics_json, rb_proposed) != 0)
        rb_end(rb, RB_FAILED, 500, "broker");
}

static void rb_generated(void *arg, int code, const char *out, const char *err)
{
    kmesos_rebalance *rb = arg;
    kmesos_rplan proposed;
    rb->tool = NULL;
    if (code != 0) {
        rb_tool_failed(rb, "--generate", code, err);
        rb_end(rb, RB_FAILED, 500, "broker");
        return;
    }
    if (kmesos_rplan_parse_generate(out, &rb->current, &proposed, rb->error,
                                    sizeof rb->error) != 0) {
        rb_end(rb, RB_FAILED, 500, "broker");
        return;
    }
    kmesos_rplan_free(&proposed);
    rb_planned(rb);
}

static int rb_match(void *arg, const char *topic)
{
    kmesos_rebalance *rb = arg;
    return !rb->has_re || regexec(&rb->re, topic, 0, NULL, 0) == 0;
}

static void rb_listed(void *arg, int code, const char *out, const char *err)
{
    kmesos_rebalance *rb = arg;
    size_t n = 0;
    rb->tool = NULL;
    if (code != 0) {
        rb_tool_failed(rb, "kafka-topics --list", code, err);
        rb_end(rb, RB_FAILED, 500, "broker");
        return;
    }
    rb->topics_json = kmesos_rplan_topics_json(out, rb_match, rb, &n);
    if (n == 0 && rb->n_drain) { /* no topic at all: nothing to drain */
        rb_nothing(rb);
        return;
    }
    if (n == 0) {
        snprintf(rb->error, sizeof rb->error, "topics: no topic matches");
        rb_end(rb, RB_FAILED, 400, "topics");
        return;
    }
    size_t n_run = 0;
    int *ids = rb_running_ids(rb->k, &n_run);
    char list[1024];
    rb_list_text(ids, n_run, list, sizeof list);
    free(ids);
    const char *args[] = {"--generate", "--broker-list", list, "--topics-to-move-json-file",
                          NULL};
    if (!rb->topics_json || rb_run(rb, RB_REASSIGN, args, rb->topics_json, rb_generated) != 0)
        rb_end(rb, RB_FAILED, 500, "broker");
}

/* ---- starting, cancelling, progress ------------------------------------------------------------ */

/* 1 when broker id runs (a running task in an active slot) and holds
 * partitions (a dedicated controller holds none). */
static int rb_running(const kmesos_kafka *k, int id)
{
    const kmesos_broker *b = kmesos_kafka_broker(k, id);
    return b && !kmesos_broker_is_controller(&b->set) &&
           kmesos_kafka_running(kmesos_kafka_task(k, &b->node));
}

static int *rb_running_ids(const kmesos_kafka *k, size_t *n)
{
    size_t n_known = 0, m = 0;
    int *ids = kmesos_kafka_ids(k, KMESOS_KAFKA_BROKER, &n_known);
    for (size_t i = 0; ids && i < n_known; i++)
        if (rb_running(k, ids[i]))
            ids[m++] = ids[i];
    *n = m;
    return ids;
}

/* Common to rebalance and drain: none running, brokers to talk to. */
static int rb_begin(kmesos_rebalance *rb, const char **field, char *err, size_t errlen)
{
    *field = "broker";
    if (kmesos_rebalance_busy(rb)) {
        snprintf(err, errlen, "a rebalance is running (GET /api/broker/rebalance shows it; "
                 "cancel=true cancels it)");
        return -1;
    }
    rb_clear(rb);
    return 0;
}

/* Someone to ask: the running brokers. */
static int rb_bootstrap(kmesos_rebalance *rb, char *err, size_t errlen)
{
    rb->bootstrap = kmesos_kafka_bootstrap(rb->k);
    if (rb->bootstrap && *rb->bootstrap)
        return 0;
    snprintf(err, errlen, "no broker is running: Kafka cannot be asked");
    return -1;
}

static int rb_check_throttle(kmesos_rebalance *rb, const char *text, char *err, size_t errlen)
{
    long long v = 0;
    rb->throttle[0] = '\0';
    if (!text)
        return 0;
    int rc = kmesos_num_int(text, 1, 1LL << 50, &v);
    if (rc != 0) {
        kmesos_num_error(err, errlen, "throttle", text, rc, 1, (double)(1LL << 50));
        return -1;
    }
    snprintf(rb->throttle, sizeof rb->throttle, "%lld", v);
    return 0;
}

/* The target brokers of expr: known and running. */
static int rb_targets(kmesos_rebalance *rb, const char *expr, char *err, size_t errlen)
{
    size_t n_known = 0;
    int *known = kmesos_kafka_ids(rb->k, KMESOS_KAFKA_BROKER, &n_known);
    int rc = kmesos_broker_ids_parse(expr, known, n_known, 1, &rb->targets, &rb->n_targets,
                                     err, errlen);
    free(known);
    return rc;
}

/* Every target runs (a reassignment to a stopped broker never ends). */
static int rb_targets_run(kmesos_rebalance *rb, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rb->n_targets; i++)
        if (!rb_running(rb->k, rb->targets[i])) {
            snprintf(err, errlen, "broker %d is not running: start it first", rb->targets[i]);
            rc = -1;
        }
    return rc;
}

/* Starts the run: kafka-topics --list. */
static int rb_launch(kmesos_rebalance *rb, kmesos_rebalance_reply reply, void *arg,
                     char *err, size_t errlen)
{
    const char *args[] = {"--list", NULL};
    rb->error[0] = rb->note[0] = '\0';
    rb->started_s = kmesos_kafka_now_s(rb->k);
    rb->moving_s = rb->ended_s = 0;
    if (rb_run(rb, "topics", args, NULL, rb_listed) != 0) {
        snprintf(err, errlen, "%s", rb->error);
        return -1;
    }
    rb->state = RB_PLANNING;
    rb->reply = reply;
    rb->reply_arg = arg;
    return 0;
}

int kmesos_rebalance_start(kmesos_rebalance *rb, const kmesos_rebalance_req *rq,
                           kmesos_rebalance_reply reply, void *arg, const char **field,
                           char *err, size_t errlen)
{
    if (rb_begin(rb, field, err, errlen) != 0)
        return -1;
    int rc = rb_targets(rb, rq->brokers ? rq->brokers : "", err, errlen);
    if (rc == 0 && rq->topics) {
        *field = "topics";
        rc = regcomp(&rb->re, rq->topics, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[160];
            regerror(rc, &rb->re, why, sizeof why);
            snprintf(err, errlen, "topics: '%s' is not a POSIX extended regex: %s", rq->topics,
                     why);
            rc = -1;
        }
        rb->has_re = rc == 0;
    }
    if (rc == 0 && (rc = rb_check_throttle(rb, rq->throttle, err, errlen)) != 0)
        *field = "throttle";
    if (rc == 0) {
        *field = "broker";
        rc = rb_targets_run(rb, err, errlen);
    }
    if (rc == 0 && (rc = rb_bootstrap(rb, err, errlen)) == 0)
        rc = rb_launch(rb, reply, arg, err, errlen);
    if (rc != 0)
        rb_clear(rb);
    return rc;
}

int kmesos_rebalance_drain(kmesos_rebalance *rb, const int *ids, size_t n, int purge,
                           kmesos_rebalance_reply reply, void *arg, const char **field,
                           char *err, size_t errlen)
{
    if (rb_begin(rb, field, err, errlen) != 0)
        return -1;
    size_t n_known = 0;
    int *known = kmesos_kafka_ids(rb->k, KMESOS_KAFKA_BROKER, &n_known);
    rb->targets = calloc(n_known ? n_known : 1, sizeof *rb->targets);
    rb->drain = malloc((n ? n : 1) * sizeof *rb->drain);
    int rc = known && rb->targets && rb->drain ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n_known; i++) {
        int drained = 0;
        for (size_t d = 0; d < n; d++)
            drained |= ids[d] == known[i];
        if (!drained && rb_running(rb->k, known[i]))
            rb->targets[rb->n_targets++] = known[i];
    }
    free(known);
    if (rc == 0) {
        memcpy(rb->drain, ids, n * sizeof *ids);
        rb->n_drain = n;
        rb->purge = purge;
        rc = rb_bootstrap(rb, err, errlen);
        if (rc == 0)
            rc = rb_launch(rb, reply, arg, err, errlen);
    } else {
        snprintf(err, errlen, "out of memory");
    }
    if (rc != 0)
        rb_clear(rb);
    return rc;
}

static void rb_cancelled(void *arg, int code, const char *out, const char *err)
{
    kmesos_rebalance *rb = arg;
    rb->tool = NULL;
    snprintf(rb->note, sizeof rb->note, "%s", code == 0 ? out : err);
    for (char *c = rb->note; *c; c++)
        if (*c == '\n')
            *c = ' ';
    rb->state = RB_CANCELLED;
    rb->ended_s = kmesos_kafka_now_s(rb->k);
    /* --cancel reverts every partition still moving to its old replicas
     * (and clears the throttle): what is done stays done, so every
     * partition has one complete replica list, the old or the new */
    rb_answer(rb, code == 0 ? 200 : 500,
              json_pack("{s:b, s:b, s:s}", "cancelled", code == 0, "consistent", code == 0,
                        "tool", rb->note));
}

int kmesos_rebalance_cancel(kmesos_rebalance *rb, kmesos_rebalance_reply reply, void *arg,
                            char *err, size_t errlen)
{
    if (!kmesos_rebalance_busy(rb)) {
        snprintf(err, errlen, "no rebalance is running");
        return -1;
    }
    kmesos_ktool_cancel(rb->tool);
    rb->tool = NULL;
    uv_timer_stop(&rb->poll);
    rb_answer(rb, 409, json_pack("{s:s, s:s}", "error", "cancelled", "field", "cancel"));
    if (rb->state == RB_PLANNING || !rb->plan_json) { /* nothing was sent to Kafka */
        rb->state = RB_CANCELLED;
        snprintf(rb->note, sizeof rb->note, "cancelled before any move: nothing changed");
        reply(arg, 200, json_pack("{s:b, s:b, s:s}", "cancelled", 1, "consistent", 1, "tool",
                                  rb->note));
        return 0;
    }
    const char *args[] = {"--cancel", "--reassignment-json-file", NULL};
    if (rb_run(rb, RB_REASSIGN, args, rb->plan_json, rb_cancelled) != 0) {
        snprintf(err, errlen, "%s", rb->error);
        return -1;
    }
    rb->reply = reply;
    rb->reply_arg = arg;
    return 0;
}

json_t *kmesos_rebalance_json(const kmesos_rebalance *rb)
{
    size_t done = 0;
    int64_t bytes = 0, moved = 0;
    for (size_t i = 0; i < rb->moves.n; i++)
        done += rb->moves.parts[i].done != 0;
    kmesos_rplan_bytes(&rb->moves, &bytes, &moved);
    double now = kmesos_kafka_now_s(rb->k), end = rb->ended_s > 0 ? rb->ended_s : now;
    double took = rb->moving_s > 0 ? end - rb->moving_s : 0, eta = -1;
    if (rb->state == RB_MOVING && done > 0)
        eta = took * (double)(rb->moves.n - done) / (double)done;
    if (bytes > 0 && moved > 0 && rb->state == RB_MOVING)
        eta = took * (double)(bytes - moved) / (double)moved;
    json_t *draining = json_array();
    for (size_t i = 0; i < rb->n_drain; i++)
        json_array_append_new(draining, json_integer(rb->drain[i]));
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:o, s:s?, s:s?, s:s?}", "state",
                     rb_state_names[rb->state], "partitions", (json_int_t)rb->moves.n, "moved",
                     (json_int_t)done, "bytes", (json_int_t)bytes, "bytes_moved",
                     (json_int_t)moved, "elapsed_s",
                     rb->started_s > 0 ? end - rb->started_s : 0.0, "eta_s", eta, "draining",
                     draining, "throttle", rb->throttle[0] ? rb->throttle : NULL, "error",
                     rb->error[0] ? rb->error : NULL, "note", rb->note[0] ? rb->note : NULL);
}
