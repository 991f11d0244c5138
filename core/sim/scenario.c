/* scenario: loads a scenario file with jansson and checks it field by
 * field through jread (every object's keys against its known fields).
 * The cluster is either generated ("agents": N named host-NNN, racks of
 * rack_size named rack-NN) or listed; jobs with "count" are expanded into
 * count jobs "NAME-K" arriving interval_s apart; policy paths are taken
 * relative to the scenario's folder. Defaults are documented in
 * docs/simulator.md and spelled out once here. */
#include "sim/scenario.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/jread.h"

#define KSIM_MAX_AGENTS 100000
#define KSIM_MAX_TASKS 10000 /* instances of one workload (the spec parser's limit) */
#define KSIM_MAX_JOBS 10000

static const char *const TOP_KEYS[] = {"seed", "allocation_interval_s", "tick_s", "max_time_s",
                                       "answer_latency_s", "mode", "cluster", "framework",
                                       "competitors", NULL};
static const char *const CLUSTER_KEYS[] = {"agents", "slots_per_agent", "cpus_per_slot",
                                           "mem_per_slot", "rack_size", NULL};
static const char *const AGENT_KEYS[] = {"hostname", "rack", "slots", NULL};
static const char *const FW_KEYS[] = {"policies", "options", "offer_hold_s", "decline_refuse_s",
                                      "wait_refuse_s", "get_agents", "jobs", NULL};
static const char *const JOB_KEYS[] = {"name", "count", "tasks", "arrival_s", "interval_s",
                                       "duration_s", "replicas", "prefer_hosts", "cpus", "mem",
                                       NULL};
static const char *const COMP_KEYS[] = {"name", "type", "decline_refuse_s", "agents", "jobs",
                                        NULL};

static const char *const MODE_NAMES[] = {"shared", "static_partition", "framework_per_job"};

const char *ksim_mode_name(ksim_mode m)
{
    return (unsigned)m < 3 ? MODE_NAMES[m] : "shared";
}

int ksim_mode_parse(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, MODE_NAMES[i]) == 0)
            return i;
    return -1;
}

void ksim_job_spec_free(ksim_job_spec *j)
{
    free(j->name);
    ksim_jr_free_strs(j->prefer_hosts, j->n_prefer_hosts);
    ksim_jr_free_strs(j->prefer_agents, j->n_prefer_agents);
    ksim_jr_free_strs(j->prefer_racks, j->n_prefer_racks);
    for (int i = 0; j->task_specs && i < j->tasks; i++)
        ksim_jr_free_strs(j->task_specs[i].hosts, j->task_specs[i].n_hosts);
    free(j->task_specs);
}

static void jobs_free(ksim_job_spec *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ksim_job_spec_free(&jobs[i]);
    free(jobs);
}

void ksim_scenario_free(ksim_scenario *sc)
{
    free(sc->path);
    for (size_t i = 0; i < sc->n_agents; i++) {
        free(sc->agents[i].hostname);
        free(sc->agents[i].rack);
        free(sc->agents[i].id);
    }
    free(sc->agents);
    ksim_jr_free_strs(sc->policies, sc->n_policies);
    json_decref(sc->options);
    jobs_free(sc->jobs, sc->n_jobs);
    for (size_t i = 0; i < sc->n_comps; i++) {
        ksim_comp_spec *c = &sc->comps[i];
        free(c->name);
        ksim_jr_free_strs(c->agents, c->n_agents);
        jobs_free(c->jobs, c->n_jobs);
    }
    free(sc->comps);
    memset(sc, 0, sizeof *sc);
}

static int valid_name(const char *v)
{
    if (!*v || strlen(v) > 48)
        return 0;
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}

/* ---- cluster ------------------------------------------------------------------ */

static int agent_listed(ksim_jr *r, const json_t *item, const char *path, ksim_agent_spec *a,
                        long def_slots)
{
    long slots = 0;
    if (ksim_jr_keys(r, item, path, AGENT_KEYS) || ksim_jr_str(r, item, path, "hostname", NULL,
                                                                &a->hostname) ||
        ksim_jr_str(r, item, path, "rack", "rack-00", &a->rack) ||
        ksim_jr_int(r, item, path, "slots", 1, 1024, def_slots, &slots))
        return -1;
    if (!a->hostname)
        return ksim_jr_fail(r, path, "missing field 'hostname'");
    a->slots = (int)slots;
    return 0;
}

