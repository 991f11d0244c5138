/* broker: the broker's settings, id expressions and saved entry
 * (broker.h). The settings are a table of rows for settings.c, which
 * validates each value and names the field in its message; a request
 * works on a copy, so a failed one never leaves half-changed brokers. An
 * id expression ("0", "0,2", "1..4", "*") is split at commas, ranges are
 * expanded, and the result is sorted without duplicates and checked
 * against the known ids. The saved entry is a flat JSON object of the
 * settings and what was learnt; entries from older files that lack the
 * learnt fields load with them unset. */
#include "sched/kafka/broker.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/idexpr.h"
#include "codec/num.h"
#include "codec/str.h"

#define F(name, type, field, what, dflt) \
    {name, type, offsetof(kmesos_broker_settings, field), what, dflt}
static const kmesos_ks_field broker_fields[] = {
    F("cpus", KMESOS_KS_NUMBER, cpus, "a number > 0", "1"),
    F("mem", KMESOS_KS_NUMBER, mem, "a number of MB > 0", "2048"),
    F("heap", KMESOS_KS_NUMBER, heap, "a number of MB > 0", "1024"),
    F("port", KMESOS_KS_PORT, port, "'auto' or a port number 1..65535", "auto"),
    F("options", KMESOS_KS_KV, options, "server properties k=v,k=v", NULL),
    KMESOS_KS_LIFECYCLE_ROWS(F),
    F("stickiness_period", KMESOS_KS_DURATION0, stickiness_period_s,
      "a duration such as 10m", "10m"),
    F("data_dir", KMESOS_KS_DIRS, data_dir, "an absolute path (or a comma list of them)", NULL),
    F("ssl_port", KMESOS_KS_PORT_OFF, ssl_port, "none, auto or a port number 1..65535", "none"),
    F("sasl_port", KMESOS_KS_PORT_OFF, sasl_port, "none, auto or a port number 1..65535", "none"),
    F("ssl_keystore", KMESOS_KS_URI, ssl_keystore, "a URI (http(s)://, file:// or /path)", NULL),
    F("ssl_truststore", KMESOS_KS_URI, ssl_truststore, "a URI (http(s)://, file:// or /path)",
      NULL),
    F("ssl_secrets", KMESOS_KS_URI, ssl_secrets, "a URI (http(s)://, file:// or /path)", NULL),
    F("inter_broker_protocol", KMESOS_KS_CHOICE, inter_broker_protocol,
      "PLAINTEXT|SSL|SASL_SSL", "PLAINTEXT"),
    F("sasl_mechanism", KMESOS_KS_CHOICE, sasl_mechanism, "SCRAM-SHA-512|SCRAM-SHA-256",
      "SCRAM-SHA-512"),
    F("reserve", KMESOS_KS_CHOICE, reserve, "false|true", "false"),
    F("volume_size", KMESOS_KS_NUMBER, volume_size, "a number of MB > 0", "1024"),
    F("advertised_host", KMESOS_KS_HOST, advertised_host, "a host name or IPv4 address, or \"\"",
      NULL),
    F("role", KMESOS_KS_CHOICE, role, "combined|controller|broker", "combined"),
};
#undef F

const kmesos_ks_schema kmesos_broker_schema = {
    broker_fields, sizeof broker_fields / sizeof broker_fields[0], sizeof(kmesos_broker_settings)};

kmesos_broker *kmesos_broker_of(const kmesos_kafka_node *n)
{
    return n && n->kind == KMESOS_KAFKA_BROKER ? (kmesos_broker *)n : NULL;
}

int kmesos_broker_settings_defaults(kmesos_broker_settings *s)
{
    return kmesos_ks_defaults(&kmesos_broker_schema, s);
}

void kmesos_broker_settings_free(kmesos_broker_settings *s)
{
    kmesos_ks_free(&kmesos_broker_schema, s);
}

