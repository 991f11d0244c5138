/* rplan: the pure side of a partition reassignment (rplan.h). Kafka's
 * reassignment tool prints and reads assignments as JSON
 * ({"version":1,"partitions":[{"topic":T,"partition":P,"replicas":[..]}]});
 * its --generate prints two of them, each on the line after a header, and
 * its --verify one sentence per partition. kafka-log-dirs --describe
 * prints one JSON line with every replica's size. Everything here is
 * parsed with jansson or by line, checked, and never trusted: a missing
 * or mistyped field is an error, not a crash. */
#include "sched/kafka/rplan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kmesos_rplan_free(kmesos_rplan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->parts[i].topic);
        free(p->parts[i].replicas);
    }
    free(p->parts);
    memset(p, 0, sizeof *p);
}

/* Appends a copy of part (its size, done and added reset). 0 or -1. */
static int rplan_push(kmesos_rplan *p, const char *topic, int partition, const int *replicas,
                      size_t n)
{
    kmesos_rplan_part *grown = realloc(p->parts, (p->n + 1) * sizeof *grown);
    if (!grown)
        return -1;
    p->parts = grown;
    kmesos_rplan_part *x = &grown[p->n];
    memset(x, 0, sizeof *x);
    x->topic = strdup(topic);
    x->replicas = malloc((n ? n : 1) * sizeof *x->replicas);
    if (!x->topic || !x->replicas) {
        free(x->topic);
        free(x->replicas);
        return -1;
    }
    memcpy(x->replicas, replicas, n * sizeof *replicas);
    x->partition = partition;
    x->n = n;
    p->n++;
    return 0;
}

static int rplan_bad(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "reassignment JSON: %s", what);
    return -1;
}

/* One {"topic","partition","replicas"} item. */
static int rplan_item(kmesos_rplan *p, json_t *item, char *err, size_t errlen)
{
    json_t *topic = json_object_get(item, "topic"), *part = json_object_get(item, "partition");
    json_t *reps = json_object_get(item, "replicas");
    if (!json_is_string(topic) || !json_is_integer(part) || !json_is_array(reps) ||
        json_array_size(reps) > 64)
        return rplan_bad(err, errlen, "a partition needs topic, partition and replicas");
    int ids[64];
    size_t n = json_array_size(reps);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(reps, i);
        if (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) > INT32_MAX)
            return rplan_bad(err, errlen, "a replica is not a broker id");
        ids[i] = (int)json_integer_value(r);
    }
    json_int_t pn = json_integer_value(part);
    if (pn < 0 || pn > INT32_MAX)
        return rplan_bad(err, errlen, "a partition number is out of range");
    if (rplan_push(p, json_string_value(topic), (int)pn, ids, n) != 0)
        return rplan_bad(err, errlen, "out of memory");
    return 0;
}

int kmesos_rplan_parse(const char *text, kmesos_rplan *out, char *err, size_t errlen)
{
    json_error_t je;
    memset(out, 0, sizeof *out);
    json_t *root = json_loads(text, JSON_DECODE_ANY, &je);
    json_t *parts = json_object_get(root, "partitions");
    int rc = 0;
    if (!json_is_array(parts))
        rc = rplan_bad(err, errlen, root ? "no \"partitions\" list" : je.text);
    for (size_t i = 0; rc == 0 && i < json_array_size(parts); i++)
        rc = rplan_item(out, json_array_get(parts, i), err, errlen);
    json_decref(root);
    if (rc != 0)
        kmesos_rplan_free(out);
    return rc;
}

/* The first line starting with '{' after header in text (a copy), or NULL. */
static char *rplan_json_after(const char *text, const char *header)
{
    const char *at = header ? strstr(text, header) : text;
    while (at && *at && *at != '{') {
        at = strchr(at, '\n');
        at = at ? at + 1 : NULL;
    }
    if (!at || !*at)
        return NULL;
    return strndup(at, strcspn(at, "\n"));
}

int kmesos_rplan_parse_generate(const char *text, kmesos_rplan *current, kmesos_rplan *proposed,
                                char *err, size_t errlen)
{
    char *cur = rplan_json_after(text, "Current partition replica assignment");
    char *prop = rplan_json_after(text, "Proposed partition reassignment configuration");
    memset(current, 0, sizeof *current);
    memset(proposed, 0, sizeof *proposed);
    int rc = -1;
    if (!cur || !prop)
        snprintf(err, errlen, "the reassignment tool printed no current and proposed assignment");
    else if (kmesos_rplan_parse(cur, current, err, errlen) == 0 &&
             (rc = kmesos_rplan_parse(prop, proposed, err, errlen)) != 0)
        kmesos_rplan_free(current);
    free(cur);
    free(prop);
    return rc;
}

static const kmesos_rplan_part *rplan_find(const kmesos_rplan *p, const char *topic, int partition)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->parts[i].partition == partition && strcmp(p->parts[i].topic, topic) == 0)
            return &p->parts[i];
    return NULL;
}

