/* Tests of brokers on reserved resources and persistent volumes
 * (docs/kafka.md "Reserved resources and persistent volumes"), with the
 * kafka_world fakes: reserve=true needs a framework role (400 naming the
 * field), the first launch's ACCEPT is RESERVE, CREATE, LAUNCH on the
 * reserved resources and the volume, a relaunch waits for its agent's
 * offer with them and launches without new operations, an operation the
 * master refuses shows in the broker's JSON and stops its launches, and
 * remove with purge=true sends DESTROY then UNRESERVE on the next offer
 * that carries the volume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "codec/str.h"
#include "kafka_world.h"
#include "sched/kafka/kafka.h"
#include "sched/kafka/reserve.h"
#include "testlib.h"

typedef kafka_world world;

#define OPT(t) MESOS__V1__OFFER__OPERATION__TYPE__##t

/* A world whose framework has role "kafka" and principal "ops", and a
 * quorum of one voter. */
static void setup(world *w)
{
    kafka_world_setup(w, KMESOS_FETCH_URI);
    CHECK_INT(kmesos_str_set(&w->k.role, "kafka"), 0);
    CHECK_INT(kmesos_str_set(&w->k.principal, "ops"), 0);
    w->k.quorum_size = 1;
}

/* Moves the resources of operation type on v into the offer. */
static void steal(Mesos__V1__Offer *o, const kmesos_kvol *v, int type)
{
    Mesos__V1__Offer__Operation *op = kmesos_kvol_operation(v, type, "x", NULL);
    CHECK(op != NULL);
    if (!op)
        return;
    Mesos__V1__Resource ***res = type == OPT(RESERVE) ? &op->reserve->resources
                                                      : &op->create->volumes;
    size_t *n = type == OPT(RESERVE) ? &op->reserve->n_resources : &op->create->n_volumes;
    for (size_t i = 0; i < *n; i++)
        if (type == OPT(CREATE) || strcmp((*res)[i]->name, "disk") != 0)
            kmesos_pb_push((void ***)&o->resources, &o->n_resources, (*res)[i]);
        else
            kmesos_pb_free((*res)[i]);
    *n = 0;
    kmesos_pb_free(op);
}

/* One OFFERS event: an offer of host with 2 cpus, 4096 MB, disk MB of
 * unreserved disk and, when v is given, v's reserved resources and volume. */
static void feed_offer(world *w, const char *id, const char *host, double disk,
                       const kmesos_kvol *v)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    Mesos__V1__Offer *o = kafka_world_offer(id, host, 2, 4096, 31000, 31009);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("disk", disk, "*"));
    if (v) {
        steal(o, v, OPT(RESERVE));
        steal(o, v, OPT(CREATE));
    }
    kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers, o);
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

static void feed_operation(world *w, const char *op_id, int state, const char *message)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE_OPERATION_STATUS;
    ev->update_operation_status =
        kmesos_pb_new(&mesos__v1__scheduler__event__update_operation_status__descriptor);
    Mesos__V1__OperationStatus *st = kmesos_pb_new(&mesos__v1__operation_status__descriptor);
    st->operation_id = kmesos_pb_id(&mesos__v1__operation_id__descriptor, op_id);
    st->state = state;
    st->message = strdup(message);
    ev->update_operation_status->status = st;
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

