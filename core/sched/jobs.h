/* jobs: the scheduler's view of jobs for delay scheduling. A job is a
 * workload; its tasks are the workload's slots. Per job the scheduler keeps
 * what the delay-scheduling paper (Zaharia et al., EuroSys'10) keeps: one
 * wait clock, which starts when the job is first passed over (one of its
 * pending tasks was asked about an offer and did not launch on it) and is
 * reset whenever the job launches a task; and the counts the fair order
 * needs (running tasks, fewest first). Policies see it as task.job. Counts
 * are recounted from the task registry only when the registry changed. */
#ifndef KMESOS_JOBS_H
#define KMESOS_JOBS_H
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "sched/tasks.h"

typedef struct kmesos_job {
    char *id;                 /* the workload's name */
    uint64_t passed_over_ms;  /* 0: not passed over since its last launch */
    uint32_t pending;         /* slots waiting for an offer */
    uint32_t running;         /* slots launching or active */
    uint64_t launched;        /* launches so far */
    uint64_t order;           /* when it was first seen: ties in the fair order */
    uint64_t asked_stamp;     /* placement marks: asked about / launched on */
    uint64_t launched_stamp;  /*   the offer being placed */
    int seen;                 /* recount sweep mark */
    UT_hash_handle hh;        /* by id */
} kmesos_job;

typedef struct kmesos_jobs {
    kmesos_job *by_id;
    size_t count;
    uint64_t seq;             /* last order given */
    uint64_t counted;         /* registry change count at the last recount */
    int valid;
} kmesos_jobs;

void kmesos_jobs_init(kmesos_jobs *jobs);
void kmesos_jobs_free(kmesos_jobs *jobs);
/* Brings counts and every slot's job pointer up to date with the registry
 * (only when it changed since the last time); jobs whose slots are all gone
 * are dropped. 0, or -1 when memory ran out (some slots have no job). */
int kmesos_jobs_recount(kmesos_jobs *jobs, kmesos_tasks *reg);
/* The job's wait in seconds at now_ms: 0 unless passed over since its last
 * launch. */
double kmesos_job_waiting_s(const kmesos_job *j, uint64_t now_ms);
/* The job was passed over at now_ms (starts its clock if it is not running). */
void kmesos_job_passed_over(kmesos_job *j, uint64_t now_ms);
/* The job launched a task at now_ms: clock reset, counts moved. */
void kmesos_job_launched(kmesos_job *j, uint64_t now_ms);

#endif
