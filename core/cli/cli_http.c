/* cli_http: the CLI's only network code, a libcurl easy handle per
 * request: a CLI runs one request and may block on it. The body is
 * collected in a memory stream; POSTs carry an empty body (parameters
 * travel in the query string). Connect and total timeouts keep a stuck
 * scheduler from hanging the shell; a transport failure is reported with
 * libcurl's own words ("Couldn't connect to server"). The bearer token
 * travels as an Authorization header. libcurl follows no redirect by
 * itself: a 307/308 of a standby is followed here, same method, after
 * checking the scheme (https never drops to http) and the host (the token
 * is not handed to another host). The caller has called
 * curl_global_init. */
#include "cli/cli_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

static size_t kmesos_cli_http_collect(char *data, size_t size, size_t n, void *arg)
{
    return fwrite(data, size, n, (FILE *)arg) * size;
}

static void kmesos_cli_http_setup(CURL *curl, const char *method, const char *url, FILE *sink,
                                  char *curl_err, const kmesos_cli_http_opts *opts)
{
    if (opts->cacert)
        curl_easy_setopt(curl, CURLOPT_CAINFO, opts->cacert);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, kmesos_cli_http_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)KMESOS_CLI_HTTP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)KMESOS_CLI_HTTP_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "kmesos-cli");
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
}

int kmesos_cli_http_same_scheme(const char *a, const char *b)
{
    const char *ea = strstr(a, "://"), *eb = strstr(b, "://");
    return ea && eb && ea - a == eb - b && strncasecmp(a, b, (size_t)(ea - a)) == 0;
}

/* The host part of an absolute URL into out (lower case kept as is). */
static int kmesos_cli_http_host(const char *url, char *out, size_t len)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int rc = -1;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && strlen(host) < len) {
        strcpy(out, host);
        rc = 0;
    }
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

int kmesos_cli_http_same_host(const char *a, const char *b)
{
    char ha[256], hb[256];
    return kmesos_cli_http_host(a, ha, sizeof ha) == 0 &&
           kmesos_cli_http_host(b, hb, sizeof hb) == 0 && strcasecmp(ha, hb) == 0;
}

/* One exchange. 0 with resp (and *location: an owned copy of a 307/308's
 * target, else NULL), or -1 with err. */
static int kmesos_cli_http_once(const char *method, const char *url, const char *token,
                                const kmesos_cli_http_opts *opts, kmesos_cli_response *resp,
                                char **location, char *err, size_t errlen)
{
    memset(resp, 0, sizeof *resp);
    *location = NULL;
    CURL *curl = curl_easy_init();
    FILE *sink = open_memstream(&resp->body, &resp->len);
    char *auth = NULL;
    struct curl_slist *headers = NULL;
    int no_header = 0;
    if (token) {
        if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
            auth = NULL;
        headers = auth ? curl_slist_append(NULL, auth) : NULL;
        no_header = !headers;
    }
    if (!curl || !sink || no_header) {
        snprintf(err, errlen, "out of memory");
        if (sink)
            fclose(sink);
        curl_easy_cleanup(curl);
        curl_slist_free_all(headers);
        free(auth);
        kmesos_cli_response_free(resp);
        return -1;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    kmesos_cli_http_setup(curl, method, url, sink, curl_err, opts);
    if (headers)
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    char *target = NULL;
    if (rc == CURLE_OK && (resp->status == 307 || resp->status == 308) &&
        curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &target) == CURLE_OK && target)
        *location = strdup(target);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    if (auth)
        memset(auth, 0, strlen(auth));
    free(auth);
    fclose(sink);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", *curl_err ? curl_err : curl_easy_strerror(rc));
        kmesos_cli_response_free(resp);
        return -1;
    }
    return 0;
}

int kmesos_cli_http_request(const char *method, const char *url,
                            const kmesos_cli_http_opts *opts, kmesos_cli_response *resp,
                            char *err, size_t errlen)
{
    char *current = strdup(url);
    if (!current) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    for (int hop = 0; hop <= KMESOS_CLI_HTTP_MAX_REDIRECTS; hop++) {
        const char *token = kmesos_cli_http_same_host(url, current) ? opts->token : NULL;
        char *next = NULL;
        rc = kmesos_cli_http_once(method, current, token, opts, resp, &next, err, errlen);
        if (rc != 0 || !next)
            break;
        if (!kmesos_cli_http_same_scheme(url, next)) {
            snprintf(err, errlen, "redirected to %s, another scheme than %s: not followed",
                     next, url);
            kmesos_cli_response_free(resp);
            free(next);
            rc = -1;
            break;
        }
        if (hop == KMESOS_CLI_HTTP_MAX_REDIRECTS) {
            free(next);
            break; /* the last 307 is the answer */
        }
        kmesos_cli_response_free(resp);
        free(current);
        current = next;
    }
    free(current);
    return rc;
}

void kmesos_cli_response_free(kmesos_cli_response *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
}
