/* exec_updates: the status updates sent but not yet ACKNOWLEDGED by the
 * agent, in the order they were made, each with its resend schedule. */
#ifndef KMESOS_EXEC_UPDATES_H
#define KMESOS_EXEC_UPDATES_H
#include <stddef.h>
#include <stdint.h>
#include "mesos/v1/mesos.pb-c.h"

#define KMESOS_EXEC_RESEND_FIRST_MS 10000
#define KMESOS_EXEC_RESEND_MAX_MS 60000

typedef struct kmesos_exec_update {
    Mesos__V1__TaskStatus *status; /* owned copy; status->uuid is the key */
    int64_t next_ms;               /* monotonic time of the next resend */
    int64_t interval_ms;
    struct kmesos_exec_update *next;
} kmesos_exec_update;

typedef struct kmesos_exec_updates {
    kmesos_exec_update *head, *tail;
    size_t count;
    int64_t first_ms, max_ms; /* resend interval: first, doubling up to max */
} kmesos_exec_updates;

/* Called for each update due for a resend. */
typedef void (*kmesos_exec_updates_fn)(void *arg, const Mesos__V1__TaskStatus *status);

void kmesos_exec_updates_init(kmesos_exec_updates *u, int64_t first_ms, int64_t max_ms);
void kmesos_exec_updates_free(kmesos_exec_updates *u);
/* Keeps a copy of status (which must carry a uuid), first resend at
 * now + first interval. Returns the kept copy, or NULL (no memory). */
const Mesos__V1__TaskStatus *kmesos_exec_updates_add(kmesos_exec_updates *u,
                                                     const Mesos__V1__TaskStatus *status,
                                                     int64_t now_ms);
/* Forgets the update with this uuid. 1 when it was there (its state in
 * *state if non-NULL), 0 when unknown. */
int kmesos_exec_updates_ack(kmesos_exec_updates *u, const uint8_t *uuid, size_t len,
                            Mesos__V1__TaskState *state);
/* Calls fn for each update whose time came, in order, and pushes its next
 * resend out by its interval, which then doubles up to the cap. Returns
 * how many were due. */
size_t kmesos_exec_updates_resend_due(kmesos_exec_updates *u, int64_t now_ms,
                                      kmesos_exec_updates_fn fn, void *arg);
/* Restarts every schedule at now + first interval (after a re-subscribe
 * that handed them all to the agent). */
void kmesos_exec_updates_restart(kmesos_exec_updates *u, int64_t now_ms);
/* Number of unacknowledged updates of this task. */
size_t kmesos_exec_updates_of_task(const kmesos_exec_updates *u, const char *task_id);

#endif
