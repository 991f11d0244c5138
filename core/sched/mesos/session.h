/* session: the Mesos v1 scheduler session. Subscribes to a master (trying
 * the configured masters in turn, following 307 redirects, backing off
 * with jitter on 503 and errors), reads the RecordIO event stream, watches
 * heartbeats, re-subscribes with the saved framework id when the stream
 * is lost, and sends calls to the leader with the stream id. It hands
 * every decoded event to its handler and knows nothing of offers or
 * tasks. */
#ifndef KMESOS_SESSION_H
#define KMESOS_SESSION_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "codec/protocol.h"

typedef struct kmesos_session kmesos_session;

typedef struct kmesos_session_config {
    const char *master;         /* --master: "host:port", "h1:p1,h2:p2", "http(s)://..." */
    const char *framework_name; /* required */
    const char *user;           /* required (FrameworkInfo.user) */
    const char *role;           /* optional; FrameworkInfo.role, or roles[0]
                                 * when capabilities include MULTI_ROLE */
    const char *hostname;       /* optional FrameworkInfo.hostname */
    double failover_timeout_s;  /* > 0: FrameworkInfo.failover_timeout */
    int checkpoint;
    const char *principal;      /* FrameworkInfo.principal and basic-auth user */
    const char *secret;         /* basic-auth password (needs principal) */
    /* The credentials go to the configured masters (and the leader the
     * detector names) only; 1 also sends them to wherever a master's 307
     * points on the same scheme (--master-redirect-credentials). Never to
     * another scheme. */
    int redirect_credentials;
    /* FrameworkInfo.capabilities, sent as given. */
    const Mesos__V1__FrameworkInfo__Capability__Type *capabilities;
    size_t n_capabilities;
    kmesos_content_type content_type; /* protobuf (default) or JSON */
    size_t max_record;          /* 0 -> KMESOS_RECORDIO_DEFAULT_MAX */
    double backoff_base_s;      /* 0 -> 0.5 */
    double backoff_cap_s;       /* 0 -> 30 */
    double liveness_factor;     /* 0 -> 5 (x heartbeat interval) */
    long connect_timeout_ms;    /* 0 -> 10000 */
    long call_timeout_ms;       /* 0 -> 30000 */
} kmesos_session_config;

typedef struct kmesos_session_handler {
    /* SUBSCRIBED arrived (before on_event gets it). is_resubscribe: the
     * SUBSCRIBE carried a framework id. */
    void (*on_subscribed)(void *arg, const char *framework_id, double heartbeat_s,
                          int is_resubscribe);
    /* Every decoded event of a known type, SUBSCRIBED, HEARTBEAT and ERROR
     * included. The event is freed when the callback returns. */
    void (*on_event)(void *arg, const Mesos__V1__Scheduler__Event *ev);
    /* A live subscription was lost; the session re-subscribes by itself. */
    void (*on_disconnected)(void *arg, const char *reason);
    /* ERROR event (after on_event): the master removed the framework; the
     * session has stopped and will not re-subscribe. */
    void (*on_error)(void *arg, const char *message);
    /* on_event's own argument, when not NULL: the events' consumer (the
     * scheduler, with on_event = kmesos_scheduler_feed), while the other
     * callbacks get the session's arg (the program's wiring). */
    void *event_arg;
    /* The gate, optional: asked (with the session's arg) right before
     * every request leaves for the master, SUBSCRIBE and each call. 0
     * refuses it: a call is answered with status 0 and dropped, a
     * SUBSCRIBE is retried after the backoff (scheduler HA: a scheduler
     * whose leadership lease ran out sends nothing). */
    int (*may_send)(void *arg);
} kmesos_session_handler;

typedef enum kmesos_session_state {
    KMESOS_SESSION_IDLE = 0,    /* created, not started */
    KMESOS_SESSION_CONNECTING,  /* SUBSCRIBE sent, no answer yet */
    KMESOS_SESSION_SUBSCRIBING, /* 200 received, waiting for SUBSCRIBED */
    KMESOS_SESSION_SUBSCRIBED,
    KMESOS_SESSION_BACKOFF,     /* waiting before the next SUBSCRIBE */
    KMESOS_SESSION_STOPPING,    /* TEARDOWN sent */
    KMESOS_SESSION_STOPPED,     /* after ERROR or TEARDOWN: no retry */
    KMESOS_SESSION_CLOSING,
} kmesos_session_state;

