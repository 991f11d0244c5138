/* cli_spec: the tables the kmesos CLI is made of. Each workload (broker,
 * producer, consumer) is one row naming its endpoint, the actions it has,
 * the options its add/update take, the columns of its table and its
 * examples; options and actions are shared rows looked up by name. The
 * lookups are linear: the tables have a dozen rows. */
#include "cli/cli_spec.h"

#include <string.h>


#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const kmesos_cli_option kmesos_cli_options[] = {
    {"cpus", "cpus", KMESOS_CLI_NUMBER, "N", "CPUs per task, e.g. 0.5 or 1"},
    {"mem", "mem", KMESOS_CLI_COUNT, "MB", "memory per task in MB"},
    {"heap", "heap", KMESOS_CLI_COUNT, "MB",
     "JVM heap in MB (part of --mem; a client's default: half)"},
    {"port", "port", KMESOS_CLI_PORT, "P|auto", "client port, or auto (any offered port)"},
    {"options", "options", KMESOS_CLI_KV_LIST, "K=V,..",
     "key=value settings, comma separated; \"\" clears"},
    {"jvm-options", "jvm_options", KMESOS_CLI_TEXT, "STR",
     "extra JVM options, e.g. \"-XX:+UseG1GC\""},
    {"constraints", "constraints", KMESOS_CLI_CONSTRAINTS, "STR",
     "placement, attr=OP;.. (quote the ';'); OP like:RE\n"
     "unlike:RE unique cluster[:V] groupBy[:N]"},
    {"failover-delay", "failover_delay", KMESOS_CLI_DURATION, "DUR",
     "wait before relaunching a failed task, doubling"},
    {"failover-max-delay", "failover_max_delay", KMESOS_CLI_DURATION, "DUR",
     "longest failover delay"},
    {"failover-max-tries", "failover_max_tries", KMESOS_CLI_TRIES, "N|none",
     "failures in a row before it is deactivated"},
    {"stickiness-period", "stickiness_period", KMESOS_CLI_DURATION, "DUR",
     "how long a relaunch prefers its last agent"},
    {"data-dir", "data_dir", KMESOS_CLI_PATH, "PATH",
     "data folder(s) on the agent, absolute; \"\": default"},
    {"ssl-port", "ssl_port", KMESOS_CLI_TEXT, "P|auto|none",
     "SSL listener port (needs the 3 --ssl-* files)"},
    {"sasl-port", "sasl_port", KMESOS_CLI_TEXT, "P|auto|none",
     "SASL_SSL (SCRAM) listener port (same files)"},
    {"ssl-keystore", "ssl_keystore", KMESOS_CLI_TEXT, "URI",
     "keystore the fetcher gets: http(s)://, file://, /path\n"
     "(.p12: PKCS12, .jks: JKS, .pem: PEM)"},
    {"ssl-truststore", "ssl_truststore", KMESOS_CLI_TEXT, "URI", "truststore, as --ssl-keystore"},
    {"ssl-secrets", "ssl_secrets", KMESOS_CLI_TEXT, "URI",
     "secrets file (passwords, SCRAM users; see\ndocs/kafka.md), as --ssl-keystore"},
    {"inter-broker-protocol", "inter_broker_protocol", KMESOS_CLI_TEXT, "PROTO",
     "PLAINTEXT (default), SSL or SASL_SSL"},
    {"sasl-mechanism", "sasl_mechanism", KMESOS_CLI_TEXT, "MECH",
     "SCRAM-SHA-512 (default) or SCRAM-SHA-256"},
    {"advertised-host", "advertised_host", KMESOS_CLI_TEXT, "HOST",
     "host advertised to clients instead of the\nagent's; \"\": the agent's"},
    {"topic", "topic", KMESOS_CLI_TOPIC, "NAME", "Kafka topic to produce to or consume from"},
    {"command", "command", KMESOS_CLI_TEXT, "STR",
     "run this instead of Kafka's perf tool; it gets\n"
     "KAFKA_BOOTSTRAP_SERVERS in its environment"},
    {"reserve", "reserve", KMESOS_CLI_TEXT, "true|false",
     "reserve its cpus, mem and a persistent volume for\n"
     "its data on its first agent (needs --framework-role)"},
    {"volume-size", "volume_size", KMESOS_CLI_COUNT, "MB",
     "size of the reserved volume (default 1024)"},
    {"purge", "purge", KMESOS_CLI_TEXT, "",
     "(a flag) also destroy and unreserve the volume"},
    {"to", "to", KMESOS_CLI_TEXT, "EXPR", "clone: the ids of the new ones, e.g. 3..4"},
    {"role", "role", KMESOS_CLI_TEXT, "ROLE",
     "combined (default: a voter is broker and controller),\ncontroller (a dedicated "
     "controller) or broker"},
    {"force", "force", KMESOS_CLI_TEXT, "",
     "(a flag) remove at once, without draining its partitions"},
    {"topics", "topics", KMESOS_CLI_TEXT, "REGEX", "rebalance: only topics matching (POSIX ERE)"},
    {"throttle", "throttle", KMESOS_CLI_COUNT, "BYTES/S", "rebalance: replication throttle"},
    {"cancel", "cancel", KMESOS_CLI_TEXT, "", "(a flag) cancel the running rebalance"},
    {"name", "name", KMESOS_CLI_TEXT, "stdout|stderr", "the sandbox file (default stdout)"},
    {"partitions", "partitions", KMESOS_CLI_COUNT, "N",
     "partitions of the topic (update: only more)"},
    {"replication-factor", "replication_factor", KMESOS_CLI_COUNT, "N",
     "replicas of each partition (add only; at most\nthe running brokers)"},
    {"lines", "lines", KMESOS_CLI_COUNT, "N", "how many of its last lines (default 100)"},
};

