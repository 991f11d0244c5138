/* master/internal.h: the simulated master's private structures and the
 * functions its modules offer one another: mbook.c (look-ups, task and
 * executor records), mevent.c (events to frameworks), alloc.c (offers,
 * filters, allocation), partition.c (agent partitions, unreachable agents,
 * re-registration), life.c (framework and agent life cycles),
 * mops.c (RESERVE, UNRESERVE, CREATE, DESTROY), mcall.c (the scheduler calls), mrestart.c (the master's restart and
 * its agents' re-registration), melect.c (masters elected through
 * ZooKeeper), control.c (fault-injection endpoints), mstate.c (state
 * JSON), mroles.c (framework roles: validation, offers' roles) and
 * master.c (the HTTP face). */
#ifndef KLOCAL_MASTER_INT_H
#define KLOCAL_MASTER_INT_H
#include <jansson.h>
#include <uthash.h>
#include "net/httpd.h"
#include "net/zkc.h"
#include "codec/protocol.h"
#include "local/agent/agent.h"
#include "local/master/master.h"
#include "local/res.h"

typedef struct klocal_fw klocal_fw;
typedef struct klocal_face klocal_face;
typedef struct klocal_offer klocal_offer;
typedef struct klocal_fagent klocal_fagent;

typedef struct klocal_magent {
    klocal_agent *agent;
    int removed;
    int down;           /* restarting (POST /local/agents/ID/restart): no offers */
    int partitioned;    /* cut off (POST /local/agents/ID/partition) */
    int unreachable;    /* marked unreachable: no offers, tasks unreachable */
    int64_t unreachable_ns;        /* when (TimeInfo nanoseconds) */
    struct partition_watch *watch; /* the health check clock while cut off */
    double registered_time;
    klocal_res used;    /* tasks and executors */
    klocal_res offered; /* outstanding offers */
    klocal_offer *offers; /* its outstanding offers (alloc.c, utlist DL) */
    UT_hash_handle hh;  /* klocal_master.agent_index, by agent id */
    /* what it was made from (strings owned by the config), so that
     * POST /local/agents/add?like=ID can make another one like it */
    const char *hostname, *resources, *attributes, *work_dir;
    int port;           /* asked for (0: any free port) */
    size_t alt_index;
    /* the master restarted and has not heard from it yet (mrestart.c):
     * not offered, not listed, its updates and calls dropped */
    int unknown;
    /* with it: the master knows it from its registry (--registry
     * replicated_log) but it has not re-registered yet */
    int recovered;
} klocal_magent;

typedef struct klocal_mtask {
    struct klocal_mtask *next;
    UT_hash_handle hh;  /* klocal_fw.task_index while on fw->tasks */
    char *id;
    char *name;
    char *executor_id; /* NULL: command task */
    klocal_magent *agent;
    klocal_res res;
    char *role;        /* the role its resources are allocated to */
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
    Mesos__V1__ExecutorInfo *info; /* owned copy (the state endpoint) */
    char *role;                    /* its resources' role, or NULL: "*" */
} klocal_mexec;

typedef struct klocal_filter {
    struct klocal_filter *next;
    klocal_res res;
    uint64_t until; /* loop time, ms */
} klocal_filter;

/* A framework's refuse filters on one agent (klocal_fw.filters, keyed by
 * the agent pointer). */
struct klocal_fagent {
    klocal_magent *agent;
    klocal_filter *filters;
    UT_hash_handle hh;
};

/* An outstanding offer: in the master's id index and creation-ordered
 * list, and in its framework's and its agent's lists (utlist DL). */
