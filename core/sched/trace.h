/* trace: what placement saw and did, as JSON lines (--trace FILE), so an
 * operator can see a policy's decisions after the fact and kmesos-sim can
 * replay the workload against another chain. One object per line, each
 * with "t" (the scheduler's monotonic clock, seconds) and "ev":
 *   offer   {offer, agent, host, rack, cpus, mem, disk}
 *   task    {task, job, instance, cpus, mem, disk, prefer{agents,hosts,racks}}
 *           (a pending slot, the first time it is asked about an offer)
 *   verdict {offer, task, verdict: accept|decline|wait, reason}
 *   launch  {offer, task, host, locality: node|rack|any|none}
 *   decline {offers: [...], refuse_s}
 *   hold    {offer, until_s}     expire {offer}
 *   update  {task, state}
 * Lines are buffered and flushed on every scheduler tick; a write error
 * closes the trace (logged once) and the scheduler goes on. */
#ifndef KMESOS_TRACE_H
#define KMESOS_TRACE_H
#include <stddef.h>
#include <stdint.h>

#include "sched/offers.h"
#include "sched/tasks.h"

typedef struct kmesos_trace kmesos_trace;

/* Opens path for appending. NULL with err when it cannot. */
kmesos_trace *kmesos_trace_open(const char *path, char *err, size_t errlen);
void kmesos_trace_close(kmesos_trace *tr);
void kmesos_trace_flush(kmesos_trace *tr);

/* All take tr == NULL (tracing off) and do nothing then. now_ms is the
 * scheduler's monotonic clock. */
void kmesos_trace_offer(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                        const char *rack);
void kmesos_trace_task(kmesos_trace *tr, uint64_t now_ms, kmesos_task *t);
void kmesos_trace_verdict(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                          const kmesos_task *t, const char *verdict, const char *reason);
void kmesos_trace_launch(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                         const kmesos_task *t, const char *locality);
void kmesos_trace_decline(kmesos_trace *tr, uint64_t now_ms, const char *const *offer_ids,
                          size_t n, double refuse_s);
void kmesos_trace_hold(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                       uint64_t until_ms);
void kmesos_trace_expire(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o);
void kmesos_trace_update(kmesos_trace *tr, uint64_t now_ms, const char *task_id,
                         const char *state);

#endif
