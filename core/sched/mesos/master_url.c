/* master_url: parsing of the --master value and of 307 Locations.
 *
 * URL syntax is left to libcurl's URL API (CURLU): this module only
 * splits the comma list, supplies the defaults Mesos users expect (http,
 * port 5050, the /api/v1/scheduler endpoint) and refuses what the
 * scheduler cannot use (zk://, which the detector handles, other
 * schemes, empty items).
 * Location resolution also goes through CURLU, which resolves absolute,
 * scheme-relative ("//host:port/path") and path-only references against
 * the request URL exactly as RFC 3986 says, and compares the origins of
 * the two URLs for the credentials rule (kmesos_master_url_relation). */
#include "sched/mesos/master_url.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

static char *dup_range(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* Trims blanks around s[0..n) in place of the bounds. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Our own copy of a URL libcurl built (NULL, "out of memory" in err). */
static char *mu_copy_url(const char *url, char *err, size_t errlen)
{
    char *out = strdup(url);
    if (!out)
        snprintf(err, errlen, "out of memory");
    return out;
}

static int scheme_ok(const char *scheme)
{
    return strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0;
}

/* Appends the API path unless the path already ends with it. */
static int set_api_path(CURLU *u)
{
    char *path = NULL;
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        return -1;
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        n--;
    const char *api = KMESOS_MASTER_URL_API_PATH;
    size_t an = strlen(api);
    int has_api = n >= an && strncmp(path + n - an, api, an) == 0;
    char *full = malloc(n + an + 1);
    int rc = -1;
    if (full) {
        memcpy(full, path, n);
        strcpy(full + n, has_api ? "" : api);
        rc = curl_url_set(u, CURLUPART_PATH, full, 0) == CURLUE_OK ? 0 : -1;
        free(full);
    }
    curl_free(path);
    return rc;
}

/* Builds the endpoint URL of one list item; NULL with err on failure. */
static char *item_url(const char *item, char *err, size_t errlen)
{
    int has_scheme = strstr(item, "://") != NULL;
    char *spec = malloc(strlen(item) + 8);
    if (!spec) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sprintf(spec, "%s%s", has_scheme ? "" : "http://", item);
    CURLU *u = curl_url();
    char *scheme = NULL, *port = NULL, *out = NULL, *url = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, spec, 0) != CURLUE_OK) {
        snprintf(err, errlen, "invalid master address '%s'", item);
        goto done;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || !scheme_ok(scheme)) {
        snprintf(err, errlen, "unsupported scheme in master address '%s' (use http:// or https://)", item);
        goto done;
    }
    if (!has_scheme && curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
        curl_url_set(u, CURLUPART_PORT, "5050", 0);
    if (set_api_path(u) != 0 || curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        snprintf(err, errlen, "invalid master address '%s'", item);
        goto done;
    }
    out = mu_copy_url(url, err, errlen);
done:
    curl_free(url);
    curl_free(port);
    curl_free(scheme);
    curl_url_cleanup(u);
    free(spec);
    return out;
}

void kmesos_master_url_list_free(kmesos_master_url_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->urls[i]);
    free(l->urls);
    l->urls = NULL;
    l->n = 0;
}

static int list_add(kmesos_master_url_list *l, char *url)
{
    char **p = realloc(l->urls, (l->n + 1) * sizeof *p);
    if (!p)
        return -1;
    l->urls = p;
    l->urls[l->n++] = url;
    return 0;
}

/* Parses one comma-separated item s[0..n) into l. */
static int mu_parse_item(const char *s, size_t n, kmesos_master_url_list *l,
                         char *err, size_t errlen)
{
    trim(&s, &n);
    if (n == 0) {
        snprintf(err, errlen, "empty master address in the --master list");
        return -1;
    }
    char *item = dup_range(s, n);
    char *url = item ? item_url(item, err, errlen) : NULL;
    if (!item)
        snprintf(err, errlen, "out of memory");
    free(item);
    if (url && list_add(l, url) != 0) {
        free(url);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return url ? 0 : -1;
}

int kmesos_master_url_parse(const char *spec, kmesos_master_url_list *out,
                            char *err, size_t errlen)
{
    out->urls = NULL;
    out->n = 0;
    const char *s = spec ? spec : "";
    while (isspace((unsigned char)*s))
        s++;
    if (strncasecmp(s, "zk://", 5) == 0) {
        snprintf(err, errlen, "a zk:// master URL is not a list of masters (the session "
                 "gives it to the ZooKeeper detector)");
        return -1;
    }
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (mu_parse_item(s, n, out, err, errlen) != 0) {
            kmesos_master_url_list_free(out);
            return -1;
        }
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

char *kmesos_master_url_resolve(const char *base, const char *location,
                                char *err, size_t errlen)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *url = NULL, *out = NULL;
    if (!u || !location || !*location ||
        curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK) {
        snprintf(err, errlen, "cannot resolve Location '%s' against '%s'",
                 location ? location : "", base);
        goto done;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || !scheme_ok(scheme)) {
        snprintf(err, errlen, "Location '%s' has an unsupported scheme", location);
        goto done;
    }
    if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        snprintf(err, errlen, "cannot resolve Location '%s'", location);
        goto done;
    }
    out = mu_copy_url(url, err, errlen);
done:
    curl_free(url);
    curl_free(scheme);
    curl_url_cleanup(u);
    return out;
}

typedef struct mu_origin {
    char *scheme, *host, *port;
} mu_origin;

static int mu_origin_get(const char *url, mu_origin *o)
{
    memset(o, 0, sizeof *o);
    CURLU *u = curl_url();
    int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &o->host, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) == CURLUE_OK;
    curl_url_cleanup(u);
    return ok ? 0 : -1;
}

static void mu_origin_free(mu_origin *o)
{
    curl_free(o->scheme);
    curl_free(o->host);
    curl_free(o->port);
}

kmesos_master_url_trust kmesos_master_url_relation(const char *from, const char *to)
{
    mu_origin a = {0}, b = {0};
    kmesos_master_url_trust t = KMESOS_MASTER_URL_NO_TRUST;
    if (from && to && mu_origin_get(from, &a) == 0 && mu_origin_get(to, &b) == 0 &&
        strcasecmp(a.scheme, b.scheme) == 0) {
        int same_port = strcmp(a.port, b.port) == 0;
        t = !same_port                           ? KMESOS_MASTER_URL_SAME_SCHEME
            : strcasecmp(a.host, b.host) == 0 ? KMESOS_MASTER_URL_SAME_ORIGIN
                                                : KMESOS_MASTER_URL_SAME_PORT;
    }
    mu_origin_free(&a);
    mu_origin_free(&b);
    return t;
}
