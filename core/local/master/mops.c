/* mops: the offer operations that change an agent's resources, RESERVE,
 * UNRESERVE, CREATE and DESTROY, as Master::_accept applies them: each in
 * the ACCEPT's order on what the offers left (so RESERVE, CREATE and a
 * LAUNCH on the result can share one call), after the checks of Mesos
 * 1.12's validation::operation::validate (and resource::validate's
 * DiskInfo rules). A refused operation is dropped as Master::drop does:
 * logged, an UPDATE_OPERATION_STATUS OPERATION_ERROR only when it has an
 * id, the following operations still run. An applied operation with an
 * id gets OPERATION_FINISHED from its agent (the agents have Mesos 1.12's
 * RESOURCE_PROVIDER and AGENT_OPERATION_FEEDBACK capabilities; the status
 * is sent once, not retried until ACKNOWLEDGE_OPERATION_STATUS). An applied one converts the
 * resources in the ACCEPT's pool and in the agent's total (the agent
 * keeps them, as its checkpointed resources); CREATE makes the volume's
 * folder and DESTROY removes it (local/agent/volumes.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "local/agent/volumes.h"
#include "local/master/internal.h"
#include "local/util.h"

#define OP(t) MESOS__V1__OFFER__OPERATION__TYPE__##t
#define ERRLEN 768

typedef struct mops_ctx {
    klocal_fw *fw;
    klocal_magent *ma;
    const char *role;   /* the offers' allocation role */
    klocal_res consumed, produced;
    char err[ERRLEN];
} mops_ctx;

static const char *mops_name(int type)
{
    switch (type) {
    case OP(RESERVE): return "RESERVE";
    case OP(UNRESERVE): return "UNRESERVE";
    case OP(CREATE): return "CREATE";
    default: return "DESTROY";
    }
}

static int mops_fail(mops_ctx *c, const char *fmt, const char *a, const char *b)
{
    snprintf(c->err, sizeof c->err, fmt, a ? a : "", b ? b : "");
    return -1;
}

/* The resources the operation names (*list, *n); 0 when its message
 * (reserve, unreserve, create, destroy) is missing. */
static int mops_list(const Mesos__V1__Offer__Operation *op, Mesos__V1__Resource *const **list,
                     size_t *n)
{
    *n = 0;
    *list = NULL;
    if (op->type == OP(RESERVE) && op->reserve)
        *list = op->reserve->resources, *n = op->reserve->n_resources;
    else if (op->type == OP(UNRESERVE) && op->unreserve)
        *list = op->unreserve->resources, *n = op->unreserve->n_resources;
    else if (op->type == OP(CREATE) && op->create)
        *list = op->create->volumes, *n = op->create->n_volumes;
    else if (op->type == OP(DESTROY) && op->destroy)
        *list = op->destroy->volumes, *n = op->destroy->n_volumes;
    else
        return 0;
    return 1;
}

/* resource::validate's reservation and DiskInfo rules for one resource. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int mops_check_resource(mops_ctx *c, const Mesos__V1__Resource *x)
{
    char buf[300];
    if (x->n_reservations > 1)
        return mops_fail(c, "kmesos-local does not implement reservation refinement (more "
                         "than one entry in 'reservations' of '%s')", x->name, NULL);
    for (size_t i = 0; i < x->n_reservations; i++) {
        const char *r = x->reservations[i]->role;
        if (!r)
            return mops_fail(c, "Invalid resources: Invalid reservation: "
                             "'Resource.ReservationInfo.role' must be set", NULL, NULL);
        if (strcmp(r, "*") == 0)
            return mops_fail(c, "Invalid resources: Invalid reservation: role \"*\" cannot be "
                             "dynamically reserved", NULL, NULL);
        const char *bad = klocal_mroles_check_name(r, buf, sizeof buf);
        if (bad)
            return mops_fail(c, "Invalid resources: Invalid reservation: %s", bad, NULL);
    }
    if (!x->n_reservations && x->reservation && (!x->role || !strcmp(x->role, "*")))
        return mops_fail(c, "Invalid resources: Invalid reservation: role \"*\" cannot be "
                         "dynamically reserved", NULL, NULL);
    const Mesos__V1__Resource__DiskInfo *d = x->disk;
    if (!d)
        return 0;
    if (!d->persistence)
        return mops_fail(c, "Invalid resources: Invalid DiskInfo: %s",
                         d->volume ? "Non-persistent volume not supported"
                                   : "DiskInfo is set but empty", NULL);
    klocal_rsv k;
    if (klocal_res_rsv_of(x, &k, buf, sizeof buf) == 0)
        return mops_fail(c, "Invalid resources: Invalid DiskInfo: Persistent volumes cannot be "
                         "created from unreserved resources", NULL, NULL);
    if (!d->volume)
        return mops_fail(c, "Invalid resources: Invalid DiskInfo: Expecting 'volume' to be set "
                         "for persistent volume", NULL, NULL);
    if (d->volume->host_path)
        return mops_fail(c, "Invalid resources: Invalid DiskInfo: Expecting 'host_path' to be "
                         "unset for persistent volume", NULL, NULL);
    const char *bad = klocal_util_id_error(d->persistence->id, buf, sizeof buf);
    if (bad)
        return mops_fail(c, "Invalid resources: Invalid DiskInfo: Invalid persistence ID for "
                         "persistent volume: %s", bad, NULL);
    return 0;
}
#pragma GCC diagnostic pop

/* The entry of x (must be reserved), or -1 with c->err. */
static int mops_reserved(mops_ctx *c, const Mesos__V1__Resource *x, klocal_rsv *k)
{
    char buf[200];
    int rc = klocal_res_rsv_of(x, k, buf, sizeof buf);
    if (rc < 0)
        return mops_fail(c, "%s", buf, NULL);
    if (rc == 0)
        return mops_fail(c, "Resource %s%s is not dynamically reserved", x->name, "");
    return 0;
}