static const char *const kmesos_cli_log_options[] = {"name", "lines", NULL};
static const char *const kmesos_cli_remove_options[] = {"purge", "force", NULL};
static const char *const kmesos_cli_rebalance_options[] = {"topics", "throttle", "cancel",
                                                           NULL};
static const char *const kmesos_cli_clone_options[] = {"to", NULL};

static const kmesos_cli_verb kmesos_cli_verbs[] = {
    {"add", "POST", KMESOS_CLI_VERB_TAKES_OPTIONS, "added", NULL,
     "add new ones (inactive until started)", NULL, NULL},
    {"clone", "POST", KMESOS_CLI_VERB_TAKES_OPTIONS, "added", NULL,
     "add new ones (--to EXPR) with the settings of one, options applied over them",
     kmesos_cli_clone_options, NULL},
    {"update", "POST", KMESOS_CLI_VERB_TAKES_OPTIONS | KMESOS_CLI_VERB_NEEDS_OPTION, "updated",
     NULL, "change settings (running ones: on restart)", NULL, NULL},
    {"remove", "POST", 0, NULL, "removed", "remove stopped ones (running ones are refused; a "
     "broker holding partitions is drained first unless --force)",
     kmesos_cli_remove_options, NULL},
    {"rebalance", "POST", KMESOS_CLI_VERB_EXPR_OPTIONAL, NULL, NULL,
     "move partitions so that brokers EXPR carry an even share; no EXPR: show progress",
     kmesos_cli_rebalance_options, NULL},
    {"start", "POST", 0, "started", NULL, "make active: they are launched on matching offers",
     NULL, NULL},
    {"stop", "POST", 0, "stopped", NULL, "make inactive: their tasks are killed", NULL, NULL},
    {"restart", "POST", 0, NULL, "restarting",
     "rolling: one at a time, each RUNNING again (or finished) before the next", NULL, NULL},
    {"list", "GET", KMESOS_CLI_VERB_EXPR_OPTIONAL, NULL, NULL,
     "show settings and tasks (all without EXPR)", NULL, NULL},
    {"log", "GET", 0, NULL, NULL, "the last lines of one's stdout or stderr (its sandbox)",
     kmesos_cli_log_options, "lines"},
    {"delete", "POST", 0, NULL, "deleted", "delete it and its data", NULL, NULL},
};

static const char *const kmesos_cli_all_verbs[] = {"add",  "clone",   "update", "remove",
                                                   "start", "stop",   "restart", "list",
                                                   NULL};
static const char *const kmesos_cli_broker_verbs[] = {"add",  "clone", "update",  "remove",
                                                      "start", "stop", "restart", "list",
                                                      "log",  "rebalance", NULL};

static const char *const kmesos_cli_topic_verbs[] = {"add", "update", "delete", "list", NULL};
static const char *const kmesos_cli_topic_summaries[] = {
    "create it (Kafka's defaults for what is not given)",
    "more partitions, or configs (\"k=\" removes k)",
    "delete it and its data",
    "partitions, replicas, health and configs (all without NAME)",
};
static const char *const kmesos_cli_topic_options[] = {"partitions", "replication-factor",
                                                       "options", NULL};

