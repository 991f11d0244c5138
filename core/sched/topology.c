/* topology: two small hash tables, agent id -> (hostname, rack) and
 * hostname -> rack, owned strings throughout. Learning an agent that is
 * already known with the same hostname and rack changes nothing (and so
 * does not bump the generation): offers repeat what GET_AGENTS said, and
 * readers rebuild only on real changes. */
#include "sched/topology.h"

#include <stdlib.h>
#include <string.h>

#include "codec/str.h"

static int topo_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int kmesos_topology_init(kmesos_topology *t, const char *rack_attribute)
{
    memset(t, 0, sizeof *t);
    return kmesos_str_set(&t->rack_attribute, rack_attribute ? rack_attribute : "rack");
}

void kmesos_topology_free(kmesos_topology *t)
{
    kmesos_topo_agent *a, *atmp;
    HASH_ITER(hh, t->agents, a, atmp) {
        HASH_DEL(t->agents, a);
        free(a->agent_id);
        free(a->hostname);
        free(a->rack);
        free(a);
    }
    kmesos_topo_host *h, *htmp;
    HASH_ITER(hh, t->hosts, h, htmp) {
        HASH_DEL(t->hosts, h);
        free(h->hostname);
        free(h->rack);
        free(h);
    }
    free(t->rack_attribute);
    memset(t, 0, sizeof *t);
}

/* The host entry, created when missing; NULL on no memory. */
static kmesos_topo_host *topo_host(kmesos_topology *t, const char *hostname)
{
    kmesos_topo_host *h = NULL;
    HASH_FIND_STR(t->hosts, hostname, h);
    if (h)
        return h;
    if (!(h = calloc(1, sizeof *h)) || !(h->hostname = strdup(hostname))) {
        free(h);
        return NULL;
    }
    HASH_ADD_KEYPTR(hh, t->hosts, h->hostname, strlen(h->hostname), h);
    return h;
}

static kmesos_topo_agent *topo_agent(kmesos_topology *t, const char *agent_id)
{
    kmesos_topo_agent *a = NULL;
    HASH_FIND_STR(t->agents, agent_id, a);
    if (a)
        return a;
    if (!(a = calloc(1, sizeof *a)) || !(a->agent_id = strdup(agent_id))) {
        free(a);
        return NULL;
    }
    HASH_ADD_KEYPTR(hh, t->agents, a->agent_id, strlen(a->agent_id), a);
    t->n_agents++;
    t->news++;
    return a;
}

int kmesos_topology_learn(kmesos_topology *t, const char *agent_id, const char *hostname,
                          const char *rack)
{
    if (!agent_id || !hostname)
        return 0;
    kmesos_topo_agent *a = topo_agent(t, agent_id);
    kmesos_topo_host *h = topo_host(t, hostname);
    if (!a || !h)
        return -1;
    a->mark = t->sweep;
    if (topo_same(a->hostname, hostname) && topo_same(a->rack, rack) && topo_same(h->rack, rack))
        return 0;
    char *host_copy = strdup(hostname), *rack_a = rack ? strdup(rack) : NULL;
    char *rack_h = rack ? strdup(rack) : NULL;
    if (!host_copy || (rack && (!rack_a || !rack_h))) {
        free(host_copy);
        free(rack_a);
        free(rack_h);
        return -1;
    }
    free(a->hostname);
    free(a->rack);
    free(h->rack);
    a->hostname = host_copy;
    a->rack = rack_a;
    h->rack = rack_h;
    t->generation++;
    return 0;
}

void kmesos_topology_forget(kmesos_topology *t, const char *agent_id)
{
    kmesos_topo_agent *a = NULL;
    HASH_FIND_STR(t->agents, agent_id, a);
    if (!a)
        return;
    HASH_DEL(t->agents, a);
    t->n_agents--;
    t->news++;
    free(a->agent_id);
    free(a->hostname);
    free(a->rack);
    free(a);
    t->generation++;
}

int kmesos_topology_knows_agent(const kmesos_topology *t, const char *agent_id)
{
    kmesos_topo_agent *a = NULL;
    if (agent_id)
        HASH_FIND_STR(t->agents, agent_id, a);
    return a != NULL;
}

const char *kmesos_topology_rack_of_agent(const kmesos_topology *t, const char *agent_id)
{
    kmesos_topo_agent *a = NULL;
    if (agent_id)
        HASH_FIND_STR(t->agents, agent_id, a);
    return a ? a->rack : NULL;
}

const char *kmesos_topology_rack_of_host(const kmesos_topology *t, const char *hostname)
{
    kmesos_topo_host *h = NULL;
    if (hostname)
        HASH_FIND_STR(t->hosts, hostname, h);
    return h ? h->rack : NULL;
}

void kmesos_topology_sweep_begin(kmesos_topology *t) { t->sweep++; }

void kmesos_topology_sweep_end(kmesos_topology *t)
{
    kmesos_topo_agent *a, *tmp;
    HASH_ITER(hh, t->agents, a, tmp) {
        if (a->mark != t->sweep)
            kmesos_topology_forget(t, a->agent_id);
    }
}
