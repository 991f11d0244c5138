/* str: the owned-string setter every module uses for its char * fields. */
#ifndef KMESOS_STR_H
#define KMESOS_STR_H

/* Replaces *dst with a copy of src (NULL clears it). 0, or -1 when memory
 * runs out, with *dst left as it was. */
int kmesos_str_set(char **dst, const char *src);

#endif