static const char *const kmesos_cli_broker_options[] = {
    "cpus",           "mem",
    "heap",           "port",
    "options",        "jvm-options",
    "constraints",    "failover-delay",
    "failover-max-delay", "failover-max-tries",
    "stickiness-period", "data-dir",
    "ssl-port",       "sasl-port",
    "ssl-keystore",   "ssl-truststore",
    "ssl-secrets",    "inter-broker-protocol",
    "sasl-mechanism", "advertised-host",
    "reserve",        "volume-size",
    "role",           NULL};

static const char *const kmesos_cli_client_options[] = {
    "cpus",           "mem",
    "heap",           "topic",
    "options",        "command",
    "jvm-options",    "constraints",
    "failover-delay", "failover-max-delay",
    "failover-max-tries", NULL};

static const kmesos_cli_column kmesos_cli_broker_columns[] = {
    {"ID", "id"},         {"ACTIVE", "active"},     {"STATE", "task.state"},
    {"HOST", "task.hostname"}, {"RACK", "rack"}, {"ENDPOINT", "task.endpoint"},
    {"CPUS", "cpus"},     {"MEM", "mem"},           {"HEAP", "heap"},
    {"LAST FAILURE", "last_failure"},
};

static const kmesos_cli_column kmesos_cli_client_columns[] = {
    {"ID", "id"},       {"ACTIVE", "active"}, {"STATE", "task.state"},
    {"HOST", "task.hostname"}, {"TOPIC", "topic"}, {"CPUS", "cpus"},
    {"MEM", "mem"},     {"HEAP", "heap"},     {"LAST FAILURE", "last_failure"},
};

static const kmesos_cli_column kmesos_cli_topic_columns[] = {
    {"NAME", "name"},         {"PARTITIONS", "partitions"}, {"RF", "replication_factor"},
    {"UNDER-REPLICATED", "under_replicated"}, {"OFFLINE", "offline"}, {"CONFIGS", "configs"},
};

static const kmesos_cli_example kmesos_cli_topic_examples[] = {
    {"add", "kmesos topic add events --partitions 6 --replication-factor 3"},
    {"add", "kmesos topic add logs --options cleanup.policy=compact,min.insync.replicas=2"},
    {"update", "kmesos topic update events --partitions 12"},
    {"update", "kmesos topic update events --options retention.ms=86400000"},
    {"update", "kmesos topic update events --options retention.ms= (back to the default)"},
    {"list", "kmesos topic list"},
    {"list", "kmesos topic list events --json"},
    {"delete", "kmesos topic delete events"},
};

static const kmesos_cli_example kmesos_cli_broker_examples[] = {
    {"add", "kmesos broker add 0..2 --cpus 1 --mem 2048 --heap 1024"},
    {"add", "kmesos broker add 3 --port 31092 --constraints 'hostname=unique;rack=like:r1'"},
    {"add", "kmesos broker add 4 --options log.retention.hours=24,num.io.threads=16"},
    {"clone", "kmesos broker clone 0 --to 5..6"},
    {"add", "kmesos broker add 10..12 --role controller --cpus 0.5 --mem 1024 --heap 512"},
    {"clone", "kmesos broker clone 0 --to 7 --mem 4096 --heap 2048"},
    {"update", "kmesos broker update 0,2 --failover-delay 30s --failover-max-delay 5m"},
    {"update", "kmesos broker update 1 --failover-max-tries none --data-dir /srv/k1,/srv/k2"},
    {"update", "kmesos broker update '*' --jvm-options \"-XX:+UseG1GC\""},
    {"update", "kmesos broker update '*' --ssl-port auto --sasl-port auto "
               "--ssl-keystore https://ca.example/k.p12 --ssl-truststore "
               "https://ca.example/t.p12 --ssl-secrets file:///etc/kafka/secrets"},
    {"update", "kmesos broker update 0 --advertised-host kafka0.example.com"},
    {"start", "kmesos broker start '*'"},
    {"stop", "kmesos broker stop 1"},
    {"restart", "kmesos broker restart 0..2"},
    {"remove", "kmesos broker remove 3"},
    {"add", "kmesos broker add 5 --reserve true --volume-size 10240"},
    {"remove", "kmesos broker remove 5 --purge"},
    {"remove", "kmesos broker remove 4 --force"},
    {"rebalance", "kmesos broker rebalance '*' --topics '^orders' --throttle 10000000"},
    {"rebalance", "kmesos broker rebalance"},
    {"rebalance", "kmesos broker rebalance --cancel"},
    {"rebalance", "kmesos broker rebalance 0..4 --wait"},
    {"list", "kmesos broker list"},
    {"list", "kmesos broker list 0..1 --json"},
    {"log", "kmesos broker log 0"},
    {"log", "kmesos broker log 2 --name stderr --lines 50"},
};

