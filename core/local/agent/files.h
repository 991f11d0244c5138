/* files: the agent's sandbox file endpoints, like a Mesos agent's
 * /files/read and /files/browse (src/files/files.cpp of Mesos 1.12),
 * restricted to the agent's work dir. */
#ifndef KLOCAL_FILES_H
#define KLOCAL_FILES_H
#include "net/httpd.h"

/* Answers req when url is /files/read or /files/browse (also under
 * /slave(1)/files/...) and returns 1; returns 0 for any other url.
 * Paths are absolute and must lie inside work_dir (after resolving
 * symlinks and ".."): 404 otherwise. */
int klocal_files_serve(const char *work_dir, kmesos_httpd_req *req, const char *url);

#endif
