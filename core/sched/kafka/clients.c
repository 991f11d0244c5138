/* kafka_clients: see kafka_clients.h. The clients live in the kafka
 * object (one list, sorted by kind then id); the scheduler sees their
 * workloads (ext = the client) and reaches this module through kafka.c's
 * hooks, which hand over every workload that is not a broker's. */
#include "sched/kafka/clients.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/str.h"
#include "codec/protocol.h"
#include "sched/kafka/settings.h"
#include "sched/launcher.h"
#include "codec/pb.h"

#define MOD "kafka"

static int client_before(const kmesos_client *a, kmesos_client_kind kind, int id)
{
    return a->kind < kind || (a->kind == kind && a->id < id);
}

kmesos_client *kmesos_kafka_client(const kmesos_kafka *k, kmesos_client_kind kind, int id)
{
    for (size_t i = 0; i < k->n_clients; i++)
        if (k->clients[i]->kind == kind && k->clients[i]->id == id)
            return k->clients[i];
    return NULL;
}

int *kmesos_kafka_client_ids(const kmesos_kafka *k, kmesos_client_kind kind, size_t *n)
{
    int *ids = calloc(k->n_clients ? k->n_clients : 1, sizeof *ids);
    size_t m = 0;
    for (size_t i = 0; ids && i < k->n_clients; i++)
        if (k->clients[i]->kind == kind)
            ids[m++] = k->clients[i]->id;
    *n = m;
    return ids;
}

static void workload_name(const kmesos_client *c, char *out, size_t len)
{
    snprintf(out, len, "%s-%d", kmesos_client_kind_name(c->kind), c->id);
}

kmesos_task *kmesos_kafka_client_task(const kmesos_kafka *k, const kmesos_client *c)
{
    char name[48];
    workload_name(c, name, sizeof name);
    const kmesos_workload *w = kmesos_scheduler_workload(k->sched, name);
    return w ? kmesos_scheduler_slot(k->sched, w, 0) : NULL;
}

int kmesos_kafka_is_client(const kmesos_workload *w)
{
    return w->ext && w->kind &&
           (strcmp(w->kind, "producer") == 0 || strcmp(w->kind, "consumer") == 0);
}

static int running(const kmesos_task *t)
{
    return t && t->phase == KMESOS_PHASE_ACTIVE && t->state == MESOS__V1__TASK_STATE__TASK_RUNNING;
}

/* ---- the client's workload ------------------------------------------------------------- */

/* The hosts of the RUNNING brokers, without duplicates. */
static size_t broker_hosts(const kmesos_kafka *k, const char **hosts, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < k->n_brokers && n < cap; i++) {
        const kmesos_task *t = kmesos_kafka_task(k, k->brokers[i]);
        if (!running(t) || !t->hostname)
            continue;
        size_t j = 0;
        while (j < n && strcmp(hosts[j], t->hostname) != 0)
            j++;
        if (j == n)
            hosts[n++] = t->hostname;
    }
    return n;
}

static int set_prefer_hosts(const kmesos_kafka *k, kmesos_workload *w)
{
    const char *hosts[64];
    size_t n = broker_hosts(k, hosts, 64);
    for (size_t i = 0; i < n; i++)
        if (kmesos_workload_list_add(&w->prefer_hosts, &w->n_prefer_hosts, hosts[i]) != 0)
            return -1;
    return 0;
}

static int add_label(kmesos_workload *w, const char *key, const char *value)
{
    kmesos_kv *grown = realloc(w->labels, (w->n_labels + 1) * sizeof *grown);
    if (!grown)
        return -1;
    w->labels = grown;
    kmesos_kv *kv = &w->labels[w->n_labels];
    kv->key = strdup(key);
    kv->value = strdup(value);
    w->n_labels++;
    return kv->key && kv->value ? 0 : -1;
}

