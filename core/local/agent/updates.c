/* updates: the status update manager of a simulated agent, which makes
 * delivery to the scheduler reliable the way Mesos' does. Each
 * (framework, task) has a stream: a FIFO of owned TaskStatus messages and
 * a retry timer. Only the head is in flight; it goes to the master through
 * the send callback and again after a doubling interval (from the
 * configured first retry, capped at UPDATES_MAX_RETRY) until an
 * acknowledgement carries its uuid, then the next one goes out. When the
 * acknowledged update was terminal the stream ends and the done callback
 * tells the agent the task is gone. Streams are unlinked at once when
 * they end and freed when their timer handle has closed. It also fills
 * the container status the agent adds to its executors' updates. */
#include "local/agent/updates.h"
#include "codec/num.h"
#include "codec/protocol.h"

#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/pb.h"
#include "local/util.h"

#define UPDATES_MAX_RETRY 600.0

typedef struct updates_stream {
    struct updates_stream *next;
    klocal_updates *owner;
    char *fw_id;
    char *task_id;
    Mesos__V1__TaskStatus **queue;
    size_t n;
    double interval;
    uv_timer_t timer;
} updates_stream;

struct klocal_updates {
    uv_loop_t *loop;
    double first_retry;
    klocal_updates_send_cb send;
    klocal_updates_done_cb done;
    void *arg;
    updates_stream *streams;
    uint64_t resent;  /* sends by the retry timer */
};

klocal_updates *klocal_updates_new(uv_loop_t *loop, double first_retry,
                                   klocal_updates_send_cb send, klocal_updates_done_cb done,
                                   void *arg)
{
    klocal_updates *u = klocal_util_xcalloc(1, sizeof *u);
    u->loop = loop;
    u->first_retry = first_retry;
    u->send = send;
    u->done = done;
    u->arg = arg;
    return u;
}

static void updates_stream_closed(uv_handle_t *h)
{
    updates_stream *s = h->data;
    for (size_t i = 0; i < s->n; i++)
        kmesos_pb_free(s->queue[i]);
    free(s->queue);
    free(s->fw_id);
    free(s->task_id);
    free(s);
}

static void updates_stream_unlink(klocal_updates *u, updates_stream *s)
{
    for (updates_stream **pp = &u->streams; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, updates_stream_closed);
}

static void updates_send_head(updates_stream *s);

static void updates_on_retry(uv_timer_t *t)
{
    updates_stream *s = t->data;
    s->interval *= 2;
    if (s->interval > UPDATES_MAX_RETRY)
        s->interval = UPDATES_MAX_RETRY;
    KLOG_DEBUG("updates", "resending %s of task %s",
               s->n ? "update" : "nothing", s->task_id);
    if (s->n)
        s->owner->resent++;
    updates_send_head(s);
}

static void updates_send_head(updates_stream *s)
{
    if (!s->n)
        return;
    klocal_updates *u = s->owner;
    uv_timer_start(&s->timer, updates_on_retry, kmesos_num_ms(s->interval), 0);
    u->send(u->arg, s->fw_id, s->queue[0]);
}

static updates_stream *updates_find(klocal_updates *u, const char *fw_id, const char *task_id)
{
    for (updates_stream *s = u->streams; s; s = s->next)
        if (strcmp(s->fw_id, fw_id) == 0 && strcmp(s->task_id, task_id) == 0)
            return s;
    return NULL;
}

void klocal_updates_add(klocal_updates *u, const char *fw_id, Mesos__V1__TaskStatus *st)
{
    updates_stream *s = updates_find(u, fw_id, st->task_id->value);
    if (!s) {
        s = klocal_util_xcalloc(1, sizeof *s);
        s->owner = u;
        s->fw_id = klocal_util_xstrdup(fw_id);
        s->task_id = klocal_util_xstrdup(st->task_id->value);
        s->interval = u->first_retry;
        uv_timer_init(u->loop, &s->timer);
        s->timer.data = s;
        s->next = u->streams;
        u->streams = s;
    }
    s->queue = klocal_util_xrealloc(s->queue, (s->n + 1) * sizeof *s->queue);
    s->queue[s->n++] = st;
    if (s->n == 1)
        updates_send_head(s);
}

int klocal_updates_ack(klocal_updates *u, const char *fw_id, const char *task_id,
                       const uint8_t *uuid, size_t len)
{
    updates_stream *s = updates_find(u, fw_id, task_id);
    if (!s || !s->n)
        return 0;
    Mesos__V1__TaskStatus *head = s->queue[0];
    if (!head->has_uuid || head->uuid.len != len || memcmp(head->uuid.data, uuid, len) != 0)
        return 0;
    int terminal = kmesos_task_state_is_terminal(head->state);
    kmesos_pb_free(head);
    memmove(&s->queue[0], &s->queue[1], (s->n - 1) * sizeof *s->queue);
    s->n--;
    s->interval = u->first_retry;
    uv_timer_stop(&s->timer);
    if (s->n) {
        updates_send_head(s);
        return 1;
    }
    char *fw = klocal_util_xstrdup(fw_id), *task = klocal_util_xstrdup(task_id);
    if (terminal)
        updates_stream_unlink(u, s);
    if (terminal && u->done)
        u->done(u->arg, fw, task);
    free(fw);
    free(task);
    return 1;
}

void klocal_updates_resend(klocal_updates *u, const char *fw_id)
{
    for (updates_stream *s = u->streams; s; s = s->next)
        if (s->n && (!fw_id || strcmp(s->fw_id, fw_id) == 0)) {
            s->interval = u->first_retry;
            updates_send_head(s);
        }
}

void klocal_updates_drop(klocal_updates *u, const char *fw_id)
{
    updates_stream *s = u->streams;
    while (s) {
        updates_stream *next = s->next;
        if (!fw_id || strcmp(s->fw_id, fw_id) == 0)
            updates_stream_unlink(u, s);
        s = next;
    }
}

void klocal_updates_container_status(Mesos__V1__TaskStatus *st, const char *container_id,
                                     int executor_pid, const char *ip)
{
    if (!st->container_status)
        st->container_status = klocal_util_pb_new(&mesos__v1__container_status__descriptor);
    Mesos__V1__ContainerStatus *cs = st->container_status;
    if (!cs->container_id)
        cs->container_id = KLOCAL_ID(ContainerID, container_id, container_id);
    if (executor_pid > 0 && !cs->has_executor_pid) {
        cs->has_executor_pid = 1;
        cs->executor_pid = (uint32_t)executor_pid;
    }
    if (cs->n_network_infos)
        return;
    Mesos__V1__NetworkInfo *ni = klocal_util_pb_new(&mesos__v1__network_info__descriptor);
    Mesos__V1__NetworkInfo__IPAddress *addr =
        klocal_util_pb_new(&mesos__v1__network_info__ipaddress__descriptor);
    addr->ip_address = klocal_util_xstrdup(ip);
    if (kmesos_pb_push((void ***)&ni->ip_addresses, &ni->n_ip_addresses, addr) ||
        kmesos_pb_push((void ***)&cs->network_infos, &cs->n_network_infos, ni))
        klocal_util_must(NULL);
}

size_t klocal_updates_pending(const klocal_updates *u)
{
    size_t n = 0;
    for (const updates_stream *s = u->streams; s; s = s->next)
        n += s->n;
    return n;
}

void klocal_updates_free(klocal_updates *u)
{
    if (!u)
        return;
    klocal_updates_drop(u, NULL);
    free(u);
}

uint64_t klocal_updates_resent(const klocal_updates *u) { return u->resent; }
