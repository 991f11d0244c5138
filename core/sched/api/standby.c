/* standby: the answers of a standby scheduler's admin API (standby.h).
 * The query arrives decoded (httpd parses it), so the Location is built
 * again from its names and values, percent-encoded byte by byte except
 * RFC 3986's unreserved characters; the body is JSON like every other
 * answer of the API, naming the leader. */
#include "sched/api/standby.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

typedef struct loc_buf {
    char *out;
    size_t len, used;
    int overflow;
} loc_buf;

static void put(loc_buf *b, const char *text, int encode)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        int plain = !encode || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~", *p);
        size_t need = plain ? 1 : 3;
        if (b->used + need >= b->len) {
            b->overflow = 1;
            return;
        }
        if (plain) {
            b->out[b->used++] = (char)*p;
        } else {
            b->out[b->used++] = '%';
            b->out[b->used++] = hex[*p >> 4];
            b->out[b->used++] = hex[*p & 15];
        }
    }
    b->out[b->used] = '\0';
}

static void put_arg(void *arg, const char *name, const char *value)
{
    loc_buf *b = arg;
    put(b, strchr(b->out, '?') ? "&" : "?", 0);
    put(b, name, 1);
    if (value) {
        put(b, "=", 0);
        put(b, value, 1);
    }
}

int kmesos_standby_location(const kmesos_httpd_req *req, const char *leader_api,
                            const char *url, char *out, size_t len)
{
    if (!len)
        return -1;
    loc_buf b = {out, len, 0, 0};
    out[0] = '\0';
    put(&b, leader_api, 0);
    put(&b, url, 0);
    kmesos_httpd_query_each(req, put_arg, &b);
    return b.overflow ? -1 : 0;
}

void kmesos_standby_answer(kmesos_httpd_req *req, const char *leader_api)
{
    char location[4096];
    if (!leader_api) {
        kmesos_httpd_reply_json(req, 503, json_pack("{s:s}", "error",
                                                     "standby: no leader is known yet"));
        return;
    }
    if (kmesos_standby_location(req, leader_api, kmesos_httpd_url(req), location,
                                sizeof location) != 0) {
        kmesos_httpd_reply_json(req, 414, json_pack("{s:s}", "error", "request too long"));
        return;
    }
    const char *headers[] = {"Location", location, NULL};
    json_t *body = json_pack("{s:s, s:s}", "error", "standby: ask the leader",
                             "leader_api", leader_api);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    kmesos_httpd_reply(req, 307, "application/json", text ? text : "{}",
                       text ? strlen(text) : 2, headers);
    free(text);
}
