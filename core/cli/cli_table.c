/* cli_table: collects rows of strings, then prints them with each column
 * as wide as its widest cell (headers included) and two blanks between
 * columns; the last column is not padded, so no line ends in blanks.
 * Cells are copied: row 0 holds the headers; the rows array doubles as
 * it fills. Widths count bytes, which is right for the ASCII the API
 * sends (ids, states, host names). */
#include "cli/cli_table.h"

#include <stdlib.h>
#include <string.h>

#define KMESOS_CLI_TABLE_GAP 2

struct kmesos_cli_table {
    size_t ncols;
    size_t nrows; /* including the header row */
    size_t cap;
    char **cells; /* nrows * ncols */
};

static int kmesos_cli_table_grow(kmesos_cli_table *t)
{
    if (t->nrows < t->cap)
        return 0;
    size_t cap = t->cap ? t->cap * 2 : 8;
    char **cells = realloc(t->cells, cap * t->ncols * sizeof *cells);
    if (!cells)
        return -1;
    t->cells = cells;
    t->cap = cap;
    return 0;
}

kmesos_cli_table *kmesos_cli_table_new(const char *const *headers, size_t ncols)
{
    if (ncols == 0 || ncols > KMESOS_CLI_TABLE_MAX_COLS)
        return NULL;
    kmesos_cli_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    if (kmesos_cli_table_add(t, headers) != 0) {
        kmesos_cli_table_free(t);
        return NULL;
    }
    return t;
}

int kmesos_cli_table_add(kmesos_cli_table *t, const char *const *cells)
{
    if (kmesos_cli_table_grow(t) != 0)
        return -1;
    char **row = t->cells + t->nrows * t->ncols;
    for (size_t c = 0; c < t->ncols; c++) {
        row[c] = strdup(cells[c] ? cells[c] : "-");
        if (!row[c]) {
            while (c > 0)
                free(row[--c]);
            return -1;
        }
    }
    t->nrows++;
    return 0;
}

size_t kmesos_cli_table_rows(const kmesos_cli_table *t)
{
    return t->nrows - 1;
}

static size_t kmesos_cli_table_width(const kmesos_cli_table *t, size_t col)
{
    size_t w = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        size_t n = strlen(t->cells[r * t->ncols + col]);
        w = n > w ? n : w;
    }
    return w;
}

void kmesos_cli_table_print(const kmesos_cli_table *t, FILE *out)
{
    size_t widths[KMESOS_CLI_TABLE_MAX_COLS];
    for (size_t c = 0; c < t->ncols; c++)
        widths[c] = kmesos_cli_table_width(t, c);
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[r * t->ncols + c];
            if (c + 1 == t->ncols)
                fprintf(out, "%s\n", cell);
            else
                fprintf(out, "%-*s", (int)(widths[c] + KMESOS_CLI_TABLE_GAP), cell);
        }
    }
}

void kmesos_cli_table_free(kmesos_cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}
