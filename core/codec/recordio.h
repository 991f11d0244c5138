/* recordio: the Mesos RecordIO framing, "<decimal length>\n<bytes>".
 * The decoder is incremental: feed it the body in chunks of any size
 * (split or coalesced records) and it calls back once per whole record. */
#ifndef KMESOS_RECORDIO_H
#define KMESOS_RECORDIO_H
#include <stddef.h>
#include <stdint.h>
#include "codec/buf.h"

enum {
    KMESOS_RECORDIO_OK = 0,
    KMESOS_RECORDIO_EBADLEN = -1,   /* length is not a decimal number */
    KMESOS_RECORDIO_EOVERSIZE = -2, /* length is above the bound */
    KMESOS_RECORDIO_ENOMEM = -3,
    KMESOS_RECORDIO_ECALLBACK = -4, /* the callback asked to stop */
};

#define KMESOS_RECORDIO_DEFAULT_MAX (64u * 1024u * 1024u)

/* Called once per record; return 0 to go on, non-zero to stop feeding. */
typedef int (*kmesos_recordio_cb)(void *arg, const uint8_t *rec, size_t len);

typedef struct kmesos_recordio {
    kmesos_buf pending;   /* bytes of an unfinished header or record */
    size_t max_record;    /* bound on one record's length */
    size_t want;          /* record length once the header was read */
    int have_header;
    int error;            /* sticky: once set, feed returns it */
    uint64_t records;     /* records delivered so far */
} kmesos_recordio;

void kmesos_recordio_init(kmesos_recordio *r, size_t max_record);
void kmesos_recordio_free(kmesos_recordio *r);
/* Clears all state and any error, as for a new stream. */
void kmesos_recordio_reset(kmesos_recordio *r);
/* Feeds n bytes. Returns 0, or a negative KMESOS_RECORDIO_E* code that
 * sticks until reset. */
int kmesos_recordio_feed(kmesos_recordio *r, const void *data, size_t n,
                         kmesos_recordio_cb cb, void *arg);
/* True while part of a record is buffered (a stream that ends then was cut). */
int kmesos_recordio_partial(const kmesos_recordio *r);
const char *kmesos_recordio_strerror(int err);
/* Appends one framed record to out. 0 or -1 (no memory). */
int kmesos_recordio_encode(kmesos_buf *out, const void *rec, size_t len);

#endif
