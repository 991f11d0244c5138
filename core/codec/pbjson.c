/* pbjson: the Mesos JSON mapping, walked from protobuf-c descriptors.
 *
 * from_message reads each field through its descriptor (offset, label,
 * quantifier) and builds a jansson value; to_message does the reverse into
 * a message allocated and initialised exactly as protobuf-c's unpacker
 * would, so that protobuf_c_message_free_unpacked frees it. Presence
 * follows protobuf-c's packer: an optional string or message is absent
 * when NULL or equal to its default pointer, other optional scalars when
 * their has_ flag is clear. Like the Mesos master, an enum name we do not
 * know leaves the field unset instead of failing the whole message. */
#include "codec/pbjson.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"

#define MEMBER(m, off) ((void *)((char *)(m) + (off)))

static size_t scalar_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    }
    return 0;
}

/* ---- message -> JSON ---------------------------------------------------- */

static json_t *enum_to_json(const ProtobufCFieldDescriptor *f, int value)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(f->descriptor, value);
    return v ? json_string(v->name) : json_integer(value);
}

static json_t *bytes_to_json(const ProtobufCBinaryData *b)
{
    char *text = kmesos_base64_encode(b->data, b->len);
    json_t *j = text ? json_string(text) : NULL;
    free(text);
    return j;
}

static json_t *value_to_json(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)p);
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
        return json_integer((json_int_t)*(const uint64_t *)p);
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM:
        return enum_to_json(f, *(const int *)p);
    case PROTOBUF_C_TYPE_STRING:
        return json_string(*(char *const *)p ? *(char *const *)p : "");
    case PROTOBUF_C_TYPE_BYTES:
        return bytes_to_json(p);
    case PROTOBUF_C_TYPE_MESSAGE:
        return kmesos_pbjson_from_message(*(ProtobufCMessage *const *)p);
    }
    return NULL;
}

static int field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    const void *member = MEMBER(m, f->offset);
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *)MEMBER(m, f->quantifier_offset) > 0;
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE) {
        const void *ptr = *(const void *const *)member;
        if (f->label == PROTOBUF_C_LABEL_REQUIRED)
            return ptr != NULL;
        return ptr != NULL && ptr != f->default_value;
    }
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return 1;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)MEMBER(m, f->quantifier_offset) == f->id;
    return *(const protobuf_c_boolean *)MEMBER(m, f->quantifier_offset);
}

static json_t *repeated_to_json(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    size_t n = *(const size_t *)MEMBER(m, f->quantifier_offset);
    const char *arr = *(char *const *)MEMBER(m, f->offset);
    size_t size = scalar_size(f->type);
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *v = value_to_json(f, arr + i * size);
        if (!v || json_array_append_new(a, v) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *kmesos_pbjson_from_message(const ProtobufCMessage *m)
{
    if (!m)
        return json_object();
    const ProtobufCMessageDescriptor *d = m->descriptor;
    json_t *obj = json_object();
    for (unsigned i = 0; obj && i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!field_present(m, f))
            continue;
        json_t *v = f->label == PROTOBUF_C_LABEL_REPEATED
                        ? repeated_to_json(m, f)
                        : value_to_json(f, MEMBER(m, f->offset));
        if (!v || json_object_set_new(obj, f->name, v) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

/* ---- JSON -> message ---------------------------------------------------- */

typedef struct pbjson_err {
    char *text;
    size_t len;
} pbjson_err;

static int fail(pbjson_err *e, const char *what, const char *name)
{
    snprintf(e->text, e->len, "%s '%s'", what, name);
    return -1;
}

static int json_to_int(json_t *j, int64_t *out)
{
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return 0;
    }
    if (json_is_real(j)) {
        double v = json_real_value(j);
        /* whole and within int64_t (2^63 is exact as a double) */
        if (v != floor(v) || v < -9223372036854775808.0 || v >= 9223372036854775808.0)
            return -1;
        *out = (int64_t)v;
        return 0;
    }
    if (json_is_string(j)) {
        char *end = NULL;
        *out = strtoll(json_string_value(j), &end, 10);
        return end && *end == '\0' && end != json_string_value(j) ? 0 : -1;
    }
    return -1;
}

static ProtobufCMessage *to_message(const ProtobufCMessageDescriptor *d, json_t *j,
                                    pbjson_err *e);

/* Returns 1 when set, 0 when skipped (unknown enum name), -1 on error. */
static int set_enum(const ProtobufCFieldDescriptor *f, json_t *j, void *p, pbjson_err *e)
{
    if (json_is_string(j)) {
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(
            f->descriptor, json_string_value(j));
        if (!v)
            return 0;
        *(int *)p = v->value;
        return 1;
    }
    int64_t n;
    if (json_to_int(j, &n) != 0)
        return fail(e, "Expecting an enum name for", f->name);
    *(int *)p = (int)n;
    return 1;
}

static int set_bytes(const ProtobufCFieldDescriptor *f, json_t *j, void *p, pbjson_err *e)
{
    if (!json_is_string(j))
        return fail(e, "Expecting a base64 string for", f->name);
    ProtobufCBinaryData *b = p;
    b->data = kmesos_base64_decode(json_string_value(j), &b->len);
    return b->data ? 1 : fail(e, "Invalid base64 in", f->name);
}

static int set_integer(const ProtobufCFieldDescriptor *f, json_t *j, void *p, pbjson_err *e)
{
    int64_t n;
    if (json_to_int(j, &n) != 0)
        return fail(e, "Expecting an integer for", f->name);
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (n < INT32_MIN || n > INT32_MAX)
            return fail(e, "Integer out of range for", f->name);
        *(int32_t *)p = (int32_t)n;
        return 1;
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
        if (n < 0 || n > UINT32_MAX)
            return fail(e, "Integer out of range for", f->name);
        *(uint32_t *)p = (uint32_t)n;
        return 1;
    case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
        if (n < 0)
            return fail(e, "Integer out of range for", f->name);
        *(uint64_t *)p = (uint64_t)n;
        return 1;
    default:
        *(int64_t *)p = n;
        return 1;
    }
}

/* Writes one JSON value into the storage p of field f. */
static int set_value(const ProtobufCFieldDescriptor *f, json_t *j, void *p, pbjson_err *e)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_FLOAT: case PROTOBUF_C_TYPE_DOUBLE:
        if (!json_is_number(j))
            return fail(e, "Expecting a number for", f->name);
        if (f->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)p = (float)json_number_value(j);
        else
            *(double *)p = json_number_value(j);
        return 1;
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(j))
            return fail(e, "Expecting a boolean for", f->name);
        *(protobuf_c_boolean *)p = json_is_true(j);
        return 1;
    case PROTOBUF_C_TYPE_ENUM:
        return set_enum(f, j, p, e);
    case PROTOBUF_C_TYPE_STRING:
        if (!json_is_string(j))
            return fail(e, "Expecting a string for", f->name);
        *(char **)p = strdup(json_string_value(j));
        return *(char **)p ? 1 : fail(e, "Out of memory for", f->name);
    case PROTOBUF_C_TYPE_BYTES:
        return set_bytes(f, j, p, e);
    case PROTOBUF_C_TYPE_MESSAGE:
        if (!json_is_object(j))
            return fail(e, "Expecting a JSON object for", f->name);
        *(ProtobufCMessage **)p = to_message(f->descriptor, j, e);
        return *(ProtobufCMessage **)p ? 1 : -1;
    default:
        return set_integer(f, j, p, e);
    }
}

