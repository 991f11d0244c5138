/* agents: asks the leading master GET_AGENTS and keeps the topology in
 * step with the answer. One question at a time: a refresh while one is on
 * its way cancels it and asks again (the leader may have changed). The
 * answer is decoded in full and checked before the topology is touched,
 * then applied as one sweep (agents no longer listed are forgotten). A
 * libuv timer asks again every refresh_s; kmesos_agents_poke brings the
 * next question forward to within a second. Failures are counted and
 * logged once until a question succeeds again. */
#include "sched/mesos/agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/pb.h"
#include "codec/str.h"
#include "mesos/v1/master/master.pb-c.h"
#include "net/transport.h"

#define MOD "agents"
#define AGENTS_TIMEOUT_MS 10000
#define AGENTS_POKE_MS 1000

struct kmesos_agents {
    uv_loop_t *loop;
    kmesos_topology *topo;
    kmesos_agents_config cfg;
    uint64_t refresh_ms;  /* cfg.refresh_s, checked and converted once */
    char *principal, *secret;
    kmesos_transport *t;
    kmesos_transport_req *req;
    char url[1024];       /* operator endpoint of the current leader */
    uv_timer_t timer;
    int warned;           /* a failure was logged; quiet until a success */
    int closing;
    void (*on_closed)(void *arg);
    void *closed_arg;
    kmesos_agents_stats stats;
};

