/* replay: the records are folded, in file order, into hash tables keyed
 * by what the trace names: agents by hostname, jobs by name and, within a
 * job, slots by instance, and task ids (each pointing at its slot, so a
 * launch and an update find their task). Times are checked to go forward:
 * a record more than a second before the latest one (two runs appended to
 * one file, or another machine's clock) is an error. Once the file is
 * read, the tables become a scenario in order of first appearance (slots
 * sorted by instance) and the recorded waits are ranked. The scenario
 * keeps the simulator's defaults for everything a trace does not say:
 * seed 1, a 1 s allocation interval and tick, the shipped chain, the
 * scheduler's hold and refuse settings, no competitors. */
#include "sim/replay.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "sim/jread.h"

#define MAX_AGENTS 100000
#define MAX_TASKS 10000 /* instances of one workload */
#define MAX_JOBS 10000
#define BACK_S 1.0      /* how far a record may go back in time */

typedef struct r_agent {
    char *host, *id, *rack;
    double cpus, mem, disk;
    UT_hash_handle hh;
} r_agent;

typedef struct r_slot {
    int instance;
    char **hosts;
    size_t n_hosts;
    double launch_t, dur_s; /* < 0: none */
    UT_hash_handle hh;
} r_slot;

typedef struct r_job {
    char *name;
    double cpus, mem, disk, arrival_t;
    char **agents, **racks;
    size_t n_agents, n_racks, n_slots;
    r_slot *slots;
    UT_hash_handle hh;
} r_job;

typedef struct r_task {
    char *id;
    r_job *job;
    r_slot *slot;
    double launch_t; /* < 0: not launched */
    int ended;
    UT_hash_handle hh;
} r_task;

typedef struct builder {
    ksim_recorded *rec;
    double t0, last_t;
    r_agent *agents;
    r_job *jobs;
    r_task *tasks;
} builder;

static void slot_free(r_slot *s)
{
    ksim_jr_free_strs(s->hosts, s->n_hosts);
    free(s);
}

static void builder_free(builder *b)
{
    r_agent *a, *atmp;
    HASH_ITER(hh, b->agents, a, atmp) {
        HASH_DEL(b->agents, a);
        free(a->host);
        free(a->id);
        free(a->rack);
        free(a);
    }
    r_job *j, *jtmp;
    HASH_ITER(hh, b->jobs, j, jtmp) {
        r_slot *s, *stmp;
        HASH_ITER(hh, j->slots, s, stmp) {
            HASH_DEL(j->slots, s);
            slot_free(s);
        }
        HASH_DEL(b->jobs, j);
        free(j->name);
        ksim_jr_free_strs(j->agents, j->n_agents);
        ksim_jr_free_strs(j->racks, j->n_racks);
        free(j);
    }
    r_task *t, *ttmp;
    HASH_ITER(hh, b->tasks, t, ttmp) {
        HASH_DEL(b->tasks, t);
        free(t->id);
        free(t);
    }
}

/* ---- records ------------------------------------------------------------------------ */

static int oom(const ksim_trec *r, char *err, size_t errlen)
{
    return ksim_trec_fail(r, err, errlen, "out of memory");
}

/* Copies the strings of a checked array (absent: an empty list). */
static int copy_strs(const json_t *arr, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t len = json_array_size(arr);
    if (len == 0)
        return 0;
    char **v = calloc(len, sizeof *v);
    if (!v)
        return -1;
    *out = v;
    for (size_t i = 0; i < len; i++) {
        if (!(v[i] = strdup(json_string_value(json_array_get(arr, i)))))
            return -1;
        *n = i + 1;
    }
    return 0;
}

static const json_t *prefer_of(const ksim_trec *r, const char *key)
{
    return json_object_get(json_object_get(r->obj, "prefer"), key);
}

static double max_of(double a, double b) { return a > b ? a : b; }

