/* master_int: the master's private structures, shared by master.c
 * (HTTP, subscriptions, streams, framework life), mcall.c (the calls),
 * alloc.c (offers, filters, allocation), mstate.c (state JSON) and
 * control.c (fault-injection endpoints). */
#ifndef KLOCAL_MASTER_INT_H
#define KLOCAL_MASTER_INT_H
#include <jansson.h>
#include "net/httpd.h"
#include "codec/protocol.h"
#include "local/agent/agent.h"
#include "local/master/master.h"
#include "local/res.h"

typedef struct klocal_fw klocal_fw;

typedef struct klocal_magent {
    klocal_agent *agent;
    int removed;
    int down;           /* restarting (POST /local/agents/ID/restart): no offers */
    double registered_time;
    klocal_res used;    /* tasks and executors */
    klocal_res offered; /* outstanding offers */
    /* what it was made from (strings owned by the config), so that
     * POST /local/agents/add?like=ID can make another one like it */
    const char *hostname, *resources, *attributes;
    size_t alt_index;
} klocal_magent;

typedef struct klocal_mtask {
    struct klocal_mtask *next;
    char *id;
    char *name;
    char *executor_id; /* NULL: command task */
    klocal_magent *agent;
    klocal_res res;
    int state;
    int released;      /* resources given back (terminal) */
    Mesos__V1__TaskStatus *last; /* latest status seen, owned */
    json_t *statuses;  /* [{state, timestamp}] for the state endpoint */
} klocal_mtask;

typedef struct klocal_mexec {
    struct klocal_mexec *next;
    char *id;
    klocal_magent *agent;
    klocal_res res;
} klocal_mexec;

typedef struct klocal_filter {
    struct klocal_filter *next;
    klocal_magent *agent;
    klocal_res res;
    uint64_t until; /* loop time, ms */
} klocal_filter;

typedef struct klocal_offer {
    struct klocal_offer *next;
    char *id;
    klocal_fw *fw;
    klocal_magent *agent;
    klocal_res res;
    uint64_t created;
} klocal_offer;

struct klocal_fw {
    klocal_fw *next;
    klocal_master *m;
    char *id;
    Mesos__V1__FrameworkInfo *info; /* owned, id filled in */
    kmesos_httpd_stream *stream;
    char stream_id[37];
    kmesos_content_type ct;
    int connected;
    int suppressed;
    int removed;
    klocal_filter *filters;
    klocal_mtask *tasks;
    klocal_mtask *completed;
    klocal_mexec *execs;
    uv_timer_t heartbeat;
    uv_timer_t failover;
    int open_handles;
    double registered_time;
    double unregistered_time;
};

struct klocal_master {
    uv_loop_t *loop;
    const klocal_config *cfg;
    char id[40];
    const char *ip;
    const char *hostname;
    int port;
    char *pid;
    double start_time;
    kmesos_httpd *http;
    klocal_magent **agents;
    size_t nagents;
    klocal_fw *fws;
    klocal_fw *gone_fws;      /* removed frameworks (state, re-subscribe) */
    klocal_offer *offers;
    uint64_t next_offer;
    uint64_t next_fw;
    uv_timer_t alloc_timer;
    int open_handles;
    uint64_t hb_stall_until;  /* loop time (ms) until which no HEARTBEAT */
    char *redirect_to;        /* non-leader: host:port of the leader */
    char *work_dir;
    size_t alloc_rr;          /* round-robin start among frameworks */
    struct master_removal *removals; /* pending agent-loss reports */
    int stopped;
};

/* master.c */
klocal_fw *klocal_master_fw(klocal_master *m, const char *id);
klocal_magent *klocal_master_agent(klocal_master *m, const char *id_or_index);
/* Sends an event on the framework's stream (no-op when disconnected). */
void klocal_master_send(klocal_fw *fw, const ProtobufCMessage *event);
/* A master-made status (no uuid) for a task of fw, sent at once. */
void klocal_master_send_status(klocal_fw *fw, const char *task_id, const char *agent_id,
                               int state, int reason, const char *message);
/* Mesos TASK_LOST, or TASK_UNKNOWN/UNREACHABLE-style for partition-aware. */
int klocal_master_partition_aware(const klocal_fw *fw);
/* TEARDOWN / failover timeout: kills tasks, rescinds offers silently. */
void klocal_master_remove_fw(klocal_fw *fw);
/* Cuts the stream (TCP close, no event) as if the scheduler vanished. */
void klocal_master_cut_stream(klocal_fw *fw);
/* Creates and registers one more agent (index = current count), from the
 * flags or --agent-config entry of that index, or (like != NULL) with the
 * hostname, resources and attributes of agent like (e.g. a removed one
 * coming back: a new agent id, as after a real agent's removal). */
klocal_magent *klocal_master_add_agent(klocal_master *m, const klocal_magent *like, char *err,
                                       size_t errlen);
/* Simulated agent loss (see control.c). */
void klocal_master_remove_agent(klocal_master *m, klocal_magent *ma);
/* Simulated agent restart (see control.c): its offers are rescinded and
 * none is made until it is back; not reported lost. 0, or -1 + err. */
int klocal_master_restart_agent(klocal_master *m, klocal_magent *ma, double down,
                                double recovery, char *err, size_t errlen);
klocal_mtask *klocal_master_task(klocal_fw *fw, const char *task_id);
int klocal_master_terminal(int state);
/* Gives a task's resources back to its agent (once). */
void klocal_master_release_task(klocal_mtask *t);
void klocal_master_complete_task(klocal_fw *fw, klocal_mtask *t);

/* mcall.c: dispatch of a validated, authorised non-SUBSCRIBE call. */
void klocal_mcall_handle(klocal_fw *fw, const Mesos__V1__Scheduler__Call *c);
/* Validation as Mesos' validation::scheduler::call::validate; NULL: ok. */
const char *klocal_mcall_validate(const Mesos__V1__Scheduler__Call *c);

/* alloc.c */
void klocal_alloc_start(klocal_master *m);
void klocal_alloc_stop(klocal_master *m);
/* Runs one allocation cycle now (REVIVE, freed resources). */
void klocal_alloc_run(klocal_master *m);
klocal_offer *klocal_alloc_offer(klocal_master *m, const char *id);
/* Removes an offer and gives its resources back; rescind: tell the fw. */
void klocal_alloc_remove_offer(klocal_master *m, klocal_offer *o, int rescind);
/* Every offer of fw (or on agent, when agent != NULL). */
void klocal_alloc_remove_offers(klocal_master *m, klocal_fw *fw, klocal_magent *agent,
                                int rescind);
void klocal_alloc_filter(klocal_fw *fw, klocal_magent *agent, const klocal_res *res,
                         double seconds);
void klocal_alloc_clear_filters(klocal_fw *fw);
void klocal_alloc_free_filters(klocal_fw *fw);

/* mstate.c */
json_t *klocal_mstate_json(const klocal_master *m);

/* control.c: 1 when the URL was a control endpoint (answered). */
int klocal_control_handle(klocal_master *m, kmesos_httpd_req *req);

#define KLOCAL_SCHED_EVENT(ev, TYPE)                                           \
    Mesos__V1__Scheduler__Event *ev =                                          \
        klocal_util_pb_new(&mesos__v1__scheduler__event__descriptor);          \
    ev->has_type = 1;                                                          \
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__##TYPE

#endif
