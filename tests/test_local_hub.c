/* test_local_hub: the agents' launch queue of kmesos-local (agent/hub.c):
 * a queued job never runs inside the call that queues it (so a launch,
 * and the ACCEPT that made it, returns before any process starts), jobs
 * run in order from the loop, a job taken out of the queue never runs,
 * a job queued twice runs once, and stopping the hub drops what waits.
 * And the scale flags of kmesos-local: up to 10,000 agents, the shared
 * listener's flags and --max-queued-launches, with clear refusals. */
#include <string.h>
#include <uv.h>

#include "local/agent/hub.h"
#include "local/config.h"
#include "testlib.h"

typedef struct {
    int order[8];
    int n;
} hub_log;

typedef struct {
    hub_log *log;
    int id;
} hub_item;

static void hub_run(void *arg)
{
    hub_item *it = arg;
    it->log->order[it->log->n++] = it->id;
}

static void test_queue(void)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    klocal_hub *h = klocal_hub_new(&loop, "127.0.0.1", 0);
    hub_log log = {{0}, 0};
    hub_item items[4];
    klocal_hub_job jobs[4];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 4; i++) {
        items[i] = (hub_item){&log, i + 1};
        jobs[i].run = hub_run;
        jobs[i].arg = &items[i];
        klocal_hub_enqueue(h, &jobs[i]);
    }
    klocal_hub_enqueue(h, &jobs[0]); /* already queued: once */
    CHECK_INT(log.n, 0);             /* nothing runs inside the call */
    CHECK_INT((int)klocal_hub_queued(h), 4);
    klocal_hub_dequeue(h, &jobs[2]);
    CHECK_INT((int)klocal_hub_queued(h), 3);
    uv_run(&loop, UV_RUN_NOWAIT);
    CHECK_INT(log.n, 3);
    CHECK_INT(log.order[0], 1);
    CHECK_INT(log.order[1], 2);
    CHECK_INT(log.order[2], 4);
    CHECK_INT((int)klocal_hub_started(h), 3);
    CHECK_INT((int)klocal_hub_queued(h), 0);
    CHECK_INT(klocal_hub_port(h), 0); /* no shared agent: no listener */
    klocal_hub_enqueue(h, &jobs[2]);
    klocal_hub_stop(h); /* drops it */
    CHECK_INT(jobs[2].queued, 0);
    klocal_hub_enqueue(h, &jobs[1]); /* stopped: refused */
    CHECK_INT(jobs[1].queued, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(log.n, 3);
    klocal_hub_free(h);
    CHECK_INT(uv_loop_close(&loop), 0);
}

static int parse(char **argv, int argc, klocal_config *c, char *err, size_t errlen)
{
    return klocal_config_parse(c, argc, argv, err, errlen);
}

static void test_scale_flags(void)
{
    klocal_config c;
    char err[256];
    char *ok[] = {"kmesos-local", "--agents", "10000", "--agent-listeners", "10",
                  "--shared-agent-port", "5051", "--max-queued-launches", "50", NULL};
    CHECK_INT(parse(ok, 9, &c, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK_INT((int)c.agents, 10000);
    CHECK_INT((int)c.agent_listeners, 10);
    CHECK_INT(c.shared_agent_port, 5051);
    CHECK_INT((int)c.max_queued_launches, 50);
    klocal_config_free(&c);
    char *defaults[] = {"kmesos-local", NULL};
    CHECK_INT(parse(defaults, 1, &c, err, sizeof err), KLOCAL_CONFIG_OK);
    CHECK_INT((int)c.agent_listeners, 100);
    CHECK_INT((int)c.max_queued_launches, 20000);
    klocal_config_free(&c);
    struct {
        const char *flag, *value, *says;
    } bad[] = {
        {"--agents", "10001", "expected a count 0..10000"},
        {"--agent-listeners", "10001", "--agent-listeners: expected a count 0..10000"},
        {"--shared-agent-port", "65536", "--shared-agent-port: bad port"},
        {"--max-queued-launches", "0", "--max-queued-launches: expected a count 1..1000000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {"kmesos-local", (char *)bad[i].flag, (char *)bad[i].value, NULL};
        CHECK_INT(parse(argv, 3, &c, err, sizeof err), KLOCAL_CONFIG_ERROR);
        CHECK(strstr(err, bad[i].says) != NULL);
        klocal_config_free(&c);
    }
}

int main(void)
{
    RUN_TEST(test_queue);
    RUN_TEST(test_scale_flags);
    return testlib_finish();
}
