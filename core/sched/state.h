/* state: the scheduler's persistent state, so that a restarted scheduler
 * re-subscribes as the same framework and recognises its running tasks
 * instead of launching second copies. Stored as versioned JSON:
 *   {"version":1,"framework_id":"...","tasks":[{"workload":"web",
 *    "instance":0,"task_id":"web-0-3","agent_id":"...","phase":"active"}],
 *    "kafka":{"cluster_id":"...","quorum_size":0,"voters":[...],
 *             "brokers":[...]}}
 * ("kafka" is optional, so files written before it existed still load:
 * the version stays 1.)
 * Writes go to a temp file that is fsync'd and renamed over the old one.
 * A file that does not parse, or has a newer version, stops start-up: it
 * is never overwritten silently. */
#ifndef KMESOS_STATE_H
#define KMESOS_STATE_H
#include <stddef.h>

#include "sched/scheduler.h"

#define KMESOS_STATE_VERSION 1

/* Parses --state: "file:PATH" (or a bare path). "zk:/path" is refused
 * with a message. Returns a malloc'd path, or NULL with err. */
char *kmesos_state_path(const char *url, char *err, size_t errlen);
/* Loads the file into the scheduler (framework id, task slots).
 * 1: no file yet (fresh start); 0: loaded; -1: error in err. */
int kmesos_state_load(const char *path, kmesos_scheduler *s, char *err, size_t errlen);
/* Saves atomically. 0, or -1 with err. */
int kmesos_state_save(const char *path, const kmesos_scheduler *s, char *err, size_t errlen);

#endif
