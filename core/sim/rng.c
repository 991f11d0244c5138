/* rng: xoshiro256** (Blackman and Vigna), its state filled by splitmix64
 * from seed and stream. Integers below n reject the short top range so
 * that the modulo is unbiased; doubles take the top 53 bits. */
#include "sim/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ksim_rng_seed(ksim_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ksim_rng_next(ksim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t ksim_rng_below(ksim_rng *r, uint64_t n)
{
    uint64_t threshold = -n % n, x;
    do
        x = ksim_rng_next(r);
    while (x < threshold);
    return x % n;
}

double ksim_rng_uniform(ksim_rng *r, double lo, double hi)
{
    double u = (double)(ksim_rng_next(r) >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * u;
}

void ksim_rng_shuffle(ksim_rng *r, size_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ksim_rng_below(r, i);
        size_t tmp = v[i - 1];
        v[i - 1] = v[j];
        v[j] = tmp;
    }
}
