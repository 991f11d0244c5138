/* fake_io: the recording io of fake_io.h. A sent call is encoded and
 * decoded again (a deep copy the test owns), so what a test checks is
 * what would have gone on the wire. Offers are built with codec/pb. */
#include "fake_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/protocol.h"
#include "codec/pb.h"

static int fake_io_send(void *arg, kmesos_call *call)
{
    fake_io *f = arg;
    if (f->encode_only) {
        kmesos_buf_reset(&f->last);
        f->sent++;
        return kmesos_protocol_encode(&call->base, KMESOS_CT_PROTOBUF, &f->last);
    }
    kmesos_buf b;
    kmesos_buf_init(&b);
    kmesos_protocol_encode(&call->base, KMESOS_CT_PROTOBUF, &b);
    if (f->n < FAKE_IO_MAX_CALLS)
        f->calls[f->n++] = (kmesos_call *)kmesos_protocol_decode(
            &mesos__v1__scheduler__call__descriptor, KMESOS_CT_PROTOBUF, b.data, b.len, NULL, 0);
    kmesos_buf_free(&b);
    return 0;
}

static uint64_t fake_io_now_ms(void *arg) { return ((fake_io *)arg)->now_ms; }
static double fake_io_now_s(void *arg)
{
    const fake_io *f = arg;
    return f->epoch_s + (double)f->now_ms / 1000.0;
}
static void fake_io_changed(void *arg) { ((fake_io *)arg)->changes++; }

kmesos_scheduler_io fake_io_make(fake_io *f)
{
    kmesos_scheduler_io io = {f, fake_io_send, fake_io_now_ms, fake_io_now_s, fake_io_changed,
                              NULL, NULL};
    return io;
}

void fake_io_reset(fake_io *f)
{
    for (size_t i = 0; i < f->n; i++)
        kmesos_pb_free(f->calls[i]);
    f->n = 0;
    kmesos_buf_free(&f->last);
}

size_t fake_io_count(const fake_io *f, Mesos__V1__Scheduler__Call__Type type)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += f->calls[i]->type == type;
    return n;
}

kmesos_call *fake_io_find(const fake_io *f, Mesos__V1__Scheduler__Call__Type type)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->calls[i]->type == type)
            return f->calls[i];
    return NULL;
}

static int quiet_send(void *arg, kmesos_call *call)
{
    (void)arg, (void)call;
    return 0;
}
static uint64_t quiet_now_ms(void *arg) { (void)arg; return 1; }
static double quiet_now_s(void *arg) { (void)arg; return 1; }

void fake_io_quiet_scheduler(kmesos_scheduler *s, const char *spec)
{
    kmesos_workload *w = calloc(1, sizeof *w);
    char err[128];
    kmesos_workload_parse(spec, w, err, sizeof err);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = {NULL, quiet_send, quiet_now_ms, quiet_now_s, NULL, NULL, NULL};
    kmesos_scheduler_init(s, &cfg, &io, w, 1);
}

Mesos__V1__Attribute *fake_io_text_attr(const char *name, const char *value)
{
    Mesos__V1__Attribute *a = kmesos_pb_new(&mesos__v1__attribute__descriptor);
    a->name = strdup(name);
    a->type = MESOS__V1__VALUE__TYPE__TEXT;
    a->text = kmesos_pb_new(&mesos__v1__value__text__descriptor);
    a->text->value = strdup(value);
    return a;
}

Mesos__V1__Offer *fake_io_offer(const char *id, const char *agent, const char *host,
                                const char *rack, double cpus)
{
    char agent_buf[128];
    snprintf(agent_buf, sizeof agent_buf, "a-%s", host);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent ? agent : agent_buf);
    o->hostname = strdup(host);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("cpus", cpus, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("mem", 4096, "*"));
    if (rack)
        kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, fake_io_text_attr("rack", rack));
    return o;
}

void fake_io_feed(kmesos_scheduler *s, Mesos__V1__Offer **offers, size_t n)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (size_t i = 0; i < n; i++)
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers, offers[i]);
    kmesos_scheduler_on_event(s, ev);
    kmesos_pb_free(ev);
}
