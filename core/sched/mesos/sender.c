/* sender: the session's calls to the leading master.
 *
 * A call is encoded at once (with the session's framework id filled in
 * for the encoding only, so the caller's message is left as it was) and
 * queued. Calls go out one at a time, in the order they were made, each
 * after the master answered the previous one (on a kept-alive
 * connection): separate concurrent connections could reach the master in
 * another order (a SUPPRESS overtaking a REVIVE, a DECLINE an ACCEPT).
 * ACKNOWLEDGEs are the exception: they go in order among themselves on a
 * second queue (and connection) of their own, since no other call's
 * meaning depends on them; behind a slow ACCEPT they would wait while
 * the agents resend the updates they acknowledge (a storm's launches).
 * Every call is a POST to the URL of the live stream with its
 * Mesos-Stream-Id; a non-2xx answer or a transport error is counted and
 * logged, and the caller's callback runs exactly once with the status
 * (0 when there was no answer: a call that could not start, or the
 * session closed under it). Whether a call may be sent at all (state,
 * stream id) is the session's decision (session.c); the handler's gate
 * (may_send, scheduler HA) is asked again right before each POST, so a
 * call queued while it was allowed is still dropped once it is not. */
#include <stdio.h>
#include <stdlib.h>

#include "codec/log.h"
#include "codec/protocol.h"
#include "sched/mesos/session_int.h"

#define MOD "session"

static void ss_call_free(ss_call *c)
{
    kmesos_buf_free(&c->body);
    free(c);
}

static ss_call *ss_call_pop(kmesos_session *s, int lane)
{
    ss_call *c = s->calls[lane];
    if (c) {
        s->calls[lane] = c->next;
        if (!s->calls[lane])
            s->calls_tail[lane] = NULL;
        c->next = NULL;
    }
    return c;
}

static void ss_on_call_done(void *arg, const kmesos_transport_result *res);

static kmesos_transport_req *ss_post(kmesos_session *s, ss_call *c)
{
    char ct_hdr[64], accept_hdr[64], sid_hdr[160];
    const char *ctn = kmesos_content_type_name(s->ct);
    snprintf(ct_hdr, sizeof ct_hdr, "Content-Type: %s", ctn);
    snprintf(accept_hdr, sizeof accept_hdr, "Accept: %s", ctn);
    snprintf(sid_hdr, sizeof sid_hdr, "Mesos-Stream-Id: %s", s->stream_id ? s->stream_id : "");
    const char *headers[] = {ct_hdr, accept_hdr, sid_hdr, NULL};
    kmesos_transport_request rq = {
        .url = s->url, .headers = headers, .body = c->body.data, .body_len = c->body.len,
        .user = kmesos_ss_auth_user(s), .secret = s->secret,
        .timeout_ms = s->call_timeout_ms,
    };
    return kmesos_transport_post(s->tp, &rq, ss_on_call_done, c);
}

/* Starts the call at the head of a queue, if it is not in flight. A
 * call that cannot be started, or that the handler's gate refuses (asked
 * right before each POST), is answered with status 0 and dropped. */
static void ss_pump_lane(kmesos_session *s, int lane)
{
    while (s->calls[lane] && !s->calls[lane]->req) {
        ss_call *c = s->calls[lane];
        int allowed = kmesos_ss_may_send(s);
        c->req = allowed ? ss_post(s, c) : NULL;
        if (c->req)
            return;
        ss_call_pop(s, lane);
        s->stats.calls_failed++;
        if (!allowed)
            KLOG_WARN(MOD, "%s call dropped: this scheduler may not send (not the leader)",
                      kmesos_sched_call_type_name(c->type));
        if (c->cb)
            c->cb(c->arg, 0, allowed ? "out of memory starting the call" : "not the leader");
        ss_call_free(c);
    }
}

static void ss_pump_calls(kmesos_session *s)
{
    for (int lane = 0; lane < KMESOS_SS_LANES; lane++)
        ss_pump_lane(s, lane);
}

static void ss_on_call_done(void *arg, const kmesos_transport_result *res)
{
    ss_call *c = arg;
    kmesos_session *s = c->s;
    ss_call_pop(s, c->lane); /* c is the head: only the head is in flight */
    const char *error = NULL;
    if (res->curl_code)
        error = res->error;
    else if (res->status < 200 || res->status >= 300)
        error = res->body_len ? res->body : "no body";
    if (error) {
        s->stats.calls_failed++;
        KLOG_WARN(MOD, "%s call answered %ld: %s", kmesos_sched_call_type_name(c->type),
                  res->status, error);
    }
    ss_pump_calls(s);
    if (c->cb)
        c->cb(c->arg, res->status, error);
    ss_call_free(c);
}

static int ss_encode_call(kmesos_session *s, Mesos__V1__Scheduler__Call *call, kmesos_buf *out)
{
    Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;
    fid.value = s->framework_id;
    Mesos__V1__FrameworkID *saved = call->framework_id;
    call->framework_id = &fid;
    int rc = kmesos_protocol_encode(&call->base, s->ct, out);
    call->framework_id = saved;
    return rc;
}

int kmesos_ss_enqueue(kmesos_session *s, Mesos__V1__Scheduler__Call *call,
                      kmesos_session_call_cb cb, void *arg)
{
    ss_call *c = calloc(1, sizeof *c);
    if (!c)
        return KMESOS_SESSION_ENOMEM;
    *c = (ss_call){.s = s, .cb = cb, .arg = arg, .type = call->type,
                   .lane = call->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACKNOWLEDGE};
    kmesos_buf_init(&c->body);
    if (ss_encode_call(s, call, &c->body) != 0) {
        ss_call_free(c);
        return KMESOS_SESSION_EENCODE;
    }
    if (s->calls_tail[c->lane])
        s->calls_tail[c->lane]->next = c;
    else
        s->calls[c->lane] = c;
    s->calls_tail[c->lane] = c;
    s->stats.calls_sent++;
    KLOG_DEBUG(MOD, "%s call queued", kmesos_sched_call_type_name(call->type));
    ss_pump_calls(s);
    return KMESOS_SESSION_OK;
}

void kmesos_ss_cancel_calls(kmesos_session *s)
{
    ss_call *c;
    for (int lane = 0; lane < KMESOS_SS_LANES; lane++)
        while ((c = ss_call_pop(s, lane)) != NULL) {
            if (c->req)
                kmesos_transport_cancel(c->req);
            if (c->cb)
                c->cb(c->arg, 0, "session closed");
            ss_call_free(c);
        }
}
