/* test_agents: the GET_AGENTS client's pure parts: the operator URL derived
 * from the scheduler URL, and applying an answer (protobuf and JSON) to the
 * topology: racks learned, scalar racks printed, agents no longer listed
 * forgotten, and a bad answer changing nothing. */
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "codec/protocol.h"
#include "mesos/v1/master/master.pb-c.h"
#include "sched/mesos/agents.h"
#include "fake_io.h"
#include "testlib.h"

static Mesos__V1__Attribute *attr_scalar(const char *name, double value)
{
    Mesos__V1__Attribute *a = kmesos_pb_new(&mesos__v1__attribute__descriptor);
    a->name = strdup(name);
    a->type = MESOS__V1__VALUE__TYPE__SCALAR;
    a->scalar = kmesos_pb_new(&mesos__v1__value__scalar__descriptor);
    a->scalar->value = value;
    return a;
}

static void add_agent(Mesos__V1__Master__Response__GetAgents *g, const char *id, const char *host,
                      Mesos__V1__Attribute *attr)
{
    Mesos__V1__Master__Response__GetAgents__Agent *ag =
        kmesos_pb_new(&mesos__v1__master__response__get_agents__agent__descriptor);
    ag->agent_info = kmesos_pb_new(&mesos__v1__agent_info__descriptor);
    ag->agent_info->hostname = strdup(host);
    ag->agent_info->id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, id);
    if (attr)
        kmesos_pb_push((void ***)&ag->agent_info->attributes, &ag->agent_info->n_attributes, attr);
    ag->version = strdup("1.12.0");
    kmesos_pb_push((void ***)&g->agents, &g->n_agents, ag);
}

/* A GET_AGENTS answer with n of the three agents a1 (r1), a2 (rack 7) and
 * a3 (no rack), encoded in ct. */
static kmesos_buf answer(kmesos_content_type ct, int n)
{
    Mesos__V1__Master__Response *r = kmesos_pb_new(&mesos__v1__master__response__descriptor);
    r->has_type = 1;
    r->type = MESOS__V1__MASTER__RESPONSE__TYPE__GET_AGENTS;
    r->get_agents = kmesos_pb_new(&mesos__v1__master__response__get_agents__descriptor);
    add_agent(r->get_agents, "a1", "h1", fake_io_text_attr("rack", "r1"));
    if (n > 1)
        add_agent(r->get_agents, "a2", "h2", attr_scalar("rack", 7));
    if (n > 2)
        add_agent(r->get_agents, "a3", "h3", fake_io_text_attr("zone", "z1"));
    kmesos_buf b;
    kmesos_buf_init(&b);
    CHECK_INT(kmesos_protocol_encode(&r->base, ct, &b), 0);
    kmesos_pb_free(r);
    return b;
}

static void check_apply(kmesos_content_type ct)
{
    kmesos_topology t;
    kmesos_topology_init(&t, NULL);
    char err[256];
    kmesos_buf b = answer(ct, 3);
    CHECK_INT(kmesos_agents_apply(&t, ct, b.data, b.len, err, sizeof err), 0);
    kmesos_buf_free(&b);
    CHECK_INT(t.n_agents, 3);
    CHECK_STR(kmesos_topology_rack_of_host(&t, "h1"), "r1");
    CHECK_STR(kmesos_topology_rack_of_agent(&t, "a2"), "7");
    CHECK(kmesos_topology_rack_of_host(&t, "h3") == NULL);
    b = answer(ct, 1); /* a2 and a3 are gone */
    CHECK_INT(kmesos_agents_apply(&t, ct, b.data, b.len, err, sizeof err), 0);
    kmesos_buf_free(&b);
    CHECK_INT(t.n_agents, 1);
    CHECK(kmesos_topology_rack_of_agent(&t, "a2") == NULL);
    kmesos_topology_free(&t);
}

static void test_apply_protobuf(void) { check_apply(KMESOS_CT_PROTOBUF); }
static void test_apply_json(void) { check_apply(KMESOS_CT_JSON); }

static void test_bad_answers_change_nothing(void)
{
    kmesos_topology t;
    kmesos_topology_init(&t, NULL);
    kmesos_topology_learn(&t, "a9", "h9", "r9");
    uint64_t g = t.generation;
    char err[256] = "";
    const char *garbage = "\xff\xff\xff";
    CHECK_INT(kmesos_agents_apply(&t, KMESOS_CT_PROTOBUF, (const uint8_t *)garbage, 3, err,
                                  sizeof err), -1);
    CHECK(err[0] != '\0');
    const char *json = "{\"type\":\"GET_HEALTH\",\"get_health\":{\"healthy\":true}}";
    CHECK_INT(kmesos_agents_apply(&t, KMESOS_CT_JSON, (const uint8_t *)json, strlen(json), err,
                                  sizeof err), -1);
    CHECK(strstr(err, "GET_AGENTS") != NULL);
    const char *notjson = "{\"type\":";
    CHECK_INT(kmesos_agents_apply(&t, KMESOS_CT_JSON, (const uint8_t *)notjson, strlen(notjson),
                                  err, sizeof err), -1);
    CHECK_INT(t.generation, g);
    CHECK_STR(kmesos_topology_rack_of_host(&t, "h9"), "r9");
    kmesos_topology_free(&t);
}

static void test_operator_url(void)
{
    char out[256];
    CHECK_INT(kmesos_agents_operator_url("http://m:5050/api/v1/scheduler", out, sizeof out), 0);
    CHECK_STR(out, "http://m:5050/api/v1");
    CHECK_INT(kmesos_agents_operator_url("http://m:5050/master/api/v1/scheduler", out, sizeof out),
              0);
    CHECK_STR(out, "http://m:5050/master/api/v1");
    CHECK_INT(kmesos_agents_operator_url("http://m:5050/other", out, sizeof out), -1);
    CHECK_INT(kmesos_agents_operator_url(NULL, out, sizeof out), -1);
    char tiny[8];
    CHECK_INT(kmesos_agents_operator_url("http://m:5050/api/v1/scheduler", tiny, sizeof tiny), -1);
}

int main(void)
{
    RUN_TEST(test_apply_protobuf);
    RUN_TEST(test_apply_json);
    RUN_TEST(test_bad_answers_change_nothing);
    RUN_TEST(test_operator_url);
    return testlib_finish();
}
