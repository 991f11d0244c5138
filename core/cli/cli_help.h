/* cli_help: help text, generated from the cli_spec tables. */
#ifndef KMESOS_CLI_HELP_H
#define KMESOS_CLI_HELP_H
#include <stdio.h>

#include "cli/cli_spec.h"

/* The overview (all NULL), a command's help, a workload's help (verb
 * NULL) or one action's help. */
void kmesos_cli_help(FILE *out, const kmesos_cli_command *cmd, const kmesos_cli_resource *res,
                     const kmesos_cli_verb *verb);
/* "kmesos help broker add" for the topic, to point at after an error. */
void kmesos_cli_help_hint(char *buf, size_t len, const kmesos_cli_command *cmd,
                          const kmesos_cli_resource *res, const kmesos_cli_verb *verb);

#endif
