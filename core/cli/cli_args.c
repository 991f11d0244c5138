/* cli_args: parses the command line in two steps. The first splits argv
 * into words (the command, action and id expression) and options, taking
 * the global ones (--api, --token-file, --cacert, --json, --help) wherever
 * they are; every other
 * option takes a value, the next argument or the text after '=', so a
 * value may start with a dash (--jvm-options -Xss1m). The second resolves
 * the words against cli_spec and checks each option and value, stopping
 * at the first problem with a message that names the argument. */
#include "cli/cli_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec/idexpr.h"
#include "cli/cli_value.h"

typedef struct kmesos_cli_raw_option {
    const char *name; /* after "--", up to '=' or the end */
    size_t len;
    const char *value;
} kmesos_cli_raw_option;

typedef struct kmesos_cli_split {
    const char *words[KMESOS_CLI_MAX_WORDS];
    size_t nwords;
    kmesos_cli_raw_option options[KMESOS_CLI_MAX_SETTINGS];
    size_t noptions;
} kmesos_cli_split;

/* Sets a->error to "CONTEXT: message", CONTEXT being what is understood
 * so far ("broker add", "status"); returns -1. */
static int kmesos_cli_args_fail(kmesos_cli_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int kmesos_cli_args_fail(kmesos_cli_args *a, const char *fmt, ...)
{
    const char *who = a->resource ? a->resource->name : a->command ? a->command->name : NULL;
    int n = 0;
    if (who)
        n = snprintf(a->error, sizeof a->error, "%s%s%s: ", who, a->verb ? " " : "",
                     a->verb ? a->verb->name : "");
    if (n < 0 || (size_t)n >= sizeof a->error)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->error + n, sizeof a->error - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int kmesos_cli_args_is(const kmesos_cli_raw_option *o, const char *name)
{
    return strlen(name) == o->len && strncmp(o->name, name, o->len) == 0;
}

/* "--name=value" or "--name value": fills o; returns the argv slots used,
 * -1 when the value is missing. */
static int kmesos_cli_args_option(kmesos_cli_raw_option *o, int i, int argc, char **argv)
{
    const char *arg = argv[i] + 2;
    const char *eq = strchr(arg, '=');
    o->name = arg;
    o->len = eq ? (size_t)(eq - arg) : strlen(arg);
    o->value = eq ? eq + 1 : NULL;
    if (eq)
        return 1;
    if (i + 1 >= argc)
        return -1;
    o->value = argv[i + 1];
    return 2;
}

static int kmesos_cli_args_global(kmesos_cli_args *a, const kmesos_cli_raw_option *o)
{
    if (kmesos_cli_args_is(o, "api")) {
        if (!o->value || !*o->value)
            return kmesos_cli_args_fail(a, "--api needs a URL such as http://127.0.0.1:7000");
        a->api = o->value;
        return 1;
    }
    const char **file = kmesos_cli_args_is(o, "token-file") ? &a->token_file
                        : kmesos_cli_args_is(o, "cacert")   ? &a->cacert
                                                            : NULL;
    if (!file)
        return 0;
    if (!o->value || !*o->value)
        return kmesos_cli_args_fail(a, "--%.*s needs a file", (int)o->len, o->name);
    *file = o->value;
    return 1;
}

/* A flag without a value (--json, --help, -h)? */
static int kmesos_cli_args_flag(kmesos_cli_args *a, const char *arg)
{
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
        return a->help = 1;
    if (strcmp(arg, "--json") == 0)
        return a->json = 1;
    if (strcmp(arg, "--wait") == 0)
        return a->wait = 1;
    return 0;
}

/* --wait=DUR: 1 when o is it (a->wait_s set), -1 on a bad duration. */
static int kmesos_cli_args_wait(kmesos_cli_args *a, const kmesos_cli_raw_option *o)
{
    long long ms = 0;
    if (!kmesos_cli_args_is(o, "wait"))
        return 0;
    if (!o->value || kmesos_cli_value_duration_ms(o->value, &ms) != 0 || ms <= 0)
        return kmesos_cli_args_fail(a, "--wait=DUR: '%s' is not a duration such as 90s or 10m",
                                    o->value ? o->value : "");
    a->wait = 1;
    a->wait_s = (double)ms / 1000.0;
    return 1;
}

/* argv[i] starts with "--": a global option is applied, any other kept
 * for later. Returns the argv slots used, or -1. */
static int kmesos_cli_args_take_option(kmesos_cli_args *a, kmesos_cli_split *s, int i, int argc,
                                       char **argv)
{
    kmesos_cli_raw_option o;
    int used = kmesos_cli_args_option(&o, i, argc, argv);
    if (used < 0)
        return kmesos_cli_args_fail(a, "%s needs a value", argv[i]);
    int global = kmesos_cli_args_wait(a, &o);
    if (global == 0)
        global = kmesos_cli_args_global(a, &o);
    if (global < 0)
        return -1;
    if (!global) {
        if (s->noptions == KMESOS_CLI_MAX_SETTINGS)
            return kmesos_cli_args_fail(a, "too many options");
        s->options[s->noptions++] = o;
    }
    return used;
}

/* 1 for an option without a value (its metavar is empty): --purge,
 * --force, --cancel. */
static int kmesos_cli_args_is_flag(const char *arg)
{
    const kmesos_cli_option *opt = strncmp(arg, "--", 2) == 0 ? kmesos_cli_spec_option(arg + 2)
                                                                 : NULL;
    return opt && opt->metavar && !*opt->metavar;
}

static int kmesos_cli_args_split(kmesos_cli_args *a, kmesos_cli_split *s, int argc, char **argv)
{
    int only_words = 0;
    for (int i = 1; i < argc;) {
        const char *arg = argv[i];
        int used = 1;
        if (!only_words && strcmp(arg, "--") == 0)
            only_words = 1;
        else if (!only_words && kmesos_cli_args_flag(a, arg))
            used = 1;
        else if (!only_words && kmesos_cli_args_is_flag(arg) &&
                 s->noptions < KMESOS_CLI_MAX_SETTINGS) /* --purge, --force: NAME=true */
            s->options[s->noptions++] = (kmesos_cli_raw_option){arg + 2, strlen(arg + 2), "true"};
        else if (!only_words && strncmp(arg, "--", 2) == 0)
            used = kmesos_cli_args_take_option(a, s, i, argc, argv);
        else if (s->nwords == KMESOS_CLI_MAX_WORDS)
            return kmesos_cli_args_fail(a, "too many arguments");
        else
            s->words[s->nwords++] = arg;
        if (used < 0)
            return -1;
        i += used;
    }
    return 0;
}

static int kmesos_cli_args_no_more(kmesos_cli_args *a, const kmesos_cli_split *s, size_t used)
{
    if (s->nwords > used)
        return kmesos_cli_args_fail(a, "unexpected argument '%s'", s->words[used]);
    return 0;
}

/* help [COMMAND [ACTION]]: resolves the topic into a->command/resource/verb. */
static int kmesos_cli_args_help_topic(kmesos_cli_args *a, const kmesos_cli_split *s)
{
    a->help = 1;
    if (s->nwords > 3)
        return kmesos_cli_args_fail(a, "help: unexpected argument '%s'", s->words[3]);
    if (s->nwords < 2)
        return 0;
    const kmesos_cli_resource *res = kmesos_cli_spec_resource(s->words[1]);
    const kmesos_cli_command *cmd = res ? NULL : kmesos_cli_spec_command(s->words[1]);
    if (!res && !cmd)
        return kmesos_cli_args_fail(a, "help: unknown command '%s'", s->words[1]);
    if (cmd && s->nwords > 2)
        return kmesos_cli_args_fail(a, "help: %s has no actions ('%s')", cmd->name, s->words[2]);
    const kmesos_cli_verb *verb =
        res && s->nwords > 2 ? kmesos_cli_spec_verb(res, s->words[2]) : NULL;
    if (res && s->nwords > 2 && !verb)
        return kmesos_cli_args_fail(a, "help: %s has no action '%s'", res->name, s->words[2]);
    a->resource = res;
    a->command = cmd;
    a->verb = verb;
    return 0;
}

static int kmesos_cli_args_setting(kmesos_cli_args *a, const kmesos_cli_raw_option *o)
{
    const kmesos_cli_option *opt = NULL;
    if (a->resource && a->verb && (a->verb->flags & KMESOS_CLI_VERB_TAKES_OPTIONS)) {
        char flag[64];
        snprintf(flag, sizeof flag, "%.*s", (int)o->len, o->name);
        opt = kmesos_cli_spec_res_option(a->resource, flag);
    }
    if (!opt && a->verb && a->verb->options) {
        char flag[64];
        snprintf(flag, sizeof flag, "%.*s", (int)o->len, o->name);
        opt = kmesos_cli_spec_verb_option(a->verb, flag);
    }
    if (!opt && a->resource && a->verb) {
        char flag[64];
        snprintf(flag, sizeof flag, "%.*s", (int)o->len, o->name);
        if (kmesos_cli_spec_res_option(a->resource, flag))
            return kmesos_cli_args_fail(a, "--%s is an option of add%s update only", flag,
                                        kmesos_cli_spec_verb(a->resource, "clone")
                                            ? ", clone and" : " and");
    }
    if (!opt && a->resource && a->verb && (a->verb->flags & KMESOS_CLI_VERB_TAKES_OPTIONS)) {
        char flag[64];
        const kmesos_cli_resource *broker = kmesos_cli_spec_resource("broker");
        snprintf(flag, sizeof flag, "%.*s", (int)o->len, o->name);
        if (broker && broker != a->resource && !a->resource->named &&
            kmesos_cli_spec_res_option(broker, flag))
            return kmesos_cli_args_fail(a, "--%s is a broker-only option (a %s has no port, "
                                        "data dir or stickiness)", flag, a->resource->name);
    }
    if (!opt)
        return kmesos_cli_args_fail(a, "unknown option --%.*s", (int)o->len, o->name);
    for (size_t i = 0; i < a->nsettings; i++)
        if (a->settings[i].option == opt)
            return kmesos_cli_args_fail(a, "--%s given twice", opt->flag);
    char why[256];
    if (kmesos_cli_value_check(opt->kind, o->value, why, sizeof why) != 0)
        return kmesos_cli_args_fail(a, "--%s '%s': %s", opt->flag, o->value, why);
    a->settings[a->nsettings].option = opt;
    a->settings[a->nsettings].value = o->value;
    a->nsettings++;
    return 0;
}

static int kmesos_cli_args_settings(kmesos_cli_args *a, const kmesos_cli_split *s)
{
    for (size_t i = 0; i < s->noptions; i++)
        if (kmesos_cli_args_setting(a, &s->options[i]) != 0)
            return -1;
    if (a->verb && (a->verb->flags & KMESOS_CLI_VERB_NEEDS_OPTION) && a->nsettings == 0)
        return kmesos_cli_args_fail(a, "nothing to change; give at least one option, e.g. --%s",
                                    a->resource->options[0]);
    return 0;
}

static int kmesos_cli_args_expr(kmesos_cli_args *a, const kmesos_cli_split *s)
{
    if (s->nwords < 3) {
        if (a->verb->flags & KMESOS_CLI_VERB_EXPR_OPTIONAL)
            return 0;
        if (a->resource->named)
            return kmesos_cli_args_fail(a, "missing the %s's name", a->resource->name);
        return kmesos_cli_args_fail(a, "missing the ids: give %s", KMESOS_IDEXPR_HELP);
    }
    char why[256];
    if (a->resource->named && kmesos_cli_value_check(KMESOS_CLI_TOPIC, s->words[2], why,
                                                     sizeof why) != 0)
        return kmesos_cli_args_fail(a, "bad %s name '%s': %s", a->resource->name, s->words[2],
                                    why);
    if (!a->resource->named && kmesos_idexpr_check(s->words[2], KMESOS_IDEXPR_MAX_ID, why, sizeof why) != 0)
        return kmesos_cli_args_fail(a, "bad id expression '%s': %s", s->words[2], why);
    a->expr = s->words[2];
    return kmesos_cli_args_no_more(a, s, 3);
}

/* WORKLOAD ACTION [EXPR] [options]. */
static int kmesos_cli_args_resource(kmesos_cli_args *a, const kmesos_cli_split *s)
{
    if (s->nwords < 2) {
        if (a->help)
            return 0;
        char verbs[160] = "";
        for (size_t i = 0; a->resource->verbs[i]; i++)
            snprintf(verbs + strlen(verbs), sizeof verbs - strlen(verbs), "%s%s",
                     i ? ", " : "", a->resource->verbs[i]);
        return kmesos_cli_args_fail(a, "missing the action (%s)", verbs);
    }
    a->verb = kmesos_cli_spec_verb(a->resource, s->words[1]);
    if (!a->verb)
        return kmesos_cli_args_fail(a, "unknown action '%s'", s->words[1]);
    if (a->help)
        return 0;
    if (kmesos_cli_args_expr(a, s) != 0)
        return -1;
    return kmesos_cli_args_settings(a, s);
}

static int kmesos_cli_args_resolve(kmesos_cli_args *a, const kmesos_cli_split *s)
{
    if (s->nwords == 0) {
        if (a->help)
            return 0;
        return kmesos_cli_args_fail(a, "missing the command");
    }
    if (strcmp(s->words[0], "help") == 0)
        return kmesos_cli_args_help_topic(a, s);
    a->resource = kmesos_cli_spec_resource(s->words[0]);
    if (a->resource)
        return kmesos_cli_args_resource(a, s);
    a->command = kmesos_cli_spec_command(s->words[0]);
    if (!a->command)
        return kmesos_cli_args_fail(a, "unknown command '%s'", s->words[0]);
    if (a->help)
        return 0;
    if (kmesos_cli_args_no_more(a, s, 1) != 0)
        return -1;
    return kmesos_cli_args_settings(a, s);
}

int kmesos_cli_args_parse(kmesos_cli_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->wait_s = KMESOS_CLI_WAIT_DEFAULT_S;
    kmesos_cli_split s;
    memset(&s, 0, sizeof s);
    if (kmesos_cli_args_split(a, &s, argc, argv) != 0 || kmesos_cli_args_resolve(a, &s) != 0)
        return -1;
    if (a->wait && !a->help &&
        !(a->verb && (strcmp(a->verb->name, "start") == 0 || strcmp(a->verb->name, "restart") == 0 ||
                      strcmp(a->verb->name, "rebalance") == 0)))
        return kmesos_cli_args_fail(a, "--wait goes with start, restart and rebalance only");
    return 0;
}
