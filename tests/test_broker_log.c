/* Unit tests of broker_log's tail: the last N complete lines of a window
 * of a file, dropping the first (cut) line unless the window starts at
 * the file's beginning. The HTTP walk is covered by tests/e2e/kafka_local.sh. */
#include <jansson.h>
#include <string.h>

#include "sched/api/broker_log.h"
#include "testlib.h"

/* The tail of data as "a|b|c". */
static const char *tail(const char *data, int from_start, long n)
{
    static char out[256];
    json_t *a = kmesos_broker_log_tail(data, strlen(data), from_start, n);
    out[0] = '\0';
    size_t i;
    json_t *s;
    json_array_foreach(a, i, s) {
        if (i)
            strcat(out, "|");
        strcat(out, json_string_value(s));
    }
    json_decref(a);
    return out;
}

static void test_tail_lines(void)
{
    CHECK_STR(tail("a\nb\nc\n", 1, 2), "b|c");
    CHECK_STR(tail("a\nb\nc", 1, 2), "b|c");
    CHECK_STR(tail("a\nb\nc\n", 1, 10), "a|b|c");
    CHECK_STR(tail("a\nb\nc\n", 1, 1), "c");
    CHECK_STR(tail("", 1, 5), "");
    CHECK_STR(tail("\n\nx\n", 1, 3), "||x");
    CHECK_STR(tail("a\n\nb\n", 1, 2), "|b");
}

static void test_tail_drops_the_cut_line(void)
{
    CHECK_STR(tail("ut line\nb\nc\n", 0, 10), "b|c");
    CHECK_STR(tail("no newline at all", 0, 3), "");
    CHECK_STR(tail("no newline at all", 1, 3), "no newline at all");
}

int main(void)
{
    RUN_TEST(test_tail_lines);
    RUN_TEST(test_tail_drops_the_cut_line);
    return testlib_finish();
}