static int agents_generated(ksim_jr *r, ksim_scenario *sc, long n, long slots, long rack_size)
{
    sc->agents = calloc((size_t)n, sizeof *sc->agents);
    if (!sc->agents)
        return ksim_jr_fail(r, "$.cluster.agents", "out of memory");
    for (long i = 0; i < n; i++) {
        char host[32], rack[32];
        snprintf(host, sizeof host, "host-%03ld", i);
        snprintf(rack, sizeof rack, "rack-%02ld", i / rack_size);
        ksim_agent_spec *a = &sc->agents[sc->n_agents++];
        a->hostname = strdup(host);
        a->rack = strdup(rack);
        a->slots = (int)slots;
        if (!a->hostname || !a->rack)
            return ksim_jr_fail(r, "$.cluster.agents", "out of memory");
    }
    return 0;
}

static int agents_listed(ksim_jr *r, ksim_scenario *sc, const json_t *list, long slots)
{
    size_t n = json_array_size(list);
    if (n == 0 || n > KSIM_MAX_AGENTS)
        return ksim_jr_fail(r, "$.cluster.agents", "bad value for 'agents': expected 1 to %d "
                            "agents", KSIM_MAX_AGENTS);
    sc->agents = calloc(n, sizeof *sc->agents);
    if (!sc->agents)
        return ksim_jr_fail(r, "$.cluster.agents", "out of memory");
    for (size_t i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof path, "$.cluster.agents[%zu]", i);
        sc->n_agents++;
        if (agent_listed(r, json_array_get(list, i), path, &sc->agents[i], slots) != 0)
            return -1;
        for (size_t k = 0; k < i; k++)
            if (strcmp(sc->agents[k].hostname, sc->agents[i].hostname) == 0)
                return ksim_jr_fail(r, path, "hostname '%s' is listed twice",
                                    sc->agents[i].hostname);
    }
    return 0;
}

static int read_cluster(ksim_jr *r, ksim_scenario *sc, const json_t *c)
{
    const char *path = "$.cluster";
    long slots = 0, rack_size = 0, n = 0;
    if (!c)
        return ksim_jr_fail(r, "$", "missing field 'cluster'");
    if (ksim_jr_keys(r, c, path, CLUSTER_KEYS) ||
        ksim_jr_int(r, c, path, "slots_per_agent", 1, 1024, 4, &slots) ||
        ksim_jr_num(r, c, path, "cpus_per_slot", 0.001, 1e6, 1, &sc->cpus_per_slot) ||
        ksim_jr_num(r, c, path, "mem_per_slot", 1, 1e9, 1024, &sc->mem_per_slot) ||
        ksim_jr_int(r, c, path, "rack_size", 1, KSIM_MAX_AGENTS, 20, &rack_size))
        return -1;
    const json_t *agents = json_object_get(c, "agents");
    if (json_is_array(agents))
        return agents_listed(r, sc, agents, slots);
    if (!agents)
        return ksim_jr_fail(r, path, "missing field 'agents'");
    if (ksim_jr_int(r, c, path, "agents", 1, KSIM_MAX_AGENTS, 0, &n) != 0)
        return -1;
    return agents_generated(r, sc, n, slots, rack_size);
}

/* ---- jobs --------------------------------------------------------------------- */

typedef struct job_list {
    ksim_job_spec *v;
    size_t n;
} job_list;

