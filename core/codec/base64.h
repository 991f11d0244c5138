/* base64: standard alphabet with padding, as the Mesos JSON mapping uses
 * for bytes fields (e.g. TaskStatus.uuid). */
#ifndef KMESOS_BASE64_H
#define KMESOS_BASE64_H
#include <stddef.h>
#include <stdint.h>

/* NUL-terminated text to free(), or NULL when memory runs out. */
char *kmesos_base64_encode(const uint8_t *data, size_t len);
/* Bytes to free() (never NULL on success, even for ""), or NULL when the
 * text is not valid base64. */
uint8_t *kmesos_base64_decode(const char *text, size_t *len);

#endif
