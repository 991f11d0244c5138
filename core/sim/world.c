/* world: builds a run's world from the scenario and frees it. Job data
 * (each task's duration and input hosts) is drawn from its own random
 * stream in job order, before anything runs, so it is the same for every
 * policy, option and mode given one seed. Frameworks are registered with
 * the master as: our cores first (one; or one per job, confined to its
 * partition in static_partition mode, on every agent in framework_per_job
 * mode), then the competitors. Each core's topology learns every agent
 * before the first offer, as the scheduler does from GET_AGENTS, unless
 * the scenario models a master without it. */
#include "sim/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

/* ---- jobs and tasks --------------------------------------------------------- */

static long agent_by_name(const ksim_master *m, const char *host)
{
    for (size_t i = 0; i < m->n_agents; i++)
        if (strcmp(m->agents[i].hostname, host) == 0)
            return (long)i;
    return -1;
}

/* The agents by hostname and by id, while the jobs are built (a replay
 * names hosts per task: a scan per name would cost agents x tasks). */
typedef struct agent_key {
    const char *key;
    long index;
    UT_hash_handle hh;
} agent_key;

typedef struct agent_index {
    agent_key *pool, *by_host, *by_id;
} agent_index;

static int index_agents(const ksim_master *m, agent_index *ix)
{
    memset(ix, 0, sizeof *ix);
    ix->pool = calloc(2 * m->n_agents + 1, sizeof *ix->pool);
    if (!ix->pool)
        return -1;
    for (size_t i = 0; i < m->n_agents; i++) {
        agent_key *h = &ix->pool[2 * i], *a = &ix->pool[2 * i + 1], *old = NULL;
        *h = (agent_key){.key = m->agents[i].hostname, .index = (long)i};
        *a = (agent_key){.key = m->agents[i].id, .index = (long)i};
        HASH_FIND_STR(ix->by_host, h->key, old);
        if (!old) /* the first agent of a hostname, as agent_by_name */
            HASH_ADD_KEYPTR(hh, ix->by_host, h->key, strlen(h->key), h);
        HASH_FIND_STR(ix->by_id, a->key, old);
        if (!old)
            HASH_ADD_KEYPTR(hh, ix->by_id, a->key, strlen(a->key), a);
    }
    return 0;
}

static long index_find(agent_key *table, const char *key)
{
    agent_key *k = NULL;
    HASH_FIND_STR(table, key, k);
    return k ? k->index : -1;
}

static void index_free(agent_index *ix)
{
    HASH_CLEAR(hh, ix->by_host);
    HASH_CLEAR(hh, ix->by_id);
    free(ix->pool);
}

/* r distinct agents out of n (Floyd's sampling) into out. */
static void pick_distinct(ksim_rng *rng, size_t n, size_t r, long *out)
{
    size_t k = 0;
    for (size_t j = n - r; j < n; j++) {
        long t = (long)ksim_rng_below(rng, j + 1);
        for (size_t i = 0; i < k; i++)
            if (out[i] == t) {
                t = (long)j;
                break;
            }
        out[k++] = t;
    }
}

/* A replayed job's tasks: durations and preferred hosts as given, and
 * the agents every task prefers (both as agent indices, -1: absent). */
static void given_tasks(ksim_world *w, ksim_job *j, const agent_index *ix)
{
    const ksim_job_spec *s = j->spec;
    for (size_t k = 0; k < j->n; k++) {
        ksim_task *t = &w->tasks[j->first + k];
        const ksim_task_spec *ts = &s->task_specs[k];
        t->job = (size_t)(j - w->jobs);
        t->agent = -1;
        t->dur_ms = ksim_ms(ts->dur_s) ? ksim_ms(ts->dur_s) : 1;
        t->pref = w->n_prefs;
        for (size_t h = 0; h < ts->n_hosts; h++)
            w->prefs[w->n_prefs++] = index_find(ix->by_host, ts->hosts[h]);
        for (size_t a = 0; a < s->n_prefer_agents; a++)
            w->prefs[w->n_prefs++] = index_find(ix->by_id, s->prefer_agents[a]);
        t->n_pref = (uint32_t)(w->n_prefs - t->pref);
    }
}

