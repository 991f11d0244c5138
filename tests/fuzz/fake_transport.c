/* fake_transport: see fake_transport.h. One transport keeps a list of
 * its live requests; cancel unlinks and frees one, so that a callback
 * that cancels its own request (the session dropping a bad stream) is
 * seen by the driver through fake_transport_stream_of. close frees
 * everything and calls back at once: the session counts it as one of
 * its handles and frees itself only after its timers closed too. */
#include "fake_transport.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct kmesos_transport_headers {
    const char *stream_id;
    const char *location;
};

struct kmesos_transport_req {
    kmesos_transport *t;
    int is_stream;
    kmesos_transport_stream_cbs cbs;
    void *arg;
    struct kmesos_transport_req *next;
};

struct kmesos_transport {
    kmesos_transport_req *reqs;
};

kmesos_transport *kmesos_transport_new(uv_loop_t *loop, const kmesos_transport_opts *opts)
{
    (void)loop;
    (void)opts;
    return calloc(1, sizeof(kmesos_transport));
}

static kmesos_transport_req *add_req(kmesos_transport *t, int is_stream, void *arg)
{
    kmesos_transport_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->t = t;
    r->is_stream = is_stream;
    r->arg = arg;
    r->next = t->reqs;
    t->reqs = r;
    return r;
}

kmesos_transport_req *kmesos_transport_stream(kmesos_transport *t,
                                              const kmesos_transport_request *rq,
                                              const kmesos_transport_stream_cbs *cbs, void *arg)
{
    (void)rq;
    kmesos_transport_req *r = add_req(t, 1, arg);
    if (r)
        r->cbs = *cbs;
    return r;
}

kmesos_transport_req *kmesos_transport_post(kmesos_transport *t,
                                            const kmesos_transport_request *rq,
                                            kmesos_transport_done_cb done, void *arg)
{
    (void)rq;
    (void)done;
    return add_req(t, 0, arg);
}

void kmesos_transport_cancel(kmesos_transport_req *req)
{
    if (!req)
        return;
    for (kmesos_transport_req **p = &req->t->reqs; *p; p = &(*p)->next)
        if (*p == req) {
            *p = req->next;
            free(req);
            return;
        }
}

const char *kmesos_transport_header(const kmesos_transport_headers *h, const char *name)
{
    if (!h)
        return NULL;
    if (strcasecmp(name, "Mesos-Stream-Id") == 0)
        return h->stream_id;
    if (strcasecmp(name, "Location") == 0)
        return h->location;
    return NULL;
}

void kmesos_transport_close(kmesos_transport *t, kmesos_transport_close_cb cb, void *arg)
{
    while (t->reqs)
        kmesos_transport_cancel(t->reqs);
    free(t);
    if (cb)
        cb(arg);
}

kmesos_transport_req *fake_transport_stream_of(kmesos_transport *t)
{
    for (kmesos_transport_req *r = t->reqs; r; r = r->next)
        if (r->is_stream)
            return r;
    return NULL;
}

void fake_transport_headers(kmesos_transport_req *r, long status, const char *stream_id,
                            const char *location)
{
    kmesos_transport_headers h = {stream_id, location};
    if (r->cbs.on_headers)
        r->cbs.on_headers(r->arg, status, &h);
}

void fake_transport_data(kmesos_transport_req *r, const uint8_t *data, size_t len)
{
    if (r->cbs.on_data)
        r->cbs.on_data(r->arg, data, len);
}

void fake_transport_done(kmesos_transport_req *r, long status)
{
    kmesos_transport_stream_cbs cbs = r->cbs;
    void *arg = r->arg;
    kmesos_transport_cancel(r);
    kmesos_transport_headers h = {NULL, NULL};
    kmesos_transport_result res = {.status = status, .headers = &h};
    if (cbs.on_done)
        cbs.on_done(arg, &res);
}
