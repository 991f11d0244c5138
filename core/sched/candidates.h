/* candidates: the index placement asks instead of scanning every task per
 * offer. From the pending slots it maps each preferred agent, host and rack
 * (a task's own racks, plus the racks of its preferred hosts and agents as
 * the topology knows them, even for hosts that never offered) to the tasks
 * preferring it, and keeps each job's pending tasks in instance order. For
 * an offer, placement then asks in tiers: tasks preferring its agent or
 * host, then those preferring its rack, then the rest, job by job in fair
 * order (fewest running tasks first). The index is rebuilt only when a slot
 * became pending or left, or the topology changed; a slot that launched in
 * between stays listed and is skipped (its phase says so), and the index is
 * compacted once most of it is stale. */
#ifndef KMESOS_CANDIDATES_H
#define KMESOS_CANDIDATES_H
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "sched/jobs.h"
#include "sched/offers.h"
#include "sched/tasks.h"
#include "sched/topology.h"

typedef struct kmesos_cand_list {
    char *key;
    kmesos_task **v;
    size_t n, cap;
    UT_hash_handle hh;
} kmesos_cand_list;

typedef struct kmesos_cand_job {
    kmesos_job *job;
    kmesos_task **v;
    size_t n, cap;
} kmesos_cand_job;

typedef enum kmesos_locality {
    KMESOS_LOCALITY_NODE = 0,  /* on a preferred agent or host */
    KMESOS_LOCALITY_RACK = 1,  /* in a preferred rack or a preferred host's rack */
    KMESOS_LOCALITY_ANY = 2,   /* elsewhere */
    KMESOS_LOCALITY_NONE = 3,  /* the task prefers nothing */
} kmesos_locality;

typedef struct kmesos_candidates {
    kmesos_cand_list *by_agent, *by_host, *by_rack;
    kmesos_cand_job *jobs;      /* every job with pending tasks */
    size_t n_jobs, cap_jobs;
    kmesos_task **backoff;      /* pending slots that were in relaunch backoff */
    size_t n_backoff, cap_backoff;
    kmesos_task **scratch;      /* one tier's candidates, sorted */
    size_t n_scratch, cap_scratch;
    size_t *order;              /* jobs in fair order (indexes into jobs) */
    size_t indexed;             /* pending slots when built */
    uint64_t built_gen, topo_gen;
    int valid;
    uint64_t stamp;             /* offers placed: a slot asked about this one has it */
    uint64_t builds;
} kmesos_candidates;

void kmesos_candidates_init(kmesos_candidates *c);
void kmesos_candidates_free(kmesos_candidates *c);
/* Rebuilds the index when it is out of date. Slots must have their job
 * (kmesos_jobs_recount first). 0, or -1 when memory ran out: the index is
 * then left invalid and placement falls back to asking every pending slot
 * in registry order. */
int kmesos_candidates_refresh(kmesos_candidates *c, const kmesos_tasks *reg,
                              const kmesos_topology *topo);
/* The rack of an offer: its rack attribute, else what the topology knows of
 * its agent; NULL when unknown. */
const char *kmesos_candidates_offer_rack(const kmesos_topology *topo, const kmesos_offer *o);
/* Tier 1 (tier = 1: prefer the offer's agent or host) or tier 2 (prefer
 * its rack): the listed slots not yet asked about this offer (stamp), in
 * fair order, in c->scratch; returns how many. */
size_t kmesos_candidates_tier(kmesos_candidates *c, int tier, const kmesos_offer *o,
                              const char *rack, uint64_t stamp);
/* Fills c->order with the jobs in fair order; returns n_jobs. */
size_t kmesos_candidates_fair_jobs(kmesos_candidates *c);
/* How local a launch of t on o is (rack: the offer's). */
kmesos_locality kmesos_candidates_locality(const kmesos_topology *topo, const kmesos_task *t,
                                           const kmesos_offer *o, const char *rack);
const char *kmesos_locality_name(kmesos_locality l);

#endif
