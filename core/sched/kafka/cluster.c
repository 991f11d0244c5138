/* cluster: the kmesos_kafka object and what it knows without deciding
 * anything (cluster.h). The nodes live in one array sorted by kind, then
 * id, so a kind's nodes are one run and come out in id order; a node's
 * task is found through the scheduler by its workload name, slot 0 (a
 * node has at most one instance). The cluster id is a version 4 UUID in
 * Kafka's unpadded base64url form, drawn again when it would start with
 * '-'. The distribution's folder and name come from the tarball's path
 * ("/x/kafka-4.4.0.tgz": "/x/kafka-4.4.0", "kafka-4.4.0"). The running
 * brokers (TASK_RUNNING in an active slot) give the bootstrap list and
 * the hosts clients prefer. */
#include "sched/kafka/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MOD "kafka"

#include "codec/base64.h"
#include "codec/log.h"
#include "codec/protocol.h"
#include "codec/str.h"

/* ---- set-up ---------------------------------------------------------------------------- */

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

int kmesos_kafka_init(kmesos_kafka *k, kmesos_scheduler *s, const kmesos_kafka_config *cfg,
                      char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->sched = s;
    k->fetch = cfg->fetch;
    k->quorum_size = cfg->quorum;
    double move_s = cfg->voter_move_after_s;
    k->voter_move_after_ms = move_s > 0 && move_s < 1e9 ? (uint64_t)(move_s * 1000.0) : 0;
    k->restart_current = -1;
    char id[23];
    if (kmesos_str_set(&k->executor, cfg->executor) || kmesos_str_set(&k->dist, cfg->dist) ||
        kmesos_str_set(&k->files_url, cfg->files_url) ||
        kmesos_str_set(&k->data_root, cfg->data_root) || !k->dist || split_dist(k) != 0 ||
        kmesos_str_set(&k->role, cfg->role ? cfg->role : "*") ||
        kmesos_str_set(&k->principal, cfg->principal ? cfg->principal : "") ||
        kmesos_kafka_new_cluster_id(id) != 0 || kmesos_str_set(&k->cluster_id, id)) {
        snprintf(err, errlen, "kafka: cannot set up (out of memory or no randomness)");
        kmesos_kafka_free(k);
        return -1;
    }
    return 0;
}

void kmesos_kafka_free(kmesos_kafka *k)
{
    for (size_t i = 0; i < k->n_nodes; i++)
        kmesos_kafka_node_destroy(k->nodes[i]);
    free(k->nodes);
    kmesos_kafka_voters_set(k, NULL, 0);
    free(k->restart);
    free(k->executor);
    free(k->dist);
    free(k->dist_dir);
    free(k->dist_name);
    free(k->files_url);
    free(k->data_root);
    free(k->cluster_id);
    free(k->role);
    free(k->principal);
    for (size_t i = 0; i < k->n_purge; i++)
        kmesos_kvol_clear(&k->purge[i]);
    free(k->purge);
    memset(k, 0, sizeof *k);
    k->restart_current = -1;
}

double kmesos_kafka_now_s(const kmesos_kafka *k)
{
    return k->sched->io.now_s(k->sched->io.arg);
}

uint64_t kmesos_kafka_now_ms(const kmesos_kafka *k)
{
    return k->sched->io.now_ms(k->sched->io.arg);
}

void kmesos_kafka_changed(kmesos_kafka *k)
{
    if (k->sched->io.changed)
        k->sched->io.changed(k->sched->io.arg);
}

/* ---- nodes ------------------------------------------------------------------------------ */

static int node_before(const kmesos_kafka_node *a, kmesos_kafka_kind kind, int id)
{
    return a->kind < kind || (a->kind == kind && a->id < id);
}

kmesos_kafka_node *kmesos_kafka_node_find(const kmesos_kafka *k, kmesos_kafka_kind kind, int id)
{
    for (size_t i = 0; i < k->n_nodes; i++)
        if (k->nodes[i]->kind == kind && k->nodes[i]->id == id)
            return k->nodes[i];
    return NULL;
}

kmesos_broker *kmesos_kafka_broker(const kmesos_kafka *k, int id)
{
    return kmesos_broker_of(kmesos_kafka_node_find(k, KMESOS_KAFKA_BROKER, id));
}

kmesos_client *kmesos_kafka_client(const kmesos_kafka *k, kmesos_client_kind kind, int id)
{
    return kmesos_client_of(kmesos_kafka_node_find(k, kind, id));
}