static int rplan_has(const int *ids, size_t n, int id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

int kmesos_rplan_moves(const kmesos_rplan *current, const kmesos_rplan *proposed,
                       kmesos_rplan *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < proposed->n; i++) {
        const kmesos_rplan_part *np = &proposed->parts[i];
        const kmesos_rplan_part *cp = rplan_find(current, np->topic, np->partition);
        if (cp && cp->n == np->n && memcmp(cp->replicas, np->replicas, np->n * sizeof(int)) == 0)
            continue;
        if (rplan_push(out, np->topic, np->partition, np->replicas, np->n) != 0) {
            kmesos_rplan_free(out);
            return -1;
        }
        for (size_t r = 0; r < np->n; r++)
            out->parts[out->n - 1].added += !cp || !rplan_has(cp->replicas, cp->n, np->replicas[r]);
    }
    return 0;
}

char *kmesos_rplan_json(const kmesos_rplan *p)
{
    json_t *parts = json_array();
    for (size_t i = 0; parts && i < p->n; i++) {
        json_t *reps = json_array();
        for (size_t r = 0; reps && r < p->parts[i].n; r++)
            json_array_append_new(reps, json_integer(p->parts[i].replicas[r]));
        json_array_append_new(parts, json_pack("{s:s, s:i, s:o}", "topic", p->parts[i].topic,
                                               "partition", p->parts[i].partition,
                                               "replicas", reps));
    }
    json_t *root = json_pack("{s:i, s:o}", "version", 1, "partitions", parts);
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return text;
}

int kmesos_rplan_check_rf(const kmesos_rplan *p, size_t n_brokers, char *err, size_t errlen)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->parts[i].n > n_brokers) {
            snprintf(err, errlen, "partition %s-%d has replication factor %zu but only %zu "
                     "target broker%s: it would fall below its replication factor (and "
                     "min.insync.replicas)", p->parts[i].topic, p->parts[i].partition,
                     p->parts[i].n, n_brokers, n_brokers == 1 ? "" : "s");
            return -1;
        }
    return 0;
}

size_t kmesos_rplan_held(const kmesos_rplan *p, int broker, char *out, size_t len)
{
    size_t count = 0, used = 0;
    if (len)
        out[0] = '\0';
    for (size_t i = 0; i < p->n; i++) {
        if (!rplan_has(p->parts[i].replicas, p->parts[i].n, broker))
            continue;
        if (used < len) {
            int w = snprintf(out + used, len - used, "%s%s-%d", count ? "," : "",
                             p->parts[i].topic, p->parts[i].partition);
            used = w < 0 ? len : used + (size_t)w;
        }
        count++;
    }
    return count;
}

char *kmesos_rplan_topics_json(const char *list, int (*match)(void *, const char *), void *arg,
                               size_t *n)
{
    json_t *topics = json_array();
    char *copy = strdup(list), *save = NULL;
    *n = 0;
    for (char *line = copy && topics ? strtok_r(copy, "\r\n", &save) : NULL; line;
         line = strtok_r(NULL, "\r\n", &save)) {
        if (!*line || strchr(line, ' ') || (match && !match(arg, line)))
            continue; /* a topic name has no blank: anything else is no topic */
        json_array_append_new(topics, json_pack("{s:s}", "topic", line));
        (*n)++;
    }
    free(copy);
    json_t *root = json_pack("{s:i, s:o}", "version", 1, "topics", topics);
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return text;
}

/* "topic-3" -> the part of p, or NULL. */
static kmesos_rplan_part *rplan_by_name(kmesos_rplan *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->n; i++) {
        char buf[512];
        int w = snprintf(buf, sizeof buf, "%s-%d", p->parts[i].topic, p->parts[i].partition);
        if (w > 0 && (size_t)w == len && memcmp(buf, name, len) == 0)
            return &p->parts[i];
    }
    return NULL;
}

/* One broker's logDirs list of log-dirs' JSON into the sizes. */
static void rplan_dirs(kmesos_rplan *p, json_t *dirs)
{
    for (size_t d = 0; d < json_array_size(dirs); d++) {
        json_t *parts = json_object_get(json_array_get(dirs, d), "partitions");
        for (size_t i = 0; i < json_array_size(parts); i++) {
            json_t *x = json_array_get(parts, i), *name = json_object_get(x, "partition");
            json_t *size = json_object_get(x, "size");
            if (!json_is_string(name) || !json_is_integer(size) ||
                json_integer_value(size) > ((json_int_t)1 << 50) ||
                json_is_true(json_object_get(x, "isFuture")))
                continue;
            kmesos_rplan_part *part =
                rplan_by_name(p, json_string_value(name), json_string_length(name));
            if (part && json_integer_value(size) > part->size)
                part->size = json_integer_value(size);
        }
    }
}

int kmesos_rplan_sizes(const char *text, kmesos_rplan *p, char *err, size_t errlen)
{
    char *line = rplan_json_after(text, NULL);
    json_t *root = line ? json_loads(line, 0, NULL) : NULL;
    json_t *brokers = json_object_get(root, "brokers");
    free(line);
    if (!json_is_array(brokers)) {
        json_decref(root);
        snprintf(err, errlen, "log-dirs printed no JSON with a \"brokers\" list");
        return -1;
    }
    for (size_t b = 0; b < json_array_size(brokers); b++)
        rplan_dirs(p, json_object_get(json_array_get(brokers, b), "logDirs"));
    json_decref(root);
    return 0;
}

