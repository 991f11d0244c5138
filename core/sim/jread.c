/* jread: see jread.h. A field's path is the object's path and ".key";
 * the value shown in an error is its compact JSON, cut to 60 characters. */
#include "sim/jread.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ksim_jr_fail(ksim_jr *r, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s: %s: %s", r->file, path, msg);
    return -1;
}

static int bad(ksim_jr *r, const char *path, const char *key, const json_t *v, const char *want)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    char full[400];
    snprintf(full, sizeof full, "%s.%s", path, key);
    int rc = ksim_jr_fail(r, full, "bad value for '%s': expected %s, got %.60s%s", key, want,
                          text ? text : "?", text && strlen(text) > 60 ? "..." : "");
    free(text);
    return rc;
}

int ksim_jr_keys(ksim_jr *r, const json_t *obj, const char *path, const char *const *allowed)
{
    if (!json_is_object(obj))
        return ksim_jr_fail(r, path, "expected an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i])
            continue;
        char known[400] = "", full[400];
        for (size_t k = 0; allowed[k]; k++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "",
                     allowed[k]);
        snprintf(full, sizeof full, "%s.%s", path, key);
        return ksim_jr_fail(r, full, "unknown field '%s' (known: %s)", key, known);
    }
    return 0;
}

int ksim_jr_num(ksim_jr *r, const json_t *obj, const char *path, const char *key, double min,
                double max, double def, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    double d = json_number_value(v);
    if (!json_is_number(v) || d < min || d > max) {
        char want[128];
        snprintf(want, sizeof want, "a number in [%g, %g]", min, max);
        return bad(r, path, key, v, want);
    }
    *out = d;
    return 0;
}

int ksim_jr_int(ksim_jr *r, const json_t *obj, const char *path, const char *key, long min,
                long max, long def, long *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    double d = json_number_value(v);
    if (!json_is_number(v) || d < (double)min || d > (double)max || d != (double)(long)d) {
        char want[128];
        snprintf(want, sizeof want, "an integer in [%ld, %ld]", min, max);
        return bad(r, path, key, v, want);
    }
    *out = (long)d;
    return 0;
}

int ksim_jr_bool(ksim_jr *r, const json_t *obj, const char *path, const char *key, int def,
                 int *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return bad(r, path, key, v, "true or false");
    *out = json_is_true(v);
    return 0;
}

int ksim_jr_str(ksim_jr *r, const json_t *obj, const char *path, const char *key,
                const char *def, char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def ? strdup(def) : NULL;
        return def && !*out ? ksim_jr_fail(r, path, "out of memory") : 0;
    }
    if (!json_is_string(v) || !*json_string_value(v))
        return bad(r, path, key, v, "a non-empty string");
    *out = strdup(json_string_value(v));
    return *out ? 0 : ksim_jr_fail(r, path, "out of memory");
}

void ksim_jr_free_strs(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

int ksim_jr_strs(ksim_jr *r, const json_t *obj, const char *path, const char *key,
                 char ***out, size_t *n)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    *n = 0;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return bad(r, path, key, v, "an array of strings");
    size_t count = json_array_size(v);
    char **list = calloc(count ? count : 1, sizeof *list);
    if (!list)
        return ksim_jr_fail(r, path, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const json_t *item = json_array_get(v, i);
        if (!json_is_string(item) || !*json_string_value(item) ||
            !(list[i] = strdup(json_string_value(item)))) {
            ksim_jr_free_strs(list, i);
            char sub[64];
            snprintf(sub, sizeof sub, "%s[%zu]", key, i);
            return bad(r, path, sub, item, "a non-empty string");
        }
    }
    *out = list;
    *n = count;
    return 0;
}

int ksim_jr_range(ksim_jr *r, const json_t *obj, const char *path, const char *key, double min,
                  double def_lo, double def_hi, double *lo, double *hi)
{
    const json_t *v = json_object_get(obj, key);
    char want[128];
    snprintf(want, sizeof want, "a number >= %g or [min, max] with %g <= min <= max", min, min);
    if (!v) {
        *lo = def_lo;
        *hi = def_hi;
        return 0;
    }
    if (json_is_number(v)) {
        *lo = *hi = json_number_value(v);
    } else if (json_is_array(v) && json_array_size(v) == 2 &&
               json_is_number(json_array_get(v, 0)) && json_is_number(json_array_get(v, 1))) {
        *lo = json_number_value(json_array_get(v, 0));
        *hi = json_number_value(json_array_get(v, 1));
    } else {
        return bad(r, path, key, v, want);
    }
    return *lo < min || *hi < *lo ? bad(r, path, key, v, want) : 0;
}
