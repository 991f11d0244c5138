/* exec_status: the mapping from a task process's end (exit code or
 * signal, whether a kill was requested, a failure noted earlier such as a
 * readiness timeout) to the terminal TaskState and message reported to
 * Mesos, and the terminal-state test. Pure functions. */
#include "exec/exec_status.h"

#include <stdio.h>
#include <string.h>

#include "codec/protocol.h"
#include "codec/wstatus.h"

Mesos__V1__TaskState kmesos_exec_status_exit(int64_t exit_status, int term_signal, int killed,
                                             const char *failure, char *msg, size_t msglen)
{
    char how[96];
    kmesos_wstatus_text(exit_status, term_signal, how, sizeof how);
    if (failure) {
        snprintf(msg, msglen, "%s", failure);
        return MESOS__V1__TASK_STATE__TASK_FAILED;
    }
    if (killed) {
        snprintf(msg, msglen, "killed on request (%s)", how);
        return MESOS__V1__TASK_STATE__TASK_KILLED;
    }
    snprintf(msg, msglen, "%s", how);
    if (term_signal <= 0 && exit_status == 0)
        return MESOS__V1__TASK_STATE__TASK_FINISHED;
    return MESOS__V1__TASK_STATE__TASK_FAILED;
}

int kmesos_exec_status_terminal(Mesos__V1__TaskState s)
{
    return kmesos_task_state_is_terminal(s);
}

const char *kmesos_exec_status_state_name(Mesos__V1__TaskState s)
{
    return kmesos_task_state_name((int)s);
}
