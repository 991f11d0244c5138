/* proc: child processes of the simulated agents (tasks and executors).
 * A process runs in its own session and process group (so a kill reaches
 * everything it started), in a given folder, with stdout/stderr appended
 * to files (or stdout kept in memory, for short helper commands whose
 * output is an answer). Kill sends SIGTERM to the group, then SIGKILL
 * after a grace period. The exit callback runs once (after the captured
 * output reached its end); the process object frees itself right after
 * it, and whatever is left of the group is SIGKILLed. */
#ifndef KLOCAL_PROC_H
#define KLOCAL_PROC_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct klocal_proc klocal_proc;

/* exit_status is the exit code, term_signal the signal (0: none). */
typedef void (*klocal_proc_exit_cb)(void *arg, klocal_proc *p, int64_t exit_status,
                                    int term_signal);

/* An environment under construction: the parent's, then overrides. */
typedef struct klocal_proc_env {
    char **vars; /* "NAME=value", NULL-terminated */
    size_t n;
} klocal_proc_env;

void klocal_proc_env_init(klocal_proc_env *e, int inherit);
void klocal_proc_env_set(klocal_proc_env *e, const char *name, const char *value);
void klocal_proc_env_free(klocal_proc_env *e);

typedef struct klocal_proc_spec {
    const char *file;         /* program (PATH is searched) */
    char *const *argv;        /* NULL-terminated */
    const klocal_proc_env *env;
    const char *cwd;
    const char *stdout_path;  /* appended; NULL: /dev/null */
    const char *stderr_path;
    int capture_stdout;       /* 1: stdout kept in memory, stdout_path unused */
} klocal_proc_spec;

klocal_proc *klocal_proc_spawn(uv_loop_t *loop, const klocal_proc_spec *spec,
                               klocal_proc_exit_cb cb, void *arg, char *err, size_t errlen);
int klocal_proc_pid(const klocal_proc *p);
/* The captured stdout (NUL-terminated, at most 64 KiB kept); valid in the
 * exit callback. "" when nothing was captured. */
const char *klocal_proc_output(const klocal_proc *p, size_t *len);
/* SIGTERM now, SIGKILL after grace seconds (grace <= 0: SIGKILL now).
 * A second call can only shorten the wait. */
void klocal_proc_kill(klocal_proc *p, double grace);

#endif
