/* persist: the "kafka" section of the state document (persist.h). Saving
 * writes the cluster id, the configured quorum size, the recorded voters
 * and one entry per node, brokers and clients in two lists (each kind
 * writes its own entry: broker.h, client.h); an entry that cannot be
 * encoded fails the whole save with its name, never left out. Loading reads them back in
 * the same order, refuses a duplicate node, and hands the scheduler each
 * node's workload with kmesos_scheduler_adopt_workload: without slots,
 * because the state store restores the saved tasks next and fills the
 * missing slots after that. */
#include "sched/kafka/persist.h"
#include "sched/kafka/reserve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/str.h"
#include "sched/kafka/lifecycle.h"
#include "sched/state/state.h"

/* One node's entry, or NULL with err naming it (a value JSON cannot
 * hold, or no memory). */
static json_t *node_json(const kmesos_kafka_node *n, char *err, size_t errlen)
{
    const kmesos_broker *b = kmesos_broker_of(n);
    json_t *j = b ? kmesos_broker_state_json(b) : kmesos_client_state_json(kmesos_client_of(n));
    if (!j)
        snprintf(err, errlen, "kafka: %s %d cannot be encoded (a value that is not finite, "
                 "or text that is not UTF-8)", kmesos_kafka_kind_name(n->kind), n->id);
    return j;
}

static json_t *voters_json(const kmesos_kafka *k)
{
    json_t *voters = json_array();
    for (size_t i = 0; voters && i < k->n_voters; i++) {
        const kmesos_voter *v = &k->voters[i];
        json_t *jv = json_pack("{s:i, s:s, s:i, s:b}", "id", v->id, "host", v->host, "port",
                               v->port, "ran", v->ran);
        if (!jv || (v->agent_id && json_object_set_new(jv, "agent_id",
                                                       json_string(v->agent_id)) != 0) ||
            (v->dir_id && json_object_set_new(jv, "dir_id", json_string(v->dir_id)) != 0) ||
            json_array_append_new(voters, jv) != 0) {
            json_decref(voters);
            return NULL;
        }
    }
    return voters;
}

json_t *kmesos_kafka_state_save(void *arg, char *err, size_t errlen)
{
    const kmesos_kafka *k = arg;
    json_t *brokers = json_array(), *clients = json_array(), *voters = voters_json(k);
    int ok = brokers && clients && voters;
    for (size_t i = 0; ok && i < k->n_nodes; i++) {
        json_t *j = node_json(k->nodes[i], err, errlen);
        ok = j && json_array_append_new(kmesos_broker_of(k->nodes[i]) ? brokers : clients, j) == 0;
    }
    json_t *root = ok ? json_pack("{s:s, s:i, s:O, s:O, s:O}", "cluster_id", k->cluster_id,
                                  "quorum_size", k->quorum_size, "voters", voters, "brokers",
                                  brokers, "clients", clients)
                      : NULL;
    json_t *purge = root && k->n_purge ? kmesos_kafka_purge_json(k) : NULL;
    if (root && k->n_purge && (!purge || json_object_set_new(root, "purge", purge) != 0)) {
        json_decref(root);
        root = NULL;
    }
    if (ok && !root)
        snprintf(err, errlen, "kafka: out of memory");
    json_decref(brokers);
    json_decref(clients);
    json_decref(voters);
    return root;
}

/* A directory id as Kafka writes one: 22 characters of base64url. */
static int dir_id_ok(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    return n == 22 && s[n] == '\0';
}

/* A loaded voter holds what a launch could have recorded. */
static int voter_ok(const kmesos_voter *v)
{
    return v->id >= 0 && v->id <= KMESOS_KAFKA_MAX_ID && v->port >= 1 && v->port <= 65535 &&
           *v->host && (!v->dir_id || dir_id_ok(v->dir_id));
}

