/* replay: a placement trace (kmesos-scheduler --trace, kmesos-sim
 * --trace; read by sim/tread.h) turned back into a scenario, so that the
 * workload a live scheduler saw can be run again, through the real core,
 * with another policy chain or other options; and what the trace itself
 * recorded, to print next to the new run.
 *   - The cluster: every agent that offered (keyed by hostname; its last
 *     agent id and rack), with the largest cpus, mem and disk it ever
 *     offered as its resources. Agents that never offered are unknown.
 *   - The jobs: the "task" records grouped by "job"; one task per
 *     (job, instance) slot, renumbered 0..n-1 in instance order, with the
 *     resources and the preferred agents and racks of the job's first
 *     record and the preferred hosts of the slot's first record.
 *   - A job arrives at its earliest task record ("t" relative to the
 *     trace's first record): a task is described when it is first asked
 *     about an offer, which under load is long after it became pending.
 *   - A task lasts from its first launch to the terminal update of that
 *     task id when both are in the trace, else the default duration.
 * The recorded figures: the locality of every "launch" record (node,
 * rack, any, none as the core classified it), relaunches, and the wait
 * of each replayed task from its job's arrival to its first launch (the
 * measure the simulator's report uses). */
#ifndef KSIM_REPLAY_H
#define KSIM_REPLAY_H
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/tread.h"

#define KSIM_REPLAY_DEFAULT_DUR_S 10.0

typedef struct ksim_recorded {
    char trace[512];
    size_t records, by_ev[KSIM_TEV_N]; /* records by event */
    size_t declined_offers;     /* offer ids in the decline records */
    double span_s;              /* first record to last */
    size_t agents, racks, jobs, tasks;
    size_t durations_given;     /* tasks whose launch and end are in the trace */
    double default_dur_s;       /* the others' */
    size_t node, rack, any, none; /* "launch" records by locality */
    size_t relaunches;          /* launches of a slot that had launched already */
    size_t undescribed;         /* launches of task ids no "task" record names */
    size_t launched;            /* replayed tasks that launched in the trace */
    double wait_mean_s, wait_p95_s, wait_max_s;
    size_t unfit_jobs;          /* jobs whose tasks fit no agent of the trace */
    char unfit[64];             /* the first of them */
} ksim_recorded;

/* Reads the trace into sc (free it with ksim_scenario_free: seed 1, the
 * scenario defaults, the shipped chain) and rec. 0, or -1 with err:
 * "FILE:LINE: ..." for a bad record, "FILE: ..." for an empty trace, one
 * without tasks or offers, or a file that cannot be read. */
int ksim_replay_load(const char *path, double default_dur_s, ksim_scenario *sc,
                     ksim_recorded *rec, char *err, size_t errlen);
/* The recorded figures next to a run's (res: the replayed run, or NULL). */
void ksim_replay_text(const ksim_recorded *rec, const ksim_result *res, FILE *out);
json_t *ksim_replay_json(const ksim_recorded *rec);

#endif
