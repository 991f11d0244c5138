/* exec_spec: turns a TaskInfo into a launch specification. The command
 * comes from TaskInfo.command when present; a real Mesos master refuses
 * a TaskInfo with both an executor and a command, so it may also come as
 * a CommandInfo in TaskInfo.data (protobuf, or JSON when the data starts
 * with '{'), or as the shell text KMESOS_TASK_COMMAND in the executor's
 * environment (ExecutorInfo.command.environment). A shell
 * command (CommandInfo.shell, the default) runs as /bin/sh -c <value>;
 * otherwise value is the file and arguments the argv. The environment is
 * the executor's (which already holds ExecutorInfo's variables) with the
 * task's own variables replacing or adding entries. Readiness settings
 * come from that merged environment. Pure: no I/O, only allocation. */
#include "exec/exec_spec.h"

#include "codec/num.h"
#include "codec/protocol.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXEC_SPEC_DEFAULT_READY_HOST "127.0.0.1"
#define EXEC_SPEC_DEFAULT_READY_TIMEOUT_S 120.0
#define EXEC_SPEC_DEFAULT_READY_INTERVAL_S 2.0

static void exec_spec_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

static char *exec_spec_printf(const char *fmt, const char *a, const char *b)
{
    int n = snprintf(NULL, 0, fmt, a, b);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        snprintf(s, (size_t)n + 1, fmt, a, b);
    return s;
}

const char *kmesos_exec_spec_getenv(char *const *env, const char *name)
{
    size_t n = strlen(name);
    for (char *const *p = env; p && *p; p++)
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    return NULL;
}

int64_t kmesos_exec_spec_grace(const Mesos__V1__KillPolicy *kp, int64_t dflt)
{
    if (kp && kp->grace_period && kp->grace_period->nanoseconds >= 0)
        return kp->grace_period->nanoseconds;
    return dflt;
}

/* ---- argv ---------------------------------------------------------------- */

static char **exec_spec_argv_shell(const char *value)
{
    char **argv = calloc(4, sizeof *argv);
    if (!argv)
        return NULL;
    argv[0] = strdup("/bin/sh");
    argv[1] = strdup("-c");
    argv[2] = strdup(value);
    if (!argv[0] || !argv[1] || !argv[2]) {
        exec_spec_strv_free(argv);
        return NULL;
    }
    return argv;
}

/* shell=false: value is the file to run, arguments the whole argv
 * (argv[0] included, as Mesos passes them); no arguments -> { value }. */
static char **exec_spec_argv_plain(const Mesos__V1__CommandInfo *cmd)
{
    size_t n = cmd->n_arguments ? cmd->n_arguments : 1;
    char **argv = calloc(n + 1, sizeof *argv);
    if (!argv)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        argv[i] = strdup(cmd->n_arguments ? cmd->arguments[i] : cmd->value);
        if (!argv[i]) {
            exec_spec_strv_free(argv);
            return NULL;
        }
    }
    return argv;
}

