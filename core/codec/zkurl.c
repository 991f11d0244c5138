/* zkurl: splits a ZooKeeper URL into its server list, znode path and
 * optional digest credentials, checking each part so that a typo is
 * reported at start-up with the part that is wrong instead of surfacing
 * later as a session that never connects. Pure string work: no I/O. */
#include "codec/zkurl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZK_SCHEME "zk://"

int kmesos_zkurl_check_path(const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path);
    int bad = path[0] != '/' || n < 2 || path[n - 1] == '/' || strstr(path, "//") ||
              strstr(path, "/./") || strstr(path, "/../") || strpbrk(path, " \t\r\n");
    if (!bad && n >= 2 && strcmp(path + n - 2, "/.") == 0)
        bad = 1;
    if (!bad && n >= 3 && strcmp(path + n - 3, "/..") == 0)
        bad = 1;
    if (bad) {
        snprintf(err, errlen, "'%s' is not a znode path like /kafka-mesos/x", path);
        return -1;
    }
    return 0;
}

/* One "host:port": a non-empty host and a decimal port 1-65535. */
static int check_server(const char *s, size_t n)
{
    const char *colon = memrchr(s, ':', n);
    if (!colon || colon == s || (size_t)(colon - s) + 1 >= n)
        return -1;
    long port = 0;
    for (const char *p = colon + 1; p < s + n; p++) {
        if (*p < '0' || *p > '9' || port > 65535)
            return -1;
        port = port * 10 + (*p - '0');
    }
    return port >= 1 && port <= 65535 ? 0 : -1;
}

int kmesos_zkurl_check_hosts(const char *hosts, char *err, size_t errlen)
{
    int ok = *hosts && !strpbrk(hosts, " \t\r\n@/");
    for (const char *s = hosts; ok; s++) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        ok = check_server(s, n) == 0;
        if (!end)
            break;
        s = end;
    }
    if (!ok) {
        snprintf(err, errlen, "bad server list '%s' (want host:port[,host:port...])", hosts);
        return -1;
    }
    return 0;
}

/* "user:pass" (both non-empty) into u. */
static int split_credentials(const char *s, size_t n, kmesos_zkurl *u, char *err, size_t errlen)
{
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s || colon + 1 == s + n) {
        snprintf(err, errlen, "credentials must be user:password before the '@'");
        return -1;
    }
    u->user = strndup(s, (size_t)(colon - s));
    u->pass = strndup(colon + 1, (size_t)(s + n - colon - 1));
    if (!u->user || !u->pass) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int split(const char *url, kmesos_zkurl *u, char *err, size_t errlen)
{
    if (strncmp(url, ZK_SCHEME, strlen(ZK_SCHEME)) != 0) {
        snprintf(err, errlen, "not a zk:// URL (want zk://[user:pass@]host:port[,...]/path)");
        return -1;
    }
    const char *auth = url + strlen(ZK_SCHEME);
    const char *slash = strchr(auth, '/');
    if (!slash) {
        snprintf(err, errlen, "no znode path (want zk://host:port/path)");
        return -1;
    }
    const char *at = memrchr(auth, '@', (size_t)(slash - auth));
    if (at && split_credentials(auth, (size_t)(at - auth), u, err, errlen) != 0)
        return -1;
    const char *servers = at ? at + 1 : auth;
    u->hosts = strndup(servers, (size_t)(slash - servers));
    u->path = strdup(slash);
    if (!u->hosts || !u->path) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (kmesos_zkurl_check_hosts(u->hosts, err, errlen) != 0)
        return -1;
    return kmesos_zkurl_check_path(u->path, err, errlen);
}

int kmesos_zkurl_parse(const char *url, kmesos_zkurl *u, char *err, size_t errlen)
{
    *u = (kmesos_zkurl){0};
    char why[512];
    if (split(url, u, why, sizeof why) == 0)
        return 0;
    /* credentials stay out of the message */
    const char *at = strchr(url, '@');
    const char *slash = strncmp(url, ZK_SCHEME, strlen(ZK_SCHEME)) == 0
                            ? strchr(url + strlen(ZK_SCHEME), '/')
                            : NULL;
    if (at && (!slash || at < slash))
        snprintf(err, errlen, "ZooKeeper URL zk://***@%s: %s", at + 1, why);
    else
        snprintf(err, errlen, "ZooKeeper URL %s: %s", url, why);
    kmesos_zkurl_free(u);
    return -1;
}

void kmesos_zkurl_free(kmesos_zkurl *u)
{
    if (!u)
        return;
    free(u->hosts);
    free(u->path);
    free(u->user);
    free(u->pass);
    *u = (kmesos_zkurl){0};
}
