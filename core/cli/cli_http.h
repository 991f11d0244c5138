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

/* Sends method ("GET" or "POST", empty body) to url. 0 with resp filled
 * (whatever the status), or -1 with err when no answer came (refused,
 * timeout, bad host): libcurl's reason. */
int kmesos_cli_http_request(const char *method, const char *url, kmesos_cli_response *resp,
                            char *err, size_t errlen);
void kmesos_cli_response_free(kmesos_cli_response *resp);

#endif