/* Appends count copies of the job read from item (names NAME-K). */
static int expand_job(ksim_jr *r, const ksim_job_spec *j, long count, double interval,
                      job_list *out, const char *path)
{
    if (out->n + (size_t)count > KSIM_MAX_JOBS)
        return ksim_jr_fail(r, path, "more than %d jobs", KSIM_MAX_JOBS);
    ksim_job_spec *grown = realloc(out->v, (out->n + (size_t)count) * sizeof *grown);
    if (!grown)
        return ksim_jr_fail(r, path, "out of memory");
    out->v = grown;
    for (long k = 0; k < count; k++) {
        ksim_job_spec *c = &out->v[out->n++];
        char name[80];
        *c = *j;
        c->prefer_hosts = NULL;
        c->n_prefer_hosts = 0;
        snprintf(name, sizeof name, count == 1 ? "%s" : "%s-%ld", j->name, k);
        c->name = strdup(name);
        c->arrival_s = j->arrival_s + (double)k * interval;
        for (size_t h = 0; c->name && h < j->n_prefer_hosts; h++) {
            char **list = realloc(c->prefer_hosts, (h + 1) * sizeof *list);
            if (!list || !(list[h] = strdup(j->prefer_hosts[h]))) {
                if (list)
                    c->prefer_hosts = list;
                return ksim_jr_fail(r, path, "out of memory");
            }
            c->prefer_hosts = list;
            c->n_prefer_hosts = h + 1;
        }
        if (!c->name)
            return ksim_jr_fail(r, path, "out of memory");
    }
    return 0;
}

static int read_job(ksim_jr *r, const json_t *item, const char *path, size_t n_agents,
                    job_list *out)
{
    ksim_job_spec j = {0};
    long count = 1, tasks = 1, replicas = 0;
    double interval = 0;
    int rc = ksim_jr_keys(r, item, path, JOB_KEYS) ||
             ksim_jr_str(r, item, path, "name", "job", &j.name) ||
             ksim_jr_int(r, item, path, "count", 1, KSIM_MAX_JOBS, 1, &count) ||
             ksim_jr_int(r, item, path, "tasks", 1, KSIM_MAX_TASKS, 1, &tasks) ||
             ksim_jr_num(r, item, path, "arrival_s", 0, 1e9, 0, &j.arrival_s) ||
             ksim_jr_num(r, item, path, "interval_s", 0, 1e9, 0, &interval) ||
             ksim_jr_range(r, item, path, "duration_s", 0.001, 10, 10, &j.dur_min_s,
                           &j.dur_max_s) ||
             ksim_jr_int(r, item, path, "replicas", 0, (long)n_agents, 0, &replicas) ||
             ksim_jr_strs(r, item, path, "prefer_hosts", &j.prefer_hosts, &j.n_prefer_hosts) ||
             ksim_jr_num(r, item, path, "cpus", 0.001, 1e6, 1, &j.cpus) ||
             ksim_jr_num(r, item, path, "mem", 1, 1e9, 1024, &j.mem)
                 ? -1
                 : 0;
    if (rc == 0 && !valid_name(j.name))
        rc = ksim_jr_fail(r, path, "bad value for 'name': expected [A-Za-z0-9_-]{1,48}");
    if (rc == 0 && replicas && j.n_prefer_hosts)
        rc = ksim_jr_fail(r, path, "give 'replicas' or 'prefer_hosts', not both");
    j.tasks = (int)tasks;
    j.replicas = (int)replicas;
    if (rc == 0)
        rc = expand_job(r, &j, count, interval, out, path);
    ksim_job_spec_free(&j);
    return rc;
}

static int read_jobs(ksim_jr *r, const json_t *parent, const char *path, size_t n_agents,
                     ksim_job_spec **jobs, size_t *n)
{
    const json_t *list = json_object_get(parent, "jobs");
    job_list out = {NULL, 0};
    char p[256];
    snprintf(p, sizeof p, "%s.jobs", path);
    if (list && !json_is_array(list))
        return ksim_jr_fail(r, p, "bad value for 'jobs': expected an array of jobs");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++) {
        snprintf(p, sizeof p, "%s.jobs[%zu]", path, i);
        rc = read_job(r, json_array_get(list, i), p, n_agents, &out);
    }
    *jobs = out.v;
    *n = out.n;
    return rc;
}

/* ---- our framework -------------------------------------------------------------- */

/* A policy path relative to the scenario's folder (absolute ones kept). */
static char *resolve(const char *scenario, const char *file)
{
    const char *slash = strrchr(scenario, '/');
    size_t dir = slash ? (size_t)(slash - scenario) + 1 : 0;
    size_t len = dir + strlen(file) + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    if (file[0] == '/' || dir == 0)
        snprintf(out, len, "%s", file);
    else
        snprintf(out, len, "%.*s%s", (int)dir, scenario, file);
    return out;
}

