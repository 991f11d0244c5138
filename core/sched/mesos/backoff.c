/* backoff: the retry schedule of the session (and of anything else that
 * reconnects). "Equal jitter": half of the exponential ceiling is kept,
 * the other half is random, so retries of many schedulers spread out
 * while a delay never collapses to zero. The random source is a small
 * xorshift generator kept in the struct: no global state, reproducible
 * in tests by choosing the seed. */
#include "sched/mesos/backoff.h"

#define DEFAULT_BASE_S 0.5

void kmesos_backoff_init(kmesos_backoff *b, double base_s, double cap_s,
                         uint64_t seed)
{
    b->base_s = base_s > 0 ? base_s : DEFAULT_BASE_S;
    b->cap_s = cap_s >= b->base_s ? cap_s : b->base_s;
    b->attempt = 0;
    b->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

void kmesos_backoff_reset(kmesos_backoff *b) { b->attempt = 0; }

double kmesos_backoff_ceiling(const kmesos_backoff *b)
{
    double c = b->base_s;
    for (unsigned i = 0; i < b->attempt && c < b->cap_s; i++)
        c *= 2;
    return c < b->cap_s ? c : b->cap_s;
}

/* A uniform number in [0, 1). */
static double next_unit(kmesos_backoff *b)
{
    uint64_t x = b->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b->rng = x;
    return (double)(x >> 11) / (double)(1ull << 53);
}

double kmesos_backoff_next(kmesos_backoff *b)
{
    double c = kmesos_backoff_ceiling(b);
    if (b->attempt < 64)
        b->attempt++;
    return c / 2 + next_unit(b) * (c / 2);
}
