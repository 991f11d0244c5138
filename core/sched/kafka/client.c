/* client: the settings of producers and consumers, and the command line
 * of Kafka's perf tool that runs one (client.h). The settings are a table
 * of rows for settings.c, like the broker's. The options text is split
 * like the broker's ("k=v,k=v", a piece without '=' continues the
 * previous value); each perf tool setting has one checker and a default,
 * and properties (names with a '.') go to the tool's --command-property.
 * The saved entry is a flat JSON object; entries written before the
 * lifecycle settings existed load with their defaults. */
#include "sched/kafka/client.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/str.h"

#define F(name, type, field, what, dflt) \
    {name, type, offsetof(kmesos_client_settings, field), what, dflt}
static const kmesos_ks_field client_fields[] = {
    F("cpus", KMESOS_KS_NUMBER, cpus, "a number > 0", "0.5"),
    F("mem", KMESOS_KS_NUMBER, mem, "a number of MB > 0", "512"),
    F("heap", KMESOS_KS_NUMBER_AUTO, heap, "a number of MB > 0, or auto (half of mem)", "auto"),
    F("topic", KMESOS_KS_TOPIC, topic, "a topic name of 1 to 249 letters, digits, '.', '_' or '-'",
      NULL),
    F("options", KMESOS_KS_KV, options, "k=v,k=v", NULL),
    F("command", KMESOS_KS_LINE, command, "a shell command on one line", NULL),
    KMESOS_KS_LIFECYCLE_ROWS(F),
};
#undef F

const kmesos_ks_schema kmesos_client_schema = {
    client_fields, sizeof client_fields / sizeof client_fields[0], sizeof(kmesos_client_settings)};

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

