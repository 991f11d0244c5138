/* tally: the policies' verdicts counted by policy, verdict and reason
 * class, for /metrics. A reason is free text ("wait 3.2s for host a1"),
 * so it is cut to its class: the text before the first digit, '(', ':',
 * '=', '[' or quote, trailing blanks and punctuation dropped, at most
 * KMESOS_PTALLY_REASON_MAX - 1 bytes (on a UTF-8 boundary); "" becomes
 * "none". Cardinality is bounded: a policy keeps at most
 * KMESOS_PTALLY_PER_POLICY classes per verdict kind, later ones count as
 * "other"; the table holds KMESOS_PTALLY_ROWS rows, beyond which counts go
 * to `dropped`. Pure; the policy host owns one (policy.h). */
#ifndef KMESOS_POLICY_TALLY_H
#define KMESOS_POLICY_TALLY_H
#include <stddef.h>
#include <stdint.h>

#define KMESOS_PTALLY_ROWS 128
#define KMESOS_PTALLY_PER_POLICY 16
#define KMESOS_PTALLY_REASON_MAX 48
#define KMESOS_PTALLY_NAME_MAX 64

typedef struct kmesos_ptally_row {
    char policy[KMESOS_PTALLY_NAME_MAX];
    char reason[KMESOS_PTALLY_REASON_MAX];
    int kind; /* kmesos_verdict_kind */
    uint64_t n;
} kmesos_ptally_row;

typedef struct kmesos_ptally {
    kmesos_ptally_row rows[KMESOS_PTALLY_ROWS];
    size_t n;
    uint64_t dropped; /* counts that found no row */
} kmesos_ptally;

/* The class of a reason into out (n bytes). */
void kmesos_ptally_class(const char *reason, char *out, size_t n);
/* Counts one verdict of kind by policy (its name) with reason. */
void kmesos_ptally_add(kmesos_ptally *t, const char *policy, int kind, const char *reason);

#endif
