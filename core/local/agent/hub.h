/* hub: what the simulated agents share. One executor-API listener for the
 * agents that have no port of their own, told apart by the libprocess
 * path (/slave(N)/...) or, for an executor call without it, by the
 * framework and executor ids of the call, or for /files/... without it by
 * the sandbox path asked for; and the launch queue that starts
 * executors and command tasks a few at a time from an idle handle, so that
 * the loop keeps serving calls while many tasks start. */
#ifndef KLOCAL_HUB_H
#define KLOCAL_HUB_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "net/httpd.h"
#include "codec/protocol.h"
#include "mesos/v1/executor/executor.pb-c.h"

typedef struct klocal_hub klocal_hub;

/* How the hub reaches an agent it serves (callbacks, so that the hub
 * calls no agent function by name). */
typedef struct klocal_hub_agent {
    void *arg;
    /* A request for it; url is what follows /slave(N). */
    void (*serve)(void *arg, kmesos_httpd_req *req, const char *url);
    /* 2: it runs that executor of that framework, 1: only the framework. */
    int (*owns)(void *arg, const char *fw_id, const char *exec_id);
    /* 1 when a sandbox path (of /files/read?path=) is under it. */
    int (*owns_path)(void *arg, const char *path);
    /* A decoded executor call (c stays the caller's). */
    void (*call)(void *arg, kmesos_httpd_req *req, const Mesos__V1__Executor__Call *c,
                 kmesos_content_type ct);
} klocal_hub_agent;

/* A queued start: run(arg) is called once from the loop, later. */
typedef struct klocal_hub_job {
    struct klocal_hub_job *prev, *next;
    void (*run)(void *arg);
    void *arg;
    int queued;
} klocal_hub_job;

klocal_hub *klocal_hub_new(uv_loop_t *loop, const char *ip, int port);
/* Closes the shared listener and drops the queue (master stopping). */
void klocal_hub_stop(klocal_hub *h);
void klocal_hub_free(klocal_hub *h);

/* Serves agent number index (path /slave(index+1)) on the shared
 * listener, opening it on first use. Its port, or -1 with err. */
int klocal_hub_attach(klocal_hub *h, size_t index, const klocal_hub_agent *ag, char *err,
                      size_t errlen);
void klocal_hub_detach(klocal_hub *h, size_t index);
/* Agents served by the shared listener. */
size_t klocal_hub_attached(const klocal_hub *h);
int klocal_hub_port(const klocal_hub *h);

/* Queues j (not queued yet); it runs from the loop within a bounded
 * amount of work per loop iteration. */
void klocal_hub_enqueue(klocal_hub *h, klocal_hub_job *j);
/* Takes j out of the queue if it is there. */
void klocal_hub_dequeue(klocal_hub *h, klocal_hub_job *j);
/* Jobs waiting; jobs run so far. */
size_t klocal_hub_queued(const klocal_hub *h);
uint64_t klocal_hub_started(const klocal_hub *h);

#endif
