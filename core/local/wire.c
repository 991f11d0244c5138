/* wire: the HTTP edge of the v1 APIs that the simulated master and agents
 * share. A call body is decoded by its Content-Type (protobuf, or JSON
 * through codec/pbjson); events are encoded in the content type the
 * subscriber asked for and pushed as one RecordIO record each on its
 * chunked stream; JSON answers (state, control, files) go out compact.
 * Every refusal uses the status code and text of src/master/http.cpp and
 * src/slave/http.cpp of Mesos 1.12 (and the recorded answers in
 * tests/data/mesos-captures): a JSON syntax error is reported the way
 * picojson words it, "syntax error at line N near: <rest of the body>".
 * JSON events carry the defaults of unset fields, as the master's
 * JSON::Protobuf writes them. Also shared: HTTP basic authentication (the
 * realm named in the 401) and the build answered by GET /version. */
#include "local/wire.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec/buf.h"
#include "codec/pbjson.h"
#include "codec/recordio.h"
#include "local/util.h"

static void wire_bad(kmesos_httpd_req *req, unsigned status, const char *text)
{
    kmesos_httpd_reply_text(req, status, text, NULL);
}

static ProtobufCMessage *wire_decode_json(kmesos_httpd_req *req,
                                          const ProtobufCMessageDescriptor *d,
                                          const uint8_t *body, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)body, len, 0, &je);
    if (!j) {
        size_t pos = je.position > 0 && (size_t)je.position <= len ? (size_t)je.position : len;
        char *text = klocal_util_xasprintf("Failed to parse body into JSON: syntax error at line %d near: %.*s",
                                           je.line > 0 ? je.line : 1, (int)(len - pos),
                                           (const char *)body + pos);
        wire_bad(req, 400, text);
        free(text);
        return NULL;
    }
    char why[256];
    ProtobufCMessage *m = kmesos_pbjson_to_message(d, j, why, sizeof why);
    json_decref(j);
    if (!m) {
        char *text = klocal_util_xasprintf("Failed to convert JSON into Call protobuf: %s", why);
        wire_bad(req, 400, text);
        free(text);
    }
    return m;
}

ProtobufCMessage *klocal_wire_decode(kmesos_httpd_req *req, const ProtobufCMessageDescriptor *d,
                                     kmesos_content_type *ct)
{
    if (klocal_wire_require_post(req) != 0)
        return NULL;
    const char *type = kmesos_httpd_header(req, "Content-Type");
    if (!type) {
        wire_bad(req, 400, "Expecting 'Content-Type' to be present");
        return NULL;
    }
    *ct = kmesos_content_type_parse(type);
    size_t len;
    const uint8_t *body = kmesos_httpd_body(req, &len);
    if (*ct == KMESOS_CT_JSON)
        return wire_decode_json(req, d, body, len);
    if (*ct == KMESOS_CT_PROTOBUF) {
        ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, body);
        if (!m)
            wire_bad(req, 400, "Failed to parse body into Call protobuf");
        return m;
    }
    wire_bad(req, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
    return NULL;
}

/* Does an Accept header allow this media type? Missing header: yes. */
static int wire_accepts(const char *accept, const char *type)
{
    if (!accept)
        return 1;
    const char *slash = strchr(type, '/');
    size_t main_len = (size_t)(slash - type);
    char *copy = klocal_util_xstrdup(accept), *save = NULL;
    int ok = 0;
    for (char *it = strtok_r(copy, ",", &save); it && !ok; it = strtok_r(NULL, ",", &save)) {
        while (*it == ' ')
            it++;
        char *semi = strchr(it, ';');
        if (semi) {
            if (strstr(semi, "q=0") && !strstr(semi, "q=0."))
                continue; /* q=0: explicitly refused */
            *semi = '\0';
        }
        size_t n = strlen(it);
        while (n && it[n - 1] == ' ')
            it[--n] = '\0';
        ok = strcasecmp(it, type) == 0 || strcmp(it, "*/*") == 0 ||
             (n == main_len + 2 && strncasecmp(it, type, main_len) == 0 &&
              strcmp(it + main_len, "/*") == 0);
    }
    free(copy);
    return ok;
}

