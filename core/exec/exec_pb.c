/* exec_pb: copies protobuf-c messages (the executor keeps the TaskInfos
 * it was given and the TaskStatuses it sent past the lifetime of the
 * decoded event) and makes the random 16-byte uuids of status updates.
 * A copy is a pack into a temporary buffer and an unpack, so it owns all
 * its memory and is freed with protobuf_c_message_free_unpacked. */
#include "exec/exec_pb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

ProtobufCMessage *kmesos_exec_pb_dup(const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *bytes = malloc(n ? n : 1);
    if (!bytes)
        return NULL;
    protobuf_c_message_pack(m, bytes);
    ProtobufCMessage *copy = protobuf_c_message_unpack(m->descriptor, NULL, n, bytes);
    free(bytes);
    return copy;
}

int kmesos_exec_uuid_random(uint8_t out[KMESOS_EXEC_UUID_LEN])
{
    size_t got = 0;
    while (got < KMESOS_EXEC_UUID_LEN) {
        ssize_t n = getrandom(out + got, KMESOS_EXEC_UUID_LEN - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x40); /* a version-4 UUID, like Mesos' */
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
    return 0;
}

const char *kmesos_exec_uuid_hex(const uint8_t *uuid, size_t len, char out[KMESOS_EXEC_UUID_HEX])
{
    static const char digits[] = "0123456789abcdef";
    size_t n = len > KMESOS_EXEC_UUID_LEN ? KMESOS_EXEC_UUID_LEN : len;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[uuid[i] >> 4];
        out[2 * i + 1] = digits[uuid[i] & 15];
    }
    out[2 * n] = 0;
    return out;
}
