/* cli_args: the kmesos command line, parsed and checked against cli_spec.
 *   kmesos [--api URL] [--token-file FILE] [--cacert FILE] [--json] COMMAND
 *          [ARGS] [--help]
 *   kmesos WORKLOAD ACTION [EXPR] [--OPTION VALUE | --OPTION=VALUE]...
 *   kmesos WORKLOAD start|restart EXPR --wait[=DUR]
 *   kmesos help [COMMAND [ACTION]]
 * Global options may stand anywhere. Values point into argv (nothing is
 * allocated). */
#ifndef KMESOS_CLI_ARGS_H
#define KMESOS_CLI_ARGS_H
#include <stddef.h>

#include "cli/cli_spec.h"

#define KMESOS_CLI_MAX_SETTINGS 32
#define KMESOS_CLI_MAX_WORDS 8
#define KMESOS_CLI_WAIT_DEFAULT_S 600 /* --wait without =DUR: 10 minutes */

typedef struct kmesos_cli_setting {
    const kmesos_cli_option *option;
    const char *value;
} kmesos_cli_setting;

typedef struct kmesos_cli_args {
    const char *api; /* --api URL; NULL when not given */
    const char *token_file; /* --token-file FILE; NULL: $KMESOS_API_TOKEN */
    const char *cacert;     /* --cacert FILE (https) or NULL */
    int json;        /* --json: print the API's answer as it came */
    int help;        /* --help, -h or the help command: show help, send nothing */
    int wait;        /* --wait[=DUR] (start, restart): wait until they run (cli_wait.h) */
    double wait_s;   /* how long --wait waits (default KMESOS_CLI_WAIT_DEFAULT_S) */
    /* What to run (or, with help, what to show help for; all NULL: the
     * overview). Either command, or resource with verb (verb may be NULL
     * for help on the whole workload). */
    const kmesos_cli_command *command;
    const kmesos_cli_resource *resource;
    const kmesos_cli_verb *verb;
    const char *expr; /* id expression; NULL for list without one */
    kmesos_cli_setting settings[KMESOS_CLI_MAX_SETTINGS];
    size_t nsettings;
    char error[512]; /* the usage error, naming the argument */
} kmesos_cli_args;

/* Parses argv (argv[0] is the program). 0, or -1 with a->error set; a->
 * command/resource/verb are set as far as they were understood, so the
 * caller can point at the right help. */
int kmesos_cli_args_parse(kmesos_cli_args *a, int argc, char **argv);

#endif
