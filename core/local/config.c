/* config: getopt_long over the kmesos-local flags, with every value
 * checked (ports, counts, durations, resource and attribute syntax) so that
 * a bad command line is reported before anything starts. The agent
 * description file and the credentials file are small JSON documents read
 * once at start-up with jansson. */
#include "local/config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/log.h"
#include "local/attrs.h"
#include "local/res.h"
#include "local/util.h"

#define DEFAULT_RESOURCES "cpus:4;mem:4096;disk:10000;ports:[31000-32000]"
#define DEFAULT_ATTRIBUTES "rack:r1;zone:z1"

enum {
    OPT_PORT = 1000, OPT_IP, OPT_HOSTNAME, OPT_AGENTS, OPT_AGENT_RESOURCES,
    OPT_AGENT_ATTRIBUTES, OPT_AGENT_PORT, OPT_AGENT_CONFIG, OPT_WORK_DIR,
    OPT_ALLOC, OPT_HEARTBEAT, OPT_OFFER_TIMEOUT, OPT_UPDATE_RETRY, OPT_EXEC_GRACE,
    OPT_KILL_GRACE, OPT_REMOVAL_DELAY, OPT_CREDENTIALS, OPT_REDIRECT, OPT_MASTER_ID,
    OPT_LOG_LEVEL, OPT_HELP, OPT_REREGISTRATION, OPT_RECOVERY_TIMEOUT, OPT_PING_TIMEOUT,
    OPT_MAX_PINGS, OPT_ZK, OPT_MASTERS, OPT_REGISTRY, OPT_AGENT_LISTENERS, OPT_SHARED_PORT,
    OPT_MAX_LAUNCHES,
};

/* src/slave/constants.hpp: MAX_EXECUTOR_REREGISTRATION_TIMEOUT, which the
 * agent's flag validation enforces (src/slave/flags.cpp). */
#define MAX_REREGISTRATION_TIMEOUT 15.0
/* What kmesos-executor accepts as MESOS_RECOVERY_TIMEOUT (365 days). */
#define MAX_RECOVERY_TIMEOUT (365.0 * 86400.0)
/* Bounds of the health check flags, so that their product in
 * milliseconds stays exact in a double and fits a timer. */
#define MAX_PING_TIMEOUT (86400.0)
#define MAX_PING_TIMEOUTS 1000

static const struct option config_options[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"ip", required_argument, NULL, OPT_IP},
    {"hostname", required_argument, NULL, OPT_HOSTNAME},
    {"agents", required_argument, NULL, OPT_AGENTS},
    {"agent-resources", required_argument, NULL, OPT_AGENT_RESOURCES},
    {"agent-attributes", required_argument, NULL, OPT_AGENT_ATTRIBUTES},
    {"agent-port", required_argument, NULL, OPT_AGENT_PORT},
    {"agent-listeners", required_argument, NULL, OPT_AGENT_LISTENERS},
    {"shared-agent-port", required_argument, NULL, OPT_SHARED_PORT},
    {"max-queued-launches", required_argument, NULL, OPT_MAX_LAUNCHES},
    {"agent-config", required_argument, NULL, OPT_AGENT_CONFIG},
    {"work-dir", required_argument, NULL, OPT_WORK_DIR},
    {"allocation-interval", required_argument, NULL, OPT_ALLOC},
    {"heartbeat-interval", required_argument, NULL, OPT_HEARTBEAT},
    {"offer-timeout", required_argument, NULL, OPT_OFFER_TIMEOUT},
    {"update-retry-interval", required_argument, NULL, OPT_UPDATE_RETRY},
    {"executor-shutdown-grace-period", required_argument, NULL, OPT_EXEC_GRACE},
    {"executor-reregistration-timeout", required_argument, NULL, OPT_REREGISTRATION},
    {"recovery-timeout", required_argument, NULL, OPT_RECOVERY_TIMEOUT},
    {"kill-grace-period", required_argument, NULL, OPT_KILL_GRACE},
    {"agent-removal-delay", required_argument, NULL, OPT_REMOVAL_DELAY},
    {"agent-ping-timeout", required_argument, NULL, OPT_PING_TIMEOUT},
    {"max-agent-ping-timeouts", required_argument, NULL, OPT_MAX_PINGS},
    {"credentials", required_argument, NULL, OPT_CREDENTIALS},
    {"redirect-to", required_argument, NULL, OPT_REDIRECT},
    {"master-id", required_argument, NULL, OPT_MASTER_ID},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"zk", required_argument, NULL, OPT_ZK},
    {"masters", required_argument, NULL, OPT_MASTERS},
    {"registry", required_argument, NULL, OPT_REGISTRY},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static const char config_control_help[] =
