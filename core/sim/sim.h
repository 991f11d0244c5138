/* sim: one simulated run. It builds the world from a scenario and a run
 * configuration (the policy chain and options, hold and refuse, mode,
 * seed: what the command line may override), runs the event loop on the
 * virtual clock until every task of every framework has ended or
 * max_time_s passed, and fills a result. The scheduler core used is the
 * real one (sim/core.h); the master, agents, tasks and competitors are
 * models (sim/master.h, docs/simulator.md). */
#ifndef KSIM_SIM_H
#define KSIM_SIM_H
#include <stddef.h>
#include <stdint.h>

#include "sim/report.h"
#include "sim/scenario.h"

typedef struct ksim_run_config {
    const ksim_scenario *sc;
    const char *const *policies; /* the chain (at least one file) */
    size_t n_policies;
    const char *options;         /* policy options, inline JSON object */
    double offer_hold_s, decline_refuse_s;
    ksim_mode mode;
    uint64_t seed;
    double wait_refuse_s;        /* the scheduler's --wait-refuse */
    struct kmesos_trace *trace;  /* --trace: every core records into it (NULL: off) */
} ksim_run_config;

/* 0: res filled (free it with ksim_result_free); -1: the run could not
 * start (err says why: the policy chain does not load, a partition is
 * empty, no memory); res is then empty. */
int ksim_run(const ksim_run_config *cfg, ksim_result *res, char *err, size_t errlen);

#endif
