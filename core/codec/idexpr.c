/* idexpr: reads an id expression item by item (idexpr.h gives the
 * grammar). Nothing is expanded here: each item is handed to the caller as
 * a range, so that "0..999999999" costs nothing until the caller decides
 * how many ids it accepts. */
#include "codec/idexpr.h"

#include <stdio.h>
#include <string.h>

#define KMESOS_IDEXPR_MAX_DIGITS 9

/* Reads an id at *p and advances *p; -1 without digits, with too many or
 * with a leading zero. */
static long idexpr_id(const char **p, const char *end)
{
    const char *s = *p;
    size_t n = 0;
    long v = 0;
    while (s + n < end && s[n] >= '0' && s[n] <= '9') {
        v = v * 10 + (s[n] - '0');
        if (++n > KMESOS_IDEXPR_MAX_DIGITS)
            return -1;
    }
    if (n == 0 || (n > 1 && s[0] == '0'))
        return -1;
    *p = s + n;
    return v;
}

/* One item of [begin, end): N or N..M. */
static int idexpr_item(const char *begin, const char *end, long max, kmesos_idrange *r,
                       char *err, size_t errlen)
{
    int len = (int)(end - begin);
    if (len == 0) {
        snprintf(err, errlen, "empty item between commas");
        return -1;
    }
    const char *p = begin;
    r->from = r->to = idexpr_id(&p, end);
    if (r->from >= 0 && p + 2 <= end && p[0] == '.' && p[1] == '.') {
        p += 2;
        r->to = idexpr_id(&p, end);
    }
    if (r->from < 0 || r->to < 0 || p != end) {
        snprintf(err, errlen, "'%.*s' is not an id or a range N..M", len > 40 ? 40 : len, begin);
        return -1;
    }
    if (r->to < r->from) {
        snprintf(err, errlen, "range '%.*s' runs backwards (write %ld..%ld)", len, begin, r->to,
                 r->from);
        return -1;
    }
    if (r->to > max) {
        snprintf(err, errlen, "id %ld is above the largest id %ld", r->to, max);
        return -1;
    }
    return 0;
}

int kmesos_idexpr_walk(const char *expr, long max, int (*each)(long from, long to, void *arg),
                       void *arg, char *err, size_t errlen)
{
    if (!expr || !*expr) {
        snprintf(err, errlen, "empty; expected " KMESOS_IDEXPR_HELP);
        return -1;
    }
    if (strcmp(expr, "*") == 0)
        return 1;
    for (const char *item = expr;;) {
        const char *comma = strchr(item, ',');
        const char *end = comma ? comma : item + strlen(item);
        kmesos_idrange r;
        if (idexpr_item(item, end, max, &r, err, errlen) != 0)
            return -1;
        if (each && each(r.from, r.to, arg) != 0)
            return -1;
        if (!comma)
            return 0;
        item = comma + 1;
    }
}

int kmesos_idexpr_check(const char *expr, long max, char *err, size_t errlen)
{
    return kmesos_idexpr_walk(expr, max, NULL, NULL, err, errlen) < 0 ? -1 : 0;
}
