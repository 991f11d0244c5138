/* exec_config: what the executor learns from its environment (the agent's
 * MESOS_* variables and our own KMESOS_* ones), read once at start-up. */
#ifndef KMESOS_EXEC_CONFIG_H
#define KMESOS_EXEC_CONFIG_H
#include <stddef.h>
#include <stdint.h>

#define KMESOS_EXEC_DEFAULT_GRACE_NS (5 * INT64_C(1000000000))
#define KMESOS_EXEC_DEFAULT_RECOVERY_NS (15 * 60 * INT64_C(1000000000))
/* The agent's executor_reregistration_timeout default (src/slave/constants.hpp). */
#define KMESOS_EXEC_DEFAULT_BACKOFF_MAX_NS (2 * INT64_C(1000000000))
/* Accepted ranges: MESOS_SUBSCRIPTION_BACKOFF_MAX 1ms..1hrs, MESOS_RECOVERY_TIMEOUT
 * 0..365days (0: give up at the first loss, as Mesos' timer of 0 does). */
#define KMESOS_EXEC_BACKOFF_MAX_MIN_NS INT64_C(1000000)
#define KMESOS_EXEC_BACKOFF_MAX_MAX_NS (3600 * INT64_C(1000000000))
#define KMESOS_EXEC_RECOVERY_MAX_NS (365 * 86400 * INT64_C(1000000000))
#define KMESOS_EXEC_DEFAULT_READY_TIMEOUT_S 120.0

typedef struct kmesos_exec_config {
    char *agent_url;        /* http://<MESOS_AGENT_ENDPOINT>/api/v1/executor */
    char *framework_id;     /* MESOS_FRAMEWORK_ID */
    char *executor_id;      /* MESOS_EXECUTOR_ID */
    char *sandbox;          /* MESOS_SANDBOX, else MESOS_DIRECTORY, else "." */
    int checkpoint;         /* MESOS_CHECKPOINT == "1": re-subscribe after a loss */
    int64_t shutdown_grace_ns; /* MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD, default 5 s */
    int64_t recovery_ns;    /* MESOS_RECOVERY_TIMEOUT (checkpointing), default 15 min */
    int64_t backoff_max_ns; /* MESOS_SUBSCRIPTION_BACKOFF_MAX (checkpointing), default 2 s */
    char *guard_exe;        /* this binary, to run tasks behind (exec_guard.h); NULL: none */
} kmesos_exec_config;

/* Looks a variable up (getenv-like); NULL when unset. */
typedef const char *(*kmesos_exec_getenv_fn)(void *arg, const char *name);

/* Fills c from the variables. 0, or -1 with a one-line reason in err (a
 * required variable missing or a value that does not parse). */
int kmesos_exec_config_load(kmesos_exec_config *c, kmesos_exec_getenv_fn get, void *arg,
                            char *err, size_t errlen);
void kmesos_exec_config_free(kmesos_exec_config *c);
/* The process environment as a kmesos_exec_getenv_fn. */
const char *kmesos_exec_config_getenv(void *arg, const char *name);
/* Text for --help: the variables read, one per line. */
const char *kmesos_exec_config_help(void);

#endif
