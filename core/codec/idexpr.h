/* idexpr: the one grammar of id expressions, shared by the API, the
 * workload specs and the CLI: "*" alone, or a comma list of items, each an
 * id N or a range N..M with N <= M; ids are decimal, at most 9 digits, no
 * signs, blanks or leading zeros ("0" itself is fine). */
#ifndef KMESOS_IDEXPR_H
#define KMESOS_IDEXPR_H
#include <stddef.h>

/* the largest id the grammar can write (9 digits) */
#define KMESOS_IDEXPR_MAX_ID 999999999L
#define KMESOS_IDEXPR_HELP "an id (0), a list (0,2), a range (0..4), a mix (0,3..5) or * (all)"

typedef struct {
    long from, to; /* inclusive */
} kmesos_idrange;

/* Calls each(from, to, arg) for every item of expr in order (not called
 * for "*"); each returns 0 to go on. 1 for "*", 0 for a list, -1 with a
 * reason in err (the expression itself is not repeated: the caller names
 * it) when expr breaks the grammar, has an id above max, or each failed
 * (each writes its own err then). */
int kmesos_idexpr_walk(const char *expr, long max, int (*each)(long from, long to, void *arg),
                       void *arg, char *err, size_t errlen);
/* Just the check: 0 when expr is valid, else -1 and a reason in err. */
int kmesos_idexpr_check(const char *expr, long max, char *err, size_t errlen);

#endif
