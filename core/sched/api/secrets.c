/* secrets: reads the token and TLS files of the admin API.
 *
 * Each file is read whole with stdio at start (the loop is not running
 * yet), bounded in size, and its bytes are zeroed before they are freed.
 * An error names the flag and the file, never the content. The TLS pair
 * is loaded only when libmicrohttpd reports TLS support (Debian's is built
 * with GnuTLS); a certificate or key the library cannot use is reported
 * by httpd when it starts. */
#include "sched/api/secrets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/httpd.h"

#define SECRETS_MAX_PEM (256u * 1024u)

int kmesos_api_secrets_read(const char *flag, const char *path, size_t max, char **out,
                            char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s %s: %s", flag, path, strerror(errno));
        return -1;
    }
    char *buf = calloc(1, max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > max) {
        snprintf(err, errlen, "%s %s: %s", flag, path,
                 !buf ? "out of memory" : bad ? "cannot read it" : "too large");
        if (buf)
            memset(buf, 0, max + 1);
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

void kmesos_api_secrets_wipe(char *text)
{
    if (!text)
        return;
    memset(text, 0, strlen(text));
    free(text);
}

int kmesos_api_tls_load(kmesos_api_tls *t, const char *cert_file, const char *key_file,
                        char *err, size_t errlen)
{
    t->cert = t->key = NULL;
    if (!cert_file && !key_file)
        return 0;
    if (!cert_file || !key_file) {
        snprintf(err, errlen, "%s", cert_file ? "--api-cert needs --api-key"
                                               : "--api-key needs --api-cert");
        return -1;
    }
    if (!kmesos_httpd_tls_supported()) {
        snprintf(err, errlen, "--api-cert: this libmicrohttpd has no TLS support");
        return -1;
    }
    if (kmesos_api_secrets_read("--api-cert", cert_file, SECRETS_MAX_PEM, &t->cert, err,
                                errlen) != 0 ||
        kmesos_api_secrets_read("--api-key", key_file, SECRETS_MAX_PEM, &t->key, err,
                                errlen) != 0) {
        kmesos_api_tls_free(t);
        return -1;
    }
    return 0;
}

void kmesos_api_tls_free(kmesos_api_tls *t)
{
    kmesos_api_secrets_wipe(t->cert);
    kmesos_api_secrets_wipe(t->key);
    t->cert = t->key = NULL;
}
