/* aenv: the environment a simulated agent gives the executors and command
 * tasks it starts, and Mesos duration text as the agent writes it. */
#ifndef KLOCAL_AENV_H
#define KLOCAL_AENV_H
#include <stdint.h>

#include "local/agent/internal.h"
#include "local/proc.h"

/* Seconds (validated by the caller, may still be anything) to
 * nanoseconds: NaN and negatives give 0, huge values INT64_MAX. */
int64_t klocal_aenv_ns(double secs);
/* A scheduler's grace period (shutdown_grace_period, a kill policy's) in
 * seconds, or fallback when there is none: a negative one is 0 and one
 * past KMESOS_NUM_DURATION_MAX_S is cut there. */
double klocal_aenv_grace_s(const Mesos__V1__DurationInfo *d, double fallback);
/* A duration as stout's Duration prints it ("2secs", "15mins", "1500ms",
 * "-5secs"): the largest unit in which it is a whole number of the next
 * smaller one. Heap string. */
char *klocal_aenv_duration(int64_t ns);
/* What every process of executor e gets: MESOS_* ids, paths and
 * endpoints, MESOS_CHECKPOINT, and for a checkpointing framework
 * MESOS_RECOVERY_TIMEOUT and MESOS_SUBSCRIPTION_BACKOFF_MAX. */
void klocal_aenv_common(const klocal_aexec *e, klocal_proc_env *env);
/* A custom executor's environment: the common part, its shutdown grace
 * period, MESOS_HTTP_COMMAND_EXECUTOR=0 and ExecutorInfo.command's own. */
void klocal_aenv_executor(const klocal_aexec *e, klocal_proc_env *env);
/* The variables of a CommandInfo, over what env holds. */
void klocal_aenv_command(klocal_proc_env *env, const Mesos__V1__CommandInfo *cmd);

#endif
