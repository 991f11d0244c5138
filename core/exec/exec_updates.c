/* exec_updates: bookkeeping of unacknowledged status updates. Every
 * UPDATE the executor makes is kept here (an owned TaskStatus copy, uuid
 * included) until the agent's ACKNOWLEDGED event names its uuid; until
 * then it is resent on a schedule that starts at 10 s and doubles up to
 * 60 s, and it goes into Subscribe.unacknowledged_updates when the
 * executor re-subscribes. A singly linked list in creation order: an
 * executor has a handful of tasks, so linear scans are fine. */
#include "exec/exec_updates.h"

#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "codec/uuid.h"

void kmesos_exec_updates_init(kmesos_exec_updates *u, int64_t first_ms, int64_t max_ms)
{
    memset(u, 0, sizeof *u);
    u->first_ms = first_ms > 0 ? first_ms : KMESOS_EXEC_RESEND_FIRST_MS;
    u->max_ms = max_ms >= u->first_ms ? max_ms : u->first_ms;
}

static void exec_update_free(kmesos_exec_update *e)
{
    protobuf_c_message_free_unpacked(&e->status->base, NULL);
    free(e);
}

void kmesos_exec_updates_free(kmesos_exec_updates *u)
{
    kmesos_exec_update *e = u->head;
    while (e) {
        kmesos_exec_update *next = e->next;
        exec_update_free(e);
        e = next;
    }
    u->head = u->tail = NULL;
    u->count = 0;
}

const Mesos__V1__TaskStatus *kmesos_exec_updates_add(kmesos_exec_updates *u,
                                                     const Mesos__V1__TaskStatus *status,
                                                     int64_t now_ms)
{
    if (!status->has_uuid || status->uuid.len == 0)
        return NULL;
    kmesos_exec_update *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->status = (Mesos__V1__TaskStatus *)kmesos_pb_dup(&status->base);
    if (!e->status) {
        free(e);
        return NULL;
    }
    e->interval_ms = u->first_ms;
    e->next_ms = now_ms + e->interval_ms;
    if (u->tail)
        u->tail->next = e;
    else
        u->head = e;
    u->tail = e;
    u->count++;
    return e->status;
}

static int exec_update_matches(const kmesos_exec_update *e, const uint8_t *uuid, size_t len)
{
    return e->status->uuid.len == len && memcmp(e->status->uuid.data, uuid, len) == 0;
}

int kmesos_exec_updates_ack(kmesos_exec_updates *u, const uint8_t *uuid, size_t len,
                            Mesos__V1__TaskState *state)
{
    kmesos_exec_update *prev = NULL;
    for (kmesos_exec_update *e = u->head; e; prev = e, e = e->next) {
        if (!exec_update_matches(e, uuid, len))
            continue;
        if (prev)
            prev->next = e->next;
        else
            u->head = e->next;
        if (u->tail == e)
            u->tail = prev;
        u->count--;
        if (state)
            *state = e->status->state;
        exec_update_free(e);
        return 1;
    }
    return 0;
}

size_t kmesos_exec_updates_resend_due(kmesos_exec_updates *u, int64_t now_ms,
                                      kmesos_exec_updates_fn fn, void *arg)
{
    size_t due = 0;
    for (kmesos_exec_update *e = u->head; e; e = e->next) {
        if (e->next_ms > now_ms)
            continue;
        due++;
        e->interval_ms = e->interval_ms * 2 > u->max_ms ? u->max_ms : e->interval_ms * 2;
        e->next_ms = now_ms + e->interval_ms;
        fn(arg, e->status);
    }
    return due;
}

void kmesos_exec_updates_restart(kmesos_exec_updates *u, int64_t now_ms)
{
    for (kmesos_exec_update *e = u->head; e; e = e->next) {
        e->interval_ms = u->first_ms;
        e->next_ms = now_ms + e->interval_ms;
    }
}

size_t kmesos_exec_updates_of_task(const kmesos_exec_updates *u, const char *task_id)
{
    size_t n = 0;
    for (const kmesos_exec_update *e = u->head; e; e = e->next)
        if (strcmp(e->status->task_id->value, task_id) == 0)
            n++;
    return n;
}