static int exec_spec_argv(kmesos_exec_spec *s, const Mesos__V1__CommandInfo *cmd, char *err,
                          size_t errlen)
{
    if (!cmd || !cmd->value || !*cmd->value) {
        snprintf(err, errlen, "the task has no command (TaskInfo.command, a CommandInfo in "
                              "TaskInfo.data, or KMESOS_TASK_COMMAND)");
        return -1;
    }
    int shell = !cmd->has_shell || cmd->shell;
    s->argv = shell ? exec_spec_argv_shell(cmd->value) : exec_spec_argv_plain(cmd);
    s->file = strdup(shell ? "/bin/sh" : cmd->value);
    if (!s->argv || !s->file) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- environment --------------------------------------------------------- */

static size_t exec_spec_env_find(char **env, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
            return i;
    return n;
}

static int exec_spec_env_set(char **env, size_t *n, const char *name, const char *value)
{
    char *entry = exec_spec_printf("%s=%s", name, value ? value : "");
    if (!entry)
        return -1;
    size_t i = exec_spec_env_find(env, *n, name);
    if (i < *n)
        free(env[i]);
    else
        (*n)++;
    env[i] = entry;
    return 0;
}

static int exec_spec_env(kmesos_exec_spec *s, const Mesos__V1__CommandInfo *cmd,
                         char *const *base_env)
{
    if (!cmd)
        return -1;
    size_t nbase = 0;
    while (base_env && base_env[nbase])
        nbase++;
    size_t nvars = cmd->environment ? cmd->environment->n_variables : 0;
    s->env = calloc(nbase + nvars + 1, sizeof *s->env);
    if (!s->env)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < nbase; i++) {
        const char *eq = strchr(base_env[i], '=');
        if (!eq)
            continue;
        char *name = strndup(base_env[i], (size_t)(eq - base_env[i]));
        int rc = name ? exec_spec_env_set(s->env, &n, name, eq + 1) : -1;
        free(name);
        if (rc != 0)
            return -1;
    }
    for (size_t i = 0; i < nvars; i++) {
        const Mesos__V1__Environment__Variable *v = cmd->environment->variables[i];
        if (v->has_type && v->type == MESOS__V1__ENVIRONMENT__VARIABLE__TYPE__SECRET)
            continue; /* secrets are resolved by the agent, never by us */
        if (exec_spec_env_set(s->env, &n, v->name, v->value) != 0)
            return -1;
    }
    return 0;
}

/* ---- readiness ----------------------------------------------------------- */

/* A positive number of seconds from variable name, or dflt when unset. */
static int exec_spec_seconds(const kmesos_exec_spec *s, const char *name, double dflt,
                             double *out, char *err, size_t errlen)
{
    const char *v = kmesos_exec_spec_getenv(s->env, name);
    double t;
    *out = dflt;
    if (!v || !*v)
        return 0;
    if (kmesos_num_real(v, 0, KMESOS_NUM_DURATION_MAX_S, &t) != KMESOS_NUM_OK || !(t > 0)) {
        snprintf(err, errlen, "%s '%s' is not a number of seconds (0..%g]", name, v,
                 KMESOS_NUM_DURATION_MAX_S);
        return -1;
    }
    *out = t;
    return 0;
}

