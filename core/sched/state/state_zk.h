/* state_zk: the scheduler's state document (state.h) kept in one
 * ZooKeeper znode, for `--state zk:/path` or
 * `--state zk://host:port[,host:port]/path` (bare zk:/path connects to
 * $KMESOS_ZK, default 127.0.0.1:2181).
 *
 * Client: net/zkc.h (libzookeeper_mt underneath; every answer reaches
 * this module on the loop thread), shared with the master detector.
 *
 * Loading happens once, before the main loop runs (it runs the loop
 * itself until the znode is read), and is bounded by a timeout: the
 * scheduler must not subscribe before it knows its framework id and
 * tasks (it would register a second framework and launch duplicates),
 * and nothing else runs yet.
 *
 * Saves are asynchronous and coalesced: one write in flight, only the
 * newest document waits behind it. Writes carry the znode version; a
 * version mismatch that is not our own in-doubt write (sent before a
 * connection loss) means another writer: logged as an error, then this
 * scheduler's document is written over it. During an outage the newest
 * document waits and is written when the session is back. With --ha a
 * gate (the leadership lease) is asked before each write. */
#ifndef KMESOS_STATE_ZK_H
#define KMESOS_STATE_ZK_H
#include <stddef.h>
#include <uv.h>

#define KMESOS_STATE_ZK_DEFAULT "127.0.0.1:2181"

typedef struct kmesos_state_zk kmesos_state_zk;

/* Splits a zk URL into its server list and znode path (both malloc'd).
 * 0, or -1 with err. */
int kmesos_state_zk_parse(const char *url, char **hosts, char **path, char *err, size_t errlen);
/* Parses the URL and starts connecting. NULL with err. */
kmesos_state_zk *kmesos_state_zk_new(uv_loop_t *loop, const char *url, char *err, size_t errlen);
/* Reads the znode; runs the loop for up to timeout_ms, so call it before
 * the main uv_run, when nothing else is on the loop.
 * 1: no znode (fresh start); 0: *text (malloc'd, NUL-terminated); -1: err. */
int kmesos_state_zk_load(kmesos_state_zk *z, int timeout_ms, char **text, char *err,
                         size_t errlen);
/* The same without blocking, while the main loop runs (scheduler HA: the
 * state is read on election): cb runs once on the loop thread (already
 * inside this call when the request cannot be sent) with what
 * kmesos_state_zk_load returns (text owned by cb, err only when rc < 0),
 * unless the store is closed first. 0, or -1 with err (cb never runs). */
typedef void (*kmesos_state_zk_load_cb)(void *arg, int rc, char *text, const char *err);
int kmesos_state_zk_load_async(kmesos_state_zk *z, int timeout_ms, kmesos_state_zk_load_cb cb,
                               void *arg, char *err, size_t errlen);
/* A gate asked right before every write leaves (scheduler HA: only a
 * leader whose lease holds writes). When it refuses, the write and what
 * waits behind it are dropped with a log line. gate NULL: none. */
void kmesos_state_zk_set_gate(kmesos_state_zk *z, int (*gate)(void *arg), void *arg);
/* Queues a document for writing (takes ownership of text). */
void kmesos_state_zk_save(kmesos_state_zk *z, char *text);
/* cb(arg) runs when a write leaves the znode holding the last text given
 * to kmesos_state_zk_save (nothing newer waits). */
void kmesos_state_zk_on_written(kmesos_state_zk *z, void (*cb)(void *arg), void *arg);
/* The last write's error ("" once a write succeeded, retried meanwhile)
 * and since when (epoch s) writes fail, for the store's status. */
const char *kmesos_state_zk_error(const kmesos_state_zk *z, double *since_s);
/* 1 when nothing waits to be written and no write is in flight. */
int kmesos_state_zk_idle(const kmesos_state_zk *z);
/* Number of documents written so far. */
unsigned kmesos_state_zk_writes(const kmesos_state_zk *z);
/* Writes what waits (for up to grace_ms while connected), then closes
 * the loop handles. Safe on NULL and twice. */
void kmesos_state_zk_close(kmesos_state_zk *z, unsigned grace_ms);
/* After close and the loop has ended: frees everything. */
void kmesos_state_zk_free(kmesos_state_zk *z);

#endif
