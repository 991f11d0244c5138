/* cli_run: the flow of one invocation. Parse (usage errors exit 2 with
 * the message and the help page to read); show help if asked; work out
 * the base URL ($KMESOS_API unless --api) and the token (--token-file,
 * else $KMESOS_API_TOKEN); build the request from the
 * spec (workload path + action, the id expression under the workload's
 * name, each option under its query name); send it; then either print
 * the answer (raw with --json, else through cli_view) or explain the
 * failure: no answer at all, or the scheduler's {"error","field"} with
 * the field translated back to the option that set it. */
#include "cli/cli_run.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_help.h"
#include "cli/cli_http.h"
#include "cli/cli_url.h"
#include "cli/cli_view.h"
#include "cli/cli_wait.h"

#define KMESOS_CLI_RUN_SNIPPET 200

/* "broker add" / "status": how messages name the command. */
static void kmesos_cli_run_context(const kmesos_cli_args *a, char *buf, size_t len)
{
    if (a->resource)
        snprintf(buf, len, "%s %s", a->resource->name, a->verb->name);
    else
        snprintf(buf, len, "%s", a->command->name);
}

const char *kmesos_cli_run_method(const kmesos_cli_args *a)
{
    return a->resource ? a->verb->method : "GET";
}

char *kmesos_cli_run_url(const kmesos_cli_args *a, const char *base)
{
    if (!a->resource)
        return kmesos_cli_url_build(base, a->command->path, NULL, 0);
    char path[128];
    snprintf(path, sizeof path, "%s/%s", a->resource->path, a->verb->name);
    kmesos_cli_param params[KMESOS_CLI_MAX_SETTINGS + 1];
    size_t n = 0;
    if (a->expr)
        params[n++] = (kmesos_cli_param){a->resource->name, a->expr};
    for (size_t i = 0; i < a->nsettings; i++)
        if (*a->settings[i].option->param) /* "": the CLI's own (--wait) */
            params[n++] = (kmesos_cli_param){a->settings[i].option->param, a->settings[i].value};
    return kmesos_cli_url_build(base, path, params, n);
}

static int kmesos_cli_run_usage(const kmesos_cli_io *io, const kmesos_cli_args *a)
{
    char hint[128];
    kmesos_cli_help_hint(hint, sizeof hint, a->command, a->resource, a->verb);
    fprintf(io->err, "kmesos: %s\nRun '%s' for usage.\n", a->error, hint);
    return KMESOS_CLI_EXIT_USAGE;
}

/* ", option --cpus" for a field the scheduler names; "" when unknown. */
static void kmesos_cli_run_field_source(const kmesos_cli_args *a, const char *field, char *buf,
                                        size_t len)
{
    const kmesos_cli_option *o = a->resource ? kmesos_cli_spec_res_param(a->resource, field) : NULL;
    if (o)
        snprintf(buf, len, ", option --%s", o->flag);
    else if (a->resource && strcmp(field, a->resource->name) == 0)
        snprintf(buf, len, a->resource->named ? ", the name '%s'" : ", the ids '%s'",
                 a->expr ? a->expr : "");
    else
        buf[0] = 0;
}

static int kmesos_cli_run_refused(const kmesos_cli_io *io, const kmesos_cli_args *a,
                                  const char *ctx, const char *url, const kmesos_cli_response *r)
{
    json_t *body = json_loadb(r->body ? r->body : "", r->len, 0, NULL);
    const char *error = json_string_value(json_object_get(body, "error"));
    const char *field = json_string_value(json_object_get(body, "field"));
    if (!error) {
        fprintf(io->err, "kmesos: %s: HTTP %ld from %s: %.*s\n", ctx, r->status, url,
                KMESOS_CLI_RUN_SNIPPET, r->body ? r->body : "");
    } else if (field) {
        char source[160];
        kmesos_cli_run_field_source(a, field, source, sizeof source);
        fprintf(io->err, "kmesos: %s: %s (field '%s'%s; HTTP %ld)\n", ctx, error, field, source,
                r->status);
    } else {
        fprintf(io->err, "kmesos: %s: %s (HTTP %ld)\n", ctx, error, r->status);
    }
    if (r->status == 404 && (!error || strcmp(error, "no such endpoint") == 0))
        fprintf(io->err, "kmesos: the scheduler does not serve %.*s; it may be older than this "
                         "kmesos\n", (int)strcspn(url, "?"), url);
    json_decref(body);
    return KMESOS_CLI_EXIT_FAILED;
}

/* 1 for broker rebalance --wait. */
/* rebalance --wait: the progress lines stand for the answer. */
static int kmesos_cli_run_waits(const kmesos_cli_args *a)
{
    return a->wait && a->verb && strcmp(a->verb->name, "rebalance") == 0;
}

static int kmesos_cli_run_show(const kmesos_cli_io *io, const kmesos_cli_args *a, const char *ctx,
                               const kmesos_cli_response *r)
{
    if (!a->json && kmesos_cli_run_waits(a))
        return KMESOS_CLI_EXIT_OK; /* --wait: the progress lines follow */
    if (a->json) {
        fwrite(r->body, 1, r->len, io->out);
        if (r->len == 0 || r->body[r->len - 1] != '\n')
            fputc('\n', io->out);
        return KMESOS_CLI_EXIT_OK;
    }
    json_error_t jerr;
    json_t *answer = json_loadb(r->body, r->len, 0, &jerr);
    int rc = KMESOS_CLI_EXIT_OK;
    if (!answer) {
        fprintf(io->err, "kmesos: %s: the answer is not JSON (%s)\n", ctx, jerr.text);
        rc = KMESOS_CLI_EXIT_FAILED;
    } else if (a->resource) {
        if (kmesos_cli_view_answer(io->out, a->resource, a->verb, answer) != 0) {
            fprintf(io->err, "kmesos: %s: unexpected answer: %.*s\n", ctx, KMESOS_CLI_RUN_SNIPPET,
                    r->body);
            rc = KMESOS_CLI_EXIT_FAILED;
        }
    } else {
        kmesos_cli_view_command(io->out, a->command, answer);
    }
    json_decref(answer);
    return rc;
}

