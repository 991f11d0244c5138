/* launch: the TaskInfos of brokers and clients. Mesos refuses a
 * TaskInfo with both an executor and a command, so the task names an
 * ExecutorInfo whose command runs kmesos-executor; the executor reads the
 * node's command from KMESOS_TASK_COMMAND and hands every other variable
 * of ExecutorInfo.command.environment to it (docs/kafka.md lists them).
 * A broker is TASK_RUNNING once its client port accepts connections
 * (KMESOS_READY_PORT) and then bin/kafka-ready.sh exits 0 (registered and
 * in the ISR of its partitions: KMESOS_READY_COMMAND), so a rolling
 * restart waits for "back and in sync". A client runs Kafka's perf tool
 * through bin/kafka-client.sh (or the operator's command) with
 * KAFKA_BOOTSTRAP_SERVERS = the running brokers at its launch.
 * Ports: a voter's controller port and a client port asked by number are
 * claimed by number, an "auto" client port is the offer's next free one.
 * In uri mode the executor and the Kafka tarball are CommandInfo URIs
 * served by the scheduler (GET /files/<name>) and run from the sandbox;
 * in local mode they are absolute paths on this machine. */
#include "sched/kafka/launch.h"
#include "sched/kafka/reserve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"

static int push_env(Mesos__V1__Environment *env, const char *name, const char *value)
{
    return kmesos_pb_push((void ***)&env->variables, &env->n_variables,
                          kmesos_pb_env(name, value ? value : ""));
}

static int push_env_int(Mesos__V1__Environment *env, const char *name, long value)
{
    char text[32];
    snprintf(text, sizeof text, "%ld", value);
    return push_env(env, name, text);
}

static const char *launch_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int push_uri(Mesos__V1__CommandInfo *cmd, const kmesos_kafka *k, const char *path,
                    int executable, int extract)
{
    Mesos__V1__CommandInfo__URI *u = kmesos_pb_new(&mesos__v1__command_info__uri__descriptor);
    size_t n = strlen(k->files_url) + strlen(path) + 16;
    if (!u || !(u->value = malloc(n))) {
        kmesos_pb_free(u);
        return -1;
    }
    snprintf(u->value, n, "%s/files/%s", k->files_url, launch_base_name(path));
    u->has_executable = 1;
    u->executable = executable;
    u->has_extract = 1;
    u->extract = extract;
    return kmesos_pb_push((void ***)&cmd->uris, &cmd->n_uris, u);
}

/* The script bin/<script> and the executor command, as this fetch mode
 * has them. */
static int set_command(Mesos__V1__CommandInfo *cmd, const kmesos_kafka *k, const char *script,
                       char **path_out)
{
    char path[2048];
    if (k->fetch == KMESOS_FETCH_URI) {
        snprintf(path, sizeof path, "./%s/bin/%s", k->dist_name, script);
        *path_out = strdup(path);
        cmd->value = strdup("./kmesos-executor");
        return *path_out && cmd->value && push_uri(cmd, k, k->executor, 1, 0) == 0 &&
                       push_uri(cmd, k, k->dist, 0, 1) == 0
                   ? 0
                   : -1;
    }
    snprintf(path, sizeof path, "%s/bin/%s", k->dist_dir, script);
    *path_out = kmesos_client_shell_quote(path);
    cmd->value = kmesos_client_shell_quote(k->executor);
    return *path_out && cmd->value ? 0 : -1;
}

/* The readiness command of a broker: bin/kafka-ready.sh next to
 * kafka-broker.sh (relative to the sandbox in uri mode). */
static char *ready_command(const kmesos_kafka *k)
{
    char path[2048];
    if (k->fetch == KMESOS_FETCH_URI) {
        snprintf(path, sizeof path, "./%s/bin/kafka-ready.sh", k->dist_name);
        return strdup(path);
    }
    snprintf(path, sizeof path, "%s/bin/kafka-ready.sh", k->dist_dir);
    return kmesos_client_shell_quote(path);
}

/* Catching up after a restart may take a while: more than the executor's
 * default readiness timeout of 120 s. */
