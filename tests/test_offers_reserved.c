/* test_offers_reserved: the scheduler's offer book leaves dynamically
 * reserved resources out (a RESERVE's `reservations`, or the
 * pre-refinement `reservation`) and keeps unreserved and statically
 * reserved ones, so that a task built from the book never asks for
 * unreserved resources the offer holds only as a reservation. */
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "mesos/v1/mesos.pb-c.h"
#include "sched/offers.h"
#include "testlib.h"

static Mesos__V1__Resource *dynamic(const char *name, double v, int refined)
{
    Mesos__V1__Resource *r = kmesos_pb_scalar(name, v, refined ? NULL : "kafka");
    Mesos__V1__Resource__ReservationInfo *ri =
        kmesos_pb_new(&mesos__v1__resource__reservation_info__descriptor);
    ri->principal = strdup("kp");
    if (!refined) {
        r->reservation = ri; /* pre-refinement: role + reservation */
        return r;
    }
    ri->has_type = 1;
    ri->type = MESOS__V1__RESOURCE__RESERVATION_INFO__TYPE__DYNAMIC;
    ri->role = strdup("kafka");
    kmesos_pb_push((void ***)&r->reservations, &r->n_reservations, ri);
    return r;
}

static void test_dynamic_reservations_left_out(void)
{
    Mesos__V1__Offer *pb = kmesos_pb_new(&mesos__v1__offer__descriptor);
    pb->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, "o1");
    pb->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw");
    pb->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, "a1");
    pb->hostname = strdup("h1");
    Mesos__V1__Resource *list[] = {
        kmesos_pb_scalar("cpus", 2, "*"), dynamic("cpus", 1, 1),
        kmesos_pb_scalar("mem", 1024, "*"), dynamic("mem", 128, 0),
        kmesos_pb_scalar("disk", 300, "kafka"), /* static: role, no reservation */
        dynamic("disk", 512, 1)};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        kmesos_pb_push((void ***)&pb->resources, &pb->n_resources, list[i]);
    kmesos_offers book;
    kmesos_offers_init(&book);
    kmesos_offer *o = kmesos_offers_add(&book, pb, 0);
    CHECK(o != NULL);
    CHECK(o->cpus == 2.0);
    CHECK(o->mem == 1024.0);
    CHECK(o->disk == 300.0);
    CHECK_STR(o->role, "*");
    kmesos_offers_free(&book);
    kmesos_pb_free(pb);
}

int main(void)
{
    RUN_TEST(test_dynamic_reservations_left_out);
    return testlib_finish();
}
