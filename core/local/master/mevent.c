/* mevent: the scheduler events the master makes. Each builder fills a
 * mesos.v1.scheduler.Event with klocal_util's aborting protobuf helpers,
 * hands it to wire.c, which frames it as one RecordIO record in the
 * content type the framework subscribed with, and frees it. Events go
 * only to a connected framework: while a framework is away (failover)
 * they are dropped, and the agents' status update managers resend what
 * matters once it is back. Updates the master makes itself (reconciliation,
 * invalid launches, agent loss) say SOURCE_MASTER and carry no uuid, so
 * the scheduler does not acknowledge them. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "local/master/internal.h"
#include "local/util.h"
#include "local/wire.h"

void klocal_mevent_send(klocal_fw *fw, const ProtobufCMessage *event)
{
    if (fw->stream && fw->connected)
        klocal_wire_send(fw->stream, event, fw->ct);
}

void klocal_mevent_update(klocal_fw *fw, Mesos__V1__TaskStatus *st)
{
    KLOCAL_SCHED_EVENT(ev, UPDATE);
    ev->update = klocal_util_pb_new(&mesos__v1__scheduler__event__update__descriptor);
    ev->update->status = st;
    klocal_mevent_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

Mesos__V1__TaskStatus *klocal_mevent_new_status(const char *task_id, const char *agent_id,
                                                int state, int reason, const char *message)
{
    Mesos__V1__TaskStatus *st = klocal_util_pb_new(&mesos__v1__task_status__descriptor);
    st->task_id = KLOCAL_ID(TaskID, task_id, task_id);
    st->state = state;
    st->message = message ? klocal_util_xstrdup(message) : NULL;
    st->has_source = 1;
    st->source = MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER;
    if (reason >= 0) {
        st->has_reason = 1;
        st->reason = reason;
    }
    if (agent_id)
        st->agent_id = KLOCAL_ID(AgentID, agent_id, agent_id);
    st->has_timestamp = 1;
    st->timestamp = klocal_util_now();
    return st;
}

void klocal_mevent_status(klocal_fw *fw, const char *task_id, const char *agent_id, int state,
                          int reason, const char *message)
{
    klocal_mevent_update(fw, klocal_mevent_new_status(task_id, agent_id, state, reason, message));
}

void klocal_mevent_error(kmesos_httpd_stream *s, kmesos_content_type ct, const char *msg)
{
    KLOCAL_SCHED_EVENT(ev, ERROR);
    ev->error = klocal_util_pb_new(&mesos__v1__scheduler__event__error__descriptor);
    ev->error->message = klocal_util_xstrdup(msg);
    klocal_wire_send(s, &ev->base, ct);
    kmesos_pb_free(ev);
}

void klocal_mevent_failure(klocal_fw *fw, const char *agent_id, const char *exec_id, int status)
{
    KLOCAL_SCHED_EVENT(ev, FAILURE);
    ev->failure = klocal_util_pb_new(&mesos__v1__scheduler__event__failure__descriptor);
    ev->failure->agent_id = KLOCAL_ID(AgentID, agent_id, agent_id);
    if (exec_id) {
        ev->failure->executor_id = KLOCAL_ID(ExecutorID, executor_id, exec_id);
        ev->failure->has_status = 1;
        ev->failure->status = status;
    }
    klocal_mevent_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

void klocal_mevent_message(klocal_fw *fw, const char *agent_id, const char *exec_id,
                           const uint8_t *data, size_t len)
{
    KLOCAL_SCHED_EVENT(ev, MESSAGE);
    ev->message = klocal_util_pb_new(&mesos__v1__scheduler__event__message__descriptor);
    ev->message->agent_id = KLOCAL_ID(AgentID, agent_id, agent_id);
    ev->message->executor_id = KLOCAL_ID(ExecutorID, executor_id, exec_id);
    ev->message->data = klocal_util_pb_bytes(data, len);
    klocal_mevent_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

void klocal_mevent_heartbeat(klocal_fw *fw)
{
    KLOCAL_SCHED_EVENT(ev, HEARTBEAT);
    klocal_mevent_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

Mesos__V1__MasterInfo *klocal_mevent_master_info(const klocal_master *m, const char *id,
                                                 int port, const char *pid)
{
    Mesos__V1__MasterInfo *mi = klocal_util_pb_new(&mesos__v1__master_info__descriptor);
    mi->id = klocal_util_xstrdup(id);
    struct in_addr addr;
    mi->ip = inet_pton(AF_INET, m->ip, &addr) == 1 ? addr.s_addr : 0;
    mi->port = (uint32_t)port;
    mi->pid = klocal_util_xstrdup(pid);
    mi->hostname = klocal_util_xstrdup(m->hostname);
    mi->version = klocal_util_xstrdup("1.12.0");
    mi->address = klocal_util_pb_new(&mesos__v1__address__descriptor);
    mi->address->hostname = klocal_util_xstrdup(m->hostname);
    mi->address->ip = klocal_util_xstrdup(m->ip);
    mi->address->port = port;
    static const int caps[] = {MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__AGENT_UPDATE,
                               MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__AGENT_DRAINING,
                               MESOS__V1__MASTER_INFO__CAPABILITY__TYPE__QUOTA_V2};
    mi->n_capabilities = 3;
    mi->capabilities = klocal_util_xcalloc(3, sizeof *mi->capabilities);
    for (size_t i = 0; i < 3; i++) {
        mi->capabilities[i] = klocal_util_pb_new(&mesos__v1__master_info__capability__descriptor);
        mi->capabilities[i]->has_type = 1;
        mi->capabilities[i]->type = caps[i];
    }
    return mi;
}

void klocal_mevent_subscribed(klocal_fw *fw)
{
    KLOCAL_SCHED_EVENT(ev, SUBSCRIBED);
    Mesos__V1__Scheduler__Event__Subscribed *s =
        klocal_util_pb_new(&mesos__v1__scheduler__event__subscribed__descriptor);
    ev->subscribed = s;
    s->framework_id = KLOCAL_ID(FrameworkID, framework_id, fw->id);
    s->has_heartbeat_interval_seconds = 1;
    s->heartbeat_interval_seconds = fw->m->cfg->heartbeat_interval;
    s->master_info = klocal_mevent_master_info(fw->m, fw->m->id, fw->m->port, fw->m->pid);
    klocal_mevent_send(fw, &ev->base);
    kmesos_pb_free(ev);
}
