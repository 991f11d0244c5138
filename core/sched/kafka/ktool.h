/* ktool: runs one of Kafka's command-line tools as a child process of the
 * scheduler, never blocking the loop: uv_spawn, stdout and stderr read
 * through pipes into memory (each cut at 4 MiB), an optional text on
 * stdin, a timeout after which the tool's process group is killed. The
 * tool runs in its own process group (the launcher script's JVM with it)
 * so a kill reaches every process. */
#ifndef KMESOS_KAFKA_KTOOL_H
#define KMESOS_KAFKA_KTOOL_H
#include <stddef.h>
#include <uv.h>

typedef struct kmesos_ktool kmesos_ktool;

/* Called once when the tool ended: code is its exit code, or -1 when it
 * was killed by a signal or the timeout (err then says so). out and err
 * are NUL-terminated and valid during the call. The tool is freed after. */
typedef void (*kmesos_ktool_done)(void *arg, int code, const char *out, const char *err);

/* Starts argv[0] (found on PATH) with argv, the scheduler's environment
 * plus env (NULL-terminated "NAME=value" list, or NULL), stdin_text on
 * stdin (NULL: none). NULL with errbuf on failure (no callback then). */
kmesos_ktool *kmesos_ktool_run(uv_loop_t *loop, char *const argv[], char *const env[],
                               const char *stdin_text, unsigned timeout_ms, kmesos_ktool_done done,
                               void *arg, char *errbuf, size_t errlen);
/* Kills the tool's process group; the callback is not called any more,
 * and the memory goes once the loop closed the handles. NULL ok. */
void kmesos_ktool_cancel(kmesos_ktool *t);

#endif
