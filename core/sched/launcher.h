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

#define KMESOS_PORTS_CLAIMED_MAX 32

typedef struct kmesos_port_cursor {
    size_t range;   /* index into offer->ports */
    uint64_t next;  /* next free port in that range */
    /* ports asked for by number (anywhere in the offer): skipped by
     * take and refused by claim */
    uint64_t claimed[KMESOS_PORTS_CLAIMED_MAX];
    size_t n_claimed;
} kmesos_port_cursor;

void kmesos_port_cursor_init(kmesos_port_cursor *c, const kmesos_offer *o);
/* The next free port of the offer (0: none left). */
uint64_t kmesos_port_take(kmesos_port_cursor *c, const kmesos_offer *o);
/* 1 when port is in the offer's ranges and not taken yet. */
int kmesos_port_free(const kmesos_port_cursor *c, const kmesos_offer *o, uint64_t port);
/* Takes a given port. 0, or -1 when it is not free. */
int kmesos_port_claim(kmesos_port_cursor *c, const kmesos_offer *o, uint64_t port);
/* A "ports" resource of the given ports in the offer's role. NULL on no
 * memory. */
Mesos__V1__Resource *kmesos_launcher_ports_resource(const uint64_t *ports, size_t n,
                                                    const kmesos_offer *o);
/* A TaskInfo with name, task id, agent id and the workload's cpus, mem
 * and disk; no command. NULL on no memory. */
Mesos__V1__TaskInfo *kmesos_launcher_base(const kmesos_task *task, const kmesos_offer *offer);
/* The executor's share of the workload (exec_cpus, exec_mem) as e's
 * resources, in the offer's role. 0 or -1. */
int kmesos_launcher_executor_resources(Mesos__V1__ExecutorInfo *e, const kmesos_workload *w,
                                       const kmesos_offer *o);
/* Sets allocation_info on every resource of ti and of its executor
 * (MULTI_ROLE). 0 or -1. */
int kmesos_launcher_finish(Mesos__V1__TaskInfo *ti, const kmesos_offer *o);
/* The TaskInfo for task on offer, or NULL (no memory or no ports left).
 * Free with kmesos_pb_free. */
Mesos__V1__TaskInfo *kmesos_launcher_task_info(const kmesos_task *task,
                                               const kmesos_offer *offer,
                                               kmesos_port_cursor *ports);

#endif
