/* sweep: see sweep.h. Each point is a full run with its own options JSON
 * (the base options with the swept key set); runs are sequential and
 * independent, so a point's numbers equal a single run's with the same
 * flags. The wall time of each run is kept for the table and stderr
 * only: the JSON stays a function of the seed. */
#include "sim/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/num.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ksim_option_set(json_t *opts, const char *policy_key, const char *value)
{
    const char *dot = strchr(policy_key, '.');
    if (!dot || dot == policy_key || !dot[1])
        return -1;
    char policy[128];
    snprintf(policy, sizeof policy, "%.*s", (int)(dot - policy_key), policy_key);
    json_t *table = json_object_get(opts, policy);
    if (!json_is_object(table)) {
        table = json_object();
        if (!table || json_object_set_new(opts, policy, table) != 0)
            return -1;
    }
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    if (!v)
        v = json_string(value);
    return v && json_object_set_new(table, dot + 1, v) == 0 ? 0 : -1;
}

int ksim_option_assign(json_t *opts, const char *assign)
{
    const char *eq = strchr(assign, '=');
    char key[256];
    if (!eq || (size_t)(eq - assign) >= sizeof key)
        return -1;
    snprintf(key, sizeof key, "%.*s", (int)(eq - assign), assign);
    return ksim_option_set(opts, key, eq + 1);
}

/* Values of "V1,V2,..." (numbers >= 0) into a fresh array. */
static int parse_values(const char *list, double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        char one[64];
        double v;
        if ((size_t)(end - p) >= sizeof one)
            return -1;
        snprintf(one, sizeof one, "%.*s", (int)(end - p), p);
        if (kmesos_num_real(one, 0, 1e6, &v) != KMESOS_NUM_OK)
            return -1;
        double *grown = realloc(*out, (*n + 1) * sizeof *grown);
        if (!grown)
            return -1;
        *out = grown;
        grown[(*n)++] = v;
        p = *end ? end + 1 : end;
    }
    return *n ? 0 : -1;
}

