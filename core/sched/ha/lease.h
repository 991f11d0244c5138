/* lease: the leadership lease of scheduler HA (ha.h) and the election
 * rule, as plain functions of a clock value, so that they can be tested
 * with a fake clock.
 *
 * A leader may act (send a call to Mesos, write the state) only while
 * its lease holds. The lease is renewed by a ZooKeeper round trip that
 * succeeded, counted from the moment the request was SENT: the server
 * heard from the session after that moment, so the session (and the
 * leader's ephemeral znode) lives at least a session timeout beyond it.
 * The lease ends 2/3 of the session timeout after that moment, a third
 * of the timeout before the server could expire the session and let a
 * standby take over. Times are monotonic nanoseconds (uv_hrtime). */
#ifndef KMESOS_HA_LEASE_H
#define KMESOS_HA_LEASE_H
#include <stddef.h>
#include <stdint.h>

typedef struct kmesos_ha_lease {
    uint64_t length_ns;  /* 2/3 of the session timeout */
    uint64_t renewed_ns; /* send time of the newest successful round trip; 0: never */
    int held;            /* elected and not deposed */
    int lost;            /* deposed: never held again by this process */
} kmesos_ha_lease;

/* A lease for a ZooKeeper session timeout (ms, > 0), not held. */
void kmesos_ha_lease_init(kmesos_ha_lease *l, int session_timeout_ms);
/* The server granted a shorter session timeout than asked: the lease
 * shortens to 2/3 of it (a longer one changes nothing). */
void kmesos_ha_lease_limit(kmesos_ha_lease *l, int session_timeout_ms);
/* Elected: held from now on, renewed from sent_ns (the send time of the
 * round trip that showed this scheduler leads). Not after a loss. */
void kmesos_ha_lease_take(kmesos_ha_lease *l, uint64_t sent_ns);
/* A round trip sent at sent_ns succeeded; an older one changes nothing. */
void kmesos_ha_lease_renew(kmesos_ha_lease *l, uint64_t sent_ns);
/* 1 while held and now_ns is before the end of the lease. */
int kmesos_ha_lease_valid(const kmesos_ha_lease *l, uint64_t now_ns);
/* Nanoseconds left at now_ns (0 when not valid). */
uint64_t kmesos_ha_lease_left(const kmesos_ha_lease *l, uint64_t now_ns);
/* Deposed: not held, and never again. */
void kmesos_ha_lease_lose(kmesos_ha_lease *l);

/* The election among the children of the election znode: candidates are
 * the names that start with prefix and end in "-<sequence>" (such as
 * "m-<session>-0000000007"; other names are ignored), ordered by
 * sequence number. me: this scheduler's name. Returns 0 when me has the
 * lowest sequence (it leads), 1 when another does (pred: the candidate
 * just before me, the one to watch; leader: the lowest), -1 when me is
 * not among them. pred and leader may be NULL. */
int kmesos_ha_elect(char *const *names, int count, const char *prefix, const char *me,
                    char *pred, char *leader, size_t len);

#endif
