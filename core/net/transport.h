/* transport: HTTP POSTs on a libuv loop through libcurl multi. Two kinds
 * of request: a stream (SUBSCRIBE: the body is handed over chunk by chunk
 * as it arrives) and a one-shot call (the whole answer at the end).
 * Redirects are never followed here: the caller sees the 3xx and its
 * Location header and decides.
 *
 * Callbacks run on the loop thread. Inside any callback the caller may
 * start, cancel or close freely: such operations take effect once the
 * current libcurl step returns. After kmesos_transport_cancel no callback
 * of that request runs any more; a request handle is invalid once its
 * on_done/done callback returned (or after cancel). */
#ifndef KMESOS_TRANSPORT_H
#define KMESOS_TRANSPORT_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct kmesos_transport kmesos_transport;
typedef struct kmesos_transport_req kmesos_transport_req;
/* The header block of a response, valid during on_headers and on_done. */
typedef struct kmesos_transport_headers kmesos_transport_headers;

typedef struct kmesos_transport_opts {
    long connect_timeout_ms;   /* 0 -> 10000 */
    long keepalive_idle_s;     /* TCP keepalive idle time, 0 -> 30 */
    long keepalive_interval_s; /* between probes, 0 -> 10 */
} kmesos_transport_opts;

typedef struct kmesos_transport_request {
    const char *url;
    const char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
    const void *body;           /* copied when the request starts */
    size_t body_len;
    const char *user;           /* HTTP basic auth when non-NULL */
    const char *secret;
    long timeout_ms;            /* whole transfer bound; 0 = none (streams) */
} kmesos_transport_request;

typedef struct kmesos_transport_result {
    int curl_code;     /* CURLcode: 0 when the transfer completed cleanly */
    const char *error; /* libcurl's error text when curl_code != 0, else NULL */
    long status;       /* HTTP status; 0 when no response was read */
    const char *body;  /* one-shot: the body; stream: the body of a non-2xx
                        * answer (both bounded, NUL-terminated, never NULL) */
    size_t body_len;
    const kmesos_transport_headers *headers;
} kmesos_transport_result;

typedef struct kmesos_transport_stream_cbs {
    /* Once, when the final header block is complete. */
    void (*on_headers)(void *arg, long status, const kmesos_transport_headers *h);
    /* Body bytes of a 2xx answer as they arrive. */
    void (*on_data)(void *arg, const uint8_t *data, size_t len);
    /* Once at the end (EOF, error, or a non-2xx answer's body). */
    void (*on_done)(void *arg, const kmesos_transport_result *res);
} kmesos_transport_stream_cbs;

typedef void (*kmesos_transport_done_cb)(void *arg, const kmesos_transport_result *res);
typedef void (*kmesos_transport_close_cb)(void *arg);

/* NULL when memory runs out or libcurl cannot start. opts may be NULL. */
kmesos_transport *kmesos_transport_new(uv_loop_t *loop, const kmesos_transport_opts *opts);
/* Starts a streaming POST on a fresh connection. NULL on failure. */
kmesos_transport_req *kmesos_transport_stream(kmesos_transport *t,
                                              const kmesos_transport_request *r,
                                              const kmesos_transport_stream_cbs *cbs,
                                              void *arg);
/* Starts a one-shot POST; done runs exactly once unless cancelled. */
kmesos_transport_req *kmesos_transport_post(kmesos_transport *t,
                                            const kmesos_transport_request *r,
                                            kmesos_transport_done_cb done, void *arg);
/* Stops a request; none of its callbacks runs afterwards. */
void kmesos_transport_cancel(kmesos_transport_req *req);
/* Value of a header (case-insensitive name, blanks trimmed) or NULL. */
const char *kmesos_transport_header(const kmesos_transport_headers *h, const char *name);
/* Cancels every request silently, closes all handles, frees the
 * transport, then calls cb (from the loop). */
void kmesos_transport_close(kmesos_transport *t, kmesos_transport_close_cb cb, void *arg);

#endif
