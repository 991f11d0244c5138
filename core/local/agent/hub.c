/* hub: what the simulated agents share (see hub.h). The shared listener
 * is one kmesos_httpd; its agents sit in an array by index. A request
 * whose path starts with /slave(N) goes to agent N (the libprocess id in
 * its pid, as agents of one libprocess process share its port); an
 * executor call without that prefix (an executor that only reads
 * MESOS_AGENT_ENDPOINT) is decoded here and goes to the agent that runs
 * the call's executor of the call's framework (else one that knows the
 * framework, else the first: the agent then answers the lookup error;
 * two agents running the same executor id of one framework: the first,
 * unless the executor builds its URL from MESOS_SLAVE_PID's slave(N));
 * /files/read and /files/browse without it go to the agent whose work
 * folder holds the path asked for.
 * The launch queue is a utlist DL list drained by an idle handle: each
 * loop iteration runs jobs until HUB_BUDGET_NS has passed, so that a
 * thousand starts (mkdir, fetch set-up, fork) are spread over iterations
 * between which the loop serves calls and acknowledgements. */
#include "local/agent/hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utlist.h>

#include "codec/log.h"
#include "local/util.h"
#include "local/wire.h"

#define HUB_BUDGET_NS 5000000u /* 5 ms of starts per loop iteration */

struct klocal_hub {
    uv_loop_t *loop;
    char *ip;
    int port;                 /* asked for, then bound */
    kmesos_httpd *http;
    klocal_hub_agent **agents; /* by index; NULL: not served here */
    size_t cap;
    size_t attached;
    klocal_hub_job *queue;
    size_t queued;
    uint64_t started;
    uv_idle_t *idle;          /* own allocation: freed when closed */
    int stopped;
};

/* ---------------------------------------------------------- requests */

/* Agent N of a /slave(N)/rest url (rest may be empty), or NULL. */
static klocal_hub_agent *hub_by_path(klocal_hub *h, const char *url, const char **rest)
{
    unsigned long n;
    int used = 0;
    if (sscanf(url, "/slave(%lu)%n", &n, &used) != 1 || !used || n == 0 || n > h->cap)
        return NULL;
    *rest = url + used;
    return h->agents[n - 1];
}

static klocal_hub_agent *hub_by_executor(klocal_hub *h, const Mesos__V1__Executor__Call *c)
{
    klocal_hub_agent *best = NULL;
    int score = -1;
    const char *fw = c->framework_id ? c->framework_id->value : "";
    const char *ex = c->executor_id ? c->executor_id->value : "";
    for (size_t i = 0; i < h->cap && score < 2; i++) {
        klocal_hub_agent *ag = h->agents[i];
        int s = ag ? ag->owns(ag->arg, fw, ex) : -1;
        if (s > score) {
            score = s;
            best = ag;
        }
    }
    return best;
}

static void hub_executor_call(klocal_hub *h, kmesos_httpd_req *req)
{
    kmesos_content_type ct;
    Mesos__V1__Executor__Call *c = (Mesos__V1__Executor__Call *)klocal_wire_decode(
        req, &mesos__v1__executor__call__descriptor, &ct);
    if (!c)
        return;
    klocal_hub_agent *ag = hub_by_executor(h, c);
    if (ag)
        ag->call(ag->arg, req, c, ct);
    else
        kmesos_httpd_reply_text(req, 400, "Framework cannot be found", NULL);
    kmesos_pb_free(c);
}

static klocal_hub_agent *hub_by_file(klocal_hub *h, kmesos_httpd_req *req)
{
    const char *path = kmesos_httpd_query(req, "path");
    for (size_t i = 0; path && i < h->cap; i++)
        if (h->agents[i] && h->agents[i]->owns_path(h->agents[i]->arg, path))
            return h->agents[i];
    return NULL;
}

static void hub_on_request(void *arg, kmesos_httpd_req *req)
{
    klocal_hub *h = arg;
    const char *url = kmesos_httpd_url(req), *rest = NULL;
    klocal_hub_agent *ag = hub_by_path(h, url, &rest);
    if (ag)
        ag->serve(ag->arg, req, *rest ? rest : "/");
    else if (strcmp(url, "/api/v1/executor") == 0)
        hub_executor_call(h, req);
    else if (strncmp(url, "/files/", 7) == 0 && (ag = hub_by_file(h, req)))
        ag->serve(ag->arg, req, url);
    else
        kmesos_httpd_reply_text(req, 404,
                                "Several agents share this port: ask /slave(N)/state, "
                                "/slave(N)/files/... (N: the id in the agent's pid)",
                                NULL);
}

