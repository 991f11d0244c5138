/* exec_session: the executor's HTTP side: the SUBSCRIBE stream to the
 * agent (RecordIO of protobuf events), re-subscribing with backoff when
 * it is lost, and one-shot calls (UPDATE, MESSAGE). */
#ifndef KMESOS_EXEC_SESSION_H
#define KMESOS_EXEC_SESSION_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "codec/buf.h"
#include "mesos/v1/executor/executor.pb-c.h"

#define KMESOS_EXEC_BACKOFF_FIRST_MS 1000
#define KMESOS_EXEC_BACKOFF_MAX_MS 10000

typedef struct kmesos_exec_session kmesos_exec_session;

typedef struct kmesos_exec_session_cbs {
    /* The body of the next SUBSCRIBE call. 0 or -1. */
    int (*encode_subscribe)(void *arg, kmesos_buf *out);
    /* One event record; non-zero: the stream is bad, re-subscribe. */
    int (*on_record)(void *arg, const uint8_t *rec, size_t len);
    /* A stream that delivered events is gone (the executor is not
     * subscribed any more). */
    void (*on_disconnected)(void *arg, const char *reason);
    /* Not subscribed for longer than the recovery timeout. */
    void (*on_give_up)(void *arg, const char *reason);
    void *arg;
} kmesos_exec_session_cbs;

/* url: http://host:port/api/v1/executor. NULL when memory runs out. */
kmesos_exec_session *kmesos_exec_session_new(uv_loop_t *loop, const char *url,
                                             int64_t recovery_ns,
                                             const kmesos_exec_session_cbs *cbs);
/* Sends the first SUBSCRIBE. */
void kmesos_exec_session_start(kmesos_exec_session *s);
/* Posts a call; 0 when under way, -1 when it could not start. */
int kmesos_exec_session_send(kmesos_exec_session *s, const Mesos__V1__Executor__Call *call);
/* Calls still waiting for their answer. */
size_t kmesos_exec_session_pending_calls(const kmesos_exec_session *s);
/* Drops the stream now and re-subscribes after the backoff (as after a
 * bad record). */
void kmesos_exec_session_reconnect(kmesos_exec_session *s, const char *reason);
/* Stops everything, frees the session, then calls done (from the loop). */
void kmesos_exec_session_close(kmesos_exec_session *s, void (*done)(void *arg), void *arg);

#endif
