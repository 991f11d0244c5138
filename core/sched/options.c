/* options: the kmesos-scheduler command line.
 *
 * getopt_long does the parsing into one kmesos_options with defaults;
 * each flag's value is checked right where it is read (durations such as
 * 30s or 7d, numbers, levels, choices) so that the error names the flag,
 * and repeatable flags (--policy, --workload) are collected in order.
 * Errors print the message and the usage on stderr and give exit code 2;
 * --help prints the usage text kept here on stdout. */
#include "sched/options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"

static const char usage_text[] =
    "Usage: kmesos-scheduler [OPTIONS]\n"
    "\n"
    "Apache Mesos v1 framework that launches and keeps alive workloads (Kafka\n"
    "brokers, producers, consumers, or plain commands) placed by Lua policies.\n"
    "\n"
    "Mesos:\n"
    "  --master ADDR            master: host:port, a comma list host1:port,host2:port,\n"
    "                           http(s)://host:port (default 127.0.0.1:5050), or\n"
    "                           zk://[user:pass@]host:port[,host:port...]/path: the\n"
    "                           leader among masters elected through ZooKeeper\n"
    "                           (the masters' --zk), followed when it changes\n"
    "  --framework-name NAME    FrameworkInfo.name (default kafka-mesos)\n"
    "  --framework-role ROLE    role to receive offers for (default *); brokers with\n"
    "                           reserve=true reserve resources and volumes for it\n"
    "  --framework-timeout DUR  failover_timeout: how long the master keeps our tasks\n"
    "                           while we are away, e.g. 30s, 10m, 7d (default 7d)\n"
    "  --user USER              user tasks run as (default: the current user)\n"
    "  --principal NAME         FrameworkInfo.principal and HTTP basic auth user (also\n"
    "                           the principal of the brokers' reservations and volumes)\n"
    "  --secret-file FILE       file holding the basic auth secret (needs --principal);\n"
    "                           sent only to the --master masters (or the leader\n"
    "                           ZooKeeper names), not to where a 307 points\n"
    "  --master-redirect-credentials  send them to a master's 307 target too\n"
    "                           (same scheme only: never from https to http)\n"
    "  --content-type TYPE      protobuf (default) or json, for the scheduler API\n"
    "\n"
    "Scheduler:\n"
    "  --state URL              state store: file:PATH (default file:kmesos-state.json),\n"
    "                           zk://host:port[,host:port]/path, or zk:/path on $KMESOS_ZK\n"
    "                           (default 127.0.0.1:2181)\n"
    "  --api ADDR:PORT          admin REST API bind address (default 127.0.0.1:7000;\n"
    "                           'off' disables it). Off loopback it needs\n"
    "                           --api-token-file (or --api-insecure). Also serves\n"
    "                           GET /metrics (Prometheus) and GET / (status page)\n"
    "  --api-token-file FILE    bearer token (read at start) every request but GET\n"
    "                           must send: Authorization: Bearer TOKEN (the CLI:\n"
    "                           $KMESOS_API_TOKEN or --token-file)\n"
    "  --api-insecure           allow --api off loopback without a token\n"
    "  --api-host NAME          a name clients may use in the Host header besides\n"
    "                           IP addresses, localhost and this host's name\n"
    "                           (repeatable; others get 403: DNS rebinding)\n"
    "  --api-cert FILE          PEM certificate: serve the API over HTTPS (with\n"
    "  --api-key FILE           its PEM private key)\n"
    "  --files-listen ADDR:PORT serve /files/... (the executor and the Kafka tarball)\n"
    "                           on a listener of its own, read-only, without the\n"
    "                           admin routes; --files-url then defaults to it\n"
    "  --offer-hold DUR         hold every offer that got only 'wait' answers this long\n"
    "                           instead of declining it (default 0: decline at once;\n"
    "                           holding keeps slots other jobs could use)\n"
    "  --wait-refuse DUR        refuse_seconds of an offer declined because tasks wait\n"
    "                           for a better one (default 0: back at the master's next\n"
    "                           allocation; keep it at most one allocation interval)\n"
    "  --decline-refuse DUR     refuse_seconds sent with other declines (default 5s)\n"
    "  --no-suppress            never SUPPRESS offers when nothing is pending: each\n"
    "                           OFFERS event is then declined at once, in one DECLINE\n"
    "                           (bench/storm: the decline latency, as the peers do)\n"
    "  --rack-attribute NAME    agent attribute naming its rack, for the placement\n"
    "                           index, ctx.cluster.rack_of_host and the brokers'\n"
    "                           broker.rack (default rack)\n"
    "  --unreachable-grace DUR  how long a task on an unreachable agent (or unknown\n"
    "                           to a master that failed over) keeps its slot before it\n"
    "                           is given up (a failure) and a replacement launches;\n"
    "                           one that comes back while its slot waits is adopted,\n"
    "                           later ones are killed (default 2m). The framework is\n"
    "                           PARTITION_AWARE: TASK_GONE is replaced at once\n"
    "  --ha URL                 high availability: run several schedulers, one leads,\n"
    "                           elected through ZooKeeper at\n"
    "                           zk://[user:pass@]host:port[,host:port]/path; the\n"
    "                           others are standbys that answer the API with a 307\n"
    "                           to the leader (needs --state zk://...; docs/ha.md).\n"
    "                           A leader that loses its lease exits with status 3\n"
    "  --ha-session-timeout DUR ZooKeeper session timeout of --ha (default 10s; 2s to\n"
    "                           5m): a dead leader is replaced after about this long\n"
    "  --trace FILE             append one JSON line per placement event (offers,\n"
    "                           tasks, verdicts with reasons, holds, declines,\n"
    "                           launches, updates); kmesos-sim --replay reads it\n"

    "  --workload SPEC          a command workload, repeatable, e.g.\n"
    "                           'name=web cmd=\"sleep 60\" cpus=0.1 mem=32 instances=2'\n"
    "                           keys: name cmd cpus mem disk ports instances\n"
    "                           restart=on-failure|always|never prefer_hosts=h1,h2\n"
    "  --workloads-file FILE    workload specs, one per line ('#' comments)\n"
    "  --policy FILE            a Lua policy, repeatable: the chain in order\n"
    "  --policy-options JSON    policy name -> options table: a JSON file, or inline\n"
    "                           JSON starting with '{'. Without --policy the default\n"
    "                           chain policies/constraints.lua, policies/delay.lua runs\n"
    "  --policy-budget N        Lua instructions one policy call may run (default\n"
    "                           1000000); a runaway policy is cut off and declines\n"
    "  --policy-jit             let LuaJIT compile policies: faster, but compiled\n"
    "                           loops escape the instruction budget (trusted code only)\n"
    "  --check-policy [FILE...] load a policy chain (no FILE: the default chain,\n"
    "                           found as without --policy, and say where), evaluate\n"
    "                           JSON offers/tasks (--input FILE or -), print verdicts\n"
    "  --log-level LEVEL        debug, info, warn or error (default info)\n"
    "\n"
    "Kafka (brokers are managed through the API: /api/broker/..., docs/api.md):\n"
    "  --executor PATH          kmesos-executor binary (default: next to this program)\n"
    "  --kafka-dist PATH        Kafka tarball kafka-X.Y.Z.tgz (default: the\n"
    "                           scripts/fetch-kafka.sh cache, ~/.cache/kafka-mesos/\n"
    "                           kafka-4.4.0.tgz, or $KMESOS_KAFKA_CACHE)\n"
    "  --fetch-mode MODE        uri (default): the executor and the tarball are\n"
    "                           CommandInfo URIs served by this scheduler at\n"
    "                           <files-url>/files/<name>, fetched into the sandbox;\n"
    "                           local: absolute paths on this machine, no URIs (for\n"
    "                           agents on this machine without a fetcher)\n"
    "  --files-url URL          base URL agents fetch files from (default\n"
    "                           http://<--files-listen address>, else the --api one)\n"
    "  --kafka-data-root DIR    broker data dirs default to DIR/broker-<id> on the\n"
    "                           agent, outside the sandbox (default /var/lib/kafka-mesos)\n"
    "  --kafka-quorum N         controller quorum voters at the cluster's first start\n"
    "                           (default min(3, brokers started))\n"
    "  --kafka-voter-move-after DUR\n"
    "                           a voter whose agent is gone and that has waited this\n"
    "                           long for its host moves to another agent and replaces\n"
    "                           itself in the quorum (KIP-853; default 10m, 0: never)\n"
    "  --help                   this text\n"
    "\n"
    "Signals: SIGHUP reloads the policy chain; SIGINT/SIGTERM stop the scheduler\n"
    "(tasks keep running for --framework-timeout).\n";