#define KAFKA_BROKER_READY_TIMEOUT_S 300
/* kafka-ready.sh costs ~50 ms with kcat (one metadata request), so the
 * executor asks once a second rather than its default every 2 s. */
#define KAFKA_BROKER_READY_INTERVAL_S 1

typedef struct broker_ports {
    int client, controller; /* controller 0: not a voter */
    int ssl, sasl;          /* 0: no such listener */
} broker_ports;

/* A URI of the operator's (keystore, truststore, secrets) as given, for
 * the fetcher to copy into the sandbox: neither extracted nor executable. */
static int push_fetch_uri(Mesos__V1__CommandInfo *cmd, const char *value)
{
    Mesos__V1__CommandInfo__URI *u = kmesos_pb_new(&mesos__v1__command_info__uri__descriptor);
    if (!u || !(u->value = strdup(value))) {
        kmesos_pb_free(u);
        return -1;
    }
    u->has_executable = 1;
    u->executable = 0;
    u->has_extract = 1;
    u->extract = 0; /* its default is true */
    return kmesos_pb_push((void ***)&cmd->uris, &cmd->n_uris, u);
}

/* The TLS part of a broker's task: its files as URIs, and in the
 * environment their sandbox names, the listener ports, the protocols.
 * No password: those are in the secrets file (docs/kafka.md). */
