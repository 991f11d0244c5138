/* fetch: the Mesos fetcher of the simulated agents. Before a command task
 * or an executor starts, the CommandInfo URIs are fetched into its sandbox
 * in order by child processes, with the real fetcher's log in the sandbox
 * stderr. The owner hears the outcome once, always asynchronously. */
#ifndef KLOCAL_FETCH_H
#define KLOCAL_FETCH_H
#include <stddef.h>
#include <uv.h>
#include "mesos/v1/mesos.pb-c.h"

typedef struct klocal_fetch klocal_fetch;

typedef enum {
    KLOCAL_FETCH_OK,
    KLOCAL_FETCH_FAILED,    /* message: the agent's launch failure text */
    KLOCAL_FETCH_CANCELLED, /* klocal_fetch_cancel was called */
} klocal_fetch_result;

/* Called once; the fetch is freed right after it. */
typedef void (*klocal_fetch_cb)(void *arg, klocal_fetch_result r, const char *message);

typedef struct klocal_fetch_params {
    const char *sandbox;
    const char *container_id;
    const char *cache_dir;         /* shown in the log only (no cache) */
    const char *user;              /* NULL: none */
    const char *frameworks_home;   /* NULL: relative paths are refused */
    Mesos__V1__CommandInfo__URI *const *uris;
    size_t n_uris;
} klocal_fetch_params;

klocal_fetch *klocal_fetch_start(uv_loop_t *loop, const klocal_fetch_params *p,
                                 klocal_fetch_cb cb, void *arg);
/* Kills the running child (SIGKILL to its group); the callback then says
 * KLOCAL_FETCH_CANCELLED. */
void klocal_fetch_cancel(klocal_fetch *f);

/* The file name a URI is fetched to (Fetcher::basename of Mesos): 0 and a
 * heap string in *out, or -1 with the reason in err. */
int klocal_fetch_basename(const char *uri, char **out, char *err, size_t errlen);
/* Local source of a URI: 1 with a heap path (file://, file://localhost,
 * absolute or frameworks_home-relative path), 0 for a remote URI, -1 with
 * the reason in err. */
int klocal_fetch_local_path(const char *uri, const char *frameworks_home, char **out,
                            char *err, size_t errlen);

#endif
