/* tread: each line is parsed with jansson on its own (json_loadb, so one
 * bad line is named by its number) and checked against a table of the
 * fields its event has: each field's type (string, a string from a fixed
 * set, number in a range, non-negative integer, list of strings, the
 * "prefer" object), whether it is required, and no field beyond the
 * table. "t" and "ev" are in every record. The tables follow
 * sched/trace.h; a field the writer adds must be added here too, which is
 * the point: a trace this reader does not know is refused, not guessed. */
#include "sim/tread.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_MAX 1e10   /* seconds: any clock a trace is on */
#define RES_MAX 1e9  /* cpus, mem, disk */

typedef enum ftype { F_STR, F_ENUM, F_NUM, F_INT, F_STRS, F_PREFER } ftype;

typedef struct field {
    const char *name;
    ftype type;
    int required;
    double min, max;             /* F_NUM */
    const char *const *values;   /* F_ENUM */
} field;

static const char *const VERDICTS[] = {"accept", "decline", "wait", NULL};
static const char *const LOCALITIES[] = {"node", "rack", "any", "none", NULL};

#define STR(n, req) {n, F_STR, req, 0, 0, NULL}
#define NUM(n, req, lo, hi) {n, F_NUM, req, lo, hi, NULL}
#define END {NULL, F_STR, 0, 0, 0, NULL}

static const field OFFER[] = {STR("offer", 1), STR("agent", 1), STR("host", 0), STR("rack", 0),
                              NUM("cpus", 1, 0, RES_MAX), NUM("mem", 1, 0, RES_MAX),
                              NUM("disk", 0, 0, RES_MAX), END};
static const field TASK[] = {STR("task", 1), STR("job", 1), {"instance", F_INT, 1, 0, 0, NULL},
                             NUM("cpus", 1, 0.001, RES_MAX), NUM("mem", 1, 1, RES_MAX),
                             NUM("disk", 0, 0, RES_MAX), {"prefer", F_PREFER, 0, 0, 0, NULL},
                             END};
static const field VERDICT[] = {STR("offer", 1), STR("task", 1),
                                {"verdict", F_ENUM, 1, 0, 0, VERDICTS}, STR("reason", 0), END};
static const field LAUNCH[] = {STR("offer", 1), STR("task", 1), STR("host", 0),
                               {"locality", F_ENUM, 1, 0, 0, LOCALITIES}, END};
static const field DECLINE[] = {{"offers", F_STRS, 1, 0, 0, NULL},
                                NUM("refuse_s", 1, 0, T_MAX), END};
static const field HOLD[] = {STR("offer", 1), NUM("until_s", 1, 0, T_MAX), END};
static const field EXPIRE[] = {STR("offer", 1), END};
static const field UPDATE[] = {STR("task", 1), STR("state", 1), END};

static const char *const EV_NAMES[KSIM_TEV_N] = {"offer", "task", "verdict", "launch",
                                                 "decline", "hold", "expire", "update"};
static const field *const EV_FIELDS[KSIM_TEV_N] = {OFFER, TASK, VERDICT, LAUNCH,
                                                   DECLINE, HOLD, EXPIRE, UPDATE};

const char *ksim_tev_name(ksim_tev ev)
{
    return (unsigned)ev < KSIM_TEV_N ? EV_NAMES[ev] : "?";
}

static int vfail(const char *file, size_t line, char *err, size_t errlen, const char *fmt,
                 va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(err, errlen, "%s:%zu: %s", file, line, msg);
    return -1;
}

static int fail(const char *file, size_t line, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(const char *file, size_t line, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(file, line, err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int ksim_trec_fail(const ksim_trec *r, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r->file, r->line, err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- checks ------------------------------------------------------------------------ */

typedef struct ctx {
    const char *file;
    size_t line;
    char *err;
    size_t errlen;
    const char *ev; /* the event's name, for messages */
} ctx;

/* "field 'NAME': expected WANT, got VALUE" */
static int bad(const ctx *c, const char *name, const json_t *v, const char *want)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    int rc = fail(c->file, c->line, c->err, c->errlen, "field '%s': expected %s, got %.60s%s",
                  name, want, text ? text : "?", text && strlen(text) > 60 ? "..." : "");
    free(text);
    return rc;
}

static int check_strs(const ctx *c, const char *name, const json_t *v)
{
    if (!json_is_array(v))
        return bad(c, name, v, "an array of strings");
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_string(json_array_get(v, i)))
            return bad(c, name, v, "an array of strings");
    return 0;
}

static int check_prefer(const ctx *c, const json_t *v)
{
    static const char *const keys[] = {"prefer.agents", "prefer.hosts", "prefer.racks"};
    if (!json_is_object(v))
        return bad(c, "prefer", v, "an object {agents, hosts, racks}");
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)v, key, item) {
        size_t k = 0;
        while (k < 3 && strcmp(keys[k] + 7, key) != 0)
            k++;
        if (k == 3)
            return fail(c->file, c->line, c->err, c->errlen, "unknown field 'prefer.%s' "
                        "(known: agents, hosts, racks)", key);
        if (check_strs(c, keys[k], item) != 0)
            return -1;
    }
    return 0;
}

static int check_enum(const ctx *c, const field *f, const json_t *v)
{
    char want[200] = "one of";
    for (size_t i = 0; f->values[i]; i++) {
        if (json_is_string(v) && strcmp(json_string_value(v), f->values[i]) == 0)
            return 0;
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s \"%s\"", i ? "," : "",
                 f->values[i]);
    }
    return bad(c, f->name, v, want);
}