static const kmesos_cli_example kmesos_cli_producer_examples[] = {
    {"add", "kmesos producer add 0 --topic events --cpus 0.5 --mem 512"},
    {"add", "kmesos producer add 1 --topic events --options throughput=1000"},
    {"add", "kmesos producer add 2 --topic events --constraints 'rack=like:r2' --heap 256"},
    {"clone", "kmesos producer clone 0 --to 3..5 --topic metrics"},
    {"update", "kmesos producer update 0 --command \"my-producer --rate 10\""},
    {"update", "kmesos producer update 1 --failover-delay 10s --failover-max-tries 5"},
    {"start", "kmesos producer start '*'"},
    {"stop", "kmesos producer stop 0"},
    {"restart", "kmesos producer restart 0"},
    {"remove", "kmesos producer remove 0,1"},
    {"list", "kmesos producer list"},
};

static const kmesos_cli_example kmesos_cli_consumer_examples[] = {
    {"clone", "kmesos consumer clone 0 --to 1..2"},
    {"add", "kmesos consumer add 0 --topic events --cpus 0.5 --mem 512"},
    {"update", "kmesos consumer update 0 --options messages=100000"},
    {"update", "kmesos consumer update 0 --jvm-options \"-XX:+UseG1GC\" --failover-max-delay 2m"},
    {"start", "kmesos consumer start 0"},
    {"stop", "kmesos consumer stop 0"},
    {"restart", "kmesos consumer restart 0"},
    {"remove", "kmesos consumer remove 0"},
    {"list", "kmesos consumer list --json"},
};

static const kmesos_cli_resource kmesos_cli_resources[] = {
    {"broker", "brokers", "/api/broker", "Kafka brokers: add, change, start, stop, remove",
     kmesos_cli_broker_verbs, kmesos_cli_broker_options, kmesos_cli_broker_columns,
     COUNT_OF(kmesos_cli_broker_columns), kmesos_cli_broker_examples,
     COUNT_OF(kmesos_cli_broker_examples), 0, NULL},
    {"producer", "producers", "/api/producer", "producer tasks writing to the cluster",
     kmesos_cli_all_verbs, kmesos_cli_client_options, kmesos_cli_client_columns,
     COUNT_OF(kmesos_cli_client_columns), kmesos_cli_producer_examples,
     COUNT_OF(kmesos_cli_producer_examples), 0, NULL},
    {"consumer", "consumers", "/api/consumer", "consumer tasks reading from the cluster",
     kmesos_cli_all_verbs, kmesos_cli_client_options, kmesos_cli_client_columns,
     COUNT_OF(kmesos_cli_client_columns), kmesos_cli_consumer_examples,
     COUNT_OF(kmesos_cli_consumer_examples), 0, NULL},
    {"topic", "topics", "/api/topic", "Kafka topics: add, change partitions and configs, delete",
     kmesos_cli_topic_verbs, kmesos_cli_topic_options, kmesos_cli_topic_columns,
     COUNT_OF(kmesos_cli_topic_columns), kmesos_cli_topic_examples,
     COUNT_OF(kmesos_cli_topic_examples), 1, kmesos_cli_topic_summaries},
};

static const kmesos_cli_example kmesos_cli_status_examples[] = {
    {NULL, "kmesos status"},
    {NULL, "kmesos --api http://10.0.0.5:7000 status --json"},
};
static const kmesos_cli_example kmesos_cli_tasks_examples[] = {
    {NULL, "kmesos tasks"},
    {NULL, "KMESOS_API=http://10.0.0.5:7000 kmesos tasks --json"},
};
static const kmesos_cli_example kmesos_cli_policy_examples[] = {
    {NULL, "kmesos policy"},
};
static const kmesos_cli_example kmesos_cli_help_examples[] = {
    {NULL, "kmesos help"},
    {NULL, "kmesos help broker"},
    {NULL, "kmesos help broker add"},
    {NULL, "kmesos broker add --help"},
};