"Control endpoints on the master port (for fault tests):\n"
"  GET  /master/state, /state   cluster state JSON (shape of a Mesos master's)\n"
"  POST /api/v1                 the operator API (GET_AGENTS), JSON or protobuf\n"
"  GET  /local/stats            counters: agents, shared_agents, shared_agent_port,\n"
"                               offers, launches_queued, launches_started,\n"
"                               updates_resent (retries of unacknowledged updates)\n"
"  GET  /local/agents           agents: index, id, hostname, port, removed, down,\n"
"                               partitioned, unreachable\n"
"  POST /local/agents/ID/remove remove agent ID (agent id or index): RESCIND its\n"
"                               offers, TASK_LOST (TASK_UNREACHABLE if\n"
"                               PARTITION_AWARE) + FAILURE, processes killed\n"
"  POST /local/agents/ID/restart?down=DUR[&recovery=DUR]\n"
"                               simulated agent restart with checkpointing:\n"
"                               processes keep running, the agent's executor\n"
"                               API closes (streams cut, connections refused)\n"
"                               for DUR (default 2s), then reopens on the same\n"
"                               port; executors re-SUBSCRIBing within recovery\n"
"                               (default --executor-reregistration-timeout) are\n"
"                               re-attached (their unacked tasks/updates taken;\n"
"                               their other calls answer 503 meanwhile), others\n"
"                               are killed: TASK_LOST (TASK_GONE if\n"
"                               PARTITION_AWARE), executor re-registration\n"
"                               timeout. Offers rescinded while down and until\n"
"                               the window ends (when the agent re-registers,\n"
"                               as Mesos' agent does); KILLs/acks to it dropped\n"
"                               while down\n"
"  POST /local/agents/ID/partition\n"
"                               network partition between agent ID and the\n"
"                               master: its tasks keep running and its executors\n"
"                               keep talking to it; nothing passes to or from the\n"
"                               master (updates kept by the agent, KILLs/acks\n"
"                               lost). After --agent-ping-timeout x\n"
"                               --max-agent-ping-timeouts it is marked\n"
"                               unreachable: offers rescinded, TASK_UNREACHABLE\n"
"                               (PARTITION_AWARE) or TASK_LOST, REASON_AGENT_REMOVED,\n"
"                               + FAILURE; its tasks listed as unreachable_tasks\n"
"  POST /local/agents/ID/heal   end the partition; an unreachable agent\n"
"                               re-registers: TASK_RUNNING (its tasks' states),\n"
"                               REASON_AGENT_REREGISTERED, for every framework, then\n"
"                               the updates it kept. 409 when not partitioned\n"
"  POST /local/agents/add[?like=ID]\n"
"                               add an agent (flags' resources/attributes, or\n"
"                               with agent ID's hostname, resources and\n"
"                               attributes: a removed agent's host back)\n"
"  POST /local/stream/close[?framework=ID]  cut scheduler streams (TCP close)\n"
"  POST /local/heartbeats/stall?seconds=N   send no HEARTBEAT for N seconds\n"
"  POST /local/redirect?to=HOST:PORT        act as non-leader (to= empty: leader)\n"
"  POST /local/master/restart[?down=DUR&reregister=DUR]\n"
"                               kill -9 and restart of the master (registry:\n"
"                               --registry): ~100 ms after the answer\n"
"                               the port closes (streams end with EOF, no\n"
"                               event; /local too) for down (default 1s);\n"
"                               offers, frameworks, agents and tasks are\n"
"                               forgotten, processes keep running. Back under\n"
"                               a new master id: re-SUBSCRIBE with an id is\n"
"                               answered at once, tasks are unknown\n"
"                               (reconciliation: TASK_LOST, or TASK_UNKNOWN)\n"
"                               and agents unoffered until they re-register,\n"
"                               reregister (default 5s) after the master is\n"
"                               back: TASK_<state> REASON_AGENT_REREGISTERED\n"
"                               (without --zk; with --zk use master/kill)\n"
"  GET  /local/masters          with --zk: the contenders (index, port, id,\n"
"                               leading, down, leader, znode)\n"
"  POST /local/master/kill[?master=I][&down=DUR][&expire=DUR][&reregister=DUR]\n"
"                               with --zk: kill -9 of contender I (default the\n"
"                               leader): ~100 ms after the answer its port closes\n"
"                               (streams end with EOF); if it led, the registry\n"
"                               is lost as for master/restart; its ZooKeeper\n"
"                               session ends expire (default 0) later, so its\n"
"                               znode vanishes and the next contender leads;\n"
"                               back as a new contender (new id and znode) down\n"
"                               (default 1s) after the kill. Agents re-register\n"
"                               with the new leader reregister (default 5s)\n"
"                               after its election, keeping their tasks\n"
"Exit status: 0 after SIGINT/SIGTERM, 1 on start-up failure, 2 on bad flags.\n";

