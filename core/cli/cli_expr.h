/* cli_expr: id expressions, the same for every workload and action:
 * "0", "0,2", "0..4", "1,3..5" or "*" (all). */
#ifndef KMESOS_CLI_EXPR_H
#define KMESOS_CLI_EXPR_H
#include <stddef.h>

#define KMESOS_CLI_EXPR_HELP "an id (0), a list (0,2), a range (0..4), a mix (0,3..5) or * (all)"

/* 0 when expr is a valid id expression; else -1 and a reason in err
 * (without the expression itself: the caller names it). */
int kmesos_cli_expr_check(const char *expr, char *err, size_t errlen);

#endif
