/* backoff: exponential retry delays with jitter, capped. The n-th delay
 * (n = 0, 1, ...) lies in [c/2, c] with c = min(cap, base * 2^n). */
#ifndef KMESOS_BACKOFF_H
#define KMESOS_BACKOFF_H
#include <stdint.h>

typedef struct kmesos_backoff {
    double base_s;
    double cap_s;
    unsigned attempt; /* delays handed out since the last reset */
    uint64_t rng;     /* xorshift64 state, never 0 */
} kmesos_backoff;

/* base_s <= 0 -> 0.5 s, cap_s < base_s -> base_s. */
void kmesos_backoff_init(kmesos_backoff *b, double base_s, double cap_s,
                         uint64_t seed);
void kmesos_backoff_reset(kmesos_backoff *b);
/* The upper bound of the next delay. */
double kmesos_backoff_ceiling(const kmesos_backoff *b);
/* The next delay in seconds; counts one attempt. */
double kmesos_backoff_next(kmesos_backoff *b);

#endif