void klocal_config_usage(FILE *f, const char *prog)
{
    fprintf(f,
"Usage: %s [OPTIONS]\n"
"A local Mesos-compatible cluster: one master and N simulated agents in one\n"
"process. Serves the v1 scheduler API (POST /api/v1/scheduler) on the master\n"
"port and the v1 executor API (POST /api/v1/executor) on each agent port, and\n"
"runs tasks as real processes in sandbox folders. Like the Mesos fetcher, the\n"
"agents fetch CommandInfo URIs into the sandbox before a task or executor\n"
"starts (http(s)/ftp(s) with curl, file:// and paths with cp; executable ->\n"
"0755; .tar* .tgz .zip .gz extracted), logging to the sandbox stderr.\n"
"\n"
"Master:\n"
"  --port PORT                  master port (default 5050; 0 = any free port)\n"
"  --ip IP                      address to bind and advertise (default 127.0.0.1)\n"
"  --hostname NAME              hostname to advertise (default: the ip)\n"
"  --master-id ID               fixed master id (default: a random UUID)\n"
"  --allocation-interval DUR    how often free resources are offered (default 1s)\n"
"  --heartbeat-interval DUR     HEARTBEAT event interval (default 15s)\n"
"  --offer-timeout DUR          rescind offers held longer (default: never)\n"
"  --credentials FILE           require HTTP basic auth of frameworks, and on\n"
"                               /master/state, the operator API, /local/* and\n"
"                               the agents' /state and /files/* (not /version,\n"
"                               /health, nor the executor API); FILE is\n"
"                               {\"credentials\":[{\"principal\":..,\"secret\":..}]}\n"
"  --redirect-to HOST:PORT      act as a non-leading master: answer scheduler\n"
"                               calls with 307 to //HOST:PORT/master/api/v1/scheduler\n"
"  --zk zk://[USER:PASS@]HOST:PORT[,HOST:PORT...]/PATH\n"
"                               masters elected through ZooKeeper: each registers\n"
"                               an ephemeral PATH/json.info_<seq> znode with its\n"
"                               MasterInfo JSON, the lowest leads, the others\n"
"                               answer 307 to it (503 before an election)\n"
"  --masters N                  with --zk: N contending masters (1..3, default 1)\n"
"                               on --port, --port+1, ...; they share the agents\n"
"  --registry KIND              what a master restart or failover keeps:\n"
"                               in_memory (default: nothing; agents re-register\n"
"                               as unknown ones) or replicated_log (the agents:\n"
"                               their tasks' reconciliation goes unanswered until\n"
"                               they re-register, which sends no update)\n"
"Agents:\n"
"  --agents N                   number of agents (default 1, at most 10000)\n"
"  --agent-resources RES        resources of each agent (default\n"
"                               '" DEFAULT_RESOURCES "')\n"
"  --agent-attributes ATTRS     attributes of each agent (default '" DEFAULT_ATTRIBUTES "');\n"
"                               'rack:r1,r2,r3' gives agent i the (i mod 3)-th rack\n"
"  --agent-config FILE          JSON {\"agents\":[{\"hostname\":..,\"resources\":..,\n"
"                               \"attributes\":.., \"port\":N, \"work_dir\":..}, ...]}:\n"
"                               one entry per agent (overrides --agents; missing\n"
"                               keys use the flags). Several agents may share a\n"
"                               hostname (each has its own id, port, sandboxes)\n"
"  --agent-port PORT            port of the first agent, the others follow\n"
"                               (default 0: any free ports)\n"
"  --agent-listeners N          the first N agents (default 100) and those given\n"
"                               a port listen on a port of their own (2 file\n"
"                               descriptors each); the others share one\n"
"                               listener, pid slave(I+1)@IP:PORT for agent I:\n"
"                               /slave(I+1)/state, /slave(I+1)/files/... and\n"
"                               the executor API (POST /api/v1/executor, routed\n"
"                               by framework and executor id, or under\n"
"                               /slave(I+1)/). 10000 agents then need about 220\n"
"                               descriptors (ulimit -n), plus one per connection\n"
"                               and 2-3 per running task\n"
"  --shared-agent-port PORT     port of that shared listener (default 0: any)\n"
"  --max-queued-launches N      task starts waiting in the agents' launch queue\n"
"                               (ACCEPT answers 202 before they start): an\n"
"                               ACCEPT that would queue more is refused, its\n"
"                               tasks TASK_DROPPED (TASK_LOST if not partition-\n"
"                               aware) saying so (default 20000, 1..1000000)\n"
"  --work-dir DIR               sandboxes live under DIR (default /tmp/kmesos-local-<pid>)\n"
"  --update-retry-interval DUR  first resend of an unacknowledged status update;\n"
"                               doubles each time up to 10mins (default 10s)\n"
"  --kill-grace-period DUR      SIGTERM -> SIGKILL delay when killing a task that\n"
"                               has no kill_policy (default 3s)\n"
"  --executor-shutdown-grace-period DUR\n"
"                               SHUTDOWN -> kill delay of executors (default 5s)\n"
"  --executor-reregistration-timeout DUR\n"
"                               after an agent restart, how long its executors\n"
"                               have to re-subscribe (default 2s, 1ms..15s, as\n"
"                               in Mesos); also MESOS_SUBSCRIPTION_BACKOFF_MAX of\n"
"                               executors of checkpointing frameworks\n"
"  --recovery-timeout DUR       MESOS_RECOVERY_TIMEOUT of executors of\n"
"                               checkpointing frameworks: how long they wait for\n"
"                               a lost agent (default 15mins, at most 365days)\n"
"  --agent-removal-delay DUR    after POST /local/agents/ID/remove: delay between\n"
"                               the RESCINDs and TASK_LOST + FAILURE (default 0)\n"
"  --agent-ping-timeout DUR     the master's agent health check interval (default\n"
"                               15s, 1ms..1day, as --agent_ping_timeout in Mesos)\n"
"  --max-agent-ping-timeouts N  missed health checks before a partitioned agent\n"
"                               is marked unreachable (default 5, 1..1000)\n"
"Other:\n"
"  --log-level LEVEL            debug, info, warn or error (default info)\n"
"  --help                       this text\n"
"\n",
            prog);
    fputs(config_control_help, f);
}

