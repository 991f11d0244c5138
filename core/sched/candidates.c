/* candidates: three uthash maps of string -> growable array of slot
 * pointers, one array per job, and a scratch array for one tier. A build
 * walks the registry once: each pending slot goes into its job's array and
 * into the lists of its preferred agents, hosts and racks (a rack added
 * once per slot even when several of its hosts share it). A tier gathers
 * the lists that match the offer, drops slots no longer pending or already
 * asked about this offer (the offer stamp), and sorts what is left by the
 * fair order: job with fewer running tasks first, then the older job, then
 * the lower instance. */
#include "sched/candidates.h"

#include <stdlib.h>
#include <string.h>

#define CAND_MAX_RACKS 16 /* distinct racks indexed per slot */

void kmesos_candidates_init(kmesos_candidates *c) { memset(c, 0, sizeof *c); }

static void cand_lists_free(kmesos_cand_list **map)
{
    kmesos_cand_list *l, *tmp;
    HASH_ITER(hh, *map, l, tmp) {
        HASH_DEL(*map, l);
        free(l->key);
        free(l->v);
        free(l);
    }
}

static void cand_clear(kmesos_candidates *c)
{
    cand_lists_free(&c->by_agent);
    cand_lists_free(&c->by_host);
    cand_lists_free(&c->by_rack);
    for (size_t i = 0; i < c->n_jobs; i++)
        free(c->jobs[i].v);
    c->n_jobs = 0;
    c->n_backoff = 0;
    c->indexed = 0;
    c->valid = 0;
}

void kmesos_candidates_free(kmesos_candidates *c)
{
    cand_clear(c);
    free(c->jobs);
    free(c->backoff);
    free(c->scratch);
    free(c->order);
    memset(c, 0, sizeof *c);
}

/* Appends t to a growable array. 0 or -1. */
static int cand_push(kmesos_task ***v, size_t *n, size_t *cap, kmesos_task *t)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        kmesos_task **g = realloc(*v, ncap * sizeof *g);
        if (!g)
            return -1;
        *v = g;
        *cap = ncap;
    }
    (*v)[(*n)++] = t;
    return 0;
}

static int cand_add(kmesos_cand_list **map, const char *key, kmesos_task *t)
{
    kmesos_cand_list *l = NULL;
    HASH_FIND_STR(*map, key, l);
    if (!l) {
        if (!(l = calloc(1, sizeof *l)) || !(l->key = strdup(key))) {
            free(l);
            return -1;
        }
        HASH_ADD_KEYPTR(hh, *map, l->key, strlen(l->key), l);
    }
    return cand_push(&l->v, &l->n, &l->cap, t);
}

static kmesos_cand_job *cand_job(kmesos_candidates *c, kmesos_job *j)
{
    for (size_t i = c->n_jobs; i-- > 0;) /* slots of a job tend to be together */
        if (c->jobs[i].job == j)
            return &c->jobs[i];
    if (c->n_jobs == c->cap_jobs) {
        size_t ncap = c->cap_jobs ? c->cap_jobs * 2 : 8;
        kmesos_cand_job *g = realloc(c->jobs, ncap * sizeof *g);
        size_t *o = g ? realloc(c->order, ncap * sizeof *o) : NULL;
        if (g)
            c->jobs = g;
        if (!o)
            return NULL;
        c->order = o;
        c->cap_jobs = ncap;
    }
    kmesos_cand_job *cj = &c->jobs[c->n_jobs++];
    memset(cj, 0, sizeof *cj);
    cj->job = j;
    return cj;
}

/* Adds rack to racks[] unless it is there already or the array is full. */
static void cand_rack(const char **racks, size_t *n, const char *rack)
{
    if (!rack || *n == CAND_MAX_RACKS)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(racks[i], rack) == 0)
            return;
    racks[(*n)++] = rack;
}

/* Lists t under its preferred agents, hosts and racks. 0 or -1. */
static int cand_index_slot(kmesos_candidates *c, const kmesos_topology *topo, kmesos_task *t)
{
    const kmesos_workload *w = t->workload;
    size_t n_hosts = 0, n_racks = 0;
    char *const *hosts = kmesos_workload_hosts_of(w, t->instance, &n_hosts);
    const char *racks[CAND_MAX_RACKS];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < w->n_prefer_agents; i++) {
        rc = cand_add(&c->by_agent, w->prefer_agents[i], t);
        cand_rack(racks, &n_racks, kmesos_topology_rack_of_agent(topo, w->prefer_agents[i]));
    }
    for (size_t i = 0; rc == 0 && i < n_hosts; i++) {
        rc = cand_add(&c->by_host, hosts[i], t);
        cand_rack(racks, &n_racks, kmesos_topology_rack_of_host(topo, hosts[i]));
    }
    for (size_t i = 0; i < w->n_prefer_racks; i++)
        cand_rack(racks, &n_racks, w->prefer_racks[i]);
    for (size_t i = 0; rc == 0 && i < n_racks; i++)
        rc = cand_add(&c->by_rack, racks[i], t);
    return rc;
}

static int cand_build(kmesos_candidates *c, const kmesos_tasks *reg, const kmesos_topology *topo)
{
    cand_clear(c);
    c->builds++;
    for (kmesos_task *t = reg->by_id; t; t = t->hh.next) {
        if (t->phase != KMESOS_PHASE_PENDING || !t->job)
            continue;
        kmesos_cand_job *cj = cand_job(c, t->job);
        if (!cj || cand_push(&cj->v, &cj->n, &cj->cap, t) != 0 ||
            cand_index_slot(c, topo, t) != 0 ||
            (t->next_attempt_ms && cand_push(&c->backoff, &c->n_backoff, &c->cap_backoff, t)))
            return -1;
        c->indexed++;
    }
    return 0;
}

