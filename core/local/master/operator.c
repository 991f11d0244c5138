/* operator: the master's operator API, POST /api/v1 (also under the
 * /master prefix), answered as Master::Http::api in Mesos 1.12 does it:
 * redirect when not leading (master.c), then 405 for a method other than
 * POST, 400/415 for a missing or unknown Content-Type and a body that does
 * not parse, 400 "Failed to validate master::Call: ..." for a call without
 * a type, 406 when Accept allows neither JSON nor protobuf (JSON is
 * preferred), and a 200 with a master::Response in the accepted type.
 * GET_AGENTS lists every registered agent (removed and unreachable ones,
 * and those a restarted master has not heard from yet, are not listed; an
 * agent that is down for a restart is listed as not active) with its
 * AgentInfo, pid, registration time and total, allocated and offered
 * resources. Calls we do not serve answer 501 Not Implemented. */
#include <math.h>
#include <stdint.h>

#include "local/agent/info.h"
#include "local/master/internal.h"
#include "local/util.h"
#include "local/wire.h"
#include "mesos/v1/master/master.pb-c.h"

/* Epoch seconds as a TimeInfo; NULL when out of int64 nanoseconds. */
static Mesos__V1__TimeInfo *operator_time(double seconds)
{
    double ns = seconds * 1e9;
    if (!isfinite(ns) || ns < 0 || ns >= 9.2e18)
        return NULL;
    Mesos__V1__TimeInfo *t = klocal_util_pb_new(&mesos__v1__time_info__descriptor);
    t->nanoseconds = (int64_t)ns;
    return t;
}

static Mesos__V1__Master__Response__GetAgents__Agent *operator_agent(const klocal_magent *ma)
{
    const klocal_agent *a = ma->agent;
    Mesos__V1__Master__Response__GetAgents__Agent *ag =
        klocal_util_pb_new(&mesos__v1__master__response__get_agents__agent__descriptor);
    ag->agent_info = klocal_info_agent(klocal_agent_id(a), klocal_agent_hostname(a),
                                       klocal_agent_port(a), klocal_agent_resources(a),
                                       klocal_agent_attributes(a));
    ag->active = !ma->down;
    ag->has_deactivated = 1;
    ag->deactivated = 0;
    ag->version = klocal_util_xstrdup("1.12.0");
    ag->pid = klocal_util_xstrdup(klocal_agent_pid(a));
    ag->registered_time = operator_time(ma->registered_time);
    ag->total_resources = klocal_res_to_pb(klocal_agent_resources(a), 0, &ag->n_total_resources);
    ag->allocated_resources = klocal_res_to_pb(&ma->used, 0, &ag->n_allocated_resources);
    ag->offered_resources = klocal_res_to_pb(&ma->offered, 0, &ag->n_offered_resources);
    return ag;
}

static Mesos__V1__Master__Response *operator_get_agents(const klocal_master *m)
{
    Mesos__V1__Master__Response *r = klocal_util_pb_new(&mesos__v1__master__response__descriptor);
    r->has_type = 1;
    r->type = MESOS__V1__MASTER__RESPONSE__TYPE__GET_AGENTS;
    r->get_agents = klocal_util_pb_new(&mesos__v1__master__response__get_agents__descriptor);
    Mesos__V1__Master__Response__GetAgents *g = r->get_agents;
    for (size_t i = 0; i < m->nagents; i++)
        if (!m->agents[i]->removed && !m->agents[i]->unreachable && !m->agents[i]->unknown &&
            kmesos_pb_push((void ***)&g->agents, &g->n_agents, operator_agent(m->agents[i])))
            klocal_util_must(NULL);
    return r;
}

static void operator_reply(kmesos_httpd_req *req, const ProtobufCMessage *m,
                           kmesos_content_type ct)
{
    kmesos_buf body;
    kmesos_buf_init(&body);
    if (kmesos_protocol_encode(m, ct, &body) != 0)
        kmesos_httpd_reply_text(req, 500, "Failed to encode the response", NULL);
    else
        kmesos_httpd_reply(req, 200, kmesos_content_type_name(ct), body.data, body.len, NULL);
    kmesos_buf_free(&body);
}

void klocal_operator_handle(klocal_master *m, kmesos_httpd_req *req)
{
    kmesos_content_type ct, accept;
    Mesos__V1__Master__Call *c = (Mesos__V1__Master__Call *)klocal_wire_decode(
        req, &mesos__v1__master__call__descriptor, &ct);
    if (!c)
        return;
    if (!c->has_type)
        klocal_wire_invalid(req, "master::Call", "Expecting 'type' to be present");
    else if (klocal_wire_accept(req, &accept) != 0)
        ; /* answered 406 */
    else if (c->type == MESOS__V1__MASTER__CALL__TYPE__GET_AGENTS) {
        Mesos__V1__Master__Response *r = operator_get_agents(m);
        operator_reply(req, &r->base, accept);
        kmesos_pb_free(r);
    } else {
        kmesos_httpd_reply(req, 501, NULL, NULL, 0, NULL);
    }
    kmesos_pb_free(c);
}
