/* session: the Mesos v1 scheduler session, one state machine on the loop.
 *
 * IDLE -> CONNECTING (SUBSCRIBE streaming POST sent to a master)
 *   307            -> follow Location at once (bounded), same attempt
 *   200            -> SUBSCRIBING: body bytes go through the RecordIO
 *                     decoder, each record is decoded to an Event
 *   SUBSCRIBED     -> SUBSCRIBED: framework id and heartbeat saved,
 *                     backoff reset, calls allowed
 *   other answers, connection errors, a stream that ends, a bad record,
 *   no event for liveness_factor x heartbeat
 *                  -> BACKOFF: next master of the list after a jittered,
 *                     capped exponential delay, then CONNECTING again
 *   ERROR event or TEARDOWN -> STOPPED (no retry)
 * Each decoded event goes to the handler's consumer (the scheduler) as
 * it arrives; a protobuf event is unpacked into the session's arena and
 * dropped at once after its dispatch (nothing may keep a pointer into it). Calls are allowed while SUBSCRIBED; sender.c queues them and
 * posts them one by one to the URL of the live stream with its
 * Mesos-Stream-Id. `gen` counts stream ends: code running inside a
 * handler callback compares it to notice that the handler dropped,
 * stopped or closed the session, and stops touching the old stream. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "codec/num.h"
#include "codec/log.h"
#include "codec/str.h"
#include "sched/mesos/session_int.h"

#define MOD "session"
#define MAX_REDIRECTS 5
#define DEFAULT_HEARTBEAT_S 15.0
#define KMESOS_SESSION_HEARTBEAT_MAX_S 3600.0
#define ERR_MAX KMESOS_SS_ERR_MAX
#define MAX_CAPS 16

static void ss_connect(kmesos_session *s);
static void ss_arm_liveness(kmesos_session *s);
static void ss_retry_later(kmesos_session *s, kmesos_log_level level, const char *reason);

/* ---- small helpers ------------------------------------------------------ */

const char *kmesos_session_state_name(kmesos_session_state st)
{
    static const char *const names[] = {"idle", "connecting", "subscribing", "subscribed",
                                        "backoff", "stopping", "stopped", "closing"};
    return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "?";
}

const char *kmesos_session_strerror(int code)
{
    switch (code) {
    case KMESOS_SESSION_OK: return "ok";
    case KMESOS_SESSION_ENOTSUBSCRIBED: return "not subscribed to a Mesos master (no stream id yet)";
    case KMESOS_SESSION_EENCODE: return "cannot encode the call";
    case KMESOS_SESSION_ENOMEM: return "out of memory";
    case KMESOS_SESSION_ECLOSED: return "session stopped or closing";
    default: return "unknown session error";
    }
}

static void ss_set_error(kmesos_session *s, const char *reason)
{
    snprintf(s->stats.last_error, sizeof s->stats.last_error, "%s", reason);
}

/* ---- configuration ------------------------------------------------------ */

/* Copies the capabilities (at most MAX_CAPS). */
static int ss_copy_caps(kmesos_session *s, const kmesos_session_config *cfg)
{
    s->caps = calloc(MAX_CAPS, sizeof *s->caps);
    if (!s->caps)
        return -1;
    for (size_t i = 0; i < cfg->n_capabilities && s->n_caps < MAX_CAPS; i++) {
        s->caps[s->n_caps++] = cfg->capabilities[i];
        if (cfg->capabilities[i] == MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__MULTI_ROLE)
            s->multi_role = 1;
    }
    return 0;
}

static int ss_copy_config(kmesos_session *s, const kmesos_session_config *c)
{
    s->redirect_credentials = c->redirect_credentials;
    s->failover_timeout_s = c->failover_timeout_s;
    s->checkpoint = c->checkpoint;
    s->ct = c->content_type == KMESOS_CT_JSON ? KMESOS_CT_JSON : KMESOS_CT_PROTOBUF;
    s->liveness_factor = c->liveness_factor > 0 ? c->liveness_factor : 5.0;
    s->call_timeout_ms = c->call_timeout_ms > 0 ? c->call_timeout_ms : 30000;
    s->heartbeat_s = DEFAULT_HEARTBEAT_S;
    kmesos_backoff_init(&s->backoff, c->backoff_base_s,
                        c->backoff_cap_s > 0 ? c->backoff_cap_s : 30.0,
                        uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)s);
    kmesos_recordio_init(&s->rio, c->max_record);
    if (kmesos_str_set(&s->name, c->framework_name) || kmesos_str_set(&s->user, c->user) ||
        kmesos_str_set(&s->role, c->role) || kmesos_str_set(&s->hostname, c->hostname) ||
        kmesos_str_set(&s->principal, c->principal) || kmesos_str_set(&s->secret, c->secret))
        return -1;
    return ss_copy_caps(s, c);
}

