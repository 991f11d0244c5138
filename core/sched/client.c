/* client: see client.h. The options text is split like the broker's
 * ("k=v,k=v", a piece without '=' continues the previous value); each
 * perf tool setting has one checker, and properties (names with a '.')
 * go to the tool's --command-property. */
#include "sched/client.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KMESOS_TOPIC_MAX 249

const char *const kmesos_client_params[] = {"cpus", "mem", "topic", "options", "command", NULL};

/* Perf tool settings: name, flag, default, the value it takes. */
typedef enum tool_value { TV_COUNT, TV_RATE } tool_value;
typedef struct tool_setting {
    kmesos_client_kind kind;
    const char *name, *flag, *dflt;
    tool_value value;
} tool_setting;

static const tool_setting tool_settings[] = {
    {KMESOS_CLIENT_PRODUCER, "num-records", "--num-records", "100000", TV_COUNT},
    {KMESOS_CLIENT_PRODUCER, "record-size", "--record-size", "100", TV_COUNT},
    {KMESOS_CLIENT_PRODUCER, "throughput", "--throughput", "-1", TV_RATE},
    {KMESOS_CLIENT_CONSUMER, "num-records", "--num-records", "100000", TV_COUNT},
    {KMESOS_CLIENT_CONSUMER, "messages", "--num-records", NULL, TV_COUNT},
    {KMESOS_CLIENT_CONSUMER, "timeout", "--timeout", "60000", TV_COUNT},
};
#define N_TOOL_SETTINGS (sizeof tool_settings / sizeof tool_settings[0])

const char *kmesos_client_kind_name(kmesos_client_kind kind)
{
    return kind == KMESOS_CLIENT_CONSUMER ? "consumer" : "producer";
}

int kmesos_client_kind_parse(const char *name, kmesos_client_kind *out)
{
    if (strcmp(name, "producer") == 0)
        *out = KMESOS_CLIENT_PRODUCER;
    else if (strcmp(name, "consumer") == 0)
        *out = KMESOS_CLIENT_CONSUMER;
    else
        return -1;
    return 0;
}

