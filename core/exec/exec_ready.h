/* exec_ready: a readiness probe: TCP connects to host:port every 500 ms
 * until one succeeds or the time is up. */
#ifndef KMESOS_EXEC_READY_H
#define KMESOS_EXEC_READY_H
#include <uv.h>

#define KMESOS_EXEC_READY_PERIOD_MS 500

typedef struct kmesos_exec_ready kmesos_exec_ready;
/* ok = 1: a connect succeeded; ok = 0: timed out. Called at most once;
 * the probe stays allocated until kmesos_exec_ready_stop. */
typedef void (*kmesos_exec_ready_cb)(void *arg, int ok, const char *what);

/* host is an IPv4 or IPv6 literal ("localhost" is taken as 127.0.0.1).
 * NULL with a reason in err when the address is bad or memory runs out. */
kmesos_exec_ready *kmesos_exec_ready_start(uv_loop_t *loop, const char *host, int port,
                                           double timeout_s, kmesos_exec_ready_cb cb, void *arg,
                                           char *err, size_t errlen);
/* Stops probing; no callback runs afterwards. Frees asynchronously. */
void kmesos_exec_ready_stop(kmesos_exec_ready *r);

#endif
