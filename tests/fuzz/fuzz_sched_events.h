/* fuzz_sched_events: the body shared by the scheduler-event targets
 * (protobuf and JSON): decode one Event in a content type, check that
 * what decoded re-encodes and decodes again, and hand it to a scheduler
 * with one workload on a quiet io. */
#ifndef KMESOS_FUZZ_SCHED_EVENTS_H
#define KMESOS_FUZZ_SCHED_EVENTS_H
#include <stddef.h>
#include <stdint.h>

#include "codec/protocol.h"

int fuzz_sched_event_one(const uint8_t *data, size_t size, kmesos_content_type ct);

#endif