static void draw_tasks(ksim_world *w, ksim_job *j, ksim_rng *rng, const agent_index *ix)
{
    const ksim_job_spec *s = j->spec;
    if (s->task_specs) {
        given_tasks(w, j, ix);
        return;
    }
    long *fixed = s->n_prefer_hosts ? &w->prefs[w->n_prefs] : NULL;
    for (size_t h = 0; fixed && h < s->n_prefer_hosts; h++)
        fixed[h] = index_find(ix->by_host, s->prefer_hosts[h]);
    if (fixed)
        w->n_prefs += s->n_prefer_hosts;
    for (size_t k = 0; k < j->n; k++) {
        ksim_task *t = &w->tasks[j->first + k];
        t->job = (size_t)(j - w->jobs);
        t->agent = -1;
        t->dur_ms = ksim_ms(ksim_rng_uniform(rng, s->dur_min_s, s->dur_max_s));
        if (t->dur_ms == 0)
            t->dur_ms = 1;
        if (fixed) {
            t->pref = (size_t)(fixed - w->prefs);
            t->n_pref = (uint32_t)s->n_prefer_hosts;
        } else {
            t->pref = w->n_prefs;
            t->n_pref = (uint32_t)s->replicas;
            pick_distinct(rng, w->master.n_agents, (size_t)s->replicas, &w->prefs[w->n_prefs]);
            w->n_prefs += (size_t)s->replicas;
        }
    }
}

static void add_job(ksim_world *w, const ksim_job_spec *s, const char *fw_name, long comp,
                    size_t *first)
{
    ksim_job *j = &w->jobs[w->n_jobs++];
    j->spec = s;
    j->framework = fw_name;
    j->comp = comp;
    j->core = -1;
    j->first = *first;
    j->n = (size_t)s->tasks;
    j->arrival_ms = ksim_ms(s->arrival_s);
    *first += j->n;
}

static int build_jobs(ksim_world *w)
{
    const ksim_scenario *sc = w->sc;
    size_t n_jobs = sc->n_jobs, n_tasks = 0, n_prefs = 0, first = 0;
    for (size_t c = 0; c < sc->n_comps; c++)
        n_jobs += sc->comps[c].n_jobs;
    w->jobs = calloc(n_jobs, sizeof *w->jobs);
    if (!w->jobs)
        return -1;
    for (size_t i = 0; i < sc->n_jobs; i++)
        add_job(w, &sc->jobs[i], "ours", -1, &first);
    w->n_ours = w->n_jobs;
    for (size_t c = 0; c < sc->n_comps; c++)
        for (size_t i = 0; i < sc->comps[c].n_jobs; i++)
            add_job(w, &sc->comps[c].jobs[i], sc->comps[c].name, (long)c, &first);
    for (size_t i = 0; i < w->n_jobs; i++) {
        const ksim_job_spec *s = w->jobs[i].spec;
        n_tasks += w->jobs[i].n;
        n_prefs += s->n_prefer_hosts + (size_t)s->replicas * w->jobs[i].n;
        n_prefs += s->task_specs ? s->n_prefer_agents * w->jobs[i].n : 0;
        for (size_t k = 0; s->task_specs && k < w->jobs[i].n; k++)
            n_prefs += s->task_specs[k].n_hosts;
    }
    w->tasks = calloc(n_tasks ? n_tasks : 1, sizeof *w->tasks);
    w->prefs = calloc(n_prefs ? n_prefs : 1, sizeof *w->prefs);
    agent_index ix;
    if (!w->tasks || !w->prefs || index_agents(&w->master, &ix) != 0)
        return -1;
    w->n_tasks = w->live = n_tasks;
    ksim_rng rng;
    ksim_rng_seed(&rng, w->cfg->seed, 1);
    for (size_t i = 0; i < w->n_jobs; i++)
        draw_tasks(w, &w->jobs[i], &rng, &ix);
    index_free(&ix);
    for (size_t i = 0; i < w->n_ours; i++)
        HASH_ADD_KEYPTR(hh, w->by_name, w->jobs[i].spec->name, strlen(w->jobs[i].spec->name),
                        &w->jobs[i]);
    return 0;
}

