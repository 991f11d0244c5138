/* jobs: a hash of jobs by workload name. A recount walks the registry once:
 * every slot gets its job (created on first sight, in the order jobs are
 * met, which keeps the fair order's ties stable) and adds to its job's
 * pending or running count; jobs no slot points at any more are freed.
 * Between recounts, launches move the counts themselves, so placement sees
 * the order change as it packs offers without a walk per offer. */
#include "sched/jobs.h"

#include <stdlib.h>
#include <string.h>

void kmesos_jobs_init(kmesos_jobs *jobs) { memset(jobs, 0, sizeof *jobs); }

static void job_free(kmesos_job *j)
{
    free(j->id);
    free(j);
}

void kmesos_jobs_free(kmesos_jobs *jobs)
{
    kmesos_job *j, *tmp;
    HASH_ITER(hh, jobs->by_id, j, tmp) {
        HASH_DEL(jobs->by_id, j);
        job_free(j);
    }
    memset(jobs, 0, sizeof *jobs);
}

static kmesos_job *job_get(kmesos_jobs *jobs, const char *id)
{
    kmesos_job *j = NULL;
    HASH_FIND_STR(jobs->by_id, id, j);
    if (j)
        return j;
    if (!(j = calloc(1, sizeof *j)) || !(j->id = strdup(id))) {
        free(j);
        return NULL;
    }
    j->order = ++jobs->seq;
    HASH_ADD_KEYPTR(hh, jobs->by_id, j->id, strlen(j->id), j);
    jobs->count++;
    return j;
}

int kmesos_jobs_recount(kmesos_jobs *jobs, kmesos_tasks *reg)
{
    if (jobs->valid && jobs->counted == reg->changes)
        return 0;
    kmesos_job *j, *tmp;
    for (j = jobs->by_id; j; j = j->hh.next) {
        j->pending = j->running = 0;
        j->seen = 0;
    }
    int rc = 0;
    for (kmesos_task *t = reg->by_id; t; t = t->hh.next) {
        t->job = job_get(jobs, t->workload->name);
        if (!t->job) {
            rc = -1;
            continue;
        }
        t->job->seen = 1;
        if (t->phase == KMESOS_PHASE_PENDING)
            t->job->pending++;
        else if (t->phase == KMESOS_PHASE_LAUNCHING || t->phase == KMESOS_PHASE_ACTIVE)
            t->job->running++;
    }
    HASH_ITER(hh, jobs->by_id, j, tmp) {
        if (!j->seen) {
            HASH_DEL(jobs->by_id, j);
            jobs->count--;
            job_free(j);
        }
    }
    jobs->counted = reg->changes;
    jobs->valid = rc == 0;
    return rc;
}

double kmesos_job_waiting_s(const kmesos_job *j, uint64_t now_ms)
{
    if (!j->passed_over_ms || now_ms <= j->passed_over_ms)
        return 0.0;
    return (double)(now_ms - j->passed_over_ms) / 1000.0;
}

void kmesos_job_passed_over(kmesos_job *j, uint64_t now_ms)
{
    if (!j->passed_over_ms)
        j->passed_over_ms = now_ms ? now_ms : 1; /* 0 means "not passed over" */
}

void kmesos_job_launched(kmesos_job *j, uint64_t now_ms)
{
    (void)now_ms;
    j->passed_over_ms = 0;
    j->launched++;
    if (j->pending)
        j->pending--;
    j->running++;
}
