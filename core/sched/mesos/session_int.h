/* session_int: the session's private parts, shared by session.c (the
 * subscription: SUBSCRIBE, the event stream, liveness, retries, close)
 * and sender.c (the queue of calls to the leader). Not for other
 * modules. */
#ifndef KMESOS_SESSION_INT_H
#define KMESOS_SESSION_INT_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "codec/arena.h"
#include "codec/buf.h"
#include "codec/recordio.h"
#include "net/transport.h"
#include "sched/mesos/backoff.h"
#include "sched/mesos/detector.h"
#include "sched/mesos/master_url.h"
#include "sched/mesos/session.h"

#define KMESOS_SS_ERR_MAX 256
#define KMESOS_SS_LANES 2 /* call queues: ordered calls, acknowledgements */

typedef struct ss_call {
    kmesos_session *s;
    kmesos_transport_req *req; /* NULL while queued behind another call */
    kmesos_buf body;           /* encoded call */
    kmesos_session_call_cb cb;
    void *arg;
    int type;
    int lane;                  /* its queue: s->calls[lane] */
    struct ss_call *next;
} ss_call;

struct kmesos_session {
    uv_loop_t *loop;
    kmesos_transport *tp;
    /* configuration (owned copies) */
    char *name, *user, *role, *hostname, *principal, *secret;
    double failover_timeout_s;
    int checkpoint;
    int redirect_credentials;     /* see kmesos_session_config */
    Mesos__V1__FrameworkInfo__Capability__Type *caps;
    size_t n_caps;
    int multi_role; /* MULTI_ROLE asked for: the role goes in roles[] */
    kmesos_content_type ct;
    double liveness_factor;
    long call_timeout_ms;
    kmesos_master_url_list masters; /* with a detector: the leader, or empty */
    size_t master_idx;
    kmesos_detector *detector;      /* --master zk://...: finds the leader */
    int connect_now;                /* the next retry without delay (a new leader) */
    kmesos_session_handler h;
    void *harg;
    /* connection */
    kmesos_session_state state;
    kmesos_backoff backoff;
    kmesos_transport_req *stream;
    long stream_status;
    char *url;          /* URL of the SUBSCRIBE in flight / of the live stream */
    int url_trusted;    /* url may get the credentials (kmesos_ss_auth_user) */
    char *redirect_url; /* Location to try next, before the list */
    char *location;     /* Location of the 307 being received */
    unsigned redirects; /* consecutive, in this attempt */
    int sent_framework_id;
    char *stream_id;
    char *framework_id;
    double heartbeat_s;
    kmesos_recordio rio;
    kmesos_arena events; /* a protobuf event lives here for its dispatch */
    char rec_err[KMESOS_SS_ERR_MAX];
    unsigned gen;
    uv_timer_t retry_timer;
    uv_timer_t liveness_timer;
    /* FIFOs, only each head in flight (sender.c): lane 0 every call in
     * order, lane 1 the ACKNOWLEDGEs (in order among themselves) */
    ss_call *calls[KMESOS_SS_LANES];
    ss_call *calls_tail[KMESOS_SS_LANES];
    kmesos_session_call_cb teardown_cb; /* the caller's, run after the stop */
    void *teardown_arg;
    kmesos_session_stats stats;
    int handles_open;
    kmesos_session_close_cb close_cb;
    void *close_arg;
};

static inline int kmesos_ss_is_dead(const kmesos_session *s)
{
    return s->state == KMESOS_SESSION_STOPPED || s->state == KMESOS_SESSION_CLOSING;
}

/* The handler's gate (kmesos_session_handler.may_send): 1 when a request
 * may leave now. */
static inline int kmesos_ss_may_send(const kmesos_session *s)
{
    return !s->h.may_send || s->h.may_send(s->harg);
}

/* The basic-auth user for a request to s->url, NULL to send none. */
static inline const char *kmesos_ss_auth_user(const kmesos_session *s)
{
    return s->secret && s->url_trusted ? s->principal : NULL;
}

/* ---- sender.c ---- */
/* Encodes call (with the session's framework id) and queues it behind the
 * calls in flight. KMESOS_SESSION_OK (cb runs exactly once later) or a
 * negative code (cb never runs). */
int kmesos_ss_enqueue(kmesos_session *s, Mesos__V1__Scheduler__Call *call,
                      kmesos_session_call_cb cb, void *arg);
/* Cancels every queued call; each cb runs with status 0, "session closed". */
void kmesos_ss_cancel_calls(kmesos_session *s);

#endif
