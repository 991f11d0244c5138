/* reserve: the reservation rules of brokers with reserve=true (reserve.h).
 *
 * The broker's kmesos_kvol is planned by the launch that first places it
 * (task_info), on that offer's agent, and marked sent once its RESERVE
 * and CREATE went into the ACCEPT (ops); a plan never sent is dropped by
 * the next gate. Offers are then matched by agent, volume and reserved
 * cpus and mem, and the broker's task runs on them alone (the verdict's
 * own_resources: the book's unreserved counts are not asked). Operation
 * ids name the broker (kafka-broker-<id>-<op>-<n>; a purge's are
 * kafka-purge-<op>-<n>), so that an UPDATE_OPERATION_STATUS finds it; a
 * refusal is kept in the volume's error, saved, and shown by broker list;
 * the broker then waits (declined offers, the reason in its task) until
 * it is removed (with purge) or updated with reserve=false. */
#include "sched/kafka/reserve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/pb.h"
#include "codec/str.h"

#define MOD "kafka"
#define OPT(t) MESOS__V1__OFFER__OPERATION__TYPE__##t

void kmesos_kafka_reserve_gate(kmesos_kafka *k, kmesos_broker *b, const kmesos_offer *o,
                               kmesos_verdict *v)
{
    kmesos_kvol *vol = &b->vol;
    (void)k;
    if (vol->agent_id && !vol->sent)
        kmesos_kvol_clear(vol); /* planned by a launch that did not go out */
    if (vol->error) {
        v->kind = KMESOS_VERDICT_DECLINE;
        snprintf(v->reason, sizeof v->reason, "the master refused broker %d's volume: %s",
                 b->node.id, vol->error);
    } else if (vol->agent_id && !kmesos_kvol_offered(vol, o)) {
        v->kind = strcmp(vol->agent_id, o->agent_id) == 0 ? KMESOS_VERDICT_WAIT
                                                          : KMESOS_VERDICT_DECLINE;
        snprintf(v->reason, sizeof v->reason,
                 "waiting for an offer of agent %s with broker %d's reserved resources and "
                 "volume %s", vol->agent_id, b->node.id, vol->persistence_id);
    } else if (vol->agent_id) {
        v->own_resources = 1;
    } else if (o->disk + 1e-9 < b->set.volume_size) {
        v->kind = KMESOS_VERDICT_DECLINE;
        v->unfit = 1;
        snprintf(v->reason, sizeof v->reason, "offer has %g MB of disk, the volume needs %g",
                 o->disk, b->set.volume_size);
    }
}

int kmesos_kafka_reserve_task(const kmesos_kafka *k, kmesos_broker *b, const kmesos_offer *o,
                              Mesos__V1__TaskInfo *ti)
{
    if (!b->vol.agent_id &&
        kmesos_kvol_plan(&b->vol, b->node.id, o->agent_id, k->role, k->principal, b->set.cpus,
                         b->set.mem, b->set.volume_size) != 0)
        return -1;
    return kmesos_kvol_task_resources(&b->vol, ti);
}

static int push_op(kmesos_kafka *k, const kmesos_kvol *v, int id, int type, const char *what,
                   const kmesos_offer *o, Mesos__V1__Offer__Operation ***ops, size_t *n)
{
    char op_id[96];
    if (id >= 0)
        snprintf(op_id, sizeof op_id, "kafka-broker-%d-%s-%u", id, what, ++k->op_seq);
    else
        snprintf(op_id, sizeof op_id, "kafka-purge-%s-%u", what, ++k->op_seq);
    return kmesos_pb_push((void ***)ops, n, kmesos_kvol_operation(v, type, op_id, o));
}

int kmesos_kafka_reserve_ops(kmesos_kafka *k, kmesos_broker *b, const kmesos_offer *o,
                             Mesos__V1__Offer__Operation ***ops, size_t *n)
{
    if (!kmesos_broker_reserves(&b->set) || !b->vol.agent_id || b->vol.sent)
        return 0;
    size_t before = *n;
    if (push_op(k, &b->vol, b->node.id, OPT(RESERVE), "reserve", o, ops, n) != 0 ||
        push_op(k, &b->vol, b->node.id, OPT(CREATE), "create", o, ops, n) != 0) {
        for (; *n > before; (*n)--)
            kmesos_pb_free((*ops)[*n - 1]);
        kmesos_kvol_clear(&b->vol);
        return -1;
    }
    b->vol.sent = 1;
    KLOG_INFO(MOD, "broker %d: RESERVE %g cpus, %g MB mem, %g MB disk for role %s on agent %s; "
              "CREATE volume %s", b->node.id, b->vol.cpus, b->vol.mem, b->vol.disk, b->vol.role,
              o->agent_id, b->vol.persistence_id);
    kmesos_kafka_changed(k);
    return 0;
}

