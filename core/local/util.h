/* util: small helpers shared by the kmesos-local modules: allocation that
 * treats out-of-memory as fatal (the simulator cannot do anything useful
 * without memory), random UUIDs, wall-clock time and protobuf-c message
 * helpers (heap-built messages freed with klocal_util_pb_free). */
#ifndef KLOCAL_UTIL_H
#define KLOCAL_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

void *klocal_util_xcalloc(size_t n, size_t size);
void *klocal_util_xrealloc(void *p, size_t size);
char *klocal_util_xstrdup(const char *s);
char *klocal_util_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 16 random bytes shaped as a version-4 UUID. */
void klocal_util_uuid(uint8_t out[16]);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
void klocal_util_uuid_format(const uint8_t u[16], char out[37]);
void klocal_util_uuid_string(char out[37]);

/* Seconds since the epoch, with microseconds. */
double klocal_util_now(void);

/* A zeroed, initialised message of descriptor d (heap). */
void *klocal_util_pb_new(const ProtobufCMessageDescriptor *d);
/* A deep copy through pack/unpack; NULL only if m is NULL. */
void *klocal_util_pb_dup(const void *m);
void klocal_util_pb_free(void *m);
/* Heap-built id messages (FrameworkID, AgentID, TaskID, ...): every
 * mesos.v1 *ID message is { base; char *value; }. */
void *klocal_util_pb_id(const ProtobufCMessageDescriptor *d, const char *value);
#define KLOCAL_ID(type, lower, v) \
    ((Mesos__V1__##type *)klocal_util_pb_id(&mesos__v1__##lower##__descriptor, (v)))
/* Binary data copy for bytes fields. */
ProtobufCBinaryData klocal_util_pb_bytes(const void *data, size_t len);

#endif