static int broker_tls(Mesos__V1__CommandInfo *cmd, const kmesos_broker_settings *s,
                      const broker_ports *p)
{
    Mesos__V1__Environment *env = cmd->environment;
    const struct { const char *var, *uri; } files[] = {
        {"KAFKA_SSL_KEYSTORE", s->ssl_keystore},
        {"KAFKA_SSL_TRUSTSTORE", s->ssl_truststore},
        {"KAFKA_SSL_SECRETS", s->ssl_secrets}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (*files[i].uri && (push_fetch_uri(cmd, files[i].uri) != 0 ||
                              push_env(env, files[i].var, kmesos_broker_uri_file(files[i].uri))))
            return -1;
    return (p->ssl && push_env_int(env, "KAFKA_SSL_PORT", p->ssl)) ||
                   (p->sasl && push_env_int(env, "KAFKA_SASL_PORT", p->sasl)) ||
                   push_env(env, "KAFKA_INTER_BROKER_PROTOCOL", s->inter_broker_protocol) ||
                   push_env(env, "KAFKA_SASL_MECHANISM", s->sasl_mechanism)
               ? -1
               : 0;
}

/* How the node finds the controller quorum. Static: the voters list.
 * Dynamic (KIP-853): the voters' endpoints to bootstrap from, and for a
 * voter that has never run, the initial voters with their directory ids
 * for its first format; any other controller formats without them and
 * joins the quorum in place of its old self (kafka-broker.sh). */
static int quorum_env(Mesos__V1__Environment *env, const kmesos_kafka *k, const kmesos_broker *b)
{
    int dynamic = kmesos_kafka_quorum_dynamic(k);
    const kmesos_voter *v = kmesos_kafka_voter(k, b->node.id);
    char *text = kmesos_kafka_voters_text(k, dynamic ? KMESOS_VOTERS_BOOTSTRAP
                                                     : KMESOS_VOTERS_STATIC);
    char *initial = dynamic && v && !v->ran ? kmesos_kafka_voters_text(k, KMESOS_VOTERS_INITIAL)
                                            : NULL;
    int rc = !text || (dynamic && v && !v->ran && !initial) ||
             push_env(env, dynamic ? "KAFKA_CONTROLLER_QUORUM_BOOTSTRAP"
                                   : "KAFKA_CONTROLLER_QUORUM_VOTERS", text) ||
             (initial && push_env(env, "KAFKA_INITIAL_CONTROLLERS", initial));
    free(text);
    free(initial);
    return rc ? -1 : 0;
}

static int broker_env(Mesos__V1__Environment *env, const kmesos_kafka *k,
                      const kmesos_broker *b, const kmesos_offer *o, const broker_ports *p,
                      const char *script, const char *task_id)
{
    char dir[1024], heap[32], libs[2048], command[2100];
    kmesos_kafka_data_dir(k, b, dir, sizeof dir);
    /* exec: the shell becomes kafka-broker.sh, which execs the JVM, so the
     * executor's SIGTERM reaches a JVM that is its own child and the task
     * ends when the controlled shutdown has ended, not when a shell dies. */
    snprintf(command, sizeof command, "exec %s", script);
    snprintf(heap, sizeof heap, "%ldm", (long)b->set.heap);
    snprintf(libs, sizeof libs, "%s/libs", k->dist_dir);
    char *ready = ready_command(k);
    /* broker.rack: the offer's agent's rack attribute (--rack-attribute) */
    const char *rack = kmesos_topology_rack_of_agent(&k->sched->topology, o->agent_id);
    /* a dedicated controller: no client listener; ready once its
     * controller port accepts connections */
    int ctl_only = !p->client;
    const char *roles = ctl_only ? "controller" : p->controller ? "broker,controller" : "broker";
    int rc = !ready || push_env(env, "KMESOS_TASK_COMMAND", command) ||
             push_env(env, "KMESOS_TASK_ID", task_id) ||
             push_env_int(env, "KAFKA_NODE_ID", b->node.id) ||
             (p->client && push_env_int(env, "KAFKA_PORT", p->client)) ||
             (p->controller && push_env_int(env, "KAFKA_CONTROLLER_PORT", p->controller)) ||
             push_env(env, "KAFKA_PROCESS_ROLES", roles) ||
             push_env(env, "KAFKA_HOST",
                      *b->set.advertised_host ? b->set.advertised_host : o->hostname) || push_env(env, "KAFKA_LOG_DIRS", dir) ||
             push_env(env, "KAFKA_CLUSTER_ID", k->cluster_id) ||
             quorum_env(env, k, b) != 0 ||
             push_env(env, "KAFKA_HEAP", heap) ||
             push_env(env, "KAFKA_JVM_OPTIONS", b->set.jvm_options) ||
             push_env(env, "KAFKA_OPTIONS", b->set.options) ||
             (rack && push_env(env, "KAFKA_RACK", rack)) ||
             (k->fetch == KMESOS_FETCH_LOCAL && push_env(env, "KAFKA_LIBS", libs)) ||
             push_env_int(env, "KMESOS_READY_PORT", ctl_only ? p->controller : p->client) ||
             (!ctl_only && push_env(env, "KMESOS_READY_COMMAND", ready)) ||
             push_env_int(env, "KMESOS_READY_TIMEOUT", KAFKA_BROKER_READY_TIMEOUT_S) ||
             push_env_int(env, "KMESOS_READY_INTERVAL", KAFKA_BROKER_READY_INTERVAL_S);
    free(ready);
    return rc ? -1 : 0;
}

/* An ExecutorInfo that runs kmesos-executor for task t (the executor and
 * the Kafka tarball as URIs in uri mode), named name, with an empty
 * environment and its share of the workload's resources on offer o;
 * *script_path: how the task calls bin/<script> of the Kafka folder
 * (shell-quoted in local mode; free it). NULL on no memory. */
static Mesos__V1__ExecutorInfo *new_executor(const kmesos_kafka *k, const kmesos_task *t,
                                             const kmesos_offer *o, const char *name,
                                             const char *script, char **script_path)
{
    Mesos__V1__ExecutorInfo *e = kmesos_pb_new(&mesos__v1__executor_info__descriptor);
    Mesos__V1__CommandInfo *cmd = kmesos_pb_new(&mesos__v1__command_info__descriptor);
    Mesos__V1__Environment *env = kmesos_pb_new(&mesos__v1__environment__descriptor);
    *script_path = NULL;
    if (!e || !cmd || !env) {
        kmesos_pb_free(e);
        kmesos_pb_free(cmd);
        kmesos_pb_free(env);
        return NULL;
    }
    e->command = cmd;
    cmd->environment = env;
    cmd->has_shell = 1;
    cmd->shell = 1;
    e->has_type = 1;
    e->type = MESOS__V1__EXECUTOR_INFO__TYPE__CUSTOM;
    e->executor_id = kmesos_pb_id(&mesos__v1__executor_id__descriptor, t->id);
    e->name = strdup(name);
    if (k->sched->framework_id)
        e->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor,
                                       k->sched->framework_id);
    if (!e->executor_id || !e->name || set_command(cmd, k, script, script_path) != 0 ||
        kmesos_launcher_executor_resources(e, t->workload, o) != 0) {
        free(*script_path);
        *script_path = NULL;
        kmesos_pb_free(e);
        return NULL;
    }
    return e;
}