int kmesos_kafka_purge_ops(kmesos_kafka *k, const kmesos_offer *o,
                           Mesos__V1__Offer__Operation ***ops, size_t *n)
{
    for (size_t i = 0; i < k->n_purge; i++) {
        kmesos_kvol *v = &k->purge[i];
        if (!kmesos_kvol_offered(v, o))
            continue;
        size_t before = *n;
        if (push_op(k, v, -1, OPT(DESTROY), "destroy", o, ops, n) != 0 ||
            push_op(k, v, -1, OPT(UNRESERVE), "unreserve", o, ops, n) != 0) {
            for (; *n > before; (*n)--)
                kmesos_pb_free((*ops)[*n - 1]);
            return -1;
        }
        KLOG_INFO(MOD, "DESTROY volume %s and UNRESERVE its resources on agent %s",
                  v->persistence_id, v->agent_id);
        kmesos_kvol_clear(v);
        k->purge[i--] = k->purge[--k->n_purge];
        kmesos_kafka_changed(k);
    }
    return 0;
}

int kmesos_kafka_purge(kmesos_kafka *k, kmesos_broker *b)
{
    if (!b->vol.agent_id || !b->vol.sent) {
        kmesos_kvol_clear(&b->vol);
        return 0;
    }
    kmesos_kvol *more = realloc(k->purge, (k->n_purge + 1) * sizeof *more);
    if (!more)
        return -1;
    k->purge = more;
    free(b->vol.error);
    b->vol.error = NULL;
    kmesos_kvol_move(&k->purge[k->n_purge++], &b->vol);
    kmesos_kafka_changed(k);
    return 0;
}

json_t *kmesos_kafka_purge_json(const kmesos_kafka *k)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < k->n_purge; i++)
        if (json_array_append_new(a, kmesos_kvol_json(&k->purge[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

int kmesos_kafka_purge_load(kmesos_kafka *k, json_t *j, char *err, size_t errlen)
{
    size_t i, n = json_array_size(j);
    json_t *e;
    char why[256];
    if (j && !json_is_array(j))
        return snprintf(err, errlen, "kafka.purge: expected a list"), -1;
    kmesos_kvol *v = n ? calloc(n, sizeof *v) : NULL;
    if (n && !v)
        return snprintf(err, errlen, "out of memory"), -1;
    json_array_foreach(j, i, e) {
        if (!json_is_object(e) || kmesos_kvol_from_json(e, &v[i], why, sizeof why) != 0) {
            snprintf(err, errlen, "kafka.purge[%zu]: %s", i,
                     json_is_object(e) ? why : "expected an object");
            while (i-- > 0)
                kmesos_kvol_clear(&v[i]);
            free(v);
            return -1;
        }
    }
    for (i = 0; i < k->n_purge; i++)
        kmesos_kvol_clear(&k->purge[i]);
    free(k->purge);
    k->purge = v;
    k->n_purge = n;
    return 0;
}

void kmesos_kafka_reserve_status(kmesos_kafka *k, const char *op_id, int ok, const char *message)
{
    int id = -1;
    char what[16] = "";
    static const char *const ops[] = {"reserve", "create", "destroy", "unreserve"};
    size_t i = 0;
    if (strncmp(op_id, "kafka-purge-", 12) == 0) {
        if (!ok) /* the entry is gone: the reservation stays, as the master says */
            KLOG_WARN(MOD, "the master refused purge operation %s: %s", op_id,
                      message ? message : "");
        return;
    }
    if (sscanf(op_id, "kafka-broker-%d-%15[a-z]-", &id, what) == 2)
        while (i < 4 && strcmp(what, ops[i]) != 0)
            i++;
    if (i >= 4 || !what[0])
        return; /* not one of ours */
    if (ok) {
        KLOG_INFO(MOD, "operation %s finished", op_id);
        return;
    }
    KLOG_WARN(MOD, "the master refused operation %s: %s", op_id, message ? message : "");
    kmesos_broker *b = id >= 0 ? kmesos_kafka_broker(k, id) : NULL;
    if (!b || !b->vol.agent_id || b->vol.error)
        return;
    char text[600];
    snprintf(text, sizeof text, "%s: %s", what, message && *message ? message : "refused");
    char failure[640];
    snprintf(failure, sizeof failure, "volume: %s", text);
    if (kmesos_str_set(&b->vol.error, text) == 0 &&
        kmesos_str_set(&b->node.last_failure, failure) == 0)
        kmesos_kafka_changed(k);
}

int kmesos_kafka_reserve_check(const kmesos_kafka *k, const kmesos_broker_settings *s,
                               const char **field, char *err, size_t errlen)
{
    if (!kmesos_broker_reserves(s) || strcmp(k->role, "*") != 0)
        return 0;
    *field = "reserve";
    snprintf(err, errlen, "reserve: needs --framework-role other than \"*\" (resources are "
             "reserved for the framework's role)");
    return -1;
}