static int kmesos_cli_run_send(const kmesos_cli_io *io, const kmesos_cli_args *a, const char *base,
                               const kmesos_cli_http_opts *opts)
{
    char ctx[64];
    kmesos_cli_run_context(a, ctx, sizeof ctx);
    char *url = kmesos_cli_run_url(a, base);
    if (!url) {
        fprintf(io->err, "kmesos: %s: out of memory\n", ctx);
        return KMESOS_CLI_EXIT_FAILED;
    }
    kmesos_cli_response r;
    char err[512];
    int rc;
    if (kmesos_cli_http_request(kmesos_cli_run_method(a), url, opts, &r, err, sizeof err) != 0) {
        fprintf(io->err, "kmesos: cannot reach the scheduler API at %s: %s\n"
                         "(is kmesos-scheduler running there? set --api URL or KMESOS_API)\n",
                base, err);
        rc = KMESOS_CLI_EXIT_FAILED;
    } else if (r.status >= 200 && r.status < 300) {
        rc = kmesos_cli_run_show(io, a, ctx, &r);
    } else if (r.status == 401) {
        rc = kmesos_cli_run_refused(io, a, ctx, url, &r);
        fprintf(io->err, "kmesos: the scheduler wants its API token: set KMESOS_API_TOKEN or "
                         "--token-file FILE%s\n", opts->token ? " (the one sent was refused)" : "");
    } else {
        rc = kmesos_cli_run_refused(io, a, ctx, url, &r);
    }
    kmesos_cli_response_free(&r);
    free(url);
    return rc;
}

/* Sends; with --wait then waits (restart: the running tasks are recorded
 * first, to tell a restarted one from one not yet restarted). */
static int kmesos_cli_run_send_wait(const kmesos_cli_io *io, const kmesos_cli_args *a,
                                    const char *base, const kmesos_cli_http_opts *opts)
{
    json_t *before = NULL, *listed = NULL;
    if (a->wait && strcmp(a->verb->name, "restart") == 0) {
        listed = kmesos_cli_wait_list(io->err, a, base, opts);
        before = listed ? kmesos_cli_wait_snapshot(listed, a->resource->plural) : NULL;
        json_decref(listed);
        if (!before)
            return KMESOS_CLI_EXIT_FAILED;
    }
    int rc = kmesos_cli_run_send(io, a, base, opts);
    if (rc == KMESOS_CLI_EXIT_OK && kmesos_cli_run_waits(a))
        rc = kmesos_cli_wait_rebalance(io->out, io->err, isatty(fileno(io->out)), base,
                                       opts) == 0 ? KMESOS_CLI_EXIT_OK : KMESOS_CLI_EXIT_FAILED;
    else if (rc == KMESOS_CLI_EXIT_OK && a->wait)
        rc = kmesos_cli_wait_run(io->out, io->err, a, base, opts, before) == 0
                 ? KMESOS_CLI_EXIT_OK
                 : KMESOS_CLI_EXIT_FAILED;
    json_decref(before);
    return rc;
}

/* --token-file: its first line, blanks at the end dropped, into *token
 * (owned). 0 (nothing without the flag), or -1 having said why. */
static int kmesos_cli_run_token(const kmesos_cli_io *io, const kmesos_cli_args *a, char **token)
{
    *token = NULL;
    if (!a->token_file)
        return 0;
    FILE *f = fopen(a->token_file, "r");
    char line[4097] = "";
    int got = f && fgets(line, sizeof line, f) != NULL;
    if (f)
        fclose(f);
    size_t n = strlen(line);
    while (n && strchr("\r\n \t", line[n - 1]))
        line[--n] = 0;
    if (!got || !n) {
        fprintf(io->err, "kmesos: --token-file %s: %s\n", a->token_file,
                !f ? "cannot open it" : "no token in it");
        return -1;
    }
    *token = strdup(line);
    memset(line, 0, sizeof line);
    return *token ? 0 : -1;
}

int kmesos_cli_run(const kmesos_cli_io *io, int argc, char **argv)
{
    kmesos_cli_args a;
    if (kmesos_cli_args_parse(&a, argc, argv) != 0)
        return kmesos_cli_run_usage(io, &a);
    if (a.help) {
        kmesos_cli_help(io->out, a.command, a.resource, a.verb);
        return KMESOS_CLI_EXIT_OK;
    }
    char err[256];
    const char *api = a.api                           ? a.api
                      : io->env_api && *io->env_api ? io->env_api
                                                    : KMESOS_CLI_URL_DEFAULT;
    char *base = kmesos_cli_url_base(api, err, sizeof err);
    if (!base) {
        fprintf(io->err, "kmesos: %s %s\n", a.api ? "--api" : "KMESOS_API", err);
        return KMESOS_CLI_EXIT_USAGE;
    }
    kmesos_cli_http_opts opts = {NULL, a.cacert};
    char *token = NULL;
    if (kmesos_cli_run_token(io, &a, &token) != 0) {
        free(base);
        return KMESOS_CLI_EXIT_USAGE;
    }
    opts.token = token ? token : io->env_token && *io->env_token ? io->env_token : NULL;
    int rc = kmesos_cli_run_send_wait(io, &a, base, &opts);
    if (token)
        memset(token, 0, strlen(token));
    free(token);
    free(base);
    return rc;
}
