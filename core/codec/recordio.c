/* recordio: incremental decoder and encoder of Mesos RecordIO.
 *
 * A stream is a sequence of "<decimal length>\n<length bytes>". Bytes
 * arrive in arbitrary chunks: a header or a record may be split across
 * chunks and one chunk may hold many records. The decoder keeps what it
 * cannot use yet in `pending`; a whole record found inside one chunk is
 * handed to the callback straight from that chunk without copying.
 * Errors are sticky: a stream with a bad length cannot be resynchronised,
 * so the caller drops the stream and resets the decoder. */
#include "codec/recordio.h"

#include <stdio.h>
#include <string.h>

/* A length header is at most 20 digits (uint64) plus the newline. */
#define HEADER_MAX 21

void kmesos_recordio_init(kmesos_recordio *r, size_t max_record)
{
    memset(r, 0, sizeof *r);
    kmesos_buf_init(&r->pending);
    r->max_record = max_record ? max_record : KMESOS_RECORDIO_DEFAULT_MAX;
}

void kmesos_recordio_free(kmesos_recordio *r) { kmesos_buf_free(&r->pending); }

void kmesos_recordio_reset(kmesos_recordio *r)
{
    kmesos_buf_reset(&r->pending);
    r->want = 0;
    r->have_header = 0;
    r->error = 0;
}

int kmesos_recordio_partial(const kmesos_recordio *r)
{
    return r->have_header || r->pending.len > 0;
}

const char *kmesos_recordio_strerror(int err)
{
    switch (err) {
    case KMESOS_RECORDIO_OK: return "ok";
    case KMESOS_RECORDIO_EBADLEN: return "record length is not a decimal number";
    case KMESOS_RECORDIO_EOVERSIZE: return "record length exceeds the bound";
    case KMESOS_RECORDIO_ENOMEM: return "out of memory";
    case KMESOS_RECORDIO_ECALLBACK: return "stopped by the record handler";
    default: return "unknown recordio error";
    }
}

/* Parses the digits in hdr[0..n) into *out. */
static int parse_length(const kmesos_recordio *r, const uint8_t *hdr, size_t n,
                        size_t *out)
{
    if (n == 0)
        return KMESOS_RECORDIO_EBADLEN;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (hdr[i] < '0' || hdr[i] > '9')
            return KMESOS_RECORDIO_EBADLEN;
        v = v * 10 + (uint64_t)(hdr[i] - '0');
        if (v > r->max_record)
            return KMESOS_RECORDIO_EOVERSIZE;
    }
    *out = (size_t)v;
    return 0;
}

/* Reads header bytes from data. Returns bytes of data used, or a
 * negative error; sets have_header once the newline was seen. Digits are
 * checked as they arrive so garbage is reported without waiting for a
 * newline that may never come. */
static long take_header(kmesos_recordio *r, const uint8_t *data, size_t n)
{
    const uint8_t *nl = memchr(data, '\n', n);
    size_t used = nl ? (size_t)(nl - data) : n;
    size_t total = r->pending.len + used;
    if (kmesos_buf_append(&r->pending, data, used) != 0)
        return KMESOS_RECORDIO_ENOMEM;
    size_t length = 0;
    int rc = parse_length(r, r->pending.data, r->pending.len, &length);
    if (rc == KMESOS_RECORDIO_EOVERSIZE || (rc && total > 0))
        return rc;
    if (total >= HEADER_MAX)
        return KMESOS_RECORDIO_EOVERSIZE;
    if (!nl)
        return (long)used;
    if (rc)
        return rc; /* an empty header: "\n" */
    kmesos_buf_reset(&r->pending);
    r->want = length;
    r->have_header = 1;
    return (long)used + 1;
}

static int deliver(kmesos_recordio *r, const uint8_t *rec, size_t len,
                   kmesos_recordio_cb cb, void *arg)
{
    r->have_header = 0;
    r->want = 0;
    r->records++;
    return cb(arg, rec, len) ? KMESOS_RECORDIO_ECALLBACK : 0;
}

/* Consumes record bytes. Returns bytes used or a negative error. */
static long take_body(kmesos_recordio *r, const uint8_t *data, size_t n,
                      kmesos_recordio_cb cb, void *arg)
{
    size_t missing = r->want - r->pending.len;
    if (r->pending.len == 0 && n >= r->want) {
        size_t len = r->want;
        int rc = deliver(r, data, len, cb, arg);
        return rc ? rc : (long)len;
    }
    size_t used = n < missing ? n : missing;
    if (kmesos_buf_append(&r->pending, data, used) != 0)
        return KMESOS_RECORDIO_ENOMEM;
    if (r->pending.len < r->want)
        return (long)used;
    size_t len = r->pending.len;
    r->pending.len = 0; /* the bytes stay valid during the callback */
    int rc = deliver(r, r->pending.data, len, cb, arg);
    return rc ? rc : (long)used;
}

int kmesos_recordio_feed(kmesos_recordio *r, const void *data, size_t n,
                         kmesos_recordio_cb cb, void *arg)
{
    const uint8_t *p = data;
    if (r->error)
        return r->error;
    while (n > 0 || (r->have_header && r->want == 0)) {
        long used = r->have_header ? take_body(r, p, n, cb, arg) : take_header(r, p, n);
        if (used < 0) {
            r->error = (int)used;
            return r->error;
        }
        p += used;
        n -= (size_t)used;
    }
    return 0;
}

int kmesos_recordio_encode(kmesos_buf *out, const void *rec, size_t len)
{
    char hdr[32];
    int n = snprintf(hdr, sizeof hdr, "%zu\n", len);
    if (kmesos_buf_reserve(out, (size_t)n + len) != 0)
        return -1;
    kmesos_buf_append(out, hdr, (size_t)n);
    kmesos_buf_append(out, rec, len);
    return 0;
}
