/* pbuild: small constructors for protobuf-c messages built on the heap,
 * every part malloc'd, so that one protobuf_c_message_free_unpacked(m,
 * NULL) frees a whole tree. Each returns NULL when memory runs out and
 * frees what it had built. */
#ifndef KMESOS_PBUILD_H
#define KMESOS_PBUILD_H
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#include "mesos/v1/mesos.pb-c.h"
#include "mesos/v1/scheduler/scheduler.pb-c.h"

/* A zeroed, initialised message of descriptor d. */
void *kmesos_pb_new(const ProtobufCMessageDescriptor *d);
void kmesos_pb_free(void *msg);
/* An id message ({ value }) such as OfferID, TaskID, AgentID. */
void *kmesos_pb_id(const ProtobufCMessageDescriptor *d, const char *value);
/* Appends msg to a repeated message field (array + count). 0 or -1. */
int kmesos_pb_push(void ***array, size_t *count, void *msg);
Mesos__V1__Resource *kmesos_pb_scalar(const char *name, double value, const char *role);
/* Sets the resource's role unless it is "*" (unreserved). 0 or -1. */
int kmesos_pb_set_role(Mesos__V1__Resource *r, const char *role);
/* The role a resource was offered in (the deprecated field). */
const char *kmesos_pb_role(const Mesos__V1__Resource *r);
Mesos__V1__Environment__Variable *kmesos_pb_env(const char *name, const char *value);

#endif
