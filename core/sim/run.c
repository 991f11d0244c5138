/* run: the event loop and everything that moves a run along. Events come
 * off the heap in time order; each job arrives as an ARRIVAL event (ours:
 * a workload added to its core; a competitor's: tasks queued), the
 * master allocates every allocation_interval_s, the cores tick every
 * tick_s. Calls from a core are applied at once to the model (ACCEPT,
 * DECLINE, REVIVE, SUPPRESS) or queued as events (the RUNNING and
 * FINISHED updates of a launch, a KILL's end, RECONCILE answers), so the
 * core is never re-entered while it handles an event. Competitors answer
 * their offers here too: first come first served, as many queued tasks as
 * fit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/world.h"

static void push(ksim_world *w, uint64_t at_ms, ksim_event_kind kind, size_t a, int state)
{
    ksim_event ev = {.at_ms = at_ms, .kind = kind, .a = a, .state = state};
    if (ksim_heap_push(&w->heap, ev) != 0)
        w->failed = 1;
}

/* ---- launches and ends --------------------------------------------------------- */

/* As the core counts it (kmesos_candidates_locality): node on a
 * preferred host or agent, rack in a preferred rack or the rack of one. */
static ksim_locality classify(const ksim_world *w, const ksim_task *t, size_t agent)
{
    const ksim_job_spec *s = w->jobs[t->job].spec;
    if (t->n_pref == 0 && s->n_prefer_racks == 0)
        return KSIM_LOC_NONE;
    const ksim_agent *agents = w->master.agents;
    ksim_locality loc = KSIM_LOC_OFF;
    for (uint32_t i = 0; i < t->n_pref; i++) {
        long p = w->prefs[t->pref + i];
        if (p == (long)agent)
            return KSIM_LOC_NODE;
        if (p >= 0 && agents[p].rack_index == agents[agent].rack_index)
            loc = KSIM_LOC_RACK;
    }
    for (size_t i = 0; agents[agent].rack && i < s->n_prefer_racks; i++)
        if (strcmp(s->prefer_racks[i], agents[agent].rack) == 0)
            loc = KSIM_LOC_RACK;
    return loc;
}

static ksim_res res_of(const ksim_job_spec *s)
{
    return (ksim_res){s->cpus, s->mem, s->disk};
}

/* Starts a waiting task on agent. 0, or -1 when it is not waiting (a
 * second launch of one task: counted as unexpected, not run). */
static int launch(ksim_world *w, size_t index, size_t agent)
{
    ksim_task *t = &w->tasks[index];
    if (t->state != KSIM_T_WAITING) {
        w->unexpected++;
        return -1;
    }
    t->loc = classify(w, t, agent);
    t->launch_ms = w->now_ms;
    t->agent = (long)agent;
    t->state = KSIM_T_LAUNCHED;
    push(w, w->now_ms, KSIM_EV_RUNNING, index, 0);
    push(w, w->now_ms + t->dur_ms, KSIM_EV_FINISH, index, MESOS__V1__TASK_STATE__TASK_FINISHED);
    return 0;
}

static ksim_core *core_of(ksim_world *w, const ksim_task *t)
{
    const ksim_job *j = &w->jobs[t->job];
    return j->core >= 0 ? &w->cores[j->core] : NULL;
}

static void on_running(ksim_world *w, size_t index)
{
    ksim_task *t = &w->tasks[index];
    if (t->state != KSIM_T_LAUNCHED)
        return;
    t->state = KSIM_T_RUNNING;
    ksim_core *c = core_of(w, t);
    if (c && t->mesos_id) {
        w->updates++;
        ksim_core_update(c, t->mesos_id, w->master.agents[t->agent].id,
                         MESOS__V1__TASK_STATE__TASK_RUNNING, ++w->uuid);
    }
}

static void on_finish(ksim_world *w, size_t index, int state)
{
    ksim_task *t = &w->tasks[index];
    if (t->state != KSIM_T_LAUNCHED && t->state != KSIM_T_RUNNING)
        return;
    ksim_job *j = &w->jobs[t->job];
    t->state = KSIM_T_ENDED;
    t->end_ms = w->now_ms;
    j->ended++;
    j->last_end_ms = w->now_ms;
    w->live--;
    ksim_master_release(&w->master, j->fw, (size_t)t->agent, res_of(j->spec));
    ksim_core *c = core_of(w, t);
    if (c && t->mesos_id) {
        w->updates++;
        ksim_core_update(c, t->mesos_id, w->master.agents[t->agent].id, state, ++w->uuid);
    }
}

/* ---- calls from our cores ----------------------------------------------------- */

/* Our task that a Mesos task id names (through the core's registry). */
static long task_of(ksim_world *w, size_t fw, const char *task_id)
{
    long core = w->fw_core[fw];
    const kmesos_task *kt = core >= 0 ? ksim_core_task(&w->cores[core], task_id) : NULL;
    if (!kt)
        return -1;
    ksim_job *j = NULL;
    HASH_FIND_STR(w->by_name, kt->workload->name, j);
    if (!j || kt->instance < 0 || (size_t)kt->instance >= j->n)
        return -1;
    return (long)(j->first + (size_t)kt->instance);
}