static void ss_free(kmesos_session *s)
{
    kmesos_detector_close(s->detector);
    free(s->name);
    free(s->user);
    free(s->role);
    free(s->hostname);
    free(s->principal);
    free(s->secret);
    free(s->caps);
    free(s->url);
    free(s->redirect_url);
    free(s->location);
    free(s->stream_id);
    free(s->framework_id);
    kmesos_recordio_free(&s->rio);
    kmesos_arena_free(&s->events);
    kmesos_master_url_list_free(&s->masters);
    free(s);
}

/* Same scheme, host and port (the paths may differ: /master/...). */
static int ss_same_master(const char *a, const char *b)
{
    const char *ea = a ? strstr(a, "://") : NULL, *eb = b ? strstr(b, "://") : NULL;
    if (!ea || !eb)
        return 0;
    ea = strchr(ea + 3, '/');
    eb = strchr(eb + 3, '/');
    size_t na = ea ? (size_t)(ea - a) : strlen(a), nb = eb ? (size_t)(eb - b) : strlen(b);
    return na == nb && strncasecmp(a, b, na) == 0;
}

static void ss_stream_lost(kmesos_session *s, kmesos_log_level level, const char *reason);

/* The detector named a new leader (url "http://host:port"), or none. */
static void ss_on_leader(void *arg, const char *url)
{
    kmesos_session *s = arg;
    char err[ERR_MAX];
    kmesos_master_url_list l = {0};
    if (url && kmesos_master_url_parse(url, &l, err, sizeof err) != 0) {
        KLOG_ERROR(MOD, "leading master %s: %s", url, err);
        return;
    }
    kmesos_master_url_list_free(&s->masters);
    s->masters = l;
    s->master_idx = 0;
    if (kmesos_ss_is_dead(s) || s->state == KMESOS_SESSION_STOPPING ||
        s->state == KMESOS_SESSION_IDLE || !url)
        return; /* without a leader, a live stream runs until it ends */
    if (s->state == KMESOS_SESSION_BACKOFF) {
        uv_timer_stop(&s->retry_timer);
        kmesos_backoff_reset(&s->backoff);
        ss_connect(s);
    } else if (!ss_same_master(s->url, s->masters.urls[0])) {
        char reason[ERR_MAX];
        snprintf(reason, sizeof reason, "the leading master is now %s", url);
        kmesos_backoff_reset(&s->backoff);
        s->master_idx = s->masters.n - 1; /* the retry goes to index 0 */
        s->connect_now = 1;
        ss_stream_lost(s, KMESOS_LOG_INFO, reason);
        s->connect_now = 0;
    }
}

kmesos_session *kmesos_session_new(uv_loop_t *loop, const kmesos_session_config *cfg,
                                   const kmesos_session_handler *handler, void *arg,
                                   char *err, size_t errlen)
{
    if (!cfg->framework_name || !*cfg->framework_name || !cfg->user || !*cfg->user) {
        snprintf(err, errlen, "framework name and user are required");
        return NULL;
    }
    kmesos_session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    kmesos_arena_init(&s->events);
    if (kmesos_detector_is_zk(cfg->master)
            ? !(s->detector = kmesos_detector_new(loop, cfg->master, ss_on_leader, s, err,
                                                  errlen))
            : kmesos_master_url_parse(cfg->master, &s->masters, err, errlen) != 0) {
        ss_free(s);
        return NULL;
    }
    kmesos_transport_opts topts = {.connect_timeout_ms = cfg->connect_timeout_ms};
    if (ss_copy_config(s, cfg) != 0 || !(s->tp = kmesos_transport_new(loop, &topts))) {
        snprintf(err, errlen, "out of memory");
        ss_free(s);
        return NULL;
    }
    s->loop = loop;
    s->h = *handler;
    s->harg = arg;
    uv_timer_init(loop, &s->retry_timer);
    uv_timer_init(loop, &s->liveness_timer);
    s->retry_timer.data = s;
    s->liveness_timer.data = s;
    return s;
}

