/* workload: what the operator asked to keep running. A command workload
 * is a name, a shell command, resources per instance, an instance count
 * and a restart rule. Specs come from a flag or a file, one per line:
 *   name=web cmd="python3 -m http.server $PORT0" cpus=0.1 mem=64 instances=2 ports=1
 * Keys: name (required, [A-Za-z0-9_-]+), cmd (required), cpus (default
 * 0.1), mem (MB, default 32), disk (MB, default 0), ports (default 0),
 * instances (default 1), restart=on-failure|always|never (default
 * on-failure), prefer_hosts=h1,h2 (optional). Values with spaces are
 * quoted with "..." or '...'. */
#ifndef KMESOS_WORKLOAD_H
#define KMESOS_WORKLOAD_H
#include <stddef.h>

typedef enum kmesos_restart {
    KMESOS_RESTART_ON_FAILURE = 0,
    KMESOS_RESTART_ALWAYS = 1,
    KMESOS_RESTART_NEVER = 2,
} kmesos_restart;

typedef struct kmesos_workload {
    char *name;
    char *kind;    /* "command" here; Kafka kinds come later */
    char *command;
    double cpus, mem, disk;
    int ports;
    int instances;
    kmesos_restart restart;
    char **prefer_hosts;
    size_t n_prefer_hosts;
} kmesos_workload;

/* Parses one spec line. 0, or -1 with a message naming the bad key. */
int kmesos_workload_parse(const char *spec, kmesos_workload *out, char *err, size_t errlen);
/* Parses a file of spec lines ('#' comments and blank lines skipped).
 * Appends to list and n. 0, or -1 with "FILE:LINE: message" in err. */
int kmesos_workload_parse_file(const char *path, kmesos_workload **list, size_t *n,
                               char *err, size_t errlen);
void kmesos_workload_free(kmesos_workload *w);
const char *kmesos_restart_name(kmesos_restart r);

#endif