static Mesos__V1__ExecutorInfo *broker_executor(const kmesos_kafka *k, const kmesos_broker *b,
                                                const kmesos_task *t, const kmesos_offer *o,
                                                const broker_ports *p)
{
    char *script = NULL, name[64];
    snprintf(name, sizeof name, "kmesos-executor broker-%d", b->node.id);
    Mesos__V1__ExecutorInfo *e = new_executor(k, t, o, name, "kafka-broker.sh", &script);
    if (!e)
        return NULL;
    int ok = broker_env(e->command->environment, k, b, o, p, script, t->id) == 0 &&
             broker_tls(e->command, &b->set, p) == 0;
    free(script);
    if (!ok) {
        kmesos_pb_free(e);
        return NULL;
    }
    return e;
}

/* One listener port: set (0 none, -1 any offered port, else that one)
 * into *out. 0, or -1 when it is not on the offer. */
static int take_port(int set, const kmesos_offer *o, kmesos_port_cursor *pc, int *out)
{
    *out = set;
    if (set > 0)
        return kmesos_port_claim(pc, o, (uint64_t)set);
    if (set < 0)
        *out = (int)kmesos_port_take(pc, o);
    return *out >= 0 ? 0 : -1;
}

/* Claims the broker's ports on the offer (the controller's first, the
 * numbered ones before the "auto" ones). 0, or -1 when they are not there. */
static int take_ports(const kmesos_kafka *k, const kmesos_broker *b, const kmesos_offer *o,
                      kmesos_port_cursor *pc, broker_ports *p)
{
    const kmesos_voter *v = kmesos_kafka_voter(k, b->node.id);
    const kmesos_broker_settings *s = &b->set;
    p->controller = v ? v->port : 0;
    if (v && kmesos_port_claim(pc, o, (uint64_t)v->port) != 0)
        return -1;
    if (kmesos_broker_is_controller(s)) /* a dedicated controller serves no clients */
        return v ? 0 : -1;
    if ((s->port && take_port(s->port, o, pc, &p->client) != 0) ||
        (s->ssl_port > 0 && take_port(s->ssl_port, o, pc, &p->ssl) != 0) ||
        (s->sasl_port > 0 && take_port(s->sasl_port, o, pc, &p->sasl) != 0))
        return -1;
    if ((!s->port && take_port(-1, o, pc, &p->client) != 0) ||
        (s->ssl_port < 0 && take_port(-1, o, pc, &p->ssl) != 0) ||
        (s->sasl_port < 0 && take_port(-1, o, pc, &p->sasl) != 0))
        return -1;
    return p->client && (!s->ssl_port || p->ssl) && (!s->sasl_port || p->sasl) ? 0 : -1;
}

Mesos__V1__TaskInfo *kmesos_kafka_broker_task_info(const kmesos_kafka *k, kmesos_broker *b,
                                                   const kmesos_task *t, const kmesos_offer *o,
                                                   kmesos_port_cursor *pc)
{
    broker_ports p = {0, 0, 0, 0};
    if (take_ports(k, b, o, pc, &p) != 0)
        return NULL;
    Mesos__V1__TaskInfo *ti = kmesos_launcher_base(t, o);
    uint64_t ports[4];
    size_t np = 0;
    const int used[4] = {p.client, p.controller, p.ssl, p.sasl};
    for (size_t i = 0; i < 4; i++)
        if (used[i])
            ports[np++] = (uint64_t)used[i];
    Mesos__V1__Resource *r = ti ? kmesos_launcher_ports_resource(ports, np, o) : NULL;
    /* push frees r itself when it fails */
    if (!r || kmesos_pb_push((void ***)&ti->resources, &ti->n_resources, r) != 0) {
        kmesos_pb_free(ti);
        return NULL;
    }
    if (!(ti->executor = broker_executor(k, b, t, o, &p)) ||
        (kmesos_broker_reserves(&b->set) && kmesos_kafka_reserve_task(k, b, o, ti) != 0) ||
        kmesos_launcher_finish(ti, o) != 0) {
        kmesos_pb_free(ti);
        return NULL;
    }
    b->client_port = p.client;
    b->controller_port = p.controller;
    b->ssl_port_used = p.ssl;
    b->sasl_port_used = p.sasl;
    return ti;
}

