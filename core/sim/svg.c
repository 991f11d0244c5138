/* svg: maps data to a fixed 720x440 canvas (plot area inside margins),
 * picks "nice" x ticks (1, 2 or 5 times a power of ten, about 6 of them)
 * and y ticks every 10 %, and writes plain SVG elements with fprintf.
 * Labels right of the plot (the series at its last value, then each
 * baseline) are moved down until they do not overlap. Text is XML-escaped. */
#include "sim/svg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 720.0
#define H 440.0
#define ML 70.0  /* margins: left, right, top, bottom */
#define MR 180.0
#define MT 50.0
#define MB 60.0

typedef struct plot {
    FILE *f;
    double xmax;
    double used[8]; /* y of the labels written right of the plot */
    int n_used;
} plot;

/* A free y for a label that wants y: moved down in steps of 14 px until
 * it is clear of the labels already placed; then marked used. */
static double label_y(plot *p, double y)
{
    for (int moved = 1; moved;) {
        moved = 0;
        for (int i = 0; i < p->n_used; i++)
            if (fabs(p->used[i] - y) < 14) {
                y = p->used[i] + 14;
                moved = 1;
            }
    }
    if (p->n_used < 8)
        p->used[p->n_used++] = y;
    return y;
}

static double px(const plot *p, double x) { return ML + x / p->xmax * (W - ML - MR); }
static double py(double y) { return H - MB - y / 100.0 * (H - MT - MB); }

static void text(FILE *f, double x, double y, const char *anchor, const char *extra,
                 const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>", x, y, anchor, extra);
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
    fputs("</text>\n", f);
}

static double nice_step(double range)
{
    double raw = range / 6, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

static void axes(const plot *p, const char *xlabel)
{
    FILE *f = p->f;
    char buf[64];
    for (int y = 0; y <= 100; y += 10) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                ML, py(y), W - MR, py(y));
        snprintf(buf, sizeof buf, "%d", y);
        text(f, ML - 8, py(y) + 4, "end", "font-size=\"12\"", buf);
    }
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
            ML, py(0), W - MR, py(0));
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
            ML, py(0), ML, py(100));
    double step = nice_step(p->xmax);
    for (int i = 0; i <= 1000 && i * step <= p->xmax * (1 + 1e-9); i++) {
        double x = i * step;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                px(p, x), py(0), px(p, x), py(0) + 5);
        snprintf(buf, sizeof buf, "%g", x);
        text(f, px(p, x), py(0) + 20, "middle", "font-size=\"12\"", buf);
    }
    text(f, (ML + W - MR) / 2, H - 15, "middle", "font-size=\"14\"", xlabel);
    fprintf(f, "<g transform=\"translate(20,%.1f) rotate(-90)\">\n", (MT + H - MB) / 2);
    text(f, 0, 0, "middle", "font-size=\"14\"", "node-local tasks (%)");
    fputs("</g>\n", f);
}

/* A dashed line at y; its label goes where it does not overlap another. */
static void baseline(plot *p, double y, const char *colour, const char *label)
{
    char buf[96], fill[64];
    fprintf(p->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"2\" stroke-dasharray=\"8,5\"/>\n", ML, py(y), W - MR, py(y), colour);
    snprintf(buf, sizeof buf, "%s %.1f%%", label, y);
    snprintf(fill, sizeof fill, "font-size=\"12\" fill=\"%s\"", colour);
    text(p->f, W - MR + 6, label_y(p, py(y) + 4), "start", fill, buf);
}

/* The swept values as a line with dots, labelled at its last point. */
static void series(plot *p, const ksim_sweep *s)
{
    FILE *f = p->f;
    double last = -1;
    const char *mode = "shared";
    fputs("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"", f);
    for (size_t i = 0; i < s->n; i++)
        if (!s->points[i].baseline)
            fprintf(f, "%.1f,%.1f ", px(p, s->points[i].x),
                    py(ksim_pct(s->points[i].res.total.node, &s->points[i].res.total)));
    fputs("\"/>\n", f);
    for (size_t i = 0; i < s->n; i++)
        if (!s->points[i].baseline) {
            last = ksim_pct(s->points[i].res.total.node, &s->points[i].res.total);
            mode = s->points[i].res.mode;
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\"/>\n",
                    px(p, s->points[i].x), py(last));
        }
    char label[64];
    snprintf(label, sizeof label, "(%s)", mode);
    const char *style = "font-size=\"12\" fill=\"#1f77b4\"";
    double y = label_y(p, py(last < 0 ? 100 : last) + 4);
    text(f, W - MR + 6, y, "start", style, "each value");
    text(f, W - MR + 6, label_y(p, y + 14), "start", style, label);
}

int ksim_svg_plot(const char *path, const ksim_sweep *s, const char *title, char *err,
                  size_t errlen)
{
    plot p = {.f = fopen(path, "w")};
    if (!p.f) {
        snprintf(err, errlen, "--plot %s: %s", path, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < s->n; i++)
        if (!s->points[i].baseline && s->points[i].x > p.xmax)
            p.xmax = s->points[i].x;
    if (p.xmax <= 0)
        p.xmax = 1;
    fprintf(p.f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n", W, H, W, H);
    fprintf(p.f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    text(p.f, W / 2, 28, "middle", "font-size=\"16\"", title);
    axes(&p, s->key);
    series(&p, s);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->points[i].baseline || s->points[i].skipped)
            continue;
        double y = ksim_pct(s->points[i].res.total.node, &s->points[i].res.total);
        baseline(&p, y, s->points[i].baseline == 1 ? "#d62728" : "#2ca02c",
                 s->points[i].baseline == 1 ? "static partitioning" : "no delay");
    }
    fputs("</svg>\n", p.f);
    if (fclose(p.f) != 0) {
        snprintf(err, errlen, "--plot %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
