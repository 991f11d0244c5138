/* exec_status: what a task's end means in Mesos terms (state + message). */
#ifndef KMESOS_EXEC_STATUS_H
#define KMESOS_EXEC_STATUS_H
#include <stddef.h>
#include <stdint.h>
#include "mesos/v1/mesos.pb-c.h"

/* Maps a process end to a terminal state and message:
 * - failure != NULL (e.g. "not ready in time"): TASK_FAILED, failure;
 * - killed on request: TASK_KILLED, "killed on request (<how it ended>)";
 * - a signal: TASK_FAILED, "killed by signal S (NAME)";
 * - exit 0: TASK_FINISHED, "exited with status 0";
 * - else TASK_FAILED, "exited with status N". */
Mesos__V1__TaskState kmesos_exec_status_exit(int64_t exit_status, int term_signal, int killed,
                                             const char *failure, char *msg, size_t msglen);
int kmesos_exec_status_terminal(Mesos__V1__TaskState s);
const char *kmesos_exec_status_state_name(Mesos__V1__TaskState s);

#endif