static int read_options(ksim_jr *r, ksim_scenario *sc, const json_t *fw)
{
    const json_t *opts = json_object_get(fw, "options");
    if (!opts) {
        sc->options = json_object();
        return sc->options ? 0 : ksim_jr_fail(r, "$.framework", "out of memory");
    }
    const char *name;
    const json_t *v;
    if (!json_is_object(opts))
        return ksim_jr_fail(r, "$.framework.options", "bad value for 'options': expected an "
                            "object of policy name -> options object");
    json_object_foreach((json_t *)opts, name, v) {
        if (!json_is_object(v))
            return ksim_jr_fail(r, "$.framework.options", "bad value for '%s': expected an "
                                "options object", name);
    }
    sc->options = json_deep_copy(opts);
    return sc->options ? 0 : ksim_jr_fail(r, "$.framework", "out of memory");
}

static int unique_names(ksim_jr *r, const ksim_job_spec *jobs, size_t n, const char *path)
{
    for (size_t i = 1; i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(jobs[i].name, jobs[k].name) == 0)
                return ksim_jr_fail(r, path, "job name '%s' is used twice (after expanding "
                                    "counts)", jobs[i].name);
    return 0;
}

static int read_framework(ksim_jr *r, ksim_scenario *sc, const json_t *fw)
{
    const char *path = "$.framework";
    int get_agents = 1;
    if (!fw)
        return ksim_jr_fail(r, "$", "missing field 'framework'");
    if (ksim_jr_keys(r, fw, path, FW_KEYS) ||
        ksim_jr_strs(r, fw, path, "policies", &sc->policies, &sc->n_policies) ||
        read_options(r, sc, fw) ||
        ksim_jr_num(r, fw, path, "offer_hold_s", 0, 1e6, -1, &sc->offer_hold_s) ||
        ksim_jr_num(r, fw, path, "decline_refuse_s", 0, 1e6, -1, &sc->decline_refuse_s) ||
        ksim_jr_num(r, fw, path, "wait_refuse_s", 0, 1e6, -1, &sc->wait_refuse_s) ||
        ksim_jr_bool(r, fw, path, "get_agents", 1, &get_agents) ||
        read_jobs(r, fw, path, sc->n_agents, &sc->jobs, &sc->n_jobs) ||
        unique_names(r, sc->jobs, sc->n_jobs, "$.framework.jobs"))
        return -1;
    sc->no_get_agents = !get_agents;
    for (size_t i = 0; i < sc->n_policies; i++) {
        char *full = resolve(sc->path, sc->policies[i]);
        if (!full)
            return ksim_jr_fail(r, path, "out of memory");
        free(sc->policies[i]);
        sc->policies[i] = full;
    }
    return 0;
}

/* ---- competitors ------------------------------------------------------------------ */

static int known_hosts(ksim_jr *r, const ksim_scenario *sc, const ksim_comp_spec *c,
                       const char *path)
{
    for (size_t i = 0; i < c->n_agents; i++) {
        size_t k = 0;
        while (k < sc->n_agents && strcmp(sc->agents[k].hostname, c->agents[i]) != 0)
            k++;
        if (k == sc->n_agents) {
            char p[300];
            snprintf(p, sizeof p, "%s.agents[%zu]", path, i);
            return ksim_jr_fail(r, p, "no agent has hostname '%s'", c->agents[i]);
        }
    }
    return 0;
}

