/* exec_config: reads the executor's settings from environment variables.
 * The agent gives MESOS_AGENT_ENDPOINT (host:port, or a URL), the
 * framework and executor ids, the sandbox and the shutdown grace period
 * (Mesos duration text). For a checkpointing framework (MESOS_CHECKPOINT=1)
 * it also gives MESOS_SUBSCRIPTION_BACKOFF_MAX (its
 * executor_reregistration_timeout, "2secs" by default) and
 * MESOS_RECOVERY_TIMEOUT ("15mins"); Mesos' executor library reads those
 * two only then, and so do we, falling back to the agent's defaults when
 * one is missing. Every duration is range-checked: a value out of range
 * is an error, never clamped. Lookups go through a getenv-like function
 * so tests can pass their own table. */
#include "exec/exec_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec_duration.h"

static const char exec_config_help_text[] =
    "Environment (set by the Mesos agent):\n"
    "  MESOS_AGENT_ENDPOINT   agent host:port (required); calls go to\n"
    "                         http://<endpoint>/api/v1/executor\n"
    "  MESOS_FRAMEWORK_ID     framework id (required)\n"
    "  MESOS_EXECUTOR_ID      executor id (required)\n"
    "  MESOS_SANDBOX          sandbox folder: tasks run there, their output goes\n"
    "                         to <task_id>.stdout / <task_id>.stderr (falls back to\n"
    "                         MESOS_DIRECTORY, then the current folder)\n"
    "  MESOS_DIRECTORY        the sandbox on the agent's side\n"
    "  MESOS_CHECKPOINT       1 when the framework checkpoints: a lost agent is\n"
    "                         waited for (below); otherwise losing it kills the\n"
    "                         tasks and ends the executor, as in Mesos\n"
    "  MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD\n"
    "                         e.g. 5secs: default SIGTERM -> SIGKILL delay of a\n"
    "                         task without KillPolicy (default 5secs)\n"
    "  MESOS_SUBSCRIPTION_BACKOFF_MAX\n"
    "                         with checkpointing: re-SUBSCRIBE to a lost agent at\n"
    "                         once, then after a random wait in [0, this] each time\n"
    "                         (the agent's executor_reregistration_timeout; default\n"
    "                         2secs, 1ms..1hrs)\n"
    "  MESOS_RECOVERY_TIMEOUT with checkpointing: not subscribed again this long\n"
    "                         after the loss: kill the tasks and exit 1 (default\n"
    "                         15mins, 0..365days)\n"
    "The task's command: TaskInfo.command; else a CommandInfo in TaskInfo.data\n"
    "(protobuf, or JSON starting with '{'), since Mesos refuses a TaskInfo with both\n"
    "an executor and a command; else this variable of the executor's environment\n"
    "(ExecutorInfo.command.environment):\n"
    "  KMESOS_TASK_COMMAND    shell command of the task\n"
    "Environment of a task (its CommandInfo.environment over the executor's own):\n"
    "  KMESOS_READY_PORT      TASK_RUNNING only once a TCP connect to this port\n"
    "                         succeeds (polled every 500 ms)\n"
    "  KMESOS_READY_HOST      host of that port (default 127.0.0.1)\n"
    "  KMESOS_READY_COMMAND   TASK_RUNNING only once this shell command (/bin/sh -c,\n"
    "                         run in the sandbox with the task's environment)\n"
    "                         exits 0; run again KMESOS_READY_INTERVAL seconds\n"
    "                         after each failed run, and only after the port check\n"
    "                         passed when KMESOS_READY_PORT is set too. Its last\n"
    "                         output line (stdout or stderr) is the TASK_RUNNING\n"
    "                         message (\"ready: <line>\") or the failure's\n"
    "  KMESOS_READY_INTERVAL  seconds between readiness command runs (default 2)\n"
    "  KMESOS_READY_TIMEOUT   seconds for the whole readiness, port and command\n"
    "                         (default 120), then TASK_FAILED \"not ready in time:\n"
    "                         <what the last check said>\" and the task is killed\n";

const char *kmesos_exec_config_help(void)
{
    return exec_config_help_text;
}

const char *kmesos_exec_config_getenv(void *arg, const char *name)
{
    (void)arg;
    return getenv(name);
}

