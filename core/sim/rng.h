/* rng: the simulator's only source of randomness, a xoshiro256** stream
 * seeded through splitmix64, so a run is a pure function of its seed.
 * Independent streams (job data, allocation order) come from the seed
 * and a stream number, so changing how often one stream is used (more
 * allocation rounds under another policy) never shifts another (the
 * tasks' input hosts and durations stay the same across a sweep). */
#ifndef KSIM_RNG_H
#define KSIM_RNG_H
#include <stddef.h>
#include <stdint.h>

typedef struct ksim_rng {
    uint64_t s[4];
} ksim_rng;

void ksim_rng_seed(ksim_rng *r, uint64_t seed, uint64_t stream);
uint64_t ksim_rng_next(ksim_rng *r);
/* Uniform in [0, n), n >= 1, without modulo bias. */
uint64_t ksim_rng_below(ksim_rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
double ksim_rng_uniform(ksim_rng *r, double lo, double hi);
/* Fisher-Yates shuffle of n indices. */
void ksim_rng_shuffle(ksim_rng *r, size_t *v, size_t n);

#endif
