/* heap: an array-backed binary heap ordered by (time, kind, push
 * sequence); push sifts up, pop moves the last event to the root and
 * sifts it down. */
#include "sim/heap.h"

#include <stdlib.h>

void ksim_heap_init(ksim_heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
    h->seq = 0;
}

void ksim_heap_free(ksim_heap *h)
{
    free(h->v);
    ksim_heap_init(h);
}

static int before(const ksim_event *x, const ksim_event *y)
{
    if (x->at_ms != y->at_ms)
        return x->at_ms < y->at_ms;
    if (x->kind != y->kind)
        return x->kind < y->kind;
    return x->seq < y->seq;
}

int ksim_heap_push(ksim_heap *h, ksim_event ev)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        ksim_event *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -1;
        h->v = v;
        h->cap = cap;
    }
    ev.seq = h->seq++;
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&ev, &h->v[parent]))
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = ev;
    return 0;
}

int ksim_heap_pop(ksim_heap *h, ksim_event *out)
{
    if (h->n == 0)
        return 0;
    *out = h->v[0];
    ksim_event last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!before(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return 1;
}

uint64_t ksim_ms(double s)
{
    const double cap = 8.64e13; /* a million days in ms */
    double ms = s * 1000.0 + 0.5;
    if (!(ms >= 0))
        return 0;
    return ms >= cap ? (uint64_t)cap : (uint64_t)ms;
}
