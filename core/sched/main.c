/* kmesos-scheduler: wires the modules to one libuv loop and stays off the
 * data path. The session hands every event straight to the scheduler core
 * (kmesos_scheduler_feed), the core hands its calls straight to the
 * session (kmesos_session_send as its io.send), and the policy host hears
 * of updates and ticks through the core's decider; this file keeps only
 * the program's part: subscription lifecycle, signals, start-up and
 * shutdown. A one-second tick drives held offers, relaunch backoff, on_tick
 * hooks and SUPPRESS/REVIVE; state is saved (coalesced, atomically)
 * whenever the framework id or the set of tasks changes. Everything the
 * process owns hangs off one kmesos_app on main's stack. The Kafka
 * cluster (kafka.h) hooks into the scheduler core and adds its section
 * ("kafka") to the state document; in uri fetch mode the admin server
 * also serves the executor and the Kafka tarball (kafka_files.h). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include "codec/log.h"
#include "sched/api/api.h"
#include "sched/kafka/kafka.h"
#include "sched/api/files.h"
#include "sched/ha/ha.h"
#include "sched/options.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"
#include "sched/mesos/agents.h"
#include "sched/mesos/session.h"
#include "sched/state/state.h"
#include "sched/trace.h"

#define MOD "main"

typedef struct kmesos_app {
    uv_loop_t loop;
    kmesos_options opts;
    kmesos_session *session;
    kmesos_agents *agents;  /* GET_AGENTS: the topology before offers */
    kmesos_trace *trace;    /* --trace, or NULL */
    uint64_t topo_news;     /* topology.news when GET_AGENTS was last poked */
    kmesos_scheduler sched;
    kmesos_kafka kafka;
    kmesos_kafka_files *files;
    char executor[4096];
    char dist[4096];
    kmesos_api api;
    kmesos_policy *policy;
    const char *argv0;
    uv_timer_t tick;
    uv_timer_t save;
    uint64_t saved_at;      /* loop time of the last save */
    uv_timer_t stop_grace;
    uv_signal_t sig_int, sig_term, sig_hup;
    kmesos_state_store *state;
    kmesos_state_doc doc; /* what the state holds: the scheduler, "kafka" */
    kmesos_ha *ha;        /* --ha: the election, or NULL */
    uv_timer_t resign;    /* --ha: ends the candidacy once the last save is out */
    int ha_loaded;        /* --ha: the state was loaded on election */
    int deposed, resign_ticks;
    char *secret;
    char user[256];
    int exit_code;
    int stopping;
} kmesos_app;

/* ---- scheduler io (its calls go to the session: see init_session) ----------- */

static uint64_t io_now_ms(void *arg)
{
    kmesos_app *app = arg;
    uv_update_time(&app->loop);
    return uv_now(&app->loop);
}

static uint64_t io_now_us(void *arg)
{
    (void)arg;
    return uv_hrtime() / 1000;
}

