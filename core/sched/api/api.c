/* api: the scheduler's admin REST API on the scheduler's own loop.
 *
 * httpd (libmicrohttpd driven by libuv) hands each complete request to
 * one dispatcher: the file server (files.c) takes /files/... first; then
 * /api/broker/log goes to broker_log.c, the other /api/broker/...,
 * /api/producer/... and /api/consumer/... to the Kafka commands
 * (broker_api.c, client_api.c), and status, tasks, kill, teardown and
 * policy are answered here from the scheduler core and the program's
 * hooks (session, teardown, policy status). With --ha a standby answers
 * only its status (with the "ha" object) and redirects the rest of
 * /api/ to the leader (standby.c), before any of this. Handlers are small functions
 * that build a jansson value and hand it to one reply helper; errors are
 * {"error": "..."} with 400, 404 or 405. */
#include "sched/api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/num.h"
#include "codec/log.h"
#include "sched/mesos/agents.h"
#include "codec/protocol.h"
#include "sched/api/broker_api.h"
#include "sched/api/metrics.h"
#include "sched/api/page.h"
#include "sched/api/rebalance_api.h"
#include "sched/api/params.h"
#include "sched/api/client_api.h"
#include "sched/api/secrets.h"
#include "sched/api/standby.h"
#include "sched/api/topic_api.h"
#include "sched/api/workload_api.h"
#include "sched/kafka/kafka.h"

#define MOD "api"

static json_t *api_task_json(const kmesos_scheduler *s, const kmesos_task *t)
{
    char endpoint[300];
    int has_endpoint = t->workload->ext && s->ext.endpoint &&
                       s->ext.endpoint(s->ext.arg, t, endpoint, sizeof endpoint);
    return kmesos_task_json(t, has_endpoint ? endpoint : NULL);
}

json_t *kmesos_api_tasks_json(const kmesos_scheduler *sched)
{
    json_t *arr = json_array();
    for (const kmesos_task *t = sched->tasks.by_id; arr && t; t = t->hh.next)
        json_array_append_new(arr, api_task_json(sched, t));
    return arr;
}

static json_t *offers_json(const kmesos_scheduler *s)
{
    size_t held = 0;
    for (const kmesos_offer *o = s->offers.by_id; o; o = o->hh.next)
        held += o->hold_until_ms != 0;
    const kmesos_offers_stats *st = &s->offers.stats;
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "outstanding", (json_int_t)s->offers.count,
                     "held", (json_int_t)held, "received", (json_int_t)st->added, "answered",
                     (json_int_t)st->taken, "rescinded", (json_int_t)st->rescinded, "expired",
                     (json_int_t)st->expired);
}

static json_t *counters_json(const kmesos_scheduler *s)
{
    const kmesos_scheduler_stats *st = &s->stats;
    double avg_ms = st->decide_count ? st->decide_us_total / 1000.0 / st->decide_count : 0;
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "events",
                     (json_int_t)st->events, "offers_accepted", (json_int_t)st->offers_accepted,
                     "offers_declined", (json_int_t)st->offers_declined, "tasks_launched",
                     (json_int_t)st->tasks_launched, "updates", (json_int_t)st->updates, "acks",
                     (json_int_t)st->acks, "revives", (json_int_t)st->revives, "suppresses",
                     (json_int_t)st->suppresses, "offer_to_accept_avg_ms", avg_ms,
                     "offer_to_accept_max_ms", st->decide_us_max / 1000.0);
}

/* Launches by how local they were (kmesos_locality), and the node-local
 * share of the launches of tasks that prefer somewhere. */
static json_t *locality_json(const kmesos_scheduler *s)
{
    const uint64_t *n = s->stats.launched_at;
    uint64_t preferring = n[KMESOS_LOCALITY_NODE] + n[KMESOS_LOCALITY_RACK] + n[KMESOS_LOCALITY_ANY];
    return json_pack("{s:I, s:I, s:I, s:I, s:f, s:f}", "node_local",
                     (json_int_t)n[KMESOS_LOCALITY_NODE], "rack_local",
                     (json_int_t)n[KMESOS_LOCALITY_RACK], "off_rack",
                     (json_int_t)n[KMESOS_LOCALITY_ANY], "no_preference",
                     (json_int_t)n[KMESOS_LOCALITY_NONE], "node_local_pct",
                     preferring ? 100.0 * (double)n[KMESOS_LOCALITY_NODE] / (double)preferring : 0.0,
                     "rack_or_better_pct",
                     preferring ? 100.0 * (double)(n[KMESOS_LOCALITY_NODE] + n[KMESOS_LOCALITY_RACK]) /
                                      (double)preferring
                                : 0.0);
}