void kmesos_options_usage(FILE *out) { fputs(usage_text, out); }

enum {
    OPT_MASTER = 256, OPT_NAME, OPT_ROLE, OPT_TIMEOUT, OPT_USER, OPT_PRINCIPAL,
    OPT_SECRET, OPT_STATE, OPT_API, OPT_LOG, OPT_HOLD, OPT_REFUSE, OPT_NO_SUPPRESS, OPT_CT, OPT_WORKLOAD,
    OPT_WFILE, OPT_POLICY, OPT_POLICY_OPTIONS, OPT_POLICY_BUDGET, OPT_POLICY_JIT, OPT_HELP,
    OPT_EXECUTOR, OPT_KAFKA_DIST, OPT_FETCH_MODE, OPT_FILES_URL, OPT_DATA_ROOT, OPT_QUORUM, OPT_VOTER_MOVE,
    OPT_WAIT_REFUSE, OPT_RACK_ATTR, OPT_TRACE, OPT_UNREACHABLE, OPT_HA, OPT_HA_TIMEOUT,
    OPT_REDIRECT_CREDS, OPT_API_TOKEN, OPT_API_INSECURE, OPT_API_HOST, OPT_API_CERT, OPT_API_KEY, OPT_FILES_LISTEN,
};

static const struct option long_options[] = {
    {"master", required_argument, 0, OPT_MASTER},
    {"framework-name", required_argument, 0, OPT_NAME},
    {"framework-role", required_argument, 0, OPT_ROLE},
    {"framework-timeout", required_argument, 0, OPT_TIMEOUT},
    {"user", required_argument, 0, OPT_USER},
    {"principal", required_argument, 0, OPT_PRINCIPAL},
    {"secret-file", required_argument, 0, OPT_SECRET},
    {"master-redirect-credentials", no_argument, 0, OPT_REDIRECT_CREDS},
    {"state", required_argument, 0, OPT_STATE},
    {"api", required_argument, 0, OPT_API},
    {"api-token-file", required_argument, 0, OPT_API_TOKEN},
    {"api-insecure", no_argument, 0, OPT_API_INSECURE},
    {"api-host", required_argument, 0, OPT_API_HOST},
    {"api-cert", required_argument, 0, OPT_API_CERT},
    {"api-key", required_argument, 0, OPT_API_KEY},
    {"files-listen", required_argument, 0, OPT_FILES_LISTEN},
    {"log-level", required_argument, 0, OPT_LOG},
    {"offer-hold", required_argument, 0, OPT_HOLD},
    {"decline-refuse", required_argument, 0, OPT_REFUSE},
    {"no-suppress", no_argument, 0, OPT_NO_SUPPRESS},
    {"wait-refuse", required_argument, 0, OPT_WAIT_REFUSE},
    {"rack-attribute", required_argument, 0, OPT_RACK_ATTR},
    {"trace", required_argument, 0, OPT_TRACE},
    {"unreachable-grace", required_argument, 0, OPT_UNREACHABLE},
    {"content-type", required_argument, 0, OPT_CT},
    {"workload", required_argument, 0, OPT_WORKLOAD},
    {"workloads-file", required_argument, 0, OPT_WFILE},
    {"policy", required_argument, 0, OPT_POLICY},
    {"policy-options", required_argument, 0, OPT_POLICY_OPTIONS},
    {"policy-budget", required_argument, 0, OPT_POLICY_BUDGET},
    {"policy-jit", no_argument, 0, OPT_POLICY_JIT},
    {"help", no_argument, 0, OPT_HELP},
    {"executor", required_argument, 0, OPT_EXECUTOR},
    {"kafka-dist", required_argument, 0, OPT_KAFKA_DIST},
    {"fetch-mode", required_argument, 0, OPT_FETCH_MODE},
    {"files-url", required_argument, 0, OPT_FILES_URL},
    {"kafka-data-root", required_argument, 0, OPT_DATA_ROOT},
    {"kafka-quorum", required_argument, 0, OPT_QUORUM},
    {"kafka-voter-move-after", required_argument, 0, OPT_VOTER_MOVE},
    {"ha", required_argument, 0, OPT_HA},
    {"ha-session-timeout", required_argument, 0, OPT_HA_TIMEOUT},
    {0, 0, 0, 0},
};

