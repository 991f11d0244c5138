/* metrics_sched: the figures of GET /metrics (metrics.h), read from the
 * scheduler core, the session, the policy host and the Kafka module on
 * the loop, each family written whole by one small function. Label
 * values come from bounded sets: verdict kinds, task phases, broker
 * states, the configured workloads, and the policies' reason classes
 * (capped by policy/tally.h). docs/api.md lists the families. */
#include <stdlib.h>

#include "sched/api/metrics.h"
#include "sched/kafka/kafka.h"
#include "sched/mesos/session.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"

typedef kmesos_metrics_w mw;
typedef kmesos_metrics_label mlabel;

static void ms_counter(mw *w, const char *name, const char *help, uint64_t v)
{
    kmesos_metrics_family(w, name, "counter", help);
    kmesos_metrics_u64(w, name, NULL, 0, v);
}

static void ms_gauge(mw *w, const char *name, const char *help, double v)
{
    kmesos_metrics_family(w, name, "gauge", help);
    kmesos_metrics_real(w, name, NULL, 0, v);
}

static void ms_offers(mw *w, const kmesos_scheduler *s)
{
    const kmesos_scheduler_stats *st = &s->stats;
    size_t held = 0;
    for (const kmesos_offer *o = s->offers.by_id; o; o = o->hh.next)
        held += o->hold_until_ms != 0;
    ms_counter(w, "kmesos_offers_received_total", "Offers received from the master.",
               st->offers_received);
    ms_counter(w, "kmesos_offers_accepted_total", "Offers accepted (ACCEPT sent).",
               st->offers_accepted);
    ms_counter(w, "kmesos_offers_declined_total", "Offers declined (DECLINE sent).",
               st->offers_declined);
    ms_counter(w, "kmesos_offers_held_total", "Offers kept back for a later answer (hold).",
               st->offers_held);
    ms_counter(w, "kmesos_offers_rescinded_total", "Offers the master rescinded or lost.",
               st->offers_rescinded);
    ms_counter(w, "kmesos_offers_expired_total",
               "Held offers declined when their hold ran out.", st->hold_expiries);
    ms_gauge(w, "kmesos_offers_in_book", "Offers in the book, not yet answered.",
             (double)s->offers.count);
    ms_gauge(w, "kmesos_offers_in_hold", "Offers in the book held now.", (double)held);
}

static void ms_decide(mw *w, const kmesos_scheduler *s)
{
    static const uint64_t us[KMESOS_DECIDE_BUCKETS] = KMESOS_DECIDE_BOUNDS_US;
    double bounds[KMESOS_DECIDE_BUCKETS];
    for (size_t i = 0; i < KMESOS_DECIDE_BUCKETS; i++)
        bounds[i] = (double)us[i] / 1e6;
    kmesos_metrics_family(w, "kmesos_decide_latency_seconds", "histogram",
                          "Time from an offer's arrival to its ACCEPT.");
    kmesos_metrics_histogram(w, "kmesos_decide_latency_seconds", bounds, s->stats.decide_hist,
                             KMESOS_DECIDE_BUCKETS, (double)s->stats.decide_us_total / 1e6);
    ms_counter(w, "kmesos_tasks_launched_total", "Tasks launched.", s->stats.tasks_launched);
    ms_counter(w, "kmesos_events_total", "Events received from the master.", s->stats.events);
}

static const char *const ms_phases[] = {"pending", "launching", "active", "done", "stopped"};
#define MS_PHASES (sizeof ms_phases / sizeof ms_phases[0])

static size_t ms_workload_index(const kmesos_scheduler *s, const kmesos_workload *wl)
{
    for (size_t i = 0; i < s->n_workloads; i++)
        if (s->workloads[i] == wl)
            return i;
    return s->n_workloads;
}

static void ms_tasks(mw *w, const kmesos_scheduler *s)
{
    kmesos_metrics_family(w, "kmesos_tasks", "gauge", "Task slots by phase and workload.");
    uint64_t *n = calloc((s->n_workloads + 1) * MS_PHASES, sizeof *n);
    if (!n) {
        w->failed = 1;
        return;
    }
    for (const kmesos_task *t = s->tasks.by_id; t; t = t->hh.next)
        if ((size_t)t->phase < MS_PHASES)
            n[ms_workload_index(s, t->workload) * MS_PHASES + t->phase]++;
    for (size_t i = 0; i < s->n_workloads; i++)
        for (size_t p = 0; p < MS_PHASES; p++) {
            mlabel l[2] = {{"workload", s->workloads[i]->name}, {"phase", ms_phases[p]}};
            kmesos_metrics_u64(w, "kmesos_tasks", l, 2, n[i * MS_PHASES + p]);
        }
    free(n);
}

static void ms_session(mw *w, kmesos_session *session)
{
    if (!session)
        return;
    const kmesos_session_stats *st = kmesos_session_get_stats(session);
    ms_counter(w, "kmesos_session_subscribes_total", "SUBSCRIBED events received.",
               st->subscribes);
    ms_counter(w, "kmesos_session_reconnects_total", "Live subscriptions lost.",
               st->reconnects);
    ms_counter(w, "kmesos_session_redirects_total", "307 redirects followed.", st->redirects);
    ms_gauge(w, "kmesos_session_subscribed", "1 while subscribed to a master.",
             kmesos_session_get_state(session) == KMESOS_SESSION_SUBSCRIBED);
}