static int read_comp(ksim_jr *r, ksim_scenario *sc, const json_t *item, const char *path,
                     ksim_comp_spec *c)
{
    char *type = NULL;
    int rc = ksim_jr_keys(r, item, path, COMP_KEYS) ||
             ksim_jr_str(r, item, path, "name", NULL, &c->name) ||
             ksim_jr_str(r, item, path, "type", "greedy", &type) ||
             ksim_jr_num(r, item, path, "decline_refuse_s", 0, 1e6, 5, &c->decline_refuse_s) ||
             ksim_jr_strs(r, item, path, "agents", &c->agents, &c->n_agents) ||
             read_jobs(r, item, path, sc->n_agents, &c->jobs, &c->n_jobs)
                 ? -1
                 : 0;
    if (rc == 0 && (!c->name || !valid_name(c->name)))
        rc = ksim_jr_fail(r, path, "field 'name': expected [A-Za-z0-9_-]{1,48}");
    if (rc == 0 && strcmp(type, "greedy") != 0 && strcmp(type, "static") != 0)
        rc = ksim_jr_fail(r, path, "bad value for 'type': expected \"greedy\" or \"static\", "
                          "got \"%s\"", type);
    c->type = rc == 0 && strcmp(type, "static") == 0 ? KSIM_COMP_STATIC : KSIM_COMP_GREEDY;
    free(type);
    if (rc == 0 && c->type == KSIM_COMP_STATIC && c->n_agents == 0)
        rc = ksim_jr_fail(r, path, "a static competitor needs 'agents' (hostnames)");
    if (rc == 0 && c->type == KSIM_COMP_GREEDY && c->n_agents)
        rc = ksim_jr_fail(r, path, "'agents' is for type \"static\" only");
    return rc == 0 ? known_hosts(r, sc, c, path) : rc;
}

static int read_comps(ksim_jr *r, ksim_scenario *sc, const json_t *list)
{
    if (!list)
        return 0;
    if (!json_is_array(list))
        return ksim_jr_fail(r, "$.competitors", "bad value for 'competitors': expected an array");
    sc->comps = calloc(json_array_size(list) + 1, sizeof *sc->comps);
    if (!sc->comps)
        return ksim_jr_fail(r, "$.competitors", "out of memory");
    for (size_t i = 0; i < json_array_size(list); i++) {
        char path[64];
        snprintf(path, sizeof path, "$.competitors[%zu]", i);
        sc->n_comps++;
        if (read_comp(r, sc, json_array_get(list, i), path, &sc->comps[i]) != 0)
            return -1;
    }
    return 0;
}

/* ---- top level --------------------------------------------------------------------- */

static int read_top(ksim_jr *r, ksim_scenario *sc, const json_t *root)
{
    long seed = 0;
    char *mode = NULL;
    if (ksim_jr_keys(r, root, "$", TOP_KEYS) ||
        ksim_jr_int(r, root, "$", "seed", 0, 2147483647L, 1, &seed) ||
        ksim_jr_num(r, root, "$", "allocation_interval_s", 0.001, 3600, 1,
                    &sc->alloc_interval_s) ||
        ksim_jr_num(r, root, "$", "tick_s", 0.001, 3600, 1, &sc->tick_s) ||
        ksim_jr_num(r, root, "$", "max_time_s", 1, 1e8, 86400, &sc->max_time_s) ||
        ksim_jr_num(r, root, "$", "answer_latency_s", 0, 60, 0.01, &sc->answer_latency_s) ||
        ksim_jr_str(r, root, "$", "mode", "shared", &mode))
        return -1;
    sc->seed = (uint64_t)seed;
    int rc = 0, m = ksim_mode_parse(mode);
    if (m >= 0)
        sc->mode = (ksim_mode)m;
    else
        rc = ksim_jr_fail(r, "$.mode", "bad value for 'mode': expected \"shared\", "
                          "\"static_partition\" or \"framework_per_job\", got \"%s\"", mode);
    free(mode);
    if (rc == 0)
        rc = read_cluster(r, sc, json_object_get(root, "cluster"));
    if (rc == 0)
        rc = read_framework(r, sc, json_object_get(root, "framework"));
    if (rc == 0)
        rc = read_comps(r, sc, json_object_get(root, "competitors"));
    return rc;
}

int ksim_scenario_load(const char *path, ksim_scenario *sc, char *err, size_t errlen)
{
    memset(sc, 0, sizeof *sc);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (jerr.line > 0)
            snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        else
            snprintf(err, errlen, "%s: %s", path, jerr.text);
        return -1;
    }
    ksim_jr r = {path, err, errlen};
    sc->path = strdup(path);
    int rc = sc->path ? read_top(&r, sc, root) : ksim_jr_fail(&r, "$", "out of memory");
    if (rc == 0 && sc->n_jobs == 0)
        rc = ksim_jr_fail(&r, "$.framework.jobs", "no jobs: the framework has nothing to run");
    json_decref(root);
    if (rc != 0)
        ksim_scenario_free(sc);
    return rc;
}