static int bad(const char *flag, const char *value, const char *why)
{
    fprintf(stderr, "kmesos-scheduler: --%s '%s': %s\n\n", flag, value, why);
    kmesos_options_usage(stderr);
    return 2;
}

static int opt_push(const char ***list, size_t *n, const char *value)
{
    const char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p)
        return -1;
    p[(*n)++] = value;
    *list = p;
    return 0;
}

static int opt_duration(const char *flag, const char *v, double *out)
{
    *out = kmesos_parse_duration(v);
    return *out < 0 ? bad(flag, v, "expected a duration such as 30s, 5m, 2h, 7d") : 0;
}

/* Applies one flag. 0, or 2 for bad usage. */
static int apply(kmesos_options *o, int c, const char *v)
{
    switch (c) {
    case OPT_MASTER: o->master = v; return 0;
    case OPT_NAME: o->framework_name = v; return *v ? 0 : bad("framework-name", v, "empty");
    case OPT_ROLE: o->framework_role = v; return *v ? 0 : bad("framework-role", v, "empty");
    case OPT_TIMEOUT: return opt_duration("framework-timeout", v, &o->framework_timeout_s);
    case OPT_USER: o->user = v; return 0;
    case OPT_PRINCIPAL: o->principal = v; return 0;
    case OPT_SECRET: o->secret_file = v; return 0;
    case OPT_REDIRECT_CREDS: o->master_redirect_credentials = 1; return 0;
    case OPT_STATE: o->state = v; return 0;
    case OPT_API: o->api = v; return 0;
    case OPT_API_TOKEN: o->api_token_file = v; return *v ? 0 : bad("api-token-file", v, "empty");
    case OPT_API_INSECURE: o->api_insecure = 1; return 0;
    case OPT_API_HOST:
        if (!*v || strpbrk(v, ":/ []"))
            return bad("api-host", v, "expected a host name (no port)");
        return opt_push(&o->api_hosts, &o->n_api_hosts, v) ? 2 : 0;
    case OPT_API_CERT: o->api_cert = v; return *v ? 0 : bad("api-cert", v, "empty");
    case OPT_API_KEY: o->api_key = v; return *v ? 0 : bad("api-key", v, "empty");
    case OPT_FILES_LISTEN:
        o->files_listen = v;
        return strchr(v, ':') ? 0 : bad("files-listen", v, "expected IP:PORT");
    case OPT_LOG:
        o->log_level = v;
        return kmesos_log_level_parse(v) < 0 ? bad("log-level", v, "expected debug, info, warn or error") : 0;
    case OPT_HOLD: return opt_duration("offer-hold", v, &o->offer_hold_s);
    case OPT_REFUSE: return opt_duration("decline-refuse", v, &o->decline_refuse_s);
    case OPT_NO_SUPPRESS: o->no_suppress = 1; return 0;
    case OPT_WAIT_REFUSE: return opt_duration("wait-refuse", v, &o->wait_refuse_s);
    case OPT_RACK_ATTR: o->rack_attribute = v; return *v ? 0 : bad("rack-attribute", v, "empty");
    case OPT_TRACE: o->trace = v; return *v ? 0 : bad("trace", v, "empty");
    case OPT_UNREACHABLE: return opt_duration("unreachable-grace", v, &o->unreachable_grace_s);
    case OPT_HA:
        o->ha = v;
        return strncmp(v, "zk://", 5) == 0 ? 0 : bad("ha", v, "expected zk://host:port[,...]/path");
    case OPT_HA_TIMEOUT:
        if (opt_duration("ha-session-timeout", v, &o->ha_session_timeout_s) != 0)
            return 2;
        return o->ha_session_timeout_s >= 2 && o->ha_session_timeout_s <= 300
                   ? 0 : bad("ha-session-timeout", v, "expected 2s to 5m");
    case OPT_CT:
        o->content_type = v;
        return strcmp(v, "protobuf") && strcmp(v, "json") ? bad("content-type", v, "expected protobuf or json") : 0;
    case OPT_WORKLOAD: return opt_push(&o->workloads, &o->n_workloads, v) ? 2 : 0;
    case OPT_WFILE: o->workloads_file = v; return 0;
    case OPT_POLICY: return opt_push(&o->policies, &o->n_policies, v) ? 2 : 0;
    case OPT_POLICY_OPTIONS: o->policy_options = v; return 0;
    case OPT_POLICY_BUDGET:
        /* at most 1e12: it becomes an integer count (kmesos_policy_config.budget) */
        return kmesos_num_real(v, 1, 1e12, &o->policy_budget)
                   ? bad("policy-budget", v, "expected a number from 1 to 1e12") : 0;
    case OPT_POLICY_JIT: o->policy_jit = 1; return 0;
    case OPT_HELP: o->show_help = 1; return 0;
    case OPT_EXECUTOR: o->executor = v; return *v ? 0 : bad("executor", v, "empty");
    case OPT_KAFKA_DIST: o->kafka_dist = v; return *v ? 0 : bad("kafka-dist", v, "empty");
    case OPT_FETCH_MODE:
        o->fetch_mode = v;
        return strcmp(v, "uri") && strcmp(v, "local") ? bad("fetch-mode", v, "expected uri or local") : 0;
    case OPT_FILES_URL:
        o->files_url = v;
        return strncmp(v, "http://", 7) && strncmp(v, "https://", 8) ? bad("files-url", v, "expected http://HOST:PORT") : 0;
    case OPT_DATA_ROOT:
        o->kafka_data_root = v;
        return *v == '/' ? 0 : bad("kafka-data-root", v, "expected an absolute path");
    case OPT_VOTER_MOVE:
        return opt_duration("kafka-voter-move-after", v, &o->kafka_voter_move_after_s);
    case OPT_QUORUM: {
        long long q = 0;
        int rc = kmesos_num_int(v, 1, 9, &q);
        o->kafka_quorum = (int)q;
        return rc ? bad("kafka-quorum", v, "expected 1..9") : 0;
    }
    default: return 2;
    }
}

