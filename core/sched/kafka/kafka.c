/* kafka: see kafka.h. The brokers live here; the scheduler only sees
 * their workloads ("broker-<id>", ext = the broker) and asks this module
 * through its ext hooks whether a broker task may go on an offer (quorum
 * formation, voters pinned to their host and controller port, a client
 * port asked by number) and what happened after a status update
 * (failover bookkeeping, deactivation, stickiness, rolling restart). */
#include "sched/kafka/kafka.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "codec/base64.h"
#include "codec/log.h"
#include "codec/str.h"
#include "codec/protocol.h"
#include "sched/kafka/clients.h"
#include "sched/kafka/settings.h"

#define MOD "kafka"
/* how long the first start waits for voters on distinct hosts */
#define KMESOS_KAFKA_SPREAD_WAIT_MS 10000

/* ---- small helpers ------------------------------------------------------------------ */

static double now_s(const kmesos_kafka *k)
{
    return k->sched->io.now_s(k->sched->io.arg);
}

void kmesos_kafka_changed(kmesos_kafka *k)
{
    if (k->sched->io.changed)
        k->sched->io.changed(k->sched->io.arg);
}

/* One try; an id starting with '-' is refused (tools would read it as an
 * option: Kafka's own Uuid.randomUuid() avoids those too). */
static int cluster_id_once(char out[23])
{
    uint8_t raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -1;
    raw[6] = (uint8_t)((raw[6] & 0x0f) | 0x40); /* a version 4 UUID, as Kafka's */
    raw[8] = (uint8_t)((raw[8] & 0x3f) | 0x80);
    char *b64 = kmesos_base64_encode(raw, sizeof raw);
    if (!b64)
        return -1;
    size_t n = 0;
    for (const char *p = b64; *p && *p != '=' && n < 22; p++)
        out[n++] = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    out[n] = '\0';
    free(b64);
    return n == 22 && out[0] != '-' ? 0 : 1;
}

int kmesos_kafka_new_cluster_id(char out[23])
{
    int rc;
    while ((rc = cluster_id_once(out)) == 1)
        ;
    return rc;
}

/* The folder and name of the distribution: "/x/kafka-4.4.0.tgz" gives
 * "/x/kafka-4.4.0" and "kafka-4.4.0" (the tarball's top folder). */
static int split_dist(kmesos_kafka *k)
{
    const char *base = strrchr(k->dist, '/');
    base = base ? base + 1 : k->dist;
    size_t n = strlen(base);
    static const char *const suffixes[] = {".tar.gz", ".tgz", ".tar"};
    for (size_t i = 0; i < 3; i++) {
        size_t sl = strlen(suffixes[i]);
        if (n > sl && strcmp(base + n - sl, suffixes[i]) == 0) {
            n -= sl;
            break;
        }
    }
    k->dist_name = strndup(base, n);
    k->dist_dir = strndup(k->dist, (size_t)(base - k->dist) + n);
    return k->dist_name && k->dist_dir ? 0 : -1;
}

static void settle(void *arg);

int kmesos_kafka_init(kmesos_kafka *k, kmesos_scheduler *s, const kmesos_kafka_config *cfg,
                      char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->sched = s;
    k->fetch = cfg->fetch;
    k->quorum_size = cfg->quorum;
    k->restart_current = -1;
    char id[23];
    if (kmesos_str_set(&k->executor, cfg->executor) || kmesos_str_set(&k->dist, cfg->dist) ||
        kmesos_str_set(&k->files_url, cfg->files_url) || kmesos_str_set(&k->data_root, cfg->data_root) ||
        !k->dist || split_dist(k) != 0 || kmesos_kafka_new_cluster_id(id) != 0 ||
        kmesos_str_set(&k->cluster_id, id)) {
        snprintf(err, errlen, "kafka: cannot set up (out of memory or no randomness)");
        kmesos_kafka_free(k);
        return -1;
    }
    s->ext = (kmesos_scheduler_ext){k, kmesos_kafka_gate, kmesos_kafka_task_info,
                                    kmesos_kafka_on_update, kmesos_kafka_endpoint, settle};
    return 0;
}

static void free_voters(kmesos_kafka *k)
{
    for (size_t i = 0; i < k->n_voters; i++)
        free(k->voters[i].host);
    free(k->voters);
    k->voters = NULL;
    k->n_voters = 0;
}

void kmesos_kafka_free(kmesos_kafka *k)
{
    for (size_t i = 0; i < k->n_brokers; i++)
        kmesos_broker_destroy(k->brokers[i]);
    free(k->brokers);
    free_voters(k);
    free(k->restart);
    free(k->executor);
    free(k->dist);
    free(k->dist_dir);
    free(k->dist_name);
    free(k->files_url);
    free(k->data_root);
    free(k->cluster_id);
    kmesos_kafka_clients_free(k);
    memset(k, 0, sizeof *k);
    k->restart_current = -1;
}