struct klocal_offer {
    char *id;
    klocal_fw *fw;
    klocal_magent *agent;
    klocal_res res;
    char *role;        /* allocated to (mroles.c) */
    uint64_t created;
    UT_hash_handle hh;
    klocal_offer *prev, *next;           /* m->offers, by creation */
    klocal_offer *fw_prev, *fw_next;     /* fw->offers */
    klocal_offer *ag_prev, *ag_next;     /* agent->offers */
};

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
    klocal_fagent *filters;      /* refuse filters by agent (alloc.c) */
    klocal_offer *offers;        /* its outstanding offers (alloc.c) */
    unsigned role_turn; /* MULTI_ROLE: the role of its next offer */
    klocal_mtask *tasks;
    klocal_mtask *task_index;    /* the live tasks by id (mbook.c) */
    klocal_mtask *completed;
    klocal_mtask *unreachable; /* tasks of unreachable agents */
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
    klocal_magent *agent_index;   /* by agent id (mbook.c) */
    klocal_hub *hub;              /* the agents' shared listener, launch queue */
    klocal_fw *fws;
    klocal_fw *gone_fws;      /* removed frameworks (state, re-subscribe) */
    klocal_offer *offers;         /* every outstanding offer, oldest first */
    klocal_offer *offer_index;    /* the same by offer id */
    uint64_t next_offer;
    uint64_t next_fw;
    uv_timer_t alloc_timer;
    struct master_qcall *calls, **calls_tail; /* answered 202, handled next (master.c) */
    uv_timer_t calls_timer;
    int open_handles;
    uint64_t hb_stall_until;  /* loop time (ms) until which no HEARTBEAT */
    char *redirect_to;        /* non-leader: host:port of the leader */
    char *work_dir;
    size_t alloc_rr;          /* round-robin start among frameworks */
    struct life_removal *removals; /* pending agent-loss reports */
    int stopped;
    kmesos_httpd_config http_cfg;  /* how to listen again after a restart */
    struct klocal_mrestart *restart; /* a restart under way (mrestart.c) */
    /* --zk: the contending masters (melect.c); m->http is then unused and
     * m->id, port and pid are the leader's */
    klocal_face **faces;
    size_t nfaces;
    klocal_face *lead;             /* the leading one, or NULL */
    int elections;                 /* leaders elected so far */
    double failover_reregister;    /* agents re-register this long after an election */
    kmesos_httpd_handler face_request; /* master.c's handler of a face's requests */
};

/* The modules of the master, from the bottom up: each calls only those
 * listed before it (and the agents, below them all). */

/* mroles.c: framework roles (Mesos' validation::framework and
 * Master::offer's role handling). */
int klocal_mroles_multi(const Mesos__V1__FrameworkInfo *fi);      /* MULTI_ROLE */
int klocal_mroles_refinement(const Mesos__V1__FrameworkInfo *fi); /* RESERVATION_REFINEMENT */
/* The `role` of a framework that is not MULTI_ROLE ("*" by default). */
const char *klocal_mroles_role(const Mesos__V1__FrameworkInfo *fi);
/* roles::validate of one role name: NULL, or the reason (in buf). */
const char *klocal_mroles_check_name(const char *role, char *buf, size_t len);
/* validation::framework::validate's role and failover timeout checks of
 * a SUBSCRIBE: NULL, or the master's message (in buf or static). */
const char *klocal_mroles_validate(const Mesos__V1__FrameworkInfo *fi, char *buf, size_t len);
/* 0 for a MULTI_ROLE framework without roles: it gets no offers. */
int klocal_mroles_offerable(const klocal_fw *fw);
/* The role of fw's next offer (malloc'd): its role, or its roles in turn. */
char *klocal_mroles_pick(klocal_fw *fw);
/* The last pick was not used: the same role comes next. */
void klocal_mroles_unpick(klocal_fw *fw);
/* Fills an offer's resources from res as fw may see them: `role: "*"`
 * unless RESERVATION_REFINEMENT, allocation_info {role} on the offer and
 * each resource for MULTI_ROLE. */
void klocal_mroles_offer_pb(const klocal_fw *fw, const char *role, const klocal_res *res,
                            Mesos__V1__Offer *p);
/* The roles of a launched task's (and its executor's) resources against
 * the offer's role: NULL and *fits (0: a role other than the offer's), or
 * the master's TASK_ERROR message (in buf). */
const char *klocal_mroles_task(const Mesos__V1__TaskInfo *ti, const char *offer_role,
                               int *fits, char *buf, size_t len);
/* Sets "role" (or "roles" for MULTI_ROLE) of a /master/state framework. */
void klocal_mroles_state(const Mesos__V1__FrameworkInfo *fi, json_t *j);

