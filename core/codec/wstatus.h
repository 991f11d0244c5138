/* wstatus: the one decoder of how a process ended, for every program.
 * A process ends with an exit code or a signal; Mesos passes the raw
 * waitpid() status (FAILURE.status of the scheduler API), our own
 * process watchers pass the code and signal apart. Two wordings: ours
 * ("exited with status 1", "killed by signal 9 (SIGKILL)") and the one
 * Mesos writes in its messages (stout's WSTRINGIFY: "exited with status
 * 1", "terminated with signal Killed"), which kmesos-local copies. */
#ifndef KMESOS_WSTATUS_H
#define KMESOS_WSTATUS_H
#include <stddef.h>
#include <stdint.h>

/* sig > 0: "killed by signal S (SIGNAME)" (the name left out when the
 * C library has none); else "exited with status CODE". */
void kmesos_wstatus_text(int64_t code, int sig, char *buf, size_t n);
/* The same for a raw waitpid() status: a stopped or otherwise odd status
 * gives "wait status 0xHEX". */
void kmesos_wstatus_raw_text(int raw, char *buf, size_t n);
/* Mesos' wording: sig > 0: "terminated with signal <strsignal>", else
 * "exited with status CODE". */
void kmesos_wstatus_mesos_text(int64_t code, int sig, char *buf, size_t n);

#endif
