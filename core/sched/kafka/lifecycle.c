/* lifecycle: the commands on nodes and the workload each node is
 * (lifecycle.h), written once for brokers and clients. What differs by
 * kind is small and kept in the few functions at the top: the settings
 * rows (broker.h, client.h) through which settings are defaulted,
 * copied, changed and freed; the checks of settings as a whole (a
 * broker's fixed port must be one the agents can offer); the shape of
 * the workload (command, ports, restart rule, label, preferred hosts);
 * and when a node may be removed. A command works on copies of the
 * settings and swaps them in only once every node passed. */
#include "sched/kafka/lifecycle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/protocol.h"
#include "sched/kafka/reserve.h"

/* Room for the settings of any kind. */
typedef union lc_settings {
    kmesos_broker_settings broker;
    kmesos_client_settings client;
} lc_settings;

/* ---- what differs by kind ---------------------------------------------------------------- */

static const kmesos_ks_schema *lc_schema(kmesos_kafka_kind kind)
{
    return kind == KMESOS_KAFKA_BROKER ? &kmesos_broker_schema : &kmesos_client_schema;
}

static void *lc_settings_of(const kmesos_kafka_node *n)
{
    kmesos_broker *b = kmesos_broker_of(n);
    return b ? (void *)&b->set : (void *)&kmesos_client_of(n)->set;
}

static kmesos_kafka_node *lc_node_new(kmesos_kafka_kind kind, int id)
{
    if (kind == KMESOS_KAFKA_BROKER) {
        kmesos_broker *b = kmesos_broker_new(id);
        return b ? &b->node : NULL;
    }
    kmesos_client *c = kmesos_client_new(kind, id);
    return c ? &c->node : NULL;
}

/* A fixed client port the agents cannot offer would leave a broker
 * pending for ever: it must lie in a port range some offer carried since
 * start, or be a port a broker runs on now (in use, so not offered).
 * Before the first offer with ports nothing is known: any port passes. */
static int lc_check_port(const kmesos_kafka *k, const char *name, int port, const char **field,
                         char *err, size_t errlen)
{
    if (port <= 0 || !k->sched ||
        kmesos_offers_port_seen(&k->sched->offers, (uint64_t)port) != 0)
        return 0;
    for (size_t i = 0; i < k->n_nodes; i++) {
        const kmesos_broker *b = kmesos_broker_of(k->nodes[i]);
        if (b && (b->client_port == port || b->ssl_port_used == port ||
                  b->sasl_port_used == port))
            return 0;
    }
    char seen[200];
    kmesos_offers_seen_ports_text(&k->sched->offers, seen, sizeof seen);
    *field = name;
    snprintf(err, errlen, "%s: %d is in no port range the agents have offered (%s)", name, port,
             seen);
    return -1;
}

/* The checks of settings s as a whole (base: what they were). */
static int lc_check(const kmesos_kafka *k, kmesos_kafka_kind kind, const void *s,
                    const void *base, const char **field, char *err, size_t errlen)
{
    if (kind != KMESOS_KAFKA_BROKER)
        return kmesos_client_settings_check(kind, s, field, err, errlen);
    const kmesos_broker_settings *bs = s, *old = base;
    if (kmesos_broker_settings_check(bs, field, err, errlen) != 0 ||
        kmesos_kafka_reserve_check(k, bs, field, err, errlen) != 0 ||
        (bs->port != old->port && lc_check_port(k, "port", bs->port, field, err, errlen) != 0) ||
        (bs->ssl_port != old->ssl_port &&
         lc_check_port(k, "ssl_port", bs->ssl_port, field, err, errlen) != 0) ||
        (bs->sasl_port != old->sasl_port &&
         lc_check_port(k, "sasl_port", bs->sasl_port, field, err, errlen) != 0))
        return -1;
    return 0;
}