/* The last ACCEPT sent, or NULL. */
static Mesos__V1__Scheduler__Call__Accept *last_accept(const world *w)
{
    for (size_t i = w->f.n; i-- > 0;)
        if (w->f.calls[i]->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
            return w->f.calls[i]->accept;
    return NULL;
}

static const Mesos__V1__Resource *find_res(Mesos__V1__Resource *const *res, size_t n,
                                           const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(res[i]->name, name) == 0)
            return res[i];
    return NULL;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int reserved_for(const Mesos__V1__Resource *r, const char *role, const char *principal)
{
    return r && r->role && strcmp(r->role, role) == 0 && r->reservation &&
           r->reservation->principal && strcmp(r->reservation->principal, principal) == 0;
}
#pragma GCC diagnostic pop

/* Broker 0 plain (the voter), broker 1 with reserve=true, both started. */
static void add_two(world *w)
{
    CHECK_INT(kafka_world_api_drop(w, "POST", "add", "broker=0&cpus=0.5&mem=1024&heap=256"), 200);
    CHECK_INT(kafka_world_api_drop(w, "POST", "add",
                                   "broker=1&cpus=0.5&mem=1024&heap=256&reserve=true"
                                   "&volume_size=512&failover_delay=1s"),
              200);
    CHECK_INT(kafka_world_api_drop(w, "POST", "start", "broker=*"), 200);
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_reserve_needs_a_role_and_valid_values(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI); /* role "*" */
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "add", "broker=0&reserve=true", &body), 400);
    CHECK_STR(json_string_value(json_object_get(body, "field")), "reserve");
    CHECK(strstr(json_string_value(json_object_get(body, "error")), "--framework-role"));
    json_decref(body);
    CHECK(kmesos_kafka_broker(&w.k, 0) == NULL); /* nothing added */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=0&reserve=false"), 200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "update", "broker=0&reserve=true"), 400);
    CHECK(!kmesos_broker_reserves(&kmesos_kafka_broker(&w.k, 0)->set));
    CHECK_INT(kmesos_str_set(&w.k.role, "kafka"), 0);
    body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "update", "broker=0&reserve=maybe", &body), 400);
    CHECK_STR(json_string_value(json_object_get(body, "field")), "reserve");
    json_decref(body);
    body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "update", "broker=0&volume_size=0", &body), 400);
    CHECK_STR(json_string_value(json_object_get(body, "field")), "volume_size");
    json_decref(body);
    body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "update", "broker=0&reserve=true&volume_size=300",
                              &body), 200);
    json_t *b0 = json_array_get(json_object_get(body, "brokers"), 0);
    CHECK(json_is_true(json_object_get(b0, "reserve")));
    CHECK(json_real_value(json_object_get(b0, "volume_size")) == 300);
    CHECK(json_is_null(json_object_get(b0, "volume")));
    json_decref(body);
    body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "remove", "broker=0&purge=maybe", &body), 400);
    CHECK_STR(json_string_value(json_object_get(body, "field")), "purge");
    json_decref(body);
    kafka_world_teardown(&w);
}

/* The first launch: RESERVE, CREATE, LAUNCH in one ACCEPT, on one offer. */
static void first_launch(world *w, const char **agent)
{
    add_two(w);
    feed_offer(w, "o1", "h1", 100, NULL); /* the voter; too little disk for a volume */
    CHECK(kafka_world_broker_launched(w, 0) != NULL);
    CHECK(kafka_world_broker_launched(w, 1) == NULL);
    CHECK(strstr(kafka_world_broker_task(w, 1)->wait_reason, "the volume needs 512"));
    fake_io_reset(&w->f);
    feed_offer(w, "o2", "h2", 1000, NULL);
    *agent = "agent-h2";
}

