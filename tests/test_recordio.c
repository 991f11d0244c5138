/* Tests of the RecordIO decoder: records split at every possible point,
 * many records in one chunk, empty records, oversize and garbage lengths,
 * sticky errors and reset. */
#include <stdlib.h>

#include "codec/recordio.h"
#include "testlib.h"

typedef struct seen {
    kmesos_buf all; /* records joined with '|' */
    int count;
    int stop_after;
} seen;

static int on_record(void *arg, const uint8_t *rec, size_t len)
{
    seen *s = arg;
    kmesos_buf_append(&s->all, rec, len);
    kmesos_buf_append(&s->all, "|", 1);
    s->count++;
    return s->stop_after && s->count >= s->stop_after;
}

static const char stream[] = "5\nhello0\n11\nhello world3\n\n\nx";

static void test_whole_stream_in_one_chunk(void)
{
    kmesos_recordio r;
    seen s = {0};
    kmesos_recordio_init(&r, 1024);
    CHECK_INT(kmesos_recordio_feed(&r, stream, sizeof stream - 1, on_record, &s), 0);
    CHECK_INT(s.count, 4);
    CHECK_STR(kmesos_buf_cstr(&s.all), "hello||hello world|\n\nx|");
    CHECK(!kmesos_recordio_partial(&r));
    kmesos_buf_free(&s.all);
    kmesos_recordio_free(&r);
}

static void test_split_at_every_point(void)
{
    size_t n = sizeof stream - 1;
    for (size_t a = 0; a <= n; a++) {
        for (size_t b = a; b <= n; b++) {
            kmesos_recordio r;
            seen s = {0};
            kmesos_recordio_init(&r, 1024);
            CHECK_INT(kmesos_recordio_feed(&r, stream, a, on_record, &s), 0);
            CHECK_INT(kmesos_recordio_feed(&r, stream + a, b - a, on_record, &s), 0);
            CHECK_INT(kmesos_recordio_feed(&r, stream + b, n - b, on_record, &s), 0);
            CHECK_INT(s.count, 4);
            CHECK_STR(kmesos_buf_cstr(&s.all), "hello||hello world|\n\nx|");
            kmesos_buf_free(&s.all);
            kmesos_recordio_free(&r);
        }
    }
}

static void test_byte_by_byte_reports_partial(void)
{
    kmesos_recordio r;
    seen s = {0};
    kmesos_recordio_init(&r, 1024);
    const char *cut = "5\nhel";
    for (const char *p = cut; *p; p++)
        CHECK_INT(kmesos_recordio_feed(&r, p, 1, on_record, &s), 0);
    CHECK_INT(s.count, 0);
    CHECK(kmesos_recordio_partial(&r));
    kmesos_recordio_free(&r);
}

static void test_garbage_length_is_sticky_until_reset(void)
{
    kmesos_recordio r;
    seen s = {0};
    kmesos_recordio_init(&r, 1024);
    CHECK_INT(kmesos_recordio_feed(&r, "HTTP/1.1 200", 12, on_record, &s), KMESOS_RECORDIO_EBADLEN);
    CHECK_INT(kmesos_recordio_feed(&r, "2\nok", 4, on_record, &s), KMESOS_RECORDIO_EBADLEN);
    CHECK_INT(s.count, 0);
    kmesos_recordio_reset(&r);
    CHECK_INT(kmesos_recordio_feed(&r, "2\nok", 4, on_record, &s), 0);
    CHECK_INT(s.count, 1);
    CHECK_INT(kmesos_recordio_feed(&r, "-1\n", 3, on_record, &s), KMESOS_RECORDIO_EBADLEN);
    kmesos_recordio_reset(&r);
    CHECK_INT(kmesos_recordio_feed(&r, "\n", 1, on_record, &s), KMESOS_RECORDIO_EBADLEN);
    kmesos_recordio_reset(&r);
    CHECK_INT(kmesos_recordio_feed(&r, "1 \n", 3, on_record, &s), KMESOS_RECORDIO_EBADLEN);
    kmesos_buf_free(&s.all);
    kmesos_recordio_free(&r);
}

static void test_oversize_is_rejected_before_buffering(void)
{
    kmesos_recordio r;
    seen s = {0};
    kmesos_recordio_init(&r, 100);
    CHECK_INT(kmesos_recordio_feed(&r, "100\n", 4, on_record, &s), 0);
    kmesos_recordio_reset(&r);
    CHECK_INT(kmesos_recordio_feed(&r, "101\n", 4, on_record, &s), KMESOS_RECORDIO_EOVERSIZE);
    kmesos_recordio_reset(&r);
    /* digits without a newline: reported as soon as they pass the bound */
    CHECK_INT(kmesos_recordio_feed(&r, "99999999999999999999999999", 26, on_record, &s),
              KMESOS_RECORDIO_EOVERSIZE);
    CHECK(r.pending.cap < 1024);
    kmesos_buf_free(&s.all);
    kmesos_recordio_free(&r);
}

static void test_callback_can_stop(void)
{
    kmesos_recordio r;
    seen s = {.stop_after = 1};
    kmesos_recordio_init(&r, 1024);
    CHECK_INT(kmesos_recordio_feed(&r, stream, sizeof stream - 1, on_record, &s),
              KMESOS_RECORDIO_ECALLBACK);
    CHECK_INT(s.count, 1);
    kmesos_buf_free(&s.all);
    kmesos_recordio_free(&r);
}

static void test_encode_then_decode(void)
{
    kmesos_buf out;
    kmesos_buf_init(&out);
    CHECK_INT(kmesos_recordio_encode(&out, "\x08\x08", 2), 0);
    CHECK_INT(kmesos_recordio_encode(&out, "", 0), 0);
    CHECK_INT(out.len, 6);
    CHECK(memcmp(out.data, "2\n\x08\x08" "0\n", 6) == 0);
    kmesos_recordio r;
    seen s = {0};
    kmesos_recordio_init(&r, 0);
    CHECK_INT(kmesos_recordio_feed(&r, out.data, out.len, on_record, &s), 0);
    CHECK_INT(s.count, 2);
    CHECK_STR(kmesos_recordio_strerror(KMESOS_RECORDIO_EOVERSIZE),
              "record length exceeds the bound");
    kmesos_buf_free(&s.all);
    kmesos_buf_free(&out);
    kmesos_recordio_free(&r);
}

int main(void)
{
    RUN_TEST(test_whole_stream_in_one_chunk);
    RUN_TEST(test_split_at_every_point);
    RUN_TEST(test_byte_by_byte_reports_partial);
    RUN_TEST(test_garbage_length_is_sticky_until_reset);
    RUN_TEST(test_oversize_is_rejected_before_buffering);
    RUN_TEST(test_callback_can_stop);
    RUN_TEST(test_encode_then_decode);
    return testlib_finish();
}