static int check_field(const ctx *c, const field *f, const json_t *v)
{
    char want[120];
    if (json_is_null(v) && !f->required)
        return 0; /* the writer packs an optional value it lacks as null */
    switch (f->type) {
    case F_STR:
        return json_is_string(v) ? 0 : bad(c, f->name, v, "a string");
    case F_ENUM:
        return check_enum(c, f, v);
    case F_NUM:
        if (json_is_number(v) && json_number_value(v) >= f->min &&
            json_number_value(v) <= f->max)
            return 0;
        snprintf(want, sizeof want, "a number in [%g, %g]", f->min, f->max);
        return bad(c, f->name, v, want);
    case F_INT:
        return json_is_integer(v) && json_integer_value(v) >= 0 &&
                       json_integer_value(v) <= INT_MAX
                   ? 0 : bad(c, f->name, v, "an integer >= 0");
    case F_STRS:
        return check_strs(c, f->name, v);
    case F_PREFER:
        return check_prefer(c, v);
    }
    return -1;
}

/* Every key is "t", "ev" or one of fields; every required field is there
 * and every field has its type. */
static int check_fields(const ctx *c, const json_t *obj, const field *fields)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (fields[i].name && strcmp(fields[i].name, key) != 0)
            i++;
        if (fields[i].name || strcmp(key, "t") == 0 || strcmp(key, "ev") == 0)
            continue;
        char known[300] = "t, ev";
        for (size_t k = 0; fields[k].name; k++)
            snprintf(known + strlen(known), sizeof known - strlen(known), ", %s",
                     fields[k].name);
        return fail(c->file, c->line, c->err, c->errlen, "unknown field '%s' in a%s %s record "
                    "(known: %s)", key, strchr("aeiou", c->ev[0]) ? "n" : "", c->ev, known);
    }
    for (size_t i = 0; fields[i].name; i++) {
        v = json_object_get(obj, fields[i].name);
        if (!v && fields[i].required)
            return fail(c->file, c->line, c->err, c->errlen, "missing field '%s' (a%s %s "
                        "record needs it)", fields[i].name, strchr("aeiou", c->ev[0]) ? "n" : "",
                        c->ev);
        if (v && check_field(c, &fields[i], v) != 0)
            return -1;
    }
    return 0;
}

/* The event and the time of a record, then its fields. */
static int check_record(const ctx *c, const json_t *obj, ksim_trec *rec)
{
    const json_t *ev = json_object_get(obj, "ev"), *t = json_object_get(obj, "t");
    if (!ev)
        return fail(c->file, c->line, c->err, c->errlen, "missing field 'ev'");
    if (!json_is_string(ev))
        return bad(c, "ev", ev, "a string");
    int k = 0;
    while (k < KSIM_TEV_N && strcmp(EV_NAMES[k], json_string_value(ev)) != 0)
        k++;
    if (k == KSIM_TEV_N)
        return fail(c->file, c->line, c->err, c->errlen, "field 'ev': unknown event '%.60s' "
                    "(known: offer, task, verdict, launch, decline, hold, expire, update)",
                    json_string_value(ev));
    if (!t)
        return fail(c->file, c->line, c->err, c->errlen, "missing field 't'");
    if (!json_is_number(t) || json_number_value(t) < 0 || json_number_value(t) > T_MAX)
        return bad(c, "t", t, "a number of seconds >= 0");
    ctx with_ev = *c;
    with_ev.ev = EV_NAMES[k];
    rec->ev = (ksim_tev)k;
    rec->t = json_number_value(t);
    rec->obj = obj;
    return check_fields(&with_ev, obj, EV_FIELDS[k]);
}

/* ---- the file ------------------------------------------------------------------------ */

static int blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* One line: parsed, checked, handed to fn. */
static int one_line(const ctx *c, const char *buf, size_t len, ksim_trec_fn fn, void *arg)
{
    json_error_t jerr;
    json_t *obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj)
        return fail(c->file, c->line, c->err, c->errlen, "not JSON (column %d): %s",
                    jerr.column, jerr.text);
    ksim_trec rec = {c->file, c->line, KSIM_TEV_OFFER, 0, NULL};
    int rc = json_is_object(obj) ? check_record(c, obj, &rec)
                                 : fail(c->file, c->line, c->err, c->errlen,
                                        "expected a JSON object (one record per line)");
    if (rc == 0)
        rc = fn(arg, &rec, c->err, c->errlen);
    json_decref(obj);
    return rc;
}

int ksim_tread(const char *path, ksim_trec_fn fn, void *arg, size_t *n, char *err,
               size_t errlen)
{
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    ctx c = {path, 0, err, errlen, ""};
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&buf, &cap, f)) >= 0) {
        c.line++;
        if (blank(buf, (size_t)len))
            continue;
        rc = one_line(&c, buf, (size_t)len, fn, arg);
        *n += rc == 0;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    free(buf);
    fclose(f);
    return rc;
}

/* ---- fields of a checked record --------------------------------------------------------- */

const char *ksim_trec_str(const ksim_trec *r, const char *key)
{
    return json_string_value(json_object_get(r->obj, key));
}

double ksim_trec_num(const ksim_trec *r, const char *key, double def)
{
    const json_t *v = json_object_get(r->obj, key);
    return json_is_number(v) ? json_number_value(v) : def;
}

int ksim_trec_int(const ksim_trec *r, const char *key)
{
    const json_t *v = json_object_get(r->obj, key);
    json_int_t i = json_is_integer(v) ? json_integer_value(v) : 0;
    return i >= 0 && i <= INT_MAX ? (int)i : 0;
}
