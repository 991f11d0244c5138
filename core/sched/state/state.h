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
 * is never overwritten silently. The same document can live in a
 * ZooKeeper znode instead (--state zk:..., state_zk.h); the store below
 * picks the backend from the URL. */
#ifndef KMESOS_STATE_H
#define KMESOS_STATE_H
#include <stddef.h>
#include <uv.h>

#include "sched/scheduler.h"

#define KMESOS_STATE_VERSION 1

/* How long start-up waits for ZooKeeper to answer the load. */
#define KMESOS_STATE_ZK_TIMEOUT_MS 15000

/* Parses a file --state: "file:PATH" (or a bare path); a "zk:" URL is
 * refused with a message. Returns a malloc'd path, or NULL with err. */
char *kmesos_state_path(const char *url, char *err, size_t errlen);
/* Loads the file into the scheduler (framework id, task slots).
 * 1: no file yet (fresh start); 0: loaded; -1: error in err. */
int kmesos_state_load(const char *path, kmesos_scheduler *s, char *err, size_t errlen);
/* Saves atomically. 0, or -1 with err. */
int kmesos_state_save(const char *path, const kmesos_scheduler *s, char *err, size_t errlen);

/* The document as text (malloc'd), or NULL when out of memory. */
char *kmesos_state_dump(const kmesos_scheduler *s);
/* Restores a document read from `where` (for messages). 0, or -1 with err
 * saying it is never overwritten. */
int kmesos_state_parse(const char *text, size_t len, const char *where, kmesos_scheduler *s,
                       char *err, size_t errlen);

/* The store behind --state: file:PATH, a bare path, zk:/path or
 * zk://host:port[,host:port]/path. */
typedef struct kmesos_state_store kmesos_state_store;
kmesos_state_store *kmesos_state_open(uv_loop_t *loop, const char *url, char *err, size_t errlen);
/* 1: nothing stored yet; 0: loaded; -1: error in err (start-up stops).
 * For ZooKeeper this blocks, bounded by KMESOS_STATE_ZK_TIMEOUT_MS:
 * call it before the loop runs. */
int kmesos_state_store_load(kmesos_state_store *st, kmesos_scheduler *s, char *err,
                            size_t errlen);
/* Saves now (file) or queues an asynchronous, coalesced write (zk);
 * errors are logged. */
void kmesos_state_store_save(kmesos_state_store *st, const kmesos_scheduler *s);
/* Lets queued writes finish (briefly), closes the loop handles. NULL ok. */
void kmesos_state_store_close(kmesos_state_store *st);
/* After the loop has ended. NULL ok. */
void kmesos_state_store_free(kmesos_state_store *st);

#endif
