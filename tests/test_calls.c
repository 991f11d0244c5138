/* Every Call the scheduler builds: protobuf and JSON round trips (encode,
 * decode, encode again: same bytes), and the JSON of our DECLINE, REVIVE,
 * ACKNOWLEDGE, KILL and SUPPRESS equal to what was sent to a real Mesos
 * 1.12 master in the recorded sessions. */
#include <stdlib.h>

#include "codec/base64.h"
#include "codec/pbjson.h"
#include "codec/protocol.h"
#include "sched/calls.h"
#include "codec/pb.h"
#include "testlib.h"

#define CAP KMESOS_TEST_DATA "/mesos-captures/scheduler/"

static void round_trip(kmesos_call *c, kmesos_content_type ct)
{
    kmesos_buf a, b;
    kmesos_buf_init(&a);
    kmesos_buf_init(&b);
    CHECK_INT(kmesos_protocol_encode(&c->base, ct, &a), 0);
    char err[256];
    ProtobufCMessage *m = kmesos_protocol_decode(&mesos__v1__scheduler__call__descriptor, ct,
                                                 a.data, a.len, err, sizeof err);
    CHECK(m != NULL);
    if (m) {
        CHECK_INT(kmesos_protocol_encode(m, ct, &b), 0);
        CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        protobuf_c_message_free_unpacked(m, NULL);
    }
    kmesos_buf_free(&a);
    kmesos_buf_free(&b);
}

static void with_framework(kmesos_call *c, const char *id)
{
    c->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, id);
}

/* Our call's JSON equals the recorded request body. */
static void check_recorded(kmesos_call *c, const char *file)
{
    json_t *want = json_load_file(file, 0, NULL);
    json_t *mine = kmesos_pbjson_from_message(&c->base);
    CHECK(want != NULL);
    CHECK(want && mine && json_equal(want, mine));
    if (want && mine && !json_equal(want, mine)) {
        char *a = json_dumps(want, JSON_SORT_KEYS), *b = json_dumps(mine, JSON_SORT_KEYS);
        fprintf(stderr, "  want %s\n  mine %s\n", a, b);
        free(a);
        free(b);
    }
    json_decref(want);
    json_decref(mine);
}

static kmesos_call *an_accept(void)
{
    Mesos__V1__TaskInfo *ti = kmesos_pb_new(&mesos__v1__task_info__descriptor);
    ti->name = strdup("sleep-task");
    ti->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, "sleep-proto");
    ti->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, "agent-S0");
    kmesos_pb_push((void ***)&ti->resources, &ti->n_resources, kmesos_pb_scalar("cpus", 0.1, "*"));
    Mesos__V1__TaskInfo *infos[] = {ti};
    return kmesos_call_accept("offer-O10", infos, 1, 5.0);
}

/* An ACCEPT with offer operations first: their order, then the LAUNCH;
 * with operations alone, no LAUNCH at all. */
static void test_accept_with_operations(void)
{
    Mesos__V1__Offer__Operation *ops[2];
    for (int i = 0; i < 2; i++) {
        ops[i] = kmesos_pb_new(&mesos__v1__offer__operation__descriptor);
        ops[i]->has_type = 1;
        ops[i]->type = i ? MESOS__V1__OFFER__OPERATION__TYPE__UNRESERVE
                         : MESOS__V1__OFFER__OPERATION__TYPE__DESTROY;
    }
    kmesos_call *c = kmesos_call_accept_ops("o1", ops, 2, NULL, 0, 5.0);
    CHECK(c && c->accept && c->accept->n_operations == 2);
    if (c && c->accept && c->accept->n_operations == 2) {
        CHECK_INT(c->accept->operations[0]->type, MESOS__V1__OFFER__OPERATION__TYPE__DESTROY);
        CHECK_INT(c->accept->operations[1]->type, MESOS__V1__OFFER__OPERATION__TYPE__UNRESERVE);
        CHECK_STR(c->accept->offer_ids[0]->value, "o1");
    }
    kmesos_pb_free(c);
    kmesos_call *plain = an_accept();
    Mesos__V1__Offer__Operation *rsv = kmesos_pb_new(&mesos__v1__offer__operation__descriptor);
    rsv->has_type = 1;
    rsv->type = MESOS__V1__OFFER__OPERATION__TYPE__RESERVE;
    Mesos__V1__TaskInfo **infos = plain->accept->operations[0]->launch->task_infos;
    plain->accept->operations[0]->launch->task_infos = NULL;
    plain->accept->operations[0]->launch->n_task_infos = 0;
    c = kmesos_call_accept_ops("o2", &rsv, 1, infos, 1, 5.0);
    free(infos);
    CHECK(c && c->accept->n_operations == 2 &&
          c->accept->operations[0]->type == MESOS__V1__OFFER__OPERATION__TYPE__RESERVE &&
          c->accept->operations[1]->launch->n_task_infos == 1);
    kmesos_pb_free(c);
    kmesos_pb_free(plain);
}

