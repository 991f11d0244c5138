/* fuzz_recordio: the RecordIO decoder (codec/recordio) on any bytes.
 * The first byte picks a chunk size; the rest is fed once whole and once
 * in chunks of that size. Invariant: when both feeds succeed they hand
 * out the same records (count and a checksum of their bytes), whatever
 * the chunking. A small record bound (4 KB) keeps the oversize path
 * reachable. */
#include <string.h>

#include "codec/recordio.h"
#include "fuzz_common.h"

#define FUZZ_MAX_RECORD 4096

typedef struct rec_sum {
    uint64_t count;
    uint64_t hash;
} rec_sum;

static int on_record(void *arg, const uint8_t *rec, size_t len)
{
    rec_sum *s = arg;
    uint64_t h = s->hash ^ (len * 0x9e3779b97f4a7c15ull);
    for (size_t i = 0; i < len; i++)
        h = (h ^ rec[i]) * 0x100000001b3ull;
    s->hash = h;
    s->count++;
    return 0;
}

static int feed(const uint8_t *data, size_t size, size_t chunk, rec_sum *sum)
{
    kmesos_recordio r;
    kmesos_recordio_init(&r, FUZZ_MAX_RECORD);
    int rc = 0;
    for (size_t off = 0; off < size && rc == 0; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        rc = kmesos_recordio_feed(&r, data + off, n, on_record, sum);
    }
    kmesos_recordio_free(&r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t chunk = (size_t)data[0] % 17 + 1;
    rec_sum whole = {0, 0}, parts = {0, 0};
    int rc_whole = feed(data + 1, size - 1, size, &whole);
    int rc_parts = feed(data + 1, size - 1, chunk, &parts);
    if (rc_whole == 0 && rc_parts == 0 &&
        (whole.count != parts.count || whole.hash != parts.hash))
        fuzz_fail("recordio: chunked and whole feeds gave different records", NULL);
    return 0;
}