/* Where a broker prefers to run now: a voter's home, else where it ran
 * while within its stickiness period (both NULL: anywhere). The home is
 * the agent while the scheduler knows it, else the host (the agent was
 * restarted with a new id: the data dir is still on that machine). */
static void lc_preferred(const kmesos_kafka *k, const kmesos_broker *b, const char **agent,
                         const char **host)
{
    const kmesos_voter *v = kmesos_kafka_voter(k, b->node.id);
    const char *a = v ? v->agent_id : b->agent_id, *h = v ? v->host : b->node.host;
    *agent = *host = NULL;
    if (!v && (!h || !*h ||
               (b->stopped_at_s > 0 &&
                kmesos_kafka_now_s(k) - b->stopped_at_s >= b->set.stickiness_period_s)))
        return;
    if (kmesos_kafka_agent_known(k, a))
        *agent = a;
    else
        *host = h;
}

/* 1 when list (n items) is exactly {v}, or empty for v NULL. */
static int lc_list_is(char *const *list, size_t n, const char *v)
{
    return v ? n == 1 && strcmp(list[0], v) == 0 : n == 0;
}

/* What a workload needs beyond what every node gives it. */
typedef struct lc_shape {
    const char *command;
    double cpus, mem, delay_s, max_delay_s;
    int max_tries, ports;
    kmesos_restart restart;
    const char *constraints, *label_key, *label;
    char label_buf[16];
    const char *hosts[64];
    size_t n_hosts;
    const char *agent; /* a broker's preferred agent, or NULL */
} lc_shape;

static void lc_shape_of(const kmesos_kafka *k, const kmesos_kafka_node *n, lc_shape *sh)
{
    const kmesos_broker *b = kmesos_broker_of(n);
    if (b) {
        const kmesos_broker_settings *s = &b->set;
        const char *host, *agent;
        lc_preferred(k, b, &agent, &host);
        *sh = (lc_shape){"kafka-broker.sh", s->cpus, s->mem, s->failover_delay_s,
                         s->failover_max_delay_s, s->failover_max_tries,
                         /* client port, plus the controller port of a (future) voter */
                         k->n_voters && !kmesos_kafka_voter(k, n->id) ? 1 : 2,
                         KMESOS_RESTART_ALWAYS, s->constraints, "broker_id", NULL, "", {0},
                         0, NULL};
        snprintf(sh->label_buf, sizeof sh->label_buf, "%d", n->id);
        sh->label = sh->label_buf;
        if (host)
            sh->hosts[sh->n_hosts++] = host;
        sh->agent = agent;
        return;
    }
    const kmesos_client_settings *s = &kmesos_client_of(n)->set;
    *sh = (lc_shape){"kafka-client.sh", s->cpus, s->mem, s->failover_delay_s,
                     s->failover_max_delay_s, s->failover_max_tries, 0,
                     KMESOS_RESTART_ON_FAILURE, s->constraints, "topic", s->topic, "", {0}, 0,
                     NULL};
    sh->n_hosts = kmesos_kafka_broker_hosts(k, sh->hosts, 64);
}

/* 1 when the task may still run (a broker's). */
static int lc_alive(const kmesos_task *t)
{
    return t && (t->phase == KMESOS_PHASE_LAUNCHING || t->phase == KMESOS_PHASE_ACTIVE ||
                 (t->phase == KMESOS_PHASE_STOPPED && !kmesos_task_state_terminal(t->state)));
}

/* 1 when a client's task may run now or later. */
static int lc_busy(const kmesos_kafka_node *n, const kmesos_task *t)
{
    if (!t || t->phase == KMESOS_PHASE_DONE)
        return 0;
    if (t->phase == KMESOS_PHASE_STOPPED)
        return !kmesos_task_state_terminal(t->state) && t->state >= 0;
    return n->active;
}

