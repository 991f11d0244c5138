/* files: GET /files/read?path=P&offset=N[&length=N] answers
 * {"data": "...", "offset": N} with at most 16 pages (64 KiB) from offset;
 * offset=-1 answers the file's size as {"data": "", "offset": SIZE}; an
 * offset at or past the end answers {"data": "", "offset": SIZE}, as a
 * Mesos agent does. GET /files/browse?path=D lists a directory like the
 * agent (path, size, mode, mtime, nlink, uid, gid). A missing path or a
 * bad offset/length is 400, a directory given to read is 400, a path
 * outside the agent's work dir or that does not exist is 404. POST is
 * accepted too (libprocess does not check the method of these routes).
 * The reads are small synchronous pread()s of sandbox files on the loop
 * thread: acceptable for kmesos-local (a test and demo cluster), bounded
 * to 64 KiB per request. Non-UTF-8 bytes are sent as '?'. */
#include "local/agent/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/num.h"
#include "local/util.h"
#include "local/wire.h"

#define FILES_MAX_READ (16 * 4096)

static void files_text(kmesos_httpd_req *req, unsigned status, const char *text)
{
    kmesos_httpd_reply_text(req, status, text, NULL);
}

/* The real path of p when it lies inside work_dir, else NULL (malloc'd). */
static char *files_resolve(const char *work_dir, const char *p)
{
    char *root = realpath(work_dir, NULL);
    char *real = p[0] == '/' ? realpath(p, NULL) : NULL;
    size_t n = root ? strlen(root) : 0;
    int inside = root && real && strncmp(real, root, n) == 0 &&
                 (real[n] == '\0' || real[n] == '/' || (n == 1 && root[0] == '/'));
    free(root);
    if (!inside) {
        free(real);
        return NULL;
    }
    return real;
}

/* Parses a whole decimal number >= min; 0, or -1. */
static int files_number(const char *s, long long min, long long *out)
{
    return kmesos_num_int(s, min, LLONG_MAX, out) == KMESOS_NUM_OK ? 0 : -1;
}

/* A JSON string of bytes, with bytes that break UTF-8 replaced by '?'. */
static json_t *files_string(char *data, size_t len)
{
    if (!data)
        return json_string("");
    json_t *s = json_stringn(data, len);
    if (s)
        return s;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)data[i] >= 0x80)
            data[i] = '?';
    return json_stringn(data, len);
}

static void files_reply(kmesos_httpd_req *req, char *data, size_t len, long long offset)
{
    json_t *j = json_pack("{s:o, s:I}", "data", files_string(data, len), "offset",
                          (json_int_t)offset);
    if (!j) {
        files_text(req, 500, "Out of memory");
        return;
    }
    klocal_wire_reply_json(req, j);
}

/* Reads up to length bytes at offset of the open file fd of size size. */
static void files_read_fd(kmesos_httpd_req *req, int fd, long long size, long long offset,
                          long long length)
{
    if (offset == -1 || offset >= size) {
        files_reply(req, NULL, 0, size);
        return;
    }
    size_t n = (size_t)(length < FILES_MAX_READ ? length : FILES_MAX_READ);
    char *buf = klocal_util_xcalloc(1, n + 1);
    ssize_t got = pread(fd, buf, n, (off_t)offset);
    if (got < 0)
        files_text(req, 500, "Failed to read file");
    else
        files_reply(req, buf, (size_t)got, offset);
    free(buf);
}

static void files_read(const char *work_dir, kmesos_httpd_req *req)
{
    const char *path = kmesos_httpd_query(req, "path");
    const char *off = kmesos_httpd_query(req, "offset");
    const char *len = kmesos_httpd_query(req, "length");
    long long offset = 0, length = FILES_MAX_READ;
    if (!path || !*path) {
        files_text(req, 400, "Expecting 'path=value' in query.");
        return;
    }
    if (!off || files_number(off, -1, &offset) != 0) {
        files_text(req, 400, "Failed to parse offset: expecting a number >= -1");
        return;
    }
    if (len && files_number(len, 0, &length) != 0) {
        files_text(req, 400, "Failed to parse length: expecting a number >= 0");
        return;
    }
    char *real = files_resolve(work_dir, path);
    int fd = real ? open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
    struct stat st;
    free(real);
    if (fd < 0 || fstat(fd, &st) != 0)
        files_text(req, 404, "File not found");
    else if (S_ISDIR(st.st_mode))
        files_text(req, 400, "Cannot read a directory");
    else if (!S_ISREG(st.st_mode))
        files_text(req, 400, "Not a regular file");
    else
        files_read_fd(req, fd, (long long)st.st_size, offset, length);
    if (fd >= 0)
        close(fd);
}

