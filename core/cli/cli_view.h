/* cli_view: the human-readable rendering of the API's answers. */
#ifndef KMESOS_CLI_VIEW_H
#define KMESOS_CLI_VIEW_H
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/cli_spec.h"

/* The member at a dotted path ("task.state"); NULL when any step is missing. */
const json_t *kmesos_cli_view_lookup(const json_t *item, const char *path);
/* A cell's text in buf: "-" for null or missing, yes/no for booleans,
 * numbers without trailing zeros, an object's "message" (or "reason"), or
 * compact JSON. Returns buf. */
const char *kmesos_cli_view_cell(const json_t *value, char *buf, size_t len);
/* A table of items (a JSON array of objects) in the given columns, or the
 * line "no <plural>" when there are none. */
void kmesos_cli_view_table(FILE *out, const kmesos_cli_column *columns, size_t ncolumns,
                           const json_t *items, const char *plural);
/* The answer of a workload action: the items table (under a heading like
 * "brokers added:"), or the ids it reports ("removed brokers: 0, 2").
 * 0, or -1 when the answer lacks the expected member. */
int kmesos_cli_view_answer(FILE *out, const kmesos_cli_resource *res, const kmesos_cli_verb *verb,
                           const json_t *answer);

/* The answer of a plain command (status, tasks, policy) through its view.
 * 0, or -1 when the command has no view. */
int kmesos_cli_view_command(FILE *out, const kmesos_cli_command *cmd, const json_t *answer);

void kmesos_cli_view_status(FILE *out, const json_t *answer);
void kmesos_cli_view_tasks(FILE *out, const json_t *answer);
void kmesos_cli_view_policy(FILE *out, const json_t *answer);

#endif