int klocal_config_duration(const char *text, double *secs)
{
    static const struct { const char *suffix; double scale; } units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"secs", 1}, {"sec", 1}, {"s", 1},
        {"mins", 60}, {"min", 60}, {"m", 60}, {"hrs", 3600}, {"h", 3600},
        {"days", 86400}, {"d", 86400}, {"weeks", 604800}, {"w", 604800}, {"", 1},
    };
    double v;
    const char *unit;
    if (kmesos_num_prefix(text, 0, INFINITY, &v, &unit) != KMESOS_NUM_OK)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].suffix) == 0) {
            v *= units[i].scale;
            if (v > KMESOS_NUM_DURATION_MAX_S)
                return -1;
            *secs = v;
            return 0;
        }
    return -1;
}

static int config_int(const char *v, long lo, long hi, long *out)
{
    long long n;
    if (kmesos_num_int(v, lo, hi, &n) != KMESOS_NUM_OK)
        return -1;
    *out = (long)n;
    return 0;
}

static char *config_json_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? klocal_util_xstrdup(s) : NULL;
}

static void config_free_specs(klocal_config *c)
{
    for (size_t i = 0; i < c->nspecs; i++) {
        free(c->specs[i].hostname);
        free(c->specs[i].resources);
        free(c->specs[i].attributes);
        free(c->specs[i].work_dir);
    }
    free(c->specs);
    c->specs = NULL;
    c->nspecs = 0;
}

