/* kafka: the Kafka cluster the scheduler keeps: its cluster id (created
 * once, kept in the state), its brokers (broker.h) and its KRaft
 * controller quorum, and the broker lifecycle (add, update, remove, start,
 * stop, rolling restart) on top of the scheduler's workloads. Each broker
 * is one workload "broker-<id>" of kind "broker" with one instance while
 * it is active; the workload is rebuilt from the broker's settings when
 * they change, so a change takes effect at the broker's next launch.
 *
 * Quorum (docs/kafka.md, "Controller quorum under the scheduler"): nodes
 * are combined broker+controller voters with a static voters list. At the
 * cluster's first start the voters are the lowest N active ids, N =
 * min(3, active brokers) (or --kafka-quorum); they launch only once offers
 * for all of them are in the book together, and each voter's host and
 * controller port are recorded then. A voter always comes back on that
 * host with that port (asked for by number); brokers beyond the quorum run
 * process.roles=broker with the recorded voters.
 *
 * Failover: a failed broker is relaunched after failover_delay, doubling
 * per consecutive failure up to failover_max_delay; after
 * failover_max_tries failures in a row it is deactivated with the reason.
 * Stickiness: for stickiness_period after a broker stopped running, the
 * host it ran on is its preferred host (task.prefer.hosts for delay.lua). */
#ifndef KMESOS_KAFKA_H
#define KMESOS_KAFKA_H
#include <stddef.h>

#include <jansson.h>

#include "sched/kafka/broker.h"
#include "sched/scheduler.h"

typedef enum kmesos_fetch_mode {
    KMESOS_FETCH_URI = 0,   /* CommandInfo URIs served by the scheduler */
    KMESOS_FETCH_LOCAL = 1, /* absolute paths on this machine, no URIs */
} kmesos_fetch_mode;

typedef struct kmesos_kafka_config {
    const char *executor;   /* path of kmesos-executor */
    const char *dist;       /* Kafka tarball (kafka-X.Y.Z.tgz) */
    kmesos_fetch_mode fetch;
    const char *files_url;  /* base URL of GET /files/<name> (uri mode) */
    const char *data_root;  /* default data dirs: <data_root>/broker-<id> */
    int quorum;             /* voters at the first start; 0: min(3, brokers) */
} kmesos_kafka_config;

typedef struct kmesos_voter {
    int id;
    char *host;
    int port;               /* controller port */
} kmesos_voter;

struct kmesos_client;

typedef struct kmesos_kafka {
    kmesos_scheduler *sched;
    char *executor, *dist, *dist_dir, *dist_name, *files_url, *data_root;
    kmesos_fetch_mode fetch;
    int quorum_size;
    char *cluster_id;
    kmesos_broker **brokers; /* sorted by id, each allocated */
    size_t n_brokers;
    kmesos_voter *voters;    /* empty until the quorum formed */
    size_t n_voters;
    int *restart;            /* rolling restart: broker ids and client keys
                              * (kafka_clients.h) still to do */
    size_t n_restart;
    int restart_current;     /* id being restarted, -1: none */
    int restart_seen_down;   /* its old task has ended */
    int restart_step_due;    /* an update asked to move the restart on */
    struct kmesos_client **clients; /* producers and consumers (kafka_clients.h) */
    size_t n_clients;
} kmesos_kafka;

/* Copies the configuration and creates a cluster id (replaced by the
 * saved one when the state is loaded). Sets the scheduler's ext hooks and
 * kafka pointer. 0, or -1 with err. */
int kmesos_kafka_init(kmesos_kafka *k, kmesos_scheduler *s, const kmesos_kafka_config *cfg,
                      char *err, size_t errlen);
void kmesos_kafka_free(kmesos_kafka *k);
/* A fresh cluster id: 16 random bytes in unpadded base64url (22 chars).
 * 0 or -1. */
int kmesos_kafka_new_cluster_id(char out[23]);

kmesos_broker *kmesos_kafka_broker(const kmesos_kafka *k, int id);
/* The ids of every broker (free it). */
int *kmesos_kafka_ids(const kmesos_kafka *k, size_t *n);

/* Parameters of add/update: names and values side by side. */
typedef struct kmesos_kafka_params {
    const char *const *names;
    const char *const *values;
    size_t n;
} kmesos_kafka_params;

/* Lifecycle. Each checks everything first and changes nothing on error:
 * -1 with a message and the name of the bad field in *field. */
