/* master: see master.h. Per round the cost is O(agents x frameworks): for
 * each agent in the shuffled order, every framework's filter and share
 * are looked at once. Offers live in one growing table indexed by the
 * number in their id, so an answer finds its offer in O(1). Shares
 * include outstanding offers, as the Mesos allocator counts them. */
#include "sim/master.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "sim/heap.h"

#define MIN_CPUS 0.01 /* Mesos: the smallest allocatable cpus */
#define MIN_MEM 32.0  /* ... and mem (MB) */
#define EPS 1e-9

typedef struct rack_name {
    const char *name;
    size_t index;
    UT_hash_handle hh;
} rack_name;

/* Numbers the racks in order of first appearance. 0 or -1. */
static int number_racks(ksim_master *m)
{
    rack_name *racks = NULL, *r, *tmp;
    rack_name *pool = calloc(m->n_agents, sizeof *pool);
    if (!pool)
        return -1;
    for (size_t i = 0; i < m->n_agents; i++) {
        ksim_agent *a = &m->agents[i];
        if (!a->rack) {
            a->rack_index = m->n_racks++; /* no rack: in no other agent's */
            continue;
        }
        HASH_FIND_STR(racks, a->rack, r);
        if (!r) {
            r = &pool[m->n_racks];
            r->name = a->rack;
            r->index = m->n_racks++;
            HASH_ADD_KEYPTR(hh, racks, r->name, strlen(r->name), r);
        }
        a->rack_index = r->index;
    }
    HASH_ITER(hh, racks, r, tmp) HASH_DEL(racks, r);
    free(pool);
    return 0;
}

int ksim_master_init(ksim_master *m, const ksim_scenario *sc, uint64_t seed,
                     const ksim_master_hooks *hooks)
{
    memset(m, 0, sizeof *m);
    m->hooks = *hooks;
    m->cpus_per_slot = sc->cpus_per_slot;
    m->latency_ms = ksim_ms(sc->answer_latency_s);
    ksim_rng_seed(&m->rng, seed, 2);
    m->agents = calloc(sc->n_agents, sizeof *m->agents);
    m->order = calloc(sc->n_agents, sizeof *m->order);
    if (!m->agents || !m->order)
        return -1;
    for (size_t i = 0; i < sc->n_agents; i++) {
        ksim_agent *a = &m->agents[i];
        const ksim_agent_spec *s = &sc->agents[i];
        a->hostname = s->hostname;
        a->rack = s->rack;
        snprintf(a->idbuf, sizeof a->idbuf, "agent-%zu", i);
        a->id = s->id ? s->id : a->idbuf;
        a->cpus = a->free_cpus = s->id ? s->cpus : s->slots * sc->cpus_per_slot;
        a->mem = a->free_mem = s->id ? s->mem : s->slots * sc->mem_per_slot;
        a->disk = a->free_disk = s->id ? s->disk : 0;
        m->total_cpus += a->cpus;
        m->total_mem += a->mem;
    }
    m->n_agents = sc->n_agents;
    return number_racks(m);
}

void ksim_master_free(ksim_master *m)
{
    for (size_t i = 0; i < m->n_fws; i++) {
        free(m->fws[i].filters);
        free(m->fws[i].allowed);
        free(m->fws[i].round);
    }
    free(m->fws);
    free(m->offers);
    free(m->agents);
    free(m->order);
    memset(m, 0, sizeof *m);
}

long ksim_master_add_fw(ksim_master *m, const unsigned char *allowed)
{
    ksim_fw *grown = realloc(m->fws, (m->n_fws + 1) * sizeof *grown);
    if (!grown)
        return -1;
    m->fws = grown;
    ksim_fw *f = &m->fws[m->n_fws];
    memset(f, 0, sizeof *f);
    f->filters = calloc(m->n_agents, sizeof *f->filters);
    f->round = calloc(m->n_agents, sizeof *f->round);
    if (allowed && (f->allowed = malloc(m->n_agents)))
        memcpy(f->allowed, allowed, m->n_agents);
    if (!f->filters || !f->round || (allowed && !f->allowed)) {
        free(f->filters);
        free(f->round);
        free(f->allowed);
        return -1;
    }
    return (long)m->n_fws++;
}

static double share(const ksim_master *m, const ksim_fw *f)
{
    double c = m->total_cpus > 0 ? f->alloc_cpus / m->total_cpus : 0;
    double r = m->total_mem > 0 ? f->alloc_mem / m->total_mem : 0;
    return c > r ? c : r;
}

/* May fw be offered agent a's free resources now? */
static int eligible(const ksim_master *m, const ksim_fw *f, size_t a, uint64_t now_ms)
{
    if (f->suppressed || (f->allowed && !f->allowed[a]))
        return 0;
    const ksim_filter *flt = &f->filters[a];
    const ksim_agent *ag = &m->agents[a];
    return !(flt->until_ms > now_ms && ag->free_cpus <= flt->cpus + EPS &&
             ag->free_mem <= flt->mem + EPS && ag->free_disk <= flt->disk + EPS);
}

