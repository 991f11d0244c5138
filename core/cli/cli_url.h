/* cli_url: the scheduler API's base URL and request URLs with their
 * query strings, every name and value escaped by curl_easy_escape. */
#ifndef KMESOS_CLI_URL_H
#define KMESOS_CLI_URL_H
#include <stddef.h>

#define KMESOS_CLI_URL_DEFAULT "http://127.0.0.1:7000"

typedef struct kmesos_cli_param {
    const char *name;
    const char *value;
} kmesos_cli_param;

/* The base URL from --api (or $KMESOS_API, or the default): "HOST:PORT"
 * gets "http://", a trailing '/' (and a trailing "/api") is dropped.
 * Allocated; NULL with err when it is not an http(s) URL. */
char *kmesos_cli_url_base(const char *api, char *err, size_t errlen);

/* base + path + "?name=value&..." (no '?' without params). Allocated;
 * NULL on allocation failure. */
char *kmesos_cli_url_build(const char *base, const char *path, const kmesos_cli_param *params,
                           size_t nparams);

#endif