int kmesos_kafka_add(kmesos_kafka *k, const int *ids, size_t n, const kmesos_kafka_params *p,
                     const char **field, char *err, size_t errlen);
int kmesos_kafka_update(kmesos_kafka *k, const int *ids, size_t n, const kmesos_kafka_params *p,
                        const char **field, char *err, size_t errlen);
int kmesos_kafka_remove(kmesos_kafka *k, const int *ids, size_t n, const char **field, char *err,
                        size_t errlen);
int kmesos_kafka_start(kmesos_kafka *k, const int *ids, size_t n, char *err, size_t errlen);
int kmesos_kafka_stop(kmesos_kafka *k, const int *ids, size_t n, char *err, size_t errlen);
/* Rolling restart of the running brokers among ids, one at a time: the
 * next is killed once the previous is TASK_RUNNING again. Writes the
 * queued ids (those running) to out/n_out (free it). */
int kmesos_kafka_restart(kmesos_kafka *k, const int *ids, size_t n, int **out, size_t *n_out,
                         char *err, size_t errlen);
/* Moves the rolling restart on (the current one back: the next is
 * killed). The queue is shared with producers and consumers
 * (kmesos_kafka_clients_restart): one task at a time over all of them. */
void kmesos_kafka_restart_step(kmesos_kafka *k);
/* Periodic: rolling restart progress, end of stickiness periods. */
void kmesos_kafka_tick(kmesos_kafka *k);

/* The broker's current task slot, or NULL. */
kmesos_task *kmesos_kafka_task(const kmesos_kafka *k, const kmesos_broker *b);
/* 1 when b is a recorded voter (quorum formed). */
const kmesos_voter *kmesos_kafka_voter(const kmesos_kafka *k, int id);
/* The voters list "id@host:port,..." (malloc'd; "" before formation). */
char *kmesos_kafka_voters_text(const kmesos_kafka *k);
/* The broker's data dirs (its data_dir or <data_root>/broker-<id>). */
void kmesos_kafka_data_dir(const kmesos_kafka *k, const kmesos_broker *b, char *out, size_t len);

/* API views (new references). */
json_t *kmesos_kafka_broker_json(const kmesos_kafka *k, const kmesos_broker *b);
/* Comma list of host:port of running brokers (malloc'd). */
char *kmesos_kafka_bootstrap(const kmesos_kafka *k);

/* The "kafka" section of the state document (kmesos_state_section
 * hooks, arg = the kmesos_kafka): {"cluster_id", "quorum_size",
 * "voters", "brokers", "clients"}. */
json_t *kmesos_kafka_state_save(void *arg);
/* Loads a saved section (replaces the brokers and the cluster id) and
 * registers the brokers' and clients' workloads. 0, or -1 with err. */
int kmesos_kafka_state_load(void *arg, json_t *j, char *err, size_t errlen);

/* Placement hooks (kafka_launch.c builds the TaskInfo). */
void kmesos_kafka_gate(void *arg, const kmesos_task *t, const kmesos_offer *o,
                       const kmesos_port_cursor *pc, kmesos_verdict *v);
Mesos__V1__TaskInfo *kmesos_kafka_task_info(void *arg, const kmesos_task *t,
                                            const kmesos_offer *o, kmesos_port_cursor *pc);
/* Scheduler hook: "host:client port" of a broker's task (0 for clients
 * and brokers never launched). */
int kmesos_kafka_endpoint(void *arg, const kmesos_task *t, char *buf, size_t n);
/* An ExecutorInfo that runs kmesos-executor for task t (the executor and
 * the Kafka tarball as URIs in uri mode), named name, with an empty
 * environment; *script_path: how the task calls bin/<script> of the
 * Kafka folder (shell-quoted in local mode; free it). NULL on no memory. */
Mesos__V1__ExecutorInfo *kmesos_kafka_executor(const kmesos_kafka *k, const kmesos_task *t,
                                               const char *name, const char *script,
                                               char **script_path);
/* Adds a variable to the executor's environment. 0 or -1. */
int kmesos_kafka_env(Mesos__V1__ExecutorInfo *e, const char *name, const char *value);
void kmesos_kafka_on_update(void *arg, kmesos_task *t, int state, const char *message,
                            kmesos_update_result r);

/* Tells the scheduler the persisted state changed (brokers or clients). */
void kmesos_kafka_changed(kmesos_kafka *k);

#endif
