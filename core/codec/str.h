/* str: the owned-string setter every module uses for its char * fields,
 * and the bounded copy into a fixed buffer. */
#ifndef KMESOS_STR_H
#define KMESOS_STR_H

#include <stddef.h>

/* Replaces *dst with a copy of src (NULL clears it). 0, or -1 when memory
 * runs out, with *dst left as it was. */
int kmesos_str_set(char **dst, const char *src);
/* Copies src into dst[n] (n > 0), cut to n - 1 bytes when longer (a
 * message that may be cut on purpose); always NUL-terminated. */
void kmesos_str_copy(char *dst, size_t n, const char *src);

#endif