/* ---- getters ------------------------------------------------------------ */

int kmesos_session_set_framework_id(kmesos_session *s, const char *id)
{
    return kmesos_str_set(&s->framework_id, id && *id ? id : NULL);
}

const char *kmesos_session_framework_id(const kmesos_session *s) { return s->framework_id; }

kmesos_session_state kmesos_session_get_state(const kmesos_session *s) { return s->state; }

const kmesos_session_stats *kmesos_session_get_stats(const kmesos_session *s)
{
    return &s->stats;
}

int kmesos_session_leader_trusted(const kmesos_session *s)
{
    return !s->secret || s->url_trusted;
}

const char *kmesos_session_leader_url(const kmesos_session *s)
{
    return s->state == KMESOS_SESSION_SUBSCRIBED ? s->url : NULL;
}

/* ---- SUBSCRIBE ---------------------------------------------------------- */

/* A MULTI_ROLE framework names its role in roles[]; any other one uses
 * the (deprecated) role field, so that the master keeps filling in the
 * allocation info of the resources it accepts, as for the recorded
 * scheduler. */
static void ss_set_role(kmesos_session *s, Mesos__V1__FrameworkInfo *fi)
{
    if (!s->role)
        return;
    if (s->multi_role) {
        fi->n_roles = 1;
        fi->roles = &s->role;
        return;
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    fi->role = s->role;
#pragma GCC diagnostic pop
}

/* Fills fi (and the pieces it points to, owned by the caller's frame). */
static void ss_framework_info(kmesos_session *s, Mesos__V1__FrameworkInfo *fi,
                              Mesos__V1__FrameworkID *fid,
                              Mesos__V1__FrameworkInfo__Capability *caps,
                              Mesos__V1__FrameworkInfo__Capability **capp)
{
    fi->user = s->user;
    fi->name = s->name;
    fi->hostname = s->hostname;
    fi->principal = s->principal;
    if (s->framework_id) {
        fid->value = s->framework_id;
        fi->id = fid;
    }
    fi->has_failover_timeout = s->failover_timeout_s > 0;
    fi->failover_timeout = s->failover_timeout_s;
    fi->has_checkpoint = s->checkpoint != 0;
    fi->checkpoint = s->checkpoint != 0;
    ss_set_role(s, fi);
    for (size_t i = 0; i < s->n_caps; i++) {
        mesos__v1__framework_info__capability__init(&caps[i]);
        caps[i].has_type = 1;
        caps[i].type = s->caps[i];
        capp[i] = &caps[i];
    }
    fi->n_capabilities = s->n_caps;
    fi->capabilities = s->n_caps ? capp : NULL;
}

static int ss_encode_subscribe(kmesos_session *s, kmesos_buf *out)
{
    Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;
    /* the initialiser names the deprecated role field's default (clang) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    Mesos__V1__FrameworkInfo fi = MESOS__V1__FRAMEWORK_INFO__INIT;
#pragma GCC diagnostic pop
    Mesos__V1__FrameworkInfo__Capability caps[MAX_CAPS];
    Mesos__V1__FrameworkInfo__Capability *capp[MAX_CAPS];
    ss_framework_info(s, &fi, &fid, caps, capp);
    Mesos__V1__Scheduler__Call__Subscribe sub = MESOS__V1__SCHEDULER__CALL__SUBSCRIBE__INIT;
    sub.framework_info = &fi;
    Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
    call.has_type = 1;
    call.type = MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE;
    call.subscribe = &sub;
    call.framework_id = fi.id;
    s->sent_framework_id = fi.id != NULL;
    return kmesos_protocol_encode(&call.base, s->ct, out);
}

static const char *ss_target(kmesos_session *s)
{
    return s->redirect_url ? s->redirect_url : s->masters.urls[s->master_idx];
}

static void ss_on_headers(void *arg, long status, const kmesos_transport_headers *h);
static void ss_on_data(void *arg, const uint8_t *data, size_t len);
static void ss_on_done(void *arg, const kmesos_transport_result *res);

static kmesos_transport_req *ss_start_stream(kmesos_session *s, const kmesos_buf *body)
{
    char ct_hdr[64], accept_hdr[64];
    const char *ctn = kmesos_content_type_name(s->ct);
    snprintf(ct_hdr, sizeof ct_hdr, "Content-Type: %s", ctn);
    snprintf(accept_hdr, sizeof accept_hdr, "Accept: %s", ctn);
    const char *headers[] = {ct_hdr, accept_hdr, NULL};
    kmesos_transport_request rq = {
        .url = s->url, .headers = headers, .body = body->data, .body_len = body->len,
        .user = kmesos_ss_auth_user(s), .secret = s->secret,
    };
    static const kmesos_transport_stream_cbs cbs = {ss_on_headers, ss_on_data, ss_on_done};
    return kmesos_transport_stream(s->tp, &rq, &cbs, s);
}

/* The credentials rule (kmesos_session_config.redirect_credentials): a
 * configured master's origin always; a 307's target only on the same
 * scheme as the master that sent it and with the flag. */
static int ss_url_trusted(kmesos_session *s)
{
    if (!s->secret)
        return 0;
    for (size_t i = 0; i < s->masters.n; i++)
        if (kmesos_master_url_relation(s->masters.urls[i], s->url) ==
            KMESOS_MASTER_URL_SAME_ORIGIN)
            return 1;
    const char *from = s->masters.n ? s->masters.urls[s->master_idx] : NULL;
    if (s->redirect_credentials &&
        kmesos_master_url_relation(from, s->url) != KMESOS_MASTER_URL_NO_TRUST)
        return 1;
    KLOG_WARN(MOD, "%s is not a configured master: no credentials sent to it (list every "
                   "master in --master, or --master-redirect-credentials for the same scheme)",
              s->url);
    return 0;
}

static void ss_connect(kmesos_session *s)
{
    if (!kmesos_ss_may_send(s)) {
        ss_retry_later(s, KMESOS_LOG_WARN, "SUBSCRIBE not sent: this scheduler may not send");
        return;
    }
    kmesos_buf body;
    kmesos_buf_init(&body);
    if (ss_encode_subscribe(s, &body) != 0 || kmesos_str_set(&s->url, ss_target(s)) != 0) {
        kmesos_buf_free(&body);
        ss_retry_later(s, KMESOS_LOG_ERROR, "cannot encode SUBSCRIBE");
        return;
    }
    s->url_trusted = ss_url_trusted(s);
    s->state = KMESOS_SESSION_CONNECTING;
    s->stream_status = 0;
    s->stats.subscribe_attempts++;
    KLOG_INFO(MOD, "subscribing to %s%s%s", s->url,
              s->framework_id ? " as framework " : "", s->framework_id ? s->framework_id : "");
    s->stream = ss_start_stream(s, &body);
    kmesos_buf_free(&body);
    if (!s->stream)
        ss_retry_later(s, KMESOS_LOG_ERROR, "cannot start the SUBSCRIBE request");
    else
        ss_arm_liveness(s); /* also bounds a master that never answers */
}

int kmesos_session_start(kmesos_session *s)
{
    if (s->state != KMESOS_SESSION_IDLE)
        return kmesos_ss_is_dead(s) ? KMESOS_SESSION_ECLOSED : KMESOS_SESSION_OK;
    if (s->masters.n == 0) {
        s->state = KMESOS_SESSION_BACKOFF; /* ss_on_leader connects */
        KLOG_INFO(MOD, "waiting for ZooKeeper to name the leading master");
        return KMESOS_SESSION_OK;
    }
    ss_connect(s);
    return KMESOS_SESSION_OK;
}

/* ---- losing the stream, retrying ---------------------------------------- */

static void ss_on_retry_timer(uv_timer_t *t)
{
    kmesos_session *s = t->data;
    if (s->state == KMESOS_SESSION_BACKOFF)
        ss_connect(s);
}

/* Cancels the stream (if any) and forgets what belonged to it. */
static void ss_end_stream(kmesos_session *s)
{
    if (s->stream)
        kmesos_transport_cancel(s->stream);
    s->stream = NULL;
    s->gen++;
    uv_timer_stop(&s->liveness_timer);
    kmesos_str_set(&s->stream_id, NULL);
    kmesos_str_set(&s->location, NULL);
    kmesos_recordio_reset(&s->rio);
}

/* Schedules the next SUBSCRIBE, on the next master of the list, and logs
 * the one line that says why and when. */
static void ss_retry_later(kmesos_session *s, kmesos_log_level level, const char *reason)
{
    ss_set_error(s, reason);
    kmesos_str_set(&s->redirect_url, NULL);
    s->redirects = 0;
    s->state = KMESOS_SESSION_BACKOFF;
    if (s->masters.n == 0) { /* ss_on_leader connects */
        kmesos_log(level, MOD, "%s; waiting for ZooKeeper to name the leading master", reason);
        return;
    }
    s->master_idx = (s->master_idx + 1) % s->masters.n;
    double delay = s->connect_now ? 0.0 : kmesos_backoff_next(&s->backoff);
    s->connect_now = 0;
    kmesos_log(level, MOD, "%s; subscribing to %s in %.2f s", reason,
               s->masters.urls[s->master_idx], delay);
    uv_timer_start(&s->retry_timer, ss_on_retry_timer, kmesos_num_ms(delay), 0);
}

/* The stream is gone (or must go): tell the handler if it was live, then
 * retry unless the session is stopping. */
static void ss_stream_lost(kmesos_session *s, kmesos_log_level level, const char *reason)
{
    int was_live = s->state == KMESOS_SESSION_SUBSCRIBED;
    ss_end_stream(s);
    if (s->state == KMESOS_SESSION_STOPPING || kmesos_ss_is_dead(s))
        return;
    unsigned gen = s->gen;
    if (was_live) {
        s->stats.reconnects++;
        s->state = KMESOS_SESSION_BACKOFF;
        if (s->h.on_disconnected)
            s->h.on_disconnected(s->harg, reason);
        if (gen != s->gen || s->state != KMESOS_SESSION_BACKOFF)
            return; /* the handler stopped or closed the session */
    }
    ss_retry_later(s, level, reason);
}

static void ss_on_liveness_timer(uv_timer_t *t)
{
    kmesos_session *s = t->data;
    char reason[ERR_MAX];
    snprintf(reason, sizeof reason, "no %s from %s for %.1f s (%.0f x heartbeat %.1f s)",
             s->state == KMESOS_SESSION_CONNECTING ? "answer" : "event", s->url,
             s->liveness_factor * s->heartbeat_s, s->liveness_factor, s->heartbeat_s);
    s->stats.liveness_timeouts++;
    ss_stream_lost(s, KMESOS_LOG_WARN, reason);
}

static void ss_arm_liveness(kmesos_session *s)
{
    uv_timer_start(&s->liveness_timer, ss_on_liveness_timer,
                   kmesos_num_ms(s->liveness_factor * s->heartbeat_s), 0);
}

/* The master's heartbeat interval, bounded: none, 0, negative or not
 * finite gives the default; more than KMESOS_SESSION_HEARTBEAT_MAX_S is
 * cut there (a huge one would make the liveness timer overflow). */
static double ss_heartbeat_s(const Mesos__V1__Scheduler__Event__Subscribed *sub)
{
    double hb = sub->heartbeat_interval_seconds;
    if (!sub->has_heartbeat_interval_seconds || !kmesos_num_in(hb, 1e-3, INFINITY))
        return DEFAULT_HEARTBEAT_S;
    if (hb > KMESOS_SESSION_HEARTBEAT_MAX_S) {
        KLOG_WARN(MOD, "heartbeat_interval_seconds %g from the master cut to %g", hb,
                  KMESOS_SESSION_HEARTBEAT_MAX_S);
        return KMESOS_SESSION_HEARTBEAT_MAX_S;
    }
    return hb;
}

/* Stops for good: no stream, no retry. */
static void ss_stop(kmesos_session *s)
{
    ss_end_stream(s);
    uv_timer_stop(&s->retry_timer);
    if (s->state != KMESOS_SESSION_CLOSING)
        s->state = KMESOS_SESSION_STOPPED;
}

/* ---- events ------------------------------------------------------------- */

/* Hands an event to the handler's consumer (event_arg, else arg). */
static void ss_emit(kmesos_session *s, const Mesos__V1__Scheduler__Event *ev)
{
    if (s->h.on_event)
        s->h.on_event(s->h.event_arg ? s->h.event_arg : s->harg, ev);
}

static int ss_on_subscribed(kmesos_session *s, const Mesos__V1__Scheduler__Event *ev)
{
    const Mesos__V1__Scheduler__Event__Subscribed *sub = ev->subscribed;
    if (!sub || !sub->framework_id || !sub->framework_id->value) {
        snprintf(s->rec_err, sizeof s->rec_err, "SUBSCRIBED event without framework_id");
        return -1;
    }
    if (s->framework_id && strcmp(s->framework_id, sub->framework_id->value) != 0)
        KLOG_WARN(MOD, "master assigned framework id %s instead of %s",
                  sub->framework_id->value, s->framework_id);
    if (kmesos_str_set(&s->framework_id, sub->framework_id->value) != 0) {
        snprintf(s->rec_err, sizeof s->rec_err, "out of memory");
        return -1;
    }
    s->heartbeat_s = ss_heartbeat_s(sub);
    s->state = KMESOS_SESSION_SUBSCRIBED;
    s->stats.subscribes++;
    kmesos_backoff_reset(&s->backoff);
    ss_arm_liveness(s);
    KLOG_INFO(MOD, "subscribed to %s as framework %s (heartbeat %.1f s, stream %s)", s->url,
              s->framework_id, s->heartbeat_s, s->stream_id);
    if (s->h.on_subscribed)
        s->h.on_subscribed(s->harg, s->framework_id, s->heartbeat_s, s->sent_framework_id);
    return 0;
}

static void ss_on_error_event(kmesos_session *s, const Mesos__V1__Scheduler__Event *ev)
{
    const char *msg = ev->error && ev->error->message ? ev->error->message : "(no message)";
    KLOG_ERROR(MOD, "ERROR event from the master: %s; stopping", msg);
    ss_set_error(s, msg);
    ss_stop(s);
    ss_emit(s, ev);
    if (s->h.on_error)
        s->h.on_error(s->harg, msg);
}

static int ss_type_known(const Mesos__V1__Scheduler__Event *ev)
{
    return ev->has_type && ev->type != MESOS__V1__SCHEDULER__EVENT__TYPE__UNKNOWN &&
           protobuf_c_enum_descriptor_get_value(&mesos__v1__scheduler__event__type__descriptor,
                                                ev->type) != NULL;
}

/* 0, or -1 with rec_err set when the event is unusable. */
static int ss_dispatch(kmesos_session *s, const Mesos__V1__Scheduler__Event *ev)
{
    unsigned gen = s->gen;
    s->stats.events++;
    if (!ss_type_known(ev)) {
        s->stats.events_unknown++;
        KLOG_WARN(MOD, "skipping an event of unknown type %d", ev->has_type ? (int)ev->type : -1);
        return 0;
    }
    s->stats.events_by_type[(unsigned)ev->type % KMESOS_SESSION_EVENT_TYPES]++;
    KLOG_DEBUG(MOD, "event %s", kmesos_sched_event_type_name(ev->type));
    if (ev->type == MESOS__V1__SCHEDULER__EVENT__TYPE__ERROR) {
        ss_on_error_event(s, ev);
        return 0;
    }
    if (ev->type == MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED && ss_on_subscribed(s, ev) != 0)
        return -1;
    if (gen == s->gen)
        ss_emit(s, ev);
    return 0;
}

/* RecordIO callback: one record = one Event. Non-zero stops the feed. */
static int ss_on_record(void *arg, const uint8_t *rec, size_t len)
{
    kmesos_session *s = arg;
    unsigned gen = s->gen;
    char err[200];
    int in_arena;
    ProtobufCMessage *m =
        kmesos_protocol_decode_in(&mesos__v1__scheduler__event__descriptor, s->ct, rec, len,
                                  &s->events, &in_arena, err, sizeof err);
    if (!m) {
        kmesos_arena_reset(&s->events);
        snprintf(s->rec_err, sizeof s->rec_err, "undecodable event record (%zu bytes): %s",
                 len, err);
        return 1;
    }
    if (s->state != KMESOS_SESSION_STOPPING)
        ss_arm_liveness(s);
    int rc = ss_dispatch(s, (const Mesos__V1__Scheduler__Event *)m);
    if (in_arena)
        kmesos_arena_reset(&s->events);
    else
        protobuf_c_message_free_unpacked(m, NULL);
    return rc != 0 || gen != s->gen;
}

/* ---- stream callbacks --------------------------------------------------- */

static void ss_on_headers(void *arg, long status, const kmesos_transport_headers *h)
{
    kmesos_session *s = arg;
    s->stream_status = status;
    if (status == 307) {
        kmesos_str_set(&s->location, kmesos_transport_header(h, "Location"));
        return;
    }
    if (status != 200)
        return; /* the body (error text) comes with on_done */
    const char *sid = kmesos_transport_header(h, "Mesos-Stream-Id");
    if (!sid || !*sid) {
        char reason[ERR_MAX];
        snprintf(reason, sizeof reason, "SUBSCRIBE answer from %s without Mesos-Stream-Id",
                 s->url);
        s->stats.bad_streams++;
        ss_stream_lost(s, KMESOS_LOG_ERROR, reason);
        return;
    }
    kmesos_str_set(&s->stream_id, sid);
    kmesos_recordio_reset(&s->rio);
    s->state = KMESOS_SESSION_SUBSCRIBING;
    ss_arm_liveness(s);
}

static void ss_on_data(void *arg, const uint8_t *data, size_t len)
{
    kmesos_session *s = arg;
    unsigned gen = s->gen;
    s->stats.bytes += len;
    s->rec_err[0] = 0;
    int rc = kmesos_recordio_feed(&s->rio, data, len, ss_on_record, s);
    if (rc == 0 || gen != s->gen)
        return;
    char reason[ERR_MAX + 64];
    snprintf(reason, sizeof reason, "bad event stream from %s: %s", s->url,
             s->rec_err[0] ? s->rec_err : kmesos_recordio_strerror(rc));
    s->stats.bad_streams++;
    ss_stream_lost(s, KMESOS_LOG_ERROR, reason);
}

/* A 307: resolve the Location against the request URL and go there. */
static void ss_follow_redirect(kmesos_session *s)
{
    char err[ERR_MAX];
    char *next = s->location ? kmesos_master_url_resolve(s->url, s->location, err, sizeof err)
                             : NULL;
    if (!s->location)
        snprintf(err, sizeof err, "307 from %s without Location", s->url);
    if (!next || ++s->redirects > MAX_REDIRECTS) {
        if (next)
            snprintf(err, sizeof err, "too many redirects (last to %s)", next);
        free(next);
        ss_end_stream(s);
        ss_retry_later(s, KMESOS_LOG_WARN, err);
        return;
    }
    KLOG_INFO(MOD, "%s is not the leader: redirected to %s", s->url, next);
    s->stats.redirects++;
    free(s->redirect_url);
    s->redirect_url = next;
    ss_end_stream(s);
    ss_connect(s);
}

static void ss_on_done(void *arg, const kmesos_transport_result *res)
{
    kmesos_session *s = arg;
    char reason[ERR_MAX + 64];
    s->stream = NULL; /* the transport frees it */
    if (res->status == 307 && res->curl_code == 0) {
        ss_follow_redirect(s);
        return;
    }
    if (res->status == 200) {
        snprintf(reason, sizeof reason, "event stream from %s ended: %s%s", s->url,
                 res->curl_code ? res->error : "closed by the master",
                 kmesos_recordio_partial(&s->rio) ? " (inside a record)" : "");
    } else if (res->status == 0) {
        snprintf(reason, sizeof reason, "SUBSCRIBE to %s failed: %s", s->url,
                 res->error ? res->error : "no answer");
    } else {
        snprintf(reason, sizeof reason, "SUBSCRIBE to %s answered %ld%s%.*s", s->url,
                 res->status, res->body_len ? ": " : "", (int)(res->body_len > 200 ? 200 : res->body_len),
                 res->body);
    }
    /* 4xx: a configuration problem (credentials, principal) worth an error */
    int client_error = res->status >= 400 && res->status < 500;
    ss_stream_lost(s, client_error ? KMESOS_LOG_ERROR : KMESOS_LOG_WARN, reason);
}

/* ---- calls (queued and sent by sender.c) ------------------------------- */

int kmesos_session_call(kmesos_session *s, Mesos__V1__Scheduler__Call *call,
                        kmesos_session_call_cb cb, void *arg)
{
    if (kmesos_ss_is_dead(s) || s->state == KMESOS_SESSION_STOPPING)
        return KMESOS_SESSION_ECLOSED;
    if (s->state != KMESOS_SESSION_SUBSCRIBED || !s->stream_id || !s->framework_id) {
        KLOG_WARN(MOD, "%s call refused: %s", kmesos_sched_call_type_name(call->type),
                  kmesos_session_strerror(KMESOS_SESSION_ENOTSUBSCRIBED));
        return KMESOS_SESSION_ENOTSUBSCRIBED;
    }
    return kmesos_ss_enqueue(s, call, cb, arg);
}

static void ss_on_sent(void *arg, long status, const char *error)
{
    (void)arg;
    if (status != 202 && status != 200)
        KLOG_WARN(MOD, "call answered %ld: %s", status, error ? error : "");
}

int kmesos_session_send(void *session, Mesos__V1__Scheduler__Call *call)
{
    int rc = kmesos_session_call(session, call, ss_on_sent, NULL);
    if (rc != 0)
        KLOG_WARN(MOD, "%s not sent: %s", kmesos_sched_call_type_name(call->type),
                  kmesos_session_strerror(rc));
    return rc;
}

/* TEARDOWN answered (or cancelled): stop for good, then tell the caller. */
static void ss_on_teardown_done(void *arg, long status, const char *error)
{
    kmesos_session *s = arg;
    ss_stop(s);
    if (s->teardown_cb)
        s->teardown_cb(s->teardown_arg, status, error);
}

int kmesos_session_teardown(kmesos_session *s, kmesos_session_call_cb cb, void *arg)
{
    if (s->state != KMESOS_SESSION_SUBSCRIBED)
        return kmesos_ss_is_dead(s) ? KMESOS_SESSION_ECLOSED : KMESOS_SESSION_ENOTSUBSCRIBED;
    Mesos__V1__Scheduler__Call call = MESOS__V1__SCHEDULER__CALL__INIT;
    call.has_type = 1;
    call.type = MESOS__V1__SCHEDULER__CALL__TYPE__TEARDOWN;
    s->teardown_cb = cb;
    s->teardown_arg = arg;
    int rc = kmesos_ss_enqueue(s, &call, ss_on_teardown_done, s);
    if (rc == KMESOS_SESSION_OK) {
        KLOG_INFO(MOD, "TEARDOWN of framework %s sent", s->framework_id);
        s->state = KMESOS_SESSION_STOPPING;
    }
    return rc;
}

/* ---- close -------------------------------------------------------------- */

static void ss_handle_closed(kmesos_session *s)
{
    if (--s->handles_open > 0)
        return;
    kmesos_session_close_cb cb = s->close_cb;
    void *arg = s->close_arg;
    ss_free(s);
    if (cb)
        cb(arg);
}

static void ss_on_timer_closed(uv_handle_t *h) { ss_handle_closed(h->data); }

static void ss_on_transport_closed(void *arg) { ss_handle_closed(arg); }

void kmesos_session_close(kmesos_session *s, kmesos_session_close_cb cb, void *arg)
{
    if (s->state == KMESOS_SESSION_CLOSING)
        return;
    s->state = KMESOS_SESSION_CLOSING;
    s->close_cb = cb;
    s->close_arg = arg;
    kmesos_detector_close(s->detector); /* no leader news from now on */
    s->detector = NULL;
    ss_stop(s);
    kmesos_ss_cancel_calls(s);
    s->handles_open = 3;
    uv_close((uv_handle_t *)&s->retry_timer, ss_on_timer_closed);
    uv_close((uv_handle_t *)&s->liveness_timer, ss_on_timer_closed);
    kmesos_transport_close(s->tp, ss_on_transport_closed, s);
}
