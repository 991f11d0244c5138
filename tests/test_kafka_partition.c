/* Tests of Kafka brokers under Mesos' partition-aware task states and on
 * agents that share a host, with the kafka_world harness (fake io,
 * captured calls, settable clock):
 * - an unreachable broker keeps its slot for --unreachable-grace (no
 *   second copy of a broker with the same id and data), then is given
 *   up, which is when its failure is counted; back after that, it is
 *   adopted with its slot and its state;
 * - TASK_GONE: replaced at once, uncounted, and no longer sticky to the
 *   agent that held its data;
 * - the broker's executor declares its resources, and the offer match
 *   counts them;
 * - two agents on one host are two slots: one controller each; a voter
 *   comes back to its agent, or to its host once that agent is gone. */
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "kafka_world.h"
#include "testlib.h"

typedef kafka_world world;

static kmesos_broker *broker(world *w, int id) { return kmesos_kafka_broker(&w->k, id); }

/* One tick of the program: the scheduler's, then the Kafka module's. */
static void tick(world *w, uint64_t advance_ms)
{
    w->f.now_ms += advance_ms;
    kmesos_scheduler_tick(&w->s);
    kmesos_kafka_tick(&w->k);
}

/* A broker-sized offer (2 cpus, 4096 MB, ports 31000-31009) on agent
 * on host. */
static Mesos__V1__Offer *offer_on(const char *id, const char *agent, const char *host)
{
    Mesos__V1__Offer *o = kafka_world_offer(id, host, 2, 4096, 31000, 31009);
    free(o->agent_id->value);
    o->agent_id->value = strdup(agent);
    return o;
}

/* Broker 0 (failover delay 10 s) launched on h1 and RUNNING; its task id
 * copied to id. */
static kmesos_task *running_broker(world *w, char *id, size_t n)
{
    kafka_world_setup(w, KMESOS_FETCH_URI);
    kafka_world_run_brokers(w, 1, "&failover_delay=10s");
    kmesos_task *t = kafka_world_broker_task(w, 0);
    snprintf(id, n, "%s", t ? t->id : "");
    kafka_world_feed_update(w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    fake_io_reset(&w->f);
    return t;
}

static void test_unreachable_broker_is_kept_then_given_up(void)
{
    world w;
    char id[64];
    kmesos_task *t = running_broker(&w, id, sizeof id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_UNREACHABLE);
    tick(&w, 60000); /* within the grace (120 s) */
    const char *ids[] = {"o7", "o8"}, *hosts[] = {"h1", "h2"};
    kafka_world_feed_offers(&w, ids, hosts, 2, 2, 4096);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    CHECK_INT(t->phase, KMESOS_PHASE_ACTIVE);
    CHECK_STR(t->id, id);
    CHECK_INT(broker(&w, 0)->node.failures, 0); /* nothing counted yet */
    CHECK(broker(&w, 0)->stopped_at_s == 0);
    tick(&w, 61000);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK(strcmp(t->id, id) != 0);
    CHECK_INT(broker(&w, 0)->node.failures, 1); /* counted at the give-up */
    CHECK(broker(&w, 0)->node.last_failure &&
          strncmp(broker(&w, 0)->node.last_failure, "TASK_UNREACHABLE: unreachable for 121s",
                  38) == 0);
    CHECK_INT(t->next_attempt_ms, w.f.now_ms + 10000); /* its failover delay */
    CHECK(broker(&w, 0)->stopped_at_s > 0);           /* stickiness starts */
    kafka_world_teardown(&w);
}

static void test_broker_back_after_give_up_is_adopted(void)
{
    world w;
    char id[64];
    kmesos_task *t = running_broker(&w, id, sizeof id);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_UNKNOWN);
    tick(&w, 121000);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    /* the agent re-registers: the original task is RUNNING */
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(t->phase, KMESOS_PHASE_ACTIVE);
    CHECK_STR(t->id, id);
    CHECK_INT(t->state, MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(broker(&w, 0)->node.failures, 0);
    CHECK(broker(&w, 0)->stopped_at_s == 0);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__KILL), 0);
    CHECK_INT(kmesos_tasks_pending(&w.s.tasks), 0);
    tick(&w, 1000); /* settles: nothing launches a second copy */
    const char *ids[] = {"o9"};
    kafka_world_feed_offers(&w, ids, KAFKA_WORLD_HOSTS, 1, 2, 4096);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    kafka_world_teardown(&w);
}

