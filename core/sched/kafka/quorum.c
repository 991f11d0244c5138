/* quorum: where a broker may go, asked before the policies (quorum.h).
 * Before the controller quorum exists, only the initial voters (the
 * lowest active ids) may launch, and only together: each offer that
 * comes for one of them triggers a try to place every one at once on the
 * offers in the book, on distinct agents (after
 * KMESOS_KAFKA_SPREAD_WAIT_MS of waiting two may share one), taking the
 * highest free port of each offer as its controller port. Agents, not
 * hosts, are the slots: several agents on one host (a supported Mesos
 * setup) each take a voter. When that works the voters (id, agent, host,
 * port) are recorded, the scheduler re-places the offers it holds, and
 * the state is saved; until then every broker waits with a reason saying
 * how many offers were found. Afterwards a voter goes only to its agent
 * (or its host once that agent is gone: kmesos_kafka_on_home), with its
 * controller port, and a broker with a fixed client port only to offers
 * that carry it. */
#include "sched/kafka/quorum.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"

#define MOD "kafka"
/* how long the first start waits for voters on distinct agents */
#define KMESOS_KAFKA_SPREAD_WAIT_MS 10000
/* how long an offer a voter could use is held while the others are found */
#define KMESOS_KAFKA_FORM_HOLD_S 10.0

static int quorum_size(const kmesos_kafka *k, size_t n_active)
{
    int q = k->quorum_size > 0 ? k->quorum_size : 3;
    return (size_t)q < n_active ? q : (int)n_active;
}

/* 1 when node i may be an initial voter: active, and a dedicated
 * controller when there is one active (controllers), else of role
 * combined. */
static int voter_candidate(const kmesos_kafka *k, size_t i, int controllers)
{
    const kmesos_broker *b = kmesos_broker_of(k->nodes[i]);
    return b && b->node.active &&
           (controllers ? kmesos_broker_is_controller(&b->set) : kmesos_broker_may_vote(&b->set));
}

/* The ids that will be the voters: the lowest active dedicated
 * controllers if any is active, else the lowest active combined nodes. */
static size_t initial_voters(const kmesos_kafka *k, int *ids, size_t cap)
{
    size_t n_cand = 0, n = 0;
    int controllers = 0;
    for (size_t i = 0; i < k->n_nodes; i++) {
        const kmesos_broker *b = kmesos_broker_of(k->nodes[i]);
        controllers |= b && b->node.active && kmesos_broker_is_controller(&b->set);
    }
    for (size_t i = 0; i < k->n_nodes; i++)
        n_cand += voter_candidate(k, i, controllers);
    size_t q = (size_t)quorum_size(k, n_cand);
    for (size_t i = 0; i < k->n_nodes && n < q && n < cap; i++)
        if (voter_candidate(k, i, controllers))
            ids[n++] = k->nodes[i]->id;
    return n;
}

static int is_initial_voter(const kmesos_kafka *k, int id)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16);
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* What formation has taken from one offer so far. */
typedef struct form_use {
    const kmesos_offer *o;
    double cpus, mem;
    uint64_t ports[16];
    size_t n_ports;
} form_use;

static int port_used(const form_use *u, uint64_t p)
{
    for (size_t i = 0; i < u->n_ports; i++)
        if (u->ports[i] == p)
            return 1;
    return 0;
}

/* The highest port of the offer not used yet (auto client ports are
 * taken from the bottom, so the two rarely meet). 0: none. */
static uint64_t top_port(const form_use *u, const kmesos_port_cursor *pc)
{
    const kmesos_offer *o = u->o;
    for (size_t r = o->n_ports; r-- > 0;)
        for (uint64_t p = o->ports[r].end; p >= o->ports[r].begin && p > 0; p--)
            if (!port_used(u, p) && (!pc || kmesos_port_free(pc, o, p)))
                return p;
    return 0;
}

/* 1 when a voter was already placed on the agent of u (an agent may
 * have more than one offer in the book). */
static int agent_taken(const form_use *uses, size_t n_uses, const form_use *u)
{
    for (size_t i = 0; i < n_uses; i++)
        if (uses[i].n_ports && strcmp(uses[i].o->agent_id, u->o->agent_id) == 0)
            return 1;
    return 0;
}

/* Finds an offer for broker b among the uses: on an agent without a
 * voter yet, or (shared) on any. */
