/* exec_spec: how to run one task, worked out from its TaskInfo: argv,
 * environment, folder, output files, readiness probe and kill grace. */
#ifndef KMESOS_EXEC_SPEC_H
#define KMESOS_EXEC_SPEC_H
#include <stddef.h>
#include <stdint.h>
#include "mesos/v1/mesos.pb-c.h"

typedef struct kmesos_exec_spec {
    char *file;         /* what to exec: /bin/sh, or CommandInfo.value */
    char **argv;        /* NULL-terminated */
    char **env;         /* NULL-terminated "NAME=value" */
    char *cwd;          /* the sandbox */
    char *stdout_path;  /* <sandbox>/<task_id>.stdout */
    char *stderr_path;  /* <sandbox>/<task_id>.stderr */
    int ready_port;     /* KMESOS_READY_PORT, 0 when unset */
    char *ready_host;   /* KMESOS_READY_HOST, default 127.0.0.1 */
    double ready_timeout_s; /* KMESOS_READY_TIMEOUT, default 120 */
    char *ready_command;    /* KMESOS_READY_COMMAND, NULL when unset */
    double ready_interval_s; /* KMESOS_READY_INTERVAL, default 2 */
    int64_t grace_ns;   /* TaskInfo.kill_policy.grace_period, else the default */
    const char *guard_exe; /* not owned: run the command behind this guard
                            * (exec_guard.h); NULL: behind `setpriv
                            * --pdeathsig KILL` when installed */
} kmesos_exec_spec;

/* The command of task: TaskInfo.command, else a CommandInfo in
 * TaskInfo.data (protobuf, or JSON when it starts with '{'; *owned is then
 * set and must be freed with protobuf_c_message_free_unpacked), else
 * KMESOS_TASK_COMMAND of base_env as a shell command (built in scratch).
 * NULL when there is none. */
const Mesos__V1__CommandInfo *kmesos_exec_spec_command(const Mesos__V1__TaskInfo *task,
                                                       char *const *base_env,
                                                       Mesos__V1__CommandInfo **owned,
                                                       Mesos__V1__CommandInfo *scratch);
/* Builds the spec of task. base_env is the executor's own environment
 * (NULL-terminated); the task's CommandInfo.environment is laid over it.
 * 0, or -1 with a reason in err (no command, bad readiness variables,
 * no memory). On failure spec needs no free. */
int kmesos_exec_spec_build(kmesos_exec_spec *spec, const Mesos__V1__TaskInfo *task,
                           char *const *base_env, const char *sandbox, int64_t default_grace_ns,
                           char *err, size_t errlen);
void kmesos_exec_spec_free(kmesos_exec_spec *spec);
/* Value of NAME in a NULL-terminated environment, or NULL. */
const char *kmesos_exec_spec_getenv(char *const *env, const char *name);
/* The grace period of a KillPolicy, or dflt when it has none. */
int64_t kmesos_exec_spec_grace(const Mesos__V1__KillPolicy *kp, int64_t dflt);

#endif