static void config_free_creds(klocal_config *c)
{
    for (size_t i = 0; i < c->ncreds; i++) {
        free(c->creds[i].principal);
        free(c->creds[i].secret);
    }
    free(c->creds);
    c->creds = NULL;
    c->ncreds = 0;
}

/* One entry of the agents file; 0, or -1 with a reason in err. */
static int config_agent_entry(klocal_agent_spec *s, json_t *o, size_t i, char *err,
                              size_t errlen)
{
    json_t *port = json_object_get(o, "port");
    json_t *dir = json_object_get(o, "work_dir");
    if (!json_is_object(o) ||
        (port && (!json_is_integer(port) || json_integer_value(port) < 1 ||
                  json_integer_value(port) > 65535)) ||
        (dir && (!json_is_string(dir) || !*json_string_value(dir)))) {
        snprintf(err, errlen, "agent %zu: expected an object with an optional port 1..65535 "
                 "and a non-empty work_dir", i);
        return -1;
    }
    s->hostname = config_json_str(o, "hostname");
    s->resources = config_json_str(o, "resources");
    s->attributes = config_json_str(o, "attributes");
    s->work_dir = config_json_str(o, "work_dir");
    s->port = port ? (int)json_integer_value(port) : 0;
    return 0;
}

static int config_load_agents(klocal_config *c, const char *path, char *err, size_t errlen)
{
    config_free_specs(c); /* the last --agent-config wins */
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_t *list = root ? json_object_get(root, "agents") : NULL;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        snprintf(err, errlen, "--agent-config %s: %s", path,
                 root ? "expected {\"agents\":[{...}, ...]}" : je.text);
        json_decref(root);
        return -1;
    }
    if (json_array_size(list) > KLOCAL_MAX_AGENTS) {
        snprintf(err, errlen, "--agent-config %s: %zu agents, at most %d", path,
                 json_array_size(list), KLOCAL_MAX_AGENTS);
        json_decref(root);
        return -1;
    }
    c->nspecs = json_array_size(list);
    c->specs = klocal_util_xcalloc(c->nspecs, sizeof *c->specs);
    int rc = 0;
    for (size_t i = 0; i < c->nspecs && rc == 0; i++)
        rc = config_agent_entry(&c->specs[i], json_array_get(list, i), i, err, errlen);
    if (rc != 0)
        snprintf(err + strlen(err), errlen - strlen(err), " in --agent-config %s", path);
    json_decref(root);
    return rc;
}

