/* settings: the settings schema of brokers and clients (settings.h).
 * A kind describes its settings struct as rows (name, type, offset,
 * default); one setter per value type validates the text and writes the
 * field through its offset, so the broker's and the client's settings
 * structs keep their own named fields while defaults, copies, frees and
 * requests are handled once here. Also the checks both kinds make of
 * their settings as a whole, and the failover bookkeeping after a task
 * ended (count, record, deactivate after too many failures in a row).
 * A value is checked twice by the same rules: the setter parses its text,
 * then field_ok checks what it holds (finite, in range, UTF-8, of its
 * form); field_ok alone checks settings read back from a state file. */
#include "sched/kafka/settings.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"
#include "codec/num.h"
#include "codec/utf8.h"
#include "codec/str.h"
#include "codec/protocol.h"
#include "sched/options.h"
#include "sched/workload.h"

#define MOD "kafka"
#define KMESOS_TOPIC_MAX 249

static const kmesos_ks_field *field_of(const kmesos_ks_schema *sc, const char *name)
{
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->fields[i].name, name) == 0)
            return &sc->fields[i];
    return NULL;
}

int kmesos_ks_known(const kmesos_ks_schema *sc, const char *name)
{
    return field_of(sc, name) != NULL;
}

static int is_text(kmesos_ks_type t)
{
    return t == KMESOS_KS_KV || t == KMESOS_KS_LINE || t == KMESOS_KS_CONSTRAINTS ||
           t == KMESOS_KS_DIRS || t == KMESOS_KS_TOPIC || t == KMESOS_KS_URI ||
           t == KMESOS_KS_HOST || t == KMESOS_KS_CHOICE;
}

static char **text_at(void *s, const kmesos_ks_field *f)
{
    return (char **)((char *)s + f->offset);
}

int kmesos_ks_set_text(char **dst, const char *v)
{
    return kmesos_str_set(dst, v ? v : "");
}

/* ---- values ------------------------------------------------------------------------- */

/* A positive number (cpus, MB) up to KMESOS_KS_NUMBER_MAX. */
static int number(const char *v, double *out)
{
    double d;
    if (kmesos_num_real(v, 0, KMESOS_KS_NUMBER_MAX, &d) != KMESOS_NUM_OK || d == 0)
        return -1;
    *out = d;
    return 0;
}

int kmesos_ks_integer(const char *v, long lo, long hi, int *out)
{
    long long n;
    if (kmesos_num_int(v, lo, hi, &n) != KMESOS_NUM_OK || n < INT_MIN || n > INT_MAX)
        return -1;
    *out = (int)n;
    return 0;
}

static int one_line(const char *v)
{
    return strpbrk(v, "\r\n") == NULL;
}

/* "k=v,k=v": the first piece must be k=v; a later piece without '='
 * continues the previous value (kafka-broker.sh reads it so). */
static int valid_kv(const char *v)
{
    if (!*v)
        return 1;
    const char *eq = strchr(v, '='), *comma = strchr(v, ',');
    return one_line(v) && eq && eq != v && (!comma || eq < comma);
}

