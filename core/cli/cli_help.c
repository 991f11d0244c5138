/* cli_help: every help page is built from the spec tables, so options,
 * actions and examples cannot drift from what the parser accepts. Pages:
 * the overview (commands and global options), a workload (its actions,
 * options, id expressions and all examples), one action (its usage line,
 * options when it takes any, and its own examples) and a plain command. */
#include "cli/cli_help.h"

#include <string.h>

#include "codec/idexpr.h"
#include "cli/cli_url.h"

#define KMESOS_CLI_HELP_COL 30

/* "  NAME      text" with text in the help column; a '\n' in text goes
 * on under the column; a name too long for its column gets its own line. */
static void kmesos_cli_help_row(FILE *out, const char *name, const char *text)
{
    int width = KMESOS_CLI_HELP_COL - 2;
    if ((int)strlen(name) + 2 > width)
        fprintf(out, "  %s\n%*s", name, KMESOS_CLI_HELP_COL, "");
    else
        fprintf(out, "  %-*s", width, name);
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            fprintf(out, "\n%*s", KMESOS_CLI_HELP_COL, "");
        else
            fputc(*p, out);
    }
    fputc('\n', out);
}

static void kmesos_cli_help_globals(FILE *out)
{
    fprintf(out, "\nGlobal options (anywhere on the line):\n");
    kmesos_cli_help_row(out, "--api URL",
                        "the scheduler's API; default $KMESOS_API, else\n" KMESOS_CLI_URL_DEFAULT);
    kmesos_cli_help_row(out, "--token-file FILE",
                        "the API's bearer token (kmesos-scheduler\n--api-token-file); default "
                        "$KMESOS_API_TOKEN");
    kmesos_cli_help_row(out, "--cacert FILE", "CA certificate(s), PEM, to check an\nhttps:// API");
    kmesos_cli_help_row(out, "--json", "print the API's JSON answer as it came");
    kmesos_cli_help_row(out, "--help, -h", "help of the command instead of running it");
}

static void kmesos_cli_help_overview(FILE *out)
{
    fprintf(out, "Usage: kmesos [--api URL] [--token-file FILE] [--cacert FILE] [--json]\n"
                 "              COMMAND [ARGS]\n\n"
                 "Drives the kafka-mesos scheduler through its REST API.\n\nCommands:\n");
    const kmesos_cli_resource *res;
    for (size_t i = 0; (res = kmesos_cli_spec_resource_at(i)); i++)
        kmesos_cli_help_row(out, res->name, res->summary);
    const kmesos_cli_command *cmd;
    for (size_t i = 0; (cmd = kmesos_cli_spec_command_at(i)); i++)
        kmesos_cli_help_row(out, cmd->name, cmd->summary);
    kmesos_cli_help_globals(out);
    fprintf(out, "\nExit status: 0 done; 1 the scheduler refused the request or could not be\n"
                 "reached; 2 usage error (nothing was sent).\n\n"
                 "Run 'kmesos help COMMAND' for its actions, options and examples.\n");
}

/* The usage of an action: a row of the workload's list, or the head of its page. */
static void kmesos_cli_help_verb_usage(FILE *out, const kmesos_cli_resource *res,
                                       const kmesos_cli_verb *verb, int listing)
{
    char usage[128];
    const char *expr = (verb->flags & KMESOS_CLI_VERB_EXPR_OPTIONAL)
                           ? (res->named ? "[NAME]" : "[EXPR]")
                           : (res->named ? "NAME" : "EXPR");
    const char *opts = (verb->flags & KMESOS_CLI_VERB_NEEDS_OPTION)   ? " OPTIONS..."
                       : (verb->flags & KMESOS_CLI_VERB_TAKES_OPTIONS) || verb->options
                           ? " [OPTIONS]"
                                                                        : "";
    snprintf(usage, sizeof usage, "%s %s%s", verb->name, expr, opts);
    if (listing)
        kmesos_cli_help_row(out, usage, kmesos_cli_spec_verb_summary(res, verb));
    else
        fprintf(out, "Usage: kmesos %s %s\n\n%s %s: %s.\n", res->name, usage, res->name,
                verb->name, kmesos_cli_spec_verb_summary(res, verb));
}

static void kmesos_cli_help_option_list(FILE *out, const char *const *flags)
{
    for (size_t i = 0; flags[i]; i++) {
        const kmesos_cli_option *o = kmesos_cli_spec_option(flags[i]);
        char flag[64];
        snprintf(flag, sizeof flag, "--%s %s", o->flag, o->metavar);
        kmesos_cli_help_row(out, flag, o->help);
    }
}