static const kmesos_cli_command kmesos_cli_commands[] = {
    {"status", "/api/status", "framework, session, offers, counters and tasks",
     "Shows the framework id, whether it is subscribed, the session with the master,\n"
     "the bootstrap servers (once brokers run), the offer book, the counters and\n"
     "every task with its state, host and last failure.",
     kmesos_cli_status_examples, COUNT_OF(kmesos_cli_status_examples)},
    {"tasks", "/api/tasks", "every task: state, host, wait reason, failure",
     "Shows every task slot the scheduler keeps: id, workload, phase, Mesos state,\n"
     "host, failures, why it waits for an offer, and its last failure.",
     kmesos_cli_tasks_examples, COUNT_OF(kmesos_cli_tasks_examples)},
    {"policy", "/api/policy", "the placement policy chain and its counters",
     "Shows the Lua policy chain in order (name and file), reloads and their\n"
     "errors, and how many offers the chain accepted, declined or held.",
     kmesos_cli_policy_examples, COUNT_OF(kmesos_cli_policy_examples)},
    {"help", NULL, "this text, or the help of one command",
     "Shows the list of commands, or the usage, options and examples of one.",
     kmesos_cli_help_examples, COUNT_OF(kmesos_cli_help_examples)},
};

const kmesos_cli_resource *kmesos_cli_spec_resource(const char *name)
{
    for (size_t i = 0; i < COUNT_OF(kmesos_cli_resources); i++)
        if (strcmp(kmesos_cli_resources[i].name, name) == 0)
            return &kmesos_cli_resources[i];
    return NULL;
}

static int kmesos_cli_spec_listed(const char *const *names, const char *name)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

const kmesos_cli_verb *kmesos_cli_spec_verb(const kmesos_cli_resource *res, const char *name)
{
    if (!kmesos_cli_spec_listed(res->verbs, name))
        return NULL;
    for (size_t i = 0; i < COUNT_OF(kmesos_cli_verbs); i++)
        if (strcmp(kmesos_cli_verbs[i].name, name) == 0)
            return &kmesos_cli_verbs[i];
    return NULL;
}

const char *kmesos_cli_spec_verb_summary(const kmesos_cli_resource *res,
                                         const kmesos_cli_verb *verb)
{
    for (size_t i = 0; res->summaries && res->verbs[i]; i++)
        if (strcmp(res->verbs[i], verb->name) == 0)
            return res->summaries[i];
    return verb->summary;
}

const kmesos_cli_option *kmesos_cli_spec_option(const char *flag)
{
    for (size_t i = 0; i < COUNT_OF(kmesos_cli_options); i++)
        if (strcmp(kmesos_cli_options[i].flag, flag) == 0)
            return &kmesos_cli_options[i];
    return NULL;
}

const kmesos_cli_option *kmesos_cli_spec_res_option(const kmesos_cli_resource *res,
                                                    const char *flag)
{
    return kmesos_cli_spec_listed(res->options, flag) ? kmesos_cli_spec_option(flag) : NULL;
}

const kmesos_cli_option *kmesos_cli_spec_verb_option(const kmesos_cli_verb *verb,
                                                     const char *flag)
{
    return verb->options && kmesos_cli_spec_listed(verb->options, flag)
               ? kmesos_cli_spec_option(flag)
               : NULL;
}

const kmesos_cli_option *kmesos_cli_spec_res_param(const kmesos_cli_resource *res,
                                                   const char *param)
{
    for (size_t i = 0; res->options[i]; i++) {
        const kmesos_cli_option *o = kmesos_cli_spec_option(res->options[i]);
        if (o && strcmp(o->param, param) == 0)
            return o;
    }
    return NULL;
}

const kmesos_cli_command *kmesos_cli_spec_command(const char *name)
{
    for (size_t i = 0; i < COUNT_OF(kmesos_cli_commands); i++)
        if (strcmp(kmesos_cli_commands[i].name, name) == 0)
            return &kmesos_cli_commands[i];
    return NULL;
}

const kmesos_cli_resource *kmesos_cli_spec_resource_at(size_t i)
{
    return i < COUNT_OF(kmesos_cli_resources) ? &kmesos_cli_resources[i] : NULL;
}

const kmesos_cli_command *kmesos_cli_spec_command_at(size_t i)
{
    return i < COUNT_OF(kmesos_cli_commands) ? &kmesos_cli_commands[i] : NULL;
}