int *kmesos_kafka_ids(const kmesos_kafka *k, kmesos_kafka_kind kind, size_t *n)
{
    int *ids = calloc(k->n_nodes ? k->n_nodes : 1, sizeof *ids);
    size_t m = 0;
    for (size_t i = 0; ids && i < k->n_nodes; i++)
        if (k->nodes[i]->kind == kind)
            ids[m++] = k->nodes[i]->id;
    *n = m;
    return ids;
}

size_t kmesos_kafka_count(const kmesos_kafka *k, kmesos_kafka_kind kind)
{
    size_t m = 0;
    for (size_t i = 0; i < k->n_nodes; i++)
        m += k->nodes[i]->kind == kind;
    return m;
}

int kmesos_kafka_node_insert(kmesos_kafka *k, kmesos_kafka_node *n)
{
    kmesos_kafka_node **grown = realloc(k->nodes, (k->n_nodes + 1) * sizeof *grown);
    if (!grown)
        return -1;
    k->nodes = grown;
    size_t i = k->n_nodes;
    while (i > 0 && !node_before(k->nodes[i - 1], n->kind, n->id)) {
        k->nodes[i] = k->nodes[i - 1];
        i--;
    }
    k->nodes[i] = n;
    k->n_nodes++;
    return 0;
}

void kmesos_kafka_node_take(kmesos_kafka *k, const kmesos_kafka_node *n)
{
    size_t at = 0;
    while (at < k->n_nodes && k->nodes[at] != n)
        at++;
    if (at == k->n_nodes)
        return;
    memmove(&k->nodes[at], &k->nodes[at + 1], (k->n_nodes - at - 1) * sizeof *k->nodes);
    k->n_nodes--;
}

void kmesos_kafka_node_destroy(kmesos_kafka_node *n)
{
    kmesos_broker *b = kmesos_broker_of(n);
    if (b)
        kmesos_broker_destroy(b);
    else
        kmesos_client_destroy(kmesos_client_of(n));
}

kmesos_task *kmesos_kafka_task(const kmesos_kafka *k, const kmesos_kafka_node *n)
{
    char name[48];
    if (!n)
        return NULL;
    kmesos_kafka_node_name(n, name, sizeof name);
    const kmesos_workload *w = kmesos_scheduler_workload(k->sched, name);
    return w ? kmesos_scheduler_slot(k->sched, w, 0) : NULL;
}

/* ---- voters ----------------------------------------------------------------------------- */

const kmesos_voter *kmesos_kafka_voter(const kmesos_kafka *k, int id)
{
    for (size_t i = 0; i < k->n_voters; i++)
        if (k->voters[i].id == id)
            return &k->voters[i];
    return NULL;
}

int kmesos_kafka_voter_moved(kmesos_kafka *k, int id, const char *agent_id, const char *host)
{
    kmesos_voter *v = (kmesos_voter *)kmesos_kafka_voter(k, id);
    if (v && !v->ran) {
        v->ran = 1; /* formatted: a later format joins the quorum */
        kmesos_kafka_changed(k);
    }
    if (!v || !agent_id || !host || strcmp(v->host, host) != 0 ||
        (v->agent_id && strcmp(v->agent_id, agent_id) == 0))
        return 0;
    KLOG_INFO(MOD, "voter %d: now on agent %s (host %s; was %s)", id, agent_id, host,
              v->agent_id ? v->agent_id : "not recorded");
    return kmesos_str_set(&v->agent_id, agent_id) == 0;
}

int kmesos_kafka_agent_known(const kmesos_kafka *k, const char *agent_id)
{
    return kmesos_topology_knows_agent(&k->sched->topology, agent_id);
}

int kmesos_kafka_on_home(const kmesos_kafka *k, const char *agent_id, const char *host,
                         const kmesos_offer *o)
{
    if (agent_id && strcmp(o->agent_id, agent_id) == 0)
        return 1;
    if (kmesos_kafka_agent_known(k, agent_id))
        return 0;
    return host && strcmp(o->hostname, host) == 0;
}

void kmesos_kafka_voters_set(kmesos_kafka *k, kmesos_voter *v, size_t n)
{
    for (size_t i = 0; i < k->n_voters; i++) {
        free(k->voters[i].host);
        free(k->voters[i].agent_id);
        free(k->voters[i].dir_id);
    }
    free(k->voters);
    k->voters = v;
    k->n_voters = n;
}

int kmesos_kafka_quorum_dynamic(const kmesos_kafka *k)
{
    return k->n_voters > 0 && k->voters[0].dir_id != NULL;
}

