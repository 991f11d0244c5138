/* protocol: turns Mesos v1 messages into HTTP bodies and back.
 * Protobuf bodies go through protobuf-c; JSON bodies through jansson and
 * the descriptor-driven pbjson mapping. Decoding never trusts its input:
 * every failure comes back as NULL plus one line of text. A protobuf body
 * may be unpacked into an arena (codec/arena: the session's events, which
 * live for one dispatch), saving a malloc and a free per sub-message. */
#include "codec/protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec/pbjson.h"

static const char CT_PROTOBUF[] = "application/x-protobuf";
static const char CT_JSON[] = "application/json";

const char *kmesos_content_type_name(kmesos_content_type ct)
{
    return ct == KMESOS_CT_JSON ? CT_JSON : CT_PROTOBUF;
}

kmesos_content_type kmesos_content_type_parse(const char *value)
{
    if (!value)
        return KMESOS_CT_UNKNOWN;
    while (*value == ' ')
        value++;
    size_t n = strcspn(value, "; ");
    if (n == sizeof CT_PROTOBUF - 1 && strncasecmp(value, CT_PROTOBUF, n) == 0)
        return KMESOS_CT_PROTOBUF;
    if (n == sizeof CT_JSON - 1 && strncasecmp(value, CT_JSON, n) == 0)
        return KMESOS_CT_JSON;
    return KMESOS_CT_UNKNOWN;
}

static int dump_json(const char *text, size_t len, void *data)
{
    return kmesos_buf_append(data, text, len);
}

int kmesos_protocol_encode(const ProtobufCMessage *m, kmesos_content_type ct,
                           kmesos_buf *out)
{
    if (ct == KMESOS_CT_JSON) {
        json_t *j = kmesos_pbjson_from_message(m);
        if (!j)
            return -1;
        int rc = json_dump_callback(j, dump_json, out, JSON_COMPACT | JSON_REAL_PRECISION(17));
        json_decref(j);
        return rc == 0 ? 0 : -1;
    }
    size_t n = protobuf_c_message_get_packed_size(m);
    if (kmesos_buf_reserve(out, n) != 0)
        return -1;
    protobuf_c_message_pack(m, out->data + out->len);
    out->len += n;
    return 0;
}

static ProtobufCMessage *decode_json(const ProtobufCMessageDescriptor *d,
                                     const uint8_t *data, size_t len,
                                     char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        snprintf(err, errlen, "Failed to parse body into JSON: %s at line %d", jerr.text,
                 jerr.line);
        return NULL;
    }
    char why[256];
    ProtobufCMessage *m = kmesos_pbjson_to_message(d, j, why, sizeof why);
    json_decref(j);
    if (!m)
        snprintf(err, errlen, "Failed to convert JSON into %s: %s", d->name, why);
    return m;
}

/* Field number 0 is not a valid field (the protobuf encoding rules;
 * Mesos' C++ parser refuses it), yet protobuf-c keeps it as an unknown
 * field when its key is written in more bytes than needed, and cannot
 * read back what it then writes. 1 when m or a message inside it holds
 * one (or nesting is absurdly deep). */
static int pb_bad_unknown(const ProtobufCMessage *m, int depth)
{
    if (depth > 100)
        return 1;
    for (unsigned i = 0; i < m->n_unknown_fields; i++)
        if (m->unknown_fields[i].tag == 0)
            return 1;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned f = 0; f < d->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[f];
        if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + fd->quantifier_offset);
            ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)(base + fd->offset);
            for (size_t k = 0; k < n; k++)
                if (pb_bad_unknown(v[k], depth + 1))
                    return 1;
            continue;
        }
        if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
            continue;
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)(base + fd->offset);
        if (sub && pb_bad_unknown(sub, depth + 1))
            return 1;
    }
    return 0;
}

static ProtobufCMessage *decode_with(const ProtobufCMessageDescriptor *d,
                                     kmesos_content_type ct, const uint8_t *data, size_t len,
                                     ProtobufCAllocator *alloc, char *err, size_t errlen)
{
    char dummy[8];
    if (!err) {
        err = dummy;
        errlen = sizeof dummy;
    }
    if (ct == KMESOS_CT_JSON)
        return decode_json(d, data, len, err, errlen);
    ProtobufCMessage *m = protobuf_c_message_unpack(d, alloc, len, data);
    if (m && pb_bad_unknown(m, 0)) {
        protobuf_c_message_free_unpacked(m, alloc);
        m = NULL;
    }
    if (!m)
        snprintf(err, errlen, "Failed to parse body into %s (%zu bytes): invalid protobuf",
                 d->name, len);
    return m;
}

ProtobufCMessage *kmesos_protocol_decode(const ProtobufCMessageDescriptor *d,
                                         kmesos_content_type ct,
                                         const uint8_t *data, size_t len,
                                         char *err, size_t errlen)
{
    return decode_with(d, ct, data, len, NULL, err, errlen);
}

ProtobufCMessage *kmesos_protocol_decode_in(const ProtobufCMessageDescriptor *d,
                                            kmesos_content_type ct, const uint8_t *data,
                                            size_t len, kmesos_arena *arena, int *in_arena,
                                            char *err, size_t errlen)
{
    *in_arena = ct != KMESOS_CT_JSON;
    return decode_with(d, ct, data, len, *in_arena ? kmesos_arena_allocator(arena) : NULL, err,
                       errlen);
}

const char *kmesos_protocol_enum_name(const ProtobufCEnumDescriptor *d, int value)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
    return v ? v->name : "UNKNOWN";
}

int kmesos_task_state_is_terminal(int state)
{
    switch (state) {
    case MESOS__V1__TASK_STATE__TASK_FINISHED:
    case MESOS__V1__TASK_STATE__TASK_FAILED:
    case MESOS__V1__TASK_STATE__TASK_KILLED:
    case MESOS__V1__TASK_STATE__TASK_ERROR:
    case MESOS__V1__TASK_STATE__TASK_LOST:
    case MESOS__V1__TASK_STATE__TASK_DROPPED:
    case MESOS__V1__TASK_STATE__TASK_GONE:
    case MESOS__V1__TASK_STATE__TASK_GONE_BY_OPERATOR:
        return 1;
    default:
        return 0;
    }
}
