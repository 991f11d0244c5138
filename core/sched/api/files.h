/* files: serves the files a broker's sandbox needs (the executor
 * binary and the Kafka tarball) as GET /files/<base name> on the admin
 * HTTP server, so that TaskInfo can name them as CommandInfo URIs for the
 * Mesos fetcher. Files are read with libuv's asynchronous file requests
 * and streamed in chunks, never read whole on the loop; a slow client
 * holds at most a few MB of queued chunks. */
#ifndef KMESOS_KAFKA_FILES_H
#define KMESOS_KAFKA_FILES_H
#include <stddef.h>
#include <uv.h>

#include "net/httpd.h"

typedef struct kmesos_kafka_files kmesos_kafka_files;

/* Serves the given paths under their base names (copied). NULL on no
 * memory. */
kmesos_kafka_files *kmesos_kafka_files_new(uv_loop_t *loop, const char *const *paths, size_t n);
/* Cuts every transfer still running (call before the httpd stops); the
 * transfers release their memory once their pending requests ended. */
void kmesos_kafka_files_free(kmesos_kafka_files *f);
#define KMESOS_KAFKA_FILES_IDLE_TIMEOUT_S 60
#define KMESOS_KAFKA_FILES_MAX_CONNECTIONS 256
#define KMESOS_KAFKA_FILES_PER_IP_LIMIT 64

/* --files-listen IP:PORT: a listener of its own that serves these files
 * and nothing else (stopped by kmesos_kafka_files_free). 0, or -1 with
 * err. */
int kmesos_kafka_files_listen(kmesos_kafka_files *f, const char *addr, char *err,
                              size_t errlen);
/* Its bound port, or 0 without one. */
int kmesos_kafka_files_port(const kmesos_kafka_files *f);
/* Answers req when url is /files/...: 1 (answered or streaming), else 0. */
int kmesos_kafka_files_serve(kmesos_kafka_files *f, kmesos_httpd_req *req, const char *url);

#endif
