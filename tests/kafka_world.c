/* kafka_world: see kafka_world.h. */
#include "kafka_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "sched/api/broker_api.h"
#include "testlib.h"

void kafka_world_setup(kafka_world *w, kmesos_fetch_mode mode)
{
    memset(w, 0, sizeof *w);
    w->f.now_ms = 1000000;
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = fake_io_make(&w->f);
    kmesos_scheduler_init(&w->s, &cfg, &io, NULL, 0);
    kmesos_kafka_config kc = {.executor = "/opt/km/kmesos-executor",
                              .dist = "/cache/kafka-4.4.0.tgz", .fetch = mode,
                              .files_url = "http://sched:7000", .data_root = "/data"};
    char err[256];
    CHECK_INT(kmesos_kafka_init(&w->k, &w->s, &kc, err, sizeof err), 0);
    kmesos_kafka_attach(&w->k);
    kmesos_scheduler_on_subscribed(&w->s, "fw-1");
    fake_io_reset(&w->f);
}

void kafka_world_teardown(kafka_world *w)
{
    fake_io_reset(&w->f);
    kmesos_scheduler_free(&w->s);
    kmesos_kafka_free(&w->k);
}

Mesos__V1__Offer *kafka_world_offer(const char *id, const char *host, double cpus, double mem,
                                    uint64_t lo, uint64_t hi)
{
    char agent[32];
    snprintf(agent, sizeof agent, "agent-%s", host);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw-1");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    o->hostname = strdup(host);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("cpus", cpus, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("mem", mem, "*"));
    Mesos__V1__Resource *r = kmesos_pb_new(&mesos__v1__resource__descriptor);
    r->name = strdup("ports");
    r->type = MESOS__V1__VALUE__TYPE__RANGES;
    r->ranges = kmesos_pb_new(&mesos__v1__value__ranges__descriptor);
    Mesos__V1__Value__Range *range = kmesos_pb_new(&mesos__v1__value__range__descriptor);
    range->begin = lo;
    range->end = hi;
    kmesos_pb_push((void ***)&r->ranges->range, &r->ranges->n_range, range);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, r);
    return o;
}

void kafka_world_feed_offers(kafka_world *w, const char *const *ids, const char *const *hosts,
                             size_t n, double cpus, double mem)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (size_t i = 0; i < n; i++)
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers,
                       kafka_world_offer(ids[i], hosts[i], cpus, mem, 31000, 31009));
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

void kafka_world_feed_update(kafka_world *w, const char *task_id, const char *agent, int state)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE;
    ev->update = kmesos_pb_new(&mesos__v1__scheduler__event__update__descriptor);
    Mesos__V1__TaskStatus *st = kmesos_pb_new(&mesos__v1__task_status__descriptor);
    st->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task_id);
    st->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    st->state = state;
    st->message = strdup(state == MESOS__V1__TASK_STATE__TASK_FAILED ? "exited with status 1" : "");
    ev->update->status = st;
    kmesos_scheduler_on_event(&w->s, ev);
    kmesos_pb_free(ev);
}

Mesos__V1__TaskInfo *kafka_world_launched(const kafka_world *w, const char *prefix)
{
    for (size_t i = 0; i < w->f.n; i++) {
        kmesos_call *c = w->f.calls[i];
        if (c->type != MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
            continue;
        for (size_t j = 0; j < c->accept->n_operations; j++) {
            Mesos__V1__Offer__Operation__Launch *l = c->accept->operations[j]->launch;
            for (size_t k = 0; l && k < l->n_task_infos; k++)
                if (strncmp(l->task_infos[k]->task_id->value, prefix, strlen(prefix)) == 0)
                    return l->task_infos[k];
        }
    }
    return NULL;
}

const char *kafka_world_env(const Mesos__V1__TaskInfo *ti, const char *name)
{
    const Mesos__V1__Environment *env = ti->executor->command->environment;
    for (size_t i = 0; i < env->n_variables; i++)
        if (strcmp(env->variables[i]->name, name) == 0)
            return env->variables[i]->value;
    return NULL;
}

void kafka_world_doc(kafka_world *w, kmesos_state_doc *d)
{
    kmesos_state_section kafka = {"kafka", kmesos_kafka_state_save, kmesos_kafka_state_load,
                                  &w->k};
    kmesos_state_doc_init(d, &w->s);
    CHECK_INT(kmesos_state_doc_add(d, &kafka), 0);
}

unsigned kafka_world_api(kafka_world *w, const char *method, const char *cmd, const char *form,
                         json_t **body)
{
    kmesos_broker_api_params p = {0};
    CHECK_INT(kmesos_broker_api_parse_form(&p, form, strlen(form), &(kmesos_api_param_error){0}), 0);
    unsigned status = kmesos_broker_api_run(&w->k, method, cmd, &p, body);
    kmesos_broker_api_params_free(&p);
    return status;
}

unsigned kafka_world_api_drop(kafka_world *w, const char *method, const char *cmd,
                              const char *form)
{
    json_t *body = NULL;
    unsigned st = kafka_world_api(w, method, cmd, form, &body);
    json_decref(body);
    return st;
}

kmesos_task *kafka_world_broker_task(kafka_world *w, int id)
{
    kmesos_broker *b = kmesos_kafka_broker(&w->k, id);
    return b ? kmesos_kafka_task(&w->k, &b->node) : NULL;
}

Mesos__V1__TaskInfo *kafka_world_broker_launched(const kafka_world *w, int id)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "broker-%d-", id);
    return kafka_world_launched(w, prefix);
}

const char *const KAFKA_WORLD_HOSTS[3] = {"h1", "h2", "h3"};

void kafka_world_run_brokers(kafka_world *w, int n, const char *extra)
{
    char form[256];
    snprintf(form, sizeof form, "broker=0..%d&cpus=0.5&mem=1024&heap=256%s", n - 1, extra);
    CHECK_INT(kafka_world_api_drop(w, "POST", "add", form), 200);
    CHECK_INT(kafka_world_api_drop(w, "POST", "start", "broker=*"), 200);
    const char *ids[] = {"o1", "o2", "o3"};
    kafka_world_feed_offers(w, ids, KAFKA_WORLD_HOSTS, (size_t)n, 2, 4096);
}