static double refuse_of(const Mesos__V1__Filters *f)
{
    return f && f->has_refuse_seconds ? f->refuse_seconds : 5.0; /* Mesos' default */
}

static void launch_infos(ksim_world *w, size_t fw, const ksim_offer_rec *o,
                         const Mesos__V1__Offer__Operation *op, ksim_res *used)
{
    const Mesos__V1__Offer__Operation__Launch *l = op->launch;
    for (size_t i = 0; l && i < l->n_task_infos; i++) {
        const Mesos__V1__TaskInfo *ti = l->task_infos[i];
        long index = task_of(w, fw, ti->task_id->value);
        if (index < 0 || launch(w, (size_t)index, o->agent) != 0) {
            w->unexpected += index < 0;
            continue;
        }
        ksim_res r = res_of(w->jobs[w->tasks[index].job].spec); /* what the workload asks */
        used->cpus += r.cpus;
        used->mem += r.mem;
        used->disk += r.disk;
        free(w->tasks[index].mesos_id);
        w->tasks[index].mesos_id = strdup(ti->task_id->value);
    }
}

static void on_accept(ksim_world *w, size_t fw, const Mesos__V1__Scheduler__Call__Accept *a)
{
    for (size_t k = 0; k < a->n_offer_ids; k++) {
        ksim_offer_rec *o = ksim_master_offer(&w->master, fw, a->offer_ids[k]->value);
        if (!o) {
            w->unexpected++; /* answered twice, or never made */
            continue;
        }
        ksim_res used = {0, 0, 0};
        for (size_t i = 0; k == 0 && i < a->n_operations; i++)
            if (a->operations[i]->type == MESOS__V1__OFFER__OPERATION__TYPE__LAUNCH)
                launch_infos(w, fw, o, a->operations[i], &used);
        ksim_master_answer(&w->master, o, used, refuse_of(a->filters), w->now_ms);
    }
}

static void on_decline(ksim_world *w, size_t fw, const Mesos__V1__Scheduler__Call__Decline *d)
{
    for (size_t k = 0; k < d->n_offer_ids; k++) {
        ksim_offer_rec *o = ksim_master_offer(&w->master, fw, d->offer_ids[k]->value);
        if (o)
            ksim_master_answer(&w->master, o, (ksim_res){0, 0, 0}, refuse_of(d->filters),
                               w->now_ms);
        else
            w->unexpected++;
    }
}

static void on_kill(ksim_world *w, size_t fw, const Mesos__V1__Scheduler__Call__Kill *k)
{
    long index = task_of(w, fw, k->task_id->value);
    if (index >= 0)
        push(w, w->now_ms, KSIM_EV_FINISH, (size_t)index, MESOS__V1__TASK_STATE__TASK_KILLED);
}

static void on_call(void *arg, size_t fw, const kmesos_call *call)
{
    ksim_world *w = arg;
    switch (call->type) {
    case MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT:
        if (call->accept)
            on_accept(w, fw, call->accept);
        break;
    case MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE:
        if (call->decline)
            on_decline(w, fw, call->decline);
        break;
    case MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE:
        ksim_master_revive(&w->master, fw);
        break;
    case MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS:
        ksim_master_suppress(&w->master, fw);
        break;
    case MESOS__V1__SCHEDULER__CALL__TYPE__KILL:
        if (call->kill)
            on_kill(w, fw, call->kill);
        break;
    case MESOS__V1__SCHEDULER__CALL__TYPE__RECONCILE:
        push(w, w->now_ms, KSIM_EV_RECONCILE, fw, 0);
        break;
    case MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE:
        w->acks++;
        break;
    default:
        break;
    }
}

/* ---- offers to our cores and to competitors ------------------------------------- */

static void deliver_core(ksim_world *w, ksim_core *c, const size_t *offers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ksim_offer_rec *o = &w->master.offers[offers[i]];
        const ksim_agent *a = &w->master.agents[o->agent];
        ksim_master_offer_id(offers[i], w->view_ids[i], sizeof w->view_ids[i]);
        w->views[i] = (ksim_offer_view){w->view_ids[i], a->id, a->hostname, a->rack, o->cpus,
                                        o->mem, o->disk};
    }
    ksim_core_offers(c, w->views, n);
}

/* A competitor takes queued tasks in order while they fit. */
static void comp_offer(ksim_world *w, ksim_comp *c, ksim_offer_rec *o)
{
    double cpus = 0, mem = 0;
    const double eps = 1e-9;
    while (c->head < c->n) {
        size_t index = c->queue[c->head];
        const ksim_job_spec *s = w->jobs[w->tasks[index].job].spec;
        if (cpus + s->cpus > o->cpus + eps || mem + s->mem > o->mem + eps)
            break;
        if (launch(w, index, o->agent) == 0) {
            cpus += s->cpus;
            mem += s->mem;
        }
        c->head++;
    }
    ksim_master_answer(&w->master, o, (ksim_res){cpus, mem, 0}, c->spec->decline_refuse_s,
                       w->now_ms);
    if (c->head == c->n)
        ksim_master_suppress(&w->master, c->fw); /* nothing left to run */
}

