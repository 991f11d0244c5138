/* guard: the admin API's gate (Host, Origin, bearer token).
 *
 * The Host header is split into name and port ("[v6]:port" too); the
 * name passes when it is an IP literal (a browser sends one only when the
 * page itself came from that address), "localhost", this machine's name
 * or one of the --api-host names, compared without case. A present Origin
 * must equal "<scheme>://<Host header>", the scheme being https when the
 * listener has TLS. The token is read once at start from its file and
 * compared in constant time (every byte looked at, the length too), so
 * the answer time tells nothing about how much of a guess was right. */
#include "sched/api/guard.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sched/api/secrets.h"

int kmesos_api_guard_load_token(kmesos_api_guard *g, const char *path, char *err, size_t errlen)
{
    char *buf = NULL;
    if (kmesos_api_secrets_read("--api-token-file", path, KMESOS_API_GUARD_MAX_TOKEN, &buf, err,
                                errlen) != 0)
        return -1;
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
                 buf[n - 1] == '\t'))
        buf[--n] = 0;
    int printable = n > 0;
    for (size_t i = 0; i < n; i++)
        printable &= buf[i] > 0x20 && buf[i] < 0x7f;
    if (!printable) {
        snprintf(err, errlen, "--api-token-file %s: %s", path,
                 n ? "the token must be printable ASCII without blanks" : "empty");
        kmesos_api_secrets_wipe(buf);
        return -1;
    }
    kmesos_api_secrets_wipe(g->token);
    g->token = buf;
    return 0;
}

void kmesos_api_guard_free(kmesos_api_guard *g)
{
    kmesos_api_secrets_wipe(g->token);
    g->token = NULL;
}

int kmesos_api_guard_is_loopback(const char *ip)
{
    struct in_addr a;
    return ip && inet_pton(AF_INET, ip, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* The name part of a Host header into name; 0, or -1 when malformed. */
static int guard_host_name(const char *host, char *name, size_t cap)
{
    size_t n;
    if (*host == '[') {
        const char *close = strchr(host, ']');
        if (!close || (close[1] && close[1] != ':'))
            return -1;
        n = (size_t)(close - host - 1);
        host++;
    } else {
        const char *colon = strchr(host, ':');
        n = colon ? (size_t)(colon - host) : strlen(host);
    }
    if (n == 0 || n >= cap)
        return -1;
    memcpy(name, host, n);
    name[n] = 0;
    return 0;
}

static int guard_host_ok(const kmesos_api_guard *g, const char *host)
{
    char name[256];
    if (!host || guard_host_name(host, name, sizeof name) != 0)
        return 0;
    unsigned char addr[16];
    if (inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1)
        return 1;
    if (strcasecmp(name, "localhost") == 0 || (*g->hostname && strcasecmp(name, g->hostname) == 0))
        return 1;
    for (size_t i = 0; i < g->n_hosts; i++)
        if (strcasecmp(name, g->hosts[i]) == 0)
            return 1;
    return 0;
}

static int guard_origin_ok(const kmesos_api_guard *g, const char *origin, const char *host)
{
    const char *scheme = g->tls ? "https://" : "http://";
    size_t sl = strlen(scheme);
    return strncasecmp(origin, scheme, sl) == 0 && strcasecmp(origin + sl, host) == 0;
}

/* Constant time in the token's content: 1 when equal. */
static int guard_token_equal(const char *want, const char *got)
{
    size_t wl = strlen(want), gl = strlen(got);
    unsigned char diff = (unsigned char)(wl != gl);
    for (size_t i = 0; i < gl; i++)
        diff |= (unsigned char)(got[i] ^ want[i % wl]);
    return diff == 0;
}

static int guard_token_ok(const kmesos_api_guard *g, const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return 0;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    return guard_token_equal(g->token, t);
}

static int guard_reads_only(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

unsigned kmesos_api_guard_check(const kmesos_api_guard *g, const kmesos_api_guard_req *r,
                                char *msg, size_t msglen)
{
    int read_only = guard_reads_only(r->method);
    if (read_only && strncmp(r->url, "/files/", 7) == 0)
        return 0;
    if (!guard_host_ok(g, r->host)) {
        snprintf(msg, msglen, "Host header not allowed (not an address or name of this API; "
                              "see --api-host)");
        return 403;
    }
    if (r->origin && !guard_origin_ok(g, r->origin, r->host)) {
        snprintf(msg, msglen, "cross-origin request refused (Origin is not this API's origin)");
        return 403;
    }
    if (g->token && !read_only && !guard_token_ok(g, r->authorization)) {
        snprintf(msg, msglen, "%s", r->authorization ? "wrong bearer token"
                                                       : "missing bearer token (Authorization: "
                                                         "Bearer, see --api-token-file)");
        return 401;
    }
    return 0;
}
