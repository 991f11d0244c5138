/* workload: parses command workload specs (see workload.h). The line is
 * split into key=value words honouring quotes; each key has one setter
 * that validates its value, so an error names the key that was wrong. */
#include "sched/workload.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/utf8.h"

#define KMESOS_WORKLOAD_NUMBER_MAX 1e9 /* cpus, MB */

const char *kmesos_restart_name(kmesos_restart r)
{
    static const char *const names[] = {"on-failure", "always", "never"};
    return names[r];
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void free_kv(kmesos_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void kmesos_workload_free(kmesos_workload *w)
{
    free(w->name);
    free(w->kind);
    free(w->command);
    free_list(w->prefer_hosts, w->n_prefer_hosts);
    free_list(w->prefer_agents, w->n_prefer_agents);
    free_list(w->prefer_racks, w->n_prefer_racks);
    for (size_t i = 0; i < w->n_instances_with_hosts; i++)
        free_list(w->instance_hosts[i], w->n_instance_hosts[i]);
    free(w->instance_hosts);
    free(w->n_instance_hosts);
    free_kv(w->constraints, w->n_constraints);
    free_kv(w->labels, w->n_labels);
    memset(w, 0, sizeof *w);
}

/* Reads the next word into out (quotes removed). Returns the position
 * after it, or NULL at the end of the line or on an unclosed quote. */
static const char *next_word(const char *p, char *out, size_t outlen, int *bad_quote)
{
    size_t n = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p)
        return NULL;
    char quote = 0;
    for (; *p && (quote || !isspace((unsigned char)*p)); p++) {
        if (!quote && (*p == '"' || *p == '\'')) {
            quote = *p;
            continue;
        }
        if (quote && *p == quote) {
            quote = 0;
            continue;
        }
        if (n + 1 < outlen)
            out[n++] = *p;
    }
    out[n] = '\0';
    if (quote) {
        *bad_quote = 1;
        return NULL;
    }
    return p;
}

/* A number in [min, KMESOS_WORKLOAD_NUMBER_MAX] (codec/num: no hex,
 * blanks, signs, inf or nan). */
static int parse_number(const char *v, double min, double *out)
{
    return kmesos_num_real(v, min, KMESOS_WORKLOAD_NUMBER_MAX, out) == KMESOS_NUM_OK ? 0 : -1;
}

/* A whole number in [0, max] (range checked before it becomes an int). */
static int parse_count(const char *v, int max, int *out)
{
    long long n;
    if (kmesos_num_int(v, 0, max, &n) != KMESOS_NUM_OK)
        return -1;
    *out = (int)n;
    return 0;
}

/* Appends the comma separated items of v to a string list. */
static int wl_parse_list(char ***list, size_t *n, const char *v)
{
    char *copy = strdup(v), *save = NULL;
    if (!copy)
        return -1;
    for (char *h = strtok_r(copy, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
        char **p = realloc(*list, (*n + 1) * sizeof *p);
        if (!p || !(p[*n] = strdup(h))) {
            if (p)
                *list = p;
            free(copy);
            return -1;
        }
        *list = p;
        (*n)++;
    }
    free(copy);
    return 0;
}

int kmesos_workload_add_instance_host(kmesos_workload *w, size_t instance, const char *host)
{
    if (instance >= w->n_instances_with_hosts) {
        size_t n = instance + 1;
        char ***lists = realloc(w->instance_hosts, n * sizeof *lists);
        if (lists)
            w->instance_hosts = lists;
        size_t *counts = lists ? realloc(w->n_instance_hosts, n * sizeof *counts) : NULL;
        if (!counts)
            return -1;
        w->n_instance_hosts = counts;
        for (size_t i = w->n_instances_with_hosts; i < n; i++) {
            lists[i] = NULL;
            counts[i] = 0;
        }
        w->n_instances_with_hosts = n;
    }
    return kmesos_workload_list_add(&w->instance_hosts[instance], &w->n_instance_hosts[instance],
                                    host);
}

char *const *kmesos_workload_hosts_of(const kmesos_workload *w, int instance, size_t *n)
{
    if (instance >= 0 && (size_t)instance < w->n_instances_with_hosts &&
        w->n_instance_hosts[instance]) {
        *n = w->n_instance_hosts[instance];
        return w->instance_hosts[instance];
    }
    *n = w->n_prefer_hosts;
    return w->prefer_hosts;
}

/* "h1,h2;h3;;h4": instance k gets the hosts of the k-th ';' group (empty
 * groups and empty items are skipped, keeping the count of groups). */
static int parse_instance_hosts(kmesos_workload *w, const char *v)
{
    size_t instance = 0, len = 0;
    char host[256];
    for (const char *p = v;; p++) {
        if (*p && *p != ',' && *p != ';') {
            if (len + 1 >= sizeof host)
                return -1;
            host[len++] = *p;
            continue;
        }
        host[len] = '\0';
        if (len && kmesos_workload_add_instance_host(w, instance, host) != 0)
            return -1;
        len = 0;
        if (!*p)
            return 0;
        if (*p == ';')
            instance++;
    }
}

static int push_kv(kmesos_kv **kv, size_t *n, const char *key, const char *value)
{
    kmesos_kv *p = realloc(*kv, (*n + 1) * sizeof *p);
    if (!p)
        return -1;
    *kv = p;
    p[*n].key = strdup(key);
    p[*n].value = strdup(value);
    if (!p[*n].key || !p[*n].value) {
        free(p[*n].key);
        free(p[*n].value);
        return -1;
    }
    (*n)++;
    return 0;
}

/* Appends "K=V;K2=V2" pairs (split at the first '=' of each item); a
 * later pair with the same key replaces the earlier one. */
static int parse_pairs(kmesos_kv **kv, size_t *n, const char *v)
{
    char *copy = strdup(v), *save = NULL;
    int rc = copy ? 0 : -1;
    for (char *item = copy ? strtok_r(copy, ";", &save) : NULL; item && rc == 0;
         item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item || !eq[1]) {
            rc = -1;
            break;
        }
        *eq = '\0';
        size_t i = 0;
        while (i < *n && strcmp((*kv)[i].key, item) != 0)
            i++;
        if (i < *n) {
            char *nv = strdup(eq + 1);
            rc = nv ? (free((*kv)[i].value), (*kv)[i].value = nv, 0) : -1;
        } else {
            rc = push_kv(kv, n, item, eq + 1);
        }
    }
    free(copy);
    return rc;
}

static int valid_name(const char *v)
{
    if (!*v || strlen(v) > 64)
        return 0;
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}

static int set_restart(kmesos_workload *w, const char *v)
{
    for (int r = 0; r <= KMESOS_RESTART_NEVER; r++)
        if (strcmp(v, kmesos_restart_name((kmesos_restart)r)) == 0) {
            w->restart = (kmesos_restart)r;
            return 0;
        }
    return -1;
}

/* Applies one key=value. 0, or -1 with the reason in err. */
static int set_key(kmesos_workload *w, const char *key, const char *v, char *err,
                   size_t errlen)
{
    int rc = 0;
    if (strcmp(key, "name") == 0)
        rc = valid_name(v) && (free(w->name), w->name = strdup(v)) ? 0 : -1;
    else if (strcmp(key, "cmd") == 0)
        rc = *v && (free(w->command), w->command = strdup(v)) ? 0 : -1;
    else if (strcmp(key, "cpus") == 0)
        rc = parse_number(v, 0.001, &w->cpus);
    else if (strcmp(key, "mem") == 0)
        rc = parse_number(v, 1, &w->mem);
    else if (strcmp(key, "disk") == 0)
        rc = parse_number(v, 0, &w->disk);
    else if (strcmp(key, "ports") == 0)
        rc = parse_count(v, 100, &w->ports);
    else if (strcmp(key, "instances") == 0)
        rc = parse_count(v, 10000, &w->instances);
    else if (strcmp(key, "restart") == 0)
        rc = set_restart(w, v);
    else if (strcmp(key, "kind") == 0)
        rc = valid_name(v) && (free(w->kind), w->kind = strdup(v)) ? 0 : -1;
    else if (strcmp(key, "prefer_hosts") == 0)
        rc = wl_parse_list(&w->prefer_hosts, &w->n_prefer_hosts, v);
    else if (strcmp(key, "prefer_hosts_by_instance") == 0)
        rc = parse_instance_hosts(w, v);
    else if (strcmp(key, "prefer_agents") == 0)
        rc = wl_parse_list(&w->prefer_agents, &w->n_prefer_agents, v);
    else if (strcmp(key, "prefer_racks") == 0)
        rc = wl_parse_list(&w->prefer_racks, &w->n_prefer_racks, v);
    else if (strcmp(key, "constraints") == 0)
        rc = parse_pairs(&w->constraints, &w->n_constraints, v);
    else if (strcmp(key, "labels") == 0)
        rc = parse_pairs(&w->labels, &w->n_labels, v);
    else {
        snprintf(err, errlen, "unknown key '%s'", key);
        return -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "bad value for '%s': '%s'", key, v);
    return rc;
}

int kmesos_workload_parse(const char *spec, kmesos_workload *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    if (!kmesos_utf8_valid(spec, strlen(spec))) {
        snprintf(err, errlen, "spec: not valid UTF-8");
        return -1;
    }
    w->cpus = 0.1;
    w->mem = 32;
    w->instances = 1;
    w->kind = strdup("command");
    char word[4096];
    int bad_quote = 0;
    const char *p = spec;
    while ((p = next_word(p, word, sizeof word, &bad_quote)) != NULL) {
        char *eq = strchr(word, '=');
        if (!eq) {
            snprintf(err, errlen, "expected key=value, got '%s'", word);
            goto fail;
        }
        *eq = '\0';
        if (set_key(w, word, eq + 1, err, errlen) != 0)
            goto fail;
    }
    if (bad_quote) {
        snprintf(err, errlen, "unclosed quote");
        goto fail;
    }
    if (!w->name || !w->command || !w->kind) {
        snprintf(err, errlen, "missing '%s'", !w->name ? "name" : "cmd");
        goto fail;
    }
    return 0;
fail:
    kmesos_workload_free(w);
    return -1;
}

static int skip_line(const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    return *line == '\0' || *line == '#';
}

int kmesos_workload_parse_file(const char *path, kmesos_workload **list, size_t *n,
                               char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[8192], why[256];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (skip_line(line))
            continue;
        kmesos_workload w;
        kmesos_workload *grown = NULL;
        if (kmesos_workload_parse(line, &w, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            rc = -1;
        } else if (!(grown = realloc(*list, (*n + 1) * sizeof **list))) {
            kmesos_workload_free(&w);
            snprintf(err, errlen, "%s:%d: out of memory", path, lineno);
            rc = -1;
        } else {
            *list = grown;
            (*list)[(*n)++] = w;
        }
    }
    fclose(f);
    return rc;
}

void kmesos_workload_destroy(kmesos_workload *w)
{
    if (!w)
        return;
    kmesos_workload_free(w);
    free(w);
}

int kmesos_workload_list_add(char ***list, size_t *n, const char *value)
{
    char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p)
        return -1;
    *list = p;
    if (!(p[*n] = strdup(value)))
        return -1;
    (*n)++;
    return 0;
}

