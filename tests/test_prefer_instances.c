/* Tests of per-instance preferred hosts (prefer_hosts_by_instance): the
 * spec parses into one list per instance (';' groups, empty groups kept
 * as "none"), every list is freed with the workload, and the policy view
 * gives each task its instance's list as task.prefer.hosts, falling back
 * to the workload's prefer_hosts. The view is checked end to end: a
 * policy that answers "wait" with the hosts it sees, behind the scheduler
 * core on a fake io. */
#include <stdlib.h>
#include <unistd.h>

#include "codec/pb.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"
#include "fake_io.h"
#include "testlib.h"

static void test_parse_groups(void)
{
    kmesos_workload w;
    char err[256];
    CHECK_INT(kmesos_workload_parse("name=j cmd=true instances=4 prefer_hosts=d1 "
                                    "prefer_hosts_by_instance=\"h1,h2;h3;;h4,h5\"",
                                    &w, err, sizeof err), 0);
    CHECK_INT(w.n_instances_with_hosts, 4);
    CHECK_INT(w.n_instance_hosts[0], 2);
    CHECK_STR(w.instance_hosts[0][1], "h2");
    CHECK_INT(w.n_instance_hosts[1], 1);
    CHECK_INT(w.n_instance_hosts[2], 0);
    CHECK_STR(w.instance_hosts[3][0], "h4");
    size_t n = 0;
    char *const *hosts = kmesos_workload_hosts_of(&w, 1, &n);
    CHECK(n == 1 && strcmp(hosts[0], "h3") == 0);
    hosts = kmesos_workload_hosts_of(&w, 2, &n); /* empty group: the workload's */
    CHECK(n == 1 && strcmp(hosts[0], "d1") == 0);
    hosts = kmesos_workload_hosts_of(&w, 9, &n); /* beyond the groups */
    CHECK(n == 1 && strcmp(hosts[0], "d1") == 0);
    kmesos_workload_free(&w);
    CHECK_INT(w.n_instances_with_hosts, 0);
}

static void test_api_and_bad_value(void)
{
    kmesos_workload w;
    char err[256], big[400];
    CHECK_INT(kmesos_workload_parse("name=j cmd=true", &w, err, sizeof err), 0);
    CHECK_INT(kmesos_workload_add_instance_host(&w, 2, "x"), 0);
    CHECK_INT(w.n_instances_with_hosts, 3);
    CHECK_INT(w.n_instance_hosts[0], 0);
    CHECK_STR(w.instance_hosts[2][0], "x");
    kmesos_workload_free(&w);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char spec[600];
    snprintf(spec, sizeof spec, "name=j cmd=true prefer_hosts_by_instance=%s", big);
    CHECK_INT(kmesos_workload_parse(spec, &w, err, sizeof err), -1);
    CHECK(strstr(err, "prefer_hosts_by_instance") != NULL);
}

/* One OFFERS event with one offer on host h0 (rack r0). */
static void feed_offer(kmesos_scheduler *s)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, "o-1");
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, "a-h0");
    o->hostname = strdup("h0");
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("cpus", 8, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("mem", 4096, "*"));
    kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers, o);
    kmesos_scheduler_on_event(s, ev);
    kmesos_pb_free(ev);
}

static void test_view_sees_instance_hosts(void)
{
    char dir[] = "/tmp/kmesos-prefer-test-XXXXXX", path[128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/show.lua", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("return { evaluate = function(o, t)\n"
          "  local h = t.prefer and t.prefer.hosts or {}\n"
          "  return 'wait', t.instance .. ':' .. table.concat(h, ',')\n"
          "end }\n", f);
    fclose(f);
    const char *files[] = {path};
    kmesos_policy_config pc = {files, 1, NULL, 0, 0, NULL};
    char err[512];
    kmesos_policy *p = kmesos_policy_new(&pc, err, sizeof err);
    CHECK(p != NULL);
    fake_io io = {.now_ms = 1000, .epoch_s = 1.7e9};
    kmesos_workload *w = calloc(1, sizeof *w);
    CHECK_INT(kmesos_workload_parse("name=j cmd=true cpus=1 instances=3 prefer_hosts=d1 "
                                    "prefer_hosts_by_instance=\"h1,h2;;h3\"", w, err, sizeof err), 0);
    kmesos_scheduler s;
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io sio = fake_io_make(&io);
    kmesos_scheduler_init(&s, &cfg, &sio, w, 1);
    CHECK_INT(kmesos_scheduler_fill_slots(&s), 0);
    if (p) {
        kmesos_decider_init(&s.decider, kmesos_policy_evaluate, p);
        kmesos_policy_attach(p, &s.offers, &s.tasks);
    }
    kmesos_scheduler_on_subscribed(&s, "fw-1");
    feed_offer(&s);
    const char *want[] = {"0:h1,h2", "1:d1", "2:h3"};
    for (int k = 0; k < 3; k++) {
        kmesos_task *t = kmesos_scheduler_slot(&s, s.workloads[0], k);
        CHECK(t && t->wait_reason);
        if (t && t->wait_reason)
            CHECK_STR(t->wait_reason, want[k]);
    }
    kmesos_scheduler_release_offers(&s);
    fake_io_reset(&io);
    kmesos_scheduler_free(&s);
    kmesos_policy_free(p);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    RUN_TEST(test_parse_groups);
    RUN_TEST(test_api_and_bad_value);
    RUN_TEST(test_view_sees_instance_hosts);
    return testlib_finish();
}
