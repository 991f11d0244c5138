/* files: the agent's sandbox file endpoints, like a Mesos agent's
 * /files/read and /files/browse (src/files/files.cpp of Mesos 1.12),
 * restricted to the agent's work dir. */
#ifndef KLOCAL_FILES_H
#define KLOCAL_FILES_H
#include "net/httpd.h"
#include "local/config.h"

/* Answers req when url is /files/read or /files/browse (also under
 * /slave(1)/files/...) and returns 1; returns 0 for any other url.
 * Paths are absolute and must lie inside work_dir (after resolving
 * symlinks and ".."): 404 otherwise. */
int klocal_files_serve(const char *work_dir, kmesos_httpd_req *req, const char *url);
/* With credentials (--credentials), the agent's read-only endpoints
 * (/state and /files/{read,browse,download,debug}, also with .json or
 * under /slave(1)) want them, as an agent with
 * --authenticate_http_readonly: 1 after a 401 naming the realm
 * "mesos-agent-readonly", else 0. The executor API stays open (a real
 * agent's executor authentication is off by default). */
int klocal_files_guard(const klocal_credential *creds, size_t n, kmesos_httpd_req *req,
                       const char *url);

#endif
