/* launcher: turns an accepted (offer, task) pair into a TaskInfo: the
 * task's cpus/mem/disk in the offer's role, the first free ports of the
 * offer's ranges, and a CommandInfo whose environment tells the process
 * who it is (KMESOS_TASK_ID, KMESOS_WORKLOAD, KMESOS_INSTANCE, HOST,
 * PORT0..PORTn, PORTS). Several tasks may share one offer: the port
 * cursor remembers which ports earlier tasks took. */
#ifndef KMESOS_LAUNCHER_H
#define KMESOS_LAUNCHER_H
#include <stdint.h>

#include "mesos/v1/mesos.pb-c.h"
#include "sched/offers.h"
#include "sched/tasks.h"

typedef struct kmesos_port_cursor {
    size_t range;   /* index into offer->ports */
    uint64_t next;  /* next free port in that range */
} kmesos_port_cursor;

void kmesos_port_cursor_init(kmesos_port_cursor *c, const kmesos_offer *o);
/* The TaskInfo for task on offer, or NULL (no memory or no ports left).
 * Free with kmesos_pb_free. */
Mesos__V1__TaskInfo *kmesos_launcher_task_info(const kmesos_task *task,
                                               const kmesos_offer *offer,
                                               kmesos_port_cursor *ports);

#endif
