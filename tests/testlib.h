/* testlib: the smallest harness that does the job. CHECK records a
 * failure with file and line and goes on; RUN_TEST runs one function;
 * testlib_finish prints "N passed, N failed" and returns the exit code. */
#ifndef KMESOS_TESTLIB_H
#define KMESOS_TESTLIB_H
#include <stdio.h>
#include <string.h>

typedef struct testlib_ctx {
    int passed;
    int failed;
    int current_failed;
} testlib_ctx;

extern testlib_ctx testlib;

void testlib_fail(const char *file, int line, const char *what);

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond))                                                       \
            testlib_fail(__FILE__, __LINE__, #cond);                       \
    } while (0)
#define CHECK_INT(a, b)                                                    \
    do {                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                \
        if (a_ != b_) {                                                    \
            char m_[256];                                                  \
            snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
            testlib_fail(__FILE__, __LINE__, m_);                          \
        }                                                                  \
    } while (0)
#define CHECK_STR(a, b)                                                    \
    do {                                                                   \
        const char *a_ = (a), *b_ = (b);                                   \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                           \
            char m_[512];                                                  \
            snprintf(m_, sizeof m_, "%.120s == %.120s (\"%.120s\" != \"%.120s\")", \
                     #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");      \
            testlib_fail(__FILE__, __LINE__, m_);                          \
        }                                                                  \
    } while (0)

void testlib_run(const char *name, void (*fn)(void));
#define RUN_TEST(fn) testlib_run(#fn, fn)
int testlib_finish(void);
/* Reads a whole file (NUL-terminated); caller frees. NULL when missing. */
unsigned char *testlib_read_file(const char *path, size_t *len);
/* The file as a string (owned; "" when it cannot be read). */
char *testlib_slurp(const char *path);
/* Writes text to dir/name; returns the path (one of 8 rotating buffers). */
const char *testlib_write_file(const char *dir, const char *name, const char *text);

/* A shell command's exit code and what it printed (both owned). */
typedef struct testlib_out {
    int code;
    char *out, *err;
} testlib_out;
/* Runs cmd with stdout and stderr captured through files in dir. */
testlib_out testlib_run_cmd(const char *dir, const char *cmd);
void testlib_out_free(testlib_out *r);
/* Sends stderr (the log) to a temporary file until testlib_stderr_end,
 * which puts it back and returns what was written (owned). */
void testlib_stderr_begin(void);
char *testlib_stderr_end(void);

#endif