static double io_now_s(void *arg)
{
    (void)arg;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* The gate before every Mesos call and state write: with --ha only a
 * leader whose lease holds (ha.h) acts, and a deposed one never again. */
static int may_act(void *arg)
{
    kmesos_app *app = arg;
    if (!app->opts.ha)
        return 1;
    return app->ha && !app->deposed && kmesos_ha_may_act(app->ha);
}

/* With --ha only once the state was loaded on election (a standby's, or
 * a half-loaded, document must never replace the stored one); the
 * store's gate then checks the lease as each write leaves. */
static void save_state(kmesos_app *app)
{
    if (!app->opts.ha || app->ha_loaded)
        kmesos_state_store_save(app->state, &app->doc);
}

/* Saves come at most every kmesos_state_store_gap_ms: the first change
 * after a quiet spell is saved on the next loop turn; during a storm (one
 * update per loop turn) the changes of the gap are saved together. */
static void on_save(uv_timer_t *t)
{
    kmesos_app *app = t->data;
    save_state(app);
    uv_update_time(&app->loop);
    app->saved_at = uv_now(&app->loop);
}

static void io_changed(void *arg)
{
    kmesos_app *app = arg;
    if (uv_is_active((uv_handle_t *)&app->save))
        return;
    uint64_t since = uv_now(&app->loop) - app->saved_at;
    uint64_t gap = kmesos_state_store_gap_ms(app->state);
    uv_timer_start(&app->save, on_save, since < gap ? gap - since : 0, 0);
}

/* ---- session handler ---------------------------------------------------------- */

static void begin_stop(kmesos_app *app);

static void on_subscribed(void *arg, const char *framework_id, double heartbeat_s,
                          int is_resubscribe)
{
    kmesos_app *app = arg;
    KLOG_INFO(MOD, "%s as framework %s (heartbeat %.0fs)",
              is_resubscribe ? "re-subscribed" : "subscribed", framework_id, heartbeat_s);
    kmesos_scheduler_on_subscribed(&app->sched, framework_id);
    save_state(app); /* persist the framework id before relying on it */
    if (kmesos_session_leader_trusted(app->session)) /* GET_AGENTS sends the credentials */
        kmesos_agents_refresh(app->agents, kmesos_session_leader_url(app->session));
}

static void on_disconnected(void *arg, const char *reason)
{
    kmesos_app *app = arg;
    KLOG_WARN(MOD, "disconnected from the master: %s", reason);
    kmesos_scheduler_on_disconnected(&app->sched);
}

static void on_error(void *arg, const char *message)
{
    kmesos_app *app = arg;
    KLOG_ERROR(MOD, "the master removed this framework: %s", message);
    app->exit_code = 1;
    begin_stop(app);
}

/* ---- life cycle ------------------------------------------------------------------ */

static void on_tick(uv_timer_t *t)
{
    kmesos_app *app = t->data;
    if (!may_act(app))
        return; /* --ha: the lease ran out (after a stall, say): no tick acts */
    kmesos_kafka_tick(&app->kafka);
    kmesos_scheduler_tick(&app->sched);
    if (app->sched.topology.news != app->topo_news) { /* an agent came or went */
        app->topo_news = app->sched.topology.news;
        kmesos_agents_poke(app->agents);
    }
}

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* --ha: the candidacy ends (a standby takes over at once) when the last
 * state write is out, or after the store's grace (3 s). */
static void on_resign(uv_timer_t *t)
{
    kmesos_app *app = t->data;
    if (!kmesos_state_store_idle(app->state) && ++app->resign_ticks < 70)
        return;
    kmesos_ha_close(app->ha);
    app->ha = NULL;
    close_handle((uv_handle_t *)t);
}

static void on_session_closed(void *arg)
{
    kmesos_app *app = arg;
    app->session = NULL;
    app->sched.io.send = NULL; /* the scheduler has nothing to send through now */
    kmesos_agents_close(app->agents, NULL, NULL);
    app->agents = app->api.agents = NULL;
    kmesos_kafka_files_free(app->files);
    app->files = app->api.files = NULL;
    kmesos_api_stop(&app->api);
    kmesos_rebalance_free(app->api.rebalance); /* after the server: no request waits */
    app->api.rebalance = NULL;
    close_handle((uv_handle_t *)&app->tick);
    close_handle((uv_handle_t *)&app->save);
    close_handle((uv_handle_t *)&app->stop_grace);
    close_handle((uv_handle_t *)&app->sig_int);
    close_handle((uv_handle_t *)&app->sig_term);
    close_handle((uv_handle_t *)&app->sig_hup);
    kmesos_state_store_close(app->state); /* after the last save */
    if (app->ha)
        uv_timer_start(&app->resign, on_resign, 0, 50);
    else
        close_handle((uv_handle_t *)&app->resign);
}

static void on_stop_grace(uv_timer_t *t)
{
    kmesos_app *app = t->data;
    save_state(app);
    if (app->session)
        kmesos_session_close(app->session, on_session_closed, app);
    else
        on_session_closed(app); /* the session was never created */
}

/* Declines held offers, lets those calls go out, then closes. */
static void begin_stop(kmesos_app *app)
{
    if (app->stopping)
        return;
    app->stopping = 1;
    uv_timer_stop(&app->tick);
    kmesos_scheduler_release_offers(&app->sched);
    uv_timer_start(&app->stop_grace, on_stop_grace, 300, 0);
}

/* --ha: the lease is lost. Nothing more leaves (the gate refuses from
 * now on): the stream is closed, queued calls and writes are dropped,
 * and the process exits with KMESOS_HA_EXIT_DEPOSED for its supervisor
 * to restart it as a standby. */
static void on_deposed(void *arg, const char *why)
{
    kmesos_app *app = arg;
    app->deposed = 1;
    app->exit_code = KMESOS_HA_EXIT_DEPOSED;
    KLOG_ERROR(MOD, "deposed: %s; stepping down, nothing more is sent or written; exit "
               "status %d (restart this scheduler to run as a standby)", why,
               KMESOS_HA_EXIT_DEPOSED);
    if (app->stopping && !uv_is_active((uv_handle_t *)&app->stop_grace))
        return; /* already closing */
    app->stopping = 1;
    uv_timer_stop(&app->tick);
    uv_timer_stop(&app->stop_grace);
    if (app->session)
        kmesos_session_close(app->session, on_session_closed, app);
    else
        on_session_closed(app);
}

static void reload_policy(kmesos_app *app)
{
    if (kmesos_policy_reload(app->policy) == 0)
        KLOG_INFO(MOD, "SIGHUP: policy chain reloaded in %.2f ms",
                  kmesos_policy_stats_get(app->policy)->last_reload_ms);
    else
        KLOG_ERROR(MOD, "SIGHUP: reload failed, the old chain stays active: %s",
                   kmesos_policy_reload_error(app->policy));
}

static void on_signal(uv_signal_t *h, int signum)
{
    kmesos_app *app = h->data;
    if (signum == SIGHUP) {
        reload_policy(app);
        return;
    }
    KLOG_INFO(MOD, "signal %d: stopping (tasks keep running for the failover timeout)", signum);
    begin_stop(app);
}

/* ---- start-up --------------------------------------------------------------------- */

static int load_workloads(kmesos_app *app, kmesos_workload **list, size_t *n)
{
    char err[512];
    for (size_t i = 0; i < app->opts.n_workloads; i++) {
        kmesos_workload w;
        kmesos_workload *grown = realloc(*list, (*n + 1) * sizeof **list);
        if (!grown)
            return 1;
        *list = grown;
        if (kmesos_workload_parse(app->opts.workloads[i], &w, err, sizeof err) != 0) {
            fprintf(stderr, "kmesos-scheduler: --workload '%s': %s\n", app->opts.workloads[i],
                    err);
            return 2;
        }
        (*list)[(*n)++] = w;
    }
    if (app->opts.workloads_file &&
        kmesos_workload_parse_file(app->opts.workloads_file, list, n, err, sizeof err) != 0) {
        fprintf(stderr, "kmesos-scheduler: --workloads-file: %s\n", err);
        return 2;
    }
    for (size_t i = 0; i < *n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp((*list)[i].name, (*list)[k].name) == 0) {
                fprintf(stderr, "kmesos-scheduler: workload '%s' is defined twice\n",
                        (*list)[i].name);
                return 2;
            }
    return 0;
}

static int read_secret(kmesos_app *app)
{
    FILE *f = fopen(app->opts.secret_file, "r");
    char buf[1024];
    if (!f || !fgets(buf, sizeof buf, f)) {
        fprintf(stderr, "kmesos-scheduler: --secret-file %s: %s\n", app->opts.secret_file,
                f ? "empty" : strerror(errno));
        if (f)
            fclose(f);
        return 2;
    }
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
    app->secret = strdup(buf);
    return app->secret ? 0 : 1;
}

static const char *default_user(kmesos_app *app)
{
    struct passwd *pw = getpwuid(getuid());
    snprintf(app->user, sizeof app->user, "%s", pw ? pw->pw_name : "root");
    return app->user;
}

/* The --policy chain, or the default chain from the policies folder. */
static int init_policy(kmesos_app *app)
{
    char dir[1024], first[1100], second[1100], err[1024];
    const char *defaults[2] = {first, second};
    kmesos_policy_config cfg = {.files = app->opts.policies, .n_files = app->opts.n_policies,
                                .options = app->opts.policy_options,
                                .budget = (uint64_t)app->opts.policy_budget,
                                .jit = app->opts.policy_jit,
                                .rack_attribute = app->opts.rack_attribute};
    if (cfg.n_files == 0) {
        if (kmesos_policy_find_dir(app->argv0, dir, sizeof dir) != 0) {
            fprintf(stderr, "kmesos-scheduler: no --policy given and no policies folder found "
                            "(set KMESOS_POLICY_DIR)\n");
            return 2;
        }
        kmesos_policy_default_chain(dir, first, second, sizeof first);
        cfg.files = defaults;
        cfg.n_files = 2;
    }
    for (size_t i = 0; i < cfg.n_files; i++)
        if (access(cfg.files[i], R_OK) != 0) {
            fprintf(stderr, "kmesos-scheduler: --policy %s: %s\n", cfg.files[i], strerror(errno));
            return 2;
        }
    app->policy = kmesos_policy_new(&cfg, err, sizeof err);
    if (!app->policy) {
        fprintf(stderr, "kmesos-scheduler: policy chain does not load: %s\n", err);
        return 2;
    }
    kmesos_policy_attach(app->policy, &app->sched.offers, &app->sched.tasks);
    kmesos_policy_attach_topology(app->policy, &app->sched.topology);
    kmesos_policy_bind(app->policy, &app->sched.decider);
    return 0;
}

/* Default paths: kmesos-executor next to this program, the tarball of
 * the fetch-kafka.sh cache. */
static void kafka_paths(kmesos_app *app)
{
    char exe[3800];
    size_t n = sizeof exe;
    if (app->opts.executor) {
        snprintf(app->executor, sizeof app->executor, "%s", app->opts.executor);
    } else if (uv_exepath(exe, &n) == 0) {
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(app->executor, sizeof app->executor, "%s/kmesos-executor", exe);
    }
    if (app->opts.kafka_dist) {
        snprintf(app->dist, sizeof app->dist, "%s", app->opts.kafka_dist);
    } else {
        const char *cache = getenv("KMESOS_KAFKA_CACHE"), *home = getenv("HOME");
        const char *version = getenv("KMESOS_KAFKA_VERSION");
        snprintf(app->dist, sizeof app->dist, "%s%s/kafka-%s.tgz", cache ? cache : home ? home : "",
                 cache ? "" : "/.cache/kafka-mesos", version && *version ? version : "4.4.0");
    }
    if (access(app->executor, X_OK) != 0)
        KLOG_WARN(MOD, "--executor %s: %s (brokers cannot launch)", app->executor, strerror(errno));
    if (access(app->dist, R_OK) != 0)
        KLOG_WARN(MOD, "--kafka-dist %s: %s (run scripts/fetch-kafka.sh; brokers cannot launch)",
                  app->dist, strerror(errno));
}

static int init_kafka(kmesos_app *app)
{
    kafka_paths(app);
    kmesos_kafka_config cfg = {
        .executor = app->executor,
        .dist = app->dist,
        .fetch = strcmp(app->opts.fetch_mode, "local") == 0 ? KMESOS_FETCH_LOCAL : KMESOS_FETCH_URI,
        .files_url = app->opts.files_url ? app->opts.files_url : "",
        .data_root = app->opts.kafka_data_root,
        .quorum = app->opts.kafka_quorum,
        .voter_move_after_s = app->opts.kafka_voter_move_after_s,
        .role = app->opts.framework_role,
        .principal = app->opts.principal,
    };
    char err[256];
    if (kmesos_kafka_init(&app->kafka, &app->sched, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "kmesos-scheduler: %s\n", err);
        return 1;
    }
    kmesos_kafka_attach(&app->kafka);
    kmesos_state_section kafka = {"kafka", kmesos_kafka_state_save, kmesos_kafka_state_load,
                                  &app->kafka};
    kmesos_state_doc_init(&app->doc, &app->sched);
    return kmesos_state_doc_add(&app->doc, &kafka) == 0 ? 0 : 1;
}

static int init_scheduler(kmesos_app *app)
{
    kmesos_workload *list = NULL;
    size_t n = 0;
    int rc = load_workloads(app, &list, &n);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            kmesos_workload_free(&list[i]);
        free(list);
        return rc;
    }
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    cfg.offer_hold_s = app->opts.offer_hold_s;
    cfg.decline_refuse_s = app->opts.decline_refuse_s;
    cfg.no_suppress = app->opts.no_suppress;
    cfg.wait_refuse_s = app->opts.wait_refuse_s;
    cfg.rack_attribute = app->opts.rack_attribute;
    cfg.unreachable_grace_s = app->opts.unreachable_grace_s;
    kmesos_scheduler_io io = {.arg = app, .now_ms = io_now_ms, .now_s = io_now_s,
                              .changed = io_changed, .now_us = io_now_us};
    kmesos_scheduler_init(&app->sched, &cfg, &io, list, n);
    char err[1024];
    if (app->opts.trace && !(app->trace = kmesos_trace_open(app->opts.trace, err, sizeof err))) {
        fprintf(stderr, "kmesos-scheduler: %s\n", err);
        return 2;
    }
    app->sched.trace = app->trace;
    if (init_kafka(app) != 0)
        return 1;
    /* with --ha the state is loaded when this scheduler is elected */
    int loaded = app->opts.ha ? 1 : kmesos_state_store_load(app->state, &app->doc, err, sizeof err);
    if (loaded < 0) {
        fprintf(stderr, "kmesos-scheduler: %s\n", err);
        return 1;
    }
    if (!app->opts.ha && kmesos_scheduler_fill_slots(&app->sched) != 0)
        return 1;
    rc = init_policy(app);
    if (rc != 0)
        return rc;
    KLOG_INFO(MOD, "%zu workload(s), %zu task slot(s)%s", n, app->sched.tasks.count,
              loaded == 0 ? " (restored from state)" : "");
    return 0;
}

