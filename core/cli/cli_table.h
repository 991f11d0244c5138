/* cli_table: a text table with left-aligned columns two blanks apart. */
#ifndef KMESOS_CLI_TABLE_H
#define KMESOS_CLI_TABLE_H
#include <stddef.h>
#include <stdio.h>

#define KMESOS_CLI_TABLE_MAX_COLS 16

typedef struct kmesos_cli_table kmesos_cli_table;

/* A table with the given headers (copied), 1 to KMESOS_CLI_TABLE_MAX_COLS
 * columns. NULL otherwise or on allocation failure. */
kmesos_cli_table *kmesos_cli_table_new(const char *const *headers, size_t ncols);
/* Appends a row of ncols cells (copied; NULL prints as "-"). 0 or -1. */
int kmesos_cli_table_add(kmesos_cli_table *t, const char *const *cells);
size_t kmesos_cli_table_rows(const kmesos_cli_table *t);
void kmesos_cli_table_print(const kmesos_cli_table *t, FILE *out);
void kmesos_cli_table_free(kmesos_cli_table *t);

#endif
