/* control: fault-injection endpoints of kmesos-local, all under /local on
 * the master port (they answer even while the master redirects):
 *   GET  /local/agents                      [{index, id, hostname, port,
 *        removed, down, partitioned, unreachable}]
 *   POST /local/agents/add[?like=<id|index>] start one more agent (like=:
 *        with that agent's hostname, resources and attributes, e.g. a
 *        removed agent's machine coming back, under a new agent id)
 *   POST /local/agents/<id|index>/remove    agent loss (see life.c)
 *   POST /local/agents/<id|index>/restart?down=DUR[&recovery=DUR]
 *        agent process restart with checkpointing (see agent.h): down
 *        default 2s, recovery window default --executor-reregistration-timeout
 *        (2s, as executor_reregistration_timeout in Mesos)
 *   POST /local/agents/<id|index>/partition cut the agent off the master
 *   POST /local/agents/<id|index>/heal      end it (see partition.c)
 *   POST /local/stream/close[?framework=ID] cut scheduler streams (TCP)
 *   POST /local/heartbeats/stall?seconds=N  no HEARTBEAT for N seconds
 *   POST /local/redirect?to=HOST:PORT       act as non-leader ('' = lead)
 *   POST /local/master/restart?down=DUR&reregister=DUR
 *        kill -9 and restart of the master with an in-memory registry
 *        (see mrestart.c): answered first, then the port is closed for
 *        down (default 1s; these endpoints too), then the master is back
 *        under a new id and the agents re-register reregister (default 5s)
 *        after that (not with --zk: use kill)
 *   GET  /local/stats                       counters: agents, shared_agents,
 *        shared_agent_port, offers, launches_queued, launches_started,
 *        updates_resent (by the agents' retry timers)
 *   GET  /local/masters                     the contenders (--zk): index,
 *        port, id, leading, down, leader, znode
 *   POST /local/master/kill[?master=I][&down=DUR][&expire=DUR][&reregister=DUR]
 *        kill -9 of contender I (default: the leader; see melect.c): back
 *        as a new contender after down (default 1s); its ZooKeeper session
 *        ends expire (default 0) after the kill; agents re-register with
 *        the next leader reregister (default 5s) after its election
 * Answers are JSON ({"ok":true,...}) or a text error with 400/404/405. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/log.h"
#include "local/config.h"
#include "local/master/internal.h"
#include "local/util.h"
#include "local/wire.h"

/* Bound of ?down= and ?recovery= (a year), so that milliseconds fit. */
#define CONTROL_MAX_DURATION (365.0 * 86400.0)

static void control_ok(kmesos_httpd_req *req, json_t *extra)
{
    json_t *j = extra ? extra : json_object();
    json_object_set_new(j, "ok", json_true());
    klocal_wire_reply_json(req, j);
}

static json_t *control_agent_json(const klocal_magent *ma)
{
    return json_pack("{s:i, s:s, s:s, s:i, s:b, s:b, s:b, s:b}", "index",
                     (int)klocal_agent_index(ma->agent), "id", klocal_agent_id(ma->agent),
                     "hostname", klocal_agent_hostname(ma->agent), "port",
                     klocal_agent_port(ma->agent), "removed", ma->removed, "down",
                     klocal_agent_down(ma->agent), "partitioned", ma->partitioned,
                     "unreachable", ma->unreachable);
}

static void control_agents(klocal_master *m, kmesos_httpd_req *req)
{
    json_t *a = json_array();
    for (size_t i = 0; i < m->nagents; i++)
        json_array_append_new(a, control_agent_json(m->agents[i]));
    klocal_wire_reply_json(req, a);
}

static void control_agent_add(klocal_master *m, kmesos_httpd_req *req)
{
    char err[256];
    const char *key = kmesos_httpd_query(req, "like");
    const klocal_magent *like = key ? klocal_mbook_agent(m, key) : NULL;
    if (key && !like) {
        kmesos_httpd_reply_text(req, 404, "No such agent", NULL);
        return;
    }
    klocal_magent *ma = klocal_life_add_agent(m, like, err, sizeof err);
    if (!ma) {
        kmesos_httpd_reply_text(req, 500, err, NULL);
        return;
    }
    control_ok(req, json_pack("{s:o}", "agent", control_agent_json(ma)));
    klocal_alloc_run(m);
}

