/* httpd: a small HTTP server on a libuv loop, built on libmicrohttpd.
 *
 * One request callback receives every request once its whole body has
 * been read (bodies above max_body are answered 413 by the server).  The
 * callback answers either at once or later (the connection then waits,
 * suspended) with a plain reply, or opens a chunked stream and pushes
 * chunks until it closes or aborts it.  A stream whose client goes away
 * is reported through its on_close callback.  Nothing here blocks. */
#ifndef KMESOS_HTTPD_H
#define KMESOS_HTTPD_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

typedef struct kmesos_httpd kmesos_httpd;
typedef struct kmesos_httpd_req kmesos_httpd_req;
typedef struct kmesos_httpd_stream kmesos_httpd_stream;

/* Called once per request. The request stays valid until it is answered
 * (reply, or stream open and then closed/aborted/disconnected). */
typedef void (*kmesos_httpd_handler)(void *arg, kmesos_httpd_req *req);
/* Called when the client of a stream went away (not after a close or abort
 * asked by the owner, nor during kmesos_httpd_stop). The stream pointer
 * must not be used after this call. */
typedef void (*kmesos_httpd_stream_closed)(void *arg, kmesos_httpd_stream *s);

typedef struct kmesos_httpd_config {
    const char *ip;            /* bind address; NULL or "0.0.0.0": any */
    int port;                  /* 0: an ephemeral port */
    size_t max_body;           /* bound on request bodies (0: 1 MiB) */
    kmesos_httpd_handler on_request;
    void *arg;
} kmesos_httpd_config;

/* Starts listening. 0 on success, -1 with a reason in err. */
int kmesos_httpd_start(uv_loop_t *loop, const kmesos_httpd_config *cfg,
                       kmesos_httpd **out, char *err, size_t errlen);
/* The bound port. */
int kmesos_httpd_port(const kmesos_httpd *h);
/* Closes every connection (no callbacks) and the listening socket; the
 * memory is released once the loop has run the handle close callbacks. */
void kmesos_httpd_stop(kmesos_httpd *h);

/* --- the request ---------------------------------------------------- */
const char *kmesos_httpd_method(const kmesos_httpd_req *req);
/* The path, without the query string. */
const char *kmesos_httpd_url(const kmesos_httpd_req *req);
/* A request header (case-insensitive name), or NULL. */
const char *kmesos_httpd_header(const kmesos_httpd_req *req, const char *name);
/* A query-string argument, or NULL. An argument without "=" gives "". */
const char *kmesos_httpd_query(const kmesos_httpd_req *req, const char *name);
/* Calls fn for every query-string argument, in order ("" for a name
 * without "="). */
void kmesos_httpd_query_each(const kmesos_httpd_req *req,
                             void (*fn)(void *arg, const char *name, const char *value),
                             void *arg);
/* The same with the decoded lengths, which count a NUL byte from "%00"
 * that the C strings hide; fn returns non-zero to stop. */
void kmesos_httpd_query_each_n(const kmesos_httpd_req *req,
                               int (*fn)(void *arg, const char *name, size_t name_len,
                                         const char *value, size_t value_len),
                               void *arg);
const uint8_t *kmesos_httpd_body(const kmesos_httpd_req *req, size_t *len);
/* HTTP basic credentials: 0 and malloc'd strings (free them), or -1. */
int kmesos_httpd_basic_auth(const kmesos_httpd_req *req, char **user,
                            char **password);

/* --- answers ---------------------------------------------------------- */
/* headers: NULL, or name, value, name, value, ..., NULL.
 * content_type NULL: no Content-Type header. Body copied. 0 or -1.
 * The request is released: do not use it afterwards. */
int kmesos_httpd_reply(kmesos_httpd_req *req, unsigned status,
                       const char *content_type, const void *body,
                       size_t len, const char *const *headers);
/* Convenience: a text/plain; charset=utf-8 body. */
int kmesos_httpd_reply_text(kmesos_httpd_req *req, unsigned status,
                            const char *text, const char *const *headers);

/* Convenience: an application/json body (pretty, newline-terminated);
 * takes the reference to body; NULL answers 500 "out of memory". */
void kmesos_httpd_reply_json(kmesos_httpd_req *req, unsigned status, json_t *body);

/* Opens a chunked response; the request is then owned by the stream. */
kmesos_httpd_stream *kmesos_httpd_stream_open(kmesos_httpd_req *req,
                                              unsigned status,
                                              const char *content_type,
                                              const char *const *headers,
                                              kmesos_httpd_stream_closed on_close,
                                              void *arg);
/* Queues bytes for the client. 0, or -1 (no memory, or stream ended). */
int kmesos_httpd_stream_push(kmesos_httpd_stream *s, const void *data,
                             size_t len);
/* Bytes queued and not yet handed to the socket. */
size_t kmesos_httpd_stream_pending(const kmesos_httpd_stream *s);
/* Ends the body cleanly (final chunk) after the queued bytes. */
void kmesos_httpd_stream_close(kmesos_httpd_stream *s);
/* Cuts the connection (no final chunk), dropping queued bytes. */
void kmesos_httpd_stream_abort(kmesos_httpd_stream *s);

#endif
