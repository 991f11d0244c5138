/* master_url: the --master forms of the scheduler and the resolution of a
 * master's 307 Location. Turns "host:port", "h1:p1,h2:p2", "http://..."
 * and "https://..." into full scheduler endpoint URLs
 * ("http://host:port/api/v1/scheduler"); "zk://" is refused here: the
 * session hands it to the detector (detector.h). */
#ifndef KMESOS_MASTER_URL_H
#define KMESOS_MASTER_URL_H
#include <stddef.h>

#define KMESOS_MASTER_URL_DEFAULT_PORT 5050
#define KMESOS_MASTER_URL_API_PATH "/api/v1/scheduler"

typedef struct kmesos_master_url_list {
    char **urls; /* n endpoint URLs, each owned by the list */
    size_t n;
} kmesos_master_url_list;

/* Parses a --master value into out (cleared first). Returns 0, or -1
 * with a message in err and an empty list. An item without a scheme gets
 * "http://" and, without a port, port 5050; a path that does not end in
 * /api/v1/scheduler gets it appended ("http://h:5050/master" ->
 * "http://h:5050/master/api/v1/scheduler"). */
int kmesos_master_url_parse(const char *spec, kmesos_master_url_list *out,
                            char *err, size_t errlen);
void kmesos_master_url_list_free(kmesos_master_url_list *l);

/* Resolves a Location header against the URL of the request that got it:
 * absolute ("http://h:p/..."), scheme-relative ("//h:p/master/api/v1/
 * scheduler": the scheme of base is kept) or path-only. The path is used
 * as given. Returns a malloc'd URL, or NULL with a message in err (also
 * for schemes other than http/https). */
char *kmesos_master_url_resolve(const char *base, const char *location,
                                char *err, size_t errlen);

/* Where the session may send its credentials (basic auth) after a 307
 * from the master at from (the configured one) to to. */
typedef enum kmesos_master_url_trust {
    KMESOS_MASTER_URL_SAME_ORIGIN,   /* same scheme, host and port */
    KMESOS_MASTER_URL_SAME_PORT,     /* same scheme and port: a leader on another host */
    KMESOS_MASTER_URL_SAME_SCHEME,   /* any host and port on the same scheme */
    KMESOS_MASTER_URL_NO_TRUST,      /* another scheme, or not a URL */
} kmesos_master_url_trust;
/* How closely to matches from (scheme, then port, then host; default
 * ports filled in, the host without case). */
kmesos_master_url_trust kmesos_master_url_relation(const char *from, const char *to);

#endif
