/* world: the simulator's one context, shared by the files of one run
 * (world.c builds and frees it, run.c runs its events, result.c reads it
 * into a report): the modelled master, the event queue, the scheduler
 * cores of our framework, the competitors, the jobs and their tasks.
 * Not for use outside core/sim. */
#ifndef KSIM_WORLD_H
#define KSIM_WORLD_H
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "sim/core.h"
#include "sim/heap.h"
#include "sim/master.h"
#include "sim/sim.h"

typedef enum ksim_task_state {
    KSIM_T_WAITING = 0, /* its job has not arrived, or it is pending */
    KSIM_T_LAUNCHED,    /* accepted; TASK_RUNNING not yet sent */
    KSIM_T_RUNNING,
    KSIM_T_ENDED,
} ksim_task_state;

typedef enum ksim_locality {
    KSIM_LOC_NONE = 0, /* no preferred hosts */
    KSIM_LOC_NODE,
    KSIM_LOC_RACK,
    KSIM_LOC_OFF,
} ksim_locality;

typedef struct ksim_task {
    size_t job;
    long agent;         /* -1 until launched */
    uint64_t dur_ms;
    uint64_t launch_ms, end_ms;
    size_t pref;        /* its preferred agents: prefs[pref .. pref + n_pref) */
    uint32_t n_pref;
    ksim_task_state state;
    ksim_locality loc;
    char *mesos_id;     /* ours: the core's task id while it runs */
} ksim_task;

typedef struct ksim_job {
    const ksim_job_spec *spec;
    const char *framework; /* "ours" or the competitor's name */
    size_t fw;             /* the master's framework */
    long core, comp;       /* our core, or the competitor (-1: not) */
    size_t first, n;       /* its tasks */
    uint64_t arrival_ms, last_end_ms;
    size_t ended;
    UT_hash_handle hh;     /* by name (ours only) */
} ksim_job;

typedef struct ksim_comp {
    const ksim_comp_spec *spec;
    size_t fw;
    size_t *queue; /* pending task indices, first in first out */
    size_t head, n, cap;
} ksim_comp;

/* What the world's parts call back: a Call from our core of master
 * framework fw, and the offers of an allocation round for fw (run.c). */
typedef struct ksim_world_hooks {
    void (*call)(void *world, size_t fw, const kmesos_call *call);
    void (*deliver)(void *world, size_t fw, const size_t *offers, size_t n);
} ksim_world_hooks;

typedef struct ksim_world {
    const ksim_run_config *cfg;
    const ksim_scenario *sc;
    ksim_master master;
    ksim_heap heap;
    uint64_t now_ms, end_ms;
    ksim_core *cores;
    size_t n_cores;
    ksim_comp *comps;
    size_t n_comps;
    long *fw_core, *fw_comp; /* per master framework */
    ksim_job *jobs;          /* ours first */
    size_t n_jobs, n_ours;
    ksim_job *by_name;
    ksim_task *tasks;
    size_t n_tasks;
    long *prefs;             /* agent indices; -1: a host not in the cluster */
    size_t n_prefs;
    size_t live;             /* tasks not ended yet */
    uint64_t uuid;
    uint64_t acks, updates, unexpected;
    ksim_offer_view *views;  /* scratch of one delivery */
    char (*view_ids)[24];
    ksim_world_hooks hooks;
    int failed;              /* out of memory: stop */
} ksim_world;

/* world.c */
int ksim_world_init(ksim_world *w, const ksim_run_config *cfg, const ksim_world_hooks *hooks,
                    char *err, size_t errlen);
void ksim_world_free(ksim_world *w);
/* The workload our core runs for job j (heap, owned by the caller). */
kmesos_workload *ksim_world_workload(const ksim_world *w, const ksim_job *j);
/* run.c */
void ksim_world_run(ksim_world *w);
/* result.c */
int ksim_world_result(const ksim_world *w, ksim_result *res);

#endif
