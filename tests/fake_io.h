/* fake_io: the scheduler's io (kmesos_scheduler_io) for unit tests: a
 * clock the test sets and a record of every call the scheduler sent, kept
 * as deep copies (the scheduler frees its own after send). */
#ifndef KMESOS_TESTS_FAKE_IO_H
#define KMESOS_TESTS_FAKE_IO_H
#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"
#include "sched/scheduler.h"

#define FAKE_IO_MAX_CALLS 512

typedef struct fake_io {
    uint64_t now_ms;                        /* what io.now_ms answers */
    kmesos_call *calls[FAKE_IO_MAX_CALLS];  /* sent, oldest first */
    size_t n;
    int changes;                            /* io.changed() so far */
    double epoch_s;                         /* io.now_s = epoch_s + now_ms / 1000 */
    /* encode_only: a sent call is encoded into last (the body the session
     * would POST) and counted in sent, not copied into calls (benches) */
    int encode_only;
    kmesos_buf last;
    size_t sent;
} fake_io;

/* An io answering from f (now_us unset: the scheduler uses now_ms). */
kmesos_scheduler_io fake_io_make(fake_io *f);
/* Forgets (and frees) the recorded calls and the last body. */
void fake_io_reset(fake_io *f);
size_t fake_io_count(const fake_io *f, Mesos__V1__Scheduler__Call__Type type);
/* The first recorded call of that type, or NULL. */
kmesos_call *fake_io_find(const fake_io *f, Mesos__V1__Scheduler__Call__Type type);

/* A heap-built TEXT attribute. */
Mesos__V1__Attribute *fake_io_text_attr(const char *name, const char *value);
/* A heap-built offer: cpus and mem 4096, on agent "a-<host>" unless
 * agent is given, with a text attribute rack when rack is not NULL. */
Mesos__V1__Offer *fake_io_offer(const char *id, const char *agent, const char *host,
                                const char *rack, double cpus);
/* Hands one OFFERS event with the offers (taken) to the scheduler. */
void fake_io_feed(kmesos_scheduler *s, Mesos__V1__Offer **offers, size_t n);

/* A scheduler with one workload (spec in kmesos_workload_parse syntax)
 * on an io that drops every call and answers 1 for both clocks: for
 * tests of what the scheduler holds (state files, options), not of what
 * it sends. Free it with kmesos_scheduler_free. */
void fake_io_quiet_scheduler(kmesos_scheduler *s, const char *spec);

#endif