static int config_load_creds(klocal_config *c, const char *path, char *err, size_t errlen)
{
    config_free_creds(c); /* the last --credentials wins */
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_t *list = root ? json_object_get(root, "credentials") : NULL;
    if (!json_is_array(list)) {
        snprintf(err, errlen, "--credentials %s: %s", path,
                 root ? "expected {\"credentials\":[{\"principal\":..,\"secret\":..}]}"
                      : je.text);
        json_decref(root);
        return -1;
    }
    c->ncreds = json_array_size(list);
    c->creds = klocal_util_xcalloc(c->ncreds, sizeof *c->creds);
    for (size_t i = 0; i < c->ncreds; i++) {
        json_t *o = json_array_get(list, i);
        c->creds[i].principal = config_json_str(o, "principal");
        c->creds[i].secret = config_json_str(o, "secret");
        if (!c->creds[i].principal || !c->creds[i].secret) {
            snprintf(err, errlen, "--credentials %s: entry %zu lacks principal or secret",
                     path, i);
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    return 0;
}

static void config_defaults(klocal_config *c)
{
    memset(c, 0, sizeof *c);
    c->ip = "127.0.0.1";
    c->port = 5050;
    c->agents = 1;
    c->agent_listeners = 100;
    c->max_queued_launches = 20000;
    c->masters = 1;
    c->agent_resources = DEFAULT_RESOURCES;
    c->agent_attributes = DEFAULT_ATTRIBUTES;
    c->allocation_interval = 1.0;
    c->heartbeat_interval = 15.0;
    c->update_retry = 10.0;
    c->executor_grace = 5.0;
    c->reregistration = 2.0;
    c->recovery_timeout = 900.0;
    c->kill_grace = 3.0;
    c->agent_ping_timeout = 15.0;
    c->max_agent_ping_timeouts = 5;
    c->log_level = KMESOS_LOG_INFO;
}

static int config_duration_opt(const char *name, const char *v, double min, double *out,
                               char *err, size_t errlen)
{
    if (klocal_config_duration(v, out) != 0 || *out < min) {
        snprintf(err, errlen, "--%s: bad duration '%s' (e.g. 500ms, 1s, 2mins)", name, v);
        return -1;
    }
    return 0;
}

/* A duration within [min, max] (the executor refuses values outside). */
static int config_bounded_opt(const char *name, const char *v, double min, double max,
                              double *out, char *err, size_t errlen)
{
    if (klocal_config_duration(v, out) != 0 || *out < min || *out > max) {
        snprintf(err, errlen, "--%s: expected a duration from %gs to %gs, got '%s'", name, min,
                 max, v);
        return -1;
    }
    return 0;
}

static int config_port_opt(const char *name, const char *v, int *out, char *err, size_t errlen)
{
    long n;
    if (config_int(v, 0, 65535, &n) != 0) {
        snprintf(err, errlen, "--%s: bad port '%s'", name, v);
        return -1;
    }
    *out = (int)n;
    return 0;
}

static int config_zk(klocal_config *c, const char *v, char *err, size_t errlen)
{
    char why[256];
    kmesos_zkurl_free(&c->zk);
    if (kmesos_zkurl_parse(v, &c->zk, why, sizeof why) == 0)
        return 0;
    snprintf(err, errlen, "--zk: %s", why);
    return -1;
}

static int config_one(klocal_config *c, int opt, const char *v, char *err, size_t errlen)
{
    long n;
    switch (opt) {
    case OPT_PORT: return config_port_opt("port", v, &c->port, err, errlen);
    case OPT_AGENT_PORT: return config_port_opt("agent-port", v, &c->agent_port, err, errlen);
    case OPT_IP: c->ip = v; return 0;
    case OPT_HOSTNAME: c->hostname = v; return 0;
    case OPT_AGENTS:
        if (config_int(v, 0, KLOCAL_MAX_AGENTS, &n) != 0) {
            snprintf(err, errlen, "--agents: expected a count 0..%d, got '%s'", KLOCAL_MAX_AGENTS,
                     v);
            return -1;
        }
        c->agents = (size_t)n;
        return 0;
    case OPT_AGENT_LISTENERS:
        if (config_int(v, 0, KLOCAL_MAX_AGENTS, &n) != 0) {
            snprintf(err, errlen, "--agent-listeners: expected a count 0..%d, got '%s'",
                     KLOCAL_MAX_AGENTS, v);
            return -1;
        }
        c->agent_listeners = (size_t)n;
        return 0;
    case OPT_MAX_LAUNCHES:
        if (config_int(v, 1, 1000000, &n) != 0) {
            snprintf(err, errlen, "--max-queued-launches: expected a count 1..1000000, got '%s'",
                     v);
            return -1;
        }
        c->max_queued_launches = (size_t)n;
        return 0;
    case OPT_SHARED_PORT:
        return config_port_opt("shared-agent-port", v, &c->shared_agent_port, err, errlen);
    case OPT_AGENT_RESOURCES: c->agent_resources = v; return 0;
    case OPT_AGENT_ATTRIBUTES: c->agent_attributes = v; return 0;
    case OPT_AGENT_CONFIG: return config_load_agents(c, v, err, errlen);
    case OPT_WORK_DIR: c->work_dir = v; return 0;
    case OPT_ALLOC: return config_duration_opt("allocation-interval", v, 0.001, &c->allocation_interval, err, errlen);
    case OPT_HEARTBEAT: return config_duration_opt("heartbeat-interval", v, 0.001, &c->heartbeat_interval, err, errlen);
    case OPT_OFFER_TIMEOUT: return config_duration_opt("offer-timeout", v, 0, &c->offer_timeout, err, errlen);
    case OPT_UPDATE_RETRY: return config_duration_opt("update-retry-interval", v, 0.001, &c->update_retry, err, errlen);
    case OPT_EXEC_GRACE: return config_duration_opt("executor-shutdown-grace-period", v, 0, &c->executor_grace, err, errlen);
    case OPT_REREGISTRATION:
        return config_bounded_opt("executor-reregistration-timeout", v, 0.001,
                                  MAX_REREGISTRATION_TIMEOUT, &c->reregistration, err, errlen);
    case OPT_RECOVERY_TIMEOUT:
        return config_bounded_opt("recovery-timeout", v, 0, MAX_RECOVERY_TIMEOUT,
                                  &c->recovery_timeout, err, errlen);
    case OPT_KILL_GRACE: return config_duration_opt("kill-grace-period", v, 0, &c->kill_grace, err, errlen);
    case OPT_REMOVAL_DELAY: return config_duration_opt("agent-removal-delay", v, 0, &c->agent_removal_delay, err, errlen);
    case OPT_PING_TIMEOUT:
        return config_bounded_opt("agent-ping-timeout", v, 0.001, MAX_PING_TIMEOUT,
                                  &c->agent_ping_timeout, err, errlen);
    case OPT_MAX_PINGS:
        if (config_int(v, 1, MAX_PING_TIMEOUTS, &c->max_agent_ping_timeouts) != 0) {
            snprintf(err, errlen, "--max-agent-ping-timeouts: expected a count 1..%d, got '%s'",
                     MAX_PING_TIMEOUTS, v);
            return -1;
        }
        return 0;
    case OPT_CREDENTIALS: return config_load_creds(c, v, err, errlen);
    case OPT_REDIRECT:
        if (!strchr(v, ':')) {
            snprintf(err, errlen, "--redirect-to: expected HOST:PORT, got '%s'", v);
            return -1;
        }
        c->redirect_to = v;
        return 0;
    case OPT_MASTER_ID: c->master_id = v; return 0;
    case OPT_ZK: return config_zk(c, v, err, errlen);
    case OPT_MASTERS:
        if (config_int(v, 1, 3, &n) != 0) {
            snprintf(err, errlen, "--masters: expected a count 1..3, got '%s'", v);
            return -1;
        }
        c->masters = (int)n;
        return 0;
    case OPT_REGISTRY:
        if (strcmp(v, "in_memory") != 0 && strcmp(v, "replicated_log") != 0) {
            snprintf(err, errlen, "--registry: expected in_memory or replicated_log, got '%s'", v);
            return -1;
        }
        c->registry_log = strcmp(v, "replicated_log") == 0;
        return 0;
    case OPT_LOG_LEVEL:
        c->log_level = kmesos_log_level_parse(v);
        if (c->log_level < 0) {
            snprintf(err, errlen, "--log-level: expected debug, info, warn or error, got '%s'", v);
            return -1;
        }
        return 0;
    default:
        snprintf(err, errlen, "unknown option");
        return -1;
    }
}

/* Checks the resource and attribute syntax of every agent up front. */
static int config_check_agents(const klocal_config *c, char *err, size_t errlen)
{
    size_t n = c->specs ? c->nspecs : c->agents;
    for (size_t i = 0; i < n; i++) {
        const klocal_agent_spec *s = c->specs ? &c->specs[i] : NULL;
        const char *r = s && s->resources ? s->resources : c->agent_resources;
        const char *a = s && s->attributes ? s->attributes : c->agent_attributes;
        klocal_res res;
        klocal_attrs attrs;
        char why[256];
        klocal_res_init(&res);
        klocal_attrs_init(&attrs);
        int rc = klocal_res_parse(&res, r, why, sizeof why);
        if (rc != 0)
            snprintf(err, errlen, "agent %zu resources: %s", i, why);
        else if ((rc = klocal_attrs_parse(&attrs, a, i, why, sizeof why)) != 0)
            snprintf(err, errlen, "agent %zu attributes: %s", i, why);
        klocal_res_free(&res);
        klocal_attrs_free(&attrs);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int klocal_config_parse(klocal_config *c, int argc, char **argv, char *err, size_t errlen)
{
    config_defaults(c);
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", config_options, NULL)) != -1) {
        if (opt == OPT_HELP)
            return KLOCAL_CONFIG_HELP;
        if (opt == '?' || opt == ':') {
            const char *bad = argv[optind - 1];
            if (optopt)
                snprintf(err, errlen, "option '%s' needs a value or is unknown", bad);
            else
                snprintf(err, errlen, "unknown option '%s'", bad);
            return KLOCAL_CONFIG_ERROR;
        }
        if (config_one(c, opt, optarg, err, errlen) != 0)
            return KLOCAL_CONFIG_ERROR;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return KLOCAL_CONFIG_ERROR;
    }
    if (!c->hostname)
        c->hostname = c->ip;
    if (c->masters > 1 && !c->zk.hosts) {
        snprintf(err, errlen, "--masters %d needs --zk (the masters are elected through it)",
                 c->masters);
        return KLOCAL_CONFIG_ERROR;
    }
    if (c->zk.hosts && (c->redirect_to || c->port == 0)) {
        snprintf(err, errlen, "--zk does not go with %s", c->redirect_to ? "--redirect-to"
                                                                        : "--port 0");
        return KLOCAL_CONFIG_ERROR;
    }
    return config_check_agents(c, err, errlen) == 0 ? KLOCAL_CONFIG_OK : KLOCAL_CONFIG_ERROR;
}

void klocal_config_free(klocal_config *c)
{
    config_free_specs(c);
    config_free_creds(c);
    kmesos_zkurl_free(&c->zk);
}
