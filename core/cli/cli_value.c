/* cli_value: the local checks of option values, one small function per
 * kind. The checks are about shape only (a number that is not negative, a
 * duration with a unit, k=v pairs, constraint operators); whether a value
 * makes sense for the cluster (enough memory, a port the agents offer) is
 * the scheduler's call, and its 400 answer names the field. Empty values
 * are refused for numbers and durations and allowed for lists and text,
 * where they clear a setting on update. */
#include "cli/cli_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"

#define KMESOS_CLI_VALUE_MAX_DIGITS 12
#define KMESOS_CLI_TOPIC_MAX 249

static size_t kmesos_cli_value_digits(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    return n;
}

static int kmesos_cli_value_count(const char *text, char *err, size_t errlen)
{
    size_t n = kmesos_cli_value_digits(text);
    if (n == 0 || text[n] || n > KMESOS_CLI_VALUE_MAX_DIGITS) {
        snprintf(err, errlen, "expected a non-negative whole number");
        return -1;
    }
    return 0;
}

/* digits, optionally "." and more digits: no sign, exponent, inf or nan. */
static int kmesos_cli_value_number(const char *text, char *err, size_t errlen)
{
    size_t n = kmesos_cli_value_digits(text);
    size_t frac = 0;
    if (text[n] == '.')
        frac = kmesos_cli_value_digits(text + n + 1) + 1;
    if (n == 0 || n > KMESOS_CLI_VALUE_MAX_DIGITS || text[n + frac] || frac == 1) {
        snprintf(err, errlen, "expected a non-negative number such as 1 or 0.5");
        return -1;
    }
    return 0;
}

static int kmesos_cli_value_port(const char *text, char *err, size_t errlen)
{
    size_t n = kmesos_cli_value_digits(text);
    if (strcmp(text, "auto") == 0 ||
        (n > 0 && n <= 5 && !text[n] && atol(text) >= 1 && atol(text) <= 65535))
        return 0;
    snprintf(err, errlen, "expected auto or a port 1..65535");
    return -1;
}

int kmesos_cli_value_duration_ms(const char *text, long long *ms)
{
    size_t n = strlen(text);
    double secs;
    /* a unit is required here: "30" alone is ambiguous on a command line */
    if (n == 0 || (text[n - 1] >= '0' && text[n - 1] <= '9') || text[n - 1] == '.' ||
        kmesos_num_duration(text, 0, KMESOS_NUM_DURATION_MAX_S, &secs) != KMESOS_NUM_OK)
        return -1;
    *ms = (long long)kmesos_num_ms(secs);
    return 0;
}

static int kmesos_cli_value_duration(const char *text, char *err, size_t errlen)
{
    long long ms;
    if (kmesos_cli_value_duration_ms(text, &ms) != 0) {
        snprintf(err, errlen,
                 "expected a duration such as 30s, 5m, 1.5h or 7d (units ms s m h d w)");
        return -1;
    }
    return 0;
}

