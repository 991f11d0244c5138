/* num: the one checked parser for numbers and durations read from any
 * boundary (REST parameters, workload specs, flags, environment, a
 * master's or an agent's messages), and the checked conversions from a
 * double to an integer. */
#ifndef KMESOS_NUM_H
#define KMESOS_NUM_H
#include <stddef.h>
#include <stdint.h>

/* The longest duration any program accepts: 10 years, in seconds. */
#define KMESOS_NUM_DURATION_MAX_S (10.0 * 365 * 86400)

enum { KMESOS_NUM_OK = 0, KMESOS_NUM_SYNTAX = -1, KMESOS_NUM_RANGE = -2 };

/* A decimal number in [min, max]: digits with an optional '-', fraction
 * (".5" and "5." are refused) and exponent; no blanks, '+', hex, inf or
 * nan, nothing after it; a '-' only when min < 0 ("-0" is out of range
 * for min 0). 0, or KMESOS_NUM_SYNTAX / KMESOS_NUM_RANGE with *out
 * untouched. */
int kmesos_num_real(const char *text, double min, double max, double *out);
/* A whole decimal number (no '.', no exponent) in [min, max]. */
int kmesos_num_int(const char *text, long long min, long long max, long long *out);
/* The number at the start of text (same grammar) and, in *rest, what
 * follows it (a unit, for the caller to read). */
int kmesos_num_prefix(const char *text, double min, double max, double *out, const char **rest);
/* A duration: a number of seconds, or one with a unit ms s m h d w; the
 * result in seconds within [min_s, max_s]. */
int kmesos_num_duration(const char *text, double min_s, double max_s, double *out);
/* Writes "FIELD: 'TEXT' is not a number" or "FIELD: 'TEXT' is out of
 * range (MIN..MAX)" for a failed rc; returns -1 for the caller to pass on. */
int kmesos_num_error(char *err, size_t errlen, const char *field, const char *text, int rc,
                     double min, double max);

/* 1 when v is finite and within [min, max]. */
int kmesos_num_in(double v, double min, double max);
/* Seconds to timer milliseconds: NaN and negatives give 0, and anything
 * past KMESOS_NUM_DURATION_MAX_S is cut there; never an overflow. */
uint64_t kmesos_num_ms(double seconds);
/* v to an integer when it is finite and in [min, max] (rounded toward
 * zero); else -1 and *out untouched. */
int kmesos_num_to_ll(double v, long long min, long long max, long long *out);

/* "30s", "5m", "2h", "7d", "1w", "1.5" (seconds), at most
 * KMESOS_NUM_DURATION_MAX_S; -1 when invalid. */
double kmesos_parse_duration(const char *text);

#endif