kmesos_broker *kmesos_broker_new(int id)
{
    kmesos_broker *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->node.kind = KMESOS_KAFKA_BROKER;
    b->node.id = id;
    if (kmesos_broker_settings_defaults(&b->set) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

void kmesos_broker_destroy(kmesos_broker *b)
{
    if (!b)
        return;
    kmesos_broker_settings_free(&b->set);
    kmesos_kafka_node_clear(&b->node);
    kmesos_kvol_clear(&b->vol);
    free(b->agent_id);
    free(b);
}

int kmesos_broker_reserves(const kmesos_broker_settings *s)
{
    return s->reserve && strcmp(s->reserve, "true") == 0;
}

int kmesos_broker_is_controller(const kmesos_broker_settings *s)
{
    return s->role && strcmp(s->role, "controller") == 0;
}

int kmesos_broker_may_vote(const kmesos_broker_settings *s)
{
    return !s->role || strcmp(s->role, "broker") != 0;
}

int kmesos_broker_param_known(const char *name)
{
    return kmesos_ks_known(&kmesos_broker_schema, name);
}

int kmesos_broker_param_set(kmesos_broker_settings *s, const char *name, const char *v,
                            char *err, size_t errlen)
{
    return kmesos_ks_set(&kmesos_broker_schema, s, name, v, err, errlen);
}

/* The sandbox file name the fetcher gives a URI: what follows its last '/'. */
const char *kmesos_broker_uri_file(const char *uri)
{
    const char *slash = strrchr(uri, '/');
    return slash ? slash + 1 : uri;
}

static int tls_fail(const char **field, const char *name, char *err, size_t errlen,
                    const char *why)
{
    *field = name;
    snprintf(err, errlen, "%s: %s", name, why);
    return -1;
}

/* The fetched files of the TLS settings: each a file name of its own,
 * none of the sandbox's other files. */
static int tls_files_check(const kmesos_broker_settings *s, const char **field, char *err,
                           size_t errlen)
{
    static const char *const taken[] = {"server.properties", "log4j2.properties", "stdout",
                                        "stderr", "kmesos-executor", ".", "..", ""};
    const char *names[3] = {"ssl_keystore", "ssl_truststore", "ssl_secrets"};
    const char *uris[3] = {s->ssl_keystore, s->ssl_truststore, s->ssl_secrets};
    for (size_t i = 0; i < 3; i++) {
        const char *f = kmesos_broker_uri_file(uris[i]);
        for (size_t t = 0; *uris[i] && t < sizeof taken / sizeof taken[0]; t++)
            if (strcmp(f, taken[t]) == 0)
                return tls_fail(field, names[i], err, errlen,
                                "the file name at the end of the URI is not usable");
        for (size_t j = 0; *uris[i] && j < i; j++)
            if (strcmp(f, kmesos_broker_uri_file(uris[j])) == 0)
                return tls_fail(field, names[i], err, errlen,
                                "its file name is the same as another TLS file's");
    }
    return 0;
}

/* A TLS listener (or TLS between brokers) needs the keystore, the
 * truststore and the secrets; the inter-broker listener must exist; the
 * ports must differ. */
static int tls_check(const kmesos_broker_settings *s, const char **field, char *err,
                     size_t errlen)
{
    const char *ibp = s->inter_broker_protocol;
    int tls = s->ssl_port || s->sasl_port || strcmp(ibp, "PLAINTEXT") != 0;
    const char *need = "required with ssl_port, sasl_port or a TLS inter_broker_protocol";
    if (tls && !*s->ssl_keystore)
        return tls_fail(field, "ssl_keystore", err, errlen, need);
    if (tls && !*s->ssl_truststore)
        return tls_fail(field, "ssl_truststore", err, errlen, need);
    if (tls && !*s->ssl_secrets)
        return tls_fail(field, "ssl_secrets", err, errlen, need);
    if (strcmp(ibp, "SSL") == 0 && !s->ssl_port)
        return tls_fail(field, "inter_broker_protocol", err, errlen, "SSL needs an ssl_port");
    if (strcmp(ibp, "SASL_SSL") == 0 && !s->sasl_port)
        return tls_fail(field, "inter_broker_protocol", err, errlen,
                        "SASL_SSL needs a sasl_port");
    if (s->ssl_port > 0 && s->ssl_port == s->port)
        return tls_fail(field, "ssl_port", err, errlen, "the same as port");
    if (s->sasl_port > 0 && (s->sasl_port == s->port || s->sasl_port == s->ssl_port))
        return tls_fail(field, "sasl_port", err, errlen, "the same as port or ssl_port");
    return tls_files_check(s, field, err, errlen);
}

int kmesos_broker_settings_check(const kmesos_broker_settings *s, const char **field, char *err,
                                 size_t errlen)
{
    if (kmesos_ks_check_common(s->heap, s->mem, s->failover_delay_s, s->failover_max_delay_s,
                               field, err, errlen) != 0)
        return -1;
    /* a dedicated controller has no client listeners: the controller
     * listener stays PLAINTEXT, as for every node */
    if (kmesos_broker_is_controller(s) &&
        (s->ssl_port || s->sasl_port || strcmp(s->inter_broker_protocol, "PLAINTEXT") != 0))
        return tls_fail(field, "role", err, errlen,
                        "a dedicated controller has no client listeners: no ssl_port, sasl_port "
                        "or TLS inter_broker_protocol");
    return tls_check(s, field, err, errlen);
}

json_t *kmesos_broker_tls_json(const kmesos_broker_settings *s)
{
    return json_pack("{s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s}", "ssl_port", s->ssl_port,
                     "sasl_port", s->sasl_port, "ssl_keystore", s->ssl_keystore,
                     "ssl_truststore", s->ssl_truststore, "ssl_secrets", s->ssl_secrets,
                     "inter_broker_protocol", s->inter_broker_protocol, "sasl_mechanism",
                     s->sasl_mechanism, "advertised_host", s->advertised_host);
}

/* ---- id expressions ----------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int push_id(int **ids, size_t *n, int id)
{
    if (*n >= KMESOS_BROKER_MAX_IDS)
        return -1;
    int *p = realloc(*ids, (*n + 1) * sizeof *p);
    if (!p)
        return -1;
    *ids = p;
    p[(*n)++] = id;
    return 0;
}

typedef struct {
    int **ids;
    size_t *n;
    char *err;
    size_t errlen;
    int said; /* ids_item wrote err */
} ids_walk;

/* One item of the expression (codec/idexpr read it): from..to. */
static int ids_item(long from, long to, void *arg)
{
    ids_walk *w = arg;
    for (long i = from; i <= to; i++)
        if (push_id(w->ids, w->n, (int)i) != 0) {
            snprintf(w->err, w->errlen, "broker: %ld..%ld names more than %d brokers", from, to,
                     KMESOS_BROKER_MAX_IDS);
            w->said = 1;
            return -1;
        }
    return 0;
}

static int known_id(const int *known, size_t n, int id)
{
    for (size_t i = 0; i < n; i++)
        if (known[i] == id)
            return 1;
    return 0;
}

static size_t dedup(int *ids, size_t n)
{
    if (n == 0)
        return 0;
    qsort(ids, n, sizeof *ids, cmp_int);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    return k;
}

static int ids_list(const char *expr, int **ids, size_t *n, char *err, size_t errlen)
{
    ids_walk w = {ids, n, err, errlen, 0};
    char why[200];
    int rc = kmesos_idexpr_walk(expr, KMESOS_KAFKA_MAX_ID, ids_item, &w, why, sizeof why);
    if (rc < 0 && !w.said)
        snprintf(err, errlen, "broker: bad id expression '%.40s': %s", expr, why);
    return rc < 0 ? -1 : 0;
}

int kmesos_broker_ids_parse(const char *expr, const int *known, size_t n_known, int must_exist,
                            int **out, size_t *n_out, char *err, size_t errlen)
{
    int *ids = NULL;
    size_t n = 0;
    int rc = 0;
    if (!expr || !*expr) {
        snprintf(err, errlen, "broker: missing (an id expression: 0, 0,2, 0..4 or *)");
        return -1;
    }
    if (strcmp(expr, "*") == 0) {
        for (size_t i = 0; i < n_known && rc == 0; i++)
            rc = push_id(&ids, &n, known[i]);
        if (rc != 0)
            snprintf(err, errlen, "out of memory");
    } else {
        rc = ids_list(expr, &ids, &n, err, errlen);
    }
    n = rc == 0 ? dedup(ids, n) : 0;
    for (size_t i = 0; rc == 0 && must_exist && i < n; i++)
        if (!known_id(known, n_known, ids[i])) {
            snprintf(err, errlen, "broker: unknown broker id %d", ids[i]);
            rc = -1;
        }
    if (rc != 0) {
        free(ids);
        return -1;
    }
    *out = ids;
    *n_out = n;
    return 0;
}

void kmesos_broker_duration_text(double seconds, char *out, size_t len)
{
    static const struct { const char *unit; double s; } units[] = {
        {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
    long long ms = llround(seconds * 1000);
    size_t used = 0;
    out[0] = '\0';
    if (ms % 1000 != 0 && ms < 60000) {
        snprintf(out, len, "%lldms", ms);
        return;
    }
    long long left = ms / 1000;
    for (size_t i = 0; i < sizeof units / sizeof units[0] && used < len; i++) {
        long long n = left / (long long)units[i].s;
        if (n == 0)
            continue;
        left -= n * (long long)units[i].s;
        used += (size_t)snprintf(out + used, len - used, "%lld%s", n, units[i].unit);
    }
    if (!out[0])
        snprintf(out, len, "0s");
}

/* ---- state ------------------------------------------------------------------------ */

json_t *kmesos_broker_state_json(const kmesos_broker *b)
{
    const kmesos_broker_settings *s = &b->set;
    const kmesos_kafka_node *n = &b->node;
    json_t *j = json_pack("{s:i, s:b, s:f, s:f, s:f, s:i, s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:f,"
                     " s:i, s:s*, s:s*, s:s*, s:f, s:i, s:i}",
                     "id", n->id, "active", n->active, "cpus", s->cpus, "mem", s->mem, "heap",
                     s->heap, "port", s->port, "options", s->options, "jvm_options",
                     s->jvm_options, "constraints", s->constraints, "data_dir", s->data_dir,
                     "failover_delay_s", s->failover_delay_s, "failover_max_delay_s",
                     s->failover_max_delay_s, "failover_max_tries", s->failover_max_tries,
                     "stickiness_period_s", s->stickiness_period_s, "failures", n->failures,
                     "last_failure", n->last_failure, "host", n->host, "agent_id", b->agent_id,
                     "stopped_at_s", b->stopped_at_s, "client_port", b->client_port,
                     "controller_port", b->controller_port);
    json_t *tls = j ? kmesos_broker_tls_json(s) : NULL;
    if (!tls || json_object_update(j, tls) != 0 ||
        json_object_set_new(j, "reserve", json_boolean(kmesos_broker_reserves(s))) != 0 ||
        json_object_set_new(j, "volume_size", json_real(s->volume_size)) != 0 ||
        json_object_set_new(j, "role", json_string(s->role)) != 0 ||
        (b->vol.agent_id && json_object_set_new(j, "volume", kmesos_kvol_json(&b->vol)) != 0)) {
        json_decref(j);
        j = NULL;
    }
    json_decref(tls);
    return j;
}

/* The reservation settings and the volume of a saved entry (an older
 * entry has none). 0, -1 (err written) or -2 (no memory). */
static int vol_from_state(json_t *j, kmesos_broker *b, char *err, size_t errlen)
{
    int reserve = 0;
    json_t *vol = NULL;
    const char *role = NULL;
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s?b, s?F, s?o, s?s}", "reserve", &reserve, "volume_size",
                       &b->set.volume_size, "volume", &vol, "role", &role) != 0) {
        snprintf(err, errlen, "bad broker entry: %s", je.text);
        return -1;
    }
    /* the role is checked with the other settings (loaded_ok) */
    if (kmesos_ks_set_text(&b->set.reserve, reserve ? "true" : "false") != 0 ||
        (role && kmesos_ks_set_text(&b->set.role, role) != 0))
        return -2;
    return kmesos_kvol_from_json(vol, &b->vol, err, errlen);
}

