/* wire: the HTTP side of the Mesos v1 APIs shared by the simulated master
 * and agents: decoding a call body with the exact error answers of Mesos
 * 1.12 (texts and status codes), Accept negotiation, the 405 answer, and
 * writing one event as a RecordIO record on a stream. */
#ifndef KLOCAL_WIRE_H
#define KLOCAL_WIRE_H
#include <stddef.h>
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include "net/httpd.h"
#include "codec/protocol.h"
#include "local/config.h"

/* Decodes a call: 405 unless the method is POST, then the request body
 * into a message of d. On failure answers the request (405/400/415, Mesos
 * texts) and returns NULL. *ct gets the request content type. Free the
 * result with kmesos_pb_free. */
ProtobufCMessage *klocal_wire_decode(kmesos_httpd_req *req, const ProtobufCMessageDescriptor *d,
                                     kmesos_content_type *ct);
/* Picks the response type from Accept (JSON first, like Mesos); on
 * failure answers 406 and returns -1. */
int klocal_wire_accept(kmesos_httpd_req *req, kmesos_content_type *ct);
/* 405 with Allow: POST, unless the method is POST (then returns 0). */
int klocal_wire_require_post(kmesos_httpd_req *req);
/* 400 "Failed to validate <what>: <why>". */
void klocal_wire_invalid(kmesos_httpd_req *req, const char *what, const char *why);
/* 202 Accepted, empty body. */
void klocal_wire_accepted(kmesos_httpd_req *req);
/* Encodes m in ct and pushes it as one RecordIO record. 0 or -1. */
int klocal_wire_send(kmesos_httpd_stream *s, const ProtobufCMessage *m, kmesos_content_type ct);
/* HTTP basic authentication as Mesos' basic authenticator answers it:
 * 0 and the principal (NULL when creds is empty: no authentication), or
 * -1 after a 401 "401 Unauthorized." naming realm. */
int klocal_wire_authenticate(kmesos_httpd_req *req, const klocal_credential *creds, size_t n,
                             const char *realm, const char **principal);
/* GET /version of masters and agents (src/version/version.hpp): the build
 * of the Mesos 1.12.0 the captures in tests/data/mesos-captures come from
 * (a build of the upstream source: git_sha and git_branch, no git_tag). */
json_t *klocal_wire_version(void);
/* m as the Mesos master writes it in JSON (codec/pbjson plus the unset
 * fields' explicit defaults, e.g. "protocol": "IPv4"). New reference, or
 * NULL when memory runs out. */
json_t *klocal_wire_json(const ProtobufCMessage *m);
/* Answers 200 with j as compact JSON; takes j (its reference is
 * dropped, so a fresh json_pack() result can be passed directly). */
int klocal_wire_reply_json(kmesos_httpd_req *req, json_t *j);

#endif