kmesos_broker *kmesos_kafka_broker(const kmesos_kafka *k, int id)
{
    for (size_t i = 0; i < k->n_brokers; i++)
        if (k->brokers[i]->id == id)
            return k->brokers[i];
    return NULL;
}

int *kmesos_kafka_ids(const kmesos_kafka *k, size_t *n)
{
    int *ids = calloc(k->n_brokers ? k->n_brokers : 1, sizeof *ids);
    for (size_t i = 0; ids && i < k->n_brokers; i++)
        ids[i] = k->brokers[i]->id;
    *n = ids ? k->n_brokers : 0;
    return ids;
}

const kmesos_voter *kmesos_kafka_voter(const kmesos_kafka *k, int id)
{
    for (size_t i = 0; i < k->n_voters; i++)
        if (k->voters[i].id == id)
            return &k->voters[i];
    return NULL;
}

char *kmesos_kafka_voters_text(const kmesos_kafka *k)
{
    size_t cap = 1;
    for (size_t i = 0; i < k->n_voters; i++)
        cap += strlen(k->voters[i].host) + 32;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < k->n_voters; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%d@%s:%d", i ? "," : "",
                                 k->voters[i].id, k->voters[i].host, k->voters[i].port);
    return out;
}

void kmesos_kafka_data_dir(const kmesos_kafka *k, const kmesos_broker *b, char *out, size_t len)
{
    if (b->set.data_dir && *b->set.data_dir)
        snprintf(out, len, "%s", b->set.data_dir);
    else
        snprintf(out, len, "%s/broker-%d", k->data_root, b->id);
}

static void workload_name(const kmesos_broker *b, char *out, size_t len)
{
    snprintf(out, len, "broker-%d", b->id);
}

kmesos_task *kmesos_kafka_task(const kmesos_kafka *k, const kmesos_broker *b)
{
    char name[32];
    workload_name(b, name, sizeof name);
    const kmesos_workload *w = kmesos_scheduler_workload(k->sched, name);
    return w ? kmesos_scheduler_slot(k->sched, w, 0) : NULL;
}

/* ---- the broker's workload ------------------------------------------------------------ */

/* The host the broker prefers now: a voter's host, else where it ran
 * while within its stickiness period. */
static const char *preferred_host(const kmesos_kafka *k, const kmesos_broker *b)
{
    const kmesos_voter *v = kmesos_kafka_voter(k, b->id);
    if (v)
        return v->host;
    if (!b->host || !*b->host)
        return NULL;
    if (b->stopped_at_s > 0 && now_s(k) - b->stopped_at_s >= b->set.stickiness_period_s)
        return NULL;
    return b->host;
}

static kmesos_workload *broker_workload(const kmesos_kafka *k, kmesos_broker *b)
{
    kmesos_workload *w = calloc(1, sizeof *w);
    char name[32], label[48], err[256];
    if (!w)
        return NULL;
    workload_name(b, name, sizeof name);
    snprintf(label, sizeof label, "%d", b->id);
    w->name = strdup(name);
    w->kind = strdup("broker");
    w->command = strdup("kafka-broker.sh");
    w->cpus = b->set.cpus;
    w->mem = b->set.mem;
    /* client port, plus the controller port of a (future) voter */
    w->ports = k->n_voters && !kmesos_kafka_voter(k, b->id) ? 1 : 2;
    w->instances = b->active ? 1 : 0;
    w->restart = KMESOS_RESTART_ALWAYS;
    w->backoff_base_ms = (uint64_t)(b->set.failover_delay_s * 1000);
    w->backoff_max_ms = (uint64_t)(b->set.failover_max_delay_s * 1000);
    w->max_failures = b->set.failover_max_tries;
    w->ext = b;
    const char *host = preferred_host(k, b);
    int ok = w->name && w->kind && w->command &&
             (!host || kmesos_workload_list_add(&w->prefer_hosts, &w->n_prefer_hosts, host) == 0) &&
             kmesos_workload_parse_constraints(b->set.constraints, &w->constraints,
                                               &w->n_constraints, err, sizeof err) == 0;
    if (ok) {
        w->labels = calloc(1, sizeof *w->labels);
        ok = w->labels && (w->labels[0].key = strdup("broker_id")) &&
             (w->labels[0].value = strdup(label));
        if (w->labels)
            w->n_labels = 1;
    }
    if (!ok) {
        kmesos_workload_destroy(w);
        return NULL;
    }
    return w;
}

/* Gives the scheduler the broker's workload as its settings are now. */
static int refresh_workload(kmesos_kafka *k, kmesos_broker *b)
{
    kmesos_workload *w = broker_workload(k, b);
    if (!w)
        return -1;
    return kmesos_scheduler_put_workload(k->sched, w);
}