/* The TLS settings of a saved entry; an older entry without them keeps
 * the defaults. 0, -1 (not of their type: err written) or -2 (no memory). */
static int tls_from_state(json_t *j, kmesos_broker_settings *s, char *err, size_t errlen)
{
    const char *v[6] = {NULL};
    char **dst[6] = {&s->ssl_keystore,          &s->ssl_truststore, &s->ssl_secrets,
                     &s->inter_broker_protocol, &s->sasl_mechanism, &s->advertised_host};
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s?i, s?i, s?s, s?s, s?s, s?s, s?s, s?s}", "ssl_port",
                       &s->ssl_port, "sasl_port", &s->sasl_port, "ssl_keystore", &v[0],
                       "ssl_truststore", &v[1], "ssl_secrets", &v[2], "inter_broker_protocol",
                       &v[3], "sasl_mechanism", &v[4], "advertised_host", &v[5]) != 0) {
        snprintf(err, errlen, "bad broker entry: %s", je.text);
        return -1;
    }
    for (size_t i = 0; i < 6; i++)
        if (v[i] && kmesos_ks_set_text(dst[i], v[i]) != 0)
            return -2;
    return 0;
}

/* The saved strings: options, jvm_options, constraints, data_dir (set),
 * last_failure, host, agent_id (NULL: not saved). */