/* FrameworkInfo.capabilities: PARTITION_AWARE (TASK_UNREACHABLE, GONE,
 * GONE_BY_OPERATOR, UNKNOWN and DROPPED instead of TASK_LOST). */
static const Mesos__V1__FrameworkInfo__Capability__Type framework_caps[] = {
    MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE,
};

static int start_session(kmesos_app *app)
{
    if (app->sched.framework_id)
        kmesos_session_set_framework_id(app->session, app->sched.framework_id);
    return kmesos_session_start(app->session) == 0 ? 0 : 1;
}

static int init_session(kmesos_app *app)
{
    kmesos_session_config cfg = {
        .capabilities = framework_caps,
        .n_capabilities = sizeof framework_caps / sizeof framework_caps[0],
        .master = app->opts.master,
        .framework_name = app->opts.framework_name,
        .user = app->opts.user ? app->opts.user : default_user(app),
        .role = strcmp(app->opts.framework_role, "*") ? app->opts.framework_role : NULL,
        .failover_timeout_s = app->opts.framework_timeout_s,
        .checkpoint = 1,
        .principal = app->opts.principal,
        .secret = app->secret,
        .redirect_credentials = app->opts.master_redirect_credentials,
        .content_type = strcmp(app->opts.content_type, "json") ? KMESOS_CT_PROTOBUF : KMESOS_CT_JSON,
    };
    /* the data path: events straight to the scheduler, its calls straight
     * to the session; the rest of the handler is this program's */
    kmesos_session_handler handler = {on_subscribed, kmesos_scheduler_feed, on_disconnected,
                                      on_error, &app->sched, may_act};
    char err[512];
    app->session = kmesos_session_new(&app->loop, &cfg, &handler, app, err, sizeof err);
    if (!app->session) {
        fprintf(stderr, "kmesos-scheduler: %s\n\n", err);
        kmesos_options_usage(stderr);
        return 2;
    }
    app->sched.io.send = kmesos_session_send;
    app->sched.io.send_arg = app->session;
    kmesos_agents_config acfg = {.content_type = cfg.content_type, .principal = cfg.principal,
                                 .secret = cfg.secret, .may_send = may_act, .gate_arg = app};
    app->agents = app->api.agents = kmesos_agents_new(&app->loop, &app->sched.topology, &acfg);
    if (!app->agents)
        KLOG_WARN(MOD, "no memory for the GET_AGENTS client: racks come from offers only");
    return app->opts.ha ? 0 : start_session(app); /* --ha: when elected */
}

