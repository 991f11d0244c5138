/* agent: one simulated Mesos agent. It serves the v1 executor API
 * (POST /api/v1/executor) and GET /state on its own port, runs command
 * tasks as child processes (acting as the command executor) and custom
 * executors with the Mesos executor environment, and owns the status
 * update manager that resends updates until they are acknowledged. The
 * master drives it with plain function calls and hears back through
 * klocal_agent_events (in-process "messages"). */
#ifndef KLOCAL_AGENT_H
#define KLOCAL_AGENT_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "local/agent/hub.h"
#include "local/config.h"
#include "local/attrs.h"
#include "local/res.h"
#include "mesos/v1/mesos.pb-c.h"

typedef struct klocal_agent klocal_agent;

typedef struct klocal_agent_events {
    /* A status update to forward to the framework (owned by the agent). */
    void (*on_update)(void *arg, klocal_agent *a, const char *fw_id,
                      const Mesos__V1__TaskStatus *st);
    /* The terminal update of a task was acknowledged: the task is gone. */
    void (*on_task_done)(void *arg, klocal_agent *a, const char *fw_id, const char *task_id);
    /* An executor sent a MESSAGE for its scheduler. */
    void (*on_message)(void *arg, klocal_agent *a, const char *fw_id, const char *exec_id,
                       const uint8_t *data, size_t len);
    /* A custom executor terminated (status: wait status, 0 if unknown). */
    void (*on_executor_exit)(void *arg, klocal_agent *a, const char *fw_id,
                             const char *exec_id, int status);
    /* The agent re-registered after a simulated restart: its port is open
     * again and its recovery window is over. */
    void (*on_reregistered)(void *arg, klocal_agent *a);
    void *arg;
} klocal_agent_events;

typedef struct klocal_agent_params {
    size_t index;
    const char *id;
    const char *hostname;
    const char *ip;
    int port;                /* 0: any free port */
    const char *resources;   /* flag syntax (already validated) */
    const char *attributes;
    size_t alt_index;        /* which attribute alternative (a:x,y) it gets */
    const char *work_dir;
    const char *master_hostname;
    double update_retry;
    double executor_grace;
    double kill_grace;
    double reregistration;   /* executor_reregistration_timeout (seconds) */
    double recovery_timeout; /* recovery_timeout (seconds) */
    klocal_hub *hub;         /* launch queue (and shared listener): required */
    int shared;              /* no port of its own: served by the hub's listener */
    const klocal_credential *creds; /* --credentials (they outlive the agent) */
    size_t ncreds;
} klocal_agent_params;

/* NULL with a reason in err when the port cannot be bound. */
klocal_agent *klocal_agent_start(uv_loop_t *loop, const klocal_agent_params *p,
                                 const klocal_agent_events *ev, char *err, size_t errlen);
/* Simulated death or shutdown: kills every process at once, forgets all
 * updates, stops serving. No event is reported afterwards. */
void klocal_agent_stop(klocal_agent *a);
/* Simulated agent process restart with checkpointing: task and executor
 * processes keep running, the executor API (httpd) closes at once (streams
 * cut, connections refused) and reopens on the same port after down
 * seconds. Executors that re-SUBSCRIBE within recovery seconds after that
 * (the agent's executor_reregistration_timeout by default) are
 * re-attached; meanwhile their other calls answer 503. The others are
 * killed: TASK_LOST (TASK_GONE if partition-aware) with
 * REASON_EXECUTOR_REREGISTRATION_TIMEOUT, "Executor did not reregister
 * within 2secs". While down and during the window no update goes to the
 * master; while down its acknowledgements, KILLs, SHUTDOWNs and MESSAGEs
 * to this agent are dropped, as for an unreachable agent. The agent
 * re-registers (on_reregistered) when the window is over. 0, or -1 with a
 * reason in err (stopped, or down already). A restart during a recovery
 * window ends it; executors not back yet stay awaited. */
int klocal_agent_restart(klocal_agent *a, double down, double recovery, char *err,
                         size_t errlen);
/* 1 while the executor API is closed by a restart. */
int klocal_agent_down(const klocal_agent *a);
/* True while processes of a stopped agent are still being reaped. */
int klocal_agent_busy(const klocal_agent *a);
/* Frees a stopped, idle agent. */
void klocal_agent_free(klocal_agent *a);

