/* test_local_fetch: the kmesos-local fetcher without a cluster: URI file
 * names and local paths as Mesos computes them (Fetcher::basename,
 * uriToLocalPath), then whole fetches on a libuv loop into a scratch
 * sandbox: a file:// copy with output_file and the executable bit, a .tar.gz
 * extracted into the sandbox root and kept, a missing file failing with
 * the agent's message, an invalid URI, and a cancel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "local/agent/fetch.h"
#include "local/util.h"
#include "testlib.h"

static void check_basename(const char *uri, const char *want)
{
    char *name = NULL, err[256];
    int rc = klocal_fetch_basename(uri, &name, err, sizeof err);
    CHECK_INT(rc, want ? 0 : -1);
    if (want && rc == 0)
        CHECK_STR(name, want);
    free(name);
}

static void test_names(void)
{
    check_basename("http://h:1/a/bundle.tar.gz", "bundle.tar.gz");
    check_basename("http://h/a/b?x=1", "b?x=1");
    check_basename("file:///tmp/x/conf.txt", "conf.txt");
    check_basename("/tmp/x/run.sh", "run.sh");
    check_basename("http://h:1", NULL);
    check_basename("http://h/a'b", NULL);
    char *p = NULL, err[512];
    CHECK_INT(klocal_fetch_local_path("http://h/x", NULL, &p, err, sizeof err), 0);
    CHECK_INT(klocal_fetch_local_path("file:///a/b", NULL, &p, err, sizeof err), 1);
    CHECK_STR(p, "/a/b");
    free(p);
    CHECK_INT(klocal_fetch_local_path("file://localhost/a/b", NULL, &p, err, sizeof err), 1);
    CHECK_STR(p, "/a/b");
    free(p);
    CHECK_INT(klocal_fetch_local_path("file://a/b", NULL, &p, err, sizeof err), -1);
    CHECK(strcmp(err, "File URI only supports absolute paths") == 0);
    CHECK_INT(klocal_fetch_local_path("rel/x", NULL, &p, err, sizeof err), -1);
    CHECK_INT(klocal_fetch_local_path("rel/x", "/home", &p, err, sizeof err), 1);
    CHECK_STR(p, "/home/rel/x");
    free(p);
}

typedef struct outcome {
    int called;
    klocal_fetch_result r;
    char message[512];
} outcome;

static void on_done(void *arg, klocal_fetch_result r, const char *message)
{
    outcome *o = arg;
    o->called++;
    o->r = r;
    snprintf(o->message, sizeof o->message, "%s", message ? message : "");
}

static Mesos__V1__CommandInfo__URI *uri(const char *value, int executable, const char *out)
{
    Mesos__V1__CommandInfo__URI *u = klocal_util_pb_new(&mesos__v1__command_info__uri__descriptor);
    u->value = klocal_util_xstrdup(value);
    u->has_executable = 1;
    u->executable = executable;
    if (out)
        u->output_file = klocal_util_xstrdup(out);
    return u;
}

/* Runs one fetch of uris into a fresh sandbox under dir; cancel: at once. */
static outcome run_fetch(const char *sandbox, Mesos__V1__CommandInfo__URI **uris, size_t n,
                         int cancel)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    mkdir(sandbox, 0755);
    outcome o = {0};
    klocal_fetch_params p = {.sandbox = sandbox, .container_id = "c-1", .cache_dir = "/x",
                             .user = "root", .uris = uris, .n_uris = n};
    klocal_fetch *f = klocal_fetch_start(&loop, &p, on_done, &o);
    CHECK_INT(o.called, 0); /* never called back synchronously */
    if (cancel)
        klocal_fetch_cancel(f);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
    for (size_t i = 0; i < n; i++)
        kmesos_pb_free(uris[i]);
    CHECK_INT(o.called, 1);
    return o;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return klocal_util_xstrdup("");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return klocal_util_xstrdup(buf);
}

static void test_fetch(void)
{
    char dir[] = "/tmp/test_local_fetch.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *cmd = klocal_util_xasprintf(
        "cd %s && mkdir -p src/bundle && echo data > src/bundle/d.txt && "
        "tar -C src -czf b.tar.gz bundle && echo hi > s.sh", dir);
    CHECK_INT(system(cmd), 0);
    free(cmd);

    char *sb = klocal_util_xasprintf("%s/ok", dir);
    char *tgz = klocal_util_xasprintf("file://%s/b.tar.gz", dir);
    char *sh = klocal_util_xasprintf("%s/s.sh", dir);
    Mesos__V1__CommandInfo__URI *ok[] = {uri(tgz, 0, NULL), uri(sh, 1, "bin/run.sh")};
    outcome o = run_fetch(sb, ok, 2, 0);
    CHECK_INT(o.r, KLOCAL_FETCH_OK);
    char *path = klocal_util_xasprintf("%s/bundle/d.txt", sb);
    CHECK(access(path, R_OK) == 0);
    free(path);
    path = klocal_util_xasprintf("%s/b.tar.gz", sb);
    CHECK(access(path, R_OK) == 0);
    free(path);
    path = klocal_util_xasprintf("%s/bin/run.sh", sb);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0755);
    free(path);
    path = klocal_util_xasprintf("%s/stderr", sb);
    char *log = slurp(path);
    CHECK(strstr(log, "fetcher.cpp:562] Fetcher Info: {") != NULL);
    CHECK(strstr(log, "Successfully fetched all URIs into") != NULL);
    free(log);
    free(path);
    free(sb);

    sb = klocal_util_xasprintf("%s/bad", dir);
    char *missing = klocal_util_xasprintf("file://%s/nope", dir);
    Mesos__V1__CommandInfo__URI *bad[] = {uri(missing, 0, NULL)};
    o = run_fetch(sb, bad, 1, 0);
    CHECK_INT(o.r, KLOCAL_FETCH_FAILED);
    CHECK(strcmp(o.message, "Failed to fetch all URIs for container 'c-1': exited with status 1") == 0);
    free(sb);

    sb = klocal_util_xasprintf("%s/inv", dir);
    Mesos__V1__CommandInfo__URI *inv[] = {uri("http://h:1", 0, NULL)};
    o = run_fetch(sb, inv, 1, 0);
    CHECK_INT(o.r, KLOCAL_FETCH_FAILED);
    CHECK(strcmp(o.message, "Could not fetch: Malformed URI (missing path): http://h:1") == 0);
    free(sb);

    sb = klocal_util_xasprintf("%s/cancel", dir);
    Mesos__V1__CommandInfo__URI *can[] = {uri(tgz, 0, NULL)};
    o = run_fetch(sb, can, 1, 1);
    CHECK_INT(o.r, KLOCAL_FETCH_CANCELLED);
    free(sb);

    free(tgz);
    free(sh);
    free(missing);
    cmd = klocal_util_xasprintf("rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    free(cmd);
}

int main(void)
{
    RUN_TEST(test_names);
    RUN_TEST(test_fetch);
    return testlib_finish();
}