static int exec_config_required(kmesos_exec_getenv_fn get, void *arg, const char *name,
                                char **out, char *err, size_t errlen)
{
    const char *v = get(arg, name);
    if (!v || !*v) {
        snprintf(err, errlen, "%s is not set (kmesos-executor runs under a Mesos agent)", name);
        return -1;
    }
    *out = strdup(v);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* A duration variable within [lo, hi]; dflt when unset. */
static int exec_config_duration(kmesos_exec_getenv_fn get, void *arg, const char *name,
                                int64_t dflt, int64_t lo, int64_t hi, int64_t *out, char *err,
                                size_t errlen)
{
    const char *v = get(arg, name);
    *out = dflt;
    if (!v || !*v)
        return 0;
    if (kmesos_exec_duration_parse(v, out) != 0) {
        snprintf(err, errlen, "%s: '%s' is not a duration (e.g. 5secs)", name, v);
        return -1;
    }
    if (*out < lo || *out > hi) {
        snprintf(err, errlen, "%s: '%s' is out of range (%.3f s .. %.0f s)", name, v,
                 (double)lo / 1e9, (double)hi / 1e9);
        return -1;
    }
    return 0;
}

/* The shutdown grace, and the two reconnection settings (read only with
 * checkpointing, as src/executor/executor.cpp does). */
static int exec_config_durations(kmesos_exec_config *c, kmesos_exec_getenv_fn get, void *arg,
                                 char *err, size_t errlen)
{
    c->recovery_ns = KMESOS_EXEC_DEFAULT_RECOVERY_NS;
    c->backoff_max_ns = KMESOS_EXEC_DEFAULT_BACKOFF_MAX_NS;
    if (exec_config_duration(get, arg, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                             KMESOS_EXEC_DEFAULT_GRACE_NS, 0, INT64_MAX, &c->shutdown_grace_ns,
                             err, errlen) != 0)
        return -1;
    if (!c->checkpoint)
        return 0;
    if (exec_config_duration(get, arg, "MESOS_RECOVERY_TIMEOUT", KMESOS_EXEC_DEFAULT_RECOVERY_NS,
                             0, KMESOS_EXEC_RECOVERY_MAX_NS, &c->recovery_ns, err, errlen) != 0)
        return -1;
    return exec_config_duration(get, arg, "MESOS_SUBSCRIPTION_BACKOFF_MAX",
                                KMESOS_EXEC_DEFAULT_BACKOFF_MAX_NS, KMESOS_EXEC_BACKOFF_MAX_MIN_NS,
                                KMESOS_EXEC_BACKOFF_MAX_MAX_NS, &c->backoff_max_ns, err, errlen);
}

static int exec_config_url(kmesos_exec_config *c, const char *endpoint, char *err, size_t errlen)
{
    const char *scheme = strstr(endpoint, "://") ? "" : "http://";
    size_t n = strlen(endpoint);
    while (n > 0 && endpoint[n - 1] == '/')
        n--;
    int len = snprintf(NULL, 0, "%s%.*s/api/v1/executor", scheme, (int)n, endpoint);
    c->agent_url = malloc((size_t)len + 1);
    if (!c->agent_url) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(c->agent_url, (size_t)len + 1, "%s%.*s/api/v1/executor", scheme, (int)n, endpoint);
    return 0;
}

static int exec_config_sandbox(kmesos_exec_config *c, kmesos_exec_getenv_fn get, void *arg)
{
    const char *v = get(arg, "MESOS_SANDBOX");
    if (!v || !*v)
        v = get(arg, "MESOS_DIRECTORY");
    c->sandbox = strdup(v && *v ? v : ".");
    return c->sandbox ? 0 : -1;
}

int kmesos_exec_config_load(kmesos_exec_config *c, kmesos_exec_getenv_fn get, void *arg,
                            char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    char *endpoint = NULL;
    int rc = -1;
    if (exec_config_required(get, arg, "MESOS_AGENT_ENDPOINT", &endpoint, err, errlen) != 0 ||
        exec_config_url(c, endpoint, err, errlen) != 0 ||
        exec_config_required(get, arg, "MESOS_FRAMEWORK_ID", &c->framework_id, err, errlen) != 0 ||
        exec_config_required(get, arg, "MESOS_EXECUTOR_ID", &c->executor_id, err, errlen) != 0)
        goto out;
    if (exec_config_sandbox(c, get, arg) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const char *cp = get(arg, "MESOS_CHECKPOINT");
    c->checkpoint = cp && strcmp(cp, "1") == 0;
    if (exec_config_durations(c, get, arg, err, errlen) != 0)
        goto out;
    rc = 0;
out:
    free(endpoint);
    if (rc != 0)
        kmesos_exec_config_free(c);
    return rc;
}

void kmesos_exec_config_free(kmesos_exec_config *c)
{
    free(c->agent_url);
    free(c->framework_id);
    free(c->executor_id);
    free(c->sandbox);
    free(c->guard_exe);
    memset(c, 0, sizeof *c);
}
