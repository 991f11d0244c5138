/* agent_int: the agent's private structures, shared by agent.c (HTTP,
 * executor API, state) and aexec.c (executors, tasks and processes). */
#ifndef KLOCAL_AGENT_INT_H
#define KLOCAL_AGENT_INT_H
#include "net/httpd.h"
#include "codec/protocol.h"
#include "local/agent/agent.h"
#include "local/agent/fetch.h"
#include "local/agent/hub.h"
#include "local/proc.h"
#include "local/agent/updates.h"
#include "mesos/v1/executor/executor.pb-c.h"

typedef struct klocal_atask {
    struct klocal_atask *next;
    Mesos__V1__TaskInfo *info; /* owned copy */
    int state;
    int delivered; /* LAUNCH sent to the executor / process started */
    int killing;
    uint8_t (*seen)[16]; /* uuids of the updates received from the executor */
    size_t nseen;
} klocal_atask;

typedef struct klocal_aexec {
    struct klocal_aexec *next;
    klocal_agent *agent;
    char *fw_id;
    char *exec_id;
    char container_id[37];
    char *sandbox;
    int command;                        /* built-in command executor */
    Mesos__V1__ExecutorInfo *info;      /* custom executors: owned copy */
    Mesos__V1__FrameworkInfo *fw_info;  /* owned copy */
    klocal_proc *proc;
    klocal_fetch *fetch;                /* URIs being fetched, before the start */
    klocal_hub_job start;               /* queued: sandbox, fetch, spawn to come */
    int pid;
    kmesos_httpd_stream *stream;        /* custom executors, once subscribed */
    kmesos_content_type ct;
    klocal_atask *tasks;
    int shutting_down;
    int silent;                         /* framework gone / agent stopped */
    double kill_grace;                  /* command task being killed */
    int recovering;                     /* agent restarted: waiting for SUBSCRIBE */
    int lost_reason;                    /* TaskStatus reason on exit, -1: default */
    char *lost_message;                 /* its message, or NULL */
    uv_timer_t timer;                   /* shutdown grace; freed on close */
} klocal_aexec;

struct klocal_agent {
    uv_loop_t *loop;
    size_t index;
    char *id;
    char *hostname;
    char *ip;
    char *pid;
    char *process;            /* libprocess id: slave(1), or slave(N) on the hub */
    char *work_dir;
    char *master_hostname;
    int port;
    double update_retry;
    double executor_grace;
    double kill_grace;
    double reregistration;    /* executor_reregistration_timeout (seconds) */
    double recovery_timeout;  /* recovery_timeout (seconds) */
    const klocal_credential *creds; /* read-only endpoints want them */
    size_t ncreds;
    double start_time;
    klocal_res resources;
    klocal_attrs attrs;
    kmesos_httpd *http;       /* its own listener, or NULL */
    klocal_hub *hub;          /* shared listener and launch queue */
    int hub_port;             /* served by the hub's listener */
    klocal_updates *updates;
    klocal_aexec *execs;
    size_t live_procs;
    int stopped;
    int down;                 /* restart: executor API closed */
    int partitioned;          /* cut off from the master (not from executors) */
    int recovering;           /* restart: back up, recovery window open */
    double recovery;          /* restart: recovery window (seconds) */
    uv_timer_t *restart_timer;
    klocal_agent_events ev;
};

klocal_aexec *klocal_aexec_find(const klocal_agent *a, const char *fw_id, const char *exec_id);
klocal_atask *klocal_aexec_task(const klocal_aexec *e, const char *task_id);
/* The executor running task_id of fw_id, or NULL. */
klocal_aexec *klocal_aexec_of_task(const klocal_agent *a, const char *fw_id,
                                   const char *task_id);
void klocal_aexec_launch(klocal_agent *a, const Mesos__V1__FrameworkInfo *fw,
                         const Mesos__V1__TaskInfo *task);
void klocal_aexec_kill(klocal_aexec *e, klocal_atask *t, double grace);
void klocal_aexec_shutdown(klocal_aexec *e);
/* Kills everything of e at once without any further status update. */
void klocal_aexec_silence(klocal_aexec *e);
/* An executor SUBSCRIBE: stream opened, SUBSCRIBED + queued LAUNCHes. */
void klocal_aexec_subscribed(klocal_aexec *e, kmesos_httpd_stream *s, kmesos_content_type ct,
                             const Mesos__V1__Executor__Call__Subscribe *sub);
/* Agent restart: cuts the executor's stream (no callback) and, for a
 * running custom executor, waits for it to re-subscribe. */
void klocal_aexec_detach(klocal_aexec *e);
/* Recovery window over: an executor still not back is killed. */
void klocal_aexec_recovery_expired(klocal_aexec *e);
/* The executor's stream went away. */
void klocal_aexec_disconnected(klocal_aexec *e);
/* A status from the executor (UPDATE call): recorded and queued. */
void klocal_aexec_executor_update(klocal_aexec *e, const Mesos__V1__TaskStatus *st);
/* Sends an event to a subscribed executor (no-op otherwise). */
void klocal_aexec_send(klocal_aexec *e, const ProtobufCMessage *event);

#endif
