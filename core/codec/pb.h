/* pb: the one set of protobuf-c helpers every program uses (scheduler,
 * executor, kmesos-local). Messages are built on the heap with every part
 * malloc'd, so one kmesos_pb_free frees a whole tree, whether it was built
 * here or unpacked by protobuf-c. Every function returns NULL (or -1) when
 * memory runs out and frees what it had built; a program whose policy is
 * to abort on out-of-memory checks the result itself. */
#ifndef KMESOS_PB_H
#define KMESOS_PB_H
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#include "mesos/v1/mesos.pb-c.h"

/* A zeroed, initialised message of descriptor d. */
void *kmesos_pb_new(const ProtobufCMessageDescriptor *d);
/* Frees a heap-built or unpacked message tree (NULL is fine). */
void kmesos_pb_free(void *msg);
/* An id message ({ value }) such as OfferID, TaskID, AgentID. */
void *kmesos_pb_id(const ProtobufCMessageDescriptor *d, const char *value);
/* A deep, owned copy of msg (pack, then unpack); NULL when msg is NULL
 * or memory runs out. */
void *kmesos_pb_dup(const void *msg);
/* A copy of len bytes for a bytes field; 0, or -1 (out untouched). */
int kmesos_pb_bytes(ProtobufCBinaryData *out, const void *data, size_t len);
/* Appends msg to a repeated message field (array + count); frees msg on
 * failure. 0 or -1. */
int kmesos_pb_push(void ***array, size_t *count, void *msg);
Mesos__V1__Resource *kmesos_pb_scalar(const char *name, double value, const char *role);
/* Sets the resource's role unless it is "*" (unreserved). 0 or -1. */
int kmesos_pb_set_role(Mesos__V1__Resource *r, const char *role);
/* The role a resource was offered in (the deprecated field). */
const char *kmesos_pb_role(const Mesos__V1__Resource *r);
/* An attribute's value as text: TEXT as it is, SCALAR printed ("%g")
 * into num; NULL for RANGES and SET. */
const char *kmesos_pb_attribute_text(const Mesos__V1__Attribute *a, char *num, size_t n);
Mesos__V1__Environment__Variable *kmesos_pb_env(const char *name, const char *value);

#endif
