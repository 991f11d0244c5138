/* num: every number that comes from outside goes through here. The text
 * is first matched against a strict decimal grammar (optional '-',
 * digits, optional fraction, optional exponent), so that strtod never
 * sees a blank, a '+', hex, "inf" or "nan"; only then is it converted,
 * and the result must be finite and inside the caller's bounds. Integer
 * conversions happen only after that range check. A '.' needs digits on
 * both sides, as people write numbers (".5" and "5." are refused). Durations are a
 * number followed by an optional unit. */
#include "codec/num.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int num_digits(const char *p)
{
    int n = 0;
    while (p[n] >= '0' && p[n] <= '9')
        n++;
    return n;
}

/* Length of the decimal number at the start of p, 0 when there is none. */
static size_t num_span(const char *p, int whole)
{
    size_t i = (*p == '-');
    int lead = num_digits(p + i), frac = 0;
    i += (size_t)lead;
    if (!whole && p[i] == '.') {
        frac = num_digits(p + i + 1);
        if (frac == 0)
            return 0; /* "5." */
        i += 1 + (size_t)frac;
    }
    if (lead == 0)
        return 0; /* ".5", "-" */
    if (!whole && (p[i] == 'e' || p[i] == 'E')) {
        size_t j = i + 1 + (p[i + 1] == '-' || p[i + 1] == '+');
        int exp = num_digits(p + j);
        if (exp == 0)
            return 0;
        i = j + (size_t)exp;
    }
    return i;
}

int kmesos_num_in(double v, double min, double max)
{
    return isfinite(v) && v >= min && v <= max;
}

int kmesos_num_real(const char *text, double min, double max, double *out)
{
    if (!text)
        return KMESOS_NUM_SYNTAX;
    size_t n = num_span(text, 0);
    if (n == 0 || text[n] != '\0')
        return KMESOS_NUM_SYNTAX;
    if (*text == '-' && min >= 0)
        return KMESOS_NUM_RANGE; /* "-0" too: no sign where none fits */
    double d = strtod(text, NULL);
    if (!kmesos_num_in(d, min, max))
        return KMESOS_NUM_RANGE;
    *out = d;
    return KMESOS_NUM_OK;
}

int kmesos_num_int(const char *text, long long min, long long max, long long *out)
{
    if (!text)
        return KMESOS_NUM_SYNTAX;
    size_t n = num_span(text, 1);
    if (n == 0 || text[n] != '\0')
        return KMESOS_NUM_SYNTAX;
    if (*text == '-' && min >= 0)
        return KMESOS_NUM_RANGE;
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno == ERANGE || v < min || v > max)
        return KMESOS_NUM_RANGE;
    *out = v;
    return KMESOS_NUM_OK;
}

int kmesos_num_prefix(const char *text, double min, double max, double *out, const char **rest)
{
    if (!text)
        return KMESOS_NUM_SYNTAX;
    size_t n = num_span(text, 0);
    if (n == 0 || n > 64)
        return KMESOS_NUM_SYNTAX;
    if (*text == '-' && min >= 0)
        return KMESOS_NUM_RANGE;
    char number[65];
    memcpy(number, text, n);
    number[n] = '\0';
    double d = strtod(number, NULL);
    if (!kmesos_num_in(d, min, max))
        return KMESOS_NUM_RANGE;
    *out = d;
    *rest = text + n;
    return KMESOS_NUM_OK;
}

int kmesos_num_duration(const char *text, double min_s, double max_s, double *out)
{
    static const struct { const char *unit; double s; } units[] = {
        {"", 1}, {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}};
    double d;
    const char *unit;
    int rc = kmesos_num_prefix(text, -INFINITY, INFINITY, &d, &unit);
    if (rc != KMESOS_NUM_OK)
        return rc;
    if (*text == '-' && min_s >= 0)
        return KMESOS_NUM_RANGE;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(unit, units[i].unit) != 0)
            continue;
        d *= units[i].s;
        if (!kmesos_num_in(d, min_s, max_s))
            return KMESOS_NUM_RANGE;
        *out = d;
        return KMESOS_NUM_OK;
    }
    return KMESOS_NUM_SYNTAX;
}

int kmesos_num_error(char *err, size_t errlen, const char *field, const char *text, int rc,
                     double min, double max)
{
    if (rc == KMESOS_NUM_RANGE)
        snprintf(err, errlen, "%s: '%.40s' is out of range (%g..%g)", field, text ? text : "",
                 min, max);
    else
        snprintf(err, errlen, "%s: '%.40s' is not a decimal number", field, text ? text : "");
    return -1;
}

uint64_t kmesos_num_ms(double seconds)
{
    if (!(seconds > 0))
        return 0;
    if (seconds > KMESOS_NUM_DURATION_MAX_S)
        seconds = KMESOS_NUM_DURATION_MAX_S;
    return (uint64_t)(seconds * 1000.0 + 0.5);
}

int kmesos_num_to_ll(double v, long long min, long long max, long long *out)
{
    /* 2^63 bounds the range a double converts to long long safely */
    if (!isfinite(v) || v < (double)min || v > (double)max || v >= 9223372036854775808.0 ||
        v < -9223372036854775808.0)
        return -1;
    *out = (long long)v;
    return 0;
}

double kmesos_parse_duration(const char *text)
{
    double d;
    if (kmesos_num_duration(text, 0, KMESOS_NUM_DURATION_MAX_S, &d) != KMESOS_NUM_OK)
        return -1;
    return d;
}
