/* result: reads a finished world into a ksim_result: per job and for our
 * framework as a whole, where tasks ran and how long they waited (p95 by
 * nearest rank over the launched tasks' waits), completion times, busy
 * slot-seconds over the makespan, and the counters of the master (offers
 * to our frameworks), the cores (hold expiries) and the policy hosts
 * (evaluations, errors, the last error text). */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "sim/world.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fills st from tasks [first, first + n); waits is scratch of n. */
static void stats_of(const ksim_world *w, size_t first, size_t n, double *waits, ksim_stats *st)
{
    size_t k = 0;
    double sum = 0;
    memset(st, 0, sizeof *st);
    st->tasks = n;
    for (size_t i = first; i < first + n; i++) {
        const ksim_task *t = &w->tasks[i];
        if (t->state == KSIM_T_WAITING)
            continue;
        st->launched++;
        st->ended += t->state == KSIM_T_ENDED;
        st->node += t->loc == KSIM_LOC_NODE;
        st->rack += t->loc == KSIM_LOC_RACK;
        st->off += t->loc == KSIM_LOC_OFF;
        st->nopref += t->loc == KSIM_LOC_NONE;
        uint64_t arrival = w->jobs[t->job].arrival_ms;
        waits[k] = t->launch_ms > arrival ? (double)(t->launch_ms - arrival) / 1000.0 : 0;
        sum += waits[k++];
    }
    if (k == 0)
        return;
    qsort(waits, k, sizeof *waits, cmp_double);
    size_t rank = (k * 95 + 99) / 100; /* nearest rank, 1-based */
    st->wait_mean_s = sum / (double)k;
    st->wait_p95_s = waits[rank - 1];
    st->wait_max_s = waits[k - 1];
}

static void job_result(const ksim_world *w, const ksim_job *j, double *waits, ksim_job_result *r)
{
    snprintf(r->name, sizeof r->name, "%s", j->spec->name);
    snprintf(r->framework, sizeof r->framework, "%s", j->framework);
    r->arrival_s = (double)j->arrival_ms / 1000.0;
    r->completion_s = j->ended == j->n ? (double)(j->last_end_ms - j->arrival_ms) / 1000.0 : -1;
    stats_of(w, j->first, j->n, waits, &r->st);
}

/* Busy slot-seconds of every framework, and the makespan (last end). */
static void usage(const ksim_world *w, ksim_result *res)
{
    uint64_t last = 0;
    double busy = 0;
    for (size_t i = 0; i < w->n_tasks; i++) {
        const ksim_task *t = &w->tasks[i];
        if (t->state == KSIM_T_WAITING)
            continue;
        uint64_t end = t->state == KSIM_T_ENDED ? t->end_ms : w->now_ms;
        busy += (double)(end - t->launch_ms) / 1000.0 * w->jobs[t->job].spec->cpus /
                w->sc->cpus_per_slot;
        if (end > last)
            last = end;
    }
    for (size_t a = 0; a < w->master.n_agents; a++)
        res->slots += w->master.agents[a].cpus / w->sc->cpus_per_slot;
    res->makespan_s = (double)last / 1000.0;
    res->busy_slot_s = busy;
    res->utilisation = last && res->slots > 0 ? busy / (res->slots * res->makespan_s) : 0;
}

static void counters(const ksim_world *w, ksim_result *res)
{
    for (size_t i = 0; i < w->n_cores; i++) {
        const ksim_core *c = &w->cores[i];
        const ksim_fw_stats *fs = &w->master.fws[c->fw].stats;
        const kmesos_policy_stats *ps = kmesos_policy_stats_get(c->policy);
        res->offers_made += fs->offers_made;
        res->offers_declined += fs->offers_declined;
        res->offers_accepted += fs->offers_accepted;
        res->held_slot_s += fs->held_slot_s;
        res->hold_expiries += c->sched.offers.stats.expired;
        res->evaluations += ps->evaluations;
        res->policy_errors += ps->errors;
        if (*kmesos_policy_last_error(c->policy))
            snprintf(res->policy_error, sizeof res->policy_error, "%s",
                     kmesos_policy_last_error(c->policy));
    }
    res->acks = w->acks;
    res->updates = w->updates;
}

static void settings(const ksim_world *w, ksim_result *res)
{
    const ksim_run_config *cfg = w->cfg;
    snprintf(res->mode, sizeof res->mode, "%s", ksim_mode_name(cfg->mode));
    res->seed = cfg->seed;
    res->offer_hold_s = cfg->offer_hold_s;
    res->decline_refuse_s = cfg->decline_refuse_s;
    res->wait_refuse_s = cfg->wait_refuse_s;
    res->options = strdup(cfg->options ? cfg->options : "{}");
    res->complete = w->live == 0;
    res->tasks_simulated = w->n_tasks;
    res->virtual_s = (double)w->now_ms / 1000.0;
}

int ksim_world_result(const ksim_world *w, ksim_result *res)
{
    double *waits = malloc((w->n_tasks ? w->n_tasks : 1) * sizeof *waits);
    res->jobs = calloc(w->n_jobs ? w->n_jobs : 1, sizeof *res->jobs);
    if (!waits || !res->jobs) {
        free(waits);
        return -1;
    }
    res->n_jobs = w->n_jobs;
    res->n_ours = w->n_ours;
    double done = 0, sum = 0;
    for (size_t i = 0; i < w->n_jobs; i++) {
        job_result(w, &w->jobs[i], waits, &res->jobs[i]);
        if (i < w->n_ours && res->jobs[i].completion_s >= 0) {
            done++;
            sum += res->jobs[i].completion_s;
        }
    }
    res->mean_completion_s = done > 0 ? sum / done : 0;
    size_t ours = w->n_ours ? w->jobs[w->n_ours - 1].first + w->jobs[w->n_ours - 1].n : 0;
    stats_of(w, 0, ours, waits, &res->total);
    free(waits);
    usage(w, res);
    counters(w, res);
    settings(w, res);
    return res->options ? 0 : -1;
}
