/* exec_session: the executor's HTTP side: the SUBSCRIBE stream to the
 * agent (RecordIO of protobuf events), re-subscribing when it is lost as
 * Mesos' executor library does, and one-shot calls (UPDATE, MESSAGE). */
#ifndef KMESOS_EXEC_SESSION_H
#define KMESOS_EXEC_SESSION_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "codec/buf.h"
#include "mesos/v1/executor/executor.pb-c.h"

/* How long the first subscription is retried: the agent's default
 * executor_registration_timeout (1 min), after which it kills us anyway. */
#define KMESOS_EXEC_FIRST_SUBSCRIBE_MS 60000

typedef struct kmesos_exec_session kmesos_exec_session;

typedef struct kmesos_exec_session_cbs {
    /* The body of the next SUBSCRIBE call. 0 or -1. */
    int (*encode_subscribe)(void *arg, kmesos_buf *out);
    /* One event record; non-zero: the stream is bad, re-subscribe. */
    int (*on_record)(void *arg, const uint8_t *rec, size_t len);
    /* A stream that delivered events is gone (the executor is not
     * subscribed any more). */
    void (*on_disconnected)(void *arg, const char *reason);
    /* The session stopped trying (once): the stream was lost without
     * resubscribe, or no stream was live again recovery_ms after the loss
     * (KMESOS_EXEC_FIRST_SUBSCRIBE_MS after the start). */
    void (*on_give_up)(void *arg, const char *reason);
    void *arg;
} kmesos_exec_session_cbs;

typedef struct kmesos_exec_session_params {
    const char *url;         /* http://host:port/api/v1/executor */
    int resubscribe;         /* checkpointing: a lost stream is re-subscribed;
                              * else losing it gives up at once */
    uint64_t backoff_max_ms; /* after a failed attempt: wait uniform in [0, this] */
    uint64_t recovery_ms;    /* not subscribed again this long after a loss: give up */
} kmesos_exec_session_params;

/* NULL when memory runs out. */
kmesos_exec_session *kmesos_exec_session_new(uv_loop_t *loop, const kmesos_exec_session_params *p,
                                             const kmesos_exec_session_cbs *cbs);
/* The wait before the next attempt: rnd (uniform over uint32) mapped onto
 * [0, max_ms] in integer arithmetic, both ends included. */
uint64_t kmesos_exec_session_backoff_ms(uint64_t max_ms, uint32_t rnd);
/* Sends the first SUBSCRIBE. */
void kmesos_exec_session_start(kmesos_exec_session *s);
/* Posts a call; 0 when under way, -1 when it could not start. */
int kmesos_exec_session_send(kmesos_exec_session *s, const Mesos__V1__Executor__Call *call);
/* Calls still waiting for their answer. */
size_t kmesos_exec_session_pending_calls(const kmesos_exec_session *s);
/* Stops everything, frees the session, then calls done (from the loop). */
void kmesos_exec_session_close(kmesos_exec_session *s, void (*done)(void *arg), void *arg);

#endif