/* Why the node may not be removed now (in err): -1, or 0. */
static int lc_refuse_remove(const kmesos_kafka *k, const kmesos_kafka_node *n, char *err,
                            size_t errlen)
{
    const kmesos_task *t = kmesos_kafka_task(k, n);
    int broker = n->kind == KMESOS_KAFKA_BROKER;
    if (broker ? n->active || lc_alive(t) : lc_busy(n, t)) {
        snprintf(err, errlen, "%s %d is %s: stop it first", kmesos_kafka_kind_name(n->kind),
                 n->id, n->active ? "active" : "still running");
        return -1;
    }
    if (broker && kmesos_kafka_voter(k, n->id)) {
        snprintf(err, errlen, "broker %d is a controller quorum voter: the static quorum "
                 "cannot lose it", n->id);
        return -1;
    }
    return 0;
}

/* ---- workloads ---------------------------------------------------------------------------- */

static int lc_add_label(kmesos_workload *w, const char *key, const char *value)
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

kmesos_workload *kmesos_kafka_workload(const kmesos_kafka *k, kmesos_kafka_node *n)
{
    lc_shape sh;
    char name[48], err[256];
    kmesos_workload *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    lc_shape_of(k, n, &sh);
    kmesos_kafka_node_name(n, name, sizeof name);
    w->name = strdup(name);
    w->kind = strdup(kmesos_kafka_kind_name(n->kind));
    w->command = strdup(sh.command);
    w->cpus = sh.cpus;
    w->mem = sh.mem;
    w->exec_cpus = KMESOS_KAFKA_EXEC_CPUS;
    w->exec_mem = KMESOS_KAFKA_EXEC_MEM;
    w->ports = sh.ports;
    w->instances = n->active ? 1 : 0;
    w->restart = sh.restart;
    /* failover: delay doubling to the max, given up (and the node
     * deactivated by the update hook) after max tries */
    w->backoff_base_ms = kmesos_num_ms(sh.delay_s);
    w->backoff_max_ms = kmesos_num_ms(sh.max_delay_s);
    w->max_failures = sh.max_tries;
    w->ext = n;
    int ok = w->name && w->kind && w->command;
    for (size_t i = 0; ok && i < sh.n_hosts; i++)
        ok = kmesos_workload_list_add(&w->prefer_hosts, &w->n_prefer_hosts, sh.hosts[i]) == 0;
    if (ok && sh.agent)
        ok = kmesos_workload_list_add(&w->prefer_agents, &w->n_prefer_agents, sh.agent) == 0;
    if (!ok ||
        kmesos_workload_parse_constraints(sh.constraints, &w->constraints, &w->n_constraints,
                                          err, sizeof err) != 0 ||
        lc_add_label(w, sh.label_key, sh.label) != 0) {
        kmesos_workload_destroy(w);
        return NULL;
    }
    return w;
}

int kmesos_kafka_refresh(kmesos_kafka *k, kmesos_kafka_node *n)
{
    n->refresh_due = 0;
    kmesos_workload *w = kmesos_kafka_workload(k, n);
    return w ? kmesos_scheduler_put_workload(k->sched, w) : -1;
}

int kmesos_kafka_stale(const kmesos_kafka *k, const kmesos_kafka_node *n, const kmesos_task *t)
{
    if (!t || t->phase != KMESOS_PHASE_PENDING)
        return 0;
    const kmesos_workload *w = t->workload;
    const kmesos_broker *b = kmesos_broker_of(n);
    if (b) { /* stickiness ran out, or its agent is gone: where it may go changed */
        const char *agent, *host;
        lc_preferred(k, b, &agent, &host);
        return !lc_list_is(w->prefer_agents, w->n_prefer_agents, agent) ||
               !lc_list_is(w->prefer_hosts, w->n_prefer_hosts, host);
    }
    const char *hosts[64];
    size_t m = kmesos_kafka_broker_hosts(k, hosts, 64);
    if (m != w->n_prefer_hosts)
        return 1;
    for (size_t i = 0; i < m; i++)
        if (strcmp(hosts[i], w->prefer_hosts[i]) != 0)
            return 1;
    return 0;
}

