/* secrets: the admin API's small files read once at start, before the
 * loop runs: the bearer token (guard.h) and the TLS certificate and key
 * of --api-cert/--api-key (PEM). */
#ifndef KMESOS_API_SECRETS_H
#define KMESOS_API_SECRETS_H
#include <stddef.h>

/* The whole of path (below max bytes) as a string in *out (owned; free
 * with kmesos_api_secrets_wipe). 0, or -1 with err naming flag and path. */
int kmesos_api_secrets_read(const char *flag, const char *path, size_t max, char **out,
                            char *err, size_t errlen);
/* Zeroes and frees a string from kmesos_api_secrets_read; NULL is fine. */
void kmesos_api_secrets_wipe(char *text);

typedef struct kmesos_api_tls {
    char *cert, *key; /* PEM text; both NULL: plain HTTP */
} kmesos_api_tls;

/* Reads --api-cert and --api-key (both or neither), after checking that
 * libmicrohttpd has TLS. 0, or -1 with err. */
int kmesos_api_tls_load(kmesos_api_tls *t, const char *cert_file, const char *key_file,
                        char *err, size_t errlen);
void kmesos_api_tls_free(kmesos_api_tls *t);

#endif