static int on_offer(builder *b, const ksim_trec *r, char *err, size_t errlen)
{
    const char *id = ksim_trec_str(r, "agent"), *rack = ksim_trec_str(r, "rack");
    const char *host = ksim_trec_str(r, "host") ? ksim_trec_str(r, "host") : id;
    r_agent *a = NULL;
    HASH_FIND_STR(b->agents, host, a);
    if (!a) {
        if (HASH_COUNT(b->agents) >= MAX_AGENTS)
            return ksim_trec_fail(r, err, errlen, "more than %d agents", MAX_AGENTS);
        if (!(a = calloc(1, sizeof *a)) || !(a->host = strdup(host))) {
            free(a);
            return oom(r, err, errlen);
        }
        HASH_ADD_KEYPTR(hh, b->agents, a->host, strlen(a->host), a);
    }
    if (!a->id || strcmp(a->id, id) != 0) { /* an agent that re-registered: its last id */
        free(a->id);
        if (!(a->id = strdup(id)))
            return oom(r, err, errlen);
    }
    if (rack && (!a->rack || strcmp(a->rack, rack) != 0)) {
        free(a->rack);
        if (!(a->rack = strdup(rack)))
            return oom(r, err, errlen);
    }
    a->cpus = max_of(a->cpus, ksim_trec_num(r, "cpus", 0));
    a->mem = max_of(a->mem, ksim_trec_num(r, "mem", 0));
    a->disk = max_of(a->disk, ksim_trec_num(r, "disk", 0));
    return 0;
}

/* A job name the workload parser takes and the report can hold. */
static int job_name_ok(const char *v)
{
    size_t len = strlen(v);
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '-')
            return 0;
    return len > 0 && len < 64;
}

static r_job *job_of(builder *b, const ksim_trec *r, char *err, size_t errlen)
{
    const char *name = ksim_trec_str(r, "job");
    r_job *j = NULL;
    HASH_FIND_STR(b->jobs, name, j);
    if (j)
        return j;
    if (!job_name_ok(name)) {
        ksim_trec_fail(r, err, errlen, "field 'job': expected a name [A-Za-z0-9_-]{1,63}, got "
                       "\"%.60s\"", name);
        return NULL;
    }
    if (HASH_COUNT(b->jobs) >= MAX_JOBS) {
        ksim_trec_fail(r, err, errlen, "more than %d jobs", MAX_JOBS);
        return NULL;
    }
    if (!(j = calloc(1, sizeof *j)) || !(j->name = strdup(name))) {
        free(j);
        oom(r, err, errlen);
        return NULL;
    }
    HASH_ADD_KEYPTR(hh, b->jobs, j->name, strlen(j->name), j);
    j->cpus = ksim_trec_num(r, "cpus", 0);
    j->mem = ksim_trec_num(r, "mem", 0);
    j->disk = ksim_trec_num(r, "disk", 0);
    j->arrival_t = r->t;
    if (copy_strs(prefer_of(r, "agents"), &j->agents, &j->n_agents) != 0 ||
        copy_strs(prefer_of(r, "racks"), &j->racks, &j->n_racks) != 0) {
        oom(r, err, errlen);
        return NULL;
    }
    return j;
}

static r_slot *slot_of(r_job *j, const ksim_trec *r, char *err, size_t errlen)
{
    int instance = ksim_trec_int(r, "instance");
    r_slot *s = NULL;
    HASH_FIND_INT(j->slots, &instance, s);
    if (s)
        return s;
    if (j->n_slots >= MAX_TASKS) {
        ksim_trec_fail(r, err, errlen, "job '%s' has more than %d tasks (instances)", j->name,
                       MAX_TASKS);
        return NULL;
    }
    if (!(s = calloc(1, sizeof *s))) {
        oom(r, err, errlen);
        return NULL;
    }
    s->instance = instance;
    s->launch_t = s->dur_s = -1;
    HASH_ADD_INT(j->slots, instance, s);
    j->n_slots++;
    if (copy_strs(prefer_of(r, "hosts"), &s->hosts, &s->n_hosts) != 0) {
        oom(r, err, errlen);
        return NULL;
    }
    return s;
}

