/* metrics: GET /metrics, the scheduler's figures in the Prometheus text
 * exposition format 0.0.4 (docs/api.md lists every family). Two halves:
 *   - a writer (metrics.c, pure): a family's HELP and TYPE lines, samples
 *     with label values escaped (backslash, double quote, newline),
 *     integer counts printed exactly, histograms as cumulative _bucket
 *     {le=...}, _sum and _count;
 *   - the figures (metrics_sched.c): offers, policy verdicts, decide
 *     latency, tasks, session, reloads, Kafka brokers by state, and the
 *     optional Kafka partition gauges a Kafka admin module may fill in.
 * Every name starts with kmesos_; counters end in _total, times are in
 * seconds. */
#ifndef KMESOS_METRICS_H
#define KMESOS_METRICS_H
#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"

#define KMESOS_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef struct kmesos_metrics_w {
    kmesos_buf out;
    int failed; /* memory ran out: the text is incomplete */
} kmesos_metrics_w;

/* A label: name (a valid label name, from the code) and value (any UTF-8
 * text, escaped when written). */
typedef struct kmesos_metrics_label {
    const char *name, *value;
} kmesos_metrics_label;

void kmesos_metrics_init(kmesos_metrics_w *w);
void kmesos_metrics_free(kmesos_metrics_w *w);
/* "# HELP name help" and "# TYPE name type" (type: counter, gauge,
 * histogram). The help text's backslashes and newlines are escaped. */
void kmesos_metrics_family(kmesos_metrics_w *w, const char *name, const char *type,
                           const char *help);
/* One sample: name{labels} value, an integer value. */
void kmesos_metrics_u64(kmesos_metrics_w *w, const char *name, const kmesos_metrics_label *l,
                        size_t nl, uint64_t value);
/* One sample with a real value (NaN, +Inf and -Inf as Prometheus spells
 * them). */
void kmesos_metrics_real(kmesos_metrics_w *w, const char *name, const kmesos_metrics_label *l,
                         size_t nl, double value);
/* A histogram's samples (after its family line): counts[i] observations
 * at most bounds[i] for i < nb, counts[nb] above; sum in the base unit. */
void kmesos_metrics_histogram(kmesos_metrics_w *w, const char *name, const double *bounds,
                              const uint64_t *counts, size_t nb, double sum);
/* The text so far (NUL-terminated; owned by w). */
const char *kmesos_metrics_text(kmesos_metrics_w *w, size_t *len);

/* Kafka figures another module reads (partitions through the Admin API);
 * a field below 0 is unknown and not printed. */
typedef struct kmesos_metrics_kafka_gauges {
    double under_replicated_partitions, offline_partitions;
} kmesos_metrics_kafka_gauges;

struct kmesos_scheduler;
struct kmesos_session;
struct kmesos_policy;
struct kmesos_kafka;

/* What the figures come from; any pointer but sched may be NULL. */
typedef struct kmesos_metrics_src {
    const struct kmesos_scheduler *sched;
    struct kmesos_session *session;
    const struct kmesos_policy *policy;
    const struct kmesos_kafka *kafka;
    const kmesos_metrics_kafka_gauges *kafka_gauges;
    uint64_t api_requests;
} kmesos_metrics_src;

/* Writes every figure of src into w. */
void kmesos_metrics_render(kmesos_metrics_w *w, const kmesos_metrics_src *src);

#endif