static json_t *files_entry(const char *dir, const char *name)
{
    char *p = klocal_util_xasprintf("%s/%s", dir, name);
    struct stat st;
    json_t *j = NULL;
    if (lstat(p, &st) == 0) {
        char mode[11];
        snprintf(mode, sizeof mode, "%c%c%c%c%c%c%c%c%c%c", S_ISDIR(st.st_mode) ? 'd' : '-',
                 st.st_mode & S_IRUSR ? 'r' : '-', st.st_mode & S_IWUSR ? 'w' : '-',
                 st.st_mode & S_IXUSR ? 'x' : '-', st.st_mode & S_IRGRP ? 'r' : '-',
                 st.st_mode & S_IWGRP ? 'w' : '-', st.st_mode & S_IXGRP ? 'x' : '-',
                 st.st_mode & S_IROTH ? 'r' : '-', st.st_mode & S_IWOTH ? 'w' : '-',
                 st.st_mode & S_IXOTH ? 'x' : '-');
        j = json_pack("{s:s, s:I, s:s, s:f, s:I, s:I, s:I}", "path", p, "size",
                      (json_int_t)st.st_size, "mode", mode, "mtime", (double)st.st_mtime,
                      "nlink", (json_int_t)st.st_nlink, "uid", (json_int_t)st.st_uid, "gid",
                      (json_int_t)st.st_gid);
    }
    free(p);
    return j;
}

static void files_browse(const char *work_dir, kmesos_httpd_req *req)
{
    const char *path = kmesos_httpd_query(req, "path");
    if (!path || !*path) {
        files_text(req, 400, "Expecting 'path=value' in query.");
        return;
    }
    char *real = files_resolve(work_dir, path);
    DIR *d = real ? opendir(real) : NULL;
    if (!d) {
        files_text(req, real && errno == ENOTDIR ? 400 : 404,
                   real && errno == ENOTDIR ? "Cannot browse a file" : "Path not found");
        free(real);
        return;
    }
    json_t *list = json_array();
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            json_array_append_new(list, files_entry(real, e->d_name));
    closedir(d);
    free(real);
    klocal_wire_reply_json(req, list);
}

int klocal_files_guard(const klocal_credential *creds, size_t n, kmesos_httpd_req *req,
                       const char *url)
{
    static const char *const readonly[] = {"/state", "/files/read", "/files/browse",
                                           "/files/download", "/files/debug"};
    if (!n)
        return 0;
    if (strncmp(url, "/slave(1)", 9) == 0)
        url += 9;
    size_t len = strlen(url);
    if (len > 5 && strcmp(url + len - 5, ".json") == 0)
        len -= 5;
    int guarded = 0;
    for (size_t i = 0; i < sizeof readonly / sizeof readonly[0]; i++)
        guarded |= strlen(readonly[i]) == len && strncmp(url, readonly[i], len) == 0;
    const char *principal;
    return guarded &&
           klocal_wire_authenticate(req, creds, n, "mesos-agent-readonly", &principal) != 0;
}

int klocal_files_serve(const char *work_dir, kmesos_httpd_req *req, const char *url)
{
    if (strncmp(url, "/slave(1)", 9) == 0)
        url += 9;
    if (strcmp(url, "/files/read") == 0 || strcmp(url, "/files/read.json") == 0)
        files_read(work_dir, req);
    else if (strcmp(url, "/files/browse") == 0 || strcmp(url, "/files/browse.json") == 0)
        files_browse(work_dir, req);
    else
        return 0;
    return 1;
}