static int exec_spec_ready(kmesos_exec_spec *s, char *err, size_t errlen)
{
    const char *port = kmesos_exec_spec_getenv(s->env, "KMESOS_READY_PORT");
    const char *host = kmesos_exec_spec_getenv(s->env, "KMESOS_READY_HOST");
    const char *command = kmesos_exec_spec_getenv(s->env, "KMESOS_READY_COMMAND");
    long long p;
    if (port && *port) {
        if (kmesos_num_int(port, 1, 65535, &p) != KMESOS_NUM_OK) {
            snprintf(err, errlen, "KMESOS_READY_PORT '%s' is not a TCP port", port);
            return -1;
        }
        s->ready_port = (int)p;
    }
    if (exec_spec_seconds(s, "KMESOS_READY_TIMEOUT", EXEC_SPEC_DEFAULT_READY_TIMEOUT_S,
                          &s->ready_timeout_s, err, errlen) != 0 ||
        exec_spec_seconds(s, "KMESOS_READY_INTERVAL", EXEC_SPEC_DEFAULT_READY_INTERVAL_S,
                          &s->ready_interval_s, err, errlen) != 0)
        return -1;
    s->ready_host = strdup(host && *host ? host : EXEC_SPEC_DEFAULT_READY_HOST);
    if (command && *command)
        s->ready_command = strdup(command);
    if (!s->ready_host || (command && *command && !s->ready_command)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- where the command comes from ---------------------------------------- */

/* A CommandInfo carried in TaskInfo.data, or NULL. */
static Mesos__V1__CommandInfo *exec_spec_data_command(const Mesos__V1__TaskInfo *task)
{
    if (!task->has_data || task->data.len == 0)
        return NULL;
    size_t i = 0;
    while (i < task->data.len && (task->data.data[i] == ' ' || task->data.data[i] == '\n'))
        i++;
    kmesos_content_type ct =
        i < task->data.len && task->data.data[i] == '{' ? KMESOS_CT_JSON : KMESOS_CT_PROTOBUF;
    char err[128];
    Mesos__V1__CommandInfo *cmd = (Mesos__V1__CommandInfo *)kmesos_protocol_decode(
        &mesos__v1__command_info__descriptor, ct, task->data.data, task->data.len, err,
        sizeof err);
    if (cmd && (!cmd->value || !*cmd->value)) {
        protobuf_c_message_free_unpacked(&cmd->base, NULL);
        cmd = NULL;
    }
    return cmd;
}

const Mesos__V1__CommandInfo *kmesos_exec_spec_command(const Mesos__V1__TaskInfo *task,
                                                       char *const *base_env,
                                                       Mesos__V1__CommandInfo **owned,
                                                       Mesos__V1__CommandInfo *scratch)
{
    *owned = NULL;
    if (task->command && task->command->value && *task->command->value)
        return task->command;
    if ((*owned = exec_spec_data_command(task)) != NULL)
        return *owned;
    const char *text = kmesos_exec_spec_getenv(base_env, "KMESOS_TASK_COMMAND");
    if (!text || !*text)
        return NULL;
    mesos__v1__command_info__init(scratch);
    scratch->value = (char *)text;
    return scratch;
}

/* ---- the whole spec ------------------------------------------------------ */

/* A task id as a file name: '/' and leading dots would escape the sandbox. */
static char *exec_spec_file_name(const char *task_id)
{
    char *name = strdup(task_id);
    for (char *p = name; p && *p; p++)
        if (*p == '/' || (p == name && *p == '.'))
            *p = '_';
    return name;
}

static int exec_spec_paths(kmesos_exec_spec *s, const char *task_id, const char *sandbox)
{
    char *name = exec_spec_file_name(task_id);
    if (!name)
        return -1;
    s->cwd = strdup(sandbox);
    s->stdout_path = exec_spec_printf("%s/%s.stdout", sandbox, name);
    s->stderr_path = exec_spec_printf("%s/%s.stderr", sandbox, name);
    free(name);
    return s->cwd && s->stdout_path && s->stderr_path ? 0 : -1;
}

int kmesos_exec_spec_build(kmesos_exec_spec *spec, const Mesos__V1__TaskInfo *task,
                           char *const *base_env, const char *sandbox, int64_t default_grace_ns,
                           char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    spec->grace_ns = kmesos_exec_spec_grace(task->kill_policy, default_grace_ns);
    Mesos__V1__CommandInfo *owned = NULL, scratch;
    const Mesos__V1__CommandInfo *cmd = kmesos_exec_spec_command(task, base_env, &owned, &scratch);
    if (exec_spec_argv(spec, cmd, err, errlen) != 0)
        goto fail;
    if (exec_spec_env(spec, cmd, base_env) != 0 ||
        exec_spec_paths(spec, task->task_id->value, sandbox) != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (exec_spec_ready(spec, err, errlen) != 0)
        goto fail;
    if (owned)
        protobuf_c_message_free_unpacked(&owned->base, NULL);
    return 0;
fail:
    if (owned)
        protobuf_c_message_free_unpacked(&owned->base, NULL);
    kmesos_exec_spec_free(spec);
    return -1;
}

void kmesos_exec_spec_free(kmesos_exec_spec *spec)
{
    free(spec->file);
    exec_spec_strv_free(spec->argv);
    exec_spec_strv_free(spec->env);
    free(spec->cwd);
    free(spec->stdout_path);
    free(spec->stderr_path);
    free(spec->ready_host);
    free(spec->ready_command);
    memset(spec, 0, sizeof *spec);
}
