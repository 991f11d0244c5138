/* topology: what the scheduler knows of the cluster's shape: for every
 * agent, its hostname and its rack (the value of the rack attribute,
 * "rack" by default). It is filled from the leading master's operator API
 * (GET_AGENTS, through the mesos/ wing) and from every offer, so a policy
 * can know the rack of a preferred host that has never offered, and the
 * placement index can put tasks preferring a host into that host's rack
 * tier. Pure data: no protobuf, no HTTP. A generation number changes
 * whenever anything changes, so readers can rebuild their views lazily. */
#ifndef KMESOS_TOPOLOGY_H
#define KMESOS_TOPOLOGY_H
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

typedef struct kmesos_topo_agent {
    char *agent_id;
    char *hostname;
    char *rack;           /* NULL: the agent has no rack attribute */
    uint64_t mark;        /* sweep in which it was last learned */
    UT_hash_handle hh;    /* by agent_id */
} kmesos_topo_agent;

typedef struct kmesos_topo_host {
    char *hostname;
    char *rack;           /* the rack of the last agent seen on this host */
    UT_hash_handle hh;    /* by hostname */
} kmesos_topo_host;

typedef struct kmesos_topology {
    kmesos_topo_agent *agents;
    kmesos_topo_host *hosts;
    size_t n_agents;
    char *rack_attribute;
    uint64_t generation;  /* bumped on every change */
    uint64_t sweep;       /* current sweep (kmesos_topology_sweep_begin) */
    uint64_t news;        /* bumped when an agent appears or goes: a reason to
                           * ask the master for the whole list again */
} kmesos_topology;

/* rack_attribute NULL: "rack". 0, or -1 when memory runs out. */
int kmesos_topology_init(kmesos_topology *t, const char *rack_attribute);
void kmesos_topology_free(kmesos_topology *t);
/* Records (or updates) an agent. rack may be NULL. 0, or -1 on no memory
 * (the topology is then as it was). */
int kmesos_topology_learn(kmesos_topology *t, const char *agent_id, const char *hostname,
                          const char *rack);
/* Forgets an agent (removed from the cluster); its host keeps its rack. */
void kmesos_topology_forget(kmesos_topology *t, const char *agent_id);
/* A full listing (GET_AGENTS) is applied as: begin, learn every agent
 * listed, end: agents not learned since begin are forgotten. */
void kmesos_topology_sweep_begin(kmesos_topology *t);
void kmesos_topology_sweep_end(kmesos_topology *t);
/* 1 when the agent is known (listed by the master or seen in an offer,
 * and not lost since). */
int kmesos_topology_knows_agent(const kmesos_topology *t, const char *agent_id);
/* The rack of an agent or of a host, or NULL when unknown. */
const char *kmesos_topology_rack_of_agent(const kmesos_topology *t, const char *agent_id);
const char *kmesos_topology_rack_of_host(const kmesos_topology *t, const char *hostname);

#endif