/* mbook.c: look-ups and the records of tasks and executors. */
klocal_fw *klocal_mbook_fw(klocal_master *m, const char *id);
/* A removed framework (kept for the state endpoint and re-subscription). */
klocal_fw *klocal_mbook_gone_fw(klocal_master *m, const char *id);
klocal_magent *klocal_mbook_agent(klocal_master *m, const char *id_or_index);
/* The master's record of agent a (by its index). */
klocal_magent *klocal_mbook_of(klocal_master *m, const klocal_agent *a);
/* Adds a new agent's record to m->agents and the id index. */
void klocal_mbook_add_agent(klocal_master *m, klocal_magent *ma);
/* 1 when agent id (NULL: any agent) is recovered from the registry and
 * has not re-registered yet (Master::_reconcileTasks then stays silent). */
int klocal_mbook_recovered(klocal_master *m, const char *agent_id);
/* The agent, or NULL when unknown or removed. */
klocal_magent *klocal_mbook_live_agent(klocal_master *m, const char *id_or_index);
klocal_mtask *klocal_mbook_task(klocal_fw *fw, const char *task_id);
klocal_mexec *klocal_mbook_exec(klocal_fw *fw, const klocal_magent *ma, const char *id);
/* TASK_LOST, or aware (TASK_UNREACHABLE, TASK_UNKNOWN, TASK_DROPPED) for a
 * PARTITION_AWARE framework. */
int klocal_mbook_lost_state(const klocal_fw *fw, int aware);
/* Records a launched task (TASK_STAGING) and, when new_exec, its executor;
 * need (task plus new executor) is charged to the agent. */
void klocal_mbook_launch(klocal_fw *fw, klocal_magent *ma, const Mesos__V1__TaskInfo *ti,
                         const klocal_res *need, int new_exec);
/* Remembers st as the task's latest status; terminal: releases it. */
void klocal_mbook_record(klocal_mtask *t, const Mesos__V1__TaskStatus *st);
/* Gives a task's resources back to its agent (once). */
void klocal_mbook_release(klocal_mtask *t);
/* Moves a task to the completed list (released). */
void klocal_mbook_complete(klocal_fw *fw, klocal_mtask *t);
/* Moves a task to the unreachable list (released). */
void klocal_mbook_set_unreachable(klocal_fw *fw, klocal_mtask *t);
klocal_mtask *klocal_mbook_unreachable_task(klocal_fw *fw, const char *task_id);
/* Moves a task of the unreachable list back to the live ones (its
 * resources charged again). */
void klocal_mbook_set_reachable(klocal_fw *fw, klocal_mtask *t);
/* An executor known again (its agent re-registered): recorded and
 * charged to ma unless already known. */
void klocal_mbook_exec_known(klocal_fw *fw, klocal_magent *ma, const Mesos__V1__ExecutorInfo *e);
/* Every executor of fw on ma gone: their resources go back to ma. */
void klocal_mbook_execs_exited(klocal_fw *fw, const klocal_magent *ma);
/* A custom executor on ma ended: its resources go back to ma. */
void klocal_mbook_exec_exited(klocal_fw *fw, const klocal_magent *ma, const char *exec_id);
/* ma was removed: its executors are dropped without giving back. */
void klocal_mbook_forget_execs(klocal_fw *fw, const klocal_magent *ma);
/* Frees every task, completed task and executor record of fw. */
void klocal_mbook_free_records(klocal_fw *fw);

/* mevent.c: events to a framework's stream (no-op when disconnected). */
void klocal_mevent_send(klocal_fw *fw, const ProtobufCMessage *event);
/* UPDATE carrying st (taken and freed). */
void klocal_mevent_update(klocal_fw *fw, Mesos__V1__TaskStatus *st);
/* A master-made status (SOURCE_MASTER, no uuid, now); reason < 0: none,
 * agent_id may be NULL. */
Mesos__V1__TaskStatus *klocal_mevent_new_status(const char *task_id, const char *agent_id,
                                                int state, int reason, const char *message);
/* UPDATE with such a status. */
void klocal_mevent_status(klocal_fw *fw, const char *task_id, const char *agent_id, int state,
                          int reason, const char *message);
