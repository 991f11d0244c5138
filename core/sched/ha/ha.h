/* ha: scheduler high availability (--ha zk://[user:pass@]host:port[,...]/path).
 * Several kmesos-schedulers run; one leads, elected through ZooKeeper by
 * the leader-election recipe: each creates an ephemeral sequential znode
 * under the path (data: JSON {"id", "hostname", "api"}), the lowest
 * sequence leads, every other one watches the candidate just before it
 * (no herd effect) and the leader's znode (to know where to redirect).
 *
 * A standby subscribes to nothing, sends nothing and writes nothing; the
 * program answers its API with 307 to the leader's. A leader holds a
 * lease (lease.h) renewed by ZooKeeper round trips; kmesos_ha_may_act is
 * the gate asked before every Mesos call and every state write. When the
 * lease runs out (a stall, ZooKeeper out of reach for 2/3 of the session
 * timeout), or the session expires, the leader is deposed: the gate
 * refuses from then on and the handler hears of it once, from the loop,
 * so that the program steps down. Everything runs on the loop thread
 * (ZooKeeper through net/zkc.h). */
#ifndef KMESOS_HA_H
#define KMESOS_HA_H
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

/* The exit status of a scheduler that was deposed (docs/ha.md). */
#define KMESOS_HA_EXIT_DEPOSED 3

typedef struct kmesos_ha kmesos_ha;

typedef struct kmesos_ha_config {
    const char *url;        /* zk://[user:pass@]host:port[,host:port]/path */
    int session_timeout_ms; /* > 0 */
    const char *id;         /* this scheduler's id (shown to the others) */
    const char *hostname;
    const char *api_url;    /* http://host:port of its API, or NULL */
} kmesos_ha_config;

typedef struct kmesos_ha_handler {
    /* This scheduler leads now, its lease holds. Called once. */
    void (*elected)(void *arg);
    /* The leadership is lost (why: for the log): step down at once.
     * Called once, from a timer, never inside the gate. */
    void (*deposed)(void *arg, const char *why);
    void *arg;
} kmesos_ha_handler;

/* Parses the URL and starts connecting (an unreachable ZooKeeper is
 * retried, logged, and leaves this scheduler a standby). NULL with err
 * for a bad URL or no memory. */
kmesos_ha *kmesos_ha_new(uv_loop_t *loop, const kmesos_ha_config *cfg,
                         const kmesos_ha_handler *handler, char *err, size_t errlen);
/* The gate (arg: the kmesos_ha): 1 when this scheduler leads and its
 * lease holds now (on the monotonic clock, not the loop's cached time);
 * 0 otherwise, and a leader whose lease ran out is deposed. */
int kmesos_ha_may_act(void *ha);
/* 1 while this scheduler leads (its lease may still run out). */
int kmesos_ha_leading(const kmesos_ha *ha);
/* The leader's API URL as it published it, or NULL when no leader is
 * known (or it has no API). */
const char *kmesos_ha_leader_api(const kmesos_ha *ha);
/* {"leader": bool, "id", "leader_id", "leader_api", "since", "lease_ms"}:
 * a new reference. since: epoch seconds of the last change of role. */
json_t *kmesos_ha_json(const kmesos_ha *ha);
/* Ends the ZooKeeper session (the znode vanishes, a standby takes over)
 * and frees ha once its handles are closed. NULL ok. */
void kmesos_ha_close(kmesos_ha *ha);

#endif
