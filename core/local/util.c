/* util: kmesos-local's policy on out-of-memory (fatal: a simulated cluster
 * cannot do anything useful without memory) applied to plain allocation,
 * to UUIDs and to the shared protobuf helpers of codec/pb, plus the wall
 * clock and "mkdir -p" for sandboxes. The protobuf wrappers only add the
 * abort; the work is codec's. */
#include "local/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "codec/pb.h"
#include "codec/uuid.h"

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

void *klocal_util_must(void *p)
{
    if (!p)
        util_oom();
    return p;
}

void klocal_util_uuid(uint8_t out[KMESOS_UUID_LEN])
{
    if (kmesos_uuid_random(out) != 0)
        util_oom(); /* getrandom(2) failing is as hopeless as no memory */
}

void klocal_util_uuid_string(char out[KMESOS_UUID_TEXT])
{
    uint8_t u[KMESOS_UUID_LEN];
    klocal_util_uuid(u);
    kmesos_uuid_format(u, out);
}

double klocal_util_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000) / 1e6;
}

void *klocal_util_pb_new(const ProtobufCMessageDescriptor *d)
{
    return klocal_util_must(kmesos_pb_new(d));
}

void *klocal_util_pb_dup(const void *msg)
{
    return msg ? klocal_util_must(kmesos_pb_dup(msg)) : NULL;
}

ProtobufCBinaryData klocal_util_pb_bytes(const void *data, size_t len)
{
    ProtobufCBinaryData b;
    if (kmesos_pb_bytes(&b, data, len) != 0)
        util_oom();
    return b;
}

void klocal_util_mkdirs(const char *path, int last)
{
    char *p = klocal_util_xstrdup(path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    if (last)
        mkdir(p, 0755);
    free(p);
}
