/* fetch: the mesos-fetcher of Mesos 1.12, run for a simulated agent. The
 * URIs are first validated (Fetcher::basename: "Could not fetch: ..."),
 * then fetched one after the other into the sandbox: curl for http(s)
 * and ftp(s) (the body is kept whatever the status code, like libcurl in
 * the real fetcher, and the code is checked afterwards), cp for file://
 * and absolute paths, output_file honoured (its folders are created).
 * Then executable -> chmod 0755, else extract -> tar/unzip into the
 * sandbox root (the archive stays) or gunzip for a bare .gz; a file that
 * is no archive is kept with a warning. Every item is BYPASS_CACHE (the
 * cache flag is ignored). The log goes to the sandbox stderr in glog
 * format with the real fetcher's lines, the children's own output to the
 * sandbox stdout/stderr. Any failure ends the fetch with the agent's
 * "Failed to fetch all URIs for container '<id>': exited with status 1".
 * Everything that can take time runs in a child process (klocal_proc);
 * log writes, mkdir and chmod are small local calls on the loop thread.
 * The result is delivered from the close callback of a handle, so never
 * from inside klocal_fetch_start or klocal_fetch_cancel. */
#include "local/agent/fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "codec/log.h"
#include "codec/wstatus.h"
#include "local/proc.h"
#include "local/util.h"

typedef enum { STEP_DOWNLOAD, STEP_EXTRACT } fetch_step;

typedef struct fetch_item {
    char *uri;
    char *output_file; /* NULL: basename */
    char *dest;        /* sandbox path */
    int executable;
    int extract;
    int cache;
} fetch_item;

struct klocal_fetch {
    uv_loop_t *loop;
    uv_timer_t done;   /* closing it delivers the result */
    char *sandbox;
    char *container_id;
    char *frameworks_home;
    int log_fd;
    fetch_item *items;
    size_t n;
    size_t cur;
    fetch_step step;
    int net;           /* current download uses curl */
    int gunzip;        /* current extraction is a bare .gz */
    char *command;     /* current extraction command, for messages */
    klocal_proc *child;
    int finishing;
    int cancelled;
    klocal_fetch_result result;
    char *message;
    klocal_fetch_cb cb;
    void *arg;
};

/* ------------------------------------------------------------ helpers */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int klocal_fetch_basename(const char *uri, char **out, char *err, size_t errlen)
{
    if (strchr(uri, '\\') || strchr(uri, '\'')) {
        snprintf(err, errlen, "Illegal characters in URI");
        return -1;
    }
    const char *scheme = strstr(uri, "://");
    if (scheme && scheme - uri > 1) {
        const char *path = scheme + 3, *slash = strchr(path, '/');
        if (!slash || slash[1] == '\0') {
            snprintf(err, errlen, "Malformed URI (missing path): %s", uri);
            return -1;
        }
        *out = klocal_util_xstrdup(strrchr(path, '/') + 1);
        return 0;
    }
    /* Path(uri).basename(): trailing slashes ignored */
    char *copy = klocal_util_xstrdup(uri);
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    const char *base = strrchr(copy, '/');
    *out = klocal_util_xstrdup(base && base[1] ? base + 1 : copy);
    free(copy);
    return 0;
}

int klocal_fetch_local_path(const char *uri, const char *frameworks_home, char **out,
                            char *err, size_t errlen)
{
    int file_uri = starts_with(uri, "file://");
    if (!file_uri && strstr(uri, "://"))
        return 0;
    const char *path = uri;
    if (starts_with(uri, "file://localhost"))
        path = uri + strlen("file://localhost");
    else if (file_uri)
        path = uri + strlen("file://");
    if (file_uri && path[0] != '/') {
        snprintf(err, errlen, "File URI only supports absolute paths");
        return -1;
    }
    if (path[0] == '/') {
        *out = klocal_util_xstrdup(path);
        return 1;
    }
    if (!frameworks_home || !*frameworks_home) {
        snprintf(err, errlen,
                 "A relative path was passed for the resource but the Mesos framework home "
                 "was not specified. Please either provide this config option or avoid using "
                 "a relative path");
        return -1;
    }
    *out = klocal_util_xasprintf("%s/%s", frameworks_home, path);
    return 1;
}