int kmesos_options_parse(int argc, char **argv, kmesos_options *o)
{
    memset(o, 0, sizeof *o);
    o->master = "127.0.0.1:5050";
    o->framework_name = "kafka-mesos";
    o->framework_role = "*";
    o->framework_timeout_s = 7 * 86400;
    o->state = "file:kmesos-state.json";
    o->api = "127.0.0.1:7000";
    o->log_level = "info";
    o->offer_hold_s = 0;
    o->wait_refuse_s = 0;
    o->decline_refuse_s = 5;
    o->rack_attribute = "rack";
    o->kafka_voter_move_after_s = 600;
    o->unreachable_grace_s = 120;
    o->ha_session_timeout_s = 10;
    o->content_type = "protobuf";
    o->fetch_mode = "uri";
    o->kafka_data_root = "/var/lib/kafka-mesos";
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (c == '?' || c == ':') {
            const char *arg = argv[optind - 1];
            fprintf(stderr, "kmesos-scheduler: %s '%s'\n\n",
                    c == ':' || optopt ? "missing value for" : "unknown option", arg);
            kmesos_options_usage(stderr);
            return 2;
        }
        if (apply(o, c, optarg) != 0)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "kmesos-scheduler: unexpected argument '%s'\n\n", argv[optind]);
        kmesos_options_usage(stderr);
        return 2;
    }
    if (!o->api_cert != !o->api_key)
        return bad(o->api_cert ? "api-cert" : "api-key", o->api_cert ? o->api_cert : o->api_key,
                   o->api_cert ? "needs --api-key" : "needs --api-cert");
    if (o->secret_file && !o->principal)
        return bad("secret-file", o->secret_file, "needs --principal");
    if (o->ha && strncmp(o->state, "zk:", 3) != 0)
        return bad("ha", o->ha, "needs --state zk://...: the schedulers must share their "
                   "state, a file cannot be shared");
    return 0;
}

void kmesos_options_free(kmesos_options *o)
{
    free(o->workloads);
    free(o->policies);
    free(o->api_hosts);
    o->workloads = o->policies = o->api_hosts = NULL;
}