static int set_repeated(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                        json_t *j, pbjson_err *e)
{
    if (!json_is_array(j))
        return fail(e, "Expecting a JSON array for", f->name);
    size_t size = scalar_size(f->type), n = json_array_size(j);
    size_t *count = MEMBER(m, f->quantifier_offset);
    char *arr = n ? calloc(n, size) : NULL;
    if (n && !arr)
        return fail(e, "Out of memory for", f->name);
    *(char **)MEMBER(m, f->offset) = arr;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = set_value(f, json_array_get(j, i), arr + *count * size, e);
        if (rc < 0)
            return -1;
        *count += (size_t)rc;
    }
    return 1;
}

static int set_field(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                     json_t *j, pbjson_err *e)
{
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return set_repeated(m, f, j, e);
    void *p = MEMBER(m, f->offset);
    int rc = set_value(f, j, p, e);
    if (rc == 1 && f->label == PROTOBUF_C_LABEL_OPTIONAL &&
        f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) {
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
            *(uint32_t *)MEMBER(m, f->quantifier_offset) = f->id;
        else
            *(protobuf_c_boolean *)MEMBER(m, f->quantifier_offset) = 1;
    }
    return rc;
}

static int check_required(const ProtobufCMessage *m, const unsigned char *seen,
                          pbjson_err *e)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED && !seen[i])
            return fail(e, "Missing required field", d->fields[i].name);
    return 0;
}

static ProtobufCMessage *to_message(const ProtobufCMessageDescriptor *d, json_t *j,
                                    pbjson_err *e)
{
    ProtobufCMessage *m = calloc(1, d->sizeof_message);
    unsigned char *seen = calloc(d->n_fields ? d->n_fields : 1, 1);
    if (!m || !seen) {
        free(m);
        free(seen);
        snprintf(e->text, e->len, "Out of memory");
        return NULL;
    }
    d->message_init(m);
    const char *key;
    json_t *value;
    int rc = 0;
    json_object_foreach(j, key, value) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(d, key);
        if (!f || json_is_null(value))
            continue;
        rc = set_field(m, f, value, e);
        if (rc < 0)
            break;
        if (rc == 1)
            seen[f - d->fields] = 1;
    }
    if (rc >= 0)
        rc = check_required(m, seen, e);
    free(seen);
    if (rc < 0) {
        protobuf_c_message_free_unpacked(m, NULL);
        return NULL;
    }
    return m;
}

ProtobufCMessage *kmesos_pbjson_to_message(const ProtobufCMessageDescriptor *d,
                                           json_t *json, char *err, size_t errlen)
{
    char dummy[8];
    pbjson_err e = {err ? err : dummy, err ? errlen : sizeof dummy};
    if (!json_is_object(json)) {
        snprintf(e.text, e.len, "Expecting a JSON object");
        return NULL;
    }
    return to_message(d, json, &e);
}
