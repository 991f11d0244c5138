/* exec_duration: parses Mesos duration text into nanoseconds. Mesos
 * prints durations with stout's units ("5secs", "100ms", "2mins"); we
 * accept those, the usual one-letter forms and a bare number of seconds,
 * with an optional fraction. Anything else (blanks inside, unknown unit,
 * negative, hex, inf, more than codec/num's longest duration) is refused so that a typo never becomes a zero. */
#include "exec/exec_duration.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"

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
    double v, unit_ns;
    const char *unit;
    if (kmesos_num_prefix(text, 0, INFINITY, &v, &unit) != KMESOS_NUM_OK ||
        exec_duration_unit_ns(unit, &unit_ns) != 0)
        return -1;
    double ns = v * unit_ns;
    if (ns > KMESOS_NUM_DURATION_MAX_S * 1e9)
        return -1;
    *out = (int64_t)(ns + 0.5);
    return 0;
}
