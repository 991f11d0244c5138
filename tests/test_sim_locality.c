/* The locality acceptance of issue 9, in the simulator: the shipped
 * paper-shaped scenario (sim/scenarios/paper.json: 93 agents x 4 slots in
 * racks of 20, 16 jobs of 400 tasks of 15-25 s submitted at once, each
 * task preferring the 3 random hosts that hold its input; the cluster is
 * saturated) run with the shipped default chain (policies/constraints.lua
 * + policies/delay.lua with their default options; only node_wait_s is
 * set) and the core's default hold and refuse settings. It checks:
 *   - static partitioning (each job on its own 1/16 of the agents, the
 *     Mesos paper's baseline) lands near the paper's 18%: 12-25%
 *     (1 - (15/16)^3 = 17.6% of the tasks have an input host in their
 *     job's partition), for the shipped chain and for the reference model
 *     of the paper's algorithm (sim/policies/paper_delay.lua);
 *   - node-local >= 95% at node_wait_s = 1 and >= 98% at node_wait_s = 5;
 *   - utilisation within 2% of the no-delay run (node_wait_s = rack_wait_s
 *     = 0), as a relative difference: |u - u0| <= 0.02 * u0 (the stricter
 *     reading; 2 points absolute would allow 0.02).
 * The full scenario is used, not a scaled-down one: the five runs cost
 * about 14 s of CPU. Every number is printed. */
#include <math.h>
#include <stdlib.h>

#include "codec/log.h"
#include "sched/scheduler.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "testlib.h"

#define PAPER KSIM_SRC "/sim/scenarios/paper.json"

static char chain_c[512], chain_d[512], paper_delay[512];
static const char *chain[2] = {chain_c, chain_d};

typedef struct paper_run {
    double node, util, makespan;
    int complete;
    size_t ended;
} paper_run;

/* One run of paper.json in mode with options (inline JSON) and the given
 * chain; 0, or -1 when it could not run. */
static int run_paper(ksim_mode mode, const char *options, const char *const *files, size_t n,
                     paper_run *out)
{
    ksim_scenario sc;
    char err[1024];
    if (ksim_scenario_load(PAPER, &sc, err, sizeof err) != 0) {
        fprintf(stderr, "  %s\n", err);
        return -1;
    }
    kmesos_scheduler_config core;
    kmesos_scheduler_config_defaults(&core);
    ksim_run_config cfg = {.sc = &sc, .policies = files, .n_policies = n, .options = options,
                           .offer_hold_s = core.offer_hold_s,
                           .decline_refuse_s = core.decline_refuse_s,
                           .wait_refuse_s = core.wait_refuse_s, .mode = mode, .seed = sc.seed};
    ksim_result res;
    int rc = ksim_run(&cfg, &res, err, sizeof err);
    if (rc == 0) {
        *out = (paper_run){ksim_pct(res.total.node, &res.total), res.utilisation, res.makespan_s,
                           res.complete, res.total.ended};
        fprintf(stderr, "  %-17s %-48s node-local %5.1f%%, utilisation %.3f, makespan %.0f s\n",
                ksim_mode_name(mode), options, out->node, out->util, out->makespan);
        ksim_result_free(&res);
    } else {
        fprintf(stderr, "  run failed: %s\n", err);
    }
    ksim_scenario_free(&sc);
    return rc;
}

static void test_static_partitioning_baseline(void)
{
    paper_run r;
    if (run_paper(KSIM_MODE_STATIC_PARTITION, "{}", chain, 2, &r) == 0) {
        CHECK(r.complete);
        CHECK_INT(r.ended, 6400);
        CHECK(r.node >= 12 && r.node <= 25);
        /* a partition of 6 agents must stay busy: no collapse of the job's
         * launch rate while it waits (the shared run reaches 0.94) */
        CHECK(r.util >= 0.7);
    } else {
        CHECK(0);
    }
    const char *paper[1] = {paper_delay};
    if (run_paper(KSIM_MODE_STATIC_PARTITION, "{}", paper, 1, &r) == 0) {
        CHECK(r.complete);
        CHECK(r.node >= 12 && r.node <= 25);
    } else {
        CHECK(0);
    }
}

static void test_node_local_and_utilisation_against_no_delay(void)
{
    paper_run none, one, five;
    int ok = run_paper(KSIM_MODE_SHARED, "{\"delay\": {\"node_wait_s\": 0, \"rack_wait_s\": 0}}",
                       chain, 2, &none) == 0 &&
             run_paper(KSIM_MODE_SHARED, "{\"delay\": {\"node_wait_s\": 1}}", chain, 2, &one) == 0 &&
             run_paper(KSIM_MODE_SHARED, "{\"delay\": {\"node_wait_s\": 5}}", chain, 2, &five) == 0;
    CHECK(ok);
    if (!ok)
        return;
    CHECK(none.complete && one.complete && five.complete);
    CHECK(one.node >= 95);
    CHECK(five.node >= 98);
    double d1 = fabs(one.util - none.util) / none.util, d5 = fabs(five.util - none.util) / none.util;
    fprintf(stderr, "  utilisation against no delay: %+.2f%% at 1 s, %+.2f%% at 5 s (relative)\n",
            100 * (one.util - none.util) / none.util, 100 * (five.util - none.util) / none.util);
    CHECK(d1 <= 0.02);
    CHECK(d5 <= 0.02);
}

int main(void)
{
    kmesos_log_set_level(KMESOS_LOG_ERROR);
    snprintf(chain_c, sizeof chain_c, "%s/policies/constraints.lua", KSIM_SRC);
    snprintf(chain_d, sizeof chain_d, "%s/policies/delay.lua", KSIM_SRC);
    snprintf(paper_delay, sizeof paper_delay, "%s/sim/policies/paper_delay.lua", KSIM_SRC);
    RUN_TEST(test_static_partitioning_baseline);
    RUN_TEST(test_node_local_and_utilisation_against_no_delay);
    return testlib_finish();
}