static void mops_unreserved(klocal_res *r, const klocal_rsv *k)
{
    klocal_res_set_scalar(r, k->name, klocal_res_scalar(r, k->name) + k->value);
}

static int mops_reserve_one(mops_ctx *c, const Mesos__V1__Resource *x)
{
    klocal_rsv k;
    if (mops_reserved(c, x, &k))
        return -1;
    const char *fp = c->fw->info->principal;
    if (fp && !k.principal[0])
        return mops_fail(c, "A reserve operation was attempted by principal '%s', but there is "
                         "a reserved resource in the request with no principal set", fp, NULL);
    if (fp && strcmp(fp, k.principal) != 0)
        return mops_fail(c, "A reserve operation was attempted by authenticated principal '%s', "
                         "which does not match a reserved resource in the request with "
                         "principal '%s'", fp, k.principal);
    const char *alloc = x->allocation_info && x->allocation_info->role
                            ? x->allocation_info->role : c->role;
    if (strcmp(alloc, k.role) != 0)
        return mops_fail(c, "A reserve operation was attempted for a resource with role '%s', "
                         "but the resource was allocated to role '%s'", k.role, alloc);
    mops_unreserved(&c->consumed, &k);
    klocal_res_add_rsv(&c->produced, &k);
    return 0;
}

static int mops_unreserve_one(mops_ctx *c, const Mesos__V1__Resource *x)
{
    klocal_rsv k;
    if (mops_reserved(c, x, &k))
        return -1;
    if (k.volume[0]) {
        char *s = klocal_res_rsv_format(&k);
        mops_fail(c, "A dynamically reserved persistent volume %s cannot be unreserved "
                  "directly. Please destroy the persistent volume first then unreserve the "
                  "resource", s, NULL);
        free(s);
        return -1;
    }
    klocal_res_add_rsv(&c->consumed, &k);
    mops_unreserved(&c->produced, &k);
    return 0;
}

/* validatePersistentVolume of one volume, its entry in k. */
static int mops_volume(mops_ctx *c, const Mesos__V1__Resource *x, klocal_rsv *k)
{
    if (!x->disk)
        return mops_fail(c, "Not a persistent volume: Resource %s%s does not have DiskInfo",
                         x->name, "");
    if (!x->disk->persistence)
        return mops_fail(c, "Not a persistent volume: 'persistence' is not set in DiskInfo",
                         NULL, NULL);
    if (!x->disk->volume)
        return mops_fail(c, "Not a persistent volume: Expecting 'volume' to be set for "
                         "persistent volume", NULL, NULL);
    if (x->disk->volume->mode == MESOS__V1__VOLUME__MODE__RO)
        return mops_fail(c, "Not a persistent volume: Read-only persistent volume not "
                         "supported", NULL, NULL);
    return mops_reserved(c, x, k);
}

/* A volume of the same role and id in r (the agent's total, or those of
 * this operation so far). */