/* ?NAME=DUR (default def when absent): 0, or -1 after a 400 answer. */
static int control_duration(kmesos_httpd_req *req, const char *name, double def, double *out)
{
    const char *v = kmesos_httpd_query(req, name);
    *out = def;
    if (!v)
        return 0;
    if (klocal_config_duration(v, out) == 0 && *out >= 0 && *out <= CONTROL_MAX_DURATION)
        return 0;
    char *msg = klocal_util_xasprintf("Expecting ?%s=DURATION", name);
    kmesos_httpd_reply_text(req, 400, msg, NULL);
    free(msg);
    return -1;
}

static void control_agent_restart(klocal_master *m, kmesos_httpd_req *req, klocal_magent *ma)
{
    double down, recovery;
    if (control_duration(req, "down", 2.0, &down) != 0 ||
        control_duration(req, "recovery", m->cfg->reregistration, &recovery) != 0)
        return;
    char err[256];
    if (klocal_life_restart_agent(m, ma, down, recovery, err, sizeof err) != 0) {
        kmesos_httpd_reply_text(req, 409, err, NULL);
        return;
    }
    control_ok(req, json_pack("{s:o, s:f, s:f}", "agent", control_agent_json(ma), "down", down,
                              "recovery", recovery));
}

/* POST /local/agents/ID/partition and /heal: 409 when not possible. */
static void control_agent_partition(klocal_master *m, kmesos_httpd_req *req, klocal_magent *ma,
                                    int cut)
{
    char err[256];
    int rc = cut ? klocal_partition_cut(m, ma, err, sizeof err)
                 : klocal_partition_heal(m, ma, err, sizeof err);
    if (rc != 0)
        kmesos_httpd_reply_text(req, 409, err, NULL);
    else
        control_ok(req, json_pack("{s:o}", "agent", control_agent_json(ma)));
}

static void control_agent_op(klocal_master *m, kmesos_httpd_req *req, const char *rest)
{
    static const char *const ops[] = {"/remove", "/restart", "/partition", "/heal"};
    const char *slash = strchr(rest, '/');
    size_t op = 0;
    while (slash && op < 4 && strcmp(slash, ops[op]) != 0)
        op++;
    if (!slash || op == 4) {
        kmesos_httpd_reply_text(req, 404, "Unknown control endpoint", NULL);
        return;
    }
    char *key = klocal_util_xcalloc(1, (size_t)(slash - rest) + 1);
    memcpy(key, rest, (size_t)(slash - rest));
    klocal_magent *ma = klocal_mbook_agent(m, key);
    free(key);
    if (!ma) {
        kmesos_httpd_reply_text(req, 404, "No such agent", NULL);
        return;
    }
    if (op == 1) {
        control_agent_restart(m, req, ma);
        return;
    }
    if (op >= 2) {
        control_agent_partition(m, req, ma, op == 2);
        return;
    }
    json_t *j = json_pack("{s:o}", "agent", control_agent_json(ma));
    klocal_life_remove_agent(m, ma);
    control_ok(req, j);
}

static void control_stream_close(klocal_master *m, kmesos_httpd_req *req)
{
    const char *only = kmesos_httpd_query(req, "framework");
    json_t *cut = json_array();
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        if (fw->stream && (!only || !*only || strcmp(only, fw->id) == 0)) {
            json_array_append_new(cut, json_string(fw->id));
            klocal_life_cut_stream(fw);
        }
    control_ok(req, json_pack("{s:o}", "frameworks", cut));
}

static void control_stall(klocal_master *m, kmesos_httpd_req *req)
{
    const char *v = kmesos_httpd_query(req, "seconds");
    double secs;
    if (!v || klocal_config_duration(v, &secs) != 0) {
        kmesos_httpd_reply_text(req, 400, "Expecting ?seconds=N", NULL);
        return;
    }
    uv_update_time(m->loop); /* the cached loop time may be stale under load */
    m->hb_stall_until = uv_now(m->loop) + kmesos_num_ms(secs);
    KLOG_INFO("control", "heartbeats stalled for %gs", secs);
    control_ok(req, json_pack("{s:f}", "seconds", secs));
}

