/* cli_expr: checks id expressions before they go to the API, so that a
 * typo is reported as a usage error naming the expression. The grammar is
 * "*" alone, or a comma list of items, each an id N or a range N..M with
 * N <= M; ids are decimal, at most 9 digits, no signs or blanks. The
 * scheduler expands the expression; the CLI only checks its shape. */
#include "cli/cli_expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KMESOS_CLI_EXPR_MAX_DIGITS 9

/* Reads an id at *p; advances *p. -1 when there are no digits or too many. */
static long kmesos_cli_expr_id(const char **p)
{
    const char *s = *p;
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    if (n == 0 || n > KMESOS_CLI_EXPR_MAX_DIGITS)
        return -1;
    *p = s + n;
    return strtol(s, NULL, 10);
}

/* One item of [begin, end): N or N..M. */
static int kmesos_cli_expr_item(const char *begin, const char *end, char *err, size_t errlen)
{
    int len = (int)(end - begin);
    if (len == 0) {
        snprintf(err, errlen, "empty item between commas");
        return -1;
    }
    const char *p = begin;
    long from = kmesos_cli_expr_id(&p);
    long to = from;
    if (from >= 0 && p + 2 <= end && p[0] == '.' && p[1] == '.') {
        p += 2;
        to = kmesos_cli_expr_id(&p);
    }
    if (from < 0 || to < 0 || p != end) {
        snprintf(err, errlen, "'%.*s' is not an id or a range N..M", len, begin);
        return -1;
    }
    if (to < from) {
        snprintf(err, errlen, "range '%.*s' runs backwards (write %ld..%ld)", len, begin, to, from);
        return -1;
    }
    return 0;
}

int kmesos_cli_expr_check(const char *expr, char *err, size_t errlen)
{
    if (!expr || !*expr) {
        snprintf(err, errlen, "empty; expected " KMESOS_CLI_EXPR_HELP);
        return -1;
    }
    if (strcmp(expr, "*") == 0)
        return 0;
    for (const char *item = expr;;) {
        const char *comma = strchr(item, ',');
        const char *end = comma ? comma : item + strlen(item);
        if (kmesos_cli_expr_item(item, end, err, errlen) != 0)
            return -1;
        if (!comma)
            return 0;
        item = comma + 1;
    }
}
