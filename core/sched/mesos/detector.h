/* detector: finds the leading Mesos master through ZooKeeper, for
 * `--master zk://[user:pass@]host:port[,host:port...]/path`, as the Mesos
 * scheduler library does: the lowest-sequence member of the group znode
 * (master_info.h) leads. It watches the group's children and tells its
 * owner (the session) the leader's URL whenever it changes, or NULL when
 * no leader is known (none registered, the group znode missing, the
 * session expired, a leader znode that cannot be decoded). Errors are
 * logged once and retried with backoff. Asynchronous on the loop
 * (net/zkc.h); nothing blocks. */
#ifndef KMESOS_DETECTOR_H
#define KMESOS_DETECTOR_H
#include <stddef.h>
#include <uv.h>

typedef struct kmesos_detector kmesos_detector;

/* url: "http://host:port" of the new leader, or NULL: no leader known. */
typedef void (*kmesos_detector_cb)(void *arg, const char *url);

/* 1 when spec is a zk:// URL (for the detector, not a master list). */
int kmesos_detector_is_zk(const char *spec);
/* Parses url and starts detecting. NULL with a message in err for a bad
 * URL (nothing is started then). cb runs on the loop, never inside new. */
kmesos_detector *kmesos_detector_new(uv_loop_t *loop, const char *url, kmesos_detector_cb cb,
                                     void *arg, char *err, size_t errlen);
/* The current leader's URL, or NULL. */
const char *kmesos_detector_leader(const kmesos_detector *d);
/* Stops detecting; cb never runs again. Freed as the loop runs on. Safe
 * on NULL and inside cb. */
void kmesos_detector_close(kmesos_detector *d);

#endif