/* ---- quorum ------------------------------------------------------------------------------- */

static int quorum_size(const kmesos_kafka *k, size_t n_active)
{
    int q = k->quorum_size > 0 ? k->quorum_size : 3;
    return (size_t)q < n_active ? q : (int)n_active;
}

/* The ids that will be the voters: the lowest active ones. */
static size_t initial_voters(const kmesos_kafka *k, int *ids, size_t cap)
{
    size_t n_active = 0, n = 0;
    for (size_t i = 0; i < k->n_brokers; i++)
        n_active += k->brokers[i]->active;
    size_t q = (size_t)quorum_size(k, n_active);
    for (size_t i = 0; i < k->n_brokers && n < q && n < cap; i++)
        if (k->brokers[i]->active)
            ids[n++] = k->brokers[i]->id;
    return n;
}

static int is_initial_voter(const kmesos_kafka *k, int id)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16);
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* What formation has taken from one offer so far. */
typedef struct form_use {
    const kmesos_offer *o;
    double cpus, mem;
    uint64_t ports[16];
    size_t n_ports;
} form_use;

static int port_used(const form_use *u, uint64_t p)
{
    for (size_t i = 0; i < u->n_ports; i++)
        if (u->ports[i] == p)
            return 1;
    return 0;
}

/* The highest port of the offer not used yet (auto client ports are
 * taken from the bottom, so the two rarely meet). 0: none. */
static uint64_t top_port(const form_use *u, const kmesos_port_cursor *pc)
{
    const kmesos_offer *o = u->o;
    for (size_t r = o->n_ports; r-- > 0;)
        for (uint64_t p = o->ports[r].end; p >= o->ports[r].begin && p > 0; p--)
            if (!port_used(u, p) && (!pc || kmesos_port_free(pc, o, p)))
                return p;
    return 0;
}

/* 1 when a voter was already placed on the host of u. */
static int host_taken(const form_use *uses, size_t n_uses, const form_use *u)
{
    for (size_t i = 0; i < n_uses; i++)
        if (uses[i].n_ports && strcmp(uses[i].o->hostname, u->o->hostname) == 0)
            return 1;
    return 0;
}

/* Finds an offer for broker b among the uses: on a host without a voter
 * yet, or (shared) on any. */
static form_use *form_pick(form_use *uses, size_t n_uses, const kmesos_broker *b, int shared)
{
    for (size_t i = 0; i < n_uses; i++) {
        form_use *u = &uses[i];
        if ((!shared && host_taken(uses, n_uses, u)) || u->n_ports + 2 > 16)
            continue;
        uint64_t left = kmesos_offer_port_count(u->o) - u->n_ports;
        if (u->o->cpus - u->cpus + 1e-9 >= b->set.cpus && u->o->mem - u->mem + 1e-9 >= b->set.mem &&
            left >= 2)
            return u;
    }
    return NULL;
}

static int record_voters(kmesos_kafka *k, const int *ids, form_use *const *picked,
                         const uint64_t *ports, size_t n)
{
    kmesos_voter *v = calloc(n, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        v[i].id = ids[i];
        v[i].port = (int)ports[i];
        if (!(v[i].host = strdup(picked[i]->o->hostname))) {
            for (size_t j = 0; j < i; j++)
                free(v[j].host);
            free(v);
            return -1;
        }
    }
    free_voters(k);
    k->voters = v;
    k->n_voters = n;
    return 0;
}

/* Tries to place every initial voter on the offers in the book at once,
 * each on its own host; after KMESOS_KAFKA_SPREAD_WAIT_MS of waiting, two
 * may share one. 1: formed (voters recorded); 0: not yet (have: how many
 * found offers). */
static int try_form(kmesos_kafka *k, const kmesos_offer *current, const kmesos_port_cursor *pc,
                    int may_share, size_t *have)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16), n_uses = 0;
    form_use *uses = calloc(k->sched->offers.count ? k->sched->offers.count : 1, sizeof *uses);
    form_use *picked[16];
    uint64_t ports[16];
    if (!uses)
        return 0;
    for (const kmesos_offer *o = k->sched->offers.by_id; o; o = o->hh.next)
        uses[n_uses++].o = o;
    *have = 0;
    for (size_t i = 0; i < n; i++) {
        const kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        form_use *u = form_pick(uses, n_uses, b, 0);
        if (!u && may_share)
            u = form_pick(uses, n_uses, b, 1);
        uint64_t p = u ? top_port(u, u->o == current ? pc : NULL) : 0;
        if (!p)
            break;
        u->cpus += b->set.cpus;
        u->mem += b->set.mem;
        u->ports[u->n_ports++] = p;
        u->ports[u->n_ports++] = 0; /* room for the client port */
        picked[i] = u;
        ports[i] = p;
        (*have)++;
    }
    int formed = n > 0 && *have == n && record_voters(k, ids, picked, ports, n) == 0;
    free(uses);
    if (formed) {
        char *text = kmesos_kafka_voters_text(k);
        KLOG_INFO(MOD, "controller quorum formed: %s (cluster %s)", text ? text : "?",
                  k->cluster_id);
        free(text);
        k->sched->replace_held = 1;
        kmesos_kafka_changed(k);
    }
    return formed;
}

