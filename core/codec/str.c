/* str: see str.h. kmesos_str_set makes the copy before the old value is
 * freed, so a failed set loses nothing and src may point into *dst;
 * kmesos_str_copy cuts at the buffer's size, never past it. */
#include "codec/str.h"

#include <stdlib.h>
#include <string.h>

int kmesos_str_set(char **dst, const char *src)
{
    char *copy = NULL;
    if (src && !(copy = strdup(src)))
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

void kmesos_str_copy(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}
