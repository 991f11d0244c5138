/* volume: a broker's reservation and persistent volume as data.
 *
 * The resources are written in the pre-refinement format the master
 * offers them in to a framework without RESERVATION_REFINEMENT (Mesos
 * 1.12 Master::offer downgrades them): `role` set to the framework's role
 * and `reservation` holding the principal; the volume adds
 * `disk.persistence` (id, principal) and a relative, read-write
 * `disk.volume.container_path`. allocation_info is set by the offer's
 * role when the offer had one (MULTI_ROLE). An operation carries an id so
 * that the master reports its outcome (UPDATE_OPERATION_STATUS). */
#include "sched/kafka/volume.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "codec/str.h"
#include "codec/uuid.h"

#define OPT(t) MESOS__V1__OFFER__OPERATION__TYPE__##t

void kmesos_kvol_clear(kmesos_kvol *v)
{
    free(v->agent_id);
    free(v->persistence_id);
    free(v->role);
    free(v->principal);
    free(v->error);
    memset(v, 0, sizeof *v);
}

void kmesos_kvol_move(kmesos_kvol *dst, kmesos_kvol *src)
{
    *dst = *src;
    memset(src, 0, sizeof *src);
}

int kmesos_kvol_plan(kmesos_kvol *v, int id, const char *agent_id, const char *role,
                     const char *principal, double cpus, double mem, double disk)
{
    uint8_t u[KMESOS_UUID_LEN];
    char text[KMESOS_UUID_TEXT], pid[96];
    if (kmesos_uuid_random(u) != 0)
        return -1;
    snprintf(pid, sizeof pid, "kafka-broker-%d-%s", id, kmesos_uuid_format(u, text));
    kmesos_kvol_clear(v);
    if (kmesos_str_set(&v->agent_id, agent_id) || kmesos_str_set(&v->persistence_id, pid) ||
        kmesos_str_set(&v->role, role) || kmesos_str_set(&v->principal, principal ? principal : "")) {
        kmesos_kvol_clear(v);
        return -1;
    }
    v->cpus = cpus, v->mem = mem, v->disk = disk;
    return 0;
}

int kmesos_kvol_offered(const kmesos_kvol *v, const kmesos_offer *o)
{
    return v->agent_id && strcmp(v->agent_id, o->agent_id) == 0 &&
           kmesos_offer_has_volume(o, v->persistence_id) && o->rsv_cpus + 1e-9 >= v->cpus &&
           o->rsv_mem + 1e-9 >= v->mem;
}

json_t *kmesos_kvol_json(const kmesos_kvol *v)
{
    if (!v->agent_id)
        return NULL;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:b}", "agent_id", v->agent_id,
                          "persistence_id", v->persistence_id, "role", v->role, "principal",
                          v->principal, "cpus", v->cpus, "mem", v->mem, "disk", v->disk, "sent",
                          v->sent);
    if (j && v->error && json_object_set_new(j, "error", json_string(v->error)) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int kvol_bad(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "volume: %s", what);
    return -1;
}

int kmesos_kvol_from_json(json_t *j, kmesos_kvol *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (!j || json_is_null(j))
        return 0;
    const char *s[5] = {NULL};
    kmesos_kvol t = {0};
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s:s, s:s, s:s, s:s, s:F, s:F, s:F, s:b, s?s}", "agent_id",
                       &s[0], "persistence_id", &s[1], "role", &s[2], "principal", &s[3],
                       "cpus", &t.cpus, "mem", &t.mem, "disk", &t.disk, "sent", &t.sent, "error",
                       &s[4]) != 0)
        return kvol_bad(err, errlen, je.text);
    const double n[3] = {t.cpus, t.mem, t.disk};
    for (size_t i = 0; i < 3; i++)
        if (!isfinite(n[i]) || n[i] <= 0 || n[i] > 1e9)
            return kvol_bad(err, errlen, "cpus, mem and disk must be numbers > 0");
    if (!*s[0] || !*s[1] || !*s[2] || strcmp(s[2], "*") == 0)
        return kvol_bad(err, errlen, "agent_id, persistence_id and a role other than * needed");
    if (kmesos_str_set(&v->agent_id, s[0]) || kmesos_str_set(&v->persistence_id, s[1]) ||
        kmesos_str_set(&v->role, s[2]) || kmesos_str_set(&v->principal, s[3]) ||
        kmesos_str_set(&v->error, s[4])) {
        kmesos_kvol_clear(v);
        return kvol_bad(err, errlen, "out of memory");
    }
    v->cpus = t.cpus, v->mem = t.mem, v->disk = t.disk, v->sent = t.sent;
    return 0;
}

/* ---- protobuf ------------------------------------------------------------------------------ */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* Marks r as reserved by v (role, principal) in o's allocation role. */
static int kvol_reserve_res(const kmesos_kvol *v, Mesos__V1__Resource *r, const kmesos_offer *o)
{
    Mesos__V1__Resource__ReservationInfo *ri =
        kmesos_pb_new(&mesos__v1__resource__reservation_info__descriptor);
    if (!ri)
        return -1;
    r->reservation = ri;
    if (*v->principal && !(ri->principal = strdup(v->principal)))
        return -1;
    if (r->role != mesos__v1__resource__role__default_value) /* "*": not allocated */
        free(r->role);
    r->role = mesos__v1__resource__role__default_value;
    if (kmesos_pb_set_role(r, v->role) != 0)
        return -1;
    if (o && o->alloc_role) {
        r->allocation_info = kmesos_pb_new(&mesos__v1__resource__allocation_info__descriptor);
        if (!r->allocation_info || !(r->allocation_info->role = strdup(o->alloc_role)))
            return -1;
    }
    return 0;
}
#pragma GCC diagnostic pop

