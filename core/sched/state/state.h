/* state: the scheduler's persistent state, so that a restarted scheduler
 * re-subscribes as the same framework and recognises its running tasks
 * instead of launching second copies. Stored as versioned JSON:
 *   {"version":1,"framework_id":"...","tasks":[{"workload":"web",
 *    "instance":0,"task_id":"web-0-3","agent_id":"...","phase":"active"}],
 *    "task_seq":3, "<section>":{...}, ...}
 * The scheduler's own part is the framework id, the task slots and the
 * task id counter (task_seq, optional: ids are never reused); a
 * module adds a section of its own under a key (kmesos_state_section;
 * main.c adds the Kafka cluster's as "kafka") through hooks, so this
 * store knows no module. A section is optional, so files written
 * before it existed still load: the version stays 1. A key no module
 * claims stops the load (it would be lost at the next save).
 * Save and load are one schema: an unknown id is left out (never
 * null; nulls of older files still load), every value loaded is checked
 * as the API checks it and a refusal names the entry's path
 * ("tasks[2].agent_id", "kafka.brokers[0]: broker 0: cpus: ..."), with
 * nothing of the scheduler's own part applied.
 * Writes go to a temp file that is fsync'd and renamed over the old one.
 * A file that does not parse, or has a newer version, stops start-up: it
 * is never overwritten silently. The same document can live in a
 * ZooKeeper znode instead (--state zk:..., state_zk.h); the store below
 * picks the backend from the URL. */
#ifndef KMESOS_STATE_H
#define KMESOS_STATE_H
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "sched/scheduler.h"

#define KMESOS_STATE_VERSION 1
#define KMESOS_STATE_MAX_SECTIONS 8
/* After a load the next new task id skips this many numbers above the
 * saved counter: a run that launched tasks after its last successful
 * save (a full disk, then kill -9) never sees those ids reused. Applied
 * at the first new id, so a load followed by a save without a launch
 * writes the same document. */
#define KMESOS_STATE_SEQ_GAP 1000

/* A module's part of the document: one value under its own key. */
typedef struct kmesos_state_section {
    const char *key; /* a top-level key; not version, framework_id or tasks */
    /* The section as it is now (a new reference), or NULL with err when
     * it cannot be encoded: the whole save then fails (nothing is left
     * out silently). */
    json_t *(*save)(void *arg, char *err, size_t errlen);
    /* Restores a saved section (borrowed). Sections load in the order
     * they were added, before the task slots, so that restored tasks find
     * the workloads a module registers. 0, or -1 with err. */
    int (*load)(void *arg, json_t *section, char *err, size_t errlen);
    void *arg;
} kmesos_state_section;

/* What a document holds: the scheduler's framework id and task slots,
 * and the modules' sections. */
typedef struct kmesos_state_doc {
    kmesos_scheduler *sched;
    kmesos_state_section sections[KMESOS_STATE_MAX_SECTIONS];
    size_t n_sections;
} kmesos_state_doc;

/* An optional string of a saved entry: absent (v NULL) or JSON null
 * give *out NULL (older files wrote null), a string gives its value.
 * 0, or -1 when v is anything else. */
int kmesos_state_opt_string(const json_t *v, const char **out);

/* A document of the scheduler without sections. */
void kmesos_state_doc_init(kmesos_state_doc *d, kmesos_scheduler *s);
/* Adds a section (copied). 0, or -1 when the key is taken or there is
 * no room. */
int kmesos_state_doc_add(kmesos_state_doc *d, const kmesos_state_section *sec);

/* How long start-up waits for ZooKeeper to answer the load. */
#define KMESOS_STATE_ZK_TIMEOUT_MS 15000

/* Parses a file --state: "file:PATH" (or a bare path); a "zk:" URL is
 * refused with a message. Returns a malloc'd path, or NULL with err. */
char *kmesos_state_path(const char *url, char *err, size_t errlen);
/* Loads the file into the document (sections, framework id, task
 * slots). 1: no file yet (fresh start); 0: loaded; -1: error in err. */
int kmesos_state_load(const char *path, const kmesos_state_doc *d, char *err, size_t errlen);
/* Saves atomically. 0, or -1 with err. */
int kmesos_state_save(const char *path, const kmesos_state_doc *d, char *err, size_t errlen);

/* The document as text (malloc'd), or NULL with err when something in
 * it cannot be encoded (or out of memory). */
char *kmesos_state_encode(const kmesos_state_doc *d, char *err, size_t errlen);
/* The same without the message. */
char *kmesos_state_dump(const kmesos_state_doc *d);
/* Restores a document read from `where` (for messages). 0, or -1 with err
 * saying it is never overwritten. */
int kmesos_state_parse(const char *text, size_t len, const char *where,
                       const kmesos_state_doc *d, char *err, size_t errlen);

/* The store behind --state: file:PATH, a bare path, zk:/path or
 * zk://host:port[,host:port]/path. */
typedef struct kmesos_state_store kmesos_state_store;
kmesos_state_store *kmesos_state_open(uv_loop_t *loop, const char *url, char *err, size_t errlen);
/* 1: nothing stored yet; 0: loaded; -1: error in err (start-up stops).
 * For ZooKeeper this blocks, bounded by KMESOS_STATE_ZK_TIMEOUT_MS:
 * call it before the loop runs. */
int kmesos_state_store_load(kmesos_state_store *st, const kmesos_state_doc *d, char *err,
                            size_t errlen);
/* A load while the loop runs (scheduler HA: the state is read when this
 * scheduler is elected; ZooKeeper only, the file store says so in err):
 * reads without blocking, restores into d on the loop, then cb runs once
 * with what kmesos_state_store_load returns (err only when rc < 0),
 * unless the store is closed first. 0, or -1 with err (cb never runs). */
typedef void (*kmesos_state_loaded_cb)(void *arg, int rc, const char *err);
int kmesos_state_store_load_async(kmesos_state_store *st, const kmesos_state_doc *d,
                                  kmesos_state_loaded_cb cb, void *arg, char *err,
                                  size_t errlen);
/* A gate asked before every write (scheduler HA: only a leader whose
 * lease holds writes); a refused write is dropped with a log line. */
void kmesos_state_store_set_gate(kmesos_state_store *st, int (*gate)(void *arg), void *arg);
/* Saves now (file) or queues an asynchronous, coalesced write (zk). A
 * failure keeps the stored document, is logged and shown by the status,
 * and the save is tried again (d must live on) after 0.5 s, doubling up
 * to 30 s, until one succeeds. */
void kmesos_state_store_save(kmesos_state_store *st, const kmesos_state_doc *d);
/* "state" of /api/status: {"ok": true}, or {"ok": false, "error": "...",
 * "since": epoch s of the first failure in a row, "retry_ms": next try}.
 * New reference (NULL when out of memory). */
json_t *kmesos_state_store_status_json(const kmesos_state_store *st);
/* How long to wait between saves: 50 ms, or 10x what the last save took
 * on the loop (its encoding and, for a file, its sync grow with the
 * state: 10,000 tasks), at most 2 s, so saving takes a bounded share of
 * the loop whatever the state's size. */
uint64_t kmesos_state_store_gap_ms(const kmesos_state_store *st); /* st may be NULL */
/* 1 when no write waits or is in flight. */
int kmesos_state_store_idle(const kmesos_state_store *st);
/* Lets queued writes finish (briefly), closes the loop handles. NULL ok. */
void kmesos_state_store_close(kmesos_state_store *st);
/* After the loop has ended. NULL ok. */
void kmesos_state_store_free(kmesos_state_store *st);

#endif
