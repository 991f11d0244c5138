/* cli_http: one blocking HTTP request to the scheduler API (libcurl easy). */
#ifndef KMESOS_CLI_HTTP_H
#define KMESOS_CLI_HTTP_H
#include <stddef.h>

#define KMESOS_CLI_HTTP_CONNECT_TIMEOUT_S 5
#define KMESOS_CLI_HTTP_TIMEOUT_S 60

typedef struct kmesos_cli_response {
    long status; /* HTTP status */
    char *body;  /* NUL-terminated; owned */
    size_t len;
} kmesos_cli_response;

#define KMESOS_CLI_HTTP_MAX_REDIRECTS 3

/* How to talk to the API. */
typedef struct kmesos_cli_http_opts {
    const char *token;  /* bearer token, or NULL */
    const char *cacert; /* CA bundle (PEM) for https, or NULL: the system's */
} kmesos_cli_http_opts;

/* Sends method ("GET" or "POST", empty body) to url. A 307 or 308 (a
 * standby scheduler pointing at the leader) is followed with the same
 * method, at most KMESOS_CLI_HTTP_MAX_REDIRECTS times, only on the same
 * scheme (else -1 saying so); the token goes along only while the host
 * stays the one of url. 0 with resp filled (whatever the status), or -1
 * with err when no answer came (refused, timeout, bad host): libcurl's
 * reason. */
int kmesos_cli_http_request(const char *method, const char *url,
                            const kmesos_cli_http_opts *opts, kmesos_cli_response *resp,
                            char *err, size_t errlen);
/* 1 when a and b (absolute URLs) name the same scheme / the same host. */
int kmesos_cli_http_same_scheme(const char *a, const char *b);
int kmesos_cli_http_same_host(const char *a, const char *b);
void kmesos_cli_response_free(kmesos_cli_response *resp);

#endif