/* ---- placement hooks ---------------------------------------------------------------------- */

static void verdict(kmesos_verdict *v, kmesos_verdict_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verdict(kmesos_verdict *v, kmesos_verdict_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->reason, sizeof v->reason, fmt, ap);
    va_end(ap);
    v->kind = kind;
}

/* 1 when every initial voter waits for an offer now; *waited_ms: the
 * shortest time one of them has been waiting. */
static int all_voters_due(const kmesos_kafka *k, uint64_t now_ms, uint64_t *waited_ms)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16);
    *waited_ms = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const kmesos_task *t = kmesos_kafka_task(k, kmesos_kafka_broker(k, ids[i]));
        if (!t || t->phase != KMESOS_PHASE_PENDING || t->next_attempt_ms > now_ms)
            return 0;
        uint64_t w = now_ms > t->pending_since_ms ? now_ms - t->pending_since_ms : 0;
        if (w < *waited_ms)
            *waited_ms = w;
    }
    return n > 0;
}

/* Before the quorum exists: voters launch together, others wait. */
static int gate_forming(kmesos_kafka *k, const kmesos_broker *b, const kmesos_offer *o,
                        const kmesos_port_cursor *pc, kmesos_verdict *v)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16), have = 0;
    if (!is_initial_voter(k, b->id)) {
        verdict(v, KMESOS_VERDICT_WAIT, "waiting for the controller quorum to form");
        return 1;
    }
    uint64_t waited = 0;
    if (!all_voters_due(k, k->sched->io.now_ms(k->sched->io.arg), &waited) ||
        !try_form(k, o, pc, waited >= KMESOS_KAFKA_SPREAD_WAIT_MS, &have)) {
        verdict(v, KMESOS_VERDICT_WAIT,
                "waiting for offers for all %zu controller quorum voters together, on "
                "distinct hosts for %ds (%zu found)",
                n, KMESOS_KAFKA_SPREAD_WAIT_MS / 1000, have);
        return 1;
    }
    return 0;
}

void kmesos_kafka_gate(void *arg, const kmesos_task *t, const kmesos_offer *o,
                       const kmesos_port_cursor *pc, kmesos_verdict *v)
{
    kmesos_kafka *k = arg;
    if (kmesos_kafka_is_client(t->workload)) {
        kmesos_kafka_client_gate(k, t, o, v);
        return;
    }
    const kmesos_broker *b = t->workload->ext;
    if (!k->n_voters && gate_forming(k, b, o, pc, v))
        return;
    const kmesos_voter *vt = kmesos_kafka_voter(k, b->id);
    if (vt && strcmp(vt->host, o->hostname) != 0) {
        verdict(v, KMESOS_VERDICT_DECLINE, "broker %d is a controller quorum voter on host %s",
                b->id, vt->host);
    } else if (vt && !kmesos_port_free(pc, o, (uint64_t)vt->port)) {
        verdict(v, KMESOS_VERDICT_DECLINE, "offer lacks port %d (controller port of voter %d)",
                vt->port, b->id);
    } else if (b->set.port && !kmesos_port_free(pc, o, (uint64_t)b->set.port)) {
        verdict(v, KMESOS_VERDICT_DECLINE, "offer lacks port %d (client port of broker %d)",
                b->set.port, b->id);
    }
}

/* ---- status updates -------------------------------------------------------------------- */

static void restart_step(kmesos_kafka *k);

static void on_running(kmesos_kafka *k, kmesos_broker *b, const kmesos_task *t)
{
    b->failures = 0;
    b->stopped_at_s = 0;
    if (t->hostname)
        kmesos_str_set(&b->host, t->hostname);
    if (t->agent_id)
        kmesos_str_set(&b->agent_id, t->agent_id);
    kmesos_kafka_changed(k);
    if (k->restart_current == b->id)
        k->restart_step_due = 1;
}

static void on_ended(kmesos_kafka *k, kmesos_broker *b, const kmesos_task *t, int state,
                     const char *message, kmesos_update_result r)
{
    char who[32];
    snprintf(who, sizeof who, "broker %d", b->id);
    b->stopped_at_s = now_s(k);
    /* failure bookkeeping and deactivation: shared with the clients */
    kmesos_ks_failover(t, state, message, r, b->set.failover_max_tries, &b->failures,
                       &b->last_failure, &b->active, who);
    if (k->restart_current == b->id)
        k->restart_seen_down = 1;
    b->refresh_due = 1; /* stickiness, or no instance when deactivated */
}

