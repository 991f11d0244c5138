/* utf8: whether bytes are well-formed UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
#ifndef KMESOS_UTF8_H
#define KMESOS_UTF8_H
#include <stddef.h>

/* 1 when the len bytes at s are valid UTF-8 (a NUL byte is valid). */
int kmesos_utf8_valid(const char *s, size_t len);

#endif
