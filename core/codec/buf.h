/* buf: a growable byte buffer owned by its user (init, append, free). */
#ifndef KMESOS_BUF_H
#define KMESOS_BUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct kmesos_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} kmesos_buf;

void kmesos_buf_init(kmesos_buf *b);
void kmesos_buf_free(kmesos_buf *b);
void kmesos_buf_reset(kmesos_buf *b);
/* 0 on success, -1 when memory runs out (the buffer is unchanged). */
int kmesos_buf_reserve(kmesos_buf *b, size_t extra);
int kmesos_buf_append(kmesos_buf *b, const void *data, size_t n);
int kmesos_buf_appendf(kmesos_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Drops the first n bytes. */
void kmesos_buf_consume(kmesos_buf *b, size_t n);
/* Returns data as a NUL-terminated string (a NUL is kept past len). */
const char *kmesos_buf_cstr(kmesos_buf *b);

#endif