/* The reserved scalar name of v; NULL on no memory. */
static Mesos__V1__Resource *kvol_scalar(const kmesos_kvol *v, const char *name, double value,
                                        const kmesos_offer *o)
{
    Mesos__V1__Resource *r = kmesos_pb_scalar(name, value, "*");
    if (r && kvol_reserve_res(v, r, o) != 0) {
        kmesos_pb_free(r);
        return NULL;
    }
    return r;
}

/* The volume: reserved disk with its persistence and container path. */
static Mesos__V1__Resource *kvol_volume(const kmesos_kvol *v, const kmesos_offer *o)
{
    Mesos__V1__Resource *r = kvol_scalar(v, "disk", v->disk, o);
    Mesos__V1__Resource__DiskInfo *d =
        r ? kmesos_pb_new(&mesos__v1__resource__disk_info__descriptor) : NULL;
    Mesos__V1__Resource__DiskInfo__Persistence *p =
        kmesos_pb_new(&mesos__v1__resource__disk_info__persistence__descriptor);
    Mesos__V1__Volume *vol = kmesos_pb_new(&mesos__v1__volume__descriptor);
    if (d) {
        r->disk = d;
        d->persistence = p;
        d->volume = vol;
    }
    if (!d || !p || !vol || !(p->id = strdup(v->persistence_id)) ||
        (*v->principal && !(p->principal = strdup(v->principal))) ||
        !(vol->container_path = strdup(KMESOS_KVOL_PATH))) {
        if (!d) {
            kmesos_pb_free(p);
            kmesos_pb_free(vol);
        }
        kmesos_pb_free(r);
        return NULL;
    }
    vol->mode = MESOS__V1__VOLUME__MODE__RW;
    return r;
}

/* Appends the reserved cpus, mem and disk (unreserve: after DESTROY). */
static int kvol_push_scalars(const kmesos_kvol *v, Mesos__V1__Resource ***res, size_t *n,
                             const kmesos_offer *o)
{
    const char *names[3] = {"cpus", "mem", "disk"};
    const double vals[3] = {v->cpus, v->mem, v->disk};
    for (size_t i = 0; i < 3; i++)
        if (kmesos_pb_push((void ***)res, n, kvol_scalar(v, names[i], vals[i], o)) != 0)
            return -1;
    return 0;
}

static int kvol_fill(const kmesos_kvol *v, Mesos__V1__Offer__Operation *op, int type,
                     const kmesos_offer *o)
{
    switch (type) {
    case OPT(RESERVE):
        op->reserve = kmesos_pb_new(&mesos__v1__offer__operation__reserve__descriptor);
        return op->reserve ? kvol_push_scalars(v, &op->reserve->resources,
                                               &op->reserve->n_resources, o) : -1;
    case OPT(UNRESERVE):
        op->unreserve = kmesos_pb_new(&mesos__v1__offer__operation__unreserve__descriptor);
        return op->unreserve ? kvol_push_scalars(v, &op->unreserve->resources,
                                                 &op->unreserve->n_resources, o) : -1;
    case OPT(CREATE):
        op->create = kmesos_pb_new(&mesos__v1__offer__operation__create__descriptor);
        return op->create ? kmesos_pb_push((void ***)&op->create->volumes,
                                           &op->create->n_volumes, kvol_volume(v, o)) : -1;
    default:
        op->destroy = kmesos_pb_new(&mesos__v1__offer__operation__destroy__descriptor);
        return op->destroy ? kmesos_pb_push((void ***)&op->destroy->volumes,
                                            &op->destroy->n_volumes, kvol_volume(v, o)) : -1;
    }
}

Mesos__V1__Offer__Operation *kmesos_kvol_operation(const kmesos_kvol *v, int type,
                                                   const char *op_id, const kmesos_offer *o)
{
    Mesos__V1__Offer__Operation *op = kmesos_pb_new(&mesos__v1__offer__operation__descriptor);
    if (!op)
        return NULL;
    op->has_type = 1;
    op->type = (Mesos__V1__Offer__Operation__Type)type;
    if (!(op->id = kmesos_pb_id(&mesos__v1__operation_id__descriptor, op_id)) ||
        kvol_fill(v, op, type, o) != 0) {
        kmesos_pb_free(op);
        return NULL;
    }
    return op;
}

int kmesos_kvol_task_resources(const kmesos_kvol *v, Mesos__V1__TaskInfo *ti)
{
    for (size_t i = 0; i < ti->n_resources; i++) {
        Mesos__V1__Resource *r = ti->resources[i];
        int cpus = strcmp(r->name, "cpus") == 0, mem = strcmp(r->name, "mem") == 0;
        if (!cpus && !mem)
            continue;
        if (r->scalar)
            r->scalar->value = cpus ? v->cpus : v->mem; /* what was reserved */
        if (kvol_reserve_res(v, r, NULL) != 0)
            return -1;
    }
    return kmesos_pb_push((void ***)&ti->resources, &ti->n_resources, kvol_volume(v, NULL));
}
