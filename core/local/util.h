/* util: small helpers shared by the kmesos-local modules: allocation that
 * treats out-of-memory as fatal (the simulated cluster cannot do anything
 * useful without memory), random UUIDs, wall-clock time, mkdir -p, and
 * the protobuf helpers of codec/pb.h with that same policy (free with
 * kmesos_pb_free). */
#ifndef KLOCAL_UTIL_H
#define KLOCAL_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "codec/pb.h"
#include "codec/uuid.h"

void *klocal_util_xcalloc(size_t n, size_t size);
void *klocal_util_xrealloc(void *p, size_t size);
char *klocal_util_xstrdup(const char *s);
char *klocal_util_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* p, or abort when it is NULL (out of memory). */
void *klocal_util_must(void *p);
/* 16 random bytes shaped as a version-4 UUID. */
void klocal_util_uuid(uint8_t out[KMESOS_UUID_LEN]);
/* A fresh UUID as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". */
void klocal_util_uuid_string(char out[KMESOS_UUID_TEXT]);

/* Seconds since the epoch, with microseconds. */
double klocal_util_now(void);

/* mkdir(2) of every parent folder of path, and of path itself when last
 * (mode 0755; folders that exist already, or cannot be made, are passed:
 * the spawn or the fetch that follows reports the failure). */
void klocal_util_mkdirs(const char *path, int last);

/* kmesos_pb_new / kmesos_pb_dup (NULL for NULL) / kmesos_pb_bytes that
 * abort instead of returning NULL. */
void *klocal_util_pb_new(const ProtobufCMessageDescriptor *d);
void *klocal_util_pb_dup(const void *m);
ProtobufCBinaryData klocal_util_pb_bytes(const void *data, size_t len);
/* A heap-built id message (FrameworkID, AgentID, TaskID, ...). */
#define KLOCAL_ID(type, lower, v) \
    ((Mesos__V1__##type *)klocal_util_must(kmesos_pb_id(&mesos__v1__##lower##__descriptor, (v))))

#endif
