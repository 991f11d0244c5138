/* core: see core.h. Events are built as heap protobuf trees with the
 * codec/pb helpers and freed after the core has seen them; the io answers
 * the clocks from the simulator and passes every Call, still as a
 * struct, to the simulator's hook (encoding it would only cost time: the
 * scheduler's own tests cover the wire form). */
#include "sim/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "codec/protocol.h"

static int io_send(void *arg, kmesos_call *call)
{
    ksim_core *c = arg;
    c->hooks.call(c->hooks.arg, c->fw, call);
    return 0;
}

static uint64_t io_now_ms(void *arg)
{
    ksim_core *c = arg;
    return c->hooks.now_ms(c->hooks.arg) + KSIM_CORE_CLOCK_BASE_MS;
}

static double io_now_s(void *arg)
{
    ksim_core *c = arg;
    return KSIM_CORE_EPOCH_S + (double)c->hooks.now_ms(c->hooks.arg) / 1000.0;
}

int ksim_core_init(ksim_core *c, const ksim_core_config *cfg, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->hooks = cfg->hooks;
    c->fw = cfg->fw;
    kmesos_policy_config pc = {.files = cfg->policies, .n_files = cfg->n_policies,
                               .options = cfg->options};
    char why[1024];
    c->policy = kmesos_policy_new(&pc, why, sizeof why);
    if (!c->policy) {
        snprintf(err, errlen, "policy chain does not load: %s", why);
        return -1;
    }
    kmesos_scheduler_config sc;
    kmesos_scheduler_config_defaults(&sc);
    sc.offer_hold_s = cfg->offer_hold_s;
    sc.decline_refuse_s = cfg->decline_refuse_s;
    sc.wait_refuse_s = cfg->wait_refuse_s;
    kmesos_scheduler_io io = {.arg = c, .send = io_send, .now_ms = io_now_ms, .now_s = io_now_s};
    if (kmesos_scheduler_init(&c->sched, &sc, &io, NULL, 0) != 0) {
        kmesos_scheduler_free(&c->sched);
        kmesos_policy_free(c->policy);
        c->policy = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    kmesos_policy_attach(c->policy, &c->sched.offers, &c->sched.tasks);
    kmesos_policy_attach_topology(c->policy, &c->sched.topology);
    kmesos_policy_bind(c->policy, &c->sched.decider);
    c->sched.trace = cfg->trace;
    return 0;
}

void ksim_core_free(ksim_core *c)
{
    if (c->policy)
        kmesos_scheduler_free(&c->sched);
    kmesos_policy_free(c->policy);
    memset(c, 0, sizeof *c);
}

void ksim_core_subscribe(ksim_core *c)
{
    char id[32];
    snprintf(id, sizeof id, "sim-fw-%zu", c->fw);
    kmesos_scheduler_on_subscribed(&c->sched, id);
}

static Mesos__V1__Attribute *text_attr(const char *name, const char *value)
{
    Mesos__V1__Attribute *a = kmesos_pb_new(&mesos__v1__attribute__descriptor);
    if (!a)
        return NULL;
    a->name = strdup(name);
    a->type = MESOS__V1__VALUE__TYPE__TEXT;
    a->text = kmesos_pb_new(&mesos__v1__value__text__descriptor);
    if (a->text)
        a->text->value = strdup(value);
    if (!a->name || !a->text || !a->text->value) {
        kmesos_pb_free(a);
        return NULL;
    }
    return a;
}

static Mesos__V1__Offer *make_offer(const ksim_core *c, const ksim_offer_view *v)
{
    char fwid[32];
    snprintf(fwid, sizeof fwid, "sim-fw-%zu", c->fw);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    if (!o)
        return NULL;
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, v->id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, fwid);
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, v->agent_id);
    o->hostname = strdup(v->hostname);
    int rc = o->id && o->framework_id && o->agent_id && o->hostname ? 0 : -1;
    if (rc == 0)
        rc = kmesos_pb_push((void ***)&o->resources, &o->n_resources,
                            kmesos_pb_scalar("cpus", v->cpus, "*"));
    if (rc == 0)
        rc = kmesos_pb_push((void ***)&o->resources, &o->n_resources,
                            kmesos_pb_scalar("mem", v->mem, "*"));
    if (rc == 0 && v->disk > 0)
        rc = kmesos_pb_push((void ***)&o->resources, &o->n_resources,
                            kmesos_pb_scalar("disk", v->disk, "*"));
    if (rc == 0 && v->rack)
        rc = kmesos_pb_push((void ***)&o->attributes, &o->n_attributes,
                            text_attr("rack", v->rack));
    if (rc != 0) {
        kmesos_pb_free(o);
        return NULL;
    }
    return o;
}

