/* cli_wait: `start --wait`, `restart --wait` and `broker rebalance
 * --wait`. For start and restart, after the command was
 * accepted the CLI polls GET <workload>/list?<name>=EXPR once a second
 * until every one it named runs (start), or until every one that was
 * running before the restart runs again under a new task (restart; the
 * task ids are recorded before the request is sent), or until the wait's
 * time is up (exit 1, naming those not yet there). Progress goes to the
 * output: on a terminal one line rewritten in place ("brokers running:
 * 2/3"), otherwise a plain line each time the figures change. A
 * rebalance is followed through GET /api/broker/rebalance once a second
 * until it ends, its progress shown the same way. */
#ifndef KMESOS_CLI_WAIT_H
#define KMESOS_CLI_WAIT_H
#include <jansson.h>
#include <stdio.h>

#include "cli/cli_http.h"
#include "cli/cli_args.h"

#define KMESOS_CLI_WAIT_POLL_MS 1000

typedef struct kmesos_cli_wait_count {
    size_t total;   /* named (start) or running before (restart) */
    size_t done;    /* running (again, under a new task for restart) */
    char missing[256]; /* ids not done yet, comma separated (cut) */
} kmesos_cli_wait_count;

/* The task id of each item of a list answer that runs now:
 * {"<id>": "<task id>"} (new reference; NULL on no memory). */
json_t *kmesos_cli_wait_snapshot(const json_t *answer, const char *plural);
/* Counts a list answer: before NULL (start) or a snapshot (restart). */
void kmesos_cli_wait_count_of(const json_t *answer, const char *plural, const json_t *before,
                              kmesos_cli_wait_count *c);
/* Shows the progress line "PLURAL running: D/T" (restart: "running again"),
 * on a tty rewriting the line (\r), else only when it changed from last
 * (a buffer of n bytes the caller keeps). */
void kmesos_cli_wait_progress(FILE *out, int tty, const char *plural, int restart,
                              const kmesos_cli_wait_count *c, char *last, size_t n);
/* GET the list of a's workload and ids: the parsed answer, or NULL having
 * said why on err. */
json_t *kmesos_cli_wait_list(FILE *err, const kmesos_cli_args *a, const char *base,
                             const kmesos_cli_http_opts *opts);
/* Polls until done or a->wait_s passed, progress on out. before: NULL for
 * start. 0 when all run, -1 (said why on err) when time ran out. */
int kmesos_cli_wait_run(FILE *out, FILE *err, const kmesos_cli_args *a, const char *base,
                        const kmesos_cli_http_opts *opts, const json_t *before);

/* The progress line of a {"rebalance": {...}} answer into buf:
 * "rebalance moving: 3/7 partitions, 12.0/20.1 MB, ETA 5s". 1 when the
 * rebalance has ended (done, failed, cancelled, idle), else 0; -1 when
 * the answer is not a progress object. */
int kmesos_cli_wait_line(const json_t *answer, char *buf, size_t len);
/* Polls base's /api/broker/rebalance until the end. tty: rewrite one line.
 * 0 when it ended done, -1 otherwise (failed, cancelled, no answer). */
int kmesos_cli_wait_rebalance(FILE *out, FILE *err, int tty, const char *base,
                              const kmesos_cli_http_opts *opts);

#endif