json_t *kmesos_api_topology_json(const kmesos_scheduler *s, const struct kmesos_agents *agents)
{
    const kmesos_agents_stats *st = agents ? kmesos_agents_stats_get(agents) : NULL;
    json_t *ga = st ? json_pack("{s:I, s:I, s:I, s:I}", "asked", (json_int_t)st->asked,
                                "answered", (json_int_t)st->answered, "failed",
                                (json_int_t)st->failed, "agents_last",
                                (json_int_t)st->agents_last)
                    : json_null();
    json_t *list = json_array();
    for (const kmesos_topo_agent *a = s->topology.agents; list && a; a = a->hh.next)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s?}", "agent_id", a->agent_id,
                                                "hostname", a->hostname, "rack", a->rack));
    return json_pack("{s:s, s:o, s:o}", "rack_attribute", s->topology.rack_attribute,
                     "get_agents", ga, "agents", list ? list : json_array());
}

static json_t *session_json(kmesos_session *session)
{
    if (!session)
        return json_null();
    const kmesos_session_stats *st = kmesos_session_get_stats(session);
    return json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:s}", "state",
                     kmesos_session_state_name(kmesos_session_get_state(session)), "leader",
                     kmesos_session_leader_url(session), "subscribes", (json_int_t)st->subscribes,
                     "reconnects", (json_int_t)st->reconnects, "redirects",
                     (json_int_t)st->redirects, "events", (json_int_t)st->events, "last_error",
                     st->last_error);
}

static json_t *kafka_json(const kmesos_kafka *kafka)
{
    if (!kafka)
        return json_null();
    char *voters = kmesos_kafka_voters_text(kafka, KMESOS_VOTERS_STATIC);
    json_t *j = json_pack("{s:s, s:s?, s:s, s:I}", "cluster_id", kafka->cluster_id,
                          "controller_quorum_voters", voters, "controller_quorum",
                          kmesos_kafka_quorum_dynamic(kafka) ? "dynamic" : "static", "brokers",
                          (json_int_t)kmesos_kafka_count(kafka, KMESOS_KAFKA_BROKER));
    free(voters);
    return j;
}

json_t *kmesos_api_status_json(const kmesos_scheduler *sched, const kmesos_kafka *kafka,
                               kmesos_session *session)
{
    char *bootstrap = kafka ? kmesos_kafka_bootstrap(kafka) : NULL;
    json_t *j = json_pack("{s:s?, s:b, s:b, s:I, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "framework_id",
                     sched->framework_id, "subscribed", sched->subscribed, "suppressed",
                     sched->suppressed, "pending_tasks",
                     (json_int_t)kmesos_tasks_pending(&sched->tasks), "session",
                     session_json(session), "offers", offers_json(sched), "counters",
                     counters_json(sched), "locality", locality_json(sched), "tasks",
                     kmesos_api_tasks_json(sched),
                     "bootstrap_servers", bootstrap ? bootstrap : "", "kafka", kafka_json(kafka));
    free(bootstrap);
    return j;
}

static void api_reply_error(kmesos_httpd_req *req, unsigned status, const char *message)
{
    kmesos_httpd_reply_json(req, status, json_pack("{s:s}", "error", message));
}

static void kill_task(kmesos_api *api, kmesos_httpd_req *req)
{
    const char *id = kmesos_httpd_query(req, "id");
    if (!id || !*id) {
        api_reply_error(req, 400, "missing query argument 'id'");
        return;
    }
    kmesos_task *t = kmesos_tasks_find(&api->sched->tasks, id);
    if (t && t->workload->ext && api->kafka) {
        /* a broker's or client's task: a task loss, relaunched by failover */
        json_t *body = NULL;
        unsigned status = kmesos_kafka_api_kill(api->kafka, t, &body);
        kmesos_httpd_reply_json(req, status, body);
        return;
    }
    if (kmesos_scheduler_kill(api->sched, id) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "unknown task id '%s'", id);
        api_reply_error(req, 404, msg);
        return;
    }
    kmesos_httpd_reply_json(req, 202, json_pack("{s:s}", "killing", id));
}

