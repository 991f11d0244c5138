/* guard: who may drive the admin API. Three checks run on every request
 * before any route (api.c), each pure and on the loop:
 *   - Host: the name the client addressed must be an IP literal,
 *     "localhost", this machine's name or a name given with --api-host
 *     (DNS rebinding: a page on evil.example cannot reach us under its
 *     own name) -> 403;
 *   - Origin: when a browser sends one, it must be this API's own origin
 *     (the scheme of the listener and the Host header) -> 403;
 *   - the bearer token of --api-token-file, when one is set, on every
 *     method but GET and HEAD -> 401 with WWW-Authenticate: Bearer.
 * GET /files/... (the fetcher's downloads) skips the Host and Origin
 * checks: it changes nothing and agents may address us by any name. */
#ifndef KMESOS_API_GUARD_H
#define KMESOS_API_GUARD_H
#include <stddef.h>

#define KMESOS_API_GUARD_MAX_HOSTS 16
#define KMESOS_API_GUARD_MAX_TOKEN 4096

typedef struct kmesos_api_guard {
    char *token;                                     /* owned; NULL: none */
    const char *hosts[KMESOS_API_GUARD_MAX_HOSTS];   /* extra names, not owned */
    size_t n_hosts;
    char hostname[256];                              /* this machine's name */
    int tls;                                         /* origin scheme https */
} kmesos_api_guard;

/* What a request shows the guard (headers may be NULL). */
typedef struct kmesos_api_guard_req {
    const char *method, *url, *host, *origin, *authorization;
} kmesos_api_guard_req;

/* Reads the token from path (trailing newline and blanks dropped). 0, or
 * -1 with err naming the file: missing, unreadable, empty or too long. */
int kmesos_api_guard_load_token(kmesos_api_guard *g, const char *path, char *err,
                                size_t errlen);
/* 0 when the request may go on; else the status (401 or 403) with the
 * reason in msg. */
unsigned kmesos_api_guard_check(const kmesos_api_guard *g, const kmesos_api_guard_req *r,
                                char *msg, size_t msglen);
/* 1 when ip (the --api address) is a loopback address. */
int kmesos_api_guard_is_loopback(const char *ip);
/* Releases the token (zeroed first). */
void kmesos_api_guard_free(kmesos_api_guard *g);

#endif
