/* report: prints a result as a table (one line per job, then our
 * framework's total and the run's figures) or builds its JSON object.
 * Reals in JSON are rounded to 4 decimals so that files diff cleanly. */
#include "sim/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ksim_result_free(ksim_result *r)
{
    free(r->jobs);
    free(r->options);
    memset(r, 0, sizeof *r);
}

double ksim_pct(size_t part, const ksim_stats *st)
{
    size_t with = st->launched - st->nopref;
    return with ? 100.0 * (double)part / (double)with : 0;
}

/* ---- text ------------------------------------------------------------------------ */

static void stats_line(FILE *out, const char *name, const ksim_stats *st, double completion)
{
    char node[16] = "-", rack[16] = "-", off[16] = "-", done[24] = "-";
    if (st->launched > st->nopref) {
        snprintf(node, sizeof node, "%.1f", ksim_pct(st->node, st));
        snprintf(rack, sizeof rack, "%.1f", ksim_pct(st->rack, st));
        snprintf(off, sizeof off, "%.1f", ksim_pct(st->off, st));
    }
    if (completion >= 0)
        snprintf(done, sizeof done, "%.1f", completion);
    fprintf(out, "%-22s %6zu %6zu %6s %6s %6s %8.2f %8.2f %8.2f %9s\n", name, st->tasks,
            st->launched, node, rack, off, st->wait_mean_s, st->wait_p95_s, st->wait_max_s, done);
}

void ksim_report_text(const ksim_result *r, FILE *out)
{
    fprintf(out, "mode %s, seed %llu, offer hold %gs, decline refuse %gs, wait refuse %gs%s%s\n",
            r->mode, (unsigned long long)r->seed, r->offer_hold_s, r->decline_refuse_s,
            r->wait_refuse_s, r->label[0] ? ", run " : "", r->label);
    fprintf(out, "policy options %s\n\n", r->options ? r->options : "{}");
    fprintf(out, "%-22s %6s %6s %6s %6s %6s %8s %8s %8s %9s\n", "job", "tasks", "launch",
            "node%", "rack%", "off%", "wait", "p95", "max", "done_s");
    for (size_t i = 0; i < r->n_jobs; i++) {
        char name[160];
        if (i < r->n_ours)
            snprintf(name, sizeof name, "%s", r->jobs[i].name);
        else
            snprintf(name, sizeof name, "%s/%s", r->jobs[i].framework, r->jobs[i].name);
        stats_line(out, name, &r->jobs[i].st, r->jobs[i].completion_s);
    }
    stats_line(out, "ALL (ours)", &r->total, r->mean_completion_s);
    fprintf(out, "\nmakespan %.1f s, utilisation %.3f (%.0f busy slot-s over %.0f slots)%s\n",
            r->makespan_s, r->utilisation, r->busy_slot_s, r->slots,
            r->complete ? "" : ", INCOMPLETE: max_time_s reached");
    fprintf(out, "offers to us: %llu made, %llu declined, %llu accepted; held %.1f slot-s, "
            "%llu hold expiries\n", (unsigned long long)r->offers_made,
            (unsigned long long)r->offers_declined, (unsigned long long)r->offers_accepted,
            r->held_slot_s, (unsigned long long)r->hold_expiries);
    fprintf(out, "policy: %llu evaluations, %llu errors%s%s\n",
            (unsigned long long)r->evaluations, (unsigned long long)r->policy_errors,
            r->policy_error[0] ? ", last: " : "", r->policy_error);
}

/* ---- JSON -------------------------------------------------------------------------- */

static json_t *real(double v) { return json_real(round(v * 1e4) / 1e4); }

static json_t *stats_json(const ksim_stats *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "tasks", json_integer((json_int_t)st->tasks));
    json_object_set_new(o, "launched", json_integer((json_int_t)st->launched));
    json_object_set_new(o, "ended", json_integer((json_int_t)st->ended));
    json_object_set_new(o, "node_local_pct", real(ksim_pct(st->node, st)));
    json_object_set_new(o, "rack_local_pct", real(ksim_pct(st->rack, st)));
    json_object_set_new(o, "off_rack_pct", real(ksim_pct(st->off, st)));
    json_object_set_new(o, "no_preference", json_integer((json_int_t)st->nopref));
    json_object_set_new(o, "wait_mean_s", real(st->wait_mean_s));
    json_object_set_new(o, "wait_p95_s", real(st->wait_p95_s));
    json_object_set_new(o, "wait_max_s", real(st->wait_max_s));
    return o;
}

static json_t *job_json(const ksim_job_result *j)
{
    json_t *o = json_object(), *st = stats_json(&j->st);
    json_object_set_new(o, "name", json_string(j->name));
    json_object_set_new(o, "framework", json_string(j->framework));
    json_object_set_new(o, "arrival_s", real(j->arrival_s));
    json_object_set_new(o, "completion_s", j->completion_s >= 0 ? real(j->completion_s)
                                                                : json_null());
    json_object_update(o, st);
    json_decref(st);
    return o;
}

static json_t *counters_json(const ksim_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "made", json_integer((json_int_t)r->offers_made));
    json_object_set_new(o, "declined", json_integer((json_int_t)r->offers_declined));
    json_object_set_new(o, "accepted", json_integer((json_int_t)r->offers_accepted));
    json_object_set_new(o, "held_slot_s", real(r->held_slot_s));
    json_object_set_new(o, "hold_expiries", json_integer((json_int_t)r->hold_expiries));
    return o;
}

json_t *ksim_report_json(const ksim_result *r)
{
    json_t *o = json_object(), *jobs = json_array();
    json_t *opts = json_loads(r->options ? r->options : "{}", 0, NULL);
    json_t *overall = stats_json(&r->total), *policy = json_object();
    json_object_set_new(overall, "mean_completion_s", real(r->mean_completion_s));
    json_object_set_new(o, "label", json_string(r->label));
    json_object_set_new(o, "mode", json_string(r->mode));
    json_object_set_new(o, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(o, "offer_hold_s", real(r->offer_hold_s));
    json_object_set_new(o, "decline_refuse_s", real(r->decline_refuse_s));
    json_object_set_new(o, "wait_refuse_s", real(r->wait_refuse_s));
    json_object_set_new(o, "options", opts ? opts : json_object());
    json_object_set_new(o, "complete", json_boolean(r->complete));
    json_object_set_new(o, "overall", overall);
    json_object_set_new(o, "makespan_s", real(r->makespan_s));
    json_object_set_new(o, "utilisation", real(r->utilisation));
    json_object_set_new(o, "busy_slot_s", real(r->busy_slot_s));
    json_object_set_new(o, "slots", real(r->slots));
    json_object_set_new(o, "offers", counters_json(r));
    json_object_set_new(policy, "evaluations", json_integer((json_int_t)r->evaluations));
    json_object_set_new(policy, "errors", json_integer((json_int_t)r->policy_errors));
    json_object_set_new(policy, "last_error", json_string(r->policy_error));
    json_object_set_new(o, "policy", policy);
    json_object_set_new(o, "updates", json_integer((json_int_t)r->updates));
    json_object_set_new(o, "acks", json_integer((json_int_t)r->acks));
    json_object_set_new(o, "tasks_simulated", json_integer((json_int_t)r->tasks_simulated));
    json_object_set_new(o, "virtual_s", real(r->virtual_s));
    for (size_t i = 0; i < r->n_jobs; i++)
        json_array_append_new(jobs, job_json(&r->jobs[i]));
    json_object_set_new(o, "jobs", jobs);
    return o;
}