static void test_gone_by_operator_ends_stickiness(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_run_brokers(&w, 3, "&failover_delay=10s");
    /* broker 3 is no voter: only stickiness ties it to an agent */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=3&cpus=0.5&mem=1024&heap=256"),
              200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=3"), 200);
    const char *ids[] = {"o4"};
    kafka_world_feed_offers(&w, ids, KAFKA_WORLD_HOSTS, 1, 2, 4096);
    kmesos_task *t = kafka_world_broker_task(&w, 3);
    char id[64];
    snprintf(id, sizeof id, "%s", t ? t->id : "");
    CHECK(t && t->phase == KMESOS_PHASE_LAUNCHING);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    kafka_world_feed_update(&w, id, "agent-h1", MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR);
    CHECK_INT(t->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(t->next_attempt_ms, w.f.now_ms); /* at once */
    CHECK_INT(broker(&w, 3)->node.failures, 0);
    CHECK(broker(&w, 3)->agent_id == NULL && broker(&w, 3)->node.host == NULL);
    t = kafka_world_broker_task(&w, 3);
    CHECK_INT(t->workload->n_prefer_agents + t->workload->n_prefer_hosts, 0);
    /* a plain TASK_GONE (e.g. reconciling a task its live agent no longer
     * has) is replaced at once too, but stays sticky: the data may be there */
    kmesos_task *t1 = kafka_world_broker_task(&w, 1);
    kafka_world_feed_update(&w, t1->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    kafka_world_feed_update(&w, t1->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_GONE);
    t1 = kafka_world_broker_task(&w, 1);
    CHECK_INT(t1->phase, KMESOS_PHASE_PENDING);
    CHECK_INT(broker(&w, 1)->node.failures, 0);
    CHECK(broker(&w, 1)->agent_id != NULL);
    CHECK_INT(t1->workload->n_prefer_agents, 1);
    /* a FAILED broker, by contrast, stays sticky to its agent */
    kmesos_task *t0 = kafka_world_broker_task(&w, 0);
    kafka_world_feed_update(&w, t0->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_RUNNING);
    kafka_world_feed_update(&w, t0->id, "agent-h1", MESOS__V1__TASK_STATE__TASK_FAILED);
    t0 = kafka_world_broker_task(&w, 0);
    CHECK(t0->workload->n_prefer_agents == 1 &&
          strcmp(t0->workload->prefer_agents[0], "agent-h1") == 0);
    kafka_world_teardown(&w);
}

static void test_executor_declares_its_resources(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_run_brokers(&w, 1, "");
    Mesos__V1__TaskInfo *ti = kafka_world_broker_launched(&w, 0);
    CHECK(ti && ti->executor && ti->executor->n_resources == 2);
    if (ti && ti->executor && ti->executor->n_resources == 2) {
        CHECK_STR(ti->executor->resources[0]->name, "cpus");
        CHECK(ti->executor->resources[0]->scalar->value == KMESOS_KAFKA_EXEC_CPUS);
        CHECK_STR(ti->executor->resources[1]->name, "mem");
        CHECK(ti->executor->resources[1]->scalar->value == KMESOS_KAFKA_EXEC_MEM);
    }
    /* a broker of 0.5 cpus and 1024 MB needs 0.6 and 1056 with its executor */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=1&cpus=0.5&mem=1024&heap=256"),
              200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=1"), 200);
    fake_io_reset(&w.f);
    const char *ids[] = {"small"}, *hosts[] = {"h2"};
    kafka_world_feed_offers(&w, ids, hosts, 1, 0.55, 4096);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    kmesos_task *t = kafka_world_broker_task(&w, 1);
    CHECK(t && t->wait_reason && strstr(t->wait_reason, "insufficient cpus: need 0.6"));
    const char *ids2[] = {"tight"};
    kafka_world_feed_offers(&w, ids2, hosts, 1, 0.6, 1056);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    kafka_world_teardown(&w);
}

/* An agent lost (FAILURE with only an agent id). */
static void lose_agent(world *w, const char *agent)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__FAILURE;
    ev->failure = kmesos_pb_new(&mesos__v1__scheduler__event__failure__descriptor);
    ev->failure->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

static void test_two_agents_on_one_host_get_a_controller_each(void)
{
    world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=0..2&cpus=0.5&mem=1024&heap=256"),
              200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=*"), 200);
    /* three agents, two of them on host h1 */
    Mesos__V1__Offer *offers[] = {offer_on("oa", "agent-a", "h1"),
                                  offer_on("ob", "agent-b", "h1"),
                                  offer_on("oc", "agent-c", "h2")};
    fake_io_feed(&w.s, offers, 3);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 3);
    CHECK_INT(w.k.n_voters, 3);
    int seen_a = 0, seen_b = 0, seen_c = 0, on_b = -1;
    for (size_t i = 0; i < w.k.n_voters; i++) {
        const char *a = w.k.voters[i].agent_id ? w.k.voters[i].agent_id : "";
        seen_a += strcmp(a, "agent-a") == 0;
        seen_b += strcmp(a, "agent-b") == 0;
        seen_c += strcmp(a, "agent-c") == 0;
        if (strcmp(a, "agent-b") == 0)
            on_b = w.k.voters[i].id;
    }
    CHECK(seen_a == 1 && seen_b == 1 && seen_c == 1);
    /* the voters with their agents are saved */
    kmesos_state_doc d;
    kafka_world_doc(&w, &d);
    char *dump = kmesos_state_dump(&d);
    CHECK(dump && strstr(dump, "\"agent_id\": \"agent-b\""));
    free(dump);
    json_t *bj = kmesos_kafka_broker_json(&w.k, broker(&w, on_b < 0 ? 0 : on_b));
    CHECK_STR(json_string_value(json_object_get(json_object_get(bj, "controller"), "agent_id")),
              "agent-b");
    json_decref(bj);
    /* the voter of agent-b fails: it comes back only to agent-b ... */
    kmesos_task *t = kafka_world_broker_task(&w, on_b < 0 ? 0 : on_b);
    char id[64];
    snprintf(id, sizeof id, "%s", t->id);
    kafka_world_feed_update(&w, id, "agent-b", MESOS__V1__TASK_STATE__TASK_RUNNING);
    kafka_world_feed_update(&w, id, "agent-b", MESOS__V1__TASK_STATE__TASK_FAILED);
    tick(&w, 60000);
    fake_io_reset(&w.f);
    Mesos__V1__Offer *same_host[] = {offer_on("oa2", "agent-a", "h1")};
    fake_io_feed(&w.s, same_host, 1);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 0);
    CHECK(t->wait_reason && strstr(t->wait_reason, "voter on host h1 (agent agent-b)"));
    /* ... unless agent-b is gone: then a new agent on its host takes it */
    lose_agent(&w, "agent-b");
    Mesos__V1__Offer *restarted[] = {offer_on("od", "agent-d", "h1")};
    fake_io_feed(&w.s, restarted, 1);
    CHECK_INT(fake_io_count(&w.f, MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT), 1);
    snprintf(id, sizeof id, "%s", t->id);
    kafka_world_feed_update(&w, id, "agent-d", MESOS__V1__TASK_STATE__TASK_RUNNING);
    const kmesos_voter *v = kmesos_kafka_voter(&w.k, on_b);
    CHECK(v && v->agent_id && strcmp(v->agent_id, "agent-d") == 0);
    kafka_world_teardown(&w);
}

int main(void)
{
    RUN_TEST(test_unreachable_broker_is_kept_then_given_up);
    RUN_TEST(test_broker_back_after_give_up_is_adopted);
    RUN_TEST(test_gone_by_operator_ends_stickiness);
    RUN_TEST(test_executor_declares_its_resources);
    RUN_TEST(test_two_agents_on_one_host_get_a_controller_each);
    return testlib_finish();
}