void kmesos_kafka_on_update(void *arg, kmesos_task *t, int state, const char *message,
                            kmesos_update_result r)
{
    kmesos_kafka *k = arg;
    if (kmesos_kafka_is_client(t->workload)) {
        kmesos_kafka_client_on_update(k, t, state, message, r);
        return;
    }
    kmesos_broker *b = t->workload->ext;
    if (r == KMESOS_UPDATE_ACTIVE && state == MESOS__V1__TASK_STATE__TASK_RUNNING)
        on_running(k, b, t);
    else if (r == KMESOS_UPDATE_RELAUNCH || r == KMESOS_UPDATE_DONE)
        on_ended(k, b, t, state, message, r);
}

/* After the event: what on_update asked for (the scheduler is not to be
 * re-entered from inside its handler). */
static void settle(void *arg)
{
    kmesos_kafka *k = arg;
    for (size_t i = 0; i < k->n_brokers; i++)
        if (k->brokers[i]->refresh_due) {
            k->brokers[i]->refresh_due = 0;
            refresh_workload(k, k->brokers[i]);
        }
    kmesos_kafka_clients_settle(k);
    if (k->restart_step_due) {
        k->restart_step_due = 0;
        restart_step(k);
    }
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

static int insert_broker(kmesos_kafka *k, kmesos_broker *b)
{
    kmesos_broker **grown = realloc(k->brokers, (k->n_brokers + 1) * sizeof *grown);
    if (!grown)
        return -1;
    k->brokers = grown;
    size_t i = k->n_brokers;
    while (i > 0 && k->brokers[i - 1]->id > b->id) {
        k->brokers[i] = k->brokers[i - 1];
        i--;
    }
    k->brokers[i] = b;
    k->n_brokers++;
    return 0;
}

/* A fixed client port the agents cannot offer would leave a broker
 * pending for ever: it must lie in a port range some offer carried since
 * start, or be a port a broker runs on now (in use, so not offered).
 * Before the first offer with ports nothing is known: any port passes. */
static int check_port(const kmesos_kafka *k, int port, const char **field, char *err,
                      size_t errlen)
{
    if (!port || !k->sched || kmesos_offers_port_seen(&k->sched->offers, (uint64_t)port) != 0)
        return 0;
    for (size_t i = 0; i < k->n_brokers; i++)
        if (k->brokers[i]->client_port == port)
            return 0;
    char seen[200];
    kmesos_offers_seen_ports_text(&k->sched->offers, seen, sizeof seen);
    *field = "port";
    snprintf(err, errlen, "port: %d is in no port range the agents have offered (%s)", port,
             seen);
    return -1;
}

/* Applies the parameters to a copy of base. 0, or -1 (dst freed). */
static int apply_params(const kmesos_kafka *k, kmesos_broker_settings *dst,
                        const kmesos_broker_settings *base, const kmesos_kafka_params *p,
                        const char **field, char *err, size_t errlen)
{
    if (kmesos_broker_settings_copy(dst, base) != 0) {
        *field = "broker";
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)
        if (kmesos_broker_param_set(dst, p->names[i], p->values[i], err, errlen) != 0) {
            *field = p->names[i];
            kmesos_broker_settings_free(dst);
            return -1;
        }
    if (kmesos_broker_settings_check(dst, field, err, errlen) != 0 ||
        (dst->port != base->port && check_port(k, dst->port, field, err, errlen) != 0)) {
        kmesos_broker_settings_free(dst);
        return -1;
    }
    return 0;
}

int kmesos_kafka_add(kmesos_kafka *k, const int *ids, size_t n, const kmesos_kafka_params *p,
                     const char **field, char *err, size_t errlen)
{
    kmesos_broker_settings set, dflt;
    for (size_t i = 0; i < n; i++)
        if (kmesos_kafka_broker(k, ids[i])) {
            *field = "broker";
            snprintf(err, errlen, "broker %d already exists", ids[i]);
            return -1;
        }
    if (kmesos_broker_settings_defaults(&dflt) != 0)
        return *field = "broker", snprintf(err, errlen, "out of memory"), -1;
    int rc = apply_params(k, &set, &dflt, p, field, err, errlen);
    kmesos_broker_settings_free(&dflt);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        kmesos_broker *b = kmesos_broker_new(ids[i]);
        kmesos_broker_settings copy;
        if (!b || kmesos_broker_settings_copy(&copy, &set) != 0 || insert_broker(k, b) != 0) {
            kmesos_broker_destroy(b);
            rc = -1;
            break;
        }
        kmesos_broker_settings_free(&b->set);
        b->set = copy;
        rc = refresh_workload(k, b);
    }
    kmesos_broker_settings_free(&set);
    if (rc != 0)
        *field = "broker", snprintf(err, errlen, "out of memory");
    kmesos_kafka_changed(k);
    return rc;
}

