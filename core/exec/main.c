/* main: the kmesos-executor program. Parses its few options (--help,
 * --log-level), reads the agent's environment (exec_config) and runs the
 * executor (exec_app) until it is done. Bad usage or a missing agent
 * environment exits 2; otherwise the exit code is the executor's: 0 after
 * SHUTDOWN or once every task ended and was acknowledged, 1 when the agent
 * could not be reached in time. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "codec/log.h"
#include "exec/exec_app.h"
#include "exec/exec_config.h"
#include "exec/exec_guard.h"

static void exec_main_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "Usage: %s [--log-level LEVEL]\n"
            "kafka-mesos executor: a Mesos v1 HTTP executor (protobuf). Started by a Mesos\n"
            "agent (ExecutorInfo.command), it subscribes to the agent, runs each task's\n"
            "command (TaskInfo.command: shell or argv, with its environment) in the\n"
            "sandbox in its own process group, reports TASK_STARTING, TASK_RUNNING and the\n"
            "end, kills tasks on KILL/SHUTDOWN (SIGTERM, then SIGKILL after the grace\n"
            "period; after a SHUTDOWN it exits once the tasks ended, without waiting for\n"
            "acknowledgements) and, for a checkpointing framework, re-subscribes when the\n"
            "agent restarts, as Mesos' executor library does.\n\n"
            "Options:\n"
            "  --log-level LEVEL      debug, info, warn or error (default info; also\n"
            "                         KMESOS_LOG_LEVEL)\n"
            "  --help                 this text\n\n"
            "%s\n"
            "Exit status: 0 when done, 1 when the agent was lost for good (or at all,\n"
            "without checkpointing), 2 on bad usage or a bad agent environment.\n",
            prog, kmesos_exec_config_help());
}

static int exec_main_set_level(const char *name, const char *prog)
{
    int level = kmesos_log_level_parse(name);
    if (level < 0) {
        fprintf(stderr, "%s: unknown log level '%s'\n", prog, name);
        return -1;
    }
    kmesos_log_set_level((kmesos_log_level)level);
    return 0;
}

/* 0 to run, 1 to exit 0 (--help), -1 to exit 2. */
static int exec_main_args(int argc, char **argv)
{
    const char *env_level = getenv("KMESOS_LOG_LEVEL");
    if (env_level && *env_level && exec_main_set_level(env_level, argv[0]) != 0)
        return -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            exec_main_usage(stdout, argv[0]);
            return 1;
        }
        if (strcmp(arg, "--log-level") == 0 && i + 1 < argc) {
            if (exec_main_set_level(argv[++i], argv[0]) != 0)
                return -1;
        } else if (strncmp(arg, "--log-level=", 12) == 0) {
            if (exec_main_set_level(arg + 12, argv[0]) != 0)
                return -1;
        } else {
            fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], arg);
            exec_main_usage(stderr, argv[0]);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], KMESOS_EXEC_GUARD_FLAG) == 0)
        return kmesos_exec_guard_main(argc, argv); /* a task's guard, see exec_guard.h */
    int rc = exec_main_args(argc, argv);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    kmesos_exec_config cfg;
    char err[512];
    if (kmesos_exec_config_load(&cfg, kmesos_exec_config_getenv, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s (see --help)\n", argv[0], err);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char self[4096];
    size_t self_len = sizeof self;
    if (uv_exepath(self, &self_len) == 0 && !(cfg.guard_exe = strdup(self))) {
        kmesos_exec_config_free(&cfg);
        return 2;
    }
    int code = kmesos_exec_app_run(&cfg, environ);
    kmesos_exec_config_free(&cfg);
    return code;
}
