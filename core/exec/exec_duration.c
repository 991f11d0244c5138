/* exec_duration: parses Mesos duration text into nanoseconds. Mesos
 * prints durations with stout's units ("5secs", "100ms", "2mins"); we
 * accept those, the usual one-letter forms and a bare number of seconds,
 * with an optional fraction. Anything else (blanks inside, unknown unit,
 * negative, overflow) is refused so that a typo never becomes a zero. */
#include "exec/exec_duration.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct exec_duration_unit {
    const char *name;
    double ns;
} exec_duration_unit;

static const exec_duration_unit exec_duration_units[] = {
    {"ns", 1.0},          {"us", 1e3},           {"ms", 1e6},
    {"secs", 1e9},        {"sec", 1e9},          {"s", 1e9},
    {"mins", 60e9},       {"min", 60e9},         {"m", 60e9},
    {"hrs", 3600e9},      {"hr", 3600e9},        {"h", 3600e9},
    {"days", 86400e9},    {"day", 86400e9},      {"d", 86400e9},
    {"weeks", 604800e9},  {"week", 604800e9},    {"w", 604800e9},
    {"", 1e9},
};

static int exec_duration_unit_ns(const char *unit, double *ns)
{
    for (size_t i = 0; i < sizeof exec_duration_units / sizeof exec_duration_units[0]; i++) {
        if (strcmp(unit, exec_duration_units[i].name) == 0) {
            *ns = exec_duration_units[i].ns;
            return 0;
        }
    }
    return -1;
}

int kmesos_exec_duration_parse(const char *text, int64_t *out)
{
    if (!text || !*text || !(*text == '.' || (*text >= '0' && *text <= '9')))
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || !isfinite(v) || v < 0)
        return -1;
    double unit_ns;
    if (exec_duration_unit_ns(end, &unit_ns) != 0)
        return -1;
    double ns = v * unit_ns;
    if (ns >= 9.2e18)
        return -1;
    *out = (int64_t)(ns + 0.5);
    return 0;
}