static void test_first_launch_reserves_and_creates(void)
{
    world w;
    const char *agent;
    setup(&w);
    first_launch(&w, &agent);
    Mesos__V1__Scheduler__Call__Accept *a = last_accept(&w);
    CHECK(a && a->n_operations == 3);
    if (!a || a->n_operations != 3) {
        kafka_world_teardown(&w);
        return;
    }
    const kmesos_broker *b = kmesos_kafka_broker(&w.k, 1);
    CHECK_STR(b->vol.agent_id, agent);
    CHECK(b->vol.sent && strncmp(b->vol.persistence_id, "kafka-broker-1-", 15) == 0);
    Mesos__V1__Offer__Operation *rsv = a->operations[0], *cr = a->operations[1];
    CHECK_INT(rsv->type, OPT(RESERVE));
    CHECK(rsv->id && strncmp(rsv->id->value, "kafka-broker-1-reserve-", 23) == 0);
    CHECK_INT(rsv->reserve->n_resources, 3);
    const Mesos__V1__Resource *cpus = find_res(rsv->reserve->resources, 3, "cpus");
    const Mesos__V1__Resource *disk = find_res(rsv->reserve->resources, 3, "disk");
    CHECK(reserved_for(cpus, "kafka", "ops") && cpus->scalar->value == 0.5);
    CHECK(reserved_for(disk, "kafka", "ops") && disk->scalar->value == 512);
    CHECK_INT(cr->type, OPT(CREATE));
    CHECK(cr->id && strncmp(cr->id->value, "kafka-broker-1-create-", 22) == 0);
    const Mesos__V1__Resource *vol = cr->create->volumes[0];
    CHECK(reserved_for(vol, "kafka", "ops") && vol->disk && vol->disk->persistence);
    CHECK_STR(vol->disk->persistence->id, b->vol.persistence_id);
    CHECK_STR(vol->disk->persistence->principal, "ops");
    CHECK_STR(vol->disk->volume->container_path, "kafka-data");
    CHECK_INT(vol->disk->volume->mode, MESOS__V1__VOLUME__MODE__RW);
    CHECK_INT(a->operations[2]->type, OPT(LAUNCH));
    const Mesos__V1__TaskInfo *ti = kafka_world_broker_launched(&w, 1);
    CHECK(ti != NULL);
    if (ti) {
        CHECK(reserved_for(find_res(ti->resources, ti->n_resources, "cpus"), "kafka", "ops"));
        CHECK(reserved_for(find_res(ti->resources, ti->n_resources, "mem"), "kafka", "ops"));
        const Mesos__V1__Resource *d = find_res(ti->resources, ti->n_resources, "disk");
        CHECK(d && d->disk && strcmp(d->disk->persistence->id, b->vol.persistence_id) == 0);
        CHECK_STR(kafka_world_env(ti, "KAFKA_LOG_DIRS"), "kafka-data");
    }
    kafka_world_teardown(&w);
}

static void test_relaunch_goes_back_to_the_volume(void)
{
    world w;
    const char *agent;
    setup(&w);
    first_launch(&w, &agent);
    kmesos_broker *b = kmesos_kafka_broker(&w.k, 1);
    kmesos_kvol saved = {0};
    json_t *j = kmesos_kvol_json(&b->vol);
    char err[256];
    CHECK_INT(kmesos_kvol_from_json(j, &saved, err, sizeof err), 0);
    json_decref(j);
    kmesos_task *t = kafka_world_broker_task(&w, 1);
    kafka_world_feed_update(&w, t->id, agent, MESOS__V1__TASK_STATE__TASK_RUNNING);
    /* a later change of cpus does not apply to the reserved resources */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "update", "broker=1&cpus=1.5"), 200);
    kafka_world_feed_update(&w, t->id, agent, MESOS__V1__TASK_STATE__TASK_FAILED);
    w.f.now_ms += 5000;
    fake_io_reset(&w.f);
    feed_offer(&w, "o3", "h3", 5000, NULL); /* another agent: declined */
    CHECK(last_accept(&w) == NULL);
    feed_offer(&w, "o4", "h2", 5000, NULL); /* its agent, without the volume: waits */
    CHECK(last_accept(&w) == NULL);
    CHECK(strstr(kafka_world_broker_task(&w, 1)->wait_reason, saved.persistence_id));
    feed_offer(&w, "o5", "h2", 0, &saved); /* with them; no unreserved disk at all */
    Mesos__V1__Scheduler__Call__Accept *a = last_accept(&w);
    CHECK(a && a->n_operations == 1 && a->operations[0]->type == OPT(LAUNCH));
    const Mesos__V1__TaskInfo *ti = kafka_world_broker_launched(&w, 1);
    const Mesos__V1__Resource *d = ti ? find_res(ti->resources, ti->n_resources, "disk") : NULL;
    CHECK(d && d->disk && strcmp(d->disk->persistence->id, saved.persistence_id) == 0);
    const Mesos__V1__Resource *c = ti ? find_res(ti->resources, ti->n_resources, "cpus") : NULL;
    CHECK(c && c->scalar->value == 0.5 && reserved_for(c, "kafka", "ops"));
    CHECK_STR(b->vol.persistence_id, saved.persistence_id); /* the same volume */
    kmesos_kvol_clear(&saved);
    kafka_world_teardown(&w);
}