static int fetch_is_net(const char *uri)
{
    return starts_with(uri, "http://") || starts_with(uri, "https://") ||
           starts_with(uri, "ftp://") || starts_with(uri, "ftps://");
}

/* curl_easy_strerror() of the codes curl's exit status can carry. */
static const char *fetch_curl_error(int64_t code)
{
    switch (code) {
    case 1: return "Unsupported protocol";
    case 3: return "URL using bad/illegal format or missing URL";
    case 5: return "Couldn't resolve proxy name";
    case 6: return "Couldn't resolve host name";
    case 7: return "Couldn't connect to server";
    case 18: return "Transferred a partial file";
    case 23: return "Failed writing received data to disk/application";
    case 28: return "Timeout was reached";
    case 35: return "SSL connect error";
    case 47: return "Number of redirects hit maximum amount";
    case 52: return "Server returned nothing (no headers, no data)";
    case 56: return "Failure when receiving data from the peer";
    case 60: return "SSL peer certificate or SSH remote key was not OK";
    default: return NULL;
    }
}

/* ---------------------------------------------------------------- log */

/* One glog line ("I20261125 06:41:41.529685 27993 fetcher.cpp:459] ..."). */
static void fetch_log(klocal_fetch *f, char severity, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fetch_log(klocal_fetch *f, char severity, int line, const char *fmt, ...)
{
    if (f->log_fd < 0)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d %H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    char *text = klocal_util_xasprintf("%c%s.%06ld %5d fetcher.cpp:%d] %s\n", severity, stamp,
                                       (long)tv.tv_usec, (int)getpid(), line,
                                       msg ? msg : "");
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(f->log_fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(text);
    free(msg);
}

static json_t *fetch_item_json(const fetch_item *it)
{
    json_t *uri = json_pack("{s:b, s:b, s:b, s:s}", "cache", it->cache, "executable",
                            it->executable, "extract", it->extract, "value", it->uri);
    if (it->output_file)
        json_object_set_new(uri, "output_file", json_string(it->output_file));
    return json_pack("{s:s, s:o}", "action", "BYPASS_CACHE", "uri", uri);
}

static void fetch_log_info(klocal_fetch *f, const klocal_fetch_params *p)
{
    json_t *items = json_array();
    for (size_t i = 0; i < f->n; i++)
        json_array_append_new(items, fetch_item_json(&f->items[i]));
    json_t *info = json_pack("{s:s, s:o, s:s, s:{s:I}}", "cache_directory",
                             p->cache_dir ? p->cache_dir : "", "items", items,
                             "sandbox_directory", f->sandbox, "stall_timeout", "nanoseconds",
                             (json_int_t)60000000000LL);
    if (p->user)
        json_object_set_new(info, "user", json_string(p->user));
    char *text = json_dumps(info, JSON_COMPACT | JSON_SORT_KEYS);
    fetch_log(f, 'I', 562, "Fetcher Info: %s", text ? text : "{}");
    free(text);
    json_decref(info);
}

/* ------------------------------------------------------------ the end */

static void fetch_free(klocal_fetch *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->items[i].uri);
        free(f->items[i].output_file);
        free(f->items[i].dest);
    }
    free(f->items);
    free(f->sandbox);
    free(f->container_id);
    free(f->frameworks_home);
    free(f->command);
    free(f->message);
    free(f);
}

static void fetch_closed(uv_handle_t *h)
{
    klocal_fetch *f = h->data;
    if (f->log_fd >= 0)
        close(f->log_fd);
    klocal_fetch_result r = f->cancelled ? KLOCAL_FETCH_CANCELLED : f->result;
    f->cb(f->arg, r, r == KLOCAL_FETCH_FAILED ? f->message : NULL);
    fetch_free(f);
}

static void fetch_finish(klocal_fetch *f, klocal_fetch_result r, char *message)
{
    f->finishing = 1;
    f->result = r;
    f->message = message;
    uv_close((uv_handle_t *)&f->done, fetch_closed);
}