static int restore_strings(kmesos_broker *b, const char *const v[7])
{
    kmesos_broker_settings *s = &b->set;
    return kmesos_ks_set_text(&s->options, v[0]) || kmesos_ks_set_text(&s->jvm_options, v[1]) ||
                   kmesos_ks_set_text(&s->constraints, v[2]) ||
                   kmesos_ks_set_text(&s->data_dir, v[3]) ||
                   kmesos_str_set(&b->node.last_failure, v[4]) ||
                   kmesos_str_set(&b->node.host, v[5]) || kmesos_str_set(&b->agent_id, v[6])
               ? -1
               : 0;
}

/* A loaded entry holds only what the API could have set and a launch
 * could have learnt. 0, or -1 with a message naming the field. */
static int loaded_ok(const kmesos_broker *b, char *err, size_t errlen)
{
    const char *field = NULL;
    if (kmesos_ks_check(&kmesos_broker_schema, &b->set, err, errlen) != 0 ||
        kmesos_broker_settings_check(&b->set, &field, err, errlen) != 0)
        return -1;
    const char *bad = b->node.failures < 0                                  ? "failures"
                      : b->client_port < 0 || b->client_port > 65535         ? "client_port"
                      : b->controller_port < 0 || b->controller_port > 65535 ? "controller_port"
                      : !isfinite(b->stopped_at_s) || b->stopped_at_s < 0    ? "stopped_at_s"
                                                                             : NULL;
    if (bad)
        snprintf(err, errlen, "%s: out of range", bad);
    return bad ? -1 : 0;
}