int kmesos_kafka_update(kmesos_kafka *k, const int *ids, size_t n, const kmesos_kafka_params *p,
                        const char **field, char *err, size_t errlen)
{
    kmesos_broker_settings *next = calloc(n ? n : 1, sizeof *next);
    size_t done = 0;
    if (!next)
        return *field = "broker", snprintf(err, errlen, "out of memory"), -1;
    for (; done < n; done++)
        if (apply_params(k, &next[done], &kmesos_kafka_broker(k, ids[done])->set, p, field, err,
                         errlen) != 0)
            break;
    int ok = done == n;
    for (size_t i = 0; i < done; i++) {
        kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        if (ok) {
            kmesos_broker_settings old = b->set;
            b->set = next[i];
            next[i] = old;
            refresh_workload(k, b);
        }
        kmesos_broker_settings_free(&next[i]);
    }
    free(next);
    if (ok)
        kmesos_kafka_changed(k);
    return ok ? 0 : -1;
}

/* 1 when the broker's task may still run. */
static int task_alive(const kmesos_task *t)
{
    return t && (t->phase == KMESOS_PHASE_LAUNCHING || t->phase == KMESOS_PHASE_ACTIVE ||
                 (t->phase == KMESOS_PHASE_STOPPED && !kmesos_task_state_terminal(t->state)));
}

static size_t broker_index(const kmesos_kafka *k, int id)
{
    size_t i = 0;
    while (i < k->n_brokers && k->brokers[i]->id != id)
        i++;
    return i;
}

int kmesos_kafka_remove(kmesos_kafka *k, const int *ids, size_t n, const char **field, char *err,
                        size_t errlen)
{
    *field = "broker";
    for (size_t i = 0; i < n; i++) {
        const kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        if (b->active || task_alive(kmesos_kafka_task(k, b))) {
            snprintf(err, errlen, "broker %d is %s: stop it first", b->id,
                     b->active ? "active" : "still running");
            return -1;
        }
        if (kmesos_kafka_voter(k, b->id)) {
            snprintf(err, errlen, "broker %d is a controller quorum voter: the static quorum "
                     "cannot lose it", b->id);
            return -1;
        }
    }
    char name[32];
    for (size_t i = 0; i < n; i++) {
        size_t at = broker_index(k, ids[i]);
        kmesos_broker *b = k->brokers[at];
        workload_name(b, name, sizeof name);
        kmesos_scheduler_remove_workload(k->sched, name);
        memmove(&k->brokers[at], &k->brokers[at + 1], (k->n_brokers - at - 1) * sizeof *k->brokers);
        k->n_brokers--;
        kmesos_broker_destroy(b);
    }
    kmesos_kafka_changed(k);
    return 0;
}

int kmesos_kafka_start(kmesos_kafka *k, const int *ids, size_t n, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        if (!b->active) {
            b->active = 1;
            b->failures = 0;
        }
        kmesos_task *t = kmesos_kafka_task(k, b);
        if (refresh_workload(k, b) != 0 || (t && kmesos_scheduler_requeue(k->sched, t) != 0))
            rc = -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    kmesos_scheduler_update_interest(k->sched);
    kmesos_kafka_changed(k);
    return rc;
}

static void unqueue_restart(kmesos_kafka *k, int id)
{
    size_t j = 0;
    for (size_t i = 0; i < k->n_restart; i++)
        if (k->restart[i] != id)
            k->restart[j++] = k->restart[i];
    k->n_restart = j;
    if (k->restart_current == id)
        k->restart_current = -1;
}

int kmesos_kafka_stop(kmesos_kafka *k, const int *ids, size_t n, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        b->active = 0;
        unqueue_restart(k, b->id);
        if (refresh_workload(k, b) != 0)
            rc = -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    kmesos_kafka_changed(k);
    return rc;
}

static int running(const kmesos_task *t)
{
    return t && t->phase == KMESOS_PHASE_ACTIVE && t->state == MESOS__V1__TASK_STATE__TASK_RUNNING;
}

