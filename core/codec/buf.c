/* buf: growable byte buffer. Capacity doubles; one spare byte is always
 * kept so that kmesos_buf_cstr can NUL-terminate without reallocating. */
#include "codec/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kmesos_buf_init(kmesos_buf *b) { memset(b, 0, sizeof *b); }

void kmesos_buf_free(kmesos_buf *b)
{
    free(b->data);
    kmesos_buf_init(b);
}

void kmesos_buf_reset(kmesos_buf *b) { b->len = 0; }

int kmesos_buf_reserve(kmesos_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int kmesos_buf_append(kmesos_buf *b, const void *data, size_t n)
{
    if (kmesos_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    return 0;
}

int kmesos_buf_appendf(kmesos_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || kmesos_buf_reserve(b, (size_t)n) != 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void kmesos_buf_consume(kmesos_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

const char *kmesos_buf_cstr(kmesos_buf *b)
{
    if (kmesos_buf_reserve(b, 0) != 0)
        return "";
    b->data[b->len] = '\0';
    return (const char *)b->data;
}