static kmesos_workload *client_workload(const kmesos_kafka *k, kmesos_client *c)
{
    kmesos_workload *w = calloc(1, sizeof *w);
    char name[48];
    if (!w)
        return NULL;
    workload_name(c, name, sizeof name);
    w->name = strdup(name);
    w->kind = strdup(kmesos_client_kind_name(c->kind));
    w->command = strdup("kafka-client.sh");
    w->cpus = c->set.cpus;
    w->mem = c->set.mem;
    w->instances = c->active ? 1 : 0;
    w->restart = KMESOS_RESTART_ON_FAILURE;
    /* failover as a broker's: delay doubling to the max, given up (and
     * deactivated by the update hook) after max tries */
    w->backoff_base_ms = (uint64_t)(c->set.failover_delay_s * 1000);
    w->backoff_max_ms = (uint64_t)(c->set.failover_max_delay_s * 1000);
    w->max_failures = c->set.failover_max_tries;
    w->ext = c;
    char err[256];
    if (!w->name || !w->kind || !w->command || set_prefer_hosts(k, w) != 0 ||
        kmesos_workload_parse_constraints(c->set.constraints, &w->constraints,
                                          &w->n_constraints, err, sizeof err) != 0 ||
        add_label(w, "topic", c->set.topic) != 0) {
        kmesos_workload_destroy(w);
        return NULL;
    }
    return w;
}

static int refresh_workload(kmesos_kafka *k, kmesos_client *c)
{
    kmesos_workload *w = client_workload(k, c);
    if (!w)
        return -1;
    return kmesos_scheduler_put_workload(k->sched, w);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static int insert_client(kmesos_kafka *k, kmesos_client *c)
{
    kmesos_client **grown = realloc(k->clients, (k->n_clients + 1) * sizeof *grown);
    if (!grown)
        return -1;
    k->clients = grown;
    size_t i = k->n_clients;
    while (i > 0 && !client_before(k->clients[i - 1], c->kind, c->id)) {
        k->clients[i] = k->clients[i - 1];
        i--;
    }
    k->clients[i] = c;
    k->n_clients++;
    return 0;
}

/* Applies the parameters to a copy of base and checks the result. */
static int apply_params(kmesos_client_kind kind, kmesos_client_settings *dst,
                        const kmesos_client_settings *base, const kmesos_kafka_params *p,
                        const char **field, char *err, size_t errlen)
{
    if (kmesos_client_settings_copy(dst, base) != 0) {
        *field = kmesos_client_kind_name(kind);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)
        if (kmesos_client_param_set(dst, p->names[i], p->values[i], err, errlen) != 0) {
            *field = p->names[i];
            kmesos_client_settings_free(dst);
            return -1;
        }
    if (kmesos_client_settings_check(kind, dst, field, err, errlen) != 0) {
        kmesos_client_settings_free(dst);
        return -1;
    }
    return 0;
}

static int oom(const char **field, kmesos_client_kind kind, char *err, size_t errlen)
{
    *field = kmesos_client_kind_name(kind);
    snprintf(err, errlen, "out of memory");
    return -1;
}

int kmesos_kafka_clients_add(kmesos_kafka *k, kmesos_client_kind kind, const int *ids, size_t n,
                             const kmesos_kafka_params *p, const char **field, char *err,
                             size_t errlen)
{
    kmesos_client_settings set, dflt;
    for (size_t i = 0; i < n; i++)
        if (kmesos_kafka_client(k, kind, ids[i])) {
            *field = kmesos_client_kind_name(kind);
            snprintf(err, errlen, "%s %d already exists", kmesos_client_kind_name(kind), ids[i]);
            return -1;
        }
    if (kmesos_client_settings_defaults(&dflt) != 0)
        return oom(field, kind, err, errlen);
    int rc = apply_params(kind, &set, &dflt, p, field, err, errlen);
    kmesos_client_settings_free(&dflt);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        kmesos_client *c = kmesos_client_new(kind, ids[i]);
        kmesos_client_settings copy;
        if (!c || kmesos_client_settings_copy(&copy, &set) != 0 || insert_client(k, c) != 0) {
            kmesos_client_destroy(c);
            rc = -1;
            break;
        }
        kmesos_client_settings_free(&c->set);
        c->set = copy;
        rc = refresh_workload(k, c);
    }
    kmesos_client_settings_free(&set);
    kmesos_kafka_changed(k);
    return rc != 0 ? oom(field, kind, err, errlen) : 0;
}

