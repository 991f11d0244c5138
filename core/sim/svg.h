/* svg: a small SVG writer for the sweep's plot: node-local % (y, 0-100)
 * against the swept value (x), the sweep's points joined by a line, the
 * baselines (static partitioning, no delay) as labelled horizontal dashed
 * lines, with axes, ticks, axis labels and a title. No dependencies. */
#ifndef KSIM_SVG_H
#define KSIM_SVG_H
#include <stddef.h>

#include "sim/sweep.h"

/* Writes the plot to path. 0, or -1 with err. */
int ksim_svg_plot(const char *path, const ksim_sweep *s, const char *title, char *err,
                  size_t errlen);

#endif