char *kmesos_kafka_voters_text(const kmesos_kafka *k, kmesos_voters_form form)
{
    size_t cap = 1;
    for (size_t i = 0; i < k->n_voters; i++)
        cap += strlen(k->voters[i].host) + 64;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < k->n_voters; i++) {
        const kmesos_voter *v = &k->voters[i];
        const char *sep = i ? "," : "";
        if (form == KMESOS_VOTERS_BOOTSTRAP)
            used += (size_t)snprintf(out + used, cap - used, "%s%s:%d", sep, v->host, v->port);
        else if (form == KMESOS_VOTERS_INITIAL && v->dir_id)
            used += (size_t)snprintf(out + used, cap - used, "%s%d@%s:%d:%s", sep, v->id,
                                     v->host, v->port, v->dir_id);
        else
            used += (size_t)snprintf(out + used, cap - used, "%s%d@%s:%d", sep, v->id, v->host,
                                     v->port);
    }
    return out;
}

int kmesos_kafka_voter_move(kmesos_kafka *k, int id, const char *agent_id, const char *host,
                            int port)
{
    kmesos_voter *v = (kmesos_voter *)kmesos_kafka_voter(k, id);
    char *a = strdup(agent_id), *h = strdup(host);
    if (!v || !a || !h) {
        free(a);
        free(h);
        return -1;
    }
    KLOG_WARN(MOD, "voter %d: its host %s is gone; moving to %s (agent %s), controller port %d: "
              "it joins the quorum in place of its old self", id, v->host, host, agent_id, port);
    free(v->agent_id);
    free(v->host);
    v->agent_id = a;
    v->host = h;
    v->port = port;
    v->ran = 1; /* a new metadata dir: formatted to join, never to bootstrap */
    kmesos_kafka_changed(k);
    return 0;
}

void kmesos_kafka_data_dir(const kmesos_kafka *k, const kmesos_broker *b, char *out, size_t len)
{
    if (kmesos_broker_reserves(&b->set))
        snprintf(out, len, "%s", KMESOS_KVOL_PATH); /* in its sandbox: the volume */
    else if (b->set.data_dir && *b->set.data_dir)
        snprintf(out, len, "%s", b->set.data_dir);
    else
        snprintf(out, len, "%s/broker-%d", k->data_root, b->node.id);
}

/* ---- running brokers ------------------------------------------------------------------------ */

int kmesos_kafka_running(const kmesos_task *t)
{
    return t && t->phase == KMESOS_PHASE_ACTIVE && t->state == MESOS__V1__TASK_STATE__TASK_RUNNING;
}

int kmesos_kafka_endpoint_of(const kmesos_broker *b, const kmesos_task *t, char *buf, size_t n)
{
    const char *host = t && t->hostname ? t->hostname : b->node.host;
    if (!host || !b->client_port)
        return 0;
    snprintf(buf, n, "%s:%d", host, b->client_port);
    return 1;
}

char *kmesos_kafka_bootstrap(const kmesos_kafka *k)
{
    size_t cap = 1, used = 0;
    for (size_t i = 0; i < k->n_nodes; i++)
        cap += (k->nodes[i]->host ? strlen(k->nodes[i]->host) : 0) + 300;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t i = 0; i < k->n_nodes; i++) {
        const kmesos_broker *b = kmesos_broker_of(k->nodes[i]);
        const kmesos_task *t = b ? kmesos_kafka_task(k, &b->node) : NULL;
        char endpoint[300];
        if (kmesos_kafka_running(t) && kmesos_kafka_endpoint_of(b, t, endpoint, sizeof endpoint))
            used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "", endpoint);
    }
    return out;
}

size_t kmesos_kafka_broker_hosts(const kmesos_kafka *k, const char **hosts, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < k->n_nodes && n < cap; i++) {
        const kmesos_broker *b = kmesos_broker_of(k->nodes[i]);
        const kmesos_task *t = b ? kmesos_kafka_task(k, &b->node) : NULL;
        if (!kmesos_kafka_running(t) || !t->hostname || kmesos_broker_is_controller(&b->set))
            continue;
        size_t j = 0;
        while (j < n && strcmp(hosts[j], t->hostname) != 0)
            j++;
        if (j == n)
            hosts[n++] = t->hostname;
    }
    return n;
}

void kmesos_kafka_unqueue(kmesos_kafka *k, int key)
{
    size_t j = 0;
    for (size_t i = 0; i < k->n_restart; i++)
        if (k->restart[i] != key)
            k->restart[j++] = k->restart[i];
    k->n_restart = j;
    if (k->restart_current == key)
        k->restart_current = -1;
}