int kmesos_kafka_clients_update(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                                size_t n, const kmesos_kafka_params *p, const char **field,
                                char *err, size_t errlen)
{
    kmesos_client_settings *next = calloc(n ? n : 1, sizeof *next);
    size_t done = 0;
    if (!next)
        return oom(field, kind, err, errlen);
    for (; done < n; done++)
        if (apply_params(kind, &next[done], &kmesos_kafka_client(k, kind, ids[done])->set, p,
                         field, err, errlen) != 0)
            break;
    int ok = done == n;
    for (size_t i = 0; i < done; i++) {
        kmesos_client *c = kmesos_kafka_client(k, kind, ids[i]);
        if (ok) {
            kmesos_client_settings old = c->set;
            c->set = next[i];
            next[i] = old;
            refresh_workload(k, c);
        }
        kmesos_client_settings_free(&next[i]);
    }
    free(next);
    if (ok)
        kmesos_kafka_changed(k);
    return ok ? 0 : -1;
}

/* 1 when the client's task may run now or later. */
static int busy(const kmesos_client *c, const kmesos_task *t)
{
    if (!t)
        return 0;
    if (t->phase == KMESOS_PHASE_DONE)
        return 0;
    if (t->phase == KMESOS_PHASE_STOPPED)
        return !kmesos_task_state_terminal(t->state) && t->state >= 0;
    return c->active;
}

int kmesos_kafka_clients_remove(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                                size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const kmesos_client *c = kmesos_kafka_client(k, kind, ids[i]);
        if (busy(c, kmesos_kafka_client_task(k, c))) {
            snprintf(err, errlen, "%s %d is %s: stop it first", kmesos_client_kind_name(kind),
                     c->id, c->active ? "active" : "still running");
            return -1;
        }
    }
    char name[48];
    for (size_t i = 0; i < n; i++) {
        size_t at = 0;
        while (k->clients[at]->kind != kind || k->clients[at]->id != ids[i])
            at++;
        kmesos_client *c = k->clients[at];
        workload_name(c, name, sizeof name);
        kmesos_scheduler_remove_workload(k->sched, name);
        memmove(&k->clients[at], &k->clients[at + 1], (k->n_clients - at - 1) * sizeof *k->clients);
        k->n_clients--;
        kmesos_client_destroy(c);
    }
    kmesos_kafka_changed(k);
    return 0;
}

int kmesos_kafka_clients_start(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                               size_t n, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        kmesos_client *c = kmesos_kafka_client(k, kind, ids[i]);
        if (!c->active) {
            c->active = 1;
            c->failures = 0;
        }
        kmesos_task *t = kmesos_kafka_client_task(k, c);
        /* a done client runs again: start means "run it now" */
        if (refresh_workload(k, c) != 0 || (t && kmesos_scheduler_requeue(k->sched, t) != 0))
            rc = -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    kmesos_scheduler_update_interest(k->sched);
    kmesos_kafka_changed(k);
    return rc;
}

int kmesos_kafka_clients_stop(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                              size_t n, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        kmesos_client *c = kmesos_kafka_client(k, kind, ids[i]);
        c->active = 0;
        if (refresh_workload(k, c) != 0)
            rc = -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    kmesos_kafka_changed(k);
    return rc;
}

int kmesos_kafka_client_key(kmesos_client_kind kind, int id)
{
    return ((int)kind + 1) * KMESOS_KAFKA_CLIENT_KEY_BASE + id;
}

static kmesos_client *client_of_key(const kmesos_kafka *k, int key)
{
    int kind = key / KMESOS_KAFKA_CLIENT_KEY_BASE - 1;
    if (kind != KMESOS_CLIENT_PRODUCER && kind != KMESOS_CLIENT_CONSUMER)
        return NULL;
    return kmesos_kafka_client(k, (kmesos_client_kind)kind, key % KMESOS_KAFKA_CLIENT_KEY_BASE);
}

int kmesos_kafka_client_restart_begin(kmesos_kafka *k, int key)
{
    kmesos_client *c = client_of_key(k, key);
    kmesos_task *t = c && c->active ? kmesos_kafka_client_task(k, c) : NULL;
    if (!running(t))
        return -1;
    refresh_workload(k, c); /* settings changed since take effect now */
    KLOG_INFO(MOD, "rolling restart: restarting %s %d (%s)", kmesos_client_kind_name(c->kind),
              c->id, t->id);
    return kmesos_scheduler_restart_task(k->sched, t);
}

