/* util: fatal-on-OOM allocation, UUIDs from getrandom(2), wall time and
 * protobuf-c helpers. Messages built here own every sub-message, string
 * and byte array separately on the heap, so that
 * protobuf_c_message_free_unpacked(m, NULL) releases them all. */
#include "local/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "mesos/v1/mesos.pb-c.h"

static void util_oom(void)
{
    static const char msg[] = "kmesos-local: out of memory\n";
    fwrite(msg, 1, sizeof msg - 1, stderr);
    abort();
}

void *klocal_util_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        util_oom();
    return p;
}

void *klocal_util_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        util_oom();
    return q;
}

char *klocal_util_xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        util_oom();
    return d;
}

char *klocal_util_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        util_oom();
    return s;
}

void klocal_util_uuid(uint8_t out[16])
{
    size_t got = 0;
    while (got < 16) {
        ssize_t n = getrandom(out + got, 16 - got, 0);
        if (n <= 0) {
            /* Never expected; keep ids unique enough. */
            for (; got < 16; got++)
                out[got] = (uint8_t)rand();
            break;
        }
        got += (size_t)n;
    }
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x40);
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
}

void klocal_util_uuid_format(const uint8_t u[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

void klocal_util_uuid_string(char out[37])
{
    uint8_t u[16];
    klocal_util_uuid(u);
    klocal_util_uuid_format(u, out);
}

double klocal_util_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000) / 1e6;
}

void *klocal_util_pb_new(const ProtobufCMessageDescriptor *d)
{
    ProtobufCMessage *m = klocal_util_xcalloc(1, d->sizeof_message);
    protobuf_c_message_init(d, m);
    return m;
}

void *klocal_util_pb_dup(const void *msg)
{
    const ProtobufCMessage *m = msg;
    if (!m)
        return NULL;
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = klocal_util_xcalloc(1, n);
    protobuf_c_message_pack(m, buf);
    ProtobufCMessage *copy = protobuf_c_message_unpack(m->descriptor, NULL, n, buf);
    free(buf);
    if (!copy)
        util_oom();
    return copy;
}

void klocal_util_pb_free(void *m)
{
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
}

void *klocal_util_pb_id(const ProtobufCMessageDescriptor *d, const char *value)
{
    /* All *ID messages share the FrameworkID layout. */
    Mesos__V1__FrameworkID *id = klocal_util_pb_new(d);
    id->value = klocal_util_xstrdup(value);
    return id;
}

ProtobufCBinaryData klocal_util_pb_bytes(const void *data, size_t len)
{
    ProtobufCBinaryData b;
    b.len = len;
    b.data = klocal_util_xcalloc(1, len);
    if (len)
        memcpy(b.data, data, len);
    return b;
}