/* A replayed job's preferences: agents and racks, each task's hosts. */
static int given_prefs(kmesos_workload *wl, const ksim_job_spec *s)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->n_prefer_agents; i++)
        rc = kmesos_workload_list_add(&wl->prefer_agents, &wl->n_prefer_agents,
                                      s->prefer_agents[i]);
    for (size_t i = 0; rc == 0 && i < s->n_prefer_racks; i++)
        rc = kmesos_workload_list_add(&wl->prefer_racks, &wl->n_prefer_racks, s->prefer_racks[i]);
    for (int k = 0; rc == 0 && k < s->tasks; k++)
        for (size_t h = 0; rc == 0 && h < s->task_specs[k].n_hosts; h++)
            rc = kmesos_workload_add_instance_host(wl, (size_t)k, s->task_specs[k].hosts[h]);
    return rc;
}

kmesos_workload *ksim_world_workload(const ksim_world *w, const ksim_job *j)
{
    const ksim_job_spec *s = j->spec;
    char spec[256], err[256];
    kmesos_workload *wl = calloc(1, sizeof *wl);
    snprintf(spec, sizeof spec, "name=%s cmd=true cpus=%.17g mem=%.17g disk=%.17g instances=%d "
             "restart=never", s->name, s->cpus, s->mem, s->disk, s->tasks);
    if (!wl || kmesos_workload_parse(spec, wl, err, sizeof err) != 0) {
        free(wl);
        return NULL;
    }
    int rc = s->task_specs ? given_prefs(wl, s) : 0;
    for (size_t h = 0; rc == 0 && h < s->n_prefer_hosts; h++)
        rc = kmesos_workload_list_add(&wl->prefer_hosts, &wl->n_prefer_hosts, s->prefer_hosts[h]);
    for (size_t k = 0; rc == 0 && !s->task_specs && !s->n_prefer_hosts && k < j->n; k++) {
        const ksim_task *t = &w->tasks[j->first + k];
        for (uint32_t p = 0; rc == 0 && p < t->n_pref; p++)
            rc = kmesos_workload_add_instance_host(
                wl, k, w->master.agents[w->prefs[t->pref + p]].hostname);
    }
    if (rc != 0) {
        kmesos_workload_destroy(wl);
        return NULL;
    }
    return wl;
}

/* ---- frameworks ---------------------------------------------------------------- */

static int map_fw(ksim_world *w, long fw, long core, long comp)
{
    if (fw < 0)
        return -1;
    long *c = realloc(w->fw_core, (size_t)(fw + 1) * sizeof *c);
    if (c)
        w->fw_core = c;
    long *p = c ? realloc(w->fw_comp, (size_t)(fw + 1) * sizeof *p) : NULL;
    if (!p)
        return -1;
    w->fw_comp = p;
    w->fw_core[fw] = core;
    w->fw_comp[fw] = comp;
    return 0;
}

static uint64_t hook_now(void *arg) { return ((const ksim_world *)arg)->now_ms; }

