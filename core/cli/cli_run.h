/* cli_run: one kmesos invocation, from argv to exit status. */
#ifndef KMESOS_CLI_RUN_H
#define KMESOS_CLI_RUN_H
#include <stdio.h>

#include "cli/cli_args.h"

enum {
    KMESOS_CLI_EXIT_OK = 0,
    KMESOS_CLI_EXIT_FAILED = 1, /* refused by the scheduler, or unreachable */
    KMESOS_CLI_EXIT_USAGE = 2,  /* bad command line; nothing was sent */
};

typedef struct kmesos_cli_io {
    FILE *out;           /* answers and help */
    FILE *err;           /* errors */
    const char *env_api; /* $KMESOS_API, or NULL */
    const char *env_token; /* $KMESOS_API_TOKEN, or NULL */
} kmesos_cli_io;

/* Parses argv, sends the request, prints the answer; a KMESOS_CLI_EXIT_*.
 * curl_global_init must have been called. */
int kmesos_cli_run(const kmesos_cli_io *io, int argc, char **argv);

/* The request parsed args stand for (not help): method and full URL
 * under base (allocated; NULL on allocation failure). */
const char *kmesos_cli_run_method(const kmesos_cli_args *args);
char *kmesos_cli_run_url(const kmesos_cli_args *args, const char *base);

#endif
