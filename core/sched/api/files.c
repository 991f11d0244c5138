/* files: serves the executor binary and the Kafka tarball as
 * GET /files/<base name> for the Mesos fetcher, streamed from disk with
 * libuv's asynchronous file requests. One transfer per request: open, then
 * read 256 KB, push it to the chunked stream, read the next once fewer
 * than 4 MB wait for the socket (checked again every 10 ms otherwise),
 * close the stream at the end of the file. A transfer whose client went
 * away, or whose server is stopping, ends at its next step; it frees
 * itself once no file request of its own is in flight. With
 * --files-listen the same files are also served by a listener of their
 * own that answers nothing else (404 for every other path, 405 for other
 * methods): agents fetch there while the admin API stays on loopback. */
#include "sched/api/files.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"

#define MOD "files"
#define CHUNK (256 * 1024)
#define MAX_QUEUED (4u * 1024 * 1024)

typedef struct transfer {
    struct kmesos_kafka_files *owner; /* NULL once the owner is gone */
    kmesos_httpd_req *req;            /* until the stream is open */
    kmesos_httpd_stream *stream;
    uv_fs_t fs;
    uv_timer_t timer;
    uv_file fd;
    int busy;                         /* an fs request is in flight */
    int dead;                         /* stop at the next step */
    int64_t offset;
    char buf[CHUNK];
    struct transfer *next;
} transfer;

struct kmesos_kafka_files {
    uv_loop_t *loop;
    char **paths;
    size_t n;
    transfer *transfers;
    kmesos_httpd *listener; /* --files-listen, or NULL */
};

kmesos_kafka_files *kmesos_kafka_files_new(uv_loop_t *loop, const char *const *paths, size_t n)
{
    kmesos_kafka_files *f = calloc(1, sizeof *f);
    if (!f || !(f->paths = calloc(n ? n : 1, sizeof *f->paths))) {
        free(f);
        return NULL;
    }
    f->loop = loop;
    for (; f->n < n; f->n++)
        if (!(f->paths[f->n] = strdup(paths[f->n]))) {
            kmesos_kafka_files_free(f);
            return NULL;
        }
    return f;
}

static void unlink_transfer(transfer *t)
{
    if (!t->owner)
        return;
    for (transfer **p = &t->owner->transfers; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    t->owner = NULL;
}

static void files_on_timer_closed(uv_handle_t *h) { free(h->data); }

/* Ends the transfer: closes the file, the stream (cleanly when done) and
 * the timer, whose close callback frees it. */
static void files_finish(transfer *t, int complete)
{
    if (uv_is_closing((uv_handle_t *)&t->timer))
        return;
    unlink_transfer(t);
    if (t->fd >= 0) {
        uv_fs_t req;
        uv_fs_close(NULL, &req, t->fd, NULL); /* synchronous: a close only */
        uv_fs_req_cleanup(&req);
        t->fd = -1;
    }
    if (t->req)
        kmesos_httpd_reply_text(t->req, 404, "cannot read the file\n", NULL);
    else if (t->stream && complete)
        kmesos_httpd_stream_close(t->stream);
    else if (t->stream)
        kmesos_httpd_stream_abort(t->stream);
    t->req = NULL;
    t->stream = NULL;
    uv_close((uv_handle_t *)&t->timer, files_on_timer_closed);
}

static void read_next(transfer *t);

static void on_stream_gone(void *arg, kmesos_httpd_stream *s)
{
    transfer *t = arg;
    (void)s;
    t->stream = NULL;
    t->dead = 1;
    if (!t->busy && !uv_is_closing((uv_handle_t *)&t->timer))
        files_finish(t, 0);
}

static void files_on_timer(uv_timer_t *h)
{
    transfer *t = h->data;
    if (t->dead)
        files_finish(t, 0);
    else if (kmesos_httpd_stream_pending(t->stream) > MAX_QUEUED)
        uv_timer_start(&t->timer, files_on_timer, 10, 0);
    else
        read_next(t);
}

static void on_read(uv_fs_t *req)
{
    transfer *t = req->data;
    ssize_t n = req->result;
    uv_fs_req_cleanup(req);
    t->busy = 0;
    if (t->dead || n < 0 || (n > 0 && kmesos_httpd_stream_push(t->stream, t->buf, (size_t)n) != 0)) {
        files_finish(t, 0);
        return;
    }
    if (n == 0) {
        files_finish(t, 1);
        return;
    }
    t->offset += n;
    files_on_timer(&t->timer);
}

static void read_next(transfer *t)
{
    uv_buf_t b = uv_buf_init(t->buf, CHUNK);
    t->busy = 1;
    if (uv_fs_read(t->timer.loop, &t->fs, t->fd, &b, 1, t->offset, on_read) != 0) {
        t->busy = 0;
        files_finish(t, 0);
    }
}

static void on_open(uv_fs_t *req)
{
    transfer *t = req->data;
    t->busy = 0;
    t->fd = req->result >= 0 ? (uv_file)req->result : -1;
    uv_fs_req_cleanup(req);
    if (t->dead || t->fd < 0) {
        files_finish(t, 0);
        return;
    }
    kmesos_httpd_req *r = t->req;
    t->req = NULL;
    t->stream = kmesos_httpd_stream_open(r, 200, "application/octet-stream", NULL,
                                         on_stream_gone, t);
    if (!t->stream) {
        files_finish(t, 0);
        return;
    }
    read_next(t);
}

static const char *find(const kmesos_kafka_files *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++) {
        const char *slash = strrchr(f->paths[i], '/');
        if (strcmp(slash ? slash + 1 : f->paths[i], name) == 0)
            return f->paths[i];
    }
    return NULL;
}

