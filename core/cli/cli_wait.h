/* cli_wait: `kmesos broker rebalance ... --wait`: after the request was
 * accepted, GET /api/broker/rebalance once a second until the rebalance
 * ends, showing its progress: one line rewritten in place on a terminal,
 * a plain line per change otherwise (logs, pipes). */
#ifndef KMESOS_CLI_WAIT_H
#define KMESOS_CLI_WAIT_H
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/cli_http.h"

#define KMESOS_CLI_WAIT_POLL_MS 1000

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
