/* decide: the pair decision between the scheduler and the policy host.
 *
 * A pair is first checked in C against what is left of the offer after
 * the tasks already placed on it (kmesos_remaining, taken from as tasks
 * are packed; a task with its own executor needs the executor's share
 * too); only a task that fits goes to the evaluator, so a policy
 * is never asked about a pair that cannot launch. The fit check names the
 * first resource that does not fit so that the reason shown to operators
 * is useful. Verdicts are counted per kind for the status API. */
#include "sched/decide.h"

#include <stdio.h>
#include <string.h>

void kmesos_decider_init(kmesos_decider *d, kmesos_evaluate_fn evaluate, void *impl)
{
    memset(d, 0, sizeof *d);
    d->evaluate = evaluate;
    d->impl = impl;
}

void kmesos_remaining_init(kmesos_remaining *r, const kmesos_offer *o)
{
    r->cpus = o->cpus;
    r->mem = o->mem;
    r->disk = o->disk;
    r->ports = kmesos_offer_port_count(o);
}

void kmesos_remaining_take(kmesos_remaining *r, const kmesos_task *task)
{
    const kmesos_workload *w = task->workload;
    r->cpus -= w->cpus + w->exec_cpus;
    r->mem -= w->mem + w->exec_mem;
    r->disk -= w->disk;
    r->ports -= (uint64_t)w->ports;
}

const char *kmesos_verdict_name(kmesos_verdict_kind k)
{
    static const char *const names[] = {"accept", "decline", "wait"};
    return names[k];
}

/* 1 when the task fits; else 0 with the reason written. */
static int fits(const kmesos_remaining *left, const kmesos_workload *w, char *why, size_t n)
{
    /* a small epsilon: offers carry values such as 0.1 summed in floats */
    const double eps = 1e-9, cpus = w->cpus + w->exec_cpus, mem = w->mem + w->exec_mem;
    if (cpus > left->cpus + eps)
        snprintf(why, n, "insufficient cpus: need %g, offer has %g", cpus, left->cpus);
    else if (mem > left->mem + eps)
        snprintf(why, n, "insufficient mem: need %g, offer has %g", mem, left->mem);
    else if (w->disk > left->disk + eps)
        snprintf(why, n, "insufficient disk: need %g, offer has %g", w->disk, left->disk);
    else if ((uint64_t)w->ports > left->ports)
        snprintf(why, n, "insufficient ports: need %d, offer has %llu", w->ports,
                 (unsigned long long)left->ports);
    else
        return 1;
    return 0;
}

int kmesos_remaining_fits(const kmesos_remaining *r, const kmesos_task *task)
{
    const kmesos_workload *w = task->workload;
    const double eps = 1e-9;
    return w->cpus + w->exec_cpus <= r->cpus + eps && w->mem + w->exec_mem <= r->mem + eps &&
           w->disk <= r->disk + eps &&
           (uint64_t)w->ports <= r->ports;
}

void kmesos_decide(kmesos_decider *d, const kmesos_offer *offer,
                   const kmesos_remaining *left, const kmesos_task *task,
                   const kmesos_decide_ctx *ctx, kmesos_verdict *out)
{
    out->kind = KMESOS_VERDICT_ACCEPT;
    out->refuse_seconds = -1;
    out->hold_s = -1;
    out->unfit = 0;
    out->reason[0] = '\0';
    if (!fits(left, task->workload, out->reason, sizeof out->reason)) {
        out->kind = KMESOS_VERDICT_DECLINE;
        out->unfit = 1;
    } else if (d->evaluate) {
        d->evaluations++;
        d->evaluate(d->impl, offer, task, ctx, out);
    }
    if (out->kind == KMESOS_VERDICT_ACCEPT)
        d->accepts++;
    else if (out->kind == KMESOS_VERDICT_WAIT)
        d->waits++;
    else
        d->declines++;
}