int kmesos_kafka_client_restart_back(const kmesos_kafka *k, int key)
{
    const kmesos_client *c = client_of_key(k, key);
    if (!c || !c->active)
        return 1; /* stopped, removed or deactivated meanwhile */
    const kmesos_task *t = kmesos_kafka_client_task(k, c);
    if (!t || !k->restart_seen_down)
        return 0;
    if (!running(t) && t->phase != KMESOS_PHASE_DONE)
        return 0;
    KLOG_INFO(MOD, "rolling restart: %s %d is back (%s)", kmesos_client_kind_name(c->kind), c->id,
              t->phase == KMESOS_PHASE_DONE ? "finished" : "TASK_RUNNING");
    return 1;
}

int kmesos_kafka_clients_restart(kmesos_kafka *k, kmesos_client_kind kind, const int *ids,
                                 size_t n, int **out, size_t *n_out, char *err, size_t errlen)
{
    int *q = calloc(n ? n : 1, sizeof *q);
    int *grown = realloc(k->restart, (k->n_restart + n + 1) * sizeof *grown);
    if (grown)
        k->restart = grown;
    if (!q || !grown) {
        free(q);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        kmesos_client *c = kmesos_kafka_client(k, kind, ids[i]);
        if (!c->active || !running(kmesos_kafka_client_task(k, c)))
            continue;
        int key = kmesos_kafka_client_key(kind, c->id), queued = key == k->restart_current;
        q[m++] = c->id;
        for (size_t j = 0; j < k->n_restart; j++)
            queued |= k->restart[j] == key;
        if (!queued)
            k->restart[k->n_restart++] = key;
    }
    *out = q;
    *n_out = m;
    kmesos_kafka_restart_step(k);
    return 0;
}

/* 1 when the workload's preferred hosts differ from the brokers' now. */
static int hosts_moved(const kmesos_kafka *k, const kmesos_workload *w)
{
    const char *hosts[64];
    size_t n = broker_hosts(k, hosts, 64);
    if (n != w->n_prefer_hosts)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(hosts[i], w->prefer_hosts[i]) != 0)
            return 1;
    return 0;
}

void kmesos_kafka_clients_tick(kmesos_kafka *k)
{
    uint64_t now = k->sched->io.now_ms(k->sched->io.arg);
    for (size_t i = 0; i < k->n_clients; i++) {
        kmesos_client *c = k->clients[i];
        kmesos_task *t = kmesos_kafka_client_task(k, c);
        if (t && t->phase == KMESOS_PHASE_PENDING && hosts_moved(k, t->workload))
            refresh_workload(k, c);
        /* RUNNING for its failover_delay: recovered, the count starts over */
        if (c->failures && running(t) &&
            now - c->running_since_ms >= (uint64_t)(c->set.failover_delay_s * 1000)) {
            c->failures = t->failures = 0;
            kmesos_kafka_changed(k);
        }
    }
}

void kmesos_kafka_clients_settle(kmesos_kafka *k)
{
    for (size_t i = 0; i < k->n_clients; i++)
        if (k->clients[i]->refresh_due) {
            k->clients[i]->refresh_due = 0;
            refresh_workload(k, k->clients[i]);
        }
}

void kmesos_kafka_clients_free(kmesos_kafka *k)
{
    for (size_t i = 0; i < k->n_clients; i++)
        kmesos_client_destroy(k->clients[i]);
    free(k->clients);
    k->clients = NULL;
    k->n_clients = 0;
}

/* ---- placement ------------------------------------------------------------------------------ */

void kmesos_kafka_client_gate(kmesos_kafka *k, const kmesos_task *t, const kmesos_offer *o,
                              kmesos_verdict *v)
{
    (void)o;
    const char *hosts[1];
    if (broker_hosts(k, hosts, 1) > 0)
        return;
    v->kind = KMESOS_VERDICT_WAIT;
    snprintf(v->reason, sizeof v->reason,
             "waiting for a RUNNING broker (%s %s needs KAFKA_BOOTSTRAP_SERVERS)",
             t->workload->kind, t->workload->name);
}

/* A consumer that times out before reading its records exits 0 with a
 * warning on stdout: turn that into exit 3, so that TASK_FINISHED means
 * "read them all" (the output is shown afterwards). */