static void kmesos_cli_help_options(FILE *out, const kmesos_cli_resource *res)
{
    kmesos_cli_help_option_list(out, res->options);
}

static void kmesos_cli_help_examples(FILE *out, const kmesos_cli_example *ex, size_t n,
                                     const char *verb)
{
    fprintf(out, "\nExamples:\n");
    for (size_t i = 0; i < n; i++)
        if (!verb || (ex[i].verb && strcmp(ex[i].verb, verb) == 0))
            fprintf(out, "  %s\n", ex[i].line);
}

static void kmesos_cli_help_expr(FILE *out, const kmesos_cli_resource *res)
{
    if (res->named) {
        fprintf(out, "\nNAME is the %s's name: 1 to 249 letters, digits, '.', '_' or '-'.\n",
                res->name);
        return;
    }
    fprintf(out, "\nEXPR, the ids, is the same for every action and workload:\n"
                 "  " KMESOS_IDEXPR_HELP ".\n");
}

static void kmesos_cli_help_resource(FILE *out, const kmesos_cli_resource *res)
{
    fprintf(out, "Usage: kmesos %s ACTION %s [OPTIONS]\n\n%s.\n\nActions:\n", res->name,
            res->named ? "NAME" : "EXPR", res->summary);
    for (size_t i = 0; res->verbs[i]; i++)
        kmesos_cli_help_verb_usage(out, res, kmesos_cli_spec_verb(res, res->verbs[i]), 1);
    fprintf(out, "\nOptions of add and update:\n");
    kmesos_cli_help_options(out, res);
    kmesos_cli_help_expr(out, res);
    kmesos_cli_help_globals(out);
    kmesos_cli_help_examples(out, res->examples, res->nexamples, NULL);
    fprintf(out, "\nRun 'kmesos help %s ACTION' for one action.\n", res->name);
}

static void kmesos_cli_help_action(FILE *out, const kmesos_cli_resource *res,
                                   const kmesos_cli_verb *verb)
{
    kmesos_cli_help_verb_usage(out, res, verb, 0);
    if (verb->flags & KMESOS_CLI_VERB_TAKES_OPTIONS) {
        fprintf(out, "\nOptions:\n");
        kmesos_cli_help_options(out, res);
    }
    if (verb->options) {
        fprintf(out, "\nOptions:\n");
        kmesos_cli_help_option_list(out, verb->options);
    }
    if (strcmp(verb->name, "start") == 0 || strcmp(verb->name, "restart") == 0) {
        fprintf(out, "\nOptions:\n");
        kmesos_cli_help_row(out, "--wait[=DUR]",
                            "then wait until they run (restart: run again\nunder new tasks), "
                            "showing progress; give up\nafter DUR (default 10m): exit 1");
    }
    if (strcmp(verb->name, "rebalance") == 0)
        kmesos_cli_help_row(out, "--wait",
                            "then wait until the rebalance ends, showing\nprogress; exit 1 "
                            "unless it ended done");
    kmesos_cli_help_expr(out, res);
    kmesos_cli_help_globals(out);
    kmesos_cli_help_examples(out, res->examples, res->nexamples, verb->name);
}

static void kmesos_cli_help_command(FILE *out, const kmesos_cli_command *cmd)
{
    if (cmd->path)
        fprintf(out, "Usage: kmesos %s [--json]\n\n%s\n(GET %s)\n", cmd->name, cmd->help,
                cmd->path);
    else
        fprintf(out, "Usage: kmesos help [COMMAND [ACTION]]\n\n%s\n", cmd->help);
    kmesos_cli_help_globals(out);
    kmesos_cli_help_examples(out, cmd->examples, cmd->nexamples, NULL);
}

void kmesos_cli_help(FILE *out, const kmesos_cli_command *cmd, const kmesos_cli_resource *res,
                     const kmesos_cli_verb *verb)
{
    if (res && verb)
        kmesos_cli_help_action(out, res, verb);
    else if (res)
        kmesos_cli_help_resource(out, res);
    else if (cmd)
        kmesos_cli_help_command(out, cmd);
    else
        kmesos_cli_help_overview(out);
}

void kmesos_cli_help_hint(char *buf, size_t len, const kmesos_cli_command *cmd,
                          const kmesos_cli_resource *res, const kmesos_cli_verb *verb)
{
    if (res)
        snprintf(buf, len, "kmesos help %s%s%s", res->name, verb ? " " : "",
                 verb ? verb->name : "");
    else if (cmd)
        snprintf(buf, len, "kmesos help %s", cmd->name);
    else
        snprintf(buf, len, "kmesos help");
}
