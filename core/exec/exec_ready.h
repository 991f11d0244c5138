/* exec_ready: a readiness probe: TCP connects to host:port every 500 ms
 * until one succeeds, then (when there is one) runs a readiness command
 * every interval until it exits 0, all within one deadline. */
#ifndef KMESOS_EXEC_READY_H
#define KMESOS_EXEC_READY_H
#include <uv.h>

#define KMESOS_EXEC_READY_PERIOD_MS 500

typedef struct kmesos_exec_ready kmesos_exec_ready;
/* ok = 1: a connect succeeded; ok = 0: timed out. Called at most once;
 * the probe stays allocated until kmesos_exec_ready_stop. */
typedef void (*kmesos_exec_ready_cb)(void *arg, int ok, const char *what);

typedef struct kmesos_exec_ready_opts {
    const char *host;    /* IPv4 or IPv6 literal ("localhost": 127.0.0.1) */
    int port;            /* 0: no TCP check */
    const char *command; /* NULL: no command; run with /bin/sh -c */
    char *const *env;    /* the command's environment (copied) */
    const char *cwd;     /* its folder (copied) */
    double interval_s;   /* between the end of one run and the next */
    double timeout_s;    /* for the whole readiness */
} kmesos_exec_ready_opts;

/* NULL with a reason in err when the address is bad or memory runs out. */
kmesos_exec_ready *kmesos_exec_ready_start(uv_loop_t *loop, const kmesos_exec_ready_opts *o,
                                           kmesos_exec_ready_cb cb, void *arg, char *err,
                                           size_t errlen);
/* Stops probing; no callback runs afterwards. Frees asynchronously. */
void kmesos_exec_ready_stop(kmesos_exec_ready *r);

#endif