/* Comma list of absolute paths, or "" (the default folder). */
static int valid_dirs(const char *v)
{
    if (!*v)
        return 1;
    if (!one_line(v) || strchr(v, ' '))
        return 0;
    for (const char *p = v; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (*p != '/')
            return 0;
    return 1;
}

int kmesos_ks_topic_ok(const char *v)
{
    size_t n = strlen(v);
    return n > 0 && n <= KMESOS_TOPIC_MAX && strcmp(v, ".") != 0 && strcmp(v, "..") != 0 &&
           strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* A URI for the Mesos fetcher: "" or scheme://... or an absolute path,
 * printable ASCII without spaces or quotes, with a file name at its end
 * (the fetcher names the sandbox copy after it). */
static int valid_uri(const char *v)
{
    size_t n = strlen(v);
    if (n == 0)
        return 1;
    if (n > KMESOS_KS_URI_MAX || v[n - 1] == '/')
        return 0;
    for (const char *p = v; *p; p++)
        if (*p <= ' ' || *p >= 127 || strchr("\"'`\\", *p))
            return 0;
    const char *sep = strstr(v, "://");
    if (v[0] == '/')
        return 1;
    if (!sep || sep == v)
        return 0;
    return strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789+.-") == (size_t)(sep - v) &&
           sep[3] != '\0';
}

/* "" or a DNS name or an IPv4 address (an IPv6 one would need brackets
 * in advertised.listeners: not taken). */
static int valid_host(const char *v)
{
    size_t n = strlen(v);
    return n <= 253 &&
           strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == n &&
           (n == 0 || (v[0] != '-' && v[0] != '.'));
}

/* One of the '|'-separated words of choices. */
static int valid_choice(const char *v, const char *choices)
{
    size_t n = strlen(v);
    for (const char *p = choices; n && p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
        if (strncmp(p, v, n) == 0 && (p[n] == '|' || p[n] == '\0'))
            return 1;
    return 0;
}

static int ks_duration(const char *v, int allow_zero, double *out)
{
    double d;
    if (kmesos_num_duration(v, 0, KMESOS_NUM_DURATION_MAX_S, &d) != KMESOS_NUM_OK ||
        (d == 0 && !allow_zero))
        return -1;
    *out = d;
    return 0;
}

static int valid_constraints(const char *v, char *err, size_t errlen)
{
    kmesos_kv *kv = NULL;
    size_t n = 0;
    char why[256];
    if (kmesos_workload_parse_constraints(v, &kv, &n, why, sizeof why) != 0) {
        snprintf(err, errlen, "constraints: %s", why);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
    return 1;
}

/* Sets the field from v: 0, -1 bad value, -2 out of memory, -3 err
 * already written. */
static int ks_set_value(void *s, const kmesos_ks_field *f, const char *v, char *err, size_t errlen)
{
    void *at = (char *)s + f->offset;
    int auto_ = strcmp(v, "auto") == 0;
    if (!kmesos_utf8_valid(v, strlen(v))) {
        snprintf(err, errlen, "%s: not valid UTF-8", f->name);
        return -3;
    }
    switch (f->type) {
    case KMESOS_KS_NUMBER: return number(v, at);
    case KMESOS_KS_NUMBER_AUTO:
        if (auto_)
            return *(double *)at = 0, 0;
        return number(v, at);
    case KMESOS_KS_PORT:
        if (auto_)
            return *(int *)at = 0, 0;
        return kmesos_ks_integer(v, 1, 65535, at);
    case KMESOS_KS_DURATION: return ks_duration(v, 0, at);
    case KMESOS_KS_DURATION0: return ks_duration(v, 1, at);
    case KMESOS_KS_TRIES:
        if (!*v || strcmp(v, "none") == 0 || strcmp(v, "null") == 0)
            return *(int *)at = 0, 0;
        return kmesos_ks_integer(v, 1, 1000000, at);
    case KMESOS_KS_PORT_OFF:
        if (!*v || strcmp(v, "none") == 0)
            return *(int *)at = 0, 0;
        if (auto_)
            return *(int *)at = -1, 0;
        return kmesos_ks_integer(v, 1, 65535, at);
    case KMESOS_KS_URI: if (!valid_uri(v)) return -1; break;
    case KMESOS_KS_HOST: if (!valid_host(v)) return -1; break;
    case KMESOS_KS_CHOICE: if (!valid_choice(v, f->what)) return -1; break;
    case KMESOS_KS_KV: if (!valid_kv(v)) return -1; break;
    case KMESOS_KS_LINE: if (!one_line(v)) return -1; break;
    case KMESOS_KS_DIRS: if (!valid_dirs(v)) return -1; break;
    case KMESOS_KS_TOPIC: if (!kmesos_ks_topic_ok(v)) return -1; break;
    case KMESOS_KS_CONSTRAINTS: if (!valid_constraints(v, err, errlen)) return -3; break;
    }
    return kmesos_ks_set_text(at, v) == 0 ? 0 : -2;
}

static int finite_in(double d, int allow_zero, double max)
{
    return kmesos_num_in(d, 0, max) && (d > 0 || allow_zero);
}

static int int_in(int n, int lo, int hi)
{
    return n >= lo && n <= hi;
}

/* A text setting's value: set, UTF-8, of its type's form. 0, -1, or -3
 * with err written. */
static int text_ok(const kmesos_ks_field *f, const char *v, char *err, size_t errlen)
{
    if (!v || !kmesos_utf8_valid(v, strlen(v)))
        return -1;
    switch (f->type) {
    case KMESOS_KS_KV: return valid_kv(v) ? 0 : -1;
    case KMESOS_KS_LINE: return one_line(v) ? 0 : -1;
    case KMESOS_KS_DIRS: return valid_dirs(v) ? 0 : -1;
    case KMESOS_KS_TOPIC: return kmesos_ks_topic_ok(v) ? 0 : -1;
    case KMESOS_KS_CONSTRAINTS: return valid_constraints(v, err, errlen) ? 0 : -3;
    case KMESOS_KS_URI: return valid_uri(v) ? 0 : -1;
    case KMESOS_KS_HOST: return valid_host(v) ? 0 : -1;
    case KMESOS_KS_CHOICE: return valid_choice(v, f->what) ? 0 : -1;
    default: return -1;
    }
}

/* What the field of s holds is a value its setter could have set: 0, -1,
 * or -3 with err written. */
static int field_ok(const void *s, const kmesos_ks_field *f, char *err, size_t errlen)
{
    const void *at = (const char *)s + f->offset;
    const double *d = at;
    const int *n = at;
    switch (f->type) {
    case KMESOS_KS_NUMBER: return finite_in(*d, 0, KMESOS_KS_NUMBER_MAX) ? 0 : -1;
    case KMESOS_KS_NUMBER_AUTO: return finite_in(*d, 1, KMESOS_KS_NUMBER_MAX) ? 0 : -1;
    case KMESOS_KS_PORT: return int_in(*n, 0, 65535) ? 0 : -1;
    case KMESOS_KS_DURATION: return finite_in(*d, 0, KMESOS_NUM_DURATION_MAX_S) ? 0 : -1;
    case KMESOS_KS_DURATION0: return finite_in(*d, 1, KMESOS_NUM_DURATION_MAX_S) ? 0 : -1;
    case KMESOS_KS_TRIES: return int_in(*n, 0, 1000000) ? 0 : -1;
    case KMESOS_KS_PORT_OFF: return int_in(*n, -1, 65535) ? 0 : -1;
    default: return text_ok(f, *(char *const *)at, err, errlen);
    }
}

int kmesos_ks_check(const kmesos_ks_schema *sc, const void *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < sc->n; i++) {
        const kmesos_ks_field *f = &sc->fields[i];
        int rc = field_ok(s, f, err, errlen);
        if (rc == -1)
            snprintf(err, errlen, "%s: expected %s", f->name, f->what);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int kmesos_ks_set(const kmesos_ks_schema *sc, void *s, const char *name, const char *v,
                  char *err, size_t errlen)
{
    const kmesos_ks_field *f = field_of(sc, name);
    if (!f) {
        snprintf(err, errlen, "unknown parameter '%s'", name);
        return -1;
    }
    int rc = ks_set_value(s, f, v ? v : "", err, errlen);
    if (rc == 0)
        rc = field_ok(s, f, err, errlen);
    if (rc == -1)
        snprintf(err, errlen, "%s: expected %s, got '%s'", name, f->what, v ? v : "");
    else if (rc == -2)
        snprintf(err, errlen, "%s: out of memory", name);
    return rc == 0 ? 0 : -1;
}

int kmesos_ks_defaults(const kmesos_ks_schema *sc, void *s)
{
    char err[256];
    memset(s, 0, sc->size);
    for (size_t i = 0; i < sc->n; i++) {
        const kmesos_ks_field *f = &sc->fields[i];
        int rc = f->dflt ? kmesos_ks_set(sc, s, f->name, f->dflt, err, sizeof err)
                 : is_text(f->type) ? kmesos_ks_set_text(text_at(s, f), "") : 0;
        if (rc != 0) {
            kmesos_ks_free(sc, s);
            return -1;
        }
    }
    return 0;
}

int kmesos_ks_copy(const kmesos_ks_schema *sc, void *dst, const void *src)
{
    memcpy(dst, src, sc->size);
    for (size_t i = 0; i < sc->n; i++)
        if (is_text(sc->fields[i].type))
            *text_at(dst, &sc->fields[i]) = NULL;
    for (size_t i = 0; i < sc->n; i++) {
        const kmesos_ks_field *f = &sc->fields[i];
        if (is_text(f->type) && kmesos_ks_set_text(text_at(dst, f), *text_at((void *)src, f)) != 0) {
            kmesos_ks_free(sc, dst);
            return -1;
        }
    }
    return 0;
}

void kmesos_ks_free(const kmesos_ks_schema *sc, void *s)
{
    for (size_t i = 0; i < sc->n; i++)
        if (is_text(sc->fields[i].type)) {
            char **p = text_at(s, &sc->fields[i]);
            free(*p);
            *p = NULL;
        }
}

int kmesos_ks_apply(const kmesos_ks_schema *sc, void *dst, const void *base,
                    const kmesos_kafka_params *p, const char *who, const char **field,
                    char *err, size_t errlen)
{
    if (kmesos_ks_copy(sc, dst, base) != 0) {
        *field = who;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)
        if (kmesos_ks_set(sc, dst, p->names[i], p->values[i], err, errlen) != 0) {
            *field = p->names[i];
            kmesos_ks_free(sc, dst);
            return -1;
        }
    return 0;
}

int kmesos_ks_check_common(double heap, double mem, double delay_s, double max_delay_s,
                           const char **field, char *err, size_t errlen)
{
    const struct { const char *name; double v, max; } in[] = {
        {"heap", heap, KMESOS_KS_NUMBER_MAX}, {"mem", mem, KMESOS_KS_NUMBER_MAX},
        {"failover_delay", delay_s, KMESOS_NUM_DURATION_MAX_S},
        {"failover_max_delay", max_delay_s, KMESOS_NUM_DURATION_MAX_S}};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        if (!kmesos_num_in(in[i].v, 0, in[i].max)) {
            *field = in[i].name;
            snprintf(err, errlen, "%s: %g is out of range (0..%g)", in[i].name, in[i].v,
                     in[i].max);
            return -1;
        }
    if (heap > 0 && heap >= mem) {
        *field = "heap";
        snprintf(err, errlen, "heap: %g MB does not fit in mem %g MB (the JVM needs more than "
                 "its heap)", heap, mem);
        return -1;
    }
    if (max_delay_s < delay_s) {
        *field = "failover_max_delay";
        snprintf(err, errlen, "failover_max_delay: shorter than failover_delay");
        return -1;
    }
    return 0;
}

/* ---- failover -------------------------------------------------------------------------- */

int kmesos_ks_failover(const kmesos_task *t, int state, const char *message,
                       kmesos_update_result r, int max_tries, int *failures, char **last_failure,
                       int *active, const char *who)
{
    char why[512];
    if (t->failures <= *failures)
        return 0;
    *failures = t->failures;
    snprintf(why, sizeof why, "%s%s%s", kmesos_task_state_name(state),
             message && *message ? ": " : "", message ? message : "");
    kmesos_str_set(last_failure, why);
    if (r != KMESOS_UPDATE_DONE || max_tries <= 0 || t->failures < max_tries)
        return 1;
    *active = 0;
    snprintf(why, sizeof why, "deactivated after %d consecutive failures; last: %s", t->failures,
             *last_failure ? *last_failure : "?");
    kmesos_str_set(last_failure, why);
    KLOG_WARN(MOD, "%s %s", who, why);
    return 2;
}
