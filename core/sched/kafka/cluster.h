/* cluster: the Kafka cluster the scheduler keeps (kmesos_kafka): where
 * the executor and the Kafka distribution come from, the cluster id
 * (created once, kept in the state), the nodes (brokers and clients,
 * node.h), the KRaft controller quorum's voters, and the rolling restart
 * queue. The other kafka/ modules work on this object: lifecycle.h (add,
 * update, remove, start, stop; each node's workload), quorum.h (forming
 * the quorum, where a broker may go), launch.h (TaskInfos), hooks.h (the
 * scheduler's hooks, the restart queue's driver), persist.h (the state
 * section) and view.h (the API's JSON).
 *
 * Quorum (docs/kafka.md, "Controller quorum under the scheduler"): nodes
 * are combined broker+controller voters with a static voters list. At the
 * cluster's first start the voters are the lowest N active ids, N =
 * min(3, active brokers) (or --kafka-quorum); they launch only once offers
 * for all of them are in the book together, each on its own agent (several
 * agents may share a host), and each voter's agent, host and controller
 * port are recorded then. A voter always comes back on that agent with
 * that port (asked for by number), or on its host once that agent is gone
 * (an agent restarted with a new id on the same machine, where the data
 * dir is); brokers beyond the quorum run process.roles=broker with the
 * recorded voters.
 *
 * Failover: a failed node is relaunched after failover_delay, doubling
 * per consecutive failure up to failover_max_delay; after
 * failover_max_tries failures in a row it is deactivated with the reason.
 * Stickiness: for stickiness_period after a broker stopped running, the
 * agent it ran on is its preferred agent (task.prefer.agents for
 * delay.lua), or its host once that agent is gone (the same rule as a
 * voter's); when its agent is reported gone (TASK_GONE...), there is no
 * stickiness any more: its data went with the agent. */
#ifndef KMESOS_KAFKA_CLUSTER_H
#define KMESOS_KAFKA_CLUSTER_H
#include <stddef.h>
#include <stdint.h>

#include "sched/kafka/broker.h"
#include "sched/kafka/client.h"
#include "sched/scheduler.h"

/* What each node's kmesos-executor declares as its ExecutorInfo.resources
 * (Mesos will require them), on top of the node's cpus and mem. */
#define KMESOS_KAFKA_EXEC_CPUS 0.1
#define KMESOS_KAFKA_EXEC_MEM 32.0

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
    double voter_move_after_s; /* a voter with its agent gone moves after; 0: never */
    const char *role;       /* --framework-role ("*" or NULL: none) */
    const char *principal;  /* --principal, or NULL */
} kmesos_kafka_config;

typedef struct kmesos_voter {
    int id;
    char *host;
    char *agent_id;         /* its agent; NULL: not recorded (older state) */
    int port;               /* controller port */
    char *dir_id;           /* its first metadata directory id (dynamic quorum,
                             * KIP-853); NULL: a static voters list */
    int ran;                /* it has run: a later format joins the quorum
                             * (--no-initial-controllers), never bootstraps it */
} kmesos_voter;

typedef struct kmesos_kafka {
    kmesos_scheduler *sched;
    char *executor, *dist, *dist_dir, *dist_name, *files_url, *data_root;
    kmesos_fetch_mode fetch;
    int quorum_size;
    uint64_t voter_move_after_ms; /* 0: voters never move */
    char *cluster_id;
    kmesos_kafka_node **nodes; /* sorted by kind (producers, consumers,
                                * brokers), then id; each allocated */
    size_t n_nodes;
    kmesos_voter *voters;    /* empty until the quorum formed */
    size_t n_voters;
    int *restart;            /* rolling restart: keys (node.h) still to do */
    size_t n_restart;
    int restart_current;     /* key being restarted, -1: none */
    int restart_seen_down;   /* its old task has ended */
    int restart_step_due;    /* an update asked to move the restart on */
    char *role, *principal;  /* reservations (reserve.h): "*" and "" when none */
    kmesos_kvol *purge;      /* volumes of removed brokers to destroy and unreserve */
    size_t n_purge;
    unsigned op_seq;         /* offer operation ids */
} kmesos_kafka;

/* Copies the configuration and creates a cluster id (replaced by the
 * saved one when the state is loaded). The scheduler reaches the cluster
 * once kmesos_kafka_attach (hooks.h) set its ext hooks. 0, or -1 with
 * err. */
int kmesos_kafka_init(kmesos_kafka *k, kmesos_scheduler *s, const kmesos_kafka_config *cfg,
                      char *err, size_t errlen);
void kmesos_kafka_free(kmesos_kafka *k);
/* A fresh cluster id: 16 random bytes in unpadded base64url (22 chars).
 * 0 or -1. */
int kmesos_kafka_new_cluster_id(char out[23]);