/* 1 when op is one of the operators policies/constraints.lua knows. */
static int valid_constraint_op(const char *op)
{
    const char *colon = strchr(op, ':');
    const char *arg = colon ? colon + 1 : NULL;
    size_t len = colon ? (size_t)(colon - op) : strlen(op);
    if ((len == 4 && strncmp(op, "like", 4) == 0) || (len == 6 && strncmp(op, "unlike", 6) == 0))
        return arg && *arg;
    if (len == 6 && strncmp(op, "unique", 6) == 0)
        return !arg;
    if (len == 7 && strncmp(op, "cluster", 7) == 0)
        return !arg || *arg;
    if (len == 7 && strncmp(op, "groupBy", 7) == 0) {
        if (!arg)
            return 1;
        long long v;
        return kmesos_num_int(arg, 1, 1000000, &v) == KMESOS_NUM_OK;
    }
    return 0;
}

int kmesos_workload_parse_constraints(const char *text, kmesos_kv **out, size_t *n, char *err,
                                      size_t errlen)
{
    kmesos_kv *kv = NULL;
    size_t count = 0;
    if (*text && parse_pairs(&kv, &count, text) != 0) {
        snprintf(err, errlen, "'%s' is not ATTRIBUTE=CONSTRAINT;...", text);
        free_kv(kv, count);
        return -1;
    }
    for (size_t i = 0; i < count; i++)
        if (!valid_constraint_op(kv[i].value)) {
            snprintf(err, errlen,
                     "'%s=%s': expected like:RE, unlike:RE, unique, cluster[:V] or groupBy[:N]",
                     kv[i].key, kv[i].value);
            free_kv(kv, count);
            return -1;
        }
    *out = kv;
    *n = count;
    return 0;
}