static int run_point(const ksim_run_config *base, json_t *opts, ksim_point *pt, char *err,
                     size_t errlen)
{
    ksim_run_config cfg = *base;
    char *text = json_dumps(opts, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cfg.options = text;
    if (pt->baseline == 1)
        cfg.mode = KSIM_MODE_STATIC_PARTITION;
    double t0 = wall_now(), c0 = (double)clock() / CLOCKS_PER_SEC;
    int rc = ksim_run(&cfg, &pt->res, err, errlen);
    pt->wall_s = wall_now() - t0;
    double cpu = (double)clock() / CLOCKS_PER_SEC - c0;
    free(text);
    if (rc == 0) {
        snprintf(pt->res.label, sizeof pt->res.label, "%s", pt->label);
        fprintf(stderr, "kmesos-sim: %-22s node-local %5.1f%%  %.2f s wall, %.2f s CPU "
                "(%.0f tasks/s)\n", pt->label, ksim_pct(pt->res.total.node, &pt->res.total),
                pt->wall_s, cpu, pt->wall_s > 0 ? (double)pt->res.tasks_simulated / pt->wall_s : 0);
    }
    return rc;
}

/* The no-delay baseline: node_wait_s = rack_wait_s = 0 for the policy of
 * the swept key (delay.lua's names; "delay" for delay.node_wait_s). */
static int no_delay(json_t *opts, const char *key)
{
    char name[160];
    const char *dot = strchr(key, '.');
    int len = dot ? (int)(dot - key) : 0;
    snprintf(name, sizeof name, "%.*s.node_wait_s", len, key);
    if (ksim_option_set(opts, name, "0") != 0)
        return -1;
    snprintf(name, sizeof name, "%.*s.rack_wait_s", len, key);
    return ksim_option_set(opts, name, "0");
}

/* The points: the values, then the two baselines. */
static int plan(ksim_sweep *s, const char *key, const double *values, size_t n)
{
    s->points = calloc(n + 2, sizeof *s->points);
    if (!s->points)
        return -1;
    for (size_t i = 0; i < n; i++) {
        ksim_point *pt = &s->points[s->n++];
        pt->x = values[i];
        snprintf(pt->label, sizeof pt->label, "%s=%g", key, values[i]);
    }
    snprintf(s->points[s->n].label, sizeof s->points[s->n].label, "static_partition");
    s->points[s->n++].baseline = 1;
    snprintf(s->points[s->n].label, sizeof s->points[s->n].label, "no_delay");
    s->points[s->n++].baseline = 2;
    return 0;
}

int ksim_sweep_run(const ksim_run_config *base, const json_t *base_opts, const char *spec,
                   ksim_sweep *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(spec, '=');
    double *values = NULL;
    size_t n = 0;
    if (!eq || (size_t)(eq - spec) >= sizeof out->key || parse_values(eq + 1, &values, &n)) {
        free(values);
        snprintf(err, errlen, "--sweep '%s': expected POLICY.KEY=V1,V2,... (numbers >= 0)", spec);
        return -1;
    }
    snprintf(out->key, sizeof out->key, "%.*s", (int)(eq - spec), spec);
    int rc = plan(out, out->key, values, n);
    for (size_t i = 0; rc == 0 && i < out->n; i++) {
        ksim_point *pt = &out->points[i];
        json_t *opts = json_deep_copy(base_opts);
        char value[64];
        snprintf(value, sizeof value, "%.17g", pt->x);
        if (!opts || (pt->baseline == 0 && ksim_option_set(opts, out->key, value) != 0) ||
            (pt->baseline == 2 && no_delay(opts, out->key) != 0)) {
            snprintf(err, errlen, "--sweep '%s': bad option name", spec);
            rc = -1;
        }
        pt->skipped = pt->baseline == 1 && base->sc->n_jobs > base->sc->n_agents;
        if (pt->skipped)
            fprintf(stderr, "kmesos-sim: %-22s skipped: more jobs (%zu) than agents (%zu)\n",
                    pt->label, base->sc->n_jobs, base->sc->n_agents);
        else if (rc == 0)
            rc = run_point(base, opts, pt, err, errlen);
        json_decref(opts);
    }
    free(values);
    return rc;
}

void ksim_sweep_free(ksim_sweep *s)
{
    for (size_t i = 0; i < s->n; i++)
        ksim_result_free(&s->points[i].res);
    free(s->points);
    memset(s, 0, sizeof *s);
}

void ksim_sweep_table(const ksim_sweep *s, FILE *out)
{
    fprintf(out, "%-28s %6s %6s %6s %8s %8s %6s %9s %9s %8s\n", "run", "node%", "rack%",
            "off%", "wait", "p95", "util", "makespan", "held_s-s", "wall_s");
    for (size_t i = 0; i < s->n; i++) {
        const ksim_point *pt = &s->points[i];
        const ksim_result *r = &pt->res;
        if (pt->skipped) {
            fprintf(out, "%-28s skipped: more jobs than agents\n", pt->label);
            continue;
        }
        fprintf(out, "%-28s %6.1f %6.1f %6.1f %8.2f %8.2f %6.3f %9.1f %9.1f %8.2f%s\n",
                pt->label, ksim_pct(r->total.node, &r->total), ksim_pct(r->total.rack, &r->total),
                ksim_pct(r->total.off, &r->total), r->total.wait_mean_s, r->total.wait_p95_s,
                r->utilisation, r->makespan_s, r->held_slot_s, pt->wall_s,
                r->complete ? "" : " INCOMPLETE");
    }
}

json_t *ksim_sweep_json(const ksim_sweep *s)
{
    json_t *o = json_object(), *runs = json_array();
    json_object_set_new(o, "sweep", json_string(s->key));
    for (size_t i = 0; i < s->n; i++) {
        if (s->points[i].skipped)
            continue;
        json_t *r = ksim_report_json(&s->points[i].res);
        json_object_set_new(r, "value", s->points[i].baseline ? json_null()
                                                               : json_real(s->points[i].x));
        json_object_set_new(r, "baseline", json_string(s->points[i].baseline == 1 ? "static"
                                                       : s->points[i].baseline == 2 ? "no_delay"
                                                                                     : ""));
        json_array_append_new(runs, r);
    }
    json_object_set_new(o, "runs", runs);
    return o;
}