static int mops_id_taken(const klocal_res *r, const klocal_rsv *k)
{
    for (size_t i = 0; i < r->nrsv; i++)
        if (r->rsv[i].volume[0] && !strcmp(r->rsv[i].role, k->role) &&
            !strcmp(r->rsv[i].volume, k->volume))
            return 1;
    return 0;
}

static int mops_create_one(mops_ctx *c, const Mesos__V1__Resource *x)
{
    klocal_rsv k;
    if (mops_volume(c, x, &k))
        return -1;
    if (mops_id_taken(klocal_agent_resources(c->ma->agent), &k) ||
        mops_id_taken(&c->produced, &k))
        return mops_fail(c, "Persistence ID '%s' is not unique%s", k.volume, "");
    const char *fp = c->fw->info->principal;
    if (fp && !k.vprincipal[0])
        return mops_fail(c, "Create volume operation attempted by principal '%s', but there is "
                         "a volume in the operation with no principal set in "
                         "'disk.persistence'", fp, NULL);
    if (fp && strcmp(fp, k.vprincipal) != 0)
        return mops_fail(c, "Create volume operation attempted by authenticated principal "
                         "'%s', which does not match a volume in the operation with principal "
                         "'%s' set in 'disk.persistence'", fp, k.vprincipal);
    klocal_rsv plain = k;
    plain.volume[0] = plain.vprincipal[0] = plain.path[0] = '\0';
    plain.read_only = 0;
    klocal_res_add_rsv(&c->consumed, &plain);
    klocal_res_add_rsv(&c->produced, &k);
    return 0;
}

static int mops_destroy_one(mops_ctx *c, const Mesos__V1__Resource *x)
{
    klocal_rsv k;
    if (mops_volume(c, x, &k))
        return -1;
    klocal_res one;
    klocal_res_init(&one);
    klocal_res_add_rsv(&one, &k);
    int found = klocal_res_contains(klocal_agent_resources(c->ma->agent), &one);
    int used = klocal_res_find_rsv(&c->ma->used, &k) != NULL;
    klocal_res_free(&one);
    if (!found)
        return mops_fail(c, "Persistent volumes not found%s%s", NULL, NULL);
    if (used)
        return mops_fail(c, "Persistent volumes in use%s%s", NULL, NULL);
    klocal_res_add_rsv(&c->consumed, &k);
    klocal_rsv plain = k;
    plain.volume[0] = plain.vprincipal[0] = plain.path[0] = '\0';
    plain.read_only = 0;
    klocal_res_add_rsv(&c->produced, &plain);
    return 0;
}

/* Validation and the conversion of every resource of op. */
static int mops_convert(mops_ctx *c, const Mesos__V1__Offer__Operation *op)
{
    size_t n;
    Mesos__V1__Resource *const *list;
    if (!mops_list(op, &list, &n))
        return mops_fail(c, "Expecting '%s' to be present", op->type == OP(RESERVE)
                         ? "reserve" : op->type == OP(UNRESERVE) ? "unreserve"
                         : op->type == OP(CREATE) ? "create" : "destroy", NULL);
    if (op->type == OP(RESERVE) && op->reserve->n_source) /* Master::accept */
        return mops_fail(c, "Operation attempted with invalid resources: Reservation updates "
                         "are not yet implemented for the scheduler API.", NULL, NULL);
    for (size_t i = 0; i < n; i++)
        if (mops_check_resource(c, list[i]))
            return -1;
    for (size_t i = 0; i < n; i++) {
        int rc = op->type == OP(RESERVE)     ? mops_reserve_one(c, list[i])
                 : op->type == OP(UNRESERVE) ? mops_unreserve_one(c, list[i])
                 : op->type == OP(CREATE)    ? mops_create_one(c, list[i])
                                             : mops_destroy_one(c, list[i]);
        if (rc)
            return -1;
    }
    return 0;
}

/* UPDATE_OPERATION_STATUS of an operation with an id; finished: from the
 * agent (its id, a uuid, the converted resources), else OPERATION_ERROR. */
