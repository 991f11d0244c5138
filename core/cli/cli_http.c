/* cli_http: the CLI's only network code, a libcurl easy handle per
 * request: a CLI runs one request and may block on it. The body is
 * collected in a memory stream; POSTs carry an empty body (parameters
 * travel in the query string). Connect and total timeouts keep a stuck
 * scheduler from hanging the shell; a transport failure is reported with
 * libcurl's own words ("Couldn't connect to server"). The caller has
 * called curl_global_init. */
#include "cli/cli_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static size_t kmesos_cli_http_collect(char *data, size_t size, size_t n, void *arg)
{
    return fwrite(data, size, n, (FILE *)arg) * size;
}

static void kmesos_cli_http_setup(CURL *curl, const char *method, const char *url, FILE *sink,
                                  char *curl_err)
{
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

int kmesos_cli_http_request(const char *method, const char *url, kmesos_cli_response *resp,
                            char *err, size_t errlen)
{
    memset(resp, 0, sizeof *resp);
    CURL *curl = curl_easy_init();
    FILE *sink = open_memstream(&resp->body, &resp->len);
    if (!curl || !sink) {
        snprintf(err, errlen, "out of memory");
        if (sink)
            fclose(sink);
        curl_easy_cleanup(curl);
        kmesos_cli_response_free(resp);
        return -1;
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    kmesos_cli_http_setup(curl, method, url, sink, curl_err);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_cleanup(curl);
    fclose(sink);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s", *curl_err ? curl_err : curl_easy_strerror(rc));
        kmesos_cli_response_free(resp);
        return -1;
    }
    return 0;
}

void kmesos_cli_response_free(kmesos_cli_response *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
}
