/* exec_check: one run of a readiness command: /bin/sh -c <command> as a
 * child in its own process group, stdout and stderr captured to keep
 * their last non-empty line, the result reported once. */
#ifndef KMESOS_EXEC_CHECK_H
#define KMESOS_EXEC_CHECK_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define KMESOS_EXEC_CHECK_LINE 256

typedef struct kmesos_exec_check kmesos_exec_check;
/* The command ended (exit_status, term_signal) and its output is read to
 * the end; last_line is its last non-empty output line ("" for none).
 * The check frees itself after this returns. */
typedef void (*kmesos_exec_check_cb)(void *arg, int64_t exit_status, int term_signal,
                                     const char *last_line);

/* Starts command in cwd with env (NULL-terminated "NAME=value"). NULL
 * with a reason in err when it cannot be started. */
kmesos_exec_check *kmesos_exec_check_run(uv_loop_t *loop, const char *command,
                                         char *const *env, const char *cwd,
                                         kmesos_exec_check_cb cb, void *arg, char *err,
                                         size_t errlen);
/* SIGKILL to the command's process group; no callback afterwards; freed
 * asynchronously. */
void kmesos_exec_check_cancel(kmesos_exec_check *c);

#endif
