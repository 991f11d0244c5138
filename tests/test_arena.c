/* Tests of codec/arena and decoding into it: allocations are aligned and
 * do not overlap across blocks, a large one gets its own block, reset
 * empties the arena and its blocks are reused, and an event decoded into
 * it reads the same as one decoded on the heap (a bad body still fails). */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#include "codec/arena.h"
#include "codec/pb.h"
#include "codec/protocol.h"
#include "testlib.h"

static void test_allocations_are_aligned_and_distinct(void)
{
    kmesos_arena a;
    kmesos_arena_init(&a);
    unsigned char *prev = NULL;
    size_t bad_align = 0, overlap = 0;
    for (size_t i = 0; i < 20000; i++) { /* some 1.3 MB: several blocks */
        size_t n = 1 + i % 61;
        unsigned char *p = kmesos_arena_alloc(&a, n);
        CHECK(p != NULL);
        if (!p)
            break;
        bad_align += (uintptr_t)p % alignof(max_align_t) != 0;
        memset(p, (int)(i & 0xff), n);
        if (prev && prev[0] != (unsigned char)((i - 1) & 0xff))
            overlap++;
        prev = p;
    }
    CHECK_INT(bad_align, 0);
    CHECK_INT(overlap, 0);
    unsigned char *big = kmesos_arena_alloc(&a, 3 * 1024 * 1024);
    CHECK(big != NULL);
    if (big)
        memset(big, 1, 3 * 1024 * 1024);
    unsigned char *after = kmesos_arena_alloc(&a, 16);
    CHECK(after != NULL && (after < big || after >= big + 3 * 1024 * 1024));
    CHECK(kmesos_arena_alloc(&a, SIZE_MAX - 4) == NULL);
    kmesos_arena_reset(&a);
    CHECK(a.head == NULL && a.spare != NULL); /* emptied, blocks kept */
    unsigned char *again = kmesos_arena_alloc(&a, 8);
    CHECK(again != NULL);
    kmesos_arena_free(&a);
    CHECK(a.head == NULL && a.spare == NULL);
}

static void test_event_decoded_into_the_arena(void)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__RESCIND;
    ev->rescind = kmesos_pb_new(&mesos__v1__scheduler__event__rescind__descriptor);
    ev->rescind->offer_id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, "offer-42");
    kmesos_buf b;
    kmesos_buf_init(&b);
    CHECK_INT(kmesos_protocol_encode(&ev->base, KMESOS_CT_PROTOBUF, &b), 0);
    kmesos_pb_free(ev);
    kmesos_arena a;
    kmesos_arena_init(&a);
    int in_arena = -1;
    char err[200];
    for (int round = 0; round < 3; round++) {
        Mesos__V1__Scheduler__Event *got = (Mesos__V1__Scheduler__Event *)kmesos_protocol_decode_in(
            &mesos__v1__scheduler__event__descriptor, KMESOS_CT_PROTOBUF, b.data, b.len, &a,
            &in_arena, err, sizeof err);
        CHECK(got != NULL);
        CHECK_INT(in_arena, 1);
        if (got && got->rescind)
            CHECK_STR(got->rescind->offer_id->value, "offer-42");
        kmesos_arena_reset(&a);
    }
    /* a truncated body is refused with a reason, nothing left behind */
    CHECK(kmesos_protocol_decode_in(&mesos__v1__scheduler__event__descriptor, KMESOS_CT_PROTOBUF,
                                    b.data, b.len - 3, &a, &in_arena, err, sizeof err) == NULL);
    CHECK(strstr(err, "invalid protobuf") != NULL);
    kmesos_arena_reset(&a);
    /* JSON goes to the heap */
    const char *json = "{\"type\":\"HEARTBEAT\"}";
    ProtobufCMessage *m = kmesos_protocol_decode_in(&mesos__v1__scheduler__event__descriptor,
                                                    KMESOS_CT_JSON, (const uint8_t *)json,
                                                    strlen(json), &a, &in_arena, err, sizeof err);
    CHECK(m != NULL);
    CHECK_INT(in_arena, 0);
    protobuf_c_message_free_unpacked(m, NULL);
    kmesos_arena_free(&a);
    kmesos_buf_free(&b);
}

int main(void)
{
    RUN_TEST(test_allocations_are_aligned_and_distinct);
    RUN_TEST(test_event_decoded_into_the_arena);
    return testlib_finish();
}
