/* fuzz_sched_events: see fuzz_sched_events.h. The scheduler is built
 * for each input (so that an input is its own reproducer), subscribed as
 * a framework, and fed the event; then it ticks once, which runs the
 * placement of any offers it now holds. */
#include "fuzz_sched_events.h"

#include <stdio.h>

#include "codec/buf.h"
#include "fake_io.h"
#include "fuzz_common.h"
#include "sched/scheduler.h"

#define FUZZ_WORKLOAD "name=web cmd=true cpus=0.1 mem=16 instances=3"

/* What decoded must encode, and that encoding must decode again. */
static void check_reencode(const ProtobufCMessage *m, kmesos_content_type ct)
{
    kmesos_buf out;
    kmesos_buf_init(&out);
    char err[200];
    if (kmesos_protocol_encode(m, ct, &out) != 0)
        fuzz_fail("a decoded event does not encode", kmesos_content_type_name(ct));
    ProtobufCMessage *again = kmesos_protocol_decode(m->descriptor, ct, out.data, out.len, err,
                                                     sizeof err);
    if (!again)
        fuzz_fail("a re-encoded event does not decode", err);
    protobuf_c_message_free_unpacked(again, NULL);
    kmesos_buf_free(&out);
}

int fuzz_sched_event_one(const uint8_t *data, size_t size, kmesos_content_type ct)
{
    char err[200];
    ProtobufCMessage *m = kmesos_protocol_decode(&mesos__v1__scheduler__event__descriptor, ct,
                                                 data, size, err, sizeof err);
    if (!m)
        return 0;
    check_reencode(m, ct);
    kmesos_scheduler s;
    fake_io_quiet_scheduler(&s, FUZZ_WORKLOAD);
    kmesos_scheduler_on_subscribed(&s, "fw-fuzz");
    kmesos_scheduler_on_event(&s, (const Mesos__V1__Scheduler__Event *)m);
    kmesos_scheduler_tick(&s);
    kmesos_scheduler_free(&s);
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