static int push_offer(ksim_master *m, size_t fw, size_t a, uint64_t now_ms)
{
    if (m->n_offers == m->cap_offers) {
        size_t cap = m->cap_offers ? m->cap_offers * 2 : 1024;
        ksim_offer_rec *v = realloc(m->offers, cap * sizeof *v);
        if (!v)
            return -1;
        m->offers = v;
        m->cap_offers = cap;
    }
    ksim_agent *ag = &m->agents[a];
    ksim_fw *f = &m->fws[fw];
    ksim_offer_rec *o = &m->offers[m->n_offers];
    *o = (ksim_offer_rec){fw, a, ag->free_cpus, ag->free_mem, ag->free_disk, now_ms, 1};
    f->alloc_cpus += o->cpus;
    f->alloc_mem += o->mem;
    ag->free_cpus = ag->free_mem = ag->free_disk = 0;
    f->round[f->n_round++] = m->n_offers++;
    f->stats.offers_made++;
    return 0;
}

static void allocate_agent(ksim_master *m, size_t a, uint64_t now_ms)
{
    const ksim_agent *ag = &m->agents[a];
    if (ag->free_cpus < MIN_CPUS && ag->free_mem < MIN_MEM)
        return;
    long best = -1;
    double best_share = 0;
    for (size_t f = 0; f < m->n_fws; f++) {
        if (!eligible(m, &m->fws[f], a, now_ms))
            continue;
        double s = share(m, &m->fws[f]);
        if (best < 0 || s < best_share - EPS) {
            best = (long)f;
            best_share = s;
        }
    }
    if (best >= 0)
        push_offer(m, (size_t)best, a, now_ms);
}

void ksim_master_allocate(ksim_master *m, uint64_t now_ms)
{
    for (size_t i = 0; i < m->n_agents; i++)
        m->order[i] = i;
    ksim_rng_shuffle(&m->rng, m->order, m->n_agents);
    for (size_t i = 0; i < m->n_agents; i++)
        allocate_agent(m, m->order[i], now_ms);
    for (size_t f = 0; f < m->n_fws; f++) {
        ksim_fw *fw = &m->fws[f];
        size_t n = fw->n_round;
        fw->n_round = 0;
        if (n)
            m->hooks.deliver(m->hooks.arg, f, fw->round, n);
    }
}

void ksim_master_offer_id(size_t index, char *buf, size_t len)
{
    snprintf(buf, len, "o-%zu", index);
}

ksim_offer_rec *ksim_master_offer(ksim_master *m, size_t fw, const char *id)
{
    char *end = NULL;
    if (strncmp(id, "o-", 2) != 0)
        return NULL;
    unsigned long long n = strtoull(id + 2, &end, 10);
    if (!end || *end || n >= m->n_offers)
        return NULL;
    ksim_offer_rec *o = &m->offers[n];
    return o->open && o->fw == fw ? o : NULL;
}

static double left_of(double offered, double used)
{
    return offered - used > EPS ? offered - used : 0;
}

void ksim_master_answer(ksim_master *m, ksim_offer_rec *o, ksim_res used, double refuse_s,
                        uint64_t now_ms)
{
    ksim_fw *f = &m->fws[o->fw];
    ksim_agent *ag = &m->agents[o->agent];
    double left_cpus = left_of(o->cpus, used.cpus), left_mem = left_of(o->mem, used.mem);
    double left_disk = left_of(o->disk, used.disk);
    o->open = 0;
    f->alloc_cpus -= left_cpus;
    f->alloc_mem -= left_mem;
    ag->free_cpus += left_cpus;
    ag->free_mem += left_mem;
    ag->free_disk += left_disk;
    if (used.cpus > 0 || used.mem > 0)
        f->stats.offers_accepted++;
    else
        f->stats.offers_declined++;
    if (now_ms > o->made_ms)
        f->stats.held_slot_s += (double)(now_ms - o->made_ms) / 1000.0 * o->cpus /
                                m->cpus_per_slot;
    if (refuse_s > 0 && (left_cpus > 0 || left_mem > 0 || left_disk > 0)) {
        ksim_filter *flt = &f->filters[o->agent];
        flt->until_ms = now_ms + m->latency_ms + ksim_ms(refuse_s);
        flt->cpus = left_cpus;
        flt->mem = left_mem;
        flt->disk = left_disk;
    }
}

void ksim_master_release(ksim_master *m, size_t fw, size_t agent, ksim_res r)
{
    m->fws[fw].alloc_cpus -= r.cpus;
    m->fws[fw].alloc_mem -= r.mem;
    m->agents[agent].free_cpus += r.cpus;
    m->agents[agent].free_mem += r.mem;
    m->agents[agent].free_disk += r.disk;
}

void ksim_master_revive(ksim_master *m, size_t fw)
{
    ksim_fw *f = &m->fws[fw];
    f->suppressed = 0;
    memset(f->filters, 0, m->n_agents * sizeof *f->filters);
}

void ksim_master_suppress(ksim_master *m, size_t fw) { m->fws[fw].suppressed = 1; }
