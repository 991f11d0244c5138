/* protocol: bodies of Mesos v1 calls and events in either content type.
 * Encodes any message to protobuf or JSON and decodes a body back to a
 * protobuf-c message of a given descriptor. Knows nothing of HTTP. */
#ifndef KMESOS_PROTOCOL_H
#define KMESOS_PROTOCOL_H
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "codec/arena.h"
#include "codec/buf.h"
#include "mesos/v1/mesos.pb-c.h"
#include "mesos/v1/scheduler/scheduler.pb-c.h"
#include "mesos/v1/executor/executor.pb-c.h"

typedef enum kmesos_content_type {
    KMESOS_CT_PROTOBUF = 0,
    KMESOS_CT_JSON = 1,
    KMESOS_CT_UNKNOWN = -1,
} kmesos_content_type;

/* "application/x-protobuf" or "application/json". */
const char *kmesos_content_type_name(kmesos_content_type ct);
/* Parses a Content-Type/Accept value (parameters ignored). */
kmesos_content_type kmesos_content_type_parse(const char *value);

/* Appends the encoded message to out. 0, or -1 on failure. */
int kmesos_protocol_encode(const ProtobufCMessage *m, kmesos_content_type ct,
                           kmesos_buf *out);
/* Decodes a body; NULL with a reason in err on failure. Free the result
 * with protobuf_c_message_free_unpacked(m, NULL). */
ProtobufCMessage *kmesos_protocol_decode(const ProtobufCMessageDescriptor *d,
                                         kmesos_content_type ct,
                                         const uint8_t *data, size_t len,
                                         char *err, size_t errlen);
/* The same, a protobuf body unpacked into the arena: the message lives
 * until kmesos_arena_reset (never free it alone); *in_arena says where it
 * went (0: a JSON body, decoded on the heap, freed as above). */
ProtobufCMessage *kmesos_protocol_decode_in(const ProtobufCMessageDescriptor *d,
                                            kmesos_content_type ct, const uint8_t *data,
                                            size_t len, kmesos_arena *arena, int *in_arena,
                                            char *err, size_t errlen);

/* Enum value names, e.g. "OFFERS", "TASK_RUNNING"; "UNKNOWN(n)" style
 * text is never returned: unknown values give "UNKNOWN". */
const char *kmesos_protocol_enum_name(const ProtobufCEnumDescriptor *d,
                                      int value);
/* Mesos's isTerminalState: FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED,
 * GONE, GONE_BY_OPERATOR (UNREACHABLE and UNKNOWN are not terminal). */
int kmesos_task_state_is_terminal(int state);

#define kmesos_sched_event_type_name(v) \
    kmesos_protocol_enum_name(&mesos__v1__scheduler__event__type__descriptor, (v))
#define kmesos_sched_call_type_name(v) \
    kmesos_protocol_enum_name(&mesos__v1__scheduler__call__type__descriptor, (v))
#define kmesos_task_state_name(v) \
    kmesos_protocol_enum_name(&mesos__v1__task_state__descriptor, (v))

#endif
