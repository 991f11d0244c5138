/* str: the owned-string setter every module uses for its char * fields,
 * and the UTF-8 check of text that is kept or saved as JSON. */
#ifndef KMESOS_STR_H
#define KMESOS_STR_H

/* Replaces *dst with a copy of src (NULL clears it). 0, or -1 when memory
 * runs out, with *dst left as it was. */
int kmesos_str_set(char **dst, const char *src);

/* 1 when s is well-formed UTF-8 (no overlong form, no surrogate, at most
 * U+10FFFF: what a JSON encoder takes), else 0. */
int kmesos_str_utf8(const char *s);

#endif
