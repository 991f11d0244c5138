/* kafka_world: a scheduler with the Kafka module on a fake io (fake_io.h),
 * for the broker and client unit tests: set up and torn down the same
 * way, fed OFFERS and UPDATE events built here, with the launched
 * TaskInfos looked up in the captured ACCEPTs. */
#ifndef KMESOS_TESTS_KAFKA_WORLD_H
#define KMESOS_TESTS_KAFKA_WORLD_H
#include <stddef.h>
#include <stdint.h>

#include "fake_io.h"
#include "sched/kafka/kafka.h"
#include "sched/scheduler.h"
#include "sched/state/state.h"

typedef struct kafka_world {
    fake_io f;
    kmesos_scheduler s;
    kmesos_kafka k;
} kafka_world;

/* Subscribed as fw-1, clock at 1000 s, no call recorded yet; the Kafka
 * module fetches from http://sched:7000 (mode), data under /data. */
void kafka_world_setup(kafka_world *w, kmesos_fetch_mode mode);
void kafka_world_teardown(kafka_world *w);
/* An offer on agent "agent-<host>" with cpus, mem and ports [lo-hi]. */
Mesos__V1__Offer *kafka_world_offer(const char *id, const char *host, double cpus, double mem,
                                    uint64_t lo, uint64_t hi);
/* One OFFERS event: ids[i] on hosts[i], each with cpus, mem and ports
 * 31000-31009. */
void kafka_world_feed_offers(kafka_world *w, const char *const *ids, const char *const *hosts,
                             size_t n, double cpus, double mem);
/* One UPDATE event (message "exited with status 1" for TASK_FAILED). */
void kafka_world_feed_update(kafka_world *w, const char *task_id, const char *agent, int state);
/* The TaskInfo whose task id starts with prefix in the captured ACCEPTs. */
Mesos__V1__TaskInfo *kafka_world_launched(const kafka_world *w, const char *prefix);
/* The state document of the world: its scheduler and the "kafka"
 * section, as main.c wires them. */
void kafka_world_doc(kafka_world *w, kmesos_state_doc *d);
/* A variable of the TaskInfo's executor environment, or NULL. */
const char *kafka_world_env(const Mesos__V1__TaskInfo *ti, const char *name);

/* Runs a broker API command with "a=1&b=2" parameters; body may be
 * NULL (api_drop drops it). The HTTP status. */
unsigned kafka_world_api(kafka_world *w, const char *method, const char *cmd, const char *form,
                         json_t **body);
unsigned kafka_world_api_drop(kafka_world *w, const char *method, const char *cmd,
                              const char *form);
/* The slot of broker id, or NULL. */
kmesos_task *kafka_world_broker_task(kafka_world *w, int id);
/* The TaskInfo launched for broker id in the captured ACCEPTs. */
Mesos__V1__TaskInfo *kafka_world_broker_launched(const kafka_world *w, int id);
/* "h1", "h2", "h3". */
extern const char *const KAFKA_WORLD_HOSTS[3];
/* Adds brokers 0..n-1 (cpus 0.5, mem 1024, heap 256, then extra, e.g.
 * "&failover_delay=1s"), starts them and forms the quorum on offers
 * (2 cpus, 4096 MB) from h1..hn. */
void kafka_world_run_brokers(kafka_world *w, int n, const char *extra);

#endif
