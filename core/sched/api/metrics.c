/* metrics: the writer of the Prometheus text exposition format 0.0.4
 * (metrics.h). Everything goes into one growable buffer; a failed append
 * marks the writer failed and later writes do nothing, so the caller
 * checks once. Label values are escaped as the format asks (\\, \", \n);
 * counts are printed as exact integers, reals with %.15g, or %.17g when
 * that is needed for the value to read back unchanged. */
#include "sched/api/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kmesos_metrics_init(kmesos_metrics_w *w)
{
    kmesos_buf_init(&w->out);
    w->failed = 0;
}

void kmesos_metrics_free(kmesos_metrics_w *w)
{
    kmesos_buf_free(&w->out);
}

static void mw_put(kmesos_metrics_w *w, const char *s, size_t n)
{
    if (!w->failed && kmesos_buf_append(&w->out, s, n) != 0)
        w->failed = 1;
}

static void mw_str(kmesos_metrics_w *w, const char *s)
{
    mw_put(w, s, strlen(s));
}

/* s with \ and newline escaped, and " too when quotes. */
static void mw_escaped(kmesos_metrics_w *w, const char *s, int quotes)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\\')
            mw_str(w, "\\\\");
        else if (*p == '\n')
            mw_str(w, "\\n");
        else if (*p == '"' && quotes)
            mw_str(w, "\\\"");
        else
            mw_put(w, p, 1);
    }
}

void kmesos_metrics_family(kmesos_metrics_w *w, const char *name, const char *type,
                           const char *help)
{
    mw_str(w, "# HELP ");
    mw_str(w, name);
    mw_str(w, " ");
    mw_escaped(w, help, 0);
    mw_str(w, "\n# TYPE ");
    mw_str(w, name);
    mw_str(w, " ");
    mw_str(w, type);
    mw_str(w, "\n");
}

static void mw_head(kmesos_metrics_w *w, const char *name, const kmesos_metrics_label *l,
                    size_t nl)
{
    mw_str(w, name);
    for (size_t i = 0; i < nl; i++) {
        mw_str(w, i ? "," : "{");
        mw_str(w, l[i].name);
        mw_str(w, "=\"");
        mw_escaped(w, l[i].value, 1);
        mw_str(w, "\"");
    }
    mw_str(w, nl ? "} " : " ");
}

void kmesos_metrics_u64(kmesos_metrics_w *w, const char *name, const kmesos_metrics_label *l,
                        size_t nl, uint64_t value)
{
    char num[32];
    mw_head(w, name, l, nl);
    snprintf(num, sizeof num, "%llu\n", (unsigned long long)value);
    mw_str(w, num);
}

static void mw_real_text(double v, char *num, size_t n)
{
    if (isnan(v))
        snprintf(num, n, "NaN");
    else if (isinf(v))
        snprintf(num, n, v > 0 ? "+Inf" : "-Inf");
    else if (snprintf(num, n, "%.15g", v) > 0 && strtod(num, NULL) != v)
        snprintf(num, n, "%.17g", v); /* the shortest of the two that reads back */
}

void kmesos_metrics_real(kmesos_metrics_w *w, const char *name, const kmesos_metrics_label *l,
                         size_t nl, double value)
{
    char num[40];
    mw_head(w, name, l, nl);
    mw_real_text(value, num, sizeof num);
    mw_str(w, num);
    mw_str(w, "\n");
}

void kmesos_metrics_histogram(kmesos_metrics_w *w, const char *name, const double *bounds,
                              const uint64_t *counts, size_t nb, double sum)
{
    char sample[160], le[40];
    uint64_t total = 0;
    snprintf(sample, sizeof sample, "%s_bucket", name);
    for (size_t i = 0; i <= nb; i++) {
        total += counts[i];
        if (i < nb)
            mw_real_text(bounds[i], le, sizeof le);
        else
            snprintf(le, sizeof le, "+Inf");
        kmesos_metrics_label l = {"le", le};
        kmesos_metrics_u64(w, sample, &l, 1, total);
    }
    snprintf(sample, sizeof sample, "%s_sum", name);
    kmesos_metrics_real(w, sample, NULL, 0, sum);
    snprintf(sample, sizeof sample, "%s_count", name);
    kmesos_metrics_u64(w, sample, NULL, 0, total);
}

const char *kmesos_metrics_text(kmesos_metrics_w *w, size_t *len)
{
    if (len)
        *len = w->out.len;
    return kmesos_buf_cstr(&w->out);
}
