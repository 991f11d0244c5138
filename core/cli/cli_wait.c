/* cli_wait: waiting for a rebalance (cli_wait.h). The line is built from
 * the progress object alone (kmesos_cli_wait_line, tested without a
 * server); the loop asks, prints when the line changed (or rewrites it on
 * a terminal with a carriage return and an erase-to-end), sleeps, and
 * stops at a final state. The exit code says whether it ended done. */
#include "cli/cli_wait.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_url.h"

static int kmesos_cli_wait_final(const char *state)
{
    return strcmp(state, "moving") != 0 && strcmp(state, "planning") != 0;
}

int kmesos_cli_wait_line(const json_t *answer, char *buf, size_t len)
{
    const json_t *p = json_object_get(answer, "rebalance");
    const char *state = json_string_value(json_object_get(p, "state"));
    if (!state)
        return -1;
    json_int_t parts = json_integer_value(json_object_get(p, "partitions"));
    json_int_t moved = json_integer_value(json_object_get(p, "moved"));
    double mb = (double)json_integer_value(json_object_get(p, "bytes")) / 1e6;
    double mb_moved = (double)json_integer_value(json_object_get(p, "bytes_moved")) / 1e6;
    double eta = json_number_value(json_object_get(p, "eta_s"));
    const char *error = json_string_value(json_object_get(p, "error"));
    const char *note = json_string_value(json_object_get(p, "note"));
    int used = snprintf(buf, len, "rebalance %s: %lld/%lld partitions, %.1f/%.1f MB", state,
                        (long long)moved, (long long)parts, mb_moved, mb);
    if (used > 0 && (size_t)used < len && eta >= 0 && eta < 1e7)
        used += snprintf(buf + used, len - (size_t)used, ", ETA %.0fs", eta);
    if (used > 0 && (size_t)used < len && (error || note))
        snprintf(buf + used, len - (size_t)used, " (%s)", error ? error : note);
    return kmesos_cli_wait_final(state);
}

static void kmesos_cli_wait_sleep(void)
{
    struct timespec ts = {KMESOS_CLI_WAIT_POLL_MS / 1000,
                          (long)(KMESOS_CLI_WAIT_POLL_MS % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One look: the line into buf and the end flag (-1: no usable answer). */
static int kmesos_cli_wait_ask(const char *url, const kmesos_cli_http_opts *opts, char *buf,
                               size_t len)
{
    kmesos_cli_response r;
    char err[256];
    if (kmesos_cli_http_request("GET", url, opts, &r, err, sizeof err) != 0) {
        snprintf(buf, len, "no answer: %s", err);
        return -1;
    }
    json_t *answer = r.status == 200 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    int rc = answer ? kmesos_cli_wait_line(answer, buf, len) : -1;
    if (rc < 0)
        snprintf(buf, len, "unexpected answer (HTTP %ld)", r.status);
    json_decref(answer);
    kmesos_cli_response_free(&r);
    return rc;
}

int kmesos_cli_wait_rebalance(FILE *out, FILE *err, int tty, const char *base,
                              const kmesos_cli_http_opts *opts)
{
    char *url = kmesos_cli_url_build(base, "/api/broker/rebalance", NULL, 0);
    char line[600], last[600] = "";
    int end = 0;
    if (!url)
        return -1;
    while (!end) {
        end = kmesos_cli_wait_ask(url, opts, line, sizeof line);
        if (end < 0)
            break;
        if (tty)
            fprintf(out, "\r%s\033[K", line);
        else if (strcmp(line, last) != 0)
            fprintf(out, "%s\n", line);
        fflush(out);
        snprintf(last, sizeof last, "%s", line);
        if (!end)
            kmesos_cli_wait_sleep();
    }
    if (tty && end >= 0)
        fputc('\n', out);
    free(url);
    if (end < 0) {
        fprintf(err, "kmesos: broker rebalance --wait: %s\n", line);
        return -1;
    }
    return strncmp(line, "rebalance done:", 15) == 0 ? 0 : -1;
}
