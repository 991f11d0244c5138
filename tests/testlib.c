/* testlib: see testlib.h. */
#include "testlib.h"

#include <stdlib.h>

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