int kmesos_kafka_files_serve(kmesos_kafka_files *f, kmesos_httpd_req *req, const char *url)
{
    if (!f || strncmp(url, "/files/", 7) != 0)
        return 0;
    const char *path = find(f, url + 7);
    if (!path || strcmp(kmesos_httpd_method(req), "GET") != 0) {
        kmesos_httpd_reply_text(req, path ? 405 : 404, path ? "GET only\n" : "no such file\n",
                                NULL);
        return 1;
    }
    transfer *t = malloc(sizeof *t);
    if (!t) {
        kmesos_httpd_reply_text(req, 500, "out of memory\n", NULL);
        return 1;
    }
    memset(t, 0, offsetof(transfer, buf));
    t->fd = -1;
    t->req = req;
    t->owner = f;
    t->fs.data = t;
    uv_timer_init(f->loop, &t->timer);
    t->timer.data = t;
    t->next = f->transfers;
    f->transfers = t;
    t->busy = 1;
    if (uv_fs_open(f->loop, &t->fs, path, O_RDONLY | O_CLOEXEC, 0, on_open) != 0) {
        t->busy = 0;
        files_finish(t, 0);
    }
    KLOG_INFO(MOD, "GET %s", url);
    return 1;
}

void kmesos_kafka_files_free(kmesos_kafka_files *f)
{
    if (!f)
        return;
    while (f->transfers) {
        transfer *t = f->transfers;
        unlink_transfer(t);
        t->dead = 1;
        if (t->req) /* the server goes away with its requests: answer now */
            kmesos_httpd_reply_text(t->req, 503, "shutting down\n", NULL);
        t->req = NULL;
        if (t->stream)
            kmesos_httpd_stream_abort(t->stream);
        t->stream = NULL;
        if (!t->busy)
            files_finish(t, 0);
    }
    if (f->listener)
        kmesos_httpd_stop(f->listener);
    for (size_t i = 0; i < f->n; i++)
        free(f->paths[i]);
    free(f->paths);
    free(f);
}

static void listener_on_request(void *arg, kmesos_httpd_req *req)
{
    if (!kmesos_kafka_files_serve(arg, req, kmesos_httpd_url(req)))
        kmesos_httpd_reply_text(req, 404, "no such file (this listener serves only /files/)\n",
                                NULL);
}

int kmesos_kafka_files_listen(kmesos_kafka_files *f, const char *addr, char *err, size_t errlen)
{
    char ip[64];
    int port = 0;
    if (kmesos_httpd_split_addr(addr, ip, sizeof ip, &port) != 0) {
        snprintf(err, errlen, "--files-listen '%s': expected IP:PORT", addr);
        return -1;
    }
    kmesos_httpd_config hc = {.ip = ip, .port = port, .max_body = 1,
                              .on_request = listener_on_request, .arg = f,
                              .idle_timeout_s = KMESOS_KAFKA_FILES_IDLE_TIMEOUT_S,
                              .max_connections = KMESOS_KAFKA_FILES_MAX_CONNECTIONS,
                              .per_ip_limit = KMESOS_KAFKA_FILES_PER_IP_LIMIT};
    if (kmesos_httpd_start(f->loop, &hc, &f->listener, err, errlen) != 0)
        return -1;
    KLOG_INFO(MOD, "files (only) on http://%s:%d/files/", ip, kmesos_httpd_port(f->listener));
    return 0;
}

int kmesos_kafka_files_port(const kmesos_kafka_files *f)
{
    return f->listener ? kmesos_httpd_port(f->listener) : 0;
}
