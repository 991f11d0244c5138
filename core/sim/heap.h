/* heap: the discrete-event queue, a binary min-heap of timed events on
 * the virtual clock. Events at the same millisecond come out by class
 * (task ends before arrivals before the scheduler tick before the
 * allocation round, so an allocation sees what finished at that instant)
 * and then in the order they were pushed, which makes the order total and
 * a run deterministic. */
#ifndef KSIM_HEAP_H
#define KSIM_HEAP_H
#include <stddef.h>
#include <stdint.h>

typedef enum ksim_event_kind {
    KSIM_EV_RUNNING = 0, /* a launched task reports TASK_RUNNING */
    KSIM_EV_FINISH,      /* a task ends (finished or killed); its resources free */
    KSIM_EV_RECONCILE,   /* answer a RECONCILE */
    KSIM_EV_ARRIVAL,     /* a job is submitted */
    KSIM_EV_TICK,        /* the scheduler's periodic tick */
    KSIM_EV_ALLOCATE,    /* an allocation round of the master */
} ksim_event_kind;

typedef struct ksim_event {
    uint64_t at_ms;
    uint64_t seq;
    ksim_event_kind kind;
    size_t a;   /* task or job index, or framework */
    int state;  /* FINISH: the Mesos TaskState it ends in */
} ksim_event;

typedef struct ksim_heap {
    ksim_event *v;
    size_t n, cap;
    uint64_t seq;
} ksim_heap;

void ksim_heap_init(ksim_heap *h);
void ksim_heap_free(ksim_heap *h);
/* Queues an event (seq is assigned). 0, or -1 on no memory. */
int ksim_heap_push(ksim_heap *h, ksim_event ev);
/* Takes the earliest event into out; 0 when the queue is empty. */
int ksim_heap_pop(ksim_heap *h, ksim_event *out);
/* Seconds to virtual milliseconds, rounded; negative and NaN give 0,
 * values past a million days are capped. */
uint64_t ksim_ms(double s);

#endif
