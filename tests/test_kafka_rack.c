/* Tests of rack awareness (docs/kafka.md "Racks"): a broker launched on
 * an agent whose rack attribute (--rack-attribute, "rack" here) is r1
 * gets KAFKA_RACK=r1 in its environment (kafka-broker.sh writes
 * broker.rack from it), and broker list shows the rack; an agent without
 * the attribute gives neither. */
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "sched/kafka/kafka.h"
#include "kafka_world.h"
#include "testlib.h"

/* A text attribute name:value on offer o. */
static void add_attribute(Mesos__V1__Offer *o, const char *name, const char *value)
{
    Mesos__V1__Attribute *a = kmesos_pb_new(&mesos__v1__attribute__descriptor);
    a->name = strdup(name);
    a->type = MESOS__V1__VALUE__TYPE__TEXT;
    a->text = kmesos_pb_new(&mesos__v1__value__text__descriptor);
    a->text->value = strdup(value);
    kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, a);
}

/* Offers from h1..h3; racks[i] NULL: no attribute. */
static void feed_racked_offers(kafka_world *w, const char *const *racks)
{
    static const char *const ids[] = {"o1", "o2", "o3"};
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (size_t i = 0; i < 3; i++) {
        Mesos__V1__Offer *o = kafka_world_offer(ids[i], KAFKA_WORLD_HOSTS[i], 2, 4096, 31000,
                                                31009);
        if (racks[i])
            add_attribute(o, "rack", racks[i]);
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers, o);
    }
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

static const char *rack_of(json_t *list, int id)
{
    json_t *b = json_array_get(json_object_get(list, "brokers"), (size_t)id);
    json_t *r = json_object_get(b, "rack");
    return json_is_null(r) ? "(null)" : json_string_value(r);
}

static void test_rack_from_agent_attribute(void)
{
    kafka_world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=0..2&cpus=0.5&mem=1024&heap=256"),
              200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=*"), 200);
    static const char *const racks[] = {"r1", "r2", NULL};
    feed_racked_offers(&w, racks);
    for (int id = 0; id < 3; id++) {
        Mesos__V1__TaskInfo *ti = kafka_world_broker_launched(&w, id);
        CHECK(ti != NULL);
        if (!ti)
            continue;
        const char *host = kafka_world_env(ti, "KAFKA_HOST");
        const char *rack = kafka_world_env(ti, "KAFKA_RACK");
        int h = host ? host[1] - '1' : -1; /* h1..h3 */
        CHECK(h >= 0 && h < 3);
        if (h < 0 || h >= 3)
            continue;
        if (racks[h])
            CHECK_STR(rack, racks[h]);
        else
            CHECK(rack == NULL);
    }
    json_t *list = NULL;
    CHECK_INT(kafka_world_api(&w, "GET", "list", "", &list), 200);
    int seen_r1 = 0, seen_r2 = 0, seen_none = 0;
    for (int id = 0; id < 3; id++) {
        const char *r = rack_of(list, id);
        seen_r1 += r && strcmp(r, "r1") == 0;
        seen_r2 += r && strcmp(r, "r2") == 0;
        seen_none += r && strcmp(r, "(null)") == 0;
    }
    CHECK_INT(seen_r1, 1);
    CHECK_INT(seen_r2, 1);
    CHECK_INT(seen_none, 1);
    json_decref(list);
    kafka_world_teardown(&w);
}

int main(void)
{
    RUN_TEST(test_rack_from_agent_attribute);
    return testlib_finish();
}
