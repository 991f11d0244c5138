/* agents: the scheduler's client of the master's operator API for one
 * question: which agents are there, on which hosts, in which racks
 * (GET_AGENTS, POST /api/v1 on the leading master). The answer goes into
 * the scheduler's topology (sched/topology.h), so policies and the
 * placement index know the rack of a host that has never offered. Asked
 * after every (re)subscribe, periodically, and on agent changes. A master
 * that does not answer it (an old master, 404/405/501, a bad body) is
 * logged once; the scheduler then learns racks from offers alone. */
#ifndef KMESOS_AGENTS_H
#define KMESOS_AGENTS_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "codec/protocol.h"
#include "sched/topology.h"

typedef struct kmesos_agents kmesos_agents;

typedef struct kmesos_agents_config {
    kmesos_content_type content_type; /* of the call and the answer */
    const char *principal;            /* HTTP basic auth, or NULL */
    const char *secret;
    double refresh_s;                 /* periodic refresh; <= 0: 60 s */
    /* Optional gate (scheduler HA), asked before each question leaves:
     * 0 skips it. */
    int (*may_send)(void *arg);
    void *gate_arg;
} kmesos_agents_config;

typedef struct kmesos_agents_stats {
    uint64_t asked, answered, failed, agents_last;
} kmesos_agents_stats;

/* NULL when memory runs out. topo must outlive the client. */
kmesos_agents *kmesos_agents_new(uv_loop_t *loop, kmesos_topology *topo,
                                 const kmesos_agents_config *cfg);
/* Asks now (and from now on periodically) the master whose scheduler
 * endpoint is scheduler_url ("http://h:5050/api/v1/scheduler", also with
 * the "/master" prefix a redirect gives); its operator endpoint is the
 * same URL with "/api/v1". A question still on its way is replaced. */
void kmesos_agents_refresh(kmesos_agents *a, const char *scheduler_url);
/* Asks again soon (coalesced): an agent came or went. */
void kmesos_agents_poke(kmesos_agents *a);
const kmesos_agents_stats *kmesos_agents_stats_get(const kmesos_agents *a);
/* The operator URL for a scheduler URL into out. 0, or -1 when it does
 * not end in "/api/v1/scheduler" or does not fit. */
int kmesos_agents_operator_url(const char *scheduler_url, char *out, size_t n);
/* Applies a GET_AGENTS answer body to the topology: every listed agent is
 * learned, agents no longer listed are forgotten. 0, or -1 with err (the
 * topology unchanged). Exposed for tests and fuzzing. */
int kmesos_agents_apply(kmesos_topology *topo, kmesos_content_type ct, const uint8_t *body,
                        size_t len, char *err, size_t errlen);
/* Cancels what is on its way, closes handles; frees from the loop, then
 * calls done (may be NULL). */
void kmesos_agents_close(kmesos_agents *a, void (*done)(void *arg), void *arg);

#endif
