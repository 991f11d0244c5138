/* exec_proc: one task process: started in its own process group with its
 * output in sandbox files, optionally probed for readiness, killed with
 * SIGTERM then SIGKILL after a grace period, its end reported once. */
#ifndef KMESOS_EXEC_PROC_H
#define KMESOS_EXEC_PROC_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "exec/exec_spec.h"

typedef struct kmesos_exec_proc kmesos_exec_proc;

typedef struct kmesos_exec_proc_cbs {
    /* Readiness result (only when the spec has a ready port or command). */
    void (*on_ready)(void *arg, void *owner, int ok, const char *what);
    /* The process ended; the proc frees itself after this returns. */
    void (*on_exit)(void *arg, void *owner, int64_t exit_status, int term_signal);
    void *arg;
} kmesos_exec_proc_cbs;

/* Starts spec's command for owner. NULL with a reason in err. */
kmesos_exec_proc *kmesos_exec_proc_spawn(uv_loop_t *loop, const kmesos_exec_spec *spec,
                                         const kmesos_exec_proc_cbs *cbs, void *owner,
                                         char *err, size_t errlen);
int kmesos_exec_proc_pid(const kmesos_exec_proc *p);
/* SIGTERM to the process group now, SIGKILL when grace_ns has passed. A
 * second call can only bring the SIGKILL closer. */
void kmesos_exec_proc_kill(kmesos_exec_proc *p, int64_t grace_ns);
/* Teardown of a process that has not ended: SIGKILL to its group, no
 * callback any more, freed asynchronously. */
void kmesos_exec_proc_abandon(kmesos_exec_proc *p);

#endif