static void deliver(void *arg, size_t fw, const size_t *offers, size_t n)
{
    ksim_world *w = arg;
    if (w->fw_core[fw] >= 0) {
        deliver_core(w, &w->cores[w->fw_core[fw]], offers, n);
        return;
    }
    ksim_comp *c = &w->comps[w->fw_comp[fw]];
    for (size_t i = 0; i < n; i++)
        comp_offer(w, c, &w->master.offers[offers[i]]);
}

/* ---- events ---------------------------------------------------------------------- */

static void comp_arrival(ksim_world *w, ksim_comp *c, const ksim_job *j)
{
    if (c->n + j->n > c->cap) {
        size_t cap = (c->n + j->n) * 2;
        size_t *q = realloc(c->queue, cap * sizeof *q);
        if (!q) {
            w->failed = 1;
            return;
        }
        c->queue = q;
        c->cap = cap;
    }
    for (size_t k = 0; k < j->n; k++)
        c->queue[c->n++] = j->first + k;
    ksim_master_revive(&w->master, c->fw);
}

static void on_arrival(ksim_world *w, size_t job)
{
    ksim_job *j = &w->jobs[job];
    if (j->comp >= 0) {
        comp_arrival(w, &w->comps[j->comp], j);
        return;
    }
    kmesos_workload *wl = ksim_world_workload(w, j);
    if (!wl || ksim_core_add(&w->cores[j->core], wl) != 0) {
        fprintf(stderr, "kmesos-sim: job %s could not be added\n", j->spec->name);
        w->failed = 1;
    }
}

/* Answers a RECONCILE with the state of every task the framework runs. */
static void on_reconcile(ksim_world *w, size_t fw)
{
    long core = w->fw_core[fw];
    for (size_t i = 0; core >= 0 && i < w->n_ours; i++) {
        const ksim_job *j = &w->jobs[i];
        for (size_t k = 0; j->fw == fw && k < j->n; k++) {
            const ksim_task *t = &w->tasks[j->first + k];
            if ((t->state == KSIM_T_LAUNCHED || t->state == KSIM_T_RUNNING) && t->mesos_id)
                ksim_core_update(&w->cores[core], t->mesos_id, w->master.agents[t->agent].id,
                                 MESOS__V1__TASK_STATE__TASK_RUNNING, 0);
        }
    }
}

static void dispatch(ksim_world *w, const ksim_event *ev)
{
    switch (ev->kind) {
    case KSIM_EV_RUNNING:
        on_running(w, ev->a);
        break;
    case KSIM_EV_FINISH:
        on_finish(w, ev->a, ev->state);
        break;
    case KSIM_EV_RECONCILE:
        on_reconcile(w, ev->a);
        break;
    case KSIM_EV_ARRIVAL:
        on_arrival(w, ev->a);
        break;
    case KSIM_EV_TICK:
        for (size_t i = 0; i < w->n_cores; i++)
            ksim_core_tick(&w->cores[i]);
        if (w->live)
            push(w, w->now_ms + ksim_ms(w->sc->tick_s), KSIM_EV_TICK, 0, 0);
        break;
    case KSIM_EV_ALLOCATE:
        ksim_master_allocate(&w->master, w->now_ms);
        if (w->live)
            push(w, w->now_ms + ksim_ms(w->sc->alloc_interval_s), KSIM_EV_ALLOCATE, 0, 0);
        break;
    }
}

void ksim_world_run(ksim_world *w)
{
    for (size_t i = 0; i < w->n_cores; i++)
        ksim_core_subscribe(&w->cores[i]);
    for (size_t i = 0; i < w->n_jobs; i++)
        push(w, w->jobs[i].arrival_ms, KSIM_EV_ARRIVAL, i, 0);
    push(w, 0, KSIM_EV_TICK, 0, 0);
    push(w, 0, KSIM_EV_ALLOCATE, 0, 0);
    ksim_event ev;
    while (!w->failed && w->live && ksim_heap_pop(&w->heap, &ev)) {
        if (ev.at_ms > w->end_ms)
            break;
        w->now_ms = ev.at_ms;
        dispatch(w, &ev);
    }
}

int ksim_run(const ksim_run_config *cfg, ksim_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    ksim_world *w = malloc(sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    static const ksim_world_hooks hooks = {on_call, deliver};
    int rc = ksim_world_init(w, cfg, &hooks, err, errlen);
    if (rc == 0) {
        ksim_world_run(w);
        if (w->failed) {
            snprintf(err, errlen, "out of memory while running");
            rc = -1;
        } else if (ksim_world_result(w, res) != 0) {
            snprintf(err, errlen, "out of memory building the report");
            rc = -1;
        }
    }
    ksim_world_free(w);
    free(w);
    return rc;
}
