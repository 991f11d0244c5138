/* cli_wait: waits for started or restarted workloads to run, and for a
 * rebalance to end (cli_wait.h). Each round is one GET (the list, or the
 * rebalance's progress), turned into figures or a line by a pure function
 * over the JSON (tested without a scheduler); a round whose request
 * fails is only reported, the next one may succeed. Both show progress
 * through wait_show: a line rewritten in place on a terminal, else a
 * plain line when it changed. Blocking sleeps are fine here: the CLI has
 * no event loop. */
#include "cli/cli_wait.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_url.h"

static const char *wait_task_id(const json_t *item)
{
    const json_t *task = json_object_get(item, "task");
    const char *state = json_string_value(json_object_get(task, "state"));
    if (!state || strcmp(state, "TASK_RUNNING") != 0)
        return NULL;
    return json_string_value(json_object_get(task, "id"));
}

json_t *kmesos_cli_wait_snapshot(const json_t *answer, const char *plural)
{
    json_t *snap = json_object();
    const json_t *items = json_object_get(answer, plural);
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item) {
        const char *task = wait_task_id(item);
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(item, "id")));
        if (snap && task)
            json_object_set_new(snap, key, json_string(task));
    }
    return snap;
}

static void wait_missing(kmesos_cli_wait_count *c, const char *key)
{
    size_t len = strlen(c->missing);
    if (len + strlen(key) + 2 < sizeof c->missing)
        snprintf(c->missing + len, sizeof c->missing - len, "%s%s", len ? "," : "", key);
}

void kmesos_cli_wait_count_of(const json_t *answer, const char *plural, const json_t *before,
                              kmesos_cli_wait_count *c)
{
    memset(c, 0, sizeof *c);
    const json_t *items = json_object_get(answer, plural);
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item) {
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(item, "id")));
        const char *old = before ? json_string_value(json_object_get(before, key)) : NULL;
        if (before && !old)
            continue; /* was not running: a rolling restart leaves it alone */
        const char *task = wait_task_id(item);
        c->total++;
        if (task && (!old || strcmp(old, task) != 0))
            c->done++;
        else
            wait_missing(c, key);
    }
}

/* Shows a progress line: rewritten in place on a terminal, else printed
 * when it differs from last (then kept there). */
static void wait_show(FILE *out, int tty, const char *line, char *last, size_t n)
{
    if (tty)
        fprintf(out, "\r%s\033[K", line);
    else if (strcmp(line, last) != 0)
        fprintf(out, "%s\n", line);
    snprintf(last, n, "%s", line);
    fflush(out);
}

void kmesos_cli_wait_progress(FILE *out, int tty, const char *plural, int restart,
                              const kmesos_cli_wait_count *c, char *last, size_t n)
{
    char line[160];
    snprintf(line, sizeof line, "%s running%s: %zu/%zu", plural, restart ? " again" : "",
             c->done, c->total);
    wait_show(out, tty, line, last, n);
}

json_t *kmesos_cli_wait_list(FILE *errf, const kmesos_cli_args *a, const char *base,
                             const kmesos_cli_http_opts *opts)
{
    char path[128];
    snprintf(path, sizeof path, "%s/list", a->resource->path);
    kmesos_cli_param p = {a->resource->name, a->expr};
    char *url = kmesos_cli_url_build(base, path, &p, 1);
    kmesos_cli_response r;
    char err[512];
    json_t *answer = NULL;
    if (!url)
        snprintf(err, sizeof err, "out of memory");
    else if (kmesos_cli_http_request("GET", url, opts, &r, err, sizeof err) == 0) {
        if (r.status == 200)
            answer = json_loadb(r.body, r.len, 0, NULL);
        snprintf(err, sizeof err, "HTTP %ld from %s", r.status, url);
        kmesos_cli_response_free(&r);
    }
    if (!answer)
        fprintf(errf, "kmesos: %s %s --wait: cannot list them: %s\n", a->resource->name,
                a->verb->name, err);
    free(url);
    return answer;
}

static double wait_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wait_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The end: a summary line, or what is missing. */
static int wait_end(FILE *out, FILE *err, const kmesos_cli_args *a, int tty,
                    const kmesos_cli_wait_count *c, int done, double took)
{
    if (tty)
        fputc('\n', out);
    if (done) {
        fprintf(out, "%zu %s running%s after %.0f s\n", c->total,
                c->total == 1 ? a->resource->name : a->resource->plural,
                strcmp(a->verb->name, "restart") == 0 ? " again" : "", took);
        return 0;
    }
    fprintf(err, "kmesos: %s %s --wait: gave up after %.0f s: %zu of %zu running; not yet: "
                     "%s\n", a->resource->name, a->verb->name, took, c->done, c->total,
            c->missing);
    return -1;
}

int kmesos_cli_wait_run(FILE *out, FILE *err, const kmesos_cli_args *a, const char *base,
                        const kmesos_cli_http_opts *opts, const json_t *before)
{
    int tty = isatty(fileno(out));
    double start = wait_now_s();
    char last[160] = "";
    kmesos_cli_wait_count c = {0};
    for (;;) {
        json_t *answer = kmesos_cli_wait_list(err, a, base, opts);
        if (answer) {
            kmesos_cli_wait_count_of(answer, a->resource->plural, before, &c);
            kmesos_cli_wait_progress(out, tty, a->resource->plural, before != NULL, &c,
                                     last, sizeof last);
            json_decref(answer);
            if (c.done == c.total)
                return wait_end(out, err, a, tty, &c, 1, wait_now_s() - start);
        }
        if (wait_now_s() - start >= a->wait_s)
            return wait_end(out, err, a, tty, &c, 0, wait_now_s() - start);
        wait_sleep_ms(KMESOS_CLI_WAIT_POLL_MS);
    }
}

/* ---- rebalance ------------------------------------------------------------------------------ */

static int wait_final(const char *state)
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
    return wait_final(state);
}

/* One look: the line into buf and the end flag (-1: no usable answer). */
static int wait_ask(const char *url, const kmesos_cli_http_opts *opts, char *buf, size_t len)
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
        end = wait_ask(url, opts, line, sizeof line);
        if (end < 0)
            break;
        wait_show(out, tty, line, last, sizeof last);
        if (!end)
            wait_sleep_ms(KMESOS_CLI_WAIT_POLL_MS);
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