static Mesos__V1__Scheduler__Event *new_event(Mesos__V1__Scheduler__Event__Type type)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    if (ev) {
        ev->has_type = 1;
        ev->type = type;
    }
    return ev;
}

void ksim_core_offers(ksim_core *c, const ksim_offer_view *offers, size_t n)
{
    Mesos__V1__Scheduler__Event *ev = new_event(MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS);
    if (ev)
        ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    int rc = ev && ev->offers ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers,
                            make_offer(c, &offers[i]));
    if (rc == 0)
        kmesos_scheduler_on_event(&c->sched, ev);
    else
        fprintf(stderr, "kmesos-sim: out of memory building an OFFERS event\n");
    kmesos_pb_free(ev);
}

static Mesos__V1__TaskStatus *make_status(const char *task_id, const char *agent_id, int state,
                                          uint64_t uuid)
{
    Mesos__V1__TaskStatus *st = kmesos_pb_new(&mesos__v1__task_status__descriptor);
    if (!st)
        return NULL;
    st->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task_id);
    st->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent_id);
    st->state = (Mesos__V1__TaskState)state;
    st->has_source = 1;
    st->source = uuid ? MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR
                      : MESOS__V1__TASK_STATUS__SOURCE__SOURCE_MASTER;
    uint8_t bytes[16] = {0};
    for (int i = 0; i < 8; i++)
        bytes[15 - i] = (uint8_t)(uuid >> (8 * i));
    if (uuid && kmesos_pb_bytes(&st->uuid, bytes, sizeof bytes) == 0)
        st->has_uuid = 1;
    if (!st->task_id || !st->agent_id || (uuid && !st->has_uuid)) {
        kmesos_pb_free(st);
        return NULL;
    }
    return st;
}

void ksim_core_update(ksim_core *c, const char *task_id, const char *agent_id, int state,
                      uint64_t uuid)
{
    Mesos__V1__Scheduler__Event *ev = new_event(MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE);
    if (ev && (ev->update = kmesos_pb_new(&mesos__v1__scheduler__event__update__descriptor)))
        ev->update->status = make_status(task_id, agent_id, state, uuid);
    if (!ev || !ev->update || !ev->update->status) {
        fprintf(stderr, "kmesos-sim: out of memory building an UPDATE event\n");
        kmesos_pb_free(ev);
        return;
    }
    kmesos_scheduler_on_event(&c->sched, ev);
    kmesos_pb_free(ev);
}

int ksim_core_add(ksim_core *c, kmesos_workload *w)
{
    return kmesos_scheduler_add_workload(&c->sched, w);
}

void ksim_core_tick(ksim_core *c)
{
    kmesos_scheduler_tick(&c->sched);
}

int ksim_core_learn_agent(ksim_core *c, const char *agent_id, const char *hostname,
                          const char *rack)
{
    return kmesos_topology_learn(&c->sched.topology, agent_id, hostname, rack);
}

const kmesos_task *ksim_core_task(ksim_core *c, const char *task_id)
{
    return kmesos_tasks_find(&c->sched.tasks, task_id);
}