const char *klocal_agent_id(const klocal_agent *a);
const char *klocal_agent_hostname(const klocal_agent *a);
const char *klocal_agent_ip(const klocal_agent *a);
const char *klocal_agent_pid(const klocal_agent *a); /* "slave(1)@ip:port" */
int klocal_agent_port(const klocal_agent *a);
/* Its libprocess id: "slave(1)" on a port of its own, "slave(N)" (N =
 * index + 1) on the shared one; offers' url path is "/" + this. */
const char *klocal_agent_process(const klocal_agent *a);
/* Status updates resent because no acknowledgement came in time. */
uint64_t klocal_agent_resent(const klocal_agent *a);
size_t klocal_agent_index(const klocal_agent *a);
const klocal_res *klocal_agent_resources(const klocal_agent *a);
const char *klocal_agent_work_dir(const klocal_agent *a);
/* An offer operation (RESERVE, UNRESERVE, CREATE, DESTROY) applied to the
 * agent's total: total = total - consumed + produced. */
void klocal_agent_convert(klocal_agent *a, const klocal_res *consumed,
                          const klocal_res *produced);
const klocal_attrs *klocal_agent_attributes(const klocal_agent *a);

/* Starts a task (TaskInfo with command or executor). New executors are
 * started; the first status comes back through on_update. */
void klocal_agent_launch(klocal_agent *a, const Mesos__V1__FrameworkInfo *fw,
                         const Mesos__V1__TaskInfo *task);
/* Kills a task; grace < 0: the task's kill_policy or the default. 0 when
 * the task is known here, -1 otherwise. */
int klocal_agent_kill_task(klocal_agent *a, const char *fw_id, const char *task_id,
                           double grace);
void klocal_agent_acknowledge(klocal_agent *a, const char *fw_id, const char *task_id,
                              const uint8_t *uuid, size_t len);
void klocal_agent_shutdown_executor(klocal_agent *a, const char *fw_id, const char *exec_id);
/* Framework removed: kills its tasks and executors, drops its updates. */
void klocal_agent_shutdown_framework(klocal_agent *a, const char *fw_id);
void klocal_agent_message(klocal_agent *a, const char *fw_id, const char *exec_id,
                          const uint8_t *data, size_t len);
/* The framework (re)subscribed: resend its pending updates now (fw_id
 * NULL: of every framework, e.g. after the agent re-registered). */
void klocal_agent_framework_resubscribed(klocal_agent *a, const char *fw_id);

/* Simulated network partition between the agent and the master (on = 1),
 * or its end (on = 0). While partitioned, executors and tasks keep running
 * and keep talking to the agent, but nothing passes between the agent and
 * the master: status updates wait in the update manager, executor
 * MESSAGEs and exits are lost, and the master's launches, KILLs,
 * acknowledgements, SHUTDOWNs and MESSAGEs are dropped. Healing resends
 * nothing by itself: the master re-registers the agent first, then asks
 * for the pending updates (klocal_agent_framework_resubscribed(a, NULL)).
 * 0, or -1 with a reason in err (removed, restarting or in its recovery
 * window, already in that state); a partitioned agent cannot restart. */
int klocal_agent_partition(klocal_agent *a, int on, char *err, size_t errlen);
int klocal_agent_partitioned(const klocal_agent *a);

/* One task as the agent reports it when it re-registers with the master
 * (ReregisterSlaveMessage): pointers valid during the callback only. */
typedef struct klocal_agent_task {
    const char *fw_id;
    const Mesos__V1__FrameworkInfo *framework;
    const Mesos__V1__ExecutorInfo *executor; /* NULL: a command task */
    const Mesos__V1__TaskInfo *task;
    int state;                               /* the latest state it knows */
    const char *container_id;
    int executor_pid;                        /* 0 while not started */
} klocal_agent_task;
typedef void (*klocal_agent_task_cb)(void *arg, const klocal_agent_task *t);
/* Calls cb for every task the agent holds (frameworks being shut down
 * excepted). cb must not change the agent. */
void klocal_agent_each_task(const klocal_agent *a, klocal_agent_task_cb cb, void *arg);

#endif