static int load_voters(kmesos_kafka *k, json_t *voters, char *err, size_t errlen)
{
    size_t i, n = json_array_size(voters), have = 0;
    json_t *jv;
    kmesos_voter *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return snprintf(err, errlen, "out of memory"), -1;
    kmesos_kafka_voters_set(k, v, 0);
    json_array_foreach(voters, i, jv) {
        const char *host = NULL, *agent = NULL, *dir = NULL;
        json_t *jagent = NULL, *jdir = NULL;
        kmesos_voter *at = &k->voters[have];
        json_error_t je;
        if (json_unpack_ex(jv, &je, 0, "{s:i, s:s, s?o, s:i, s?o, s?b}", "id", &at->id, "host",
                           &host, "agent_id", &jagent, "port", &at->port, "dir_id", &jdir,
                           "ran", &at->ran))
            return snprintf(err, errlen, "kafka.voters[%zu]: %s", i, je.text), -1;
        if (kmesos_state_opt_string(jagent, &agent) != 0 ||
            kmesos_state_opt_string(jdir, &dir) != 0)
            return snprintf(err, errlen, "kafka.voters[%zu]: agent_id and dir_id are strings",
                            i), -1;
        k->n_voters = ++have; /* from here on freed with the voters */
        if (!(at->host = strdup(host)) || kmesos_str_set(&at->agent_id, agent) != 0 ||
            kmesos_str_set(&at->dir_id, dir) != 0)
            return snprintf(err, errlen, "out of memory"), -1;
        if (!voter_ok(at))
            return snprintf(err, errlen, "kafka.voters[%zu]: id %d, host '%s', port %d or "
                            "dir_id out of range", i, at->id, host, at->port), -1;
        if (have > 1 && (at->dir_id != NULL) != (k->voters[0].dir_id != NULL))
            return snprintf(err, errlen, "kafka.voters[%zu]: every voter has a dir_id (a "
                            "dynamic quorum) or none does", i), -1;
    }
    return 0;
}

/* One saved node: listed, its workload adopted. */
static int load_node(kmesos_kafka *k, kmesos_kafka_node *n, char *err, size_t errlen)
{
    const char *kind = kmesos_kafka_kind_name(n->kind);
    if (kmesos_kafka_node_find(k, n->kind, n->id) || kmesos_kafka_node_insert(k, n) != 0) {
        snprintf(err, errlen, "duplicate %s %d", kind, n->id);
        kmesos_kafka_node_destroy(n);
        return -1;
    }
    kmesos_workload *w = kmesos_kafka_workload(k, n);
    if (!w || kmesos_scheduler_adopt_workload(k->sched, w) != 0)
        return snprintf(err, errlen, "cannot register %s %d", kind, n->id), -1;
    return 0;
}

static int load_nodes(kmesos_kafka *k, json_t *brokers, json_t *clients, char *err,
                      size_t errlen)
{
    size_t i;
    json_t *j;
    char why[512];
    json_array_foreach(brokers, i, j) {
        kmesos_broker *b = kmesos_broker_from_state(j, why, sizeof why);
        if (!b || load_node(k, &b->node, why, sizeof why) != 0)
            return snprintf(err, errlen, "kafka.brokers[%zu]: %s", i, why), -1;
    }
    if (!clients)
        return 0;
    if (!json_is_array(clients))
        return snprintf(err, errlen, "kafka: 'clients' is not an array"), -1;
    json_array_foreach(clients, i, j) {
        kmesos_client *c = kmesos_client_from_state(j, why, sizeof why);
        if (!c || load_node(k, &c->node, why, sizeof why) != 0)
            return snprintf(err, errlen, "kafka.clients[%zu]: %s", i, why), -1;
    }
    return 0;
}

int kmesos_kafka_state_load(void *arg, json_t *j, char *err, size_t errlen)
{
    kmesos_kafka *k = arg;
    const char *cid = NULL;
    json_t *voters = NULL, *brokers = NULL, *clients = NULL, *purge = NULL;
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s:s, s?i, s:o, s:o, s?o, s?o}", "cluster_id", &cid,
                       "quorum_size", &k->quorum_size, "voters", &voters, "brokers", &brokers,
                       "clients", &clients, "purge", &purge) != 0)
        return snprintf(err, errlen, "kafka: %s", je.text), -1;
    if (strlen(cid) != 22 || !json_is_array(voters) || !json_is_array(brokers))
        return snprintf(err, errlen, "kafka: bad cluster id or lists"), -1;
    if (k->quorum_size < 0 || k->quorum_size > 9)
        return snprintf(err, errlen, "kafka.quorum_size: expected 0..9"), -1;
    if (kmesos_str_set(&k->cluster_id, cid) != 0)
        return snprintf(err, errlen, "out of memory"), -1;
    if (load_voters(k, voters, err, errlen) != 0 ||
        load_nodes(k, brokers, clients, err, errlen) != 0 ||
        kmesos_kafka_purge_load(k, purge, err, errlen) != 0)
        return -1;
    return 0;
}
