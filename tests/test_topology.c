/* test_topology: the cluster shape the scheduler learns from GET_AGENTS and
 * offers: racks by agent and by host, updates, forgetting, and the
 * generation that tells readers when to rebuild. */
#include "sched/topology.h"
#include "testlib.h"

static void test_learn_and_lookup(void)
{
    kmesos_topology t;
    CHECK_INT(kmesos_topology_init(&t, NULL), 0);
    CHECK_STR(t.rack_attribute, "rack");
    CHECK(kmesos_topology_rack_of_host(&t, "h1") == NULL);
    CHECK_INT(kmesos_topology_learn(&t, "a1", "h1", "r1"), 0);
    CHECK_INT(kmesos_topology_learn(&t, "a2", "h2", NULL), 0);
    CHECK_STR(kmesos_topology_rack_of_host(&t, "h1"), "r1");
    CHECK_STR(kmesos_topology_rack_of_agent(&t, "a1"), "r1");
    CHECK(kmesos_topology_rack_of_agent(&t, "a2") == NULL);
    CHECK(kmesos_topology_rack_of_host(&t, "h2") == NULL);
    CHECK(kmesos_topology_rack_of_host(&t, NULL) == NULL);
    CHECK_INT(t.n_agents, 2);
    kmesos_topology_free(&t);
}

static void test_generation_only_on_change(void)
{
    kmesos_topology t;
    kmesos_topology_init(&t, "zone");
    CHECK_STR(t.rack_attribute, "zone");
    kmesos_topology_learn(&t, "a1", "h1", "r1");
    uint64_t g = t.generation;
    CHECK(g > 0);
    kmesos_topology_learn(&t, "a1", "h1", "r1"); /* an offer repeating it */
    CHECK_INT(t.generation, g);
    kmesos_topology_learn(&t, "a1", "h1", "r2"); /* moved racks */
    CHECK(t.generation > g);
    CHECK_STR(kmesos_topology_rack_of_host(&t, "h1"), "r2");
    g = t.generation;
    kmesos_topology_forget(&t, "a1");
    CHECK(t.generation > g);
    CHECK(kmesos_topology_rack_of_agent(&t, "a1") == NULL);
    CHECK_STR(kmesos_topology_rack_of_host(&t, "h1"), "r2"); /* the host keeps it */
    CHECK_INT(t.n_agents, 0);
    kmesos_topology_forget(&t, "nope");
    kmesos_topology_free(&t);
}

static void test_agent_reregisters_on_other_host(void)
{
    kmesos_topology t;
    kmesos_topology_init(&t, NULL);
    kmesos_topology_learn(&t, "a1", "h1", "r1");
    kmesos_topology_learn(&t, "a1", "h9", "r3");
    CHECK_STR(kmesos_topology_rack_of_agent(&t, "a1"), "r3");
    CHECK_STR(kmesos_topology_rack_of_host(&t, "h9"), "r3");
    CHECK_INT(t.n_agents, 1);
    CHECK_INT(kmesos_topology_learn(&t, NULL, "h1", "r1"), 0); /* ignored */
    CHECK_INT(t.n_agents, 1);
    kmesos_topology_free(&t);
}

int main(void)
{
    RUN_TEST(test_learn_and_lookup);
    RUN_TEST(test_generation_only_on_change);
    RUN_TEST(test_agent_reregisters_on_other_host);
    return testlib_finish();
}
