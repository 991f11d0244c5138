/* persist: the "kafka" section of the state document (persist.h). Saving
 * writes the cluster id, the configured quorum size, the recorded voters
 * and one entry per node, brokers and clients in two lists (each kind
 * writes its own entry: broker.h, client.h). Loading reads them back in
 * the same order, refuses a duplicate node, and hands the scheduler each
 * node's workload with kmesos_scheduler_adopt_workload: without slots,
 * because the state store restores the saved tasks next and fills the
 * missing slots after that. */
#include "sched/kafka/persist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/str.h"
#include "sched/kafka/lifecycle.h"

json_t *kmesos_kafka_state_save(void *arg)
{
    const kmesos_kafka *k = arg;
    json_t *brokers = json_array(), *clients = json_array(), *voters = json_array();
    for (size_t i = 0; brokers && clients && i < k->n_nodes; i++) {
        const kmesos_broker *b = kmesos_broker_of(k->nodes[i]);
        if (b)
            json_array_append_new(brokers, kmesos_broker_state_json(b));
        else
            json_array_append_new(clients, kmesos_client_state_json(kmesos_client_of(k->nodes[i])));
    }
    for (size_t i = 0; voters && i < k->n_voters; i++)
        json_array_append_new(voters, json_pack("{s:i, s:s, s:s*, s:i}", "id", k->voters[i].id,
                                                "host", k->voters[i].host, "agent_id",
                                                k->voters[i].agent_id, "port",
                                                k->voters[i].port));
    return json_pack("{s:s, s:i, s:o, s:o, s:o}", "cluster_id", k->cluster_id, "quorum_size",
                     k->quorum_size, "voters", voters, "brokers", brokers, "clients", clients);
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
        const char *host = NULL, *agent = NULL;
        kmesos_voter *at = &k->voters[have];
        if (json_unpack(jv, "{s:i, s:s, s?s, s:i}", "id", &at->id, "host", &host, "agent_id",
                        &agent, "port", &at->port))
            return snprintf(err, errlen, "bad voter entry %zu", i), -1;
        k->n_voters = ++have; /* from here on freed with the voters */
        if (!(at->host = strdup(host)) || kmesos_str_set(&at->agent_id, agent) != 0)
            return snprintf(err, errlen, "out of memory"), -1;
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
    json_array_foreach(brokers, i, j) {
        kmesos_broker *b = kmesos_broker_from_state(j, err, errlen);
        if (!b || load_node(k, &b->node, err, errlen) != 0)
            return -1;
    }
    if (!clients)
        return 0;
    if (!json_is_array(clients))
        return snprintf(err, errlen, "kafka: 'clients' is not an array"), -1;
    json_array_foreach(clients, i, j) {
        kmesos_client *c = kmesos_client_from_state(j, err, errlen);
        if (!c || load_node(k, &c->node, err, errlen) != 0)
            return -1;
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
    if (load_voters(k, voters, err, errlen) != 0 ||
        load_nodes(k, brokers, clients, err, errlen) != 0)
        return -1;
    return 0;
}