static const char consumer_check[] =
    " >consumer-perf.out; rc=$?; cat consumer-perf.out; "
    "if [ $rc = 0 ] && grep -q 'Exiting before consuming the expected number' "
    "consumer-perf.out; then echo 'consumer: timed out before reading every record' >&2; "
    "exit 3; fi; exit $rc";

/* The command the executor runs: the user's, or kafka-client.sh with the
 * perf tool's arguments. */
static char *task_command(const kmesos_client *c, const char *script)
{
    if (*c->set.command)
        return strdup(c->set.command);
    char *args = kmesos_client_tool_args(c->kind, &c->set);
    const char *tail = c->kind == KMESOS_CLIENT_CONSUMER ? consumer_check : "";
    size_t n = args ? strlen(script) + strlen(args) + strlen(tail) + 16 : 0;
    char *cmd = args ? malloc(n) : NULL;
    if (cmd)
        snprintf(cmd, n, "%s %s %s%s", script, kmesos_client_kind_name(c->kind), args, tail);
    free(args);
    return cmd;
}

static int client_env(const kmesos_kafka *k, const kmesos_client *c, const kmesos_task *t,
                      Mesos__V1__ExecutorInfo *e, const char *script)
{
    char heap[32], libs[2048];
    snprintf(heap, sizeof heap, "%ldm", kmesos_client_heap_mb(&c->set));
    snprintf(libs, sizeof libs, "%s/libs", k->dist_dir);
    char *cmd = task_command(c, script), *bootstrap = kmesos_kafka_bootstrap(k);
    int rc = !cmd || !bootstrap || kmesos_kafka_env(e, "KMESOS_TASK_COMMAND", cmd) ||
             kmesos_kafka_env(e, "KMESOS_TASK_ID", t->id) ||
             kmesos_kafka_env(e, "KAFKA_BOOTSTRAP_SERVERS", bootstrap) ||
             kmesos_kafka_env(e, "KAFKA_TOPIC", c->set.topic) ||
             kmesos_kafka_env(e, "KAFKA_CLIENT_KIND", kmesos_client_kind_name(c->kind)) ||
             kmesos_kafka_env(e, "KAFKA_CLIENT_OPTIONS", c->set.options) ||
             kmesos_kafka_env(e, "KAFKA_CLIENT", script) ||
             kmesos_kafka_env(e, "KAFKA_HEAP", heap) ||
             (*c->set.jvm_options && kmesos_kafka_env(e, "KAFKA_JVM_OPTIONS", c->set.jvm_options)) ||
             (k->fetch == KMESOS_FETCH_LOCAL && kmesos_kafka_env(e, "KAFKA_LIBS", libs));
    free(cmd);
    free(bootstrap);
    return rc ? -1 : 0;
}

Mesos__V1__TaskInfo *kmesos_kafka_client_task_info(kmesos_kafka *k, const kmesos_task *t,
                                                   const kmesos_offer *o)
{
    const kmesos_client *c = t->workload->ext;
    char name[64], *script = NULL;
    snprintf(name, sizeof name, "kmesos-executor %s", t->workload->name);
    Mesos__V1__TaskInfo *ti = kmesos_launcher_base(t, o);
    Mesos__V1__ExecutorInfo *e = ti ? kmesos_kafka_executor(k, t, name, "kafka-client.sh", &script)
                                    : NULL;
    int ok = e && client_env(k, c, t, e, script) == 0;
    free(script);
    if (ti)
        ti->executor = e;
    else
        kmesos_pb_free(e);
    if (!ok || kmesos_launcher_finish(ti, o) != 0) {
        kmesos_pb_free(ti);
        return NULL;
    }
    return ti;
}

