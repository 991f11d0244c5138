/* uuid: random version-4 UUIDs as Mesos uses them (status update uuids,
 * ids of frameworks, offers and executors), as 16 bytes, as plain hex and
 * in the dashed text form. */
#ifndef KMESOS_UUID_H
#define KMESOS_UUID_H
#include <stddef.h>
#include <stdint.h>

#define KMESOS_UUID_LEN 16
#define KMESOS_UUID_HEX (2 * KMESOS_UUID_LEN + 1)
#define KMESOS_UUID_TEXT 37

/* Fills out with a random version-4 UUID from getrandom(2). 0, or -1. */
int kmesos_uuid_random(uint8_t out[KMESOS_UUID_LEN]);
/* Lower-case hex of up to 16 bytes into out; returns out. */
const char *kmesos_uuid_hex(const uint8_t *uuid, size_t len, char out[KMESOS_UUID_HEX]);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into out; returns out. */
const char *kmesos_uuid_format(const uint8_t u[KMESOS_UUID_LEN], char out[KMESOS_UUID_TEXT]);

#endif
