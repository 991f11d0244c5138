/* kmesos-sim: the placement simulator's program. It reads the command
 * line and the scenario (or rebuilds one from a trace, --replay), settles
 * what each run uses (the policy chain:
 * --policy, else the scenario's, else the shipped default chain found as
 * the scheduler finds it; options: the scenario's with every --option
 * set over them; hold, refuse, mode and seed: flag, else scenario, else
 * the scheduler's defaults), then makes one run or a sweep and prints
 * the report (text or JSON; a replay adds what the trace recorded), the
 * speed on stderr, and the plot. With --trace the cores record their
 * placement into a fresh file. All it owns hangs off one ksim_app on
 * main's stack. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec/log.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"
#include "sched/trace.h"
#include "sim/cli.h"
#include "sim/replay.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/svg.h"
#include "sim/sweep.h"

typedef struct ksim_app {
    ksim_cli cli;
    ksim_scenario sc;
    char defaults[2][1100];
    const char *default_chain[2];
    const char *const *chain;
    size_t n_chain;
    json_t *options;
    char *options_text;
    ksim_run_config cfg;
    ksim_recorded rec; /* --replay: what the trace recorded */
    kmesos_trace *trace;
} ksim_app;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int resolve_chain(ksim_app *app, const char *argv0)
{
    char dir[1024];
    if (app->cli.n_policies) {
        app->chain = app->cli.policies;
        app->n_chain = app->cli.n_policies;
    } else if (app->sc.n_policies) {
        app->chain = (const char *const *)app->sc.policies;
        app->n_chain = app->sc.n_policies;
    } else if (kmesos_policy_find_dir(argv0, dir, sizeof dir) == 0) {
        kmesos_policy_default_chain(dir, app->defaults[0], app->defaults[1],
                                    sizeof app->defaults[0]);
        app->default_chain[0] = app->defaults[0];
        app->default_chain[1] = app->defaults[1];
        app->chain = app->default_chain;
        app->n_chain = 2;
    } else {
        fprintf(stderr, "kmesos-sim: no --policy given and no policies folder found "
                        "(set KMESOS_POLICY_DIR)\n");
        return 2;
    }
    return 0;
}

static int check_chain(const char *const *chain, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (access(chain[i], R_OK) != 0) {
            fprintf(stderr, "kmesos-sim: --policy %s: %s\n", chain[i], strerror(errno));
            return 2;
        }
    return 0;
}

static int resolve_options(ksim_app *app)
{
    app->options = json_deep_copy(app->sc.options);
    if (!app->options)
        return 1;
    for (size_t i = 0; i < app->cli.n_options; i++)
        if (ksim_option_assign(app->options, app->cli.options[i]) != 0) {
            fprintf(stderr, "kmesos-sim: --option '%s': expected POLICY.KEY=VALUE\n",
                    app->cli.options[i]);
            return 2;
        }
    app->options_text = json_dumps(app->options, JSON_COMPACT | JSON_SORT_KEYS);
    return app->options_text ? 0 : 1;
}

static double pick(double flag, double scenario, double core)
{
    return flag >= 0 ? flag : scenario >= 0 ? scenario : core;
}

static int configure(ksim_app *app, const char *argv0)
{
    int rc = resolve_chain(app, argv0);
    if (rc == 0)
        rc = check_chain(app->chain, app->n_chain);
    if (rc == 0)
        rc = resolve_options(app);
    if (rc != 0)
        return rc;
    kmesos_scheduler_config core;
    kmesos_scheduler_config_defaults(&core);
    const ksim_cli *c = &app->cli;
    app->cfg = (ksim_run_config){
        .sc = &app->sc,
        .policies = app->chain,
        .n_policies = app->n_chain,
        .options = app->options_text,
        .offer_hold_s = pick(c->offer_hold_s, app->sc.offer_hold_s, core.offer_hold_s),
        .decline_refuse_s = pick(c->decline_refuse_s, app->sc.decline_refuse_s,
                                 core.decline_refuse_s),
        .mode = c->mode >= 0 ? (ksim_mode)c->mode : app->sc.mode,
        .seed = c->seed >= 0 ? (uint64_t)c->seed : app->sc.seed,
        .wait_refuse_s = pick(c->wait_refuse_s, app->sc.wait_refuse_s, core.wait_refuse_s),
        .trace = app->trace,
    };
    return 0;
}

/* --trace FILE: emptied, then opened for the core (which appends). 0 or 2. */
static int open_trace(ksim_app *app)
{
    char err[1100];
    FILE *f = fopen(app->cli.trace, "w");
    if (!f) {
        fprintf(stderr, "kmesos-sim: --trace %s: %s\n", app->cli.trace, strerror(errno));
        return 2;
    }
    fclose(f);
    if (!(app->trace = kmesos_trace_open(app->cli.trace, err, sizeof err))) {
        fprintf(stderr, "kmesos-sim: %s\n", err);
        return 2;
    }
    return 0;
}

/* The scenario file, or the one a trace makes (--replay). 0 or 2. */
static int load(ksim_app *app)
{
    char err[1024];
    int rc = app->cli.replay ? ksim_replay_load(app->cli.replay, app->cli.replay_dur_s, &app->sc,
                                                &app->rec, err, sizeof err)
                             : ksim_scenario_load(app->cli.scenario, &app->sc, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "kmesos-sim: %s\n", err);
        return 2;
    }
    if (app->rec.unfit_jobs)
        fprintf(stderr, "kmesos-sim: warning: %zu job(s) ask more than any agent of the trace "
                "offered (first: %s): they cannot launch\n", app->rec.unfit_jobs, app->rec.unfit);
    return app->cli.trace ? open_trace(app) : 0;
}

