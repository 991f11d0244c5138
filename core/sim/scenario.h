/* scenario: what a simulation runs, read from a JSON file whose schema is
 * docs/simulator.md: the cluster (agents with hostname, rack and slots),
 * our framework (policy chain, options, hold and refuse settings, jobs),
 * competing frameworks and the run settings (seed, allocation interval,
 * tick, mode). Every field is checked: an unknown field or a bad value is
 * an error naming the file, the JSON path and the field. Jobs with a
 * count are expanded here into one job each. */
#ifndef KSIM_SCENARIO_H
#define KSIM_SCENARIO_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef enum ksim_mode {
    KSIM_MODE_SHARED = 0,           /* one framework, every agent */
    KSIM_MODE_STATIC_PARTITION = 1, /* each job on its own 1/N of the agents */
    KSIM_MODE_FRAMEWORK_PER_JOB = 2, /* each job a framework of its own, every agent */
} ksim_mode;

typedef enum ksim_comp_type {
    KSIM_COMP_GREEDY = 0, /* takes whatever it is offered for its tasks */
    KSIM_COMP_STATIC = 1, /* the same, on a fixed set of agents only */
} ksim_comp_type;

/* One task of a replayed job (sim/replay.h): what a scenario draws. */
typedef struct ksim_task_spec {
    double dur_s;
    char **hosts;          /* its preferred hosts (may be absent from the cluster) */
    size_t n_hosts;
} ksim_task_spec;

typedef struct ksim_job_spec {
    char *name;
    int tasks;
    double arrival_s;
    double dur_min_s, dur_max_s;
    int replicas;          /* random distinct input hosts per task */
    char **prefer_hosts;   /* or: these hosts for every task (may be absent) */
    size_t n_prefer_hosts;
    double cpus, mem;
    /* set by a replay only (scenario files leave them 0/NULL): */
    double disk;                 /* MB per task */
    char **prefer_agents;        /* agent ids every task prefers */
    size_t n_prefer_agents;
    char **prefer_racks;         /* racks every task prefers */
    size_t n_prefer_racks;
    ksim_task_spec *task_specs;  /* tasks entries: durations and hosts, not drawn */
} ksim_job_spec;

typedef struct ksim_agent_spec {
    char *hostname;
    char *rack;            /* NULL: the agent has no rack (a replay only) */
    int slots;
    /* a replay only: the agent's id (NULL: "agent-N", and the resources
     * are slots x cpus_per_slot, mem_per_slot) and then its resources */
    char *id;
    double cpus, mem, disk;
} ksim_agent_spec;

typedef struct ksim_comp_spec {
    char *name;
    ksim_comp_type type;
    double decline_refuse_s;
    char **agents; /* static: hostnames */
    size_t n_agents;
    ksim_job_spec *jobs;
    size_t n_jobs;
} ksim_comp_spec;

typedef struct ksim_scenario {
    char *path;
    uint64_t seed;
    double alloc_interval_s, tick_s, max_time_s;
    double answer_latency_s; /* offer answer to master: when decline filters start */
    ksim_mode mode;
    ksim_agent_spec *agents;
    size_t n_agents;
    double cpus_per_slot, mem_per_slot;
    char **policies; /* resolved against the scenario's folder; none: default chain */
    size_t n_policies;
    json_t *options; /* policy name -> options object (owned, never NULL) */
    double offer_hold_s, decline_refuse_s, wait_refuse_s; /* < 0: the scheduler's defaults */
    int no_get_agents;   /* "get_agents": false: racks are learned from offers only */
    ksim_job_spec *jobs;
    size_t n_jobs;
    ksim_comp_spec *comps;
    size_t n_comps;
} ksim_scenario;

/* Reads and checks a scenario. 0, or -1 with "FILE: $.path: message" in
 * err (a JSON syntax error: "FILE:LINE:COLUMN: message"). */
int ksim_scenario_load(const char *path, ksim_scenario *sc, char *err, size_t errlen);
void ksim_scenario_free(ksim_scenario *sc);
/* Frees the fields of one job (what ksim_scenario_free does per job). */
void ksim_job_spec_free(ksim_job_spec *j);
const char *ksim_mode_name(ksim_mode m);
/* The mode a name spells, or -1. */
int ksim_mode_parse(const char *name);

#endif
