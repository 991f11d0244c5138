/* workload: what the operator asked to keep running. A command workload
 * is a name, a shell command, resources per instance, an instance count
 * and a restart rule. Specs come from a flag or a file, one per line:
 *   name=web cmd="python3 -m http.server $PORT0" cpus=0.1 mem=64 instances=2 ports=1
 * Keys: name (required, [A-Za-z0-9_-]+), cmd (required), cpus (default
 * 0.1), mem (MB, default 32), disk (MB, default 0), ports (default 0),
 * instances (default 1), restart=on-failure|always|never (default
 * on-failure), prefer_hosts=h1,h2 (optional). Values with spaces are
 * quoted with "..." or '...'.
 * Placement keys (what the Lua policies see as task.kind, task.prefer,
 * task.constraints and task.labels, DESIGN.md section 5), all optional:
 *   kind=broker|producer|consumer|command|... (default "command"),
 *   prefer_agents=a1,a2  prefer_hosts=h1,h2  prefer_racks=r1,r2,
 *   prefer_hosts_by_instance="h1,h2;h3;;h4" (per instance: instance k
 *     prefers the hosts of the k-th ';' group instead of prefer_hosts;
 *     an empty or missing group falls back to prefer_hosts),
 *   constraints="hostname=unique;rack=groupBy:3;zone=like:eu-.*"
 *     (ATTRIBUTE=CONSTRAINT pairs separated by ';', split at the first '='),
 *   labels="group=g1;group_size=3" (KEY=VALUE pairs separated by ';'). */
#ifndef KMESOS_WORKLOAD_H
#define KMESOS_WORKLOAD_H
#include <stddef.h>
#include <stdint.h>

typedef enum kmesos_restart {
    KMESOS_RESTART_ON_FAILURE = 0,
    KMESOS_RESTART_ALWAYS = 1,
    KMESOS_RESTART_NEVER = 2,
} kmesos_restart;

/* One KEY=VALUE pair of constraints or labels. */
typedef struct kmesos_kv {
    char *key;
    char *value;
} kmesos_kv;

typedef struct kmesos_workload {
    char *name;
    char *kind;    /* "command" here; Kafka kinds come later */
    char *command;
    double cpus, mem, disk;
    int ports;
    int instances;
    kmesos_restart restart;
    /* the share of a module's own executor (ExecutorInfo.resources), on
     * top of cpus and mem: counted when an offer is matched, so that the
     * task and its executor fit (0 for command tasks) */
    double exec_cpus, exec_mem;
    char **prefer_hosts;
    size_t n_prefer_hosts;
    char **prefer_agents;
    size_t n_prefer_agents;
    char **prefer_racks;
    size_t n_prefer_racks;
    /* per-instance preferred hosts: instance k < n_instances_with_hosts
     * prefers instance_hosts[k] (n_instance_hosts[k] of them; 0: use
     * prefer_hosts), e.g. the hosts that hold that task's input */
    char ***instance_hosts;
    size_t *n_instance_hosts;
    size_t n_instances_with_hosts;
    kmesos_kv *constraints; /* attribute (or "hostname") -> constraint */
    size_t n_constraints;
    kmesos_kv *labels;
    size_t n_labels;
    /* relaunch backoff of this workload (0: the registry's default) and
     * consecutive failures after which it is given up (0: never) */
    uint64_t backoff_base_ms, backoff_max_ms;
    int max_failures;
    /* the object a module built this workload for (a Kafka broker for
     * kind "broker"); not owned, NULL for command workloads */
    void *ext;
    /* set by the scheduler when it takes the object (add or replace):
     * unique per object over the scheduler's life, so a cache keyed by
     * the address can tell a new object at a reused address */
    uint64_t generation;
} kmesos_workload;

/* Parses one spec line. 0, or -1 with a message naming the bad key. */
int kmesos_workload_parse(const char *spec, kmesos_workload *out, char *err, size_t errlen);
/* Parses a file of spec lines ('#' comments and blank lines skipped).
 * Appends to list and n. 0, or -1 with "FILE:LINE: message" in err. */
int kmesos_workload_parse_file(const char *path, kmesos_workload **list, size_t *n,
                               char *err, size_t errlen);
void kmesos_workload_free(kmesos_workload *w);
/* Frees a heap-allocated workload and its fields (NULL is fine). */
void kmesos_workload_destroy(kmesos_workload *w);
/* Parses constraints "ATTR=OP;ATTR2=OP2" (OP: like:RE, unlike:RE, unique,
 * cluster, cluster:V, groupBy, groupBy:N) into a fresh list. 0, or -1
 * with the bad piece named in err (out untouched). */
int kmesos_workload_parse_constraints(const char *text, kmesos_kv **out, size_t *n, char *err,
                                      size_t errlen);
/* Appends host to the preferred hosts of one instance (the per-instance
 * lists grow as needed). 0 or -1. */
int kmesos_workload_add_instance_host(kmesos_workload *w, size_t instance, const char *host);
/* The preferred hosts of an instance: its own list when it has one, else
 * the workload's prefer_hosts; *n gets the count. */
char *const *kmesos_workload_hosts_of(const kmesos_workload *w, int instance, size_t *n);
/* Appends "value" to a string list. 0 or -1. */
int kmesos_workload_list_add(char ***list, size_t *n, const char *value);
const char *kmesos_restart_name(kmesos_restart r);

#endif