/* Writes JSON to stdout (--format json) and/or --json FILE. 0 or 1. */
static int emit_json(const ksim_app *app, json_t *j)
{
    int rc = 0;
    size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10);
    if (app->cli.json_format && json_dumpf(j, stdout, flags) == 0)
        fputc('\n', stdout);
    if (app->cli.json_path && json_dump_file(j, app->cli.json_path, flags) != 0) {
        fprintf(stderr, "kmesos-sim: --json %s: cannot write\n", app->cli.json_path);
        rc = 1;
    }
    json_decref(j);
    return rc;
}

static double cpu_now(void) { return (double)clock() / CLOCKS_PER_SEC; }

static void speed(const ksim_result *r, double wall_s, double cpu_s)
{
    fprintf(stderr, "kmesos-sim: %zu tasks simulated over %.1f virtual s in %.2f s wall "
            "(%.2f s CPU): %.0f simulated tasks/s\n", r->tasks_simulated, r->virtual_s, wall_s,
            cpu_s, wall_s > 0 ? (double)r->tasks_simulated / wall_s : 0);
    if (r->policy_errors)
        fprintf(stderr, "kmesos-sim: policy errors: %llu (the pairs were declined), last: %s\n",
                (unsigned long long)r->policy_errors, r->policy_error);
    if (!r->complete)
        fprintf(stderr, "kmesos-sim: not every task ended by max_time_s\n");
}

static int run_once(ksim_app *app)
{
    ksim_result res;
    char err[1024];
    double t0 = wall_now(), c0 = cpu_now();
    if (ksim_run(&app->cfg, &res, err, sizeof err) != 0) {
        fprintf(stderr, "kmesos-sim: %s\n", err);
        return strstr(err, "does not load") || strstr(err, "static_partition") ? 2 : 1;
    }
    double wall = wall_now() - t0;
    kmesos_trace_flush(app->trace);
    if (!app->cli.json_format)
        ksim_report_text(&res, stdout);
    if (!app->cli.json_format && app->cli.replay)
        ksim_replay_text(&app->rec, &res, stdout);
    json_t *j = ksim_report_json(&res);
    if (app->cli.replay)
        json_object_set_new(j, "replay", ksim_replay_json(&app->rec));
    int rc = emit_json(app, j);
    speed(&res, wall, cpu_now() - c0);
    rc = rc ? rc : res.complete ? 0 : 1;
    ksim_result_free(&res);
    return rc;
}

static int run_sweep(ksim_app *app)
{
    ksim_sweep sw;
    char err[1024];
    double t0 = wall_now(), c0 = cpu_now();
    if (ksim_sweep_run(&app->cfg, app->options, app->cli.sweep, &sw, err, sizeof err) != 0) {
        fprintf(stderr, "kmesos-sim: %s\n", err);
        ksim_sweep_free(&sw);
        return strstr(err, "--sweep") || strstr(err, "does not load") ? 2 : 1;
    }
    double wall = wall_now() - t0;
    if (!app->cli.json_format)
        ksim_sweep_table(&sw, stdout);
    if (!app->cli.json_format && app->cli.replay)
        ksim_replay_text(&app->rec, NULL, stdout);
    json_t *j = ksim_sweep_json(&sw);
    if (app->cli.replay)
        json_object_set_new(j, "replay", ksim_replay_json(&app->rec));
    int rc = emit_json(app, j);
    fprintf(stderr, "kmesos-sim: sweep of %zu runs in %.2f s wall (%.2f s CPU)\n", sw.n, wall,
            cpu_now() - c0);
    char title[300];
    snprintf(title, sizeof title, "node-local tasks vs %s (%s, %s)", sw.key, app->sc.path,
             ksim_mode_name(app->cfg.mode));
    if (app->cli.plot && ksim_svg_plot(app->cli.plot, &sw, title, err, sizeof err) != 0) {
        fprintf(stderr, "kmesos-sim: %s\n", err);
        rc = 1;
    }
    for (size_t i = 0; rc == 0 && i < sw.n; i++)
        rc = sw.points[i].skipped || sw.points[i].res.complete ? 0 : 1;
    ksim_sweep_free(&sw);
    return rc;
}

int main(int argc, char **argv)
{
    ksim_app app;
    memset(&app, 0, sizeof app);
    int rc = ksim_cli_parse(argc, argv, &app.cli);
    if (rc != 0 || app.cli.help) {
        if (app.cli.help)
            ksim_cli_usage(stdout);
        ksim_cli_free(&app.cli);
        return rc;
    }
    int level = kmesos_log_level_parse(app.cli.log_level);
    if (level < 0) {
        fprintf(stderr, "kmesos-sim: --log-level '%s': expected debug, info, warn or error\n",
                app.cli.log_level);
        ksim_cli_free(&app.cli);
        return 2;
    }
    kmesos_log_set_level((kmesos_log_level)level);
    rc = load(&app);
    if (rc == 0)
        rc = configure(&app, argv[0]);
    if (rc == 0)
        rc = app.cli.sweep ? run_sweep(&app) : run_once(&app);
    kmesos_trace_close(app.trace);
    json_decref(app.options);
    free(app.options_text);
    ksim_scenario_free(&app.sc);
    ksim_cli_free(&app.cli);
    return rc;
}