/* ---- clients ------------------------------------------------------------------------------ */

/* A consumer that times out before reading its records exits 0 with a
 * warning on stdout: turn that into exit 3, so that TASK_FINISHED means
 * "read them all" (the output is shown afterwards). */
static const char consumer_check[] =
    " >consumer-perf.out; rc=$?; cat consumer-perf.out; "
    "if [ $rc = 0 ] && grep -q 'Exiting before consuming the expected number' "
    "consumer-perf.out; then echo 'consumer: timed out before reading every record' >&2; "
    "exit 3; fi; exit $rc";

/* The command the executor runs: the user's, or kafka-client.sh with the
 * perf tool's arguments. */
static char *task_command(const kmesos_client *c, const char *script)
{
    if (*c->set.command)
        return strdup(c->set.command);
    kmesos_client_kind kind = c->node.kind;
    char *args = kmesos_client_tool_args(kind, &c->set);
    const char *tail = kind == KMESOS_CLIENT_CONSUMER ? consumer_check : "";
    size_t n = args ? strlen(script) + strlen(args) + strlen(tail) + 16 : 0;
    char *cmd = args ? malloc(n) : NULL;
    if (cmd)
        snprintf(cmd, n, "%s %s %s%s", script, kmesos_kafka_kind_name(kind), args, tail);
    free(args);
    return cmd;
}

static int client_env(Mesos__V1__Environment *env, const kmesos_kafka *k,
                      const kmesos_client *c, const kmesos_task *t, const char *script)
{
    char heap[32], libs[2048];
    snprintf(heap, sizeof heap, "%ldm", kmesos_client_heap_mb(&c->set));
    snprintf(libs, sizeof libs, "%s/libs", k->dist_dir);
    char *cmd = task_command(c, script), *bootstrap = kmesos_kafka_bootstrap(k);
    int rc = !cmd || !bootstrap || push_env(env, "KMESOS_TASK_COMMAND", cmd) ||
             push_env(env, "KMESOS_TASK_ID", t->id) ||
             push_env(env, "KAFKA_BOOTSTRAP_SERVERS", bootstrap) ||
             push_env(env, "KAFKA_TOPIC", c->set.topic) ||
             push_env(env, "KAFKA_CLIENT_KIND", kmesos_kafka_kind_name(c->node.kind)) ||
             push_env(env, "KAFKA_CLIENT_OPTIONS", c->set.options) ||
             push_env(env, "KAFKA_CLIENT", script) ||
             push_env(env, "KAFKA_HEAP", heap) ||
             (*c->set.jvm_options && push_env(env, "KAFKA_JVM_OPTIONS", c->set.jvm_options)) ||
             (k->fetch == KMESOS_FETCH_LOCAL && push_env(env, "KAFKA_LIBS", libs));
    free(cmd);
    free(bootstrap);
    return rc ? -1 : 0;
}

Mesos__V1__TaskInfo *kmesos_kafka_client_task_info(const kmesos_kafka *k, const kmesos_client *c,
                                                   const kmesos_task *t, const kmesos_offer *o)
{
    char name[64], *script = NULL;
    snprintf(name, sizeof name, "kmesos-executor %s", t->workload->name);
    Mesos__V1__TaskInfo *ti = kmesos_launcher_base(t, o);
    Mesos__V1__ExecutorInfo *e =
        ti ? new_executor(k, t, o, name, "kafka-client.sh", &script) : NULL;
    int ok = e && client_env(e->command->environment, k, c, t, script) == 0;
    free(script);
    if (ti)
        ti->executor = e;
    else
        kmesos_pb_free(e);
    if (!ok || kmesos_launcher_finish(ti, o) != 0) {
        kmesos_pb_free(ti);
        return NULL;
    }
    return ti;
}