void kmesos_kafka_client_on_update(kmesos_kafka *k, kmesos_task *t, int state,
                                   const char *message, kmesos_update_result r)
{
    kmesos_client *c = t->workload->ext;
    int key = kmesos_kafka_client_key(c->kind, c->id);
    if (r == KMESOS_UPDATE_ACTIVE && state == MESOS__V1__TASK_STATE__TASK_RUNNING) {
        /* a client is RUNNING as soon as its command starts (no readiness
         * check), so RUNNING alone proves nothing: the failures in a row
         * go on counting until it finishes or has run for its
         * failover_delay (kmesos_kafka_clients_tick) */
        t->failures = c->failures;
        c->running_since_ms = k->sched->io.now_ms(k->sched->io.arg);
        if (t->hostname)
            kmesos_str_set(&c->host, t->hostname);
        kmesos_kafka_changed(k);
        if (k->restart_current == key)
            k->restart_step_due = 1;
        return;
    }
    if (r != KMESOS_UPDATE_RELAUNCH && r != KMESOS_UPDATE_DONE)
        return;
    char who[48];
    snprintf(who, sizeof who, "%s %d", kmesos_client_kind_name(c->kind), c->id);
    int failed = kmesos_ks_failover(t, state, message, r, c->set.failover_max_tries,
                                    &c->failures, &c->last_failure, &c->active, who);
    if (!failed && state == MESOS__V1__TASK_STATE__TASK_FINISHED) {
        c->failures = 0;
        KLOG_INFO(MOD, "%s finished", who);
    }
    if (failed == 2)
        c->refresh_due = 1; /* deactivated: no instance */
    if (k->restart_current == key) {
        k->restart_seen_down = 1;
        if (t->phase == KMESOS_PHASE_DONE)
            k->restart_step_due = 1; /* finished (or given up): the next one */
    }
    kmesos_kafka_changed(k);
}

/* ---- views and state --------------------------------------------------------------------------- */

json_t *kmesos_kafka_client_json(const kmesos_kafka *k, const kmesos_client *c)
{
    const kmesos_client_settings *s = &c->set;
    const kmesos_task *t = kmesos_kafka_client_task(k, c);
    const kmesos_workload *w = t ? t->workload : NULL;
    char delay[32], max_delay[32];
    kmesos_broker_duration_text(s->failover_delay_s, delay, sizeof delay);
    kmesos_broker_duration_text(s->failover_max_delay_s, max_delay, sizeof max_delay);
    json_t *prefer = json_array();
    for (size_t i = 0; prefer && w && i < w->n_prefer_hosts; i++)
        json_array_append_new(prefer, json_string(w->prefer_hosts[i]));
    return json_pack("{s:i, s:s, s:b, s:f, s:f, s:f, s:b, s:s, s:s, s:s?, s:s, s:s,"
                     " s:{s:s, s:s, s:o, s:i}, s:i, s:o, s:o, s:s?, s:s?}",
                     "id", c->id, "kind", kmesos_client_kind_name(c->kind), "active", c->active,
                     "cpus", s->cpus, "mem", s->mem, "heap", (double)kmesos_client_heap_mb(s),
                     "heap_auto", s->heap <= 0, "topic", s->topic, "options", s->options,
                     "command", *s->command ? s->command : NULL, "jvm_options", s->jvm_options,
                     "constraints", s->constraints, "failover", "delay", delay, "max_delay",
                     max_delay, "max_tries",
                     s->failover_max_tries ? json_integer(s->failover_max_tries) : json_null(),
                     "failures", c->failures, "failures", c->failures, "prefer_hosts", prefer,
                     "task", kmesos_task_json(t, NULL), "hostname", c->host, "last_failure", c->last_failure);
}

json_t *kmesos_kafka_clients_state_json(const kmesos_kafka *k)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < k->n_clients; i++)
        json_array_append_new(arr, kmesos_client_state_json(k->clients[i]));
    return arr;
}

int kmesos_kafka_clients_state_load(kmesos_kafka *k, json_t *arr, char *err, size_t errlen)
{
    size_t i;
    json_t *jc;
    if (!json_is_array(arr))
        return snprintf(err, errlen, "kafka: 'clients' is not an array"), -1;
    json_array_foreach(arr, i, jc) {
        kmesos_client *c = kmesos_client_from_state(jc, err, errlen);
        if (!c)
            return -1;
        if (kmesos_kafka_client(k, c->kind, c->id) || insert_client(k, c) != 0) {
            snprintf(err, errlen, "duplicate %s %d", kmesos_client_kind_name(c->kind), c->id);
            kmesos_client_destroy(c);
            return -1;
        }
        kmesos_workload *w = client_workload(k, c);
        if (!w || kmesos_scheduler_adopt_workload(k->sched, w) != 0)
            return snprintf(err, errlen, "cannot register %s %d",
                            kmesos_client_kind_name(c->kind), c->id), -1;
    }
    return 0;
}