static kmesos_session *session_of(kmesos_api *api)
{
    return api->hooks.session ? api->hooks.session(api->hooks.arg) : NULL;
}

static void reply_status(kmesos_api *api, kmesos_httpd_req *req)
{
    json_t *j = kmesos_api_status_json(api->sched, api->kafka, session_of(api));
    if (j && api->hooks.ha_status)
        json_object_set_new(j, "ha", api->hooks.ha_status(api->hooks.arg));
    if (j && api->hooks.state_status)
        json_object_set_new(j, "state", api->hooks.state_status(api->hooks.arg));
    kmesos_httpd_reply_json(req, 200, j);
}

/* How old the partition figures of /metrics may be: a scrape reads the
 * last summary at once and asks for a new one in the background when it
 * is older (kmesos_kadmin_summary_get). */
#define API_KAFKA_GAUGES_MAX_AGE_MS 15000

/* The partition gauges from the admin client's summary. 1 when known. */
static int kafka_gauges(kmesos_api *api, kmesos_metrics_kafka_gauges *g)
{
    if (!api->kadmin || !api->kafka)
        return 0;
    char *bootstrap = kmesos_kafka_bootstrap(api->kafka);
    kmesos_kadmin_summary s;
    kmesos_kadmin_summary_get(api->kadmin, bootstrap, API_KAFKA_GAUGES_MAX_AGE_MS, &s);
    free(bootstrap);
    if (!s.known)
        return 0;
    g->under_replicated_partitions = (double)s.under_replicated;
    g->offline_partitions = (double)s.offline;
    return 1;
}

/* GET /metrics (metrics.h): read-only, so like every GET it needs no token. */
static void reply_metrics(kmesos_api *api, kmesos_httpd_req *req)
{
    kmesos_metrics_kafka_gauges g = {-1, -1};
    int has_gauges = kafka_gauges(api, &g);
    kmesos_metrics_src src = {api->sched, session_of(api), api->policy, api->kafka,
                              has_gauges ? &g : NULL, api->requests};
    kmesos_metrics_w w;
    kmesos_metrics_init(&w);
    kmesos_metrics_render(&w, &src);
    size_t len = 0;
    const char *text = kmesos_metrics_text(&w, &len);
    if (w.failed)
        api_reply_error(req, 500, "out of memory");
    else
        kmesos_httpd_reply(req, 200, KMESOS_METRICS_CONTENT_TYPE, text, len, NULL);
    kmesos_metrics_free(&w);
}

static void reply_page(kmesos_httpd_req *req)
{
    size_t len = 0;
    const char *html = kmesos_page_html(&len);
    kmesos_httpd_reply(req, 200, KMESOS_PAGE_CONTENT_TYPE, html, len, NULL);
}