static void test_every_call_round_trips(void)
{
    const char *ids[] = {"o1", "o2"};
    const char *tasks[] = {"t1", "t2"};
    const char *agents[] = {"a1", NULL};
    uint8_t uuid[16] = {1, 2, 3};
    kmesos_call *calls[] = {
        an_accept(),
        kmesos_call_decline(ids, 2, 5.0),
        kmesos_call_decline_inverse(ids, 1),
        kmesos_call_acknowledge("a1", "t1", uuid, sizeof uuid),
        kmesos_call_reconcile(tasks, agents, 2),
        kmesos_call_reconcile(NULL, NULL, 0),
        kmesos_call_kill("t1", "a1"),
        kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE),
        kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS),
        kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__TEARDOWN),
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        CHECK(calls[i] != NULL);
        if (!calls[i])
            continue;
        with_framework(calls[i], "fw-1");
        round_trip(calls[i], KMESOS_CT_PROTOBUF);
        round_trip(calls[i], KMESOS_CT_JSON);
        kmesos_pb_free(calls[i]);
    }
}

static void test_calls_match_recorded_requests(void)
{
    const char *fw0 = "f0a4f90e-e2ad-42c4-a867-2c78a7cebd72-0000";
    const char *offer = "f0a4f90e-e2ad-42c4-a867-2c78a7cebd72-O0";
    kmesos_call *c = kmesos_call_decline(&offer, 1, 1.0);
    with_framework(c, fw0);
    check_recorded(c, CAP "json-decline-revive/a_decline.request.json");
    kmesos_pb_free(c);

    c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__REVIVE);
    with_framework(c, fw0);
    check_recorded(c, CAP "json-decline-revive/a_revive.request.json");
    kmesos_pb_free(c);

    size_t n = 0;
    uint8_t *uuid = kmesos_base64_decode("O87gJ2FnTcqAQPqCU1yxdQ==", &n);
    c = kmesos_call_acknowledge("f0a4f90e-e2ad-42c4-a867-2c78a7cebd72-S0", "sleep-json2", uuid, n);
    with_framework(c, "f0a4f90e-e2ad-42c4-a867-2c78a7cebd72-0003");
    check_recorded(c, CAP "json-launch-ack/c3_json_ack01_TASK_STARTING.request.json");
    kmesos_pb_free(c);
    free(uuid);

    json_t *kill = json_load_file(CAP "suppress-revive-invalid/call03_KILL_unknown_task.request.json",
                                  0, NULL);
    const char *fw = json_string_value(json_object_get(json_object_get(kill, "framework_id"), "value"));
    const char *task = json_string_value(json_object_get(
        json_object_get(json_object_get(kill, "kill"), "task_id"), "value"));
    json_t *agent = json_object_get(json_object_get(kill, "kill"), "agent_id");
    c = kmesos_call_kill(task ? task : "", agent ? json_string_value(json_object_get(agent, "value")) : NULL);
    with_framework(c, fw ? fw : "");
    check_recorded(c, CAP "suppress-revive-invalid/call03_KILL_unknown_task.request.json");
    kmesos_pb_free(c);

    c = kmesos_call_simple(MESOS__V1__SCHEDULER__CALL__TYPE__SUPPRESS);
    with_framework(c, fw ? fw : "");
    check_recorded(c, CAP "suppress-revive-invalid/call07_SUPPRESS.request.json");
    kmesos_pb_free(c);
    json_decref(kill);
}

int main(void)
{
    RUN_TEST(test_every_call_round_trips);
    RUN_TEST(test_accept_with_operations);
    RUN_TEST(test_calls_match_recorded_requests);
    return testlib_finish();
}
