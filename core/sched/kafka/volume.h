/* volume: a broker's dynamic reservation and persistent volume (docs/kafka.md,
 * "Reserved resources and persistent volumes"): what was reserved where, its
 * state-file form, and the protobuf pieces that ask for it: the resources
 * of RESERVE/UNRESERVE, the volume of CREATE/DESTROY, and the reserved
 * resources a TaskInfo runs on. No Kafka knowledge here: reserve.h decides
 * when each is sent. */
#ifndef KMESOS_KAFKA_VOLUME_H
#define KMESOS_KAFKA_VOLUME_H
#include <stddef.h>

#include <jansson.h>

#include "mesos/v1/mesos.pb-c.h"
#include "sched/offers.h"

/* The volume's folder inside the task's sandbox (relative container_path). */
#define KMESOS_KVOL_PATH "kafka-data"

typedef struct kmesos_kvol {
    char *agent_id;       /* where it is; NULL: nothing reserved */
    char *persistence_id; /* kafka-broker-<id>-<uuid> */
    char *role, *principal; /* principal "" when the framework has none */
    double cpus, mem, disk; /* reserved (disk: the volume's size, MB) */
    char *error;          /* the master refused an operation: its message */
    int sent;             /* RESERVE and CREATE sent (0: still to send) */
} kmesos_kvol;

void kmesos_kvol_clear(kmesos_kvol *v);
/* Moves src into dst (src is left empty). */
void kmesos_kvol_move(kmesos_kvol *dst, kmesos_kvol *src);
/* Sets v for a new reservation of broker id on agent_id. 0 or -1. */
int kmesos_kvol_plan(kmesos_kvol *v, int id, const char *agent_id, const char *role,
                     const char *principal, double cpus, double mem, double disk);
/* 1 when offer o is on v's agent and carries its reserved cpus, mem and
 * its volume. */
int kmesos_kvol_offered(const kmesos_kvol *v, const kmesos_offer *o);

/* The state file's object of v; NULL when nothing is reserved (or no
 * memory). */
json_t *kmesos_kvol_json(const kmesos_kvol *v);
/* The inverse (j NULL or null: nothing). 0, or -1 with err. */
int kmesos_kvol_from_json(json_t *j, kmesos_kvol *v, char *err, size_t errlen);

/* The offer operation of type (RESERVE, CREATE, DESTROY, UNRESERVE) on v,
 * with id op_id, on offer o. NULL on no memory. */
Mesos__V1__Offer__Operation *kmesos_kvol_operation(const kmesos_kvol *v, int type,
                                                   const char *op_id, const kmesos_offer *o);
/* Makes the TaskInfo's cpus and mem the reserved ones (v's amounts: a
 * later change of the broker's settings does not apply to them) and adds
 * the volume. 0 or -1. */
int kmesos_kvol_task_resources(const kmesos_kvol *v, Mesos__V1__TaskInfo *ti);

#endif
