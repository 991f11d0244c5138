/* report: what a run measured, and its two forms (a text table, JSON).
 * Per job and for our framework as a whole: tasks, where they ran
 * (node-local = on one of the task's preferred hosts, rack-local = in the
 * rack of one of them, off-rack = elsewhere; tasks without preferences
 * are counted apart), the wait from job arrival to launch (mean, p95,
 * max) and the job's completion time; for the run: makespan, utilisation
 * (busy slot-seconds of every framework over slots x makespan), offers
 * made/declined/accepted to our framework, slot-seconds its offers were
 * held, hold expiries and what the policy host counted. Nothing in a
 * result depends on the wall clock, so equal seeds give equal JSON. */
#ifndef KSIM_REPORT_H
#define KSIM_REPORT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

typedef struct ksim_stats {
    size_t tasks, launched, ended;
    size_t node, rack, off, nopref;
    double wait_mean_s, wait_p95_s, wait_max_s;
} ksim_stats;

typedef struct ksim_job_result {
    char name[64];
    char framework[64]; /* "ours" or the competitor's name */
    double arrival_s;
    double completion_s; /* arrival to last end; < 0: not all ended */
    ksim_stats st;
} ksim_job_result;

typedef struct ksim_result {
    char label[160];       /* a sweep point's name; "" for a single run */
    char mode[24];
    uint64_t seed;
    double offer_hold_s, decline_refuse_s, wait_refuse_s;
    char *options;         /* the policy options used (JSON text, owned) */
    ksim_job_result *jobs; /* ours first, then the competitors' */
    size_t n_jobs, n_ours;
    ksim_stats total;      /* our framework */
    double makespan_s, utilisation, busy_slot_s, slots;
    double mean_completion_s; /* over our jobs that completed */
    double held_slot_s;
    uint64_t hold_expiries, offers_made, offers_declined, offers_accepted;
    uint64_t evaluations, policy_errors, acks, updates;
    char policy_error[512]; /* the policy host's last error, "" when none */
    int complete;           /* every task of every framework ended */
    size_t tasks_simulated;
    double virtual_s;       /* the virtual clock when the run stopped */
} ksim_result;

void ksim_result_free(ksim_result *r);
/* Percentage helpers: node/rack/off-rack of launched tasks that have
 * preferences (0 when there are none). */
double ksim_pct(size_t part, const ksim_stats *st);
void ksim_report_text(const ksim_result *r, FILE *out);
json_t *ksim_report_json(const ksim_result *r);

#endif