static void route(kmesos_api *api, kmesos_httpd_req *req, const char *method, const char *url)
{
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (kmesos_kafka_files_serve(api->files, req, url))
        return;
    if (strcmp(url, "/api/broker/log") == 0 && api->kafka) {
        kmesos_session *s = session_of(api);
        kmesos_broker_log_handle(api->log, api->kafka, s ? kmesos_session_leader_url(s) : NULL,
                                 s && kmesos_session_leader_trusted(s), req);
    } else if ((strcmp(url, "/api/broker/rebalance") == 0 ||
                strcmp(url, "/api/broker/remove") == 0) && api->kafka && api->rebalance)
        kmesos_rebalance_api_handle(api->rebalance, api->kafka, req, url + 12);
    else if (strncmp(url, "/api/broker/", 12) == 0 && api->kafka)
        kmesos_broker_api_handle(api->kafka, req, url + 12);
    else if (strncmp(url, "/api/topic/", 11) == 0 && api->kafka)
        kmesos_topic_api_handle(api->kadmin, api->kafka, req, url + 11);
    else if (strncmp(url, "/api/producer/", 14) == 0 && api->kafka)
        kmesos_client_api_handle(api->kafka, KMESOS_CLIENT_PRODUCER, req, url + 14);
    else if (strncmp(url, "/api/consumer/", 14) == 0 && api->kafka)
        kmesos_client_api_handle(api->kafka, KMESOS_CLIENT_CONSUMER, req, url + 14);
    else if (strncmp(url, "/api/workload/", 14) == 0)
        kmesos_workload_api_handle(api->sched, req, url + 14);
    else if (strcmp(url, "/api/status") == 0 && get)
        reply_status(api, req);
    else if (strcmp(url, "/metrics") == 0 && get)
        reply_metrics(api, req);
    else if (strcmp(url, "/") == 0 && get)
        reply_page(req);
    else if (strcmp(url, "/api/topology") == 0 && get)
        kmesos_httpd_reply_json(req, 200, kmesos_api_topology_json(api->sched, api->agents));
    else if (strcmp(url, "/api/tasks") == 0 && get)
        kmesos_httpd_reply_json(req, 200, kmesos_api_tasks_json(api->sched));
    else if (strcmp(url, "/api/tasks/kill") == 0 && post)
        kill_task(api, req);
    else if (strcmp(url, "/api/teardown") == 0 && post) {
        kmesos_httpd_reply_json(req, 202, json_pack("{s:b}", "teardown", 1));
        if (api->hooks.teardown)
            api->hooks.teardown(api->hooks.arg);
    } else if (strcmp(url, "/api/policy") == 0 && get) {
        json_t *p = api->hooks.policy_status ? api->hooks.policy_status(api->hooks.arg) : NULL;
        kmesos_httpd_reply_json(req, 200, p ? p : json_pack("{s:s}", "chain", "none"));
    } else if (strncmp(url, "/api/", 5) == 0 && (get || post)) {
        api_reply_error(req, 404, "no such endpoint");
    } else {
        api_reply_error(req, strncmp(url, "/api/", 5) == 0 ? 405 : 404,
                        strncmp(url, "/api/", 5) == 0 ? "method not allowed" : "no such endpoint");
    }
}

/* A standby answers its status, and sends the rest of /api/ to the leader. */
static int standby_answered(kmesos_api *api, kmesos_httpd_req *req, const char *method,
                            const char *url)
{
    const char *leader_api = NULL;
    if (!api->hooks.standby || strncmp(url, "/api/", 5) != 0 ||
        !api->hooks.standby(api->hooks.arg, &leader_api))
        return 0;
    if (strcmp(url, "/api/status") == 0 && strcmp(method, "GET") == 0)
        reply_status(api, req);
    else
        kmesos_standby_answer(req, leader_api);
    return 1;
}

/* The guard's verdict (guard.h): 1 when it answered 401 or 403. */
static int guard_refused(kmesos_api *api, kmesos_httpd_req *req, const char *method,
                         const char *url)
{
    kmesos_api_guard_req gr = {method, url, kmesos_httpd_header(req, "Host"),
                               kmesos_httpd_header(req, "Origin"),
                               kmesos_httpd_header(req, "Authorization")};
    char msg[160];
    unsigned status = kmesos_api_guard_check(&api->guard, &gr, msg, sizeof msg);
    if (!status)
        return 0;
    KLOG_WARN(MOD, "%s %s refused: %u %s", method, url, status, msg);
    static const char *const challenge[] = {"WWW-Authenticate", "Bearer realm=\"kmesos\"", NULL};
    char *text = NULL;
    json_t *j = json_pack("{s:s}", "error", msg);
    text = j ? json_dumps(j, 0) : NULL;
    json_decref(j);
    kmesos_httpd_reply(req, status, "application/json", text ? text : "{}",
                       text ? strlen(text) : 2, status == 401 ? challenge : NULL);
    free(text);
    return 1;
}

static void on_request(void *arg, kmesos_httpd_req *req)
{
    kmesos_api *api = arg;
    api->requests++;
    const char *method = kmesos_httpd_method(req), *url = kmesos_httpd_url(req);
    kmesos_api_param_error e;
    if (guard_refused(api, req, method, url) || standby_answered(api, req, method, url))
        return;
    if (kmesos_api_query_ok(req, &e) != 0)
        kmesos_api_param_reply(req, &e);
    else
        route(api, req, method, url);
}