static int cand_stale(const kmesos_candidates *c, const kmesos_tasks *reg,
                      const kmesos_topology *topo)
{
    if (!c->valid || c->built_gen != reg->pending_gen || c->topo_gen != topo->generation)
        return 1;
    /* most listed slots launched since: compact (cheaper tiers) */
    size_t pending = 0;
    for (size_t i = 0; i < c->n_jobs; i++)
        pending += c->jobs[i].job->pending;
    return c->indexed > 64 && pending * 4 < c->indexed;
}

int kmesos_candidates_refresh(kmesos_candidates *c, const kmesos_tasks *reg,
                              const kmesos_topology *topo)
{
    if (!cand_stale(c, reg, topo))
        return 0;
    if (cand_build(c, reg, topo) != 0) {
        cand_clear(c);
        return -1;
    }
    c->built_gen = reg->pending_gen;
    c->topo_gen = topo->generation;
    c->valid = 1;
    return 0;
}

const char *kmesos_candidates_offer_rack(const kmesos_topology *topo, const kmesos_offer *o)
{
    const char *rack = kmesos_offer_attr(o, topo->rack_attribute);
    return rack ? rack : kmesos_topology_rack_of_agent(topo, o->agent_id);
}

/* Fair order of slots: fewer running in the job, older job, lower instance. */
static int cand_cmp(const void *a, const void *b)
{
    const kmesos_task *x = *(kmesos_task *const *)a, *y = *(kmesos_task *const *)b;
    if (x->job->running != y->job->running)
        return x->job->running < y->job->running ? -1 : 1;
    if (x->job->order != y->job->order)
        return x->job->order < y->job->order ? -1 : 1;
    return (x->instance > y->instance) - (x->instance < y->instance);
}

/* Adds the list's slots that are pending and not yet asked to scratch. */
static void cand_gather(kmesos_candidates *c, const kmesos_cand_list *l, uint64_t stamp)
{
    for (size_t i = 0; l && i < l->n; i++) {
        kmesos_task *t = l->v[i];
        if (t->phase != KMESOS_PHASE_PENDING || t->asked_stamp == stamp)
            continue;
        /* a slot listed under both the agent and the host is gathered
         * twice: the asking marks it, so its second copy is skipped */
        if (cand_push(&c->scratch, &c->n_scratch, &c->cap_scratch, t) != 0)
            return; /* out of memory: fewer candidates, tier 3 still asks them */
    }
}

size_t kmesos_candidates_tier(kmesos_candidates *c, int tier, const kmesos_offer *o,
                              const char *rack, uint64_t stamp)
{
    kmesos_cand_list *l = NULL;
    c->n_scratch = 0;
    if (tier == 1) {
        HASH_FIND_STR(c->by_agent, o->agent_id, l);
        cand_gather(c, l, stamp);
        l = NULL;
        if (o->hostname)
            HASH_FIND_STR(c->by_host, o->hostname, l);
        cand_gather(c, l, stamp);
    } else if (rack) {
        HASH_FIND_STR(c->by_rack, rack, l);
        cand_gather(c, l, stamp);
    }
    if (c->n_scratch > 1)
        qsort(c->scratch, c->n_scratch, sizeof *c->scratch, cand_cmp);
    return c->n_scratch;
}


size_t kmesos_candidates_fair_jobs(kmesos_candidates *c)
{
    /* insertion sort: a handful of jobs, and stable by job order */
    for (size_t i = 0; i < c->n_jobs; i++) {
        size_t k = i;
        const kmesos_job *j = c->jobs[i].job;
        while (k > 0) {
            const kmesos_job *p = c->jobs[c->order[k - 1]].job;
            if (p->running < j->running || (p->running == j->running && p->order < j->order))
                break;
            c->order[k] = c->order[k - 1];
            k--;
        }
        c->order[k] = i;
    }
    return c->n_jobs;
}

static int cand_has(const char *const *list, size_t n, const char *v)
{
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(list[i], v) == 0)
            return 1;
    return 0;
}

kmesos_locality kmesos_candidates_locality(const kmesos_topology *topo, const kmesos_task *t,
                                           const kmesos_offer *o, const char *rack)
{
    const kmesos_workload *w = t->workload;
    size_t n_hosts = 0;
    char *const *hosts = kmesos_workload_hosts_of(w, t->instance, &n_hosts);
    if (!w->n_prefer_agents && !n_hosts && !w->n_prefer_racks)
        return KMESOS_LOCALITY_NONE;
    if (cand_has((const char *const *)w->prefer_agents, w->n_prefer_agents, o->agent_id) ||
        cand_has((const char *const *)hosts, n_hosts, o->hostname))
        return KMESOS_LOCALITY_NODE;
    if (!rack)
        return KMESOS_LOCALITY_ANY;
    if (cand_has((const char *const *)w->prefer_racks, w->n_prefer_racks, rack))
        return KMESOS_LOCALITY_RACK;
    for (size_t i = 0; i < n_hosts; i++) {
        const char *r = kmesos_topology_rack_of_host(topo, hosts[i]);
        if (r && strcmp(r, rack) == 0)
            return KMESOS_LOCALITY_RACK;
    }
    for (size_t i = 0; i < w->n_prefer_agents; i++) {
        const char *r = kmesos_topology_rack_of_agent(topo, w->prefer_agents[i]);
        if (r && strcmp(r, rack) == 0)
            return KMESOS_LOCALITY_RACK;
    }
    return KMESOS_LOCALITY_ANY;
}

const char *kmesos_locality_name(kmesos_locality l)
{
    static const char *const names[] = {"node", "rack", "any", "none"};
    return (unsigned)l < 4 ? names[l] : "?";
}
