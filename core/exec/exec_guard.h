/* exec_guard: keeps a task from outliving its executor. A Mesos agent
 * destroys a dead executor's container with everything in it; a task of
 * kmesos-executor leads its own session, so the executor starts it behind
 * a guard: its own binary re-run as `kmesos-guard --kmesos-guard PPID --
 * FILE ARGS...` (argv[0] kmesos-guard, so that looking for the executor
 * by name does not find its guards). The guard, session and group leader,
 * asks the kernel for SIGUSR2 when its parent, the executor, dies, forks
 * the task's command in its process group and, on that signal, SIGKILLs
 * the whole group: a shell and everything it started, not only the first
 * process (what `setpriv --pdeathsig KILL` gave: a JVM started by `sh -c`
 * as a child of the shell outlived the executor). It passes nothing else
 * on (signals for the task are sent to the group) and ends as its command
 * did: the same exit status, or the same signal. */
#ifndef KMESOS_EXEC_GUARD_H
#define KMESOS_EXEC_GUARD_H

#define KMESOS_EXEC_GUARD_FLAG "--kmesos-guard"

/* argv: PROG --kmesos-guard PPID -- FILE ARGS...; returns only on bad
 * usage (2) or when FILE cannot be started (127); otherwise it exits or
 * dies like the command. */
int kmesos_exec_guard_main(int argc, char **argv);

#endif
