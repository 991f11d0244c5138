/* uuid: see uuid.h. The bytes come from getrandom(2), retried on EINTR
 * and on short reads; the version and variant bits are then set the way
 * RFC 4122 (and Mesos' own UUID::random) sets them. */
#include "codec/uuid.h"

#include <errno.h>
#include <sys/random.h>
#include <sys/types.h>

static const char uuid_digits[] = "0123456789abcdef";

int kmesos_uuid_random(uint8_t out[KMESOS_UUID_LEN])
{
    size_t got = 0;
    while (got < KMESOS_UUID_LEN) {
        ssize_t n = getrandom(out + got, KMESOS_UUID_LEN - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x40);
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
    return 0;
}

const char *kmesos_uuid_hex(const uint8_t *uuid, size_t len, char out[KMESOS_UUID_HEX])
{
    size_t n = len > KMESOS_UUID_LEN ? KMESOS_UUID_LEN : len;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = uuid_digits[uuid[i] >> 4];
        out[2 * i + 1] = uuid_digits[uuid[i] & 15];
    }
    out[2 * n] = 0;
    return out;
}

const char *kmesos_uuid_format(const uint8_t u[KMESOS_UUID_LEN], char out[KMESOS_UUID_TEXT])
{
    size_t o = 0;
    for (size_t i = 0; i < KMESOS_UUID_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = uuid_digits[u[i] >> 4];
        out[o++] = uuid_digits[u[i] & 15];
    }
    out[o] = '\0';
    return out;
}