/* ------------------------------------------------------------ agents */

klocal_hub *klocal_hub_new(uv_loop_t *loop, const char *ip, int port)
{
    klocal_hub *h = klocal_util_xcalloc(1, sizeof *h);
    h->loop = loop;
    h->ip = klocal_util_xstrdup(ip);
    h->port = port;
    h->idle = klocal_util_xcalloc(1, sizeof *h->idle);
    uv_idle_init(loop, h->idle);
    h->idle->data = h;
    return h;
}

int klocal_hub_attach(klocal_hub *h, size_t index, const klocal_hub_agent *ag, char *err,
                      size_t errlen)
{
    if (!h->http) {
        kmesos_httpd_config hc = {.ip = h->ip, .port = h->port, .max_body = 16u << 20,
                                  .on_request = hub_on_request, .arg = h};
        if (kmesos_httpd_start(h->loop, &hc, &h->http, err, errlen) != 0)
            return -1;
        h->port = kmesos_httpd_port(h->http);
        KLOG_INFO("agent", "agents without a port of their own share %s:%d", h->ip, h->port);
    }
    if (index >= h->cap) {
        size_t cap = h->cap ? h->cap : 64;
        while (cap <= index)
            cap *= 2;
        h->agents = klocal_util_xrealloc(h->agents, cap * sizeof *h->agents);
        memset(h->agents + h->cap, 0, (cap - h->cap) * sizeof *h->agents);
        h->cap = cap;
    }
    if (!h->agents[index])
        h->attached++;
    free(h->agents[index]);
    h->agents[index] = klocal_util_xcalloc(1, sizeof **h->agents);
    *h->agents[index] = *ag;
    return h->port;
}

void klocal_hub_detach(klocal_hub *h, size_t index)
{
    if (index >= h->cap || !h->agents[index])
        return;
    free(h->agents[index]);
    h->agents[index] = NULL;
    h->attached--;
}

size_t klocal_hub_attached(const klocal_hub *h) { return h->attached; }
int klocal_hub_port(const klocal_hub *h) { return h->http ? h->port : 0; }

/* ------------------------------------------------------ launch queue */

static void hub_on_idle(uv_idle_t *idle)
{
    klocal_hub *h = idle->data;
    uint64_t until = uv_hrtime() + HUB_BUDGET_NS;
    while (h->queue && uv_hrtime() < until) {
        klocal_hub_job *j = h->queue;
        klocal_hub_dequeue(h, j);
        h->started++;
        j->run(j->arg);
    }
    if (!h->queue && h->idle)
        uv_idle_stop(h->idle);
}

void klocal_hub_enqueue(klocal_hub *h, klocal_hub_job *j)
{
    if (j->queued || h->stopped)
        return;
    j->queued = 1;
    DL_APPEND(h->queue, j);
    if (!h->queued++)
        uv_idle_start(h->idle, hub_on_idle);
}

void klocal_hub_dequeue(klocal_hub *h, klocal_hub_job *j)
{
    if (!j->queued)
        return;
    DL_DELETE(h->queue, j);
    j->queued = 0;
    h->queued--;
}

size_t klocal_hub_queued(const klocal_hub *h) { return h->queued; }
uint64_t klocal_hub_started(const klocal_hub *h) { return h->started; }

/* --------------------------------------------------------------- end */

static void hub_idle_closed(uv_handle_t *idle) { free(idle); }

void klocal_hub_stop(klocal_hub *h)
{
    if (h->stopped)
        return;
    h->stopped = 1;
    while (h->queue)
        klocal_hub_dequeue(h, h->queue);
    uv_idle_stop(h->idle);
    uv_close((uv_handle_t *)h->idle, hub_idle_closed);
    h->idle = NULL;
    if (h->http) {
        kmesos_httpd_stop(h->http);
        h->http = NULL;
    }
}

void klocal_hub_free(klocal_hub *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->cap; i++)
        free(h->agents[i]);
    free(h->agents);
    free(h->ip);
    free(h);
}