/* The partition named in line after prefix, up to one of the stops. */
static void rplan_mark(kmesos_rplan *p, const char *line, const char *prefix, const char *stop)
{
    const char *at = strstr(line, prefix);
    if (!at)
        return;
    at += strlen(prefix);
    const char *end = strstr(at, stop);
    kmesos_rplan_part *part = end ? rplan_by_name(p, at, (size_t)(end - at)) : NULL;
    if (part)
        part->done = 1;
}

size_t kmesos_rplan_verify(const char *text, kmesos_rplan *p)
{
    char *copy = strdup(text), *save = NULL;
    for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        rplan_mark(p, line, "Reassignment of partition ", " is completed");
        rplan_mark(p, line, "There is no active reassignment of partition ", ",");
    }
    free(copy);
    size_t done = 0;
    for (size_t i = 0; i < p->n; i++)
        done += p->parts[i].done != 0;
    return done;
}

void kmesos_rplan_bytes(const kmesos_rplan *p, int64_t *total, int64_t *done)
{
    *total = *done = 0;
    for (size_t i = 0; i < p->n; i++) {
        int64_t b = p->parts[i].size * p->parts[i].added;
        *total += b;
        if (p->parts[i].done)
            *done += b;
    }
}

/* The target the partition lacks with the fewest replicas in load[]. */
static int rplan_pick(const int *reps, size_t n, const int *targets, size_t nt, size_t *load)
{
    int best = -1;
    for (size_t t = 0; t < nt; t++)
        if (!rplan_has(reps, n, targets[t]) && (best < 0 || load[t] < load[best]))
            best = (int)t;
    if (best >= 0)
        load[best]++;
    return best < 0 ? -1 : targets[best];
}

/* One partition of the drain: its new replicas into out when it moves. */
static int rplan_drain_one(const kmesos_rplan_part *cp, const int *drain, size_t nd,
                           const int *targets, size_t nt, size_t *load, kmesos_rplan *out)
{
    int reps[64], source = 0;
    size_t added = 0;
    if (cp->n > 64)
        return -1;
    for (size_t r = 0; r < cp->n; r++)
        source |= rplan_has(targets, nt, cp->replicas[r]);
    memcpy(reps, cp->replicas, cp->n * sizeof *reps);
    for (size_t r = 0; r < cp->n; r++) {
        if (!rplan_has(drain, nd, reps[r]))
            continue;
        if ((reps[r] = rplan_pick(reps, cp->n, targets, nt, load)) < 0)
            return -1;
        added++;
    }
    if (!added)
        return 0;
    if (!source) /* no running copy to move from: its data is only on the drained */
        return -2;
    if (rplan_push(out, cp->topic, cp->partition, reps, cp->n) != 0)
        return -1;
    out->parts[out->n - 1].added = (int)added;
    return 0;
}

int kmesos_rplan_drain(const kmesos_rplan *current, const int *drain, size_t nd,
                       const int *targets, size_t nt, kmesos_rplan *out, char *err,
                       size_t errlen)
{
    size_t *load = calloc(nt ? nt : 1, sizeof *load);
    memset(out, 0, sizeof *out);
    if (!load) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < current->n; i++)
        for (size_t t = 0; t < nt; t++)
            load[t] += rplan_has(current->parts[i].replicas, current->parts[i].n, targets[t]);
    int rc = 0, stranded = 0;
    char lone[300] = "";
    for (size_t i = 0; rc == 0 && i < current->n; i++) {
        const kmesos_rplan_part *cp = &current->parts[i];
        if ((rc = rplan_drain_one(cp, drain, nd, targets, nt, load, out)) == -2) {
            size_t used = strlen(lone);
            if (used + 2 < sizeof lone)
                snprintf(lone + used, sizeof lone - used, "%s%s-%d", used ? "," : "",
                         cp->topic, cp->partition);
            stranded++;
            rc = 0;
        }
    }
    free(load);
    if (rc == 0 && !stranded)
        return 0;
    kmesos_rplan_free(out);
    if (rc == 0) {
        snprintf(err, errlen, "cannot drain: no running broker has a copy of %s (its only "
                 "replicas are on the brokers removed, which are stopped): start them to "
                 "drain, or remove with force=true (that data is lost)", lone);
        return -1;
    }
    char held[300] = "";
    for (size_t d = 0; d < nd; d++) {
        size_t used = strlen(held);
        if (used + 2 < sizeof held)
            kmesos_rplan_held(current, drain[d], held + used + (used ? 1 : 0),
                              sizeof held - used - (used ? 1 : 0));
        if (used && held[used + 1])
            held[used] = ',';
    }
    snprintf(err, errlen, "cannot drain: too few other running brokers (%zu) to keep the "
             "replication factor of the partitions it holds: %s", nt, held);
    return -1;
}