static form_use *form_pick(form_use *uses, size_t n_uses, const kmesos_broker *b, int shared)
{
    for (size_t i = 0; i < n_uses; i++) {
        form_use *u = &uses[i];
        if ((!shared && agent_taken(uses, n_uses, u)) || u->n_ports + 2 > 16)
            continue;
        uint64_t left = kmesos_offer_port_count(u->o) - u->n_ports;
        if (u->o->cpus - u->cpus + 1e-9 >= b->set.cpus + KMESOS_KAFKA_EXEC_CPUS &&
            u->o->mem - u->mem + 1e-9 >= b->set.mem + KMESOS_KAFKA_EXEC_MEM && left >= 2)
            return u;
    }
    return NULL;
}

static int record_voters(kmesos_kafka *k, const int *ids, form_use *const *picked,
                         const uint64_t *ports, size_t n)
{
    kmesos_voter *v = calloc(n, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char dir[23];
        v[i].id = ids[i];
        v[i].port = (int)ports[i];
        v[i].host = strdup(picked[i]->o->hostname);
        v[i].agent_id = strdup(picked[i]->o->agent_id);
        /* a dynamic quorum (KIP-853): each voter's first metadata dir id,
         * given to the storage format with --initial-controllers */
        v[i].dir_id = kmesos_kafka_new_cluster_id(dir) == 0 ? strdup(dir) : NULL;
        if (!v[i].host || !v[i].agent_id || !v[i].dir_id) {
            for (size_t j = 0; j <= i; j++) {
                free(v[j].host);
                free(v[j].agent_id);
                free(v[j].dir_id);
            }
            free(v);
            return -1;
        }
    }
    kmesos_kafka_voters_set(k, v, n);
    return 0;
}

/* Tries to place every initial voter on the offers in the book at once,
 * each on its own agent; after KMESOS_KAFKA_SPREAD_WAIT_MS of waiting, two
 * may share one. 1: formed (voters recorded); 0: not yet (have: how many
 * found offers). */
static int try_form(kmesos_kafka *k, const kmesos_offer *current, const kmesos_port_cursor *pc,
                    int may_share, size_t *have)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16), n_uses = 0;
    form_use *uses = calloc(k->sched->offers.count ? k->sched->offers.count : 1, sizeof *uses);
    form_use *picked[16];
    uint64_t ports[16];
    if (!uses)
        return 0;
    for (const kmesos_offer *o = k->sched->offers.by_id; o; o = o->hh.next)
        uses[n_uses++].o = o;
    *have = 0;
    for (size_t i = 0; i < n; i++) {
        const kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        form_use *u = form_pick(uses, n_uses, b, 0);
        if (!u && may_share)
            u = form_pick(uses, n_uses, b, 1);
        uint64_t p = u ? top_port(u, u->o == current ? pc : NULL) : 0;
        if (!p)
            break;
        u->cpus += b->set.cpus + KMESOS_KAFKA_EXEC_CPUS;
        u->mem += b->set.mem + KMESOS_KAFKA_EXEC_MEM;
        u->ports[u->n_ports++] = p;
        u->ports[u->n_ports++] = 0; /* room for the client port */
        picked[i] = u;
        ports[i] = p;
        (*have)++;
    }
    int formed = n > 0 && *have == n && record_voters(k, ids, picked, ports, n) == 0;
    free(uses);
    if (formed) {
        char *text = kmesos_kafka_voters_text(k, KMESOS_VOTERS_INITIAL);
        KLOG_INFO(MOD, "controller quorum formed: %s (cluster %s)", text ? text : "?",
                  k->cluster_id);
        free(text);
        k->sched->replace_held = 1;
        kmesos_kafka_changed(k);
    }
    return formed;
}

static void verdict(kmesos_verdict *v, kmesos_verdict_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verdict(kmesos_verdict *v, kmesos_verdict_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->reason, sizeof v->reason, fmt, ap);
    va_end(ap);
    v->kind = kind;
}

/* 1 when every initial voter waits for an offer now; *waited_ms: the
 * shortest time one of them has been waiting. */
static int all_voters_due(const kmesos_kafka *k, uint64_t now_ms, uint64_t *waited_ms)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16);
    *waited_ms = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const kmesos_broker *b = kmesos_kafka_broker(k, ids[i]);
        const kmesos_task *t = b ? kmesos_kafka_task(k, &b->node) : NULL;
        if (!t || t->phase != KMESOS_PHASE_PENDING || t->next_attempt_ms > now_ms)
            return 0;
        uint64_t w = now_ms > t->pending_since_ms ? now_ms - t->pending_since_ms : 0;
        if (w < *waited_ms)
            *waited_ms = w;
    }
    return n > 0;
}