/* The scheduler's clocks: wall (epoch s) and monotonic (ms). */
double kmesos_kafka_now_s(const kmesos_kafka *k);
uint64_t kmesos_kafka_now_ms(const kmesos_kafka *k);
/* Tells the scheduler the persisted state changed. */
void kmesos_kafka_changed(kmesos_kafka *k);

/* ---- nodes ---- */
kmesos_kafka_node *kmesos_kafka_node_find(const kmesos_kafka *k, kmesos_kafka_kind kind, int id);
kmesos_broker *kmesos_kafka_broker(const kmesos_kafka *k, int id);
kmesos_client *kmesos_kafka_client(const kmesos_kafka *k, kmesos_client_kind kind, int id);
/* The ids of every node of a kind, ascending (free it; NULL: no memory). */
int *kmesos_kafka_ids(const kmesos_kafka *k, kmesos_kafka_kind kind, size_t *n);
size_t kmesos_kafka_count(const kmesos_kafka *k, kmesos_kafka_kind kind);
/* Adds n (owned from now on) in its place. 0, or -1 (no memory: not added). */
int kmesos_kafka_node_insert(kmesos_kafka *k, kmesos_kafka_node *n);
/* Takes n out of the list (not freed). */
void kmesos_kafka_node_take(kmesos_kafka *k, const kmesos_kafka_node *n);
/* Frees a broker or a client. NULL ok. */
void kmesos_kafka_node_destroy(kmesos_kafka_node *n);
/* The node's task slot, or NULL. */
kmesos_task *kmesos_kafka_task(const kmesos_kafka *k, const kmesos_kafka_node *n);

/* ---- voters ---- */
/* The recorded voter of id, or NULL (not a voter, or no quorum yet). */
const kmesos_voter *kmesos_kafka_voter(const kmesos_kafka *k, int id);
/* The voter id ran on agent_id (TASK_RUNNING): it has run (v->ran), and
 * when that is another agent on its host (its old agent restarted with a
 * new id), it is its agent from now on. 1 when it moved. */
int kmesos_kafka_voter_moved(kmesos_kafka *k, int id, const char *agent_id, const char *host);
/* 1 when agent_id is an agent the scheduler knows (kmesos_topology). */
int kmesos_kafka_agent_known(const kmesos_kafka *k, const char *agent_id);
/* 1 when offer o is on the machine slot (agent_id, host): that agent; or,
 * when that agent is no longer known or was never recorded, any agent on
 * that host. */
int kmesos_kafka_on_home(const kmesos_kafka *k, const char *agent_id, const char *host,
                         const kmesos_offer *o);
/* Replaces the voters by v (owned from now on). */
void kmesos_kafka_voters_set(kmesos_kafka *k, kmesos_voter *v, size_t n);
/* 1 when the quorum is dynamic (KIP-853: formed with directory ids, nodes
 * find it through controller.quorum.bootstrap.servers and a voter can be
 * replaced); 0 for a static voters list (a cluster formed before). */
int kmesos_kafka_quorum_dynamic(const kmesos_kafka *k);
typedef enum kmesos_voters_form {
    KMESOS_VOTERS_STATIC,    /* controller.quorum.voters: id@host:port,... */
    KMESOS_VOTERS_BOOTSTRAP, /* controller.quorum.bootstrap.servers: host:port,... */
    KMESOS_VOTERS_INITIAL,   /* format --initial-controllers: id@host:port:dir,... */
} kmesos_voters_form;
/* The voters as text in that form (malloc'd; "" before formation). */
char *kmesos_kafka_voters_text(const kmesos_kafka *k, kmesos_voters_form form);
/* Voter id moves to agent_id on host with a new controller port (the
 * dynamic quorum's replacement of a voter whose host is gone): its
 * record changes and a later format joins the quorum. 0, or -1 (no
 * memory: nothing changed). */
int kmesos_kafka_voter_move(kmesos_kafka *k, int id, const char *agent_id, const char *host,
                            int port);
/* The broker's data dirs (its data_dir or <data_root>/broker-<id>). */
void kmesos_kafka_data_dir(const kmesos_kafka *k, const kmesos_broker *b, char *out, size_t len);

/* ---- running brokers ---- */
/* 1 when the task is TASK_RUNNING in an active slot. */
int kmesos_kafka_running(const kmesos_task *t);
/* "host:client port" of the broker's last launch into buf: 1, or 0 when
 * it has none. t: its task. */
int kmesos_kafka_endpoint_of(const kmesos_broker *b, const kmesos_task *t, char *buf, size_t n);
/* Comma list of host:port of running brokers (malloc'd). */
char *kmesos_kafka_bootstrap(const kmesos_kafka *k);
/* The hosts of the running brokers, without duplicates, at most cap. */
size_t kmesos_kafka_broker_hosts(const kmesos_kafka *k, const char **hosts, size_t cap);

/* Takes the node of key out of the restart queue (stopped). */
void kmesos_kafka_unqueue(kmesos_kafka *k, int key);

#endif
