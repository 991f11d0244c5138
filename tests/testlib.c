/* testlib: the harness of testlib.h: counters, files, and shell commands
 * whose output is captured through files in a test's scratch folder. */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

testlib_ctx testlib;

void testlib_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, what);
    testlib.current_failed++;
}

void testlib_run(const char *name, void (*fn)(void))
{
    testlib.current_failed = 0;
    fn();
    if (testlib.current_failed) {
        testlib.failed++;
        fprintf(stderr, "not ok %s\n", name);
    } else {
        testlib.passed++;
        fprintf(stderr, "ok %s\n", name);
    }
}

int testlib_finish(void)
{
    printf("%d passed, %d failed\n", testlib.passed, testlib.failed);
    return testlib.failed ? 1 : 0;
}

unsigned char *testlib_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p)
        p[n] = 0;
    fclose(f);
    if (len)
        *len = (size_t)n;
    return p;
}

const char *testlib_write_file(const char *dir, const char *name, const char *text)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, 512, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

char *testlib_slurp(const char *path)
{
    char *s = (char *)testlib_read_file(path, NULL);
    return s ? s : strdup("");
}

testlib_out testlib_run_cmd(const char *dir, const char *cmd)
{
    char full[4096], o[600], e[600];
    snprintf(o, sizeof o, "%s/stdout", dir);
    snprintf(e, sizeof e, "%s/stderr", dir);
    snprintf(full, sizeof full, "%s >'%s' 2>'%s'", cmd, o, e);
    int status = system(full);
    testlib_out r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, testlib_slurp(o),
                     testlib_slurp(e)};
    return r;
}

void testlib_out_free(testlib_out *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

static int stderr_saved = -1;
static FILE *stderr_file;

void testlib_stderr_begin(void)
{
    fflush(stderr);
    stderr_file = tmpfile();
    stderr_saved = stderr_file ? dup(2) : -1;
    if (stderr_saved >= 0)
        dup2(fileno(stderr_file), 2);
}

char *testlib_stderr_end(void)
{
    if (stderr_saved < 0)
        return strdup("");
    fflush(stderr);
    dup2(stderr_saved, 2);
    close(stderr_saved);
    stderr_saved = -1;
    long len = fseek(stderr_file, 0, SEEK_END) == 0 ? ftell(stderr_file) : -1;
    char *text = calloc(len > 0 ? (size_t)len + 1 : 1, 1);
    if (text && len > 0) {
        rewind(stderr_file);
        size_t got = fread(text, 1, (size_t)len, stderr_file);
        text[got] = '\0';
    }
    fclose(stderr_file);
    stderr_file = NULL;
    return text;
}