/* Before the quorum exists: voters launch together, others wait. */
static int gate_forming(kmesos_kafka *k, const kmesos_broker *b, const kmesos_offer *o,
                        const kmesos_port_cursor *pc, kmesos_verdict *v)
{
    int ids[16];
    size_t n = initial_voters(k, ids, 16), have = 0;
    if (!is_initial_voter(k, b->node.id)) {
        verdict(v, KMESOS_VERDICT_WAIT, "waiting for the controller quorum to form");
        return 1;
    }
    uint64_t waited = 0;
    if (!all_voters_due(k, kmesos_kafka_now_ms(k), &waited) ||
        !try_form(k, o, pc, waited >= KMESOS_KAFKA_SPREAD_WAIT_MS, &have)) {
        verdict(v, KMESOS_VERDICT_WAIT,
                "waiting for offers for all %zu controller quorum voters together, on "
                "distinct agents for %ds (%zu found)",
                n, KMESOS_KAFKA_SPREAD_WAIT_MS / 1000, have);
        /* the voters' offers arrive one by one: keep this one meanwhile */
        v->hold_s = KMESOS_KAFKA_FORM_HOLD_S;
        return 1;
    }
    return 0;
}

/* 1 when another voter runs on (or is pinned to) the offer's agent or host. */
static int other_voter_there(const kmesos_kafka *k, int id, const kmesos_offer *o)
{
    for (size_t i = 0; i < k->n_voters; i++) {
        const kmesos_voter *v = &k->voters[i];
        if (v->id != id && ((v->agent_id && strcmp(v->agent_id, o->agent_id) == 0) ||
                            strcmp(v->host, o->hostname) == 0))
            return 1;
    }
    return 0;
}

/* A voter of a dynamic quorum whose agent is gone and that has waited
 * voter_move_after for an offer on its host may move to o: another host
 * without a voter, with a free controller port. 1: moved (recorded). */
static int voter_moves(kmesos_kafka *k, const kmesos_broker *b, const kmesos_voter *vt,
                       const kmesos_offer *o, const kmesos_port_cursor *pc)
{
    const kmesos_task *t = kmesos_kafka_task(k, &b->node);
    uint64_t now = kmesos_kafka_now_ms(k);
    if (!kmesos_kafka_quorum_dynamic(k) || !k->voter_move_after_ms || !t ||
        t->phase != KMESOS_PHASE_PENDING || now < t->pending_since_ms ||
        now - t->pending_since_ms < k->voter_move_after_ms ||
        kmesos_kafka_agent_known(k, vt->agent_id) || other_voter_there(k, vt->id, o))
        return 0;
    form_use u = {.o = o};
    uint64_t port = top_port(&u, pc);
    return port && kmesos_kafka_voter_move(k, vt->id, o->agent_id, o->hostname, (int)port) == 0;
}

void kmesos_kafka_broker_gate(kmesos_kafka *k, const kmesos_broker *b, const kmesos_offer *o,
                              const kmesos_port_cursor *pc, kmesos_verdict *v)
{
    if (!k->n_voters && gate_forming(k, b, o, pc, v))
        return;
    const kmesos_voter *vt = kmesos_kafka_voter(k, b->node.id);
    if (!vt && kmesos_broker_is_controller(&b->set)) {
        /* the voters never change in number: a dedicated controller added
         * after the quorum formed has no place in it */
        verdict(v, KMESOS_VERDICT_WAIT,
                "broker %d is a dedicated controller but not a voter of the quorum (formed with "
                "%zu voters)", b->node.id, k->n_voters);
        return;
    }
    if (vt && !kmesos_kafka_on_home(k, vt->agent_id, vt->host, o) &&
        voter_moves(k, b, vt, o, pc))
        vt = kmesos_kafka_voter(k, b->node.id);
    if (vt && !kmesos_kafka_on_home(k, vt->agent_id, vt->host, o)) {
        verdict(v, KMESOS_VERDICT_DECLINE,
                "broker %d is a controller quorum voter on host %s (agent %s)", b->node.id,
                vt->host, vt->agent_id ? vt->agent_id : "not recorded");
    } else if (vt && !kmesos_port_free(pc, o, (uint64_t)vt->port)) {
        verdict(v, KMESOS_VERDICT_DECLINE, "offer lacks port %d (controller port of voter %d)",
                vt->port, b->node.id);
    } else if (b->set.port && !kmesos_port_free(pc, o, (uint64_t)b->set.port)) {
        verdict(v, KMESOS_VERDICT_DECLINE, "offer lacks port %d (client port of broker %d)",
                b->set.port, b->node.id);
    }
}