/* The fetcher's EXIT(EXIT_FAILURE) for the current item. */
static void fetch_fail(klocal_fetch *f, const char *why)
{
    fetch_log(f, 'E', 615, "EXIT with status 1: Failed to fetch '%s': %s", f->items[f->cur].uri,
              why);
    fetch_finish(f, KLOCAL_FETCH_FAILED,
                 klocal_util_xasprintf("Failed to fetch all URIs for container '%s': exited "
                                       "with status 1",
                                       f->container_id));
}

/* ----------------------------------------------------------- children */

static void fetch_on_exit(void *arg, klocal_proc *p, int64_t status, int sig);

static int fetch_spawn(klocal_fetch *f, char *const *argv, int capture)
{
    char *out = klocal_util_xasprintf("%s/stdout", f->sandbox);
    char *errp = klocal_util_xasprintf("%s/stderr", f->sandbox);
    klocal_proc_spec spec = {
        .file = argv[0], .argv = argv, .env = NULL, .cwd = f->sandbox,
        .stdout_path = out, .stderr_path = errp, .capture_stdout = capture,
    };
    char err[256];
    f->child = klocal_proc_spawn(f->loop, &spec, fetch_on_exit, f, err, sizeof err);
    free(out);
    free(errp);
    if (!f->child) {
        fetch_fail(f, err);
        return -1;
    }
    return 0;
}

static void fetch_next(klocal_fetch *f);

static void fetch_item_done(klocal_fetch *f)
{
    fetch_item *it = &f->items[f->cur];
    fetch_log(f, 'I', 618, "Fetched '%s' to '%s'", it->uri, it->dest);
    f->cur++;
    fetch_next(f);
}

static void fetch_extract(klocal_fetch *f)
{
    const char *path = f->items[f->cur].dest;
    free(f->command);
    f->command = NULL;
    f->gunzip = 0;
    if (ends_with(path, ".tar") || ends_with(path, ".tgz") || ends_with(path, ".tar.gz") ||
        ends_with(path, ".tbz2") || ends_with(path, ".tar.bz2") || ends_with(path, ".txz") ||
        ends_with(path, ".tar.xz")) {
        char *argv[] = {"tar", "-C", f->sandbox, "-xf", (char *)path, NULL};
        f->command = klocal_util_xasprintf("tar -C %s -xf %s", f->sandbox, path);
        f->step = STEP_EXTRACT;
        fetch_spawn(f, argv, 0);
    } else if (ends_with(path, ".zip")) {
        char *argv[] = {"unzip", "-o", "-q", "-d", f->sandbox, (char *)path, NULL};
        f->command = klocal_util_xasprintf("unzip -o -q -d %s %s", f->sandbox, path);
        f->step = STEP_EXTRACT;
        fetch_spawn(f, argv, 0);
    } else if (ends_with(path, ".gz")) {
        const char *slash = strrchr(path, '/');
        char *name = klocal_util_xstrdup(slash ? slash + 1 : path);
        name[strlen(name) - 3] = '\0';
        char *target = klocal_util_xasprintf("%s/%s", f->sandbox, name);
        char *argv[] = {"sh", "-c", "exec gunzip -d -c \"$1\" > \"$2\"", "gunzip",
                        (char *)path, target, NULL};
        f->command = klocal_util_xstrdup("gunzip -d -c");
        f->gunzip = 1;
        f->step = STEP_EXTRACT;
        fetch_spawn(f, argv, 0);
        free(name);
        free(target);
    } else {
        fetch_log(f, 'W', 315,
                  "Copying instead of extracting resource from URI with 'extract' flag, "
                  "because it does not seem to be an archive: %s",
                  f->items[f->cur].uri);
        fetch_item_done(f);
    }
}