/* Moves the rolling restart on: the current one back -> kill the next. */
static void restart_step(kmesos_kafka *k)
{
    /* the queue holds broker ids and client keys (kafka_clients.h) */
    if (k->restart_current > KMESOS_BROKER_MAX_ID) {
        if (!kmesos_kafka_client_restart_back(k, k->restart_current))
            return;
        k->restart_current = -1;
    } else if (k->restart_current >= 0) {
        kmesos_broker *b = kmesos_kafka_broker(k, k->restart_current);
        if (b && b->active && !(k->restart_seen_down && running(kmesos_kafka_task(k, b))))
            return;
        if (b)
            KLOG_INFO(MOD, "rolling restart: broker %d is back", b->id);
        k->restart_current = -1;
    }
    while (k->n_restart > 0) {
        int id = k->restart[0];
        memmove(k->restart, k->restart + 1, (k->n_restart - 1) * sizeof *k->restart);
        k->n_restart--;
        if (id > KMESOS_BROKER_MAX_ID) {
            if (kmesos_kafka_client_restart_begin(k, id) == 0) {
                k->restart_current = id;
                k->restart_seen_down = 0;
                return;
            }
            continue;
        }
        kmesos_broker *b = kmesos_kafka_broker(k, id);
        kmesos_task *t = b && b->active ? kmesos_kafka_task(k, b) : NULL;
        if (!running(t))
            continue;
        refresh_workload(k, b); /* settings changed since take effect now */
        KLOG_INFO(MOD, "rolling restart: restarting broker %d (%s)", id, t->id);
        if (kmesos_scheduler_restart_task(k->sched, t) == 0) {
            k->restart_current = id;
            k->restart_seen_down = 0;
            return;
        }
    }
}

void kmesos_kafka_restart_step(kmesos_kafka *k)
{
    restart_step(k);
}

int kmesos_kafka_restart(kmesos_kafka *k, const int *ids, size_t n, int **out, size_t *n_out,
                         char *err, size_t errlen)
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
        kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        if (!b->active || !running(kmesos_kafka_task(k, b)))
            continue;
        q[m++] = b->id;
        int queued = b->id == k->restart_current;
        for (size_t j = 0; j < k->n_restart; j++)
            queued |= k->restart[j] == b->id;
        if (!queued)
            k->restart[k->n_restart++] = b->id;
    }
    *out = q;
    *n_out = m;
    restart_step(k);
    return 0;
}

void kmesos_kafka_tick(kmesos_kafka *k)
{
    restart_step(k);
    for (size_t i = 0; i < k->n_brokers; i++) {
        kmesos_broker *b = k->brokers[i];
        kmesos_task *t = kmesos_kafka_task(k, b);
        /* a pending broker whose stickiness ran out may go anywhere now */
        if (t && t->phase == KMESOS_PHASE_PENDING && t->workload->n_prefer_hosts &&
            !preferred_host(k, b))
            refresh_workload(k, b);
    }
    kmesos_kafka_clients_tick(k);
}

/* ---- views ------------------------------------------------------------------------------------ */

/* "host:client port" of the broker's last launch, or 0. */
static int broker_endpoint(const kmesos_task *t, const kmesos_broker *b, char *buf, size_t n)
{
    const char *host = t->hostname ? t->hostname : b->host;
    if (!host || !b->client_port)
        return 0;
    snprintf(buf, n, "%s:%d", host, b->client_port);
    return 1;
}

int kmesos_kafka_endpoint(void *arg, const kmesos_task *t, char *buf, size_t n)
{
    (void)arg;
    if (kmesos_kafka_is_client(t->workload))
        return 0; /* a producer or consumer serves nothing */
    return broker_endpoint(t, t->workload->ext, buf, n);
}

static json_t *task_json(const kmesos_task *t, const kmesos_broker *b)
{
    if (!t)
        return json_null();
    char endpoint[300] = "";
    broker_endpoint(t, b, endpoint, sizeof endpoint);
    return kmesos_task_json(t, endpoint);
}

json_t *kmesos_kafka_broker_json(const kmesos_kafka *k, const kmesos_broker *b)
{
    const kmesos_broker_settings *s = &b->set;
    char delay[32], max_delay[32], period[32], dir[1024];
    kmesos_broker_duration_text(s->failover_delay_s, delay, sizeof delay);
    kmesos_broker_duration_text(s->failover_max_delay_s, max_delay, sizeof max_delay);
    kmesos_broker_duration_text(s->stickiness_period_s, period, sizeof period);
    kmesos_kafka_data_dir(k, b, dir, sizeof dir);
    const kmesos_task *t = kmesos_kafka_task(k, b);
    const kmesos_voter *v = kmesos_kafka_voter(k, b->id);
    return json_pack(
        "{s:i, s:b, s:f, s:f, s:f, s:o, s:s, s:s, s:s, s:s, s:s,"
        " s:{s:s, s:s, s:o, s:i}, s:{s:s, s:s?}, s:o, s:o, s:s?}",
        "id", b->id, "active", b->active, "cpus", s->cpus, "mem", s->mem, "heap", s->heap,
        "port", s->port ? json_integer(s->port) : json_string("auto"), "options", s->options,
        "jvm_options", s->jvm_options, "constraints", s->constraints, "data_dir", dir, "role",
        v ? "broker,controller" : k->n_voters ? "broker" : "pending quorum", "failover", "delay",
        delay, "max_delay", max_delay, "max_tries",
        s->failover_max_tries ? json_integer(s->failover_max_tries) : json_null(), "failures",
        b->failures, "stickiness", "period", period, "hostname", b->host, "task",
        task_json(t, b), "controller",
        v ? json_pack("{s:s, s:i}", "host", v->host, "port", v->port) : json_null(),
        "last_failure", b->last_failure);
}

