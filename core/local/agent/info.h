/* info: an agent's AgentInfo (id, hostname, port, resources, attributes)
 * as the executor API's SUBSCRIBED and the master's operator API
 * (GET_AGENTS) both carry it. */
#ifndef KLOCAL_INFO_H
#define KLOCAL_INFO_H
#include "local/attrs.h"
#include "local/res.h"
#include "mesos/v1/mesos.pb-c.h"

/* A heap-built AgentInfo (free with kmesos_pb_free); aborts on no memory,
 * as everything in kmesos-local does. */
Mesos__V1__AgentInfo *klocal_info_agent(const char *id, const char *hostname, int port,
                                        const klocal_res *res, const klocal_attrs *attrs);

#endif