static void control_master_kill(klocal_master *m, kmesos_httpd_req *req)
{
    double down, expire, reregister;
    const char *which = kmesos_httpd_query(req, "master");
    long i = m->lead ? m->lead->index : -1;
    long long n = -1;
    if (which && kmesos_num_int(which, 0, 1000, &n) == KMESOS_NUM_OK)
        i = (long)n;
    int bad = which && n < 0;
    if (!m->nfaces || bad || i < 0) {
        kmesos_httpd_reply_text(req, bad && m->nfaces ? 400 : 409,
                                !m->nfaces ? "Not running with --zk (see /local/master/restart)"
                                : bad      ? "Expecting ?master=INDEX"
                                           : "No leader to kill",
                                NULL);
        return;
    }
    if (control_duration(req, "down", 1.0, &down) != 0 ||
        control_duration(req, "expire", 0.0, &expire) != 0 ||
        control_duration(req, "reregister", 5.0, &reregister) != 0)
        return;
    char err[256];
    if (klocal_melect_kill(m, (size_t)i, down, expire, reregister, err, sizeof err) != 0) {
        kmesos_httpd_reply_text(req, 409, err, NULL);
        return;
    }
    control_ok(req, json_pack("{s:i, s:f, s:f, s:f}", "master", (int)i, "down", down, "expire",
                              expire, "reregister", reregister));
}

static void control_master_restart(klocal_master *m, kmesos_httpd_req *req)
{
    double down, reregister;
    if (m->nfaces) {
        kmesos_httpd_reply_text(req, 409, "Running with --zk: use /local/master/kill", NULL);
        return;
    }
    if (control_duration(req, "down", 1.0, &down) != 0 ||
        control_duration(req, "reregister", 5.0, &reregister) != 0)
        return;
    KLOG_INFO("control", "master restart: down %gs, agents re-register %gs later", down,
              reregister);
    json_t *j = json_pack("{s:s, s:f, s:f}", "id", m->id, "down", down, "reregister", reregister);
    klocal_mrestart_start(m, down, reregister);
    control_ok(req, j);
}

static void control_redirect(klocal_master *m, kmesos_httpd_req *req)
{
    const char *to = kmesos_httpd_query(req, "to");
    if (!to) {
        kmesos_httpd_reply_text(req, 400, "Expecting ?to=HOST:PORT (empty: lead again)", NULL);
        return;
    }
    free(m->redirect_to);
    m->redirect_to = *to ? klocal_util_xstrdup(to) : NULL;
    KLOG_INFO("control", "%s", *to ? "now a non-leading master" : "leading again");
    control_ok(req, json_pack("{s:s?}", "redirect_to", m->redirect_to));
}

static void control_stats(klocal_master *m, kmesos_httpd_req *req)
{
    uint64_t resent = 0;
    for (size_t i = 0; i < m->nagents; i++)
        resent += klocal_agent_resent(m->agents[i]->agent);
    json_int_t offers = (json_int_t)HASH_COUNT(m->offer_index);
    klocal_wire_reply_json(
        req, json_pack("{s:I, s:I, s:i, s:I, s:I, s:I, s:I}", "agents", (json_int_t)m->nagents,
                       "shared_agents", (json_int_t)klocal_hub_attached(m->hub),
                       "shared_agent_port", klocal_hub_port(m->hub), "offers", offers,
                       "launches_queued", (json_int_t)klocal_hub_queued(m->hub),
                       "launches_started", (json_int_t)klocal_hub_started(m->hub),
                       "updates_resent", (json_int_t)resent));
}

int klocal_control_handle(klocal_master *m, kmesos_httpd_req *req)
{
    const char *url = kmesos_httpd_url(req);
    if (strncmp(url, "/local/", 7) != 0)
        return 0;
    const char *path = url + 7;
    int post = strcmp(kmesos_httpd_method(req), "POST") == 0;
    if (strcmp(path, "agents") == 0)
        control_agents(m, req);
    else if (strcmp(path, "stats") == 0)
        control_stats(m, req);
    else if (strcmp(path, "masters") == 0)
        klocal_wire_reply_json(req, klocal_melect_json(m));
    else if (!post)
        klocal_wire_require_post(req);
    else if (strcmp(path, "agents/add") == 0)
        control_agent_add(m, req);
    else if (strncmp(path, "agents/", 7) == 0)
        control_agent_op(m, req, path + 7);
    else if (strcmp(path, "stream/close") == 0)
        control_stream_close(m, req);
    else if (strcmp(path, "heartbeats/stall") == 0)
        control_stall(m, req);
    else if (strcmp(path, "master/kill") == 0)
        control_master_kill(m, req);
    else if (strcmp(path, "master/restart") == 0)
        control_master_restart(m, req);
    else if (strcmp(path, "redirect") == 0)
        control_redirect(m, req);
    else
        kmesos_httpd_reply_text(req, 404, "Unknown control endpoint", NULL);
    return 1;
}
