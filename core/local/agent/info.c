/* info: builds an AgentInfo from an agent's identity. The resources carry
 * no role (an agent's total is unreserved "*" here) and the attributes keep
 * their configured order, as a real agent reports them. It sits below both
 * aexec.c and the master so neither has to call the other for it. */
#include "local/agent/info.h"

#include "local/util.h"

Mesos__V1__AgentInfo *klocal_info_agent(const char *id, const char *hostname, int port,
                                        const klocal_res *res, const klocal_attrs *attrs)
{
    Mesos__V1__AgentInfo *i = klocal_util_pb_new(&mesos__v1__agent_info__descriptor);
    i->hostname = klocal_util_xstrdup(hostname);
    i->has_port = 1;
    i->port = port;
    i->resources = klocal_res_to_pb(res, 0, &i->n_resources);
    i->attributes = klocal_attrs_to_pb(attrs, &i->n_attributes);
    i->id = KLOCAL_ID(AgentID, agent_id, id);
    return i;
}
