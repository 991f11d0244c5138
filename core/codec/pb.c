/* pb: see pb.h. Ids are filled through the descriptor (every mesos.v1
 * *ID message is { required string value = 1; }), copies go through
 * pack/unpack so that they own all their memory, and the deprecated
 * Resource.role is touched in one place only. */
#include "codec/pb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *kmesos_pb_new(const ProtobufCMessageDescriptor *d)
{
    ProtobufCMessage *m = malloc(d->sizeof_message);
    if (m)
        d->message_init(m);
    return m;
}

void kmesos_pb_free(void *msg)
{
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
}

void *kmesos_pb_id(const ProtobufCMessageDescriptor *d, const char *value)
{
    /* every Mesos id message is { required string value = 1; } */
    ProtobufCMessage *m = kmesos_pb_new(d);
    char *copy = strdup(value ? value : "");
    if (!m || !copy) {
        free(m);
        free(copy);
        return NULL;
    }
    *(char **)((char *)m + d->fields[0].offset) = copy;
    return m;
}

void *kmesos_pb_dup(const void *msg)
{
    const ProtobufCMessage *m = msg;
    if (!m)
        return NULL;
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *bytes = malloc(n ? n : 1);
    if (!bytes)
        return NULL;
    protobuf_c_message_pack(m, bytes);
    ProtobufCMessage *copy = protobuf_c_message_unpack(m->descriptor, NULL, n, bytes);
    free(bytes);
    return copy;
}

int kmesos_pb_bytes(ProtobufCBinaryData *out, const void *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, data, len);
    out->data = copy;
    out->len = len;
    return 0;
}

int kmesos_pb_push(void ***array, size_t *count, void *msg)
{
    if (!msg)
        return -1;
    void **p = realloc(*array, (*count + 1) * sizeof *p);
    if (!p) {
        kmesos_pb_free(msg);
        return -1;
    }
    p[(*count)++] = msg;
    *array = p;
    return 0;
}

Mesos__V1__Resource *kmesos_pb_scalar(const char *name, double value, const char *role)
{
    Mesos__V1__Resource *r = kmesos_pb_new(&mesos__v1__resource__descriptor);
    Mesos__V1__Value__Scalar *s = kmesos_pb_new(&mesos__v1__value__scalar__descriptor);
    if (r) {
        r->name = strdup(name);
        r->type = MESOS__V1__VALUE__TYPE__SCALAR;
        r->scalar = s;
    }
    if (!r || !s || !r->name || kmesos_pb_set_role(r, role) != 0) {
        if (r)
            kmesos_pb_free(r);
        else
            free(s);
        return NULL;
    }
    s->value = value;
    return r;
}

const char *kmesos_pb_attribute_text(const Mesos__V1__Attribute *a, char *num, size_t n)
{
    if (a->text)
        return a->text->value;
    if (!a->scalar || n == 0)
        return NULL;
    snprintf(num, n, "%g", a->scalar->value);
    return num;
}

Mesos__V1__Environment__Variable *kmesos_pb_env(const char *name, const char *value)
{
    Mesos__V1__Environment__Variable *v =
        kmesos_pb_new(&mesos__v1__environment__variable__descriptor);
    if (!v)
        return NULL;
    v->name = strdup(name);
    v->value = strdup(value);
    if (!v->name || !v->value) {
        kmesos_pb_free(v);
        return NULL;
    }
    return v;
}

/* Resource.role is deprecated in favour of reservations, but it is still
 * how a pre-refinement framework names a reserved role; unreserved ("*")
 * resources leave it unset, as the recorded ACCEPT calls do. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
int kmesos_pb_set_role(Mesos__V1__Resource *r, const char *role)
{
    if (!role || strcmp(role, "*") == 0)
        return 0;
    r->role = strdup(role);
    return r->role ? 0 : -1;
}

const char *kmesos_pb_role(const Mesos__V1__Resource *r)
{
    return r->role;
}
#pragma GCC diagnostic pop