static int on_task(builder *b, const ksim_trec *r, char *err, size_t errlen)
{
    const char *id = ksim_trec_str(r, "task");
    r_task *t = NULL;
    HASH_FIND_STR(b->tasks, id, t);
    if (t)
        return 0; /* described once per id; a repeat adds nothing */
    r_job *j = job_of(b, r, err, errlen);
    r_slot *s = j ? slot_of(j, r, err, errlen) : NULL;
    if (!s)
        return -1;
    if (!(t = calloc(1, sizeof *t)) || !(t->id = strdup(id))) {
        free(t);
        return oom(r, err, errlen);
    }
    t->job = j;
    t->slot = s;
    t->launch_t = -1;
    HASH_ADD_KEYPTR(hh, b->tasks, t->id, strlen(t->id), t);
    return 0;
}

static void on_launch(builder *b, const ksim_trec *r)
{
    const char *loc = ksim_trec_str(r, "locality"), *id = ksim_trec_str(r, "task");
    ksim_recorded *rec = b->rec;
    rec->node += strcmp(loc, "node") == 0;
    rec->rack += strcmp(loc, "rack") == 0;
    rec->any += strcmp(loc, "any") == 0;
    rec->none += strcmp(loc, "none") == 0;
    r_task *t = NULL;
    HASH_FIND_STR(b->tasks, id, t);
    if (!t) {
        rec->undescribed++;
        return;
    }
    if (t->launch_t < 0)
        t->launch_t = r->t;
    if (t->slot->launch_t >= 0)
        rec->relaunches++;
    else
        t->slot->launch_t = r->t;
}

static int terminal(const char *state)
{
    static const char *const END[] = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED",
                                      "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE",
                                      "TASK_GONE_BY_OPERATOR", NULL};
    for (size_t i = 0; END[i]; i++)
        if (strcmp(state, END[i]) == 0)
            return 1;
    return 0;
}

static void on_update(builder *b, const ksim_trec *r)
{
    r_task *t = NULL;
    HASH_FIND_STR(b->tasks, ksim_trec_str(r, "task"), t);
    if (!t || t->ended || t->launch_t < 0 || !terminal(ksim_trec_str(r, "state")))
        return;
    t->ended = 1;
    if (t->slot->dur_s < 0) /* the first run of the slot that both launched and ended */
        t->slot->dur_s = r->t - t->launch_t;
}

static int on_record(void *arg, const ksim_trec *r, char *err, size_t errlen)
{
    builder *b = arg;
    ksim_recorded *rec = b->rec;
    if (rec->records == 0)
        b->t0 = b->last_t = r->t;
    if (r->t < b->last_t - BACK_S)
        return ksim_trec_fail(r, err, errlen, "field 't': %.3f is %.3f s before an earlier "
                              "record (more than one run in one file?)", r->t, b->last_t - r->t);
    b->last_t = max_of(b->last_t, r->t);
    rec->records++;
    rec->by_ev[r->ev]++;
    switch (r->ev) {
    case KSIM_TEV_OFFER: return on_offer(b, r, err, errlen);
    case KSIM_TEV_TASK: return on_task(b, r, err, errlen);
    case KSIM_TEV_LAUNCH: on_launch(b, r); return 0;
    case KSIM_TEV_UPDATE: on_update(b, r); return 0;
    case KSIM_TEV_DECLINE:
        rec->declined_offers += json_array_size(json_object_get(r->obj, "offers"));
        return 0;
    default: return 0;
    }
}

/* ---- the scenario ---------------------------------------------------------------------- */

typedef struct rack_seen {
    const char *name;
    UT_hash_handle hh;
} rack_seen;

