/* lease: the leadership lease and the election rule of scheduler HA
 * (lease.h). The lease is a window on the monotonic clock that starts at
 * the send time of the newest successful ZooKeeper round trip and lasts
 * 2/3 of the session timeout; a lost lease is never held again (the
 * process steps down and exits). The election reads the sequence number
 * after a candidate's last '-' and picks the lowest, and the
 * candidate just below this scheduler's for the watch, so that each
 * standby watches one znode only (no herd effect). */
#include "sched/ha/lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kmesos_ha_lease_init(kmesos_ha_lease *l, int session_timeout_ms)
{
    memset(l, 0, sizeof *l);
    l->length_ns = UINT64_MAX;
    kmesos_ha_lease_limit(l, session_timeout_ms);
}

void kmesos_ha_lease_limit(kmesos_ha_lease *l, int session_timeout_ms)
{
    uint64_t length = (uint64_t)(session_timeout_ms > 0 ? session_timeout_ms : 1) * 2000000ull / 3;
    if (length < l->length_ns)
        l->length_ns = length;
}

void kmesos_ha_lease_take(kmesos_ha_lease *l, uint64_t sent_ns)
{
    if (l->lost)
        return;
    l->held = 1;
    kmesos_ha_lease_renew(l, sent_ns);
}

void kmesos_ha_lease_renew(kmesos_ha_lease *l, uint64_t sent_ns)
{
    if (sent_ns > l->renewed_ns)
        l->renewed_ns = sent_ns;
}

int kmesos_ha_lease_valid(const kmesos_ha_lease *l, uint64_t now_ns)
{
    return kmesos_ha_lease_left(l, now_ns) > 0;
}

uint64_t kmesos_ha_lease_left(const kmesos_ha_lease *l, uint64_t now_ns)
{
    if (!l->held || l->lost || l->renewed_ns == 0)
        return 0;
    uint64_t end = l->renewed_ns + l->length_ns;
    return now_ns < end ? end - now_ns : 0;
}

void kmesos_ha_lease_lose(kmesos_ha_lease *l)
{
    l->held = 0;
    l->lost = 1;
}

/* The sequence number of a candidate's name (the digits after its last
 * '-'), or -1 when it is not one. */
static long long sequence_of(const char *name, const char *prefix)
{
    const char *dash = strrchr(name, '-');
    if (strncmp(name, prefix, strlen(prefix)) != 0 || !dash || !dash[1])
        return -1;
    char *end = NULL;
    long long seq = strtoll(dash + 1, &end, 10);
    return end && !*end && dash[1] >= '0' && dash[1] <= '9' ? seq : -1;
}

static void copy_name(char *out, size_t len, const char *name)
{
    if (out && len)
        snprintf(out, len, "%s", name ? name : "");
}

int kmesos_ha_elect(char *const *names, int count, const char *prefix, const char *me,
                    char *pred, char *leader, size_t len)
{
    long long mine = sequence_of(me, prefix), best = -1, below = -1;
    const char *lowest = NULL, *before = NULL;
    int found = 0;
    for (int i = 0; i < count; i++) {
        long long seq = sequence_of(names[i], prefix);
        if (seq < 0)
            continue;
        found |= strcmp(names[i], me) == 0;
        if (best < 0 || seq < best) {
            best = seq;
            lowest = names[i];
        }
        if (seq < mine && seq > below) {
            below = seq;
            before = names[i];
        }
    }
    if (!found || mine < 0)
        return -1;
    copy_name(leader, len, lowest);
    copy_name(pred, len, before);
    return before ? 1 : 0;
}