/* The file is in the sandbox: chmod, extract or nothing. */
static void fetch_downloaded(klocal_fetch *f)
{
    fetch_item *it = &f->items[f->cur];
    if (it->executable) {
        if (chmod(it->dest, 0755) != 0) {
            char *why = klocal_util_xasprintf("Failed to chmod executable '%s': %s", it->dest,
                                              strerror(errno));
            fetch_fail(f, why);
            free(why);
            return;
        }
        fetch_item_done(f);
    } else if (it->extract) {
        fetch_extract(f);
    } else {
        fetch_item_done(f);
    }
}

static char *fetch_download_error(klocal_fetch *f, klocal_proc *p, int64_t status, int sig)
{
    const char *uri = f->items[f->cur].uri;
    if (!f->net) {
        if (sig || status != 0)
            return klocal_util_xasprintf("cp failed with status: %d",
                                         sig ? sig : (int)(status & 0xff) << 8);
        return NULL;
    }
    if (sig) {
        char how[96];
        kmesos_wstatus_text(0, sig, how, sizeof how);
        return klocal_util_xasprintf("Error downloading resource: %s", how);
    }
    if (status != 0) {
        const char *e = fetch_curl_error(status);
        return e ? klocal_util_xasprintf("Error downloading resource: %s", e)
                 : klocal_util_xasprintf("Error downloading resource: curl exited with "
                                         "status %lld",
                                         (long long)status);
    }
    int code = atoi(klocal_proc_output(p, NULL));
    int ftp = starts_with(uri, "ftp://") || starts_with(uri, "ftps://");
    if (ftp && code != 226 && code != 0)
        return klocal_util_xasprintf("Error downloading resource, received FTP return code %d",
                                     code);
    if (!ftp && code != 200)
        return klocal_util_xasprintf("Error downloading resource, received HTTP return code %d",
                                     code);
    return NULL;
}

static void fetch_extracted(klocal_fetch *f, int64_t status, int sig)
{
    const char *path = f->items[f->cur].dest;
    if (sig || status != 0) {
        char res[96];
        kmesos_wstatus_mesos_text(status, sig, res, sizeof res);
        char *why = f->gunzip
                        ? klocal_util_xasprintf("Failed to extract '%s': '%s' failed: %s", path,
                                                f->command, res)
                        : klocal_util_xasprintf("Failed to extract archive '%s' to '%s': '%s' "
                                                "%s",
                                                path, f->sandbox, f->command, res);
        fetch_fail(f, why);
        free(why);
        return;
    }
    if (f->gunzip)
        fetch_log(f, 'I', 160, "Extracted '%s' into '%s'", path, f->sandbox);
    fetch_item_done(f);
}

static void fetch_on_exit(void *arg, klocal_proc *p, int64_t status, int sig)
{
    klocal_fetch *f = arg;
    f->child = NULL;
    if (f->cancelled) {
        fetch_finish(f, KLOCAL_FETCH_CANCELLED, NULL);
        return;
    }
    if (f->step == STEP_EXTRACT) {
        fetch_extracted(f, status, sig);
        return;
    }
    char *why = fetch_download_error(f, p, status, sig);
    if (why) {
        fetch_fail(f, why);
        free(why);
        return;
    }
    fetch_downloaded(f);
}

/* ------------------------------------------------------------- items */

static void fetch_download(klocal_fetch *f, fetch_item *it)
{
    char err[512];
    char *local = NULL;
    int rc = klocal_fetch_local_path(it->uri, f->frameworks_home, &local, err, sizeof err);
    f->step = STEP_DOWNLOAD;
    f->net = 0;
    if (rc < 0) {
        fetch_fail(f, err);
    } else if (rc > 0) {
        struct stat st;
        if (stat(local, &st) == 0 && S_ISDIR(st.st_mode)) {
            fetch_fail(f, "`source` was a directory");
        } else {
            char *argv[] = {"cp", local, it->dest, NULL};
            fetch_spawn(f, argv, 0);
        }
    } else if (fetch_is_net(it->uri)) {
        fetch_log(f, 'I', 175, "Downloading resource from '%s' to '%s'", it->uri, it->dest);
        char *argv[] = {"curl", "-s", "-L", "-o", it->dest, "-w", "%{http_code}", "-Y", "1",
                        "-y", "60", "--", it->uri, NULL};
        f->net = 1;
        fetch_spawn(f, argv, 1);
    } else {
        fetch_fail(f, "Failed to create HDFS client: no Hadoop client in kmesos-local");
    }
    free(local);
}