static int count_racks(const ksim_scenario *sc, size_t *n)
{
    rack_seen *pool = calloc(sc->n_agents, sizeof *pool), *seen = NULL, *r;
    if (!pool)
        return -1;
    for (size_t i = 0; i < sc->n_agents; i++) {
        const char *rack = sc->agents[i].rack;
        if (!rack)
            continue;
        HASH_FIND_STR(seen, rack, r);
        if (!r) {
            pool[*n].name = rack;
            HASH_ADD_KEYPTR(hh, seen, rack, strlen(rack), &pool[*n]);
            (*n)++;
        }
    }
    HASH_CLEAR(hh, seen);
    free(pool);
    return 0;
}

static int build_agents(builder *b, ksim_scenario *sc)
{
    size_t n = HASH_COUNT(b->agents), k = 0;
    sc->agents = calloc(n, sizeof *sc->agents);
    if (!sc->agents)
        return -1;
    r_agent *a, *tmp;
    HASH_ITER(hh, b->agents, a, tmp) {
        ksim_agent_spec *s = &sc->agents[k++];
        sc->n_agents = k;
        s->slots = 1;
        s->cpus = a->cpus;
        s->mem = a->mem;
        s->disk = a->disk;
        s->hostname = a->host; /* moved */
        s->id = a->id;
        s->rack = a->rack;
        a->host = a->id = a->rack = NULL;
    }
    return count_racks(sc, &b->rec->racks);
}

static int by_instance(const r_slot *x, const r_slot *y)
{
    return (x->instance > y->instance) - (x->instance < y->instance);
}

