/* jread: typed reads of scenario fields with errors that name the file,
 * the JSON path and the field ("FILE: $.cluster.rack_size: bad value for
 * 'rack_size': expected a number >= 1, got \"x\""), and a check that an
 * object holds only known fields. Each read takes a default for a missing
 * field; every function returns 0, or -1 with the message written. */
#ifndef KSIM_JREAD_H
#define KSIM_JREAD_H
#include <stddef.h>

#include <jansson.h>

typedef struct ksim_jr {
    const char *file;
    char *err;
    size_t errlen;
} ksim_jr;

int ksim_jr_fail(ksim_jr *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* obj must be an object whose keys are all in allowed (NULL-terminated). */
int ksim_jr_keys(ksim_jr *r, const json_t *obj, const char *path, const char *const *allowed);
/* A number in [min, max]. */
int ksim_jr_num(ksim_jr *r, const json_t *obj, const char *path, const char *key, double min,
                double max, double def, double *out);
/* An integral number in [min, max]. */
int ksim_jr_int(ksim_jr *r, const json_t *obj, const char *path, const char *key, long min,
                long max, long def, long *out);
/* A boolean (true/false) into 1/0. */
int ksim_jr_bool(ksim_jr *r, const json_t *obj, const char *path, const char *key, int def,
                 int *out);
/* A string (copied; def may be NULL, then *out is NULL when missing). */
int ksim_jr_str(ksim_jr *r, const json_t *obj, const char *path, const char *key,
                const char *def, char **out);
/* An array of non-empty strings (copied); missing: an empty list. */
int ksim_jr_strs(ksim_jr *r, const json_t *obj, const char *path, const char *key,
                 char ***out, size_t *n);
/* A number >= min, or [lo, hi] with min <= lo <= hi. */
int ksim_jr_range(ksim_jr *r, const json_t *obj, const char *path, const char *key, double min,
                  double def_lo, double def_hi, double *lo, double *hi);
void ksim_jr_free_strs(char **list, size_t n);

#endif
