/* str: see str.h. The copy is made before the old value is freed, so a
 * failed set loses nothing and src may point into *dst. */
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