/* ERROR on stream s, whatever framework it belongs to. */
void klocal_mevent_error(kmesos_httpd_stream *s, kmesos_content_type ct, const char *msg);
/* FAILURE of an agent (exec_id NULL) or of an executor (with status). */
void klocal_mevent_failure(klocal_fw *fw, const char *agent_id, const char *exec_id, int status);
void klocal_mevent_message(klocal_fw *fw, const char *agent_id, const char *exec_id,
                           const uint8_t *data, size_t len);
void klocal_mevent_heartbeat(klocal_fw *fw);
void klocal_mevent_subscribed(klocal_fw *fw);
/* The MasterInfo of a master (the leader, or a contender) with that id,
 * port and pid. */
Mesos__V1__MasterInfo *klocal_mevent_master_info(const klocal_master *m, const char *id,
                                                 int port, const char *pid);

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
/* Every offer (master stop, restart). */
void klocal_alloc_remove_all(klocal_master *m);
void klocal_alloc_filter(klocal_fw *fw, klocal_magent *agent, const klocal_res *res,
                         double seconds);
/* Drops every refuse filter of fw (REVIVE, framework freed). */
void klocal_alloc_free_filters(klocal_fw *fw);

/* partition.c: agent partitions and the master's agent health check. */
/* Cuts ma off from the master (see control.c); after --agent-ping-timeout
 * x --max-agent-ping-timeouts it is marked unreachable. 0, or -1 + err. */
int klocal_partition_cut(klocal_master *m, klocal_magent *ma, char *err, size_t errlen);
/* Ends ma's partition: an unreachable agent re-registers. 0, or -1 + err. */
int klocal_partition_heal(klocal_master *m, klocal_magent *ma, char *err, size_t errlen);
/* Master::markUnreachable: live tasks on ma become TASK_UNREACHABLE
 * (TASK_LOST if not PARTITION_AWARE) with REASON_AGENT_REMOVED and message
 * why, its offers are rescinded, every framework gets a FAILURE. Once. */
void klocal_partition_mark_unreachable(klocal_master *m, klocal_magent *ma, const char *why);
/* The agent re-registers: its tasks are known again, each framework gets
 * UPDATE (the task's state, REASON_AGENT_REREGISTERED, message; none when
 * message is NULL: an agent a master recovered from its registry); the
 * frameworks removed meanwhile are shut down on it. */
void klocal_partition_reregister(klocal_master *m, klocal_magent *ma, const char *message);
/* Ends ma's partition without a heal (removal, master stop). */
void klocal_partition_forget(klocal_magent *ma);

/* life.c: framework and agent life cycles. */
/* Creates and registers one more agent (index = current count), from the
 * flags or --agent-config entry of that index, or (like != NULL) with the
 * hostname, resources and attributes of agent like (e.g. a removed one
 * coming back: a new agent id, as after a real agent's removal). */
klocal_magent *klocal_life_add_agent(klocal_master *m, const klocal_magent *like, char *err,
                                     size_t errlen);
/* Simulated agent loss (see control.c). */
void klocal_life_remove_agent(klocal_master *m, klocal_magent *ma);
/* Simulated agent restart (see control.c): its offers are rescinded and
 * none is made until it is back; not reported lost. 0, or -1 + err. */
int klocal_life_restart_agent(klocal_master *m, klocal_magent *ma, double down, double recovery,
                              char *err, size_t errlen);
/* Master stopping: pending agent-loss reports are dropped and partition
 * clocks stopped. */
void klocal_life_end_removals(klocal_master *m);
/* A new framework record (id NULL: a fresh one), not yet subscribed. */
klocal_fw *klocal_life_fw_new(klocal_master *m, const char *id);
/* Attaches a SUBSCRIBE's open stream s (stream id sid): SUBSCRIBED,
 * heartbeats, pending updates resent, an allocation cycle. */
void klocal_life_fw_subscribed(klocal_fw *fw, kmesos_httpd_stream *s, kmesos_content_type ct,
                               const char *sid, const Mesos__V1__FrameworkInfo *info);