static const char *ms_kind_name(int kind)
{
    return kind == KMESOS_VERDICT_ACCEPT ? "accept"
           : kind == KMESOS_VERDICT_WAIT ? "wait"
                                         : "decline";
}

static void ms_policy_verdicts(mw *w, const kmesos_policy *p)
{
    const kmesos_ptally *t = kmesos_policy_tally(p);
    kmesos_metrics_family(w, "kmesos_policy_verdicts_total", "counter",
                          "Decline and wait answers by the policy that gave them and the "
                          "class of its reason (at most 16 classes per policy and verdict, "
                          "then \"other\"; \"error\": the policy failed).");
    for (size_t i = 0; i < t->n; i++) {
        const kmesos_ptally_row *r = &t->rows[i];
        mlabel l[3] = {{"policy", r->policy}, {"verdict", ms_kind_name(r->kind)},
                       {"reason", r->reason}};
        kmesos_metrics_u64(w, "kmesos_policy_verdicts_total", l, 3, r->n);
    }
    ms_counter(w, "kmesos_policy_verdicts_dropped_total",
               "Verdicts not counted by reason: the table was full.", t->dropped);
}

static void ms_policy(mw *w, const kmesos_policy *p)
{
    if (!p)
        return;
    const kmesos_policy_stats *st = kmesos_policy_stats_get(p);
    kmesos_metrics_family(w, "kmesos_policy_evaluations_total", "counter",
                          "Offer-task pairs the policy chain answered, by verdict.");
    const uint64_t by[3] = {st->accepts, st->declines, st->waits};
    const int kinds[3] = {KMESOS_VERDICT_ACCEPT, KMESOS_VERDICT_DECLINE, KMESOS_VERDICT_WAIT};
    for (size_t i = 0; i < 3; i++) {
        mlabel l = {"verdict", ms_kind_name(kinds[i])};
        kmesos_metrics_u64(w, "kmesos_policy_evaluations_total", &l, 1, by[i]);
    }
    ms_policy_verdicts(w, p);
    ms_counter(w, "kmesos_policy_errors_total",
               "Policy calls that raised, ran out of budget or returned no verdict.",
               st->errors);
    ms_counter(w, "kmesos_policy_reloads_total", "Policy reloads that succeeded (SIGHUP).",
               st->reloads);
    ms_counter(w, "kmesos_policy_reload_errors_total", "Policy reloads that failed.",
               st->reload_failures);
}

/* The index in ms_kafka's states of the broker's state. */
static size_t ms_broker_state(const kmesos_kafka *k, const kmesos_broker *b)
{
    const kmesos_task *t = kmesos_kafka_task(k, &b->node);
    if (!b->node.active)
        return 3;
    if (!t || t->phase == KMESOS_PHASE_PENDING)
        return 2;
    return kmesos_kafka_running(t) ? 0 : 1;
}

static void ms_kafka(mw *w, const kmesos_kafka *k, const kmesos_metrics_kafka_gauges *g)
{
    static const char *const states[] = {"running", "starting", "pending", "stopped"};
    uint64_t n[4] = {0};
    size_t nid = 0;
    int *ids = kmesos_kafka_ids(k, KMESOS_KAFKA_BROKER, &nid);
    for (size_t i = 0; ids && i < nid; i++) {
        const kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        if (b)
            n[ms_broker_state(k, b)]++;
    }
    free(ids);
    kmesos_metrics_family(w, "kmesos_kafka_brokers", "gauge", "Kafka brokers by state.");
    for (size_t j = 0; j < 4; j++) {
        mlabel l = {"state", states[j]};
        kmesos_metrics_u64(w, "kmesos_kafka_brokers", &l, 1, n[j]);
    }
    if (g && g->under_replicated_partitions >= 0)
        ms_gauge(w, "kmesos_kafka_under_replicated_partitions",
                 "Partitions with fewer in-sync replicas than replicas.",
                 g->under_replicated_partitions);
    if (g && g->offline_partitions >= 0)
        ms_gauge(w, "kmesos_kafka_offline_partitions", "Partitions without a leader.",
                 g->offline_partitions);
}

void kmesos_metrics_render(kmesos_metrics_w *w, const kmesos_metrics_src *src)
{
    const kmesos_scheduler *s = src->sched;
    ms_gauge(w, "kmesos_framework_subscribed", "1 while the framework is subscribed.",
             s->subscribed);
    ms_offers(w, s);
    ms_decide(w, s);
    ms_tasks(w, s);
    ms_session(w, src->session);
    ms_policy(w, src->policy);
    if (src->kafka)
        ms_kafka(w, src->kafka, src->kafka_gauges);
    ms_counter(w, "kmesos_api_requests_total", "Requests to the admin API.", src->api_requests);
}
