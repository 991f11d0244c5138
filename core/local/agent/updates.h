/* updates: the agent's status update manager. Updates of one task form a
 * stream: only the oldest unacknowledged update is sent, it is resent
 * with a doubling interval (first interval configurable, capped at 10
 * minutes) until the scheduler acknowledges its uuid, then the next one
 * goes. When the acknowledged update was terminal the task is done. */
#ifndef KLOCAL_UPDATES_H
#define KLOCAL_UPDATES_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "mesos/v1/mesos.pb-c.h"

typedef struct klocal_updates klocal_updates;

/* Hands an update to the master (the status stays owned by the manager). */
typedef void (*klocal_updates_send_cb)(void *arg, const char *fw_id,
                                       const Mesos__V1__TaskStatus *st);
/* A terminal update of the task was acknowledged. */
typedef void (*klocal_updates_done_cb)(void *arg, const char *fw_id, const char *task_id);

klocal_updates *klocal_updates_new(uv_loop_t *loop, double first_retry,
                                   klocal_updates_send_cb send,
                                   klocal_updates_done_cb done, void *arg);
/* Queues st (ownership taken; it must carry a uuid). */
void klocal_updates_add(klocal_updates *u, const char *fw_id, Mesos__V1__TaskStatus *st);
/* 1 when uuid was the pending update of that task, else 0. */
int klocal_updates_ack(klocal_updates *u, const char *fw_id, const char *task_id,
                       const uint8_t *uuid, size_t len);
/* Sends the pending update of every task of fw_id (NULL: all) now. */
void klocal_updates_resend(klocal_updates *u, const char *fw_id);
/* Forgets the updates of a framework (NULL: of all frameworks). */
void klocal_updates_drop(klocal_updates *u, const char *fw_id);
/* Updates resent by the retry timer so far. */
uint64_t klocal_updates_resent(const klocal_updates *u);
/* Slave::_statusUpdate's container status of a task that reached its
 * executor: container_id, executor_pid (when > 0) and, when it names no
 * network, the agent's IPv4 address (protocol left at its IPv4 default),
 * merged into what st already has. */
void klocal_updates_container_status(Mesos__V1__TaskStatus *st, const char *container_id,
                                     int executor_pid, const char *ip);
/* Number of unacknowledged updates (all tasks). */
size_t klocal_updates_pending(const klocal_updates *u);
void klocal_updates_free(klocal_updates *u);

#endif
