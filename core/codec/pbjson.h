/* pbjson: the Mesos JSON mapping of protobuf messages, driven by the
 * protobuf-c descriptors (no per-message code): field names as in the
 * .proto, enums by name, bytes as base64, 64-bit integers as numbers,
 * repeated fields as arrays. Unknown JSON keys are ignored, as the
 * master's JSON parser does. */
#ifndef KMESOS_PBJSON_H
#define KMESOS_PBJSON_H
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* New reference, or NULL when memory runs out. */
json_t *kmesos_pbjson_from_message(const ProtobufCMessage *m);
/* A message to free with protobuf_c_message_free_unpacked(m, NULL), or
 * NULL with a reason in err (e.g. "Missing required field 'value'"
 * or "Expecting a string for 'hostname'"). Checks required fields. */
ProtobufCMessage *kmesos_pbjson_to_message(const ProtobufCMessageDescriptor *d,
                                           json_t *json, char *err,
                                           size_t errlen);

#endif