char *kmesos_kafka_bootstrap(const kmesos_kafka *k)
{
    size_t cap = 1, used = 0;
    for (size_t i = 0; i < k->n_brokers; i++)
        cap += (k->brokers[i]->host ? strlen(k->brokers[i]->host) : 0) + 300;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t i = 0; i < k->n_brokers; i++) {
        const kmesos_broker *b = k->brokers[i];
        const kmesos_task *t = kmesos_kafka_task(k, b);
        if (!running(t) || !b->client_port)
            continue;
        used += (size_t)snprintf(out + used, cap - used, "%s%s:%d", used ? "," : "",
                                 t->hostname ? t->hostname : b->host, b->client_port);
    }
    return out;
}

/* ---- state --------------------------------------------------------------------------------- */

json_t *kmesos_kafka_state_save(void *arg)
{
    const kmesos_kafka *k = arg;
    json_t *brokers = json_array(), *voters = json_array();
    for (size_t i = 0; brokers && i < k->n_brokers; i++)
        json_array_append_new(brokers, kmesos_broker_state_json(k->brokers[i]));
    for (size_t i = 0; voters && i < k->n_voters; i++)
        json_array_append_new(voters, json_pack("{s:i, s:s, s:i}", "id", k->voters[i].id,
                                                "host", k->voters[i].host, "port",
                                                k->voters[i].port));
    return json_pack("{s:s, s:i, s:o, s:o, s:o}", "cluster_id", k->cluster_id, "quorum_size",
                     k->quorum_size, "voters", voters, "brokers", brokers, "clients",
                     kmesos_kafka_clients_state_json(k));
}

static int load_voters(kmesos_kafka *k, json_t *voters, char *err, size_t errlen)
{
    size_t i, n = json_array_size(voters);
    json_t *jv;
    k->voters = calloc(n ? n : 1, sizeof *k->voters);
    if (!k->voters)
        return snprintf(err, errlen, "out of memory"), -1;
    json_array_foreach(voters, i, jv) {
        const char *host = NULL;
        kmesos_voter *v = &k->voters[k->n_voters];
        if (json_unpack(jv, "{s:i, s:s, s:i}", "id", &v->id, "host", &host, "port", &v->port) ||
            !(v->host = strdup(host)))
            return snprintf(err, errlen, "bad voter entry %zu", i), -1;
        k->n_voters++;
    }
    return 0;
}

static int load_brokers(kmesos_kafka *k, json_t *brokers, char *err, size_t errlen)
{
    size_t i;
    json_t *jb;
    json_array_foreach(brokers, i, jb) {
        kmesos_broker *b = kmesos_broker_from_state(jb, err, errlen);
        if (!b)
            return -1;
        kmesos_workload *w = NULL;
        if (kmesos_kafka_broker(k, b->id) || insert_broker(k, b) != 0) {
            snprintf(err, errlen, "duplicate broker %d", b->id);
            kmesos_broker_destroy(b);
            return -1;
        }
        if (!(w = broker_workload(k, b)) || kmesos_scheduler_adopt_workload(k->sched, w) != 0)
            return snprintf(err, errlen, "cannot register broker %d", b->id), -1;
    }
    return 0;
}

int kmesos_kafka_state_load(void *arg, json_t *j, char *err, size_t errlen)
{
    kmesos_kafka *k = arg;
    const char *cid = NULL;
    json_t *voters = NULL, *brokers = NULL, *clients = NULL;
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s:s, s?i, s:o, s:o, s?o}", "cluster_id", &cid, "quorum_size",
                       &k->quorum_size, "voters", &voters, "brokers", &brokers, "clients",
                       &clients) != 0)
        return snprintf(err, errlen, "kafka: %s", je.text), -1;
    if (strlen(cid) != 22 || !json_is_array(voters) || !json_is_array(brokers))
        return snprintf(err, errlen, "kafka: bad cluster id or lists"), -1;
    if (kmesos_str_set(&k->cluster_id, cid) != 0)
        return snprintf(err, errlen, "out of memory"), -1;
    if (load_voters(k, voters, err, errlen) != 0 || load_brokers(k, brokers, err, errlen) != 0 ||
        (clients && kmesos_kafka_clients_state_load(k, clients, err, errlen) != 0))
        return -1;
    return 0;
}