kmesos_client *kmesos_client_of(const kmesos_kafka_node *n)
{
    return n && n->kind != KMESOS_KAFKA_BROKER ? (kmesos_client *)n : NULL;
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

int kmesos_client_settings_defaults(kmesos_client_settings *s)
{
    return kmesos_ks_defaults(&kmesos_client_schema, s);
}

void kmesos_client_settings_free(kmesos_client_settings *s)
{
    kmesos_ks_free(&kmesos_client_schema, s);
}

kmesos_client *kmesos_client_new(kmesos_client_kind kind, int id)
{
    kmesos_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->node.kind = kind;
    c->node.id = id;
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
    kmesos_kafka_node_clear(&c->node);
    free(c);
}

int kmesos_client_param_known(const char *name)
{
    return kmesos_ks_known(&kmesos_client_schema, name);
}

const char *kmesos_client_param_refused(kmesos_client_kind kind, const char *name, char *buf,
                                        size_t len)
{
    static const struct { const char *name, *why; } broker_only[] = {
        {"port", "a %s listens on no port (it connects to the brokers' "
                 "KAFKA_BOOTSTRAP_SERVERS)"},
        {"data_dir", "a %s keeps no data on the agent (its sandbox is all it writes)"},
        {"stickiness_period", "a %s has no data to come back to (it prefers the hosts of "
                              "the RUNNING brokers; use constraints to pin it)"},
    };
    for (size_t i = 0; i < sizeof broker_only / sizeof broker_only[0]; i++)
        if (strcmp(name, broker_only[i].name) == 0) {
            char why[200];
            snprintf(why, sizeof why, broker_only[i].why, kmesos_kafka_kind_name(kind));
            snprintf(buf, len, "%s: a broker-only setting: %s", name, why);
            return buf;
        }
    return NULL;
}

long kmesos_client_heap_mb(const kmesos_client_settings *s)
{
    long long mb = 0;
    if (s->heap > 0 && kmesos_num_to_ll(s->heap, 1, KMESOS_KS_NUMBER_MAX, &mb) == 0)
        return (long)mb;
    if (kmesos_num_to_ll(s->mem / 2, 0, KMESOS_KS_NUMBER_MAX, &mb) != 0)
        mb = 0;
    return mb < 64 ? 64 : (long)mb;
}

int kmesos_client_param_set(kmesos_client_settings *s, const char *name, const char *v,
                            char *err, size_t errlen)
{
    return kmesos_ks_set(&kmesos_client_schema, s, name, v, err, errlen);
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
    long long n;
    double d;
    if (t->value == TV_COUNT)
        return kmesos_num_int(v, 1, LLONG_MAX, &n) == KMESOS_NUM_OK;
    return kmesos_num_real(v, -1, 1e15, &d) == KMESOS_NUM_OK && (d == -1 || d > 0);
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
             "such as acks or linger.ms)", kmesos_kafka_kind_name(kind), name,
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
    if (kmesos_ks_check_common(s->heap, s->mem, s->failover_delay_s, s->failover_max_delay_s,
                               field, err, errlen) != 0)
        return -1;
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
    return json_pack("{s:s, s:i, s:b, s:f, s:f, s:f, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:i,"
                     " s:i, s:s*, s:s*}",
                     "kind", kmesos_kafka_kind_name(c->node.kind), "id", c->node.id, "active",
                     c->node.active,
                     "cpus", s->cpus, "mem", s->mem, "heap", s->heap, "topic", s->topic,
                     "options", s->options, "command", s->command, "jvm_options", s->jvm_options,
                     "constraints", s->constraints, "failover_delay_s", s->failover_delay_s,
                     "failover_max_delay_s", s->failover_max_delay_s, "failover_max_tries",
                     s->failover_max_tries, "failures", c->node.failures, "last_failure",
                     c->node.last_failure, "host", c->node.host);
}

kmesos_client *kmesos_client_from_state(json_t *j, char *err, size_t errlen)
{
    const char *kind = NULL, *topic = NULL, *options = NULL, *command = NULL, *failure = NULL,
               *host = NULL, *jvm = NULL, *constraints = NULL;
    int id = -1, active = 0, failures = 0;
    kmesos_client_settings d; /* the defaults stand for what an old entry lacks */
    kmesos_client_kind k;
    json_error_t je;
    if (kmesos_client_settings_defaults(&d) != 0) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (json_unpack_ex(j, &je, 0,
                       "{s:s, s:i, s:b, s:F, s:F, s:s, s:s, s:s, s?i, s?s, s?s, s?F, s?s, s?s,"
                       " s?F, s?F, s?i}",
                       "kind", &kind, "id", &id, "active", &active, "cpus", &d.cpus, "mem",
                       &d.mem, "topic", &topic, "options", &options, "command", &command,
                       "failures", &failures, "last_failure", &failure, "host", &host, "heap",
                       &d.heap, "jvm_options", &jvm, "constraints", &constraints,
                       "failover_delay_s", &d.failover_delay_s, "failover_max_delay_s",
                       &d.failover_max_delay_s, "failover_max_tries",
                       &d.failover_max_tries) != 0) {
        kmesos_client_settings_free(&d);
        snprintf(err, errlen, "bad client entry: %s", je.text);
        return NULL;
    }
    if (kmesos_client_kind_parse(kind, &k) != 0 || id < 0 || id > KMESOS_KAFKA_MAX_ID) {
        kmesos_client_settings_free(&d);
        snprintf(err, errlen, "bad client entry: kind '%s', id %d", kind, id);
        return NULL;
    }
    kmesos_client *c = kmesos_client_new(k, id);
    if (!c || kmesos_ks_set_text(&d.topic, topic) || kmesos_ks_set_text(&d.options, options) ||
        kmesos_ks_set_text(&d.command, command) || (jvm && kmesos_ks_set_text(&d.jvm_options, jvm)) ||
        (constraints && kmesos_ks_set_text(&d.constraints, constraints)) ||
        kmesos_str_set(&c->node.last_failure, failure) || kmesos_str_set(&c->node.host, host)) {
        kmesos_client_settings_free(&d);
        kmesos_client_destroy(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    kmesos_client_settings_free(&c->set);
    c->set = d;
    c->node.active = active;
    c->node.failures = failures;
    char why[256];
    const char *field = NULL;
    if (kmesos_ks_check(&kmesos_client_schema, &c->set, why, sizeof why) != 0 ||
        kmesos_client_settings_check(k, &c->set, &field, why, sizeof why) != 0 ||
        (failures < 0 && snprintf(why, sizeof why, "failures: negative") > 0)) {
        snprintf(err, errlen, "%s %d: %s", kind, id, why);
        kmesos_client_destroy(c);
        return NULL;
    }
    return c;
}