static int build_job(builder *b, r_job *j, ksim_job_spec *s)
{
    ksim_recorded *rec = b->rec;
    s->name = j->name;
    j->name = NULL;
    s->tasks = (int)j->n_slots;
    s->arrival_s = max_of(j->arrival_t - b->t0, 0);
    s->dur_min_s = s->dur_max_s = rec->default_dur_s;
    s->cpus = j->cpus;
    s->mem = j->mem;
    s->disk = j->disk;
    s->prefer_agents = j->agents;
    s->n_prefer_agents = j->n_agents;
    s->prefer_racks = j->racks;
    s->n_prefer_racks = j->n_racks;
    j->agents = j->racks = NULL;
    j->n_agents = j->n_racks = 0;
    if (!(s->task_specs = calloc(j->n_slots, sizeof *s->task_specs)))
        return -1;
    HASH_SORT(j->slots, by_instance);
    size_t k = 0;
    r_slot *sl, *tmp;
    HASH_ITER(hh, j->slots, sl, tmp) {
        ksim_task_spec *ts = &s->task_specs[k++];
        ts->dur_s = sl->dur_s >= 0 ? sl->dur_s : rec->default_dur_s;
        rec->durations_given += sl->dur_s >= 0;
        ts->hosts = sl->hosts;
        ts->n_hosts = sl->n_hosts;
        sl->hosts = NULL;
        sl->n_hosts = 0;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The recorded waits: job arrival to each slot's first launch. */
static int recorded_waits(builder *b)
{
    ksim_recorded *rec = b->rec;
    double *waits = malloc((rec->tasks ? rec->tasks : 1) * sizeof *waits), sum = 0;
    if (!waits)
        return -1;
    size_t k = 0;
    r_job *j, *jtmp;
    HASH_ITER(hh, b->jobs, j, jtmp) {
        r_slot *s, *stmp;
        HASH_ITER(hh, j->slots, s, stmp) {
            if (s->launch_t < 0)
                continue;
            waits[k] = max_of(s->launch_t - j->arrival_t, 0);
            sum += waits[k++];
        }
    }
    rec->launched = k;
    if (k) {
        qsort(waits, k, sizeof *waits, cmp_double);
        rec->wait_mean_s = sum / (double)k;
        rec->wait_p95_s = waits[(k * 95 + 99) / 100 - 1]; /* nearest rank, as result.c */
        rec->wait_max_s = waits[k - 1];
    }
    free(waits);
    return 0;
}

/* Jobs whose tasks no agent can hold: they will never launch. */
static void check_fit(const ksim_scenario *sc, ksim_recorded *rec)
{
    for (size_t i = 0; i < sc->n_jobs; i++) {
        const ksim_job_spec *j = &sc->jobs[i];
        size_t a = 0;
        while (a < sc->n_agents && (sc->agents[a].cpus < j->cpus || sc->agents[a].mem < j->mem ||
                                    sc->agents[a].disk < j->disk))
            a++;
        if (a < sc->n_agents)
            continue;
        if (rec->unfit_jobs++ == 0)
            snprintf(rec->unfit, sizeof rec->unfit, "%s", j->name);
    }
}

static int build_scenario(builder *b, const char *path, ksim_scenario *sc)
{
    ksim_recorded *rec = b->rec;
    sc->seed = 1;
    sc->alloc_interval_s = sc->tick_s = 1;
    sc->answer_latency_s = 0.01;
    sc->mode = KSIM_MODE_SHARED;
    sc->cpus_per_slot = 1; /* a slot of the report is one cpu */
    sc->mem_per_slot = 1024;
    sc->offer_hold_s = sc->decline_refuse_s = sc->wait_refuse_s = -1;
    rec->span_s = b->last_t - b->t0;
    rec->agents = HASH_COUNT(b->agents);
    rec->jobs = HASH_COUNT(b->jobs);
    if (!(sc->path = strdup(path)) || !(sc->options = json_object()) ||
        build_agents(b, sc) != 0 || !(sc->jobs = calloc(rec->jobs, sizeof *sc->jobs)))
        return -1;
    double longest = rec->default_dur_s;
    r_job *j, *tmp;
    HASH_ITER(hh, b->jobs, j, tmp) {
        rec->tasks += j->n_slots;
        if (build_job(b, j, &sc->jobs[sc->n_jobs++]) != 0)
            return -1;
        const ksim_job_spec *s = &sc->jobs[sc->n_jobs - 1];
        for (int k = 0; k < s->tasks; k++)
            longest = max_of(longest, s->task_specs[k].dur_s);
    }
    check_fit(sc, rec);
    /* a day past the trace and its longest task: room for a slow chain */
    sc->max_time_s = rec->span_s + longest + 86400;
    return recorded_waits(b);
}

int ksim_replay_load(const char *path, double default_dur_s, ksim_scenario *sc,
                     ksim_recorded *rec, char *err, size_t errlen)
{
    memset(sc, 0, sizeof *sc);
    memset(rec, 0, sizeof *rec);
    snprintf(rec->trace, sizeof rec->trace, "%s", path);
    rec->default_dur_s = default_dur_s > 0 ? default_dur_s : KSIM_REPLAY_DEFAULT_DUR_S;
    builder b = {rec, 0, 0, NULL, NULL, NULL};
    size_t n = 0;
    int rc = ksim_tread(path, on_record, &b, &n, err, errlen);
    if (rc == 0 && n == 0) {
        snprintf(err, errlen, "%s: empty trace: no records", path);
        rc = -1;
    } else if (rc == 0 && !b.jobs) {
        snprintf(err, errlen, "%s: no task records: nothing to replay (%zu records)", path, n);
        rc = -1;
    } else if (rc == 0 && !b.agents) {
        snprintf(err, errlen, "%s: no offer records: the cluster is unknown", path);
        rc = -1;
    }
    if (rc == 0 && build_scenario(&b, path, sc) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        rc = -1;
    }
    builder_free(&b);
    if (rc != 0)
        ksim_scenario_free(sc);
    return rc;
}

/* ---- the report ------------------------------------------------------------------------- */

static double pct(size_t part, size_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0;
}

void ksim_replay_text(const ksim_recorded *rec, const ksim_result *res, FILE *out)
{
    size_t with = rec->node + rec->rack + rec->any;
    fprintf(out, "\nreplay of %s: %zu records over %.1f s; %zu agents (%zu racks), %zu jobs, "
            "%zu tasks; durations: %zu from the trace, %zu the default %g s\n", rec->trace,
            rec->records, rec->span_s, rec->agents, rec->racks, rec->jobs, rec->tasks,
            rec->durations_given, rec->tasks - rec->durations_given, rec->default_dur_s);
    fprintf(out, "recorded: %zu offers, %zu verdicts, %zu declines (%zu offers), %zu holds, "
            "%zu hold expiries; %zu launches (%zu relaunches, %zu of undescribed tasks)\n",
            rec->by_ev[KSIM_TEV_OFFER], rec->by_ev[KSIM_TEV_VERDICT], rec->by_ev[KSIM_TEV_DECLINE], rec->declined_offers, rec->by_ev[KSIM_TEV_HOLD],
            rec->by_ev[KSIM_TEV_EXPIRE], rec->by_ev[KSIM_TEV_LAUNCH], rec->relaunches, rec->undescribed);
    fprintf(out, "\n%-22s %6s %6s %6s %6s %6s %8s %8s %8s\n", "", "launch", "node%", "rack%",
            "off%", "nopref", "wait", "p95", "max");
    fprintf(out, "%-22s %6zu %6.1f %6.1f %6.1f %6zu %8.2f %8.2f %8.2f\n", "recorded (trace)",
            rec->by_ev[KSIM_TEV_LAUNCH], pct(rec->node, with), pct(rec->rack, with), pct(rec->any, with),
            rec->none, rec->wait_mean_s, rec->wait_p95_s, rec->wait_max_s);
    if (!res)
        return;
    const ksim_stats *st = &res->total;
    fprintf(out, "%-22s %6zu %6.1f %6.1f %6.1f %6zu %8.2f %8.2f %8.2f\n", "replayed (this chain)",
            st->launched, ksim_pct(st->node, st), ksim_pct(st->rack, st), ksim_pct(st->off, st),
            st->nopref, st->wait_mean_s, st->wait_p95_s, st->wait_max_s);
}

static json_t *real(double v) { return json_real(round(v * 1e4) / 1e4); } /* as report.c */

json_t *ksim_replay_json(const ksim_recorded *rec)
{
    size_t with = rec->node + rec->rack + rec->any;
    json_t *r = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
        "s:I, s:o, s:o, s:o}",
        "offers", (json_int_t)rec->by_ev[KSIM_TEV_OFFER], "verdicts", (json_int_t)rec->by_ev[KSIM_TEV_VERDICT], "declines",
        (json_int_t)rec->by_ev[KSIM_TEV_DECLINE], "declined_offers", (json_int_t)rec->declined_offers, "launches",
        (json_int_t)rec->by_ev[KSIM_TEV_LAUNCH], "node_local_pct", real(pct(rec->node, with)),
        "rack_local_pct", real(pct(rec->rack, with)), "off_rack_pct", real(pct(rec->any, with)),
        "node", (json_int_t)rec->node, "rack", (json_int_t)rec->rack, "any",
        (json_int_t)rec->any, "none", (json_int_t)rec->none, "relaunches",
        (json_int_t)rec->relaunches, "undescribed", (json_int_t)rec->undescribed, "holds",
        (json_int_t)rec->by_ev[KSIM_TEV_HOLD], "hold_expiries", (json_int_t)rec->by_ev[KSIM_TEV_EXPIRE], "updates",
        (json_int_t)rec->by_ev[KSIM_TEV_UPDATE], "launched_tasks", (json_int_t)rec->launched, "wait_mean_s",
        real(rec->wait_mean_s), "wait_p95_s", real(rec->wait_p95_s), "wait_max_s",
        real(rec->wait_max_s));
    return json_pack("{s:s, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o*}", "trace",
                     rec->trace, "records", (json_int_t)rec->records, "span_s", real(rec->span_s),
                     "agents", (json_int_t)rec->agents, "racks", (json_int_t)rec->racks, "jobs",
                     (json_int_t)rec->jobs, "tasks", (json_int_t)rec->tasks,
                     "durations_from_trace", (json_int_t)rec->durations_given,
                     "durations_default", (json_int_t)(rec->tasks - rec->durations_given),
                     "default_duration_s", real(rec->default_dur_s), "recorded", r);
}