int klocal_wire_accept(kmesos_httpd_req *req, kmesos_content_type *ct)
{
    const char *accept = kmesos_httpd_header(req, "Accept");
    if (wire_accepts(accept, "application/json")) {
        *ct = KMESOS_CT_JSON;
        return 0;
    }
    if (wire_accepts(accept, "application/x-protobuf")) {
        *ct = KMESOS_CT_PROTOBUF;
        return 0;
    }
    wire_bad(req, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
    return -1;
}

int klocal_wire_require_post(kmesos_httpd_req *req)
{
    const char *m = kmesos_httpd_method(req);
    if (strcmp(m, "POST") == 0)
        return 0;
    static const char *const allow[] = {"Allow", "POST", NULL};
    char *text = klocal_util_xasprintf(
        "405 Method Not Allowed. Expecting one of { 'POST' }, but received '%s'.", m);
    kmesos_httpd_reply_text(req, 405, text, allow);
    free(text);
    return -1;
}

void klocal_wire_invalid(kmesos_httpd_req *req, const char *what, const char *why)
{
    char *text = klocal_util_xasprintf("Failed to validate %s: %s", what, why);
    wire_bad(req, 400, text);
    free(text);
}

void klocal_wire_accepted(kmesos_httpd_req *req)
{
    kmesos_httpd_reply(req, 202, NULL, NULL, 0, NULL);
}

/* The JSON of an unset field's explicit default, or NULL. */
static json_t *wire_default(const ProtobufCFieldDescriptor *f)
{
    const void *d = f->default_value;
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL: return json_boolean(*(const protobuf_c_boolean *)d);
    case PROTOBUF_C_TYPE_DOUBLE: return json_real(*(const double *)d);
    case PROTOBUF_C_TYPE_FLOAT: return json_real(*(const float *)d);
    case PROTOBUF_C_TYPE_STRING: return json_string((const char *)d);
    case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)d);
    case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)d);
    case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)d);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)d);
        return v ? json_string(v->name) : NULL;
    }
    default: return NULL; /* no uint64 or bytes defaults in the Mesos protos we use */
    }
}

/* Adds to j (m's JSON) what Mesos' JSON::Protobuf writes and codec/pbjson
 * does not: every unset optional field that has an explicit default and
 * is not deprecated, with that default (e.g. "protocol": "IPv4" of an
 * address, "shell": true of a command), in sub-messages too. */
static void wire_json_defaults(const ProtobufCMessage *m, json_t *j)
{
    if (!m || !json_is_object(j))
        return;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *member = (const char *)m + f->offset;
        json_t *v = json_object_get(j, f->name);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
            ProtobufCMessage *const *list = *(ProtobufCMessage *const *const *)member;
            for (size_t k = 0; k < n; k++)
                wire_json_defaults(list[k], json_array_get(v, k));
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            wire_json_defaults(*(ProtobufCMessage *const *)member, v);
        } else if (!v && f->label == PROTOBUF_C_LABEL_OPTIONAL && f->default_value &&
                   !(f->flags & (PROTOBUF_C_FIELD_FLAG_DEPRECATED | PROTOBUF_C_FIELD_FLAG_ONEOF))) {
            json_t *dv = wire_default(f);
            if (dv)
                json_object_set_new(j, f->name, dv);
        }
    }
}

json_t *klocal_wire_json(const ProtobufCMessage *m)
{
    json_t *j = kmesos_pbjson_from_message(m);
    wire_json_defaults(m, j);
    return j;
}

/* m in ct: protobuf, or JSON as the Mesos master writes it. */
static int wire_encode(const ProtobufCMessage *m, kmesos_content_type ct, kmesos_buf *out)
{
    if (ct != KMESOS_CT_JSON)
        return kmesos_protocol_encode(m, ct, out);
    json_t *j = klocal_wire_json(m);
    if (!j)
        return -1;
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(j);
    int rc = text ? kmesos_buf_append(out, text, strlen(text)) : -1;
    free(text);
    return rc;
}

int klocal_wire_send(kmesos_httpd_stream *s, const ProtobufCMessage *m, kmesos_content_type ct)
{
    kmesos_buf body, framed;
    kmesos_buf_init(&body);
    kmesos_buf_init(&framed);
    int rc = wire_encode(m, ct, &body);
    if (rc == 0)
        rc = kmesos_recordio_encode(&framed, body.data, body.len);
    if (rc == 0)
        rc = kmesos_httpd_stream_push(s, framed.data, framed.len);
    kmesos_buf_free(&body);
    kmesos_buf_free(&framed);
    return rc;
}

int klocal_wire_authenticate(kmesos_httpd_req *req, const klocal_credential *creds, size_t n,
                             const char *realm, const char **principal)
{
    *principal = NULL;
    if (!n)
        return 0;
    char *user = NULL, *pass = NULL;
    if (kmesos_httpd_basic_auth(req, &user, &pass) == 0)
        for (size_t i = 0; i < n && !*principal; i++)
            if (strcmp(creds[i].principal, user) == 0 && strcmp(creds[i].secret, pass) == 0)
                *principal = creds[i].principal;
    free(user);
    free(pass);
    if (*principal)
        return 0;
    char *challenge = klocal_util_xasprintf("Basic realm=\"%s\"", realm);
    const char *hdrs[] = {"WWW-Authenticate", challenge, NULL};
    kmesos_httpd_reply_text(req, 401, "401 Unauthorized.", hdrs);
    free(challenge);
    return -1;
}

json_t *klocal_wire_version(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:s}", "version", "1.12.0", "git_sha",
                     "c1b42f79d157aa900be5cbb0c1023f1479962aa7", "git_branch",
                     "refs/heads/master", "build_date", "2026-11-25 06:01:01", "build_time",
                     1795586461.0, "build_user", "");
}

int klocal_wire_reply_json(kmesos_httpd_req *req, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(j);
    if (!text)
        return kmesos_httpd_reply_text(req, 500, "Out of memory", NULL);
    int rc = kmesos_httpd_reply(req, 200, "application/json", text, strlen(text), NULL);
    free(text);
    return rc;
}
