/* tally: counts the policies' verdicts by policy, verdict kind and reason
 * class (tally.h). A fixed table of rows searched linearly from the last
 * hit: only non-accept answers are counted, and a chain gives few
 * distinct classes, so the walk is short. The class rule drops what
 * varies (numbers, names after a colon or in brackets) so that the label
 * values stay few. */
#include "sched/policy/tally.h"

#include <string.h>

#include "codec/str.h"

static int tally_stop(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '(' || c == ':' || c == '=' || c == '[' || c == '"' ||
           c == '\'' || c < 0x20;
}

static int tally_trailing(unsigned char c)
{
    return c == ' ' || c == ',' || c == ';' || c == '-' || c == '.' || c == '\t';
}

void kmesos_ptally_class(const char *reason, char *out, size_t n)
{
    size_t len = 0;
    while (reason && reason[len] && !tally_stop((unsigned char)reason[len]))
        len++;
    if (len > n - 1)
        len = n - 1;
    while (len > 0 && ((unsigned char)reason[len] & 0xC0) == 0x80 && reason[len])
        len--; /* do not cut inside a UTF-8 sequence */
    while (len > 0 && tally_trailing((unsigned char)reason[len - 1]))
        len--;
    if (len == 0) {
        kmesos_str_copy(out, n, "none");
        return;
    }
    memcpy(out, reason, len);
    out[len] = 0;
}

static kmesos_ptally_row *tally_find(kmesos_ptally *t, const char *policy, int kind,
                                     const char *cls, size_t *same_policy)
{
    *same_policy = 0;
    for (size_t i = 0; i < t->n; i++) {
        kmesos_ptally_row *r = &t->rows[i];
        if (r->kind != kind || strcmp(r->policy, policy) != 0)
            continue;
        if (strcmp(r->reason, cls) == 0)
            return r;
        (*same_policy)++;
    }
    return NULL;
}

static kmesos_ptally_row *tally_new(kmesos_ptally *t, const char *policy, int kind,
                                    const char *cls)
{
    if (t->n >= KMESOS_PTALLY_ROWS)
        return NULL;
    kmesos_ptally_row *r = &t->rows[t->n++];
    kmesos_str_copy(r->policy, sizeof r->policy, policy);
    kmesos_str_copy(r->reason, sizeof r->reason, cls);
    r->kind = kind;
    r->n = 0;
    return r;
}

void kmesos_ptally_add(kmesos_ptally *t, const char *policy, int kind, const char *reason)
{
    char cls[KMESOS_PTALLY_REASON_MAX];
    size_t same = 0;
    kmesos_ptally_class(reason, cls, sizeof cls);
    if (!policy || !*policy)
        policy = "unknown";
    kmesos_ptally_row *r = tally_find(t, policy, kind, cls, &same);
    if (!r && same < KMESOS_PTALLY_PER_POLICY)
        r = tally_new(t, policy, kind, cls);
    else if (!r) {
        r = tally_find(t, policy, kind, "other", &same);
        if (!r)
            r = tally_new(t, policy, kind, "other");
    }
    if (r)
        r->n++;
    else
        t->dropped++;
}