static void init_handles(kmesos_app *app)
{
    uv_timer_init(&app->loop, &app->tick);
    uv_timer_init(&app->loop, &app->save);
    uv_timer_init(&app->loop, &app->stop_grace);
    app->tick.data = app->save.data = app->stop_grace.data = app;
    uv_timer_init(&app->loop, &app->resign);
    app->resign.data = app;
    if (!app->opts.ha) /* --ha: when elected */
        uv_timer_start(&app->tick, on_tick, 1000, 1000);
    uv_signal_t *sigs[] = {&app->sig_int, &app->sig_term, &app->sig_hup};
    int nums[] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        uv_signal_init(&app->loop, sigs[i]);
        sigs[i]->data = app;
        uv_signal_start(sigs[i], on_signal, nums[i]);
    }
}

static kmesos_session *api_session(void *arg) { return ((kmesos_app *)arg)->session; }

static void on_teardown_done(void *arg, long status, const char *error)
{
    kmesos_app *app = arg;
    if (status != 202 && status != 200)
        KLOG_ERROR(MOD, "TEARDOWN answered %ld: %s", status, error ? error : "");
    else
        KLOG_INFO(MOD, "TEARDOWN accepted: the framework and its tasks are gone");
    app->sched.subscribed = 0;
    kmesos_scheduler_set_framework_id(&app->sched, NULL);
    kmesos_tasks_free(&app->sched.tasks);
    begin_stop(app);
}