/* ---- commands ------------------------------------------------------------------------------ */

static int lc_oom(kmesos_kafka_kind kind, const char **field, char *err, size_t errlen)
{
    *field = kmesos_kafka_kind_name(kind);
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* dst = base with the parameters applied, checked. 0, or -1 (dst freed). */
static int lc_apply(const kmesos_kafka *k, kmesos_kafka_kind kind, void *dst, const void *base,
                    const kmesos_kafka_params *p, const char **field, char *err, size_t errlen)
{
    const kmesos_ks_schema *sc = lc_schema(kind);
    if (kmesos_ks_apply(sc, dst, base, p, kmesos_kafka_kind_name(kind), field, err, errlen) != 0)
        return -1;
    if (lc_check(k, kind, dst, base, field, err, errlen) != 0) {
        kmesos_ks_free(sc, dst);
        return -1;
    }
    return 0;
}

/* A new node with a copy of the settings, listed, its workload given. */
static int lc_add_one(kmesos_kafka *k, kmesos_kafka_kind kind, int id, const void *set)
{
    const kmesos_ks_schema *sc = lc_schema(kind);
    kmesos_kafka_node *n = lc_node_new(kind, id);
    if (!n)
        return -1;
    void *s = lc_settings_of(n);
    kmesos_ks_free(sc, s);
    if (kmesos_ks_copy(sc, s, set) != 0 || kmesos_kafka_node_insert(k, n) != 0) {
        kmesos_kafka_node_destroy(n);
        return -1;
    }
    return kmesos_kafka_refresh(k, n);
}

/* Adds nodes ids[] with base's settings and the parameters applied: none
 * of the ids may exist, and nothing is added unless all of them can be. */
static int lc_add_from(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                       const void *base, const kmesos_kafka_params *p, const char **field,
                       char *err, size_t errlen)
{
    const kmesos_ks_schema *sc = lc_schema(kind);
    const char *name = kmesos_kafka_kind_name(kind);
    lc_settings set;
    for (size_t i = 0; i < n; i++)
        if (kmesos_kafka_node_find(k, kind, ids[i])) {
            *field = name;
            snprintf(err, errlen, "%s %d already exists", name, ids[i]);
            return -1;
        }
    if (lc_apply(k, kind, &set, base, p, field, err, errlen) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = lc_add_one(k, kind, ids[i], &set);
    kmesos_ks_free(sc, &set);
    kmesos_kafka_changed(k);
    return rc != 0 ? lc_oom(kind, field, err, errlen) : 0;
}

int kmesos_kafka_add(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                     const kmesos_kafka_params *p, const char **field, char *err, size_t errlen)
{
    const kmesos_ks_schema *sc = lc_schema(kind);
    lc_settings dflt;
    if (kmesos_ks_defaults(sc, &dflt) != 0)
        return lc_oom(kind, field, err, errlen);
    int rc = lc_add_from(k, kind, ids, n, &dflt, p, field, err, errlen);
    kmesos_ks_free(sc, &dflt);
    return rc;
}

int kmesos_kafka_clone(kmesos_kafka *k, kmesos_kafka_kind kind, int from, const int *ids,
                       size_t n, const kmesos_kafka_params *p, const char **field, char *err,
                       size_t errlen)
{
    const kmesos_ks_schema *sc = lc_schema(kind);
    const kmesos_kafka_node *src = kmesos_kafka_node_find(k, kind, from);
    lc_settings base;
    if (!src) {
        *field = kmesos_kafka_kind_name(kind);
        snprintf(err, errlen, "%s %d does not exist", kmesos_kafka_kind_name(kind), from);
        return -1;
    }
    if (kmesos_ks_copy(sc, &base, lc_settings_of(src)) != 0)
        return lc_oom(kind, field, err, errlen);
    /* a host name advertised for one broker, and its data folders, are
     * that broker's alone: a clone gets the defaults of its own id */
    if (kind == KMESOS_KAFKA_BROKER &&
        (kmesos_ks_set_text(&base.broker.advertised_host, "") != 0 ||
         kmesos_ks_set_text(&base.broker.data_dir, "") != 0)) {
        kmesos_ks_free(sc, &base);
        return lc_oom(kind, field, err, errlen);
    }
    int rc = lc_add_from(k, kind, ids, n, &base, p, field, err, errlen);
    kmesos_ks_free(sc, &base);
    return rc;
}

int kmesos_kafka_update(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                        const kmesos_kafka_params *p, const char **field, char *err,
                        size_t errlen)
{
    const kmesos_ks_schema *sc = lc_schema(kind);
    lc_settings *next = calloc(n ? n : 1, sizeof *next);
    size_t done = 0;
    if (!next)
        return lc_oom(kind, field, err, errlen);
    for (; done < n; done++) {
        const kmesos_kafka_node *node = kmesos_kafka_node_find(k, kind, ids[done]);
        if (lc_apply(k, kind, &next[done], lc_settings_of(node), p, field, err, errlen) != 0)
            break;
    }
    int ok = done == n;
    for (size_t i = 0; i < done; i++) {
        kmesos_kafka_node *node = kmesos_kafka_node_find(k, kind, ids[i]);
        if (ok) { /* the new settings in, the old ones out to be freed */
            lc_settings old;
            memcpy(&old, lc_settings_of(node), sc->size);
            memcpy(lc_settings_of(node), &next[i], sc->size);
            memcpy(&next[i], &old, sc->size);
            kmesos_kafka_refresh(k, node);
        }
        kmesos_ks_free(sc, &next[i]);
    }
    free(next);
    if (ok)
        kmesos_kafka_changed(k);
    return ok ? 0 : -1;
}

int kmesos_kafka_remove_check(const kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids,
                              size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (lc_refuse_remove(k, kmesos_kafka_node_find(k, kind, ids[i]), err, errlen) != 0)
            return -1;
    return 0;
}

int kmesos_kafka_remove(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                        int purge, const char **field, char *err, size_t errlen)
{
    *field = kmesos_kafka_kind_name(kind);
    if (kmesos_kafka_remove_check(k, kind, ids, n, err, errlen) != 0)
        return -1;
    char name[48];
    for (size_t i = 0; i < n; i++) {
        kmesos_kafka_node *node = kmesos_kafka_node_find(k, kind, ids[i]);
        kmesos_broker *b = kmesos_broker_of(node);
        if (purge && b && kmesos_kafka_purge(k, b) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        kmesos_kafka_node_name(node, name, sizeof name);
        kmesos_scheduler_remove_workload(k->sched, name);
        kmesos_kafka_node_take(k, node);
        kmesos_kafka_node_destroy(node);
    }
    if (purge)
        kmesos_scheduler_update_interest(k->sched); /* offers for the purge */
    kmesos_kafka_changed(k);
    return 0;
}

int kmesos_kafka_start(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                       char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        kmesos_kafka_node *node = kmesos_kafka_node_find(k, kind, ids[i]);
        if (!node->active) {
            node->active = 1;
            node->failures = 0;
        }
        kmesos_task *t = kmesos_kafka_task(k, node);
        if (kmesos_kafka_refresh(k, node) != 0 || (t && kmesos_scheduler_requeue(k->sched, t) != 0))
            rc = -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    kmesos_scheduler_update_interest(k->sched);
    kmesos_kafka_changed(k);
    return rc;
}

int kmesos_kafka_stop(kmesos_kafka *k, kmesos_kafka_kind kind, const int *ids, size_t n,
                      char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        kmesos_kafka_node *node = kmesos_kafka_node_find(k, kind, ids[i]);
        node->active = 0;
        kmesos_kafka_unqueue(k, kmesos_kafka_key(kind, node->id));
        if (kmesos_kafka_refresh(k, node) != 0)
            rc = -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    kmesos_kafka_changed(k);
    return rc;
}
