/* exec_core: the executor's state machine, free of I/O. Events from the
 * agent, process ends, readiness results and clock ticks go in; calls to
 * the agent, process starts and kills, and the exit request go out
 * through an io table (the real one in exec_app, a fake one in tests). */
#ifndef KMESOS_EXEC_CORE_H
#define KMESOS_EXEC_CORE_H
#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"
#include "exec/exec_config.h"
#include "exec/exec_spec.h"
#include "exec/exec_updates.h"
#include "mesos/v1/executor/executor.pb-c.h"

typedef struct kmesos_exec_task {
    char *id;
    Mesos__V1__TaskInfo *info; /* owned copy, for Subscribe.unacknowledged_tasks */
    int acked;                 /* the agent acknowledged one of its updates */
    int running;               /* a process was started and has not ended */
    int state;                 /* last TaskState reported, -1 before any */
    int kill_requested;        /* KILL, SHUTDOWN or giving up */
    char *failure;             /* reason that overrides the exit mapping */
    int64_t grace_ns;          /* from TaskInfo.kill_policy or the default */
    void *proc;                /* the io's process handle */
    struct kmesos_exec_task *next;
} kmesos_exec_task;

typedef struct kmesos_exec_io {
    void *arg;
    /* Posts a call to the agent. 0 when under way, -1 when it cannot. */
    int (*send)(void *arg, const Mesos__V1__Executor__Call *call);
    /* Starts the task's process (in its own process group) and, when
     * spec->ready_port or spec->ready_command is set, its readiness probe. 0, or -1 with err. */
    int (*spawn)(void *arg, kmesos_exec_task *t, const kmesos_exec_spec *spec, char *err,
                 size_t errlen);
    /* SIGTERM to the task's process group now, SIGKILL after grace_ns. */
    void (*kill)(void *arg, kmesos_exec_task *t, int64_t grace_ns);
    /* Fresh random 16 bytes. 0 or -1. */
    int (*uuid)(void *arg, uint8_t out[16]);
    double (*wall_s)(void *arg);  /* epoch seconds, for TaskStatus.timestamp */
    int64_t (*mono_ms)(void *arg); /* monotonic milliseconds, for schedules */
    /* Asks the program to end with this exit code (once). */
    void (*exit)(void *arg, int code);
} kmesos_exec_io;

typedef struct kmesos_exec_core {
    const kmesos_exec_config *cfg;
    char *const *base_env;   /* the executor's environment, for tasks */
    kmesos_exec_io io;
    char *agent_id;          /* from SUBSCRIBED */
    int subscribed;          /* SUBSCRIBED seen on the current stream */
    int subscriptions;       /* SUBSCRIBED events so far */
    int shutting_down;       /* SHUTDOWN or a signal: kill all, report, exit 0 */
    int giving_up;           /* the agent stayed away: kill all, exit 1 */
    int exit_requested;
    size_t launched;         /* tasks ever received */
    kmesos_exec_updates updates;
    kmesos_exec_task *tasks;
} kmesos_exec_core;

/* cfg, base_env and io must outlive the core. */
void kmesos_exec_core_init(kmesos_exec_core *c, const kmesos_exec_config *cfg,
                           char *const *base_env, const kmesos_exec_io *io);
void kmesos_exec_core_free(kmesos_exec_core *c);

/* One RecordIO record of the event stream (protobuf Event). 0, or -1
 * when it does not decode or lacks the part its type needs (logged once):
 * the caller then drops the stream and re-subscribes. */
int kmesos_exec_core_on_record(kmesos_exec_core *c, const uint8_t *rec, size_t len);
int kmesos_exec_core_on_event(kmesos_exec_core *c, const Mesos__V1__Executor__Event *ev);
/* The body of a SUBSCRIBE call (protobuf), with the unacknowledged tasks
 * and updates. 0 or -1. */
int kmesos_exec_core_encode_subscribe(kmesos_exec_core *c, kmesos_buf *out);
/* The event stream is gone: stop sending until the next SUBSCRIBED. */
void kmesos_exec_core_disconnected(kmesos_exec_core *c);
/* Resends due updates. */
void kmesos_exec_core_tick(kmesos_exec_core *c);

/* From the io: readiness result and process end of task t. */
void kmesos_exec_core_task_ready(kmesos_exec_core *c, kmesos_exec_task *t, const char *what);
void kmesos_exec_core_task_not_ready(kmesos_exec_core *c, kmesos_exec_task *t, const char *why);
void kmesos_exec_core_task_exited(kmesos_exec_core *c, kmesos_exec_task *t, int64_t exit_status,
                                  int term_signal);

/* SHUTDOWN (event or signal): kill every task, report, then exit 0
 * without waiting for acknowledgements. */
void kmesos_exec_core_shutdown(kmesos_exec_core *c, const char *why);
/* The agent could not be reached in time: kill every task, exit 1. */
void kmesos_exec_core_give_up(kmesos_exec_core *c, const char *why);

kmesos_exec_task *kmesos_exec_core_find(const kmesos_exec_core *c, const char *task_id);

#endif