static void fetch_next(klocal_fetch *f)
{
    if (f->cur == f->n) {
        fetch_log(f, 'I', 623, "Successfully fetched all URIs into '%s'", f->sandbox);
        fetch_finish(f, KLOCAL_FETCH_OK, NULL);
        return;
    }
    fetch_item *it = &f->items[f->cur];
    fetch_log(f, 'I', 459, "Fetching URI '%s'", it->uri);
    fetch_log(f, 'I', 290, "Fetching '%s' directly into the sandbox directory", it->uri);
    if (it->output_file)
        klocal_util_mkdirs(it->dest, 0);
    fetch_download(f, it);
}

/* ------------------------------------------------------------- start */

/* Fills the items; -1 with the reason when a URI is invalid. */
static int fetch_items(klocal_fetch *f, const klocal_fetch_params *p, char *err, size_t errlen)
{
    f->items = klocal_util_xcalloc(p->n_uris ? p->n_uris : 1, sizeof *f->items);
    for (size_t i = 0; i < p->n_uris; i++) {
        const Mesos__V1__CommandInfo__URI *u = p->uris[i];
        fetch_item *it = &f->items[f->n++];
        it->uri = klocal_util_xstrdup(u->value ? u->value : "");
        it->executable = u->has_executable && u->executable;
        it->extract = !u->has_extract || u->extract;
        it->cache = u->has_cache && u->cache;
        char *name = NULL;
        if (klocal_fetch_basename(it->uri, &name, err, errlen) != 0)
            return -1;
        if (u->output_file && *u->output_file) {
            it->output_file = klocal_util_xstrdup(u->output_file);
            const char *rel = u->output_file;
            while (*rel == '/')
                rel++;
            it->dest = klocal_util_xasprintf("%s/%s", f->sandbox, rel);
        } else {
            it->dest = klocal_util_xasprintf("%s/%s", f->sandbox, name);
        }
        free(name);
    }
    return 0;
}

static int fetch_open_logs(klocal_fetch *f)
{
    char *out = klocal_util_xasprintf("%s/stdout", f->sandbox);
    char *errp = klocal_util_xasprintf("%s/stderr", f->sandbox);
    int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
    f->log_fd = open(errp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    free(out);
    free(errp);
    return f->log_fd;
}

klocal_fetch *klocal_fetch_start(uv_loop_t *loop, const klocal_fetch_params *p,
                                 klocal_fetch_cb cb, void *arg)
{
    klocal_fetch *f = klocal_util_xcalloc(1, sizeof *f);
    f->loop = loop;
    f->cb = cb;
    f->arg = arg;
    f->log_fd = -1;
    f->sandbox = klocal_util_xstrdup(p->sandbox);
    f->container_id = klocal_util_xstrdup(p->container_id);
    f->frameworks_home = p->frameworks_home ? klocal_util_xstrdup(p->frameworks_home) : NULL;
    uv_timer_init(loop, &f->done);
    f->done.data = f;
    char err[512];
    if (fetch_items(f, p, err, sizeof err) != 0) {
        fetch_finish(f, KLOCAL_FETCH_FAILED, klocal_util_xasprintf("Could not fetch: %s", err));
        return f;
    }
    if (fetch_open_logs(f) < 0) {
        fetch_finish(f, KLOCAL_FETCH_FAILED,
                     klocal_util_xasprintf("Failed to create the fetcher's log in '%s': %s",
                                           f->sandbox, strerror(errno)));
        return f;
    }
    fetch_log_info(f, p);
    KLOG_DEBUG("fetch", "container %s: fetching %zu URIs", f->container_id, f->n);
    fetch_next(f);
    return f;
}

void klocal_fetch_cancel(klocal_fetch *f)
{
    if (f->cancelled)
        return;
    f->cancelled = 1;
    if (f->child)
        klocal_proc_kill(f->child, 0);
}
