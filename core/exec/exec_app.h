/* exec_app: the running executor: one libuv loop wiring the core to the
 * agent session, task processes, a clock tick and signal handlers. */
#ifndef KMESOS_EXEC_APP_H
#define KMESOS_EXEC_APP_H

#include "exec/exec_config.h"

/* Runs until the executor is done; returns the process exit code.
 * base_env (NULL-terminated) is the environment handed to tasks. */
int kmesos_exec_app_run(const kmesos_exec_config *cfg, char *const *base_env);

#endif