static void api_teardown(void *arg)
{
    kmesos_app *app = arg;
    if (!app->session || kmesos_session_teardown(app->session, on_teardown_done, app) != 0)
        KLOG_ERROR(MOD, "TEARDOWN could not be sent (not subscribed)");
}

/* --ha: 1 on a standby (leader_api: where the leader's API is, or NULL). */
static int api_standby(void *arg, const char **leader_api)
{
    kmesos_app *app = arg;
    if (app->ha && kmesos_ha_leading(app->ha))
        return 0;
    *leader_api = app->ha ? kmesos_ha_leader_api(app->ha) : NULL;
    return 1;
}

static json_t *api_ha_status(void *arg)
{
    kmesos_app *app = arg;
    return app->ha ? kmesos_ha_json(app->ha) : json_pack("{s:b}", "leader", 0);
}

static json_t *api_state_status(void *arg)
{
    kmesos_app *app = arg;
    return kmesos_state_store_status_json(app->state);
}

static json_t *api_policy_status(void *arg)
{
    kmesos_app *app = arg;
    return app->policy ? kmesos_policy_json(app->policy) : NULL;
}

/* scheme://host:port of a listener on addr (IP:PORT) as others reach it
 * (0.0.0.0: this host's name). */
static void listen_url(const char *addr, const char *scheme, int port, char *url, size_t len)
{
    char host[256];
    const char *colon = strrchr(addr, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
    if (strcmp(host, "0.0.0.0") == 0 && gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "127.0.0.1");
    snprintf(url, len, "%s://%s:%d", scheme, host, port);
}

static void api_url(kmesos_app *app, char *url, size_t len)
{
    listen_url(app->opts.api, app->api.guard.tls ? "https" : "http", kmesos_api_port(&app->api),
               url, len);
}

/* uri mode: serve the executor and the tarball (on the admin API, and on
 * --files-listen when given), and tell the brokers where from (--files-url,
 * else the files listener, else the admin API). */
static int init_files(kmesos_app *app)
{
    if (app->kafka.fetch != KMESOS_FETCH_URI)
        return 0;
    const char *paths[2] = {app->executor, app->dist};
    app->files = app->api.files = kmesos_kafka_files_new(&app->loop, paths, 2);
    if (!app->files)
        return 1;
    char url[512], err[512];
    if (app->opts.files_listen &&
        kmesos_kafka_files_listen(app->files, app->opts.files_listen, err, sizeof err) != 0) {
        fprintf(stderr, "kmesos-scheduler: %s\n", err);
        return 2;
    }
    if (app->opts.files_url)
        return 0;
    if (app->opts.files_listen)
        listen_url(app->opts.files_listen, "http", kmesos_kafka_files_port(app->files), url,
                   sizeof url);
    else if (app->api.httpd)
        api_url(app, url, sizeof url);
    else
        return 0;
    char *copy = strdup(url);
    if (!copy)
        return 1;
    free(app->kafka.files_url);
    app->kafka.files_url = copy;
    KLOG_INFO(MOD, "brokers fetch %s/files/{%s,%s}", url, strrchr(app->executor, '/') + 1,
              strrchr(app->dist, '/') ? strrchr(app->dist, '/') + 1 : app->dist);
    return 0;
}

static int init_api(kmesos_app *app)
{
    if (strcmp(app->opts.api, "off") == 0)
        return init_files(app);
    kmesos_api_hooks hooks = {app, api_session, api_teardown, api_policy_status,
                              app->opts.ha ? api_standby : NULL,
                              app->opts.ha ? api_ha_status : NULL, api_state_status};
    const kmesos_options *o = &app->opts;
    kmesos_api_config cfg = {.addr = o->api, .token_file = o->api_token_file,
                             .hosts = o->api_hosts, .n_hosts = o->n_api_hosts,
                             .insecure = o->api_insecure, .cert_file = o->api_cert,
                             .key_file = o->api_key, .principal = o->principal,
                             .secret = app->secret};
    char err[512];
    if (kmesos_api_start(&app->api, &app->loop, &cfg, &app->sched, &hooks, err,
                         sizeof err) != 0) {
        fprintf(stderr, "kmesos-scheduler: %s\n", err);
        return 2;
    }
    app->api.kafka = &app->kafka;
    app->api.policy = app->policy;
    app->api.rebalance = kmesos_rebalance_new(&app->loop, &app->kafka);
    return init_files(app);
}

/* ---- --ha: election and takeover ------------------------------------------------- */

/* The state was read and restored (on election): subscribe with the
 * saved framework id; reconciliation follows SUBSCRIBED as at any start. */
static void on_taken(void *arg, int rc, const char *err)
{
    kmesos_app *app = arg;
    if (app->stopping)
        return;
    app->ha_loaded = rc >= 0 && kmesos_scheduler_fill_slots(&app->sched) == 0;
    if (!app->ha_loaded || start_session(app) != 0) {
        KLOG_ERROR(MOD, "cannot take over: %s", rc < 0 ? err : "out of memory");
        app->exit_code = 1;
        begin_stop(app);
        return;
    }
    KLOG_INFO(MOD, "leader: %zu task slot(s)%s; subscribing", app->sched.tasks.count,
              rc == 0 ? " (restored from state)" : "");
    uv_timer_start(&app->tick, on_tick, 1000, 1000);
}

static void on_elected(void *arg)
{
    kmesos_app *app = arg;
    char err[1024];
    if (app->stopping)
        return;
    if (kmesos_state_store_load_async(app->state, &app->doc, on_taken, app, err, sizeof err)) {
        KLOG_ERROR(MOD, "cannot take over: %s", err);
        app->exit_code = 1;
        begin_stop(app);
    }
}

static int init_ha(kmesos_app *app)
{
    if (!app->opts.ha)
        return 0;
    char host[256] = "", id[300], url[512];
    gethostname(host, sizeof host);
    snprintf(id, sizeof id, "%s:%ld", host, (long)getpid());
    if (app->api.httpd)
        api_url(app, url, sizeof url);
    /* range-checked by the options: 2 s to 5 min */
    kmesos_ha_config cfg = {.url = app->opts.ha,
                            .session_timeout_ms = (int)(app->opts.ha_session_timeout_s * 1000),
                            .id = id, .hostname = host,
                            .api_url = app->api.httpd ? url : NULL};
    kmesos_ha_handler h = {on_elected, on_deposed, app};
    char err[1024];
    if (!(app->ha = kmesos_ha_new(&app->loop, &cfg, &h, err, sizeof err))) {
        fprintf(stderr, "kmesos-scheduler: %s\n", err);
        return 2;
    }
    kmesos_state_store_set_gate(app->state, may_act, app);
    return 0;
}

static int run(kmesos_app *app)
{
    char err[512];
    if (!(app->state = kmesos_state_open(&app->loop, app->opts.state, err, sizeof err))) {
        fprintf(stderr, "kmesos-scheduler: %s\n", err);
        return 2;
    }
    if (app->opts.secret_file && read_secret(app) != 0)
        return 2;
    int rc = init_scheduler(app);
    if (rc != 0) {
        kmesos_state_store_close(app->state);
        return rc;
    }
    app->sched.tasks.seq_gate = 1; /* ids launch once saved (tasks.h) */
    init_handles(app);
    rc = init_api(app);
    if (rc == 0)
        rc = init_session(app);
    if (rc == 0)
        rc = init_ha(app);
    if (rc != 0) {
        app->exit_code = rc;
        if (app->session)
            kmesos_session_close(app->session, on_session_closed, app);
        else
            on_session_closed(app);
    }
    uv_run(&app->loop, UV_RUN_DEFAULT);
    return app->exit_code;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--check-policy", 14) == 0)
            return kmesos_policy_check_main(argc, argv);
    kmesos_app app;
    memset(&app, 0, sizeof app);
    app.argv0 = argv[0];
    int rc = kmesos_options_parse(argc, argv, &app.opts);
    if (rc != 0 || app.opts.show_help) {
        if (rc == 0)
            kmesos_options_usage(stdout);
        kmesos_options_free(&app.opts);
        return rc;
    }
    kmesos_log_set_level((kmesos_log_level)kmesos_log_level_parse(app.opts.log_level));
    uv_loop_init(&app.loop);
    rc = run(&app);
    uv_run(&app.loop, UV_RUN_DEFAULT);
    uv_loop_close(&app.loop);
    kmesos_scheduler_free(&app.sched);
    kmesos_trace_close(app.trace);
    kmesos_kafka_free(&app.kafka);
    kmesos_policy_free(app.policy);
    kmesos_options_free(&app.opts);
    kmesos_state_store_free(app.state);
    free(app.secret);
    return rc;
}