/* Calls item(begin, len) for each item between sep; stops at the first -1. */
static int kmesos_cli_value_each(const char *text, int sep, int (*item)(const char *, int))
{
    if (!*text)
        return 0;
    for (const char *p = text;;) {
        const char *comma = strchr(p, sep);
        int len = (int)(comma ? comma - p : (long)strlen(p));
        if (item(p, len) != 0)
            return -1;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* As the scheduler reads them: one line, the first piece k=v; a later
 * piece without '=' continues the previous value (log.dirs=/a,/b). */
static int kmesos_cli_value_kv(const char *text, char *err, size_t errlen)
{
    const char *eq = strchr(text, '='), *comma = strchr(text, ',');
    if (*text && (strpbrk(text, "\r\n") || !eq || eq == text || (comma && comma < eq))) {
        snprintf(err, errlen, "expected key=value pairs separated by commas, e.g. a=1,b=2");
        return -1;
    }
    return 0;
}

static int kmesos_cli_value_is(const char *op, int len, const char *name)
{
    return len == (int)strlen(name) && strncmp(op, name, (size_t)len) == 0;
}

/* OP of attr=OP: like:RE, unlike:RE, unique, cluster[:V], groupBy[:N>=1]. */
static int kmesos_cli_value_constraint_op(const char *op, int len)
{
    const char *colon = memchr(op, ':', (size_t)len);
    int name_len = colon ? (int)(colon - op) : len;
    int arg_len = colon ? len - name_len - 1 : -1;
    if (kmesos_cli_value_is(op, name_len, "like") || kmesos_cli_value_is(op, name_len, "unlike"))
        return arg_len > 0 ? 0 : -1;
    if (kmesos_cli_value_is(op, name_len, "unique"))
        return arg_len < 0 ? 0 : -1;
    if (kmesos_cli_value_is(op, name_len, "cluster"))
        return arg_len != 0 ? 0 : -1;
    if (kmesos_cli_value_is(op, name_len, "groupBy")) {
        if (arg_len < 0)
            return 0;
        size_t n = kmesos_cli_value_digits(colon + 1);
        return arg_len > 0 && n == (size_t)arg_len && n < 9 && atol(colon + 1) >= 1 ? 0 : -1;
    }
    return -1;
}

static int kmesos_cli_value_constraint_item(const char *p, int len)
{
    if (len == 0)
        return 0; /* "a=unique;" or ";;": the scheduler skips empty items */
    const char *eq = memchr(p, '=', (size_t)len);
    if (!eq || eq == p)
        return -1;
    return kmesos_cli_value_constraint_op(eq + 1, len - (int)(eq + 1 - p));
}

static int kmesos_cli_value_constraints(const char *text, char *err, size_t errlen)
{
    if (kmesos_cli_value_each(text, ';', kmesos_cli_value_constraint_item) != 0) {
        snprintf(err, errlen,
                 "expected attr=OP pairs separated by ';', OP one of like:RE unlike:RE "
                 "unique cluster cluster:V groupBy groupBy:N "
                 "(e.g. 'hostname=unique;rack=like:r1')");
        return -1;
    }
    return 0;
}

static int kmesos_cli_value_topic(const char *text, char *err, size_t errlen)
{
    size_t n = strlen(text);
    int ok = n > 0 && n <= KMESOS_CLI_TOPIC_MAX && strcmp(text, ".") != 0 &&
             strcmp(text, "..") != 0 &&
             strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
    if (!ok) {
        snprintf(err, errlen, "expected a topic name of 1 to 249 letters, digits, '.', '_' or '-'");
        return -1;
    }
    return 0;
}

static int kmesos_cli_value_path_item(const char *p, int len)
{
    return len > 0 && p[0] == '/' && !memchr(p, ' ', (size_t)len) ? 0 : -1;
}

/* A comma list of absolute paths without blanks; "" means the default. */
static int kmesos_cli_value_path(const char *text, char *err, size_t errlen)
{
    if (strpbrk(text, "\r\n") ||
        kmesos_cli_value_each(text, ',', kmesos_cli_value_path_item) != 0) {
        snprintf(err, errlen, "expected an absolute path such as /var/lib/kafka (or a comma list)");
        return -1;
    }
    return 0;
}

/* "none" (no limit) or a whole number >= 1. */
static int kmesos_cli_value_tries(const char *text, char *err, size_t errlen)
{
    size_t n = kmesos_cli_value_digits(text);
    if (strcmp(text, "none") == 0 || (n > 0 && n < 9 && !text[n] && atol(text) >= 1))
        return 0;
    snprintf(err, errlen, "expected a whole number >= 1, or none (no limit)");
    return -1;
}

int kmesos_cli_value_check(kmesos_cli_kind kind, const char *text, char *err, size_t errlen)
{
    switch (kind) {
    case KMESOS_CLI_NUMBER:
        return kmesos_cli_value_number(text, err, errlen);
    case KMESOS_CLI_COUNT:
        return kmesos_cli_value_count(text, err, errlen);
    case KMESOS_CLI_PORT:
        return kmesos_cli_value_port(text, err, errlen);
    case KMESOS_CLI_DURATION:
        return kmesos_cli_value_duration(text, err, errlen);
    case KMESOS_CLI_KV_LIST:
        return kmesos_cli_value_kv(text, err, errlen);
    case KMESOS_CLI_CONSTRAINTS:
        return kmesos_cli_value_constraints(text, err, errlen);
    case KMESOS_CLI_TOPIC:
        return kmesos_cli_value_topic(text, err, errlen);
    case KMESOS_CLI_PATH:
        return kmesos_cli_value_path(text, err, errlen);
    case KMESOS_CLI_TRIES:
        return kmesos_cli_value_tries(text, err, errlen);
    case KMESOS_CLI_TEXT:
        return 0;
    }
    snprintf(err, errlen, "unknown value kind");
    return -1;
}
