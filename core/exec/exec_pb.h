/* exec_pb: small helpers over protobuf-c messages and status uuids. */
#ifndef KMESOS_EXEC_PB_H
#define KMESOS_EXEC_PB_H
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#define KMESOS_EXEC_UUID_LEN 16
#define KMESOS_EXEC_UUID_HEX (2 * KMESOS_EXEC_UUID_LEN + 1)

/* A deep, owned copy of m (pack, then unpack); NULL when memory runs out.
 * Free with protobuf_c_message_free_unpacked(copy, NULL). */
ProtobufCMessage *kmesos_exec_pb_dup(const ProtobufCMessage *m);
/* Fills out with 16 random bytes from getrandom(2). 0, or -1. */
int kmesos_exec_uuid_random(uint8_t out[KMESOS_EXEC_UUID_LEN]);
/* Lower-case hex of up to 16 bytes into out (KMESOS_EXEC_UUID_HEX bytes). */
const char *kmesos_exec_uuid_hex(const uint8_t *uuid, size_t len, char out[KMESOS_EXEC_UUID_HEX]);

#endif