static void mops_status(mops_ctx *c, const Mesos__V1__Offer__Operation *op, const char *msg)
{
    KLOCAL_SCHED_EVENT(ev, UPDATE_OPERATION_STATUS);
    ev->update_operation_status =
        klocal_util_pb_new(&mesos__v1__scheduler__event__update_operation_status__descriptor);
    Mesos__V1__OperationStatus *st = klocal_util_pb_new(&mesos__v1__operation_status__descriptor);
    st->operation_id = KLOCAL_ID(OperationID, operation_id, op->id->value);
    st->state = msg ? MESOS__V1__OPERATION_STATE__OPERATION_ERROR
                    : MESOS__V1__OPERATION_STATE__OPERATION_FINISHED;
    if (msg) {
        st->message = klocal_util_xstrdup(msg);
    } else {
        st->agent_id = KLOCAL_ID(AgentID, agent_id, klocal_agent_id(c->ma->agent));
        st->uuid = klocal_util_pb_new(&mesos__v1__uuid__descriptor);
        st->uuid->value.len = KMESOS_UUID_LEN;
        st->uuid->value.data = klocal_util_xcalloc(1, KMESOS_UUID_LEN);
        klocal_util_uuid(st->uuid->value.data);
        st->converted_resources = klocal_res_to_pb(
            &c->produced, !klocal_mroles_refinement(c->fw->info), &st->n_converted_resources);
    }
    ev->update_operation_status->status = st;
    klocal_mevent_send(c->fw, &ev->base);
    kmesos_pb_free(ev);
}

/* Master::drop: logged; OPERATION_ERROR only for an operation with an id. */
static void mops_drop(mops_ctx *c, const Mesos__V1__Offer__Operation *op, const char *msg)
{
    KLOG_WARN("master", "Dropping %s operation from framework %s: %s", mops_name(op->type),
              c->fw->id, msg);
    if (op->id)
        mops_status(c, op, msg);
}

/* DESTROY: the other offers holding a destroyed volume are rescinded. */
static void mops_rescind_volumes(mops_ctx *c)
{
    klocal_offer *o = c->ma->offers;
    while (o) {
        klocal_offer *next = o->ag_next;
        for (size_t i = 0; i < c->consumed.nrsv; i++)
            if (klocal_res_find_rsv(&o->res, &c->consumed.rsv[i])) {
                klocal_alloc_remove_offer(c->fw->m, o, 1);
                break;
            }
        o = next;
    }
}

/* The agent's side: its total, and the volumes' folders. */
static void mops_commit(mops_ctx *c, int type)
{
    const char *wd = klocal_agent_work_dir(c->ma->agent);
    klocal_agent_convert(c->ma->agent, &c->consumed, &c->produced);
    const klocal_res *made = type == OP(CREATE) ? &c->produced : &c->consumed;
    for (size_t i = 0; i < made->nrsv && (type == OP(CREATE) || type == OP(DESTROY)); i++) {
        if (type == OP(DESTROY)) {
            klocal_volumes_destroy(wd, &made->rsv[i]);
        } else if (klocal_volumes_create(wd, &made->rsv[i], c->err, sizeof c->err) != 0) {
            KLOG_WARN("master", "%s", c->err);
        }
    }
}

void klocal_mops_apply(klocal_fw *fw, klocal_magent *ma, const char *role, klocal_res *avail,
                       const Mesos__V1__Offer__Operation *op)
{
    mops_ctx c = {.fw = fw, .ma = ma, .role = role};
    klocal_res_init(&c.consumed);
    klocal_res_init(&c.produced);
    if (mops_convert(&c, op) != 0) {
        char *msg = klocal_util_xasprintf("%s; on agent %s at %s (%s)", c.err,
                                          klocal_agent_id(ma->agent), klocal_agent_pid(ma->agent),
                                          klocal_agent_hostname(ma->agent));
        mops_drop(&c, op, msg);
        free(msg);
    } else if (!klocal_res_contains(avail, &c.consumed)) {
        char *a = klocal_res_format(avail), *b = klocal_res_format(&c.consumed);
        char *msg = klocal_util_xasprintf("%s does not contain %s", a, b);
        mops_drop(&c, op, msg);
        free(msg);
        free(a);
        free(b);
    } else {
        KLOG_INFO("master", "Applying %s operation from framework %s to agent %s",
                  mops_name(op->type), fw->id, klocal_agent_id(ma->agent));
        if (op->type == OP(DESTROY))
            mops_rescind_volumes(&c);
        klocal_res_subtract(avail, &c.consumed);
        klocal_res_add(avail, &c.produced);
        mops_commit(&c, op->type);
        if (op->id) /* the agents have AGENT_OPERATION_FEEDBACK */
            mops_status(&c, op, NULL);
    }
    klocal_res_free(&c.consumed);
    klocal_res_free(&c.produced);
}
