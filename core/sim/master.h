/* master: the modelled Mesos master and its allocator. It knows agents
 * (hostname, agent id, rack, cpus and mem) and frameworks as the master
 * sees them: what they hold (running tasks plus outstanding offers, for
 * the DRF share), whether they are suppressed, and their decline filters.
 * An allocation round visits the agents one at a time in a random order
 * (seeded) and offers each agent's free resources, as one offer, to the
 * framework with the lowest dominant share that may get it (not
 * suppressed, agent allowed, not filtered). Offered resources are not
 * offered again until the offer is answered. Filters work as in Mesos: a
 * decline (or the unused part of an accept) with refuse_seconds > 0 hides
 * that agent from that framework until the time passes, unless more
 * resources than were refused become free; REVIVE clears them. A filter
 * starts when the answer reaches the master, answer_latency_s after the
 * scheduler sent it, so a refuse of one allocation interval hides the
 * agent for one round, as in Mesos.
 * Offers are delivered after the round, one OFFERS batch per framework,
 * through a hook; the master knows nothing of schedulers or tasks. */
#ifndef KSIM_MASTER_H
#define KSIM_MASTER_H
#include <stddef.h>
#include <stdint.h>

#include "sim/rng.h"
#include "sim/scenario.h"

typedef struct ksim_agent {
    const char *hostname, *rack; /* the scenario's strings (rack NULL: none) */
    const char *id;              /* the scenario's, or idbuf */
    char idbuf[32];              /* "agent-N" */
    size_t rack_index;           /* an agent without a rack has an index of its own */
    double cpus, mem, disk;      /* total */
    double free_cpus, free_mem, free_disk; /* neither used by tasks nor offered */
} ksim_agent;

typedef struct ksim_filter {
    uint64_t until_ms;      /* 0: none */
    double cpus, mem, disk; /* what was refused */
} ksim_filter;

typedef struct ksim_fw_stats {
    uint64_t offers_made, offers_declined, offers_accepted;
    double held_slot_s; /* slot-seconds between an offer and a later answer */
} ksim_fw_stats;

typedef struct ksim_fw {
    double alloc_cpus, alloc_mem; /* used + offered (DRF counts cpus and mem) */
    int suppressed;
    ksim_filter *filters;   /* per agent */
    unsigned char *allowed; /* per agent; NULL: every agent */
    size_t *round;          /* offers of the current round */
    size_t n_round;
    ksim_fw_stats stats;
} ksim_fw;

typedef struct ksim_offer_rec {
    size_t fw, agent;
    double cpus, mem, disk;
    uint64_t made_ms;
    int open;
} ksim_offer_rec;

typedef struct ksim_master_hooks {
    void *arg;
    /* Offers (indices into the master's offer table) for framework fw. */
    void (*deliver)(void *arg, size_t fw, const size_t *offers, size_t n);
} ksim_master_hooks;

typedef struct ksim_master {
    ksim_agent *agents;
    size_t n_agents, n_racks;
    ksim_fw *fws;
    size_t n_fws;
    ksim_offer_rec *offers;
    size_t n_offers, cap_offers;
    double total_cpus, total_mem, cpus_per_slot;
    uint64_t latency_ms; /* an answer reaches the master this long after it is sent */
    ksim_rng rng;
    size_t *order; /* agent visiting order of a round */
    ksim_master_hooks hooks;
} ksim_master;

/* Agents from the scenario; 0 or -1 (no memory). */
int ksim_master_init(ksim_master *m, const ksim_scenario *sc, uint64_t seed,
                     const ksim_master_hooks *hooks);
void ksim_master_free(ksim_master *m);
/* Registers a framework that may get the agents with allowed[i] != 0
 * (copied; NULL: all). Returns its index, or -1. */
long ksim_master_add_fw(ksim_master *m, const unsigned char *allowed);
/* One allocation round at now_ms, then delivery of what it offered. */
void ksim_master_allocate(ksim_master *m, uint64_t now_ms);
/* The open offer "o-N" of framework fw, or NULL (unknown, answered or
 * another framework's). */
ksim_offer_rec *ksim_master_offer(ksim_master *m, size_t fw, const char *id);
void ksim_master_offer_id(size_t index, char *buf, size_t len);
/* Resources: used by tasks, or what an answer leaves. */
typedef struct ksim_res {
    double cpus, mem, disk;
} ksim_res;

/* Answers an open offer: used of it is now used by tasks (all 0 for a
 * decline); the rest returns to the agent, filtered for refuse_s. */
void ksim_master_answer(ksim_master *m, ksim_offer_rec *o, ksim_res used, double refuse_s,
                        uint64_t now_ms);
/* A task of fw on agent ended: its resources are free again. */
void ksim_master_release(ksim_master *m, size_t fw, size_t agent, ksim_res r);
void ksim_master_revive(ksim_master *m, size_t fw);
void ksim_master_suppress(ksim_master *m, size_t fw);

#endif
