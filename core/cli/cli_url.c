/* cli_url: builds request URLs. The base is checked once (scheme, host)
 * and normalised so that "127.0.0.1:7000", "http://127.0.0.1:7000/" and
 * "http://127.0.0.1:7000/api" all work; paths from cli_spec start with
 * "/api/". Query names and values go through curl_easy_escape, so a
 * value with spaces, '&', '=' or '+' (JVM options, constraints with
 * regular expressions) arrives as typed. The text is written to a
 * memory stream, which grows as needed. */
#include "cli/cli_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static int kmesos_cli_url_has_scheme(const char *api)
{
    return strncmp(api, "http://", 7) == 0 || strncmp(api, "https://", 8) == 0;
}

char *kmesos_cli_url_base(const char *api, char *err, size_t errlen)
{
    if (!api || !*api) {
        snprintf(err, errlen, "empty URL; expected e.g. " KMESOS_CLI_URL_DEFAULT);
        return NULL;
    }
    if (strstr(api, "://") && !kmesos_cli_url_has_scheme(api)) {
        snprintf(err, errlen, "'%s': expected an http:// or https:// URL", api);
        return NULL;
    }
    const char *prefix = kmesos_cli_url_has_scheme(api) ? "" : "http://";
    char *base = NULL;
    if (asprintf(&base, "%s%s", prefix, api) < 0)
        return NULL;
    size_t host_at = (size_t)(strstr(base, "://") + 3 - base);
    size_t n = strlen(base);
    while (n > host_at && base[n - 1] == '/')
        base[--n] = 0;
    if (n >= host_at + 4 && strcmp(base + n - 4, "/api") == 0)
        base[n - 4] = 0;
    const char *host = base + host_at;
    if (!*host || *host == '/' || *host == ':') {
        snprintf(err, errlen, "'%s': no host; expected e.g. " KMESOS_CLI_URL_DEFAULT, api);
        free(base);
        return NULL;
    }
    return base;
}

static int kmesos_cli_url_put_escaped(FILE *f, const char *text)
{
    char *esc = curl_easy_escape(NULL, text, 0);
    if (!esc)
        return -1;
    fputs(esc, f);
    curl_free(esc);
    return 0;
}

char *kmesos_cli_url_build(const char *base, const char *path, const kmesos_cli_param *params,
                           size_t nparams)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fputs(base, f);
    fputs(path, f);
    int failed = 0;
    for (size_t i = 0; i < nparams && !failed; i++) {
        fputc(i == 0 ? '?' : '&', f);
        failed |= kmesos_cli_url_put_escaped(f, params[i].name);
        fputc('=', f);
        failed |= kmesos_cli_url_put_escaped(f, params[i].value);
    }
    failed |= ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(text);
        return NULL;
    }
    return text;
}