#define KMESOS_SESSION_EVENT_TYPES 16

typedef struct kmesos_session_stats {
    uint64_t subscribe_attempts; /* SUBSCRIBE requests sent */
    uint64_t subscribes;         /* SUBSCRIBED events received */
    uint64_t reconnects;         /* live subscriptions lost */
    uint64_t redirects;          /* 307s followed */
    uint64_t liveness_timeouts;
    uint64_t bad_streams;        /* malformed/oversize/undecodable records */
    uint64_t events;             /* events decoded */
    uint64_t events_by_type[KMESOS_SESSION_EVENT_TYPES]; /* by Event.Type value */
    uint64_t events_unknown;     /* skipped: unknown type */
    uint64_t bytes;              /* stream body bytes received */
    uint64_t calls_sent;
    uint64_t calls_failed;       /* non-2xx or transport error */
    char last_error[256];        /* last subscribe/stream failure */
} kmesos_session_stats;

/* Called with the HTTP status (202 expected; 0: no answer) and NULL on
 * success, or the error text (the master's body, or the transport error). */
typedef void (*kmesos_session_call_cb)(void *arg, long status, const char *error);
typedef void (*kmesos_session_close_cb)(void *arg);

enum {
    KMESOS_SESSION_OK = 0,
    KMESOS_SESSION_ENOTSUBSCRIBED = -1,
    KMESOS_SESSION_EENCODE = -2,
    KMESOS_SESSION_ENOMEM = -3,
    KMESOS_SESSION_ECLOSED = -4,
};

/* Copies the config. NULL with a message in err (bad --master, missing
 * name/user, no memory). handler is copied; arg is passed to it. */
kmesos_session *kmesos_session_new(uv_loop_t *loop, const kmesos_session_config *cfg,
                                   const kmesos_session_handler *handler, void *arg,
                                   char *err, size_t errlen);
/* Sends the first SUBSCRIBE. 0, or a negative KMESOS_SESSION_E* code. */
int kmesos_session_start(kmesos_session *s);
/* Framework id from persisted state, used by the next SUBSCRIBE. 0 or -1. */
int kmesos_session_set_framework_id(kmesos_session *s, const char *id);
/* The known framework id or NULL. */
const char *kmesos_session_framework_id(const kmesos_session *s);
kmesos_session_state kmesos_session_get_state(const kmesos_session *s);
const char *kmesos_session_state_name(kmesos_session_state st);
const kmesos_session_stats *kmesos_session_get_stats(const kmesos_session *s);
/* URL of the master the live subscription is on, or NULL. */
/* 1 when the leader's URL may get the credentials (always without
 * credentials): others that talk to it with them (GET_AGENTS) ask first. */
int kmesos_session_leader_trusted(const kmesos_session *s);
const char *kmesos_session_leader_url(const kmesos_session *s);

/* Sends a call to the leader: fills framework_id (the caller's call is
 * left unchanged afterwards), encodes it, POSTs it with Mesos-Stream-Id on
 * its own connection. 0: cb runs exactly once later. Negative
 * KMESOS_SESSION_E* code: cb never runs (e.g. not subscribed). */
int kmesos_session_call(kmesos_session *s, Mesos__V1__Scheduler__Call *call,
                        kmesos_session_call_cb cb, void *arg);
/* The scheduler's sender: matches kmesos_scheduler_io.send with the
 * session as send_arg. kmesos_session_call whose answer is only logged
 * (a warning unless the master answered 200 or 202); a call that cannot
 * be sent is logged too. 0, or a negative KMESOS_SESSION_E* code. */
int kmesos_session_send(void *session, Mesos__V1__Scheduler__Call *call);
/* Sends TEARDOWN and stops (no re-subscribe). cb may be NULL. */
int kmesos_session_teardown(kmesos_session *s, kmesos_session_call_cb cb, void *arg);
/* Drops the stream, cancels pending calls (their cb runs with status 0
 * and "session closed"), closes every handle, frees the session and then
 * calls cb from the loop. Safe inside any session callback. */
void kmesos_session_close(kmesos_session *s, kmesos_session_close_cb cb, void *arg);
const char *kmesos_session_strerror(int code);

#endif