static void test_refused_operation_shows_and_stops_launches(void)
{
    world w;
    const char *agent;
    setup(&w);
    first_launch(&w, &agent);
    Mesos__V1__Scheduler__Call__Accept *a = last_accept(&w);
    char op_id[96];
    kmesos_str_copy(op_id, sizeof op_id, a ? a->operations[1]->id->value : "x");
    feed_operation(&w, "kafka-broker-1-unknown-op-that-parses-not", 4, "ignored");
    feed_operation(&w, "someone-else", MESOS__V1__OPERATION_STATE__OPERATION_ERROR, "x");
    CHECK(kmesos_kafka_broker(&w.k, 1)->vol.error == NULL);
    feed_operation(&w, op_id, MESOS__V1__OPERATION_STATE__OPERATION_ERROR,
                   "Invalid resources: Invalid DiskInfo: bad");
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "GET", "list", "broker=1", &body), 200);
    json_t *b1 = json_array_get(json_object_get(body, "brokers"), 0);
    const char *e = json_string_value(json_object_get(json_object_get(b1, "volume"), "error"));
    CHECK(e && strstr(e, "create: Invalid resources: Invalid DiskInfo: bad"));
    CHECK(strstr(json_string_value(json_object_get(b1, "last_failure")), "volume: create"));
    json_decref(body);
    kmesos_task *t = kafka_world_broker_task(&w, 1);
    kafka_world_feed_update(&w, t->id, agent, MESOS__V1__TASK_STATE__TASK_ERROR);
    w.f.now_ms += 5000;
    fake_io_reset(&w.f);
    feed_offer(&w, "o6", "h3", 5000, NULL); /* not launched elsewhere */
    CHECK(last_accept(&w) == NULL);
    CHECK(strstr(kafka_world_broker_task(&w, 1)->wait_reason, "the master refused"));
    kafka_world_teardown(&w);
}

static void test_remove_purge_destroys_then_unreserves(void)
{
    world w;
    const char *agent;
    setup(&w);
    first_launch(&w, &agent);
    kmesos_broker *b = kmesos_kafka_broker(&w.k, 1);
    json_t *j = kmesos_kvol_json(&b->vol);
    kmesos_kvol saved;
    char err[256];
    CHECK_INT(kmesos_kvol_from_json(j, &saved, err, sizeof err), 0);
    json_decref(j);
    kmesos_task *t = kafka_world_broker_task(&w, 1);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "stop", "broker=1"), 200);
    kafka_world_feed_update(&w, t->id, agent, MESOS__V1__TASK_STATE__TASK_KILLED);
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "POST", "remove", "broker=1&purge=true", &body), 200);
    if (json_object_get(body, "error"))
        fprintf(stderr, "%s\n", json_string_value(json_object_get(body, "error")));
    json_decref(body);
    CHECK_INT(w.k.n_purge, 1);
    CHECK(w.s.ext.wants_offers(w.s.ext.arg));
    fake_io_reset(&w.f);
    feed_offer(&w, "o7", "h1", 5000, NULL); /* another agent: nothing to do there */
    CHECK(last_accept(&w) == NULL);
    feed_offer(&w, "o8", "h2", 0, &saved);
    Mesos__V1__Scheduler__Call__Accept *a = last_accept(&w);
    CHECK(a && a->n_operations == 2);
    if (a && a->n_operations == 2) {
        CHECK_INT(a->operations[0]->type, OPT(DESTROY));
        CHECK(strncmp(a->operations[0]->id->value, "kafka-purge-destroy-", 20) == 0);
        CHECK_STR(a->operations[0]->destroy->volumes[0]->disk->persistence->id,
                  saved.persistence_id);
        CHECK_INT(a->operations[1]->type, OPT(UNRESERVE));
        CHECK_INT(a->operations[1]->unreserve->n_resources, 3);
        CHECK(reserved_for(a->operations[1]->unreserve->resources[0], "kafka", "ops"));
    }
    CHECK_INT(w.k.n_purge, 0);
    CHECK(!w.s.ext.wants_offers(w.s.ext.arg));
    kmesos_kvol_clear(&saved);
    kafka_world_teardown(&w);
}

int main(void)
{
    RUN_TEST(test_reserve_needs_a_role_and_valid_values);
    RUN_TEST(test_first_launch_reserves_and_creates);
    RUN_TEST(test_relaunch_goes_back_to_the_volume);
    RUN_TEST(test_refused_operation_shows_and_stops_launches);
    RUN_TEST(test_remove_purge_destroys_then_unreserves);
    return testlib_finish();
}