static int set_text(char **dst, const char *v)
{
    char *copy = strdup(v ? v : "");
    if (!copy)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

int kmesos_client_settings_defaults(kmesos_client_settings *s)
{
    memset(s, 0, sizeof *s);
    s->cpus = 0.5;
    s->mem = 512;
    if (set_text(&s->topic, "") || set_text(&s->options, "") || set_text(&s->command, "")) {
        kmesos_client_settings_free(s);
        return -1;
    }
    return 0;
}

int kmesos_client_settings_copy(kmesos_client_settings *dst, const kmesos_client_settings *src)
{
    *dst = *src;
    dst->topic = dst->options = dst->command = NULL;
    if (set_text(&dst->topic, src->topic) || set_text(&dst->options, src->options) ||
        set_text(&dst->command, src->command)) {
        kmesos_client_settings_free(dst);
        return -1;
    }
    return 0;
}

void kmesos_client_settings_free(kmesos_client_settings *s)
{
    free(s->topic);
    free(s->options);
    free(s->command);
    s->topic = s->options = s->command = NULL;
}

kmesos_client *kmesos_client_new(kmesos_client_kind kind, int id)
{
    kmesos_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->kind = kind;
    c->id = id;
    if (kmesos_client_settings_defaults(&c->set) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void kmesos_client_destroy(kmesos_client *c)
{
    if (!c)
        return;
    kmesos_client_settings_free(&c->set);
    free(c->last_failure);
    free(c->host);
    free(c);
}

int kmesos_client_param_known(const char *name)
{
    for (size_t i = 0; kmesos_client_params[i]; i++)
        if (strcmp(name, kmesos_client_params[i]) == 0)
            return 1;
    return 0;
}

/* ---- values ---------------------------------------------------------------------- */

static int positive(const char *v, double *out)
{
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(d) || d <= 0)
        return -1;
    *out = d;
    return 0;
}

static int one_line(const char *v)
{
    return strpbrk(v, "\r\n") == NULL;
}

static int valid_topic(const char *v)
{
    size_t n = strlen(v);
    return n > 0 && n <= KMESOS_TOPIC_MAX && strcmp(v, ".") != 0 && strcmp(v, "..") != 0 &&
           strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* "k=v,k=v" (or ""): the first piece must be k=v. */
static int valid_options(const char *v)
{
    if (!*v)
        return 1;
    const char *eq = strchr(v, '='), *comma = strchr(v, ',');
    return one_line(v) && eq && eq != v && (!comma || eq < comma);
}

static const char *expectation(const char *name)
{
    static const struct { const char *name, *what; } e[] = {
        {"cpus", "a number > 0"},
        {"mem", "a number of MB > 0"},
        {"topic", "a topic name of 1 to 249 letters, digits, '.', '_' or '-'"},
        {"options", "k=v,k=v"},
        {"command", "a shell command on one line"},
    };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
        if (strcmp(e[i].name, name) == 0)
            return e[i].what;
    return "a valid value";
}

int kmesos_client_param_set(kmesos_client_settings *s, const char *name, const char *v,
                            char *err, size_t errlen)
{
    int rc;
    if (strcmp(name, "cpus") == 0)
        rc = positive(v, &s->cpus);
    else if (strcmp(name, "mem") == 0)
        rc = positive(v, &s->mem);
    else if (strcmp(name, "topic") == 0)
        rc = valid_topic(v) ? set_text(&s->topic, v) : -1;
    else if (strcmp(name, "options") == 0)
        rc = valid_options(v) ? set_text(&s->options, v) : -1;
    else if (strcmp(name, "command") == 0)
        rc = one_line(v) ? set_text(&s->command, v) : -1;
    else {
        snprintf(err, errlen, "unknown parameter '%s'", name);
        return -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "%s: expected %s, got '%s'", name, expectation(name), v);
    return rc;
}

/* ---- options ------------------------------------------------------------------------ */

/* The options as pairs: names[i]=values[i] (malloc'd copies in *buf). */
typedef struct opt_list {
    char *buf;
    char *names[64];
    char *values[64];
    size_t n;
} opt_list;

/* Splits "k=v,k=v"; a piece without '=' continues the previous value. */
static int opt_split(const char *text, opt_list *l)
{
    memset(l, 0, sizeof *l);
    if (!(l->buf = strdup(text)))
        return -1;
    char *p = l->buf;
    while (*p) {
        char *comma = strchr(p, ','), *eq = strchr(p, '=');
        if (comma)
            *comma = '\0';
        if (eq && (!comma || eq < comma)) {
            if (l->n == 64)
                return -1;
            *eq = '\0';
            l->names[l->n] = p;
            l->values[l->n++] = eq + 1;
        } else if (l->n) {
            p[-1] = ','; /* continues the previous value */
        } else {
            return -1;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static const tool_setting *tool_setting_of(kmesos_client_kind kind, const char *name)
{
    for (size_t i = 0; i < N_TOOL_SETTINGS; i++)
        if (tool_settings[i].kind == kind && strcmp(tool_settings[i].name, name) == 0)
            return &tool_settings[i];
    return NULL;
}

static int tool_value_ok(const tool_setting *t, const char *v)
{
    char *end = NULL;
    errno = 0;
    if (t->value == TV_COUNT) {
        long long n = strtoll(v, &end, 10);
        return !errno && end != v && !*end && n >= 1;
    }
    double d = strtod(v, &end);
    return !errno && end != v && !*end && isfinite(d) && (d == -1 || d > 0);
}

/* A client property: a name with a '.' (linger.ms, client.id) or one of
 * the few without (acks, retries). */
static int is_property(const char *name)
{
    static const char *const plain[] = {"acks", "retries"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (strcmp(name, plain[i]) == 0)
            return 1;
    return strchr(name, '.') && strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                                    strlen(name);
}

/* One option of the perf tool. 0, or -1 with a message. */
static int check_option(kmesos_client_kind kind, const char *name, const char *value, char *err,
                        size_t errlen)
{
    const tool_setting *t = tool_setting_of(kind, name);
    if (t) {
        if (tool_value_ok(t, value))
            return 0;
        snprintf(err, errlen, "options: %s: expected %s, got '%s'", name,
                 t->value == TV_COUNT ? "a whole number >= 1" : "records/s > 0, or -1 (no limit)",
                 value);
        return -1;
    }
    if (is_property(name))
        return 0;
    snprintf(err, errlen, "options: unknown %s option '%s' (expected %s, or a client property "
             "such as acks or linger.ms)", kmesos_client_kind_name(kind), name,
             kind == KMESOS_CLIENT_PRODUCER ? "num-records, record-size, throughput"
                                            : "num-records (or messages), timeout");
    return -1;
}

int kmesos_client_settings_check(kmesos_client_kind kind, const kmesos_client_settings *s,
                                 const char **field, char *err, size_t errlen)
{
    if (!s->topic || !*s->topic) {
        *field = "topic";
        snprintf(err, errlen, "topic: required (the topic to %s)",
                 kind == KMESOS_CLIENT_PRODUCER ? "produce to" : "consume from");
        return -1;
    }
    opt_list l;
    *field = "options";
    if (opt_split(s->options, &l) != 0) {
        free(l.buf);
        snprintf(err, errlen, "options: expected k=v,k=v (at most 64), got '%s'", s->options);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && !*s->command && i < l.n; i++)
        rc = check_option(kind, l.names[i], l.values[i], err, errlen);
    free(l.buf);
    return rc;
}

/* ---- the perf tool's command line ------------------------------------------------- */

char *kmesos_client_shell_quote(const char *text)
{
    size_t n = 3;
    for (const char *p = text; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *out = malloc(n), *w = out;
    if (!out)
        return NULL;
    *w++ = '\'';
    for (const char *p = text; *p; p++) {
        if (*p == '\'') {
            memcpy(w, "'\\''", 4);
            w += 4;
        } else {
            *w++ = *p;
        }
    }
    *w++ = '\'';
    *w = '\0';
    return out;
}

typedef struct argbuf {
    char *text;
    size_t len, cap;
    int failed;
} argbuf;

static void arg_raw(argbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->failed)
        return;
    if (b->len + n + 2 > b->cap) {
        size_t cap = (b->len + n + 2) * 2;
        char *grown = realloc(b->text, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
    if (b->len)
        b->text[b->len++] = ' ';
    memcpy(b->text + b->len, s, n + 1);
    b->len += n;
}

static void arg_quoted(argbuf *b, const char *s)
{
    char *q = kmesos_client_shell_quote(s);
    if (!q)
        b->failed = 1;
    else
        arg_raw(b, q);
    free(q);
}

/* The value of a tool setting: the last option naming it (or an alias
 * with the same flag), else its default. */
static const char *setting_value(const tool_setting *t, const opt_list *l)
{
    const char *v = t->dflt;
    for (size_t i = 0; i < l->n; i++) {
        const tool_setting *o = tool_setting_of(t->kind, l->names[i]);
        if (o && strcmp(o->flag, t->flag) == 0)
            v = l->values[i];
    }
    return v;
}

char *kmesos_client_tool_args(kmesos_client_kind kind, const kmesos_client_settings *s)
{
    opt_list l;
    argbuf b = {0};
    if (opt_split(s->options, &l) != 0) {
        free(l.buf);
        return NULL;
    }
    arg_raw(&b, "--topic");
    arg_quoted(&b, s->topic);
    for (size_t i = 0; i < N_TOOL_SETTINGS; i++) {
        const tool_setting *t = &tool_settings[i];
        if (t->kind != kind || !t->dflt)
            continue;
        arg_raw(&b, t->flag);
        arg_quoted(&b, setting_value(t, &l));
    }
    /* properties: the producer's flag takes a list, the consumer's repeats */
    int listed = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (tool_setting_of(kind, l.names[i]))
            continue;
        char prop[1024];
        snprintf(prop, sizeof prop, "%s=%s", l.names[i], l.values[i]);
        if (kind == KMESOS_CLIENT_CONSUMER || !listed++)
            arg_raw(&b, "--command-property");
        arg_quoted(&b, prop);
    }
    free(l.buf);
    if (b.failed || !b.text) {
        free(b.text);
        return NULL;
    }
    return b.text;
}

/* ---- state ----------------------------------------------------------------------------- */

json_t *kmesos_client_state_json(const kmesos_client *c)
{
    const kmesos_client_settings *s = &c->set;
    return json_pack("{s:s, s:i, s:b, s:f, s:f, s:s, s:s, s:s, s:i, s:s*, s:s*}", "kind",
                     kmesos_client_kind_name(c->kind), "id", c->id, "active", c->active, "cpus",
                     s->cpus, "mem", s->mem, "topic", s->topic, "options", s->options, "command",
                     s->command, "failures", c->failures, "last_failure", c->last_failure, "host",
                     c->host);
}

kmesos_client *kmesos_client_from_state(json_t *j, char *err, size_t errlen)
{
    const char *kind = NULL, *topic = NULL, *options = NULL, *command = NULL, *failure = NULL,
               *host = NULL;
    int id = -1, active = 0, failures = 0;
    double cpus = 0, mem = 0;
    kmesos_client_kind k;
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s:s, s:i, s:b, s:F, s:F, s:s, s:s, s:s, s?i, s?s, s?s}",
                       "kind", &kind, "id", &id, "active", &active, "cpus", &cpus, "mem", &mem,
                       "topic", &topic, "options", &options, "command", &command, "failures",
                       &failures, "last_failure", &failure, "host", &host) != 0) {
        snprintf(err, errlen, "bad client entry: %s", je.text);
        return NULL;
    }
    if (kmesos_client_kind_parse(kind, &k) != 0 || id < 0) {
        snprintf(err, errlen, "bad client entry: kind '%s', id %d", kind, id);
        return NULL;
    }
    kmesos_client *c = kmesos_client_new(k, id);
    if (!c || set_text(&c->set.topic, topic) || set_text(&c->set.options, options) ||
        set_text(&c->set.command, command) || (failure && set_text(&c->last_failure, failure)) ||
        (host && set_text(&c->host, host))) {
        kmesos_client_destroy(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->active = active;
    c->set.cpus = cpus;
    c->set.mem = mem;
    c->failures = failures;
    return c;
}