int kmesos_agents_operator_url(const char *scheduler_url, char *out, size_t n)
{
    static const char tail[] = "/api/v1/scheduler";
    size_t len = scheduler_url ? strlen(scheduler_url) : 0, tl = sizeof tail - 1;
    if (len < tl || strcmp(scheduler_url + len - tl, tail) != 0)
        return -1;
    int w = snprintf(out, n, "%.*s/api/v1", (int)(len - tl), scheduler_url);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* The value of the rack attribute of an agent, or NULL. */
static const char *agents_rack(const Mesos__V1__AgentInfo *info, const char *attr, char *num,
                               size_t n)
{
    for (size_t i = 0; i < info->n_attributes; i++)
        if (strcmp(info->attributes[i]->name, attr) == 0)
            return kmesos_pb_attribute_text(info->attributes[i], num, n);
    return NULL;
}

static int agents_learn(kmesos_topology *topo, const Mesos__V1__AgentInfo *info)
{
    char num[64];
    if (!info->id)
        return 0; /* an agent not yet given an id: nothing to key it by */
    return kmesos_topology_learn(topo, info->id->value, info->hostname,
                                 agents_rack(info, topo->rack_attribute, num, sizeof num));
}

static int agents_check(const Mesos__V1__Master__Response *r, char *err, size_t errlen)
{
    if (!r->has_type || r->type != MESOS__V1__MASTER__RESPONSE__TYPE__GET_AGENTS ||
        !r->get_agents) {
        snprintf(err, errlen, "the answer is not a GET_AGENTS response");
        return -1;
    }
    return 0;
}

int kmesos_agents_apply(kmesos_topology *topo, kmesos_content_type ct, const uint8_t *body,
                        size_t len, char *err, size_t errlen)
{
    Mesos__V1__Master__Response *r = (Mesos__V1__Master__Response *)kmesos_protocol_decode(
        &mesos__v1__master__response__descriptor, ct, body, len, err, errlen);
    if (!r)
        return -1;
    int rc = agents_check(r, err, errlen);
    const Mesos__V1__Master__Response__GetAgents *g = r->get_agents;
    if (rc == 0) {
        kmesos_topology_sweep_begin(topo);
        for (size_t i = 0; rc == 0 && i < g->n_agents; i++)
            rc = agents_learn(topo, g->agents[i]->agent_info);
        for (size_t i = 0; rc == 0 && i < g->n_recovered_agents; i++)
            rc = agents_learn(topo, g->recovered_agents[i]);
        if (rc == 0)
            kmesos_topology_sweep_end(topo); /* not on no memory: forget nothing */
        else
            snprintf(err, errlen, "out of memory");
    }
    kmesos_pb_free(r);
    return rc;
}

static void agents_failed(kmesos_agents *a, const char *why)
{
    a->stats.failed++;
    if (!a->warned)
        KLOG_WARN(MOD, "GET_AGENTS at %s: %s (racks are learned from offers only)", a->url, why);
    a->warned = 1;
}

static void agents_done(void *arg, const kmesos_transport_result *res)
{
    kmesos_agents *a = arg;
    char err[256];
    a->req = NULL;
    if (res->status != 200) {
        snprintf(err, sizeof err, "%ld %.*s", res->status, res->status ? 120 : 0, res->body);
        agents_failed(a, res->curl_code ? res->error : err);
        return;
    }
    if (kmesos_agents_apply(a->topo, a->cfg.content_type, (const uint8_t *)res->body,
                            res->body_len, err, sizeof err) != 0) {
        agents_failed(a, err);
        return;
    }
    a->stats.answered++;
    a->stats.agents_last = a->topo->n_agents;
    if (a->warned)
        KLOG_INFO(MOD, "GET_AGENTS answered again: %zu agent(s)", a->topo->n_agents);
    a->warned = 0;
}

static void agents_ask(kmesos_agents *a)
{
    if (!a->url[0] || a->closing || (a->cfg.may_send && !a->cfg.may_send(a->cfg.gate_arg)))
        return;
    if (a->req)
        kmesos_transport_cancel(a->req);
    a->req = NULL;
    Mesos__V1__Master__Call call = MESOS__V1__MASTER__CALL__INIT;
    call.has_type = 1;
    call.type = MESOS__V1__MASTER__CALL__TYPE__GET_AGENTS;
    kmesos_buf body;
    kmesos_buf_init(&body);
    char ct[96], accept[96];
    const char *name = kmesos_content_type_name(a->cfg.content_type);
    snprintf(ct, sizeof ct, "Content-Type: %s", name);
    snprintf(accept, sizeof accept, "Accept: %s", name);
    const char *headers[] = {ct, accept, NULL};
    if (kmesos_protocol_encode(&call.base, a->cfg.content_type, &body) == 0) {
        kmesos_transport_request r = {.url = a->url, .headers = headers, .body = body.data,
                                      .body_len = body.len, .user = a->principal,
                                      .secret = a->secret, .timeout_ms = AGENTS_TIMEOUT_MS};
        a->req = kmesos_transport_post(a->t, &r, agents_done, a);
        a->stats.asked++;
    }
    if (!a->req)
        agents_failed(a, "the request could not be started");
    kmesos_buf_free(&body);
}

static void agents_on_timer(uv_timer_t *h) { agents_ask(h->data); }

kmesos_agents *kmesos_agents_new(uv_loop_t *loop, kmesos_topology *topo,
                                 const kmesos_agents_config *cfg)
{
    kmesos_agents *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->loop = loop;
    a->topo = topo;
    a->cfg = *cfg;
    if (a->cfg.refresh_s <= 0 || a->cfg.refresh_s > 86400)
        a->cfg.refresh_s = 60;
    a->refresh_ms = (uint64_t)(a->cfg.refresh_s * 1000); /* in (0, 86400 s] */
    if (kmesos_str_set(&a->principal, cfg->principal) != 0 ||
        kmesos_str_set(&a->secret, cfg->secret) != 0 ||
        !(a->t = kmesos_transport_new(loop, NULL))) {
        free(a->principal);
        free(a->secret);
        free(a);
        return NULL;
    }
    uv_timer_init(loop, &a->timer);
    a->timer.data = a;
    return a;
}

void kmesos_agents_refresh(kmesos_agents *a, const char *scheduler_url)
{
    if (!a || kmesos_agents_operator_url(scheduler_url, a->url, sizeof a->url) != 0) {
        if (a)
            agents_failed(a, "the master's URL has no /api/v1/scheduler to derive it from");
        return;
    }
    agents_ask(a);
    uv_timer_start(&a->timer, agents_on_timer, a->refresh_ms, a->refresh_ms);
}

void kmesos_agents_poke(kmesos_agents *a)
{
    if (!a || !a->url[0] || a->closing)
        return;
    if (uv_timer_get_due_in(&a->timer) > AGENTS_POKE_MS)
        uv_timer_start(&a->timer, agents_on_timer, AGENTS_POKE_MS, a->refresh_ms);
}

const kmesos_agents_stats *kmesos_agents_stats_get(const kmesos_agents *a)
{
    return &a->stats;
}

static void agents_transport_closed(void *arg)
{
    kmesos_agents *a = arg;
    void (*done)(void *) = a->on_closed;
    void *darg = a->closed_arg;
    free(a->principal);
    free(a->secret);
    free(a);
    if (done)
        done(darg);
}

static void agents_timer_closed(uv_handle_t *h)
{
    kmesos_agents *a = h->data;
    kmesos_transport_close(a->t, agents_transport_closed, a);
}

void kmesos_agents_close(kmesos_agents *a, void (*done)(void *arg), void *arg)
{
    if (!a) {
        if (done)
            done(arg);
        return;
    }
    a->closing = 1;
    a->on_closed = done;
    a->closed_arg = arg;
    if (a->req)
        kmesos_transport_cancel(a->req);
    a->req = NULL;
    uv_close((uv_handle_t *)&a->timer, agents_timer_closed);
}
