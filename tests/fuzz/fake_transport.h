/* fake_transport: net/transport's interface without a network, for the
 * session fuzz target. Linked before libkmesos_net.a, it stands in for
 * transport.c: requests are recorded, never sent, and the target plays
 * the master's side of the SUBSCRIBE stream through the functions
 * below. POSTed calls stay unanswered until cancelled. */
#ifndef KMESOS_FUZZ_FAKE_TRANSPORT_H
#define KMESOS_FUZZ_FAKE_TRANSPORT_H
#include <stddef.h>
#include <stdint.h>

#include "net/transport.h"

/* The stream request in flight on t (the latest SUBSCRIBE), or NULL. */
kmesos_transport_req *fake_transport_stream_of(kmesos_transport *t);
/* The master answers the stream: a status and the given Mesos-Stream-Id
 * and Location headers (either may be NULL). */
void fake_transport_headers(kmesos_transport_req *r, long status, const char *stream_id,
                            const char *location);
void fake_transport_data(kmesos_transport_req *r, const uint8_t *data, size_t len);
/* The stream ends (the request is freed; do not use r afterwards). */
void fake_transport_done(kmesos_transport_req *r, long status);

#endif