static int add_core(ksim_world *w, const unsigned char *allowed, char *err, size_t errlen)
{
    long fw = ksim_master_add_fw(&w->master, allowed);
    if (map_fw(w, fw, (long)w->n_cores, -1) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const ksim_run_config *cfg = w->cfg;
    ksim_core_config cc = {cfg->policies,        cfg->n_policies,        cfg->options,
                           cfg->offer_hold_s,    cfg->decline_refuse_s,  cfg->wait_refuse_s,
                           (size_t)fw,           {w, w->hooks.call, hook_now},
                           cfg->trace};
    ksim_core *c = &w->cores[w->n_cores];
    if (ksim_core_init(c, &cc, err, errlen) != 0)
        return -1;
    w->n_cores++;
    if (w->sc->no_get_agents)
        return 0;
    /* GET_AGENTS: the scheduler knows every agent's host and rack before
     * its first offer (also agents outside a static partition) */
    for (size_t i = 0; i < w->master.n_agents; i++) {
        const ksim_agent *a = &w->master.agents[i];
        if (ksim_core_learn_agent(c, a->id, a->hostname, a->rack) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* static_partition: job k may use agents [k*A/N, (k+1)*A/N);
 * framework_per_job (parts == 0): every job may use every agent. */
static int add_partitions(ksim_world *w, int parts, char *err, size_t errlen)
{
    size_t a = w->master.n_agents, n = w->n_ours;
    if (parts && n > a) {
        snprintf(err, errlen, "%s: static_partition needs an agent per job (%zu jobs, %zu "
                 "agents)", w->sc->path, n, a);
        return -1;
    }
    unsigned char *allowed = malloc(a);
    int rc = allowed ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        for (size_t i = 0; i < a; i++)
            allowed[i] = i >= k * a / n && i < (k + 1) * a / n;
        w->jobs[k].core = (long)k;
        rc = add_core(w, parts ? allowed : NULL, err, errlen);
    }
    free(allowed);
    return rc;
}

static int add_comps(ksim_world *w)
{
    const ksim_scenario *sc = w->sc;
    unsigned char *allowed = calloc(w->master.n_agents, 1);
    int rc = allowed ? 0 : -1;
    for (size_t c = 0; rc == 0 && c < sc->n_comps; c++) {
        const ksim_comp_spec *s = &sc->comps[c];
        memset(allowed, 0, w->master.n_agents);
        for (size_t i = 0; i < s->n_agents; i++) {
            long a = agent_by_name(&w->master, s->agents[i]);
            if (a >= 0)
                allowed[a] = 1;
        }
        long fw = ksim_master_add_fw(&w->master, s->type == KSIM_COMP_STATIC ? allowed : NULL);
        rc = map_fw(w, fw, -1, (long)c);
        w->comps[c].spec = s;
        w->comps[c].fw = (size_t)fw;
        w->n_comps = c + 1;
    }
    for (size_t i = w->n_ours; i < w->n_jobs; i++)
        w->jobs[i].fw = w->comps[w->jobs[i].comp].fw;
    free(allowed);
    return rc;
}

/* ---- the world ------------------------------------------------------------------ */

static int add_ours(ksim_world *w, char *err, size_t errlen)
{
    ksim_mode mode = w->cfg->mode;
    size_t n = mode == KSIM_MODE_SHARED ? 1 : w->n_ours;
    w->cores = calloc(n, sizeof *w->cores);
    if (!w->cores) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = mode == KSIM_MODE_SHARED ? add_core(w, NULL, err, errlen)
             : add_partitions(w, mode == KSIM_MODE_STATIC_PARTITION, err, errlen);
    for (size_t i = 0; rc == 0 && i < w->n_ours; i++) {
        if (w->jobs[i].core < 0)
            w->jobs[i].core = 0;
        w->jobs[i].fw = w->cores[w->jobs[i].core].fw;
    }
    return rc;
}

int ksim_world_init(ksim_world *w, const ksim_run_config *cfg, const ksim_world_hooks *hooks,
                    char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->cfg = cfg;
    w->hooks = *hooks;
    w->sc = cfg->sc;
    w->end_ms = ksim_ms(cfg->sc->max_time_s);
    ksim_heap_init(&w->heap);
    ksim_master_hooks mhooks = {w, hooks->deliver};
    size_t n_agents = cfg->sc->n_agents;
    w->comps = calloc(cfg->sc->n_comps + 1, sizeof *w->comps);
    w->views = calloc(n_agents, sizeof *w->views);
    w->view_ids = calloc(n_agents, sizeof *w->view_ids);
    if (!w->comps || !w->views || !w->view_ids ||
        ksim_master_init(&w->master, cfg->sc, cfg->seed, &mhooks) != 0 || build_jobs(w) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (add_ours(w, err, errlen) != 0)
        return -1;
    if (add_comps(w) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void ksim_world_free(ksim_world *w)
{
    for (size_t i = 0; i < w->n_cores; i++)
        ksim_core_free(&w->cores[i]);
    free(w->cores);
    for (size_t i = 0; i < w->n_comps; i++)
        free(w->comps[i].queue);
    free(w->comps);
    free(w->fw_core);
    free(w->fw_comp);
    ksim_job *j, *tmp;
    HASH_ITER(hh, w->by_name, j, tmp) HASH_DEL(w->by_name, j);
    free(w->jobs);
    for (size_t i = 0; i < w->n_tasks; i++)
        free(w->tasks[i].mesos_id);
    free(w->tasks);
    free(w->prefs);
    free(w->views);
    free(w->view_ids);
    ksim_master_free(&w->master);
    ksim_heap_free(&w->heap);
    memset(w, 0, sizeof *w);
}
