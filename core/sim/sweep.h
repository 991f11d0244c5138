/* sweep: runs one scenario once per value of one policy option, plus two
 * baselines: static partitioning (each job on its own 1/N of the agents,
 * the scenario's options) and no delay (node_wait_s = 0 and rack_wait_s =
 * 0 of the swept option's policy, e.g. delay.*, shared). Results come as a table, JSON and an
 * SVG plot (svg.h). Also home of the one helper that sets a policy
 * option in an options object, which --option uses too. */
#ifndef KSIM_SWEEP_H
#define KSIM_SWEEP_H
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "sim/sim.h"

typedef struct ksim_point {
    char label[160];
    double x;     /* the value (baselines: 0) */
    int baseline; /* 0: a sweep value; 1: static partitioning; 2: no delay */
    int skipped;  /* static partitioning with more jobs than agents: not run */
    ksim_result res;
    double wall_s;
} ksim_point;

typedef struct ksim_sweep {
    char key[128]; /* POLICY.KEY */
    ksim_point *points;
    size_t n;
} ksim_sweep;

/* Sets opts[policy][key] = value given as "POLICY.KEY" and a text that is
 * JSON (number, true, ...) or else a string. 0, or -1 (bad name, no
 * memory). */
int ksim_option_set(json_t *opts, const char *policy_key, const char *value);
/* "POLICY.KEY=VALUE" form of the same. */
int ksim_option_assign(json_t *opts, const char *assign);
/* Runs spec ("POLICY.KEY=V1,V2,...", numbers) on base (whose options are
 * base_opts). 0, or -1 with err (bad spec: 2 is the exit code; a run that
 * could not start). Progress goes to stderr. */
int ksim_sweep_run(const ksim_run_config *base, const json_t *base_opts, const char *spec,
                   ksim_sweep *out, char *err, size_t errlen);
void ksim_sweep_free(ksim_sweep *s);
void ksim_sweep_table(const ksim_sweep *s, FILE *out);
json_t *ksim_sweep_json(const ksim_sweep *s);

#endif