/* The token, this host's name and the --api-host names into the guard;
 * a non-loopback address without a token is refused unless insecure. */
static int api_guard_setup(kmesos_api *api, const kmesos_api_config *cfg, const char *ip,
                           char *err, size_t errlen)
{
    if (cfg->n_hosts > KMESOS_API_GUARD_MAX_HOSTS) {
        snprintf(err, errlen, "--api-host: at most %d names", KMESOS_API_GUARD_MAX_HOSTS);
        return -1;
    }
    for (size_t i = 0; i < cfg->n_hosts; i++)
        api->guard.hosts[i] = cfg->hosts[i];
    api->guard.n_hosts = cfg->n_hosts;
    if (gethostname(api->guard.hostname, sizeof api->guard.hostname) != 0)
        api->guard.hostname[0] = 0;
    api->guard.hostname[sizeof api->guard.hostname - 1] = 0;
    if (cfg->token_file &&
        kmesos_api_guard_load_token(&api->guard, cfg->token_file, err, errlen) != 0)
        return -1;
    if (!api->guard.token && !cfg->insecure && !kmesos_api_guard_is_loopback(ip)) {
        snprintf(err, errlen, "--api %s is not a loopback address: give --api-token-file "
                 "FILE (or --api-insecure to run without a token)", cfg->addr);
        return -1;
    }
    return 0;
}

int kmesos_api_start(kmesos_api *api, uv_loop_t *loop, const kmesos_api_config *cfg,
                     kmesos_scheduler *sched, const kmesos_api_hooks *hooks, char *err,
                     size_t errlen)
{
    memset(api, 0, sizeof *api);
    api->sched = sched;
    api->hooks = *hooks;
    char ip[64];
    int port = 0;
    if (kmesos_httpd_split_addr(cfg->addr, ip, sizeof ip, &port) != 0) {
        snprintf(err, errlen, "--api '%s': expected IP:PORT", cfg->addr);
        return -1;
    }
    kmesos_api_tls tls = {0};
    if (api_guard_setup(api, cfg, ip, err, errlen) != 0 ||
        kmesos_api_tls_load(&tls, cfg->cert_file, cfg->key_file, err, errlen) != 0) {
        kmesos_api_guard_free(&api->guard);
        return -1;
    }
    api->guard.tls = tls.cert != NULL;
    kmesos_httpd_config hc = {.ip = ip, .port = port, .max_body = 1 << 20,
                              .on_request = on_request, .arg = api,
                              .idle_timeout_s = KMESOS_API_IDLE_TIMEOUT_S,
                              .max_connections = KMESOS_API_MAX_CONNECTIONS,
                              .per_ip_limit = KMESOS_API_PER_IP_LIMIT,
                              .tls_cert_pem = tls.cert, .tls_key_pem = tls.key};
    int rc = kmesos_httpd_start(loop, &hc, &api->httpd, err, errlen);
    kmesos_api_tls_free(&tls);
    if (rc != 0) {
        kmesos_api_guard_free(&api->guard);
        return -1;
    }
    /* NULL: /api/broker/log answers 503 */
    api->log = kmesos_broker_log_new(loop, cfg->principal, cfg->secret);
    api->kadmin = kmesos_kadmin_new(loop); /* NULL: /api/topic/... answers 503 */
    KLOG_INFO(MOD, "admin API on %s://%s:%d/api/status%s", api->guard.tls ? "https" : "http",
              ip, kmesos_httpd_port(api->httpd), api->guard.token ? " (token required)" : "");
    return 0;
}

int kmesos_api_port(const kmesos_api *api)
{
    return api->httpd ? kmesos_httpd_port(api->httpd) : 0;
}

void kmesos_api_stop(kmesos_api *api)
{
    if (api->httpd)
        kmesos_httpd_stop(api->httpd);
    api->httpd = NULL;
    kmesos_broker_log_free(api->log); /* after the server: its requests are gone */
    api->log = NULL;
    kmesos_kadmin_free(api->kadmin); /* after the server too */
    api->kadmin = NULL;
    kmesos_api_guard_free(&api->guard);
}