kmesos_broker *kmesos_broker_from_state(json_t *j, char *err, size_t errlen)
{
    int id = -1, active = 0;
    const char *v[7] = {NULL};
    json_error_t je;
    kmesos_broker tmp;
    memset(&tmp, 0, sizeof tmp);
    kmesos_broker_settings *s = &tmp.set;
    if (json_unpack_ex(j, &je, 0,
                       "{s:i, s:b, s:F, s:F, s:F, s:i, s:s, s:s, s:s, s:s, s:F, s:F, s:i, s:F,"
                       " s?i, s?s, s?s, s?s, s?F, s?i, s?i}",
                       "id", &id, "active", &active, "cpus", &s->cpus, "mem", &s->mem, "heap",
                       &s->heap, "port", &s->port, "options", &v[0], "jvm_options", &v[1],
                       "constraints", &v[2], "data_dir", &v[3], "failover_delay_s",
                       &s->failover_delay_s, "failover_max_delay_s", &s->failover_max_delay_s,
                       "failover_max_tries", &s->failover_max_tries, "stickiness_period_s",
                       &s->stickiness_period_s, "failures", &tmp.node.failures, "last_failure",
                       &v[4], "host", &v[5], "agent_id", &v[6], "stopped_at_s",
                       &tmp.stopped_at_s, "client_port", &tmp.client_port, "controller_port",
                       &tmp.controller_port) != 0) {
        snprintf(err, errlen, "bad broker entry: %s", je.text);
        return NULL;
    }
    if (id < 0 || id > KMESOS_KAFKA_MAX_ID) {
        snprintf(err, errlen, "bad broker id %d", id);
        return NULL;
    }
    kmesos_broker *b = kmesos_broker_new(id);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    kmesos_broker_settings keep = b->set;
    b->set = tmp.set;
    b->set.options = keep.options, b->set.jvm_options = keep.jvm_options;
    b->set.constraints = keep.constraints, b->set.data_dir = keep.data_dir;
    b->set.ssl_keystore = keep.ssl_keystore, b->set.ssl_truststore = keep.ssl_truststore;
    b->set.ssl_secrets = keep.ssl_secrets, b->set.advertised_host = keep.advertised_host;
    b->set.inter_broker_protocol = keep.inter_broker_protocol;
    b->set.sasl_mechanism = keep.sasl_mechanism;
    b->set.reserve = keep.reserve, b->set.volume_size = keep.volume_size;
    b->set.role = keep.role;
    b->node.active = active;
    b->node.failures = tmp.node.failures;
    b->stopped_at_s = tmp.stopped_at_s;
    b->client_port = tmp.client_port;
    b->controller_port = tmp.controller_port;
    char why[256];
    int rc = restore_strings(b, v) != 0 ? -2 : tls_from_state(j, &b->set, why, sizeof why);
    if (rc == 0)
        rc = vol_from_state(j, b, why, sizeof why);
    if (rc == 0)
        rc = loaded_ok(b, why, sizeof why);
    if (rc != 0) {
        kmesos_broker_destroy(b);
        snprintf(err, errlen, "broker %d: %s", id, rc == -2 ? "out of memory" : why);
        return NULL;
    }
    return b;
}