/* The stream went away: the failover timeout starts. */
void klocal_life_fw_disconnected(klocal_fw *fw);
/* Cuts the stream (TCP close, no event) as if the scheduler vanished. */
void klocal_life_cut_stream(klocal_fw *fw);
/* TEARDOWN / failover timeout: kills tasks, rescinds offers silently. */
void klocal_life_remove_fw(klocal_fw *fw);
/* Frees a removed framework once its timers have closed. */
void klocal_life_fw_free(klocal_fw *fw);

/* mops.c: one RESERVE, UNRESERVE, CREATE or DESTROY of an ACCEPT on the
 * offers' pool avail (allocated to role) of agent ma: applied (avail and
 * the agent's total converted), or dropped as Master::drop does. */
void klocal_mops_apply(klocal_fw *fw, klocal_magent *ma, const char *role, klocal_res *avail,
                       const Mesos__V1__Offer__Operation *op);

/* mcall.c: dispatch of a validated, authorised non-SUBSCRIBE call. */
void klocal_mcall_handle(klocal_fw *fw, const Mesos__V1__Scheduler__Call *c);
/* Validation as Mesos' validation::scheduler::call::validate; NULL: ok. */
const char *klocal_mcall_validate(const Mesos__V1__Scheduler__Call *c);

/* mrestart.c: the master's own death and restart with an in-memory
 * registry. Starts one (the master dies after about 100 ms, so that the
 * control request is answered first). */
void klocal_mrestart_start(klocal_master *m, double down, double reregister);
/* 1 while the master is dead (its port closed). */
int klocal_mrestart_down(const klocal_master *m);
/* The in-memory registry is lost: offers, frameworks (streams must be
 * cut already), tasks; every agent becomes unknown. */
void klocal_mrestart_forget(klocal_master *m);
/* The agents re-register delay seconds from now (a newly elected leader). */
void klocal_mrestart_reregister(klocal_master *m, double delay);
/* Master stopping: a restart under way is abandoned. */
void klocal_mrestart_end(klocal_master *m);

/* melect.c: masters elected through ZooKeeper (--zk, --masters). */
struct klocal_face {
    klocal_master *m;
    int index;
    int port;
    char id[40];          /* its MasterInfo id, new at each start */
    char *pid;            /* master@ip:port */
    kmesos_httpd *http;   /* NULL while killed */
    char *leader;         /* host:port of the leader it saw, or NULL */
    int leading;
    int down;             /* killed, not back yet */
    kmesos_zkc *zk;
    char *znode;          /* its json.info_<seq> (name only), or NULL */
    int creating;         /* its znode is being created */
    int phase;            /* melect.c: up, dying, expiring, down */
    uv_timer_t timer;     /* the phases of a kill */
    double down_for, expire;
};
/* Starts the contenders (m->cfg->masters of them). 0, or -1 + err. */
int klocal_melect_start(klocal_master *m, char *err, size_t errlen);
/* Simulated kill -9 of contender i: its port closes and its ZooKeeper
 * session ends after expire seconds; if it led, streams end and the
 * registry is lost. It is back as a fresh contender after down seconds;
 * the agents re-register reregister seconds after the next election. */
int klocal_melect_kill(klocal_master *m, size_t i, double down, double expire,
                       double reregister, char *err, size_t errlen);
json_t *klocal_melect_json(const klocal_master *m);
void klocal_melect_stop(klocal_master *m);
void klocal_melect_free(klocal_master *m);

/* control.c: 1 when the URL was a control endpoint (answered). */
int klocal_control_handle(klocal_master *m, kmesos_httpd_req *req);

/* mstate.c */
json_t *klocal_mstate_json(const klocal_master *m);


/* operator.c: answers POST /api/v1 (the operator API; GET_AGENTS). */
void klocal_operator_handle(klocal_master *m, kmesos_httpd_req *req);

#define KLOCAL_SCHED_EVENT(ev, TYPE)                                           \
    Mesos__V1__Scheduler__Event *ev =                                          \
        klocal_util_pb_new(&mesos__v1__scheduler__event__descriptor);          \
    ev->has_type = 1;                                                          \
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__##TYPE

#endif
