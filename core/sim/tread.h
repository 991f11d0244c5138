/* tread: reads a placement trace (the JSON lines that kmesos-scheduler
 * --trace and kmesos-sim --trace write, sched/trace.h) one record at a
 * time and checks each against the fields of its event before anyone
 * uses it: a line that is not a JSON object, an unknown "ev", a missing
 * required field, a field of the wrong type or out of range, or a field
 * the event does not have is an error "FILE:LINE: ..." that names the
 * field. Blank lines are skipped. What the records mean is replay.c's. */
#ifndef KSIM_TREAD_H
#define KSIM_TREAD_H
#include <stddef.h>

#include <jansson.h>

typedef enum ksim_tev {
    KSIM_TEV_OFFER = 0,
    KSIM_TEV_TASK,
    KSIM_TEV_VERDICT,
    KSIM_TEV_LAUNCH,
    KSIM_TEV_DECLINE,
    KSIM_TEV_HOLD,
    KSIM_TEV_EXPIRE,
    KSIM_TEV_UPDATE,
    KSIM_TEV_N,
} ksim_tev;

/* One checked record, valid during the callback only. */
typedef struct ksim_trec {
    const char *file;
    size_t line;
    ksim_tev ev;
    double t;          /* seconds, the recording scheduler's monotonic clock */
    const json_t *obj; /* the record; its fields have the types of its event */
} ksim_trec;

/* Called per record; 0 to go on, -1 to stop (with err written). */
typedef int (*ksim_trec_fn)(void *arg, const ksim_trec *rec, char *err, size_t errlen);

/* Reads path and calls fn per record in file order. 0 with the number of
 * records in *n; -1 with err ("FILE:LINE: ...", or "FILE: ..." when the
 * file cannot be read). */
int ksim_tread(const char *path, ksim_trec_fn fn, void *arg, size_t *n, char *err,
               size_t errlen);
const char *ksim_tev_name(ksim_tev ev);
/* Fields of a checked record: a string (NULL when absent), a number (def
 * when absent), the instance (an integer in [0, INT_MAX]). */
const char *ksim_trec_str(const ksim_trec *r, const char *key);
double ksim_trec_num(const ksim_trec *r, const char *key, double def);
int ksim_trec_int(const ksim_trec *r, const char *key);
/* "FILE:LINE: " + the message into err; returns -1. */
int ksim_trec_fail(const ksim_trec *r, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
