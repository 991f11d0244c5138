/* state: the scheduler's state document (state.h) and the store behind
 * --state. Saving builds the document from the scheduler (framework id,
 * every slot that is not pending, with its workload, instance, task id,
 * agent and a phase of "active", "stopped" or "done") plus what each
 * registered section's save hook returns, and writes it as sorted,
 * indented JSON. Loading checks the version, refuses keys no section
 * claims, hands each section to its module's load hook first (modules
 * register the workloads their tasks point at), then restores each saved
 * slot through the task registry in phase LAUNCHING, so that
 * reconciliation decides whether the task still runs. A saved slot whose
 * workload is no longer configured is dropped with a log line; one
 * beyond its workload's instances comes back stopped (killed if
 * reconciliation finds it alive). The store picks the file (temp file,
 * fsync, rename) or the ZooKeeper backend (state_zk.h) from the URL. A
 * save that fails (a value that cannot be encoded, a full disk) leaves
 * the stored document as it was, is logged, shown by the store's status
 * and tried again on a timer with backoff until one succeeds. */
#include "sched/state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec/str.h"
#include "codec/log.h"
#include "sched/state/state_zk.h"

#define MOD "state"

void kmesos_state_doc_init(kmesos_state_doc *d, kmesos_scheduler *s)
{
    memset(d, 0, sizeof *d);
    d->sched = s;
}

int kmesos_state_opt_string(const json_t *v, const char **out)
{
    *out = json_is_string(v) ? json_string_value(v) : NULL;
    return !v || json_is_null(v) || json_is_string(v) ? 0 : -1;
}

static const kmesos_state_section *section_of(const kmesos_state_doc *d, const char *key)
{
    for (size_t i = 0; i < d->n_sections; i++)
        if (strcmp(d->sections[i].key, key) == 0)
            return &d->sections[i];
    return NULL;
}

/* The scheduler's own keys. */
static int own_key(const char *key)
{
    return strcmp(key, "version") == 0 || strcmp(key, "framework_id") == 0 ||
           strcmp(key, "tasks") == 0 || strcmp(key, "task_seq") == 0;
}

int kmesos_state_doc_add(kmesos_state_doc *d, const kmesos_state_section *sec)
{
    if (d->n_sections == KMESOS_STATE_MAX_SECTIONS || own_key(sec->key) ||
        section_of(d, sec->key))
        return -1;
    d->sections[d->n_sections++] = *sec;
    return 0;
}

char *kmesos_state_path(const char *url, char *err, size_t errlen)
{
    if (strncmp(url, "zk:", 3) == 0) {
        snprintf(err, errlen, "--state %s: a ZooKeeper URL is not supported by the file store",
                 url);
        return NULL;
    }
    const char *path = strncmp(url, "file:", 5) == 0 ? url + 5 : url;
    if (!*path) {
        snprintf(err, errlen, "--state %s: empty path", url);
        return NULL;
    }
    return strdup(path);
}

/* A saved slot. Its phase is "done", "stopped" or "active" (a launching
 * slot is saved as active: either way reconciliation decides); "ran" when
 * its task was reported alive (a master that does not know it then says
 * unknown, which is not final), "unreachable_since" (epoch seconds) while
 * it is unreachable, so that the grace goes on across a restart. */
static json_t *saved_task_json(const kmesos_scheduler *s, const kmesos_task *t)
{
    kmesos_phase p = t->phase == KMESOS_PHASE_DONE || t->phase == KMESOS_PHASE_STOPPED
                         ? t->phase
                         : KMESOS_PHASE_ACTIVE;
    /* no agent yet: left out (s*), no null written */
    json_t *j = json_pack("{s:s, s:i, s:s, s:s*, s:s}", "workload", t->workload->name,
                          "instance", t->instance, "task_id", t->id, "agent_id", t->agent_id,
                          "phase", kmesos_phase_name(p));
    if (j && t->ran)
        json_object_set_new(j, "ran", json_true());
    if (j && t->unreachable_ms) {
        uint64_t now = s->io.now_ms(s->io.arg);
        double ago_s = now > t->unreachable_ms ? (double)(now - t->unreachable_ms) / 1000.0 : 0;
        json_object_set_new(j, "unreachable_since", json_real(s->io.now_s(s->io.arg) - ago_s));
    }
    return j;
}

/* The saved slots (all but the pending ones); NULL with err when one
 * cannot be encoded (text that is not UTF-8: jansson refuses it). */
static json_t *tasks_json(const kmesos_scheduler *s, char *err, size_t errlen)
{
    json_t *tasks = json_array();
    if (!tasks) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (const kmesos_task *t = s->tasks.by_id; t; t = t->hh.next) {
        if (t->phase == KMESOS_PHASE_PENDING)
            continue;
        if (json_array_append_new(tasks, saved_task_json(s, t)) != 0) {
            snprintf(err, errlen, "task %s cannot be encoded", t->id);
            json_decref(tasks);
            return NULL;
        }
    }
    return tasks;
}

/* unreachable_ms on this run's clock for a saved "unreachable_since":
 * as long ago as it was then (at least 1, never in the future). */
static uint64_t restored_unreachable_ms(const kmesos_scheduler *s, double since_s)
{
    uint64_t now = s->io.now_ms(s->io.arg);
    double ago_ms = (s->io.now_s(s->io.arg) - since_s) * 1000.0;
    if (!(ago_ms > 0))
        return now ? now : 1;
    if (ago_ms >= (double)now)
        return 1;
    uint64_t at = now - (uint64_t)ago_ms;
    return at ? at : 1;
}

/* The document, or NULL with err: an entry that cannot be encoded fails
 * the whole save, so that nothing is ever left out silently. */
static json_t *state_json(const kmesos_state_doc *d, char *err, size_t errlen)
{
    const kmesos_scheduler *s = d->sched;
    json_t *tasks = tasks_json(s, err, errlen);
    if (!tasks)
        return NULL;
    /* task_seq: ids are never reused, also across restarts: the mark is
     * past every id handed out (tasks.h, the id reservation) */
    json_t *root = json_pack("{s:i, s:s*, s:o, s:I}", "version", KMESOS_STATE_VERSION,
                             "framework_id", s->framework_id, "tasks", tasks, "task_seq",
                             (json_int_t)kmesos_tasks_seq_mark(&s->tasks));
    if (!root)
        snprintf(err, errlen, "the framework id cannot be encoded, or out of memory");
    for (size_t i = 0; root && i < d->n_sections; i++) {
        const kmesos_state_section *sec = &d->sections[i];
        json_t *value = sec->save(sec->arg, err, errlen);
        if (!value || json_object_set_new(root, sec->key, value) != 0) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The document as sorted, indented JSON (jansson). */
char *kmesos_state_encode(const kmesos_state_doc *d, char *err, size_t errlen)
{
    json_t *j = state_json(d, err, errlen);
    char *text = j ? json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
    if (j && !text)
        snprintf(err, errlen, "out of memory");
    json_decref(j);
    return text;
}

char *kmesos_state_dump(const kmesos_state_doc *d)
{
    char err[512];
    return kmesos_state_encode(d, err, sizeof err);
}

int kmesos_state_save(const char *path, const kmesos_state_doc *d, char *err, size_t errlen)
{
    char why[512];
    char *text = kmesos_state_encode(d, why, sizeof why);
    if (!text) {
        snprintf(err, errlen, "state not saved to %s (the previous file is kept): %s", path,
                 why);
        return -1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = text ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
    int rc = fd >= 0 && write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 &&
                     fsync(fd) == 0
                 ? 0
                 : -1;
    if (fd >= 0 && close(fd) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        snprintf(err, errlen, "cannot write state %s: %s", path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
    }
    free(text);
    return rc;
}

/* Epoch seconds past any real time (year 5138), and the largest task
 * counter (a double still holds it exactly). */
#define SINCE_MAX_S 1e11
#define TASK_SEQ_MAX ((json_int_t)1 << 53)

/* A saved slot, read and checked before anything is applied. */
typedef struct saved_task {
    const char *workload, *task_id, *agent_id, *phase;
    int instance, ran;
    double since;
} saved_task;

/* Reads and checks tasks[i]. 0, or -1 with err naming it. */
static int read_task(json_t *jt, size_t i, saved_task *t, char *err, size_t errlen)
{
    json_error_t je;
    json_t *agent = NULL;
    memset(t, 0, sizeof *t);
    t->phase = "active";
    t->instance = -1;
    if (json_unpack_ex(jt, &je, 0, "{s:s, s:i, s:s, s?o, s?s, s?b, s?F}", "workload",
                       &t->workload, "instance", &t->instance, "task_id", &t->task_id,
                       "agent_id", &agent, "phase", &t->phase, "ran", &t->ran,
                       "unreachable_since", &t->since) != 0) {
        snprintf(err, errlen, "tasks[%zu]: %s", i, je.text);
        return -1;
    }
    if (kmesos_state_opt_string(agent, &t->agent_id) != 0) {
        snprintf(err, errlen, "tasks[%zu].agent_id: expected a string", i);
        return -1;
    }
    const char *bad = t->instance < 0 ? "instance: negative"
                      : !*t->task_id ? "task_id: empty"
                      : strcmp(t->phase, "active") != 0 && strcmp(t->phase, "stopped") != 0 &&
                              strcmp(t->phase, "done") != 0
                          ? "phase: expected active, stopped or done"
                      : !isfinite(t->since) || t->since < 0 || t->since > SINCE_MAX_S
                          ? "unreachable_since: not a time"
                                                            : NULL;
    if (bad)
        snprintf(err, errlen, "tasks[%zu] (%s): %s", i, t->task_id, bad);
    return bad ? -1 : 0;
}

static int restore_task(kmesos_scheduler *s, const saved_task *st, char *err, size_t errlen)
{
    const kmesos_workload *w = kmesos_scheduler_workload(s, st->workload);
    if (!w) {
        KLOG_WARN(MOD, "saved task %s of workload %s/%d is no longer configured: forgotten",
                  st->task_id, st->workload, st->instance);
        return 0;
    }
    kmesos_task *t = kmesos_tasks_restore(&s->tasks, w, st->instance, st->task_id, st->agent_id,
                                          s->io.now_ms(s->io.arg));
    if (!t) {
        snprintf(err, errlen, "duplicate or unusable task entry '%s'", st->task_id);
        return -1;
    }
    t->ran = st->ran;
    if (st->since > 0)
        t->unreachable_ms = restored_unreachable_ms(s, st->since);
    if (strcmp(st->phase, "done") == 0)
        t->phase = KMESOS_PHASE_DONE;
    else if (strcmp(st->phase, "stopped") == 0 || st->instance >= w->instances)
        t->phase = KMESOS_PHASE_STOPPED; /* not wanted: killed if alive */
    return 0;
}

/* Every task entry read and checked (before anything is applied). NULL
 * with err; an empty list is a valid result. */
static saved_task *read_tasks(json_t *tasks, char *err, size_t errlen)
{
    size_t i, n = json_array_size(tasks);
    saved_task *out = calloc(n ? n : 1, sizeof *out);
    json_t *jt;
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    json_array_foreach(tasks, i, jt) if (read_task(jt, i, &out[i], err, errlen) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Hands each saved section to its module; a key no module claims is an
 * error (saving would drop it). */
static int restore_sections(const kmesos_state_doc *d, json_t *root, char *err, size_t errlen)
{
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value) {
        if (!own_key(key) && !section_of(d, key)) {
            snprintf(err, errlen, "the state holds a '%s' section but this scheduler has no "
                     "module for it", key);
            return -1;
        }
    }
    for (size_t i = 0; i < d->n_sections; i++) {
        const kmesos_state_section *sec = &d->sections[i];
        json_t *saved = json_object_get(root, sec->key);
        if (saved && sec->load(sec->arg, saved, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int restore(const kmesos_state_doc *d, json_t *root, char *err, size_t errlen)
{
    kmesos_scheduler *s = d->sched;
    json_int_t version = 0;
    json_t *jfwid = NULL; /* a string, or null when saved before SUBSCRIBED */
    json_t *tasks = NULL;
    json_int_t seq = 0;
    json_error_t je;
    if (json_unpack_ex(root, &je, 0, "{s:I, s?o, s:o, s?I}", "version", &version, "framework_id",
                       &jfwid, "tasks", &tasks, "task_seq", &seq) != 0) {
        snprintf(err, errlen, "%s", je.text);
        return -1;
    }
    if (jfwid && !json_is_null(jfwid) && (!json_is_string(jfwid) || !*json_string_value(jfwid))) {
        snprintf(err, errlen, "framework_id: expected a non-empty string");
        return -1;
    }
    const char *fwid = json_is_string(jfwid) ? json_string_value(jfwid) : NULL;
    if (seq < 0 || seq > TASK_SEQ_MAX) {
        snprintf(err, errlen, "task_seq: %lld is out of range", (long long)seq);
        return -1;
    }
    if (version != KMESOS_STATE_VERSION) {
        snprintf(err, errlen, "state version %lld is not %d (written by a %s kmesos-scheduler)",
                 (long long)version, KMESOS_STATE_VERSION,
                 version > KMESOS_STATE_VERSION ? "newer" : "different");
        return -1;
    }
    if (!json_is_array(tasks)) {
        snprintf(err, errlen, "'tasks' is not an array");
        return -1;
    }
    saved_task *saved = read_tasks(tasks, err, errlen);
    if (!saved || restore_sections(d, root, err, errlen) != 0) {
        free(saved);
        return -1;
    }
    kmesos_scheduler_set_framework_id(s, fwid);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(tasks); i++)
        rc = restore_task(s, &saved[i], err, errlen);
    free(saved);
    /* never below the saved counter nor the highest id restored; the
     * next new id is a gap above both, past ids a previous run launched
     * after its last successful save (then killed) */
    if (rc == 0 && (uint64_t)seq > s->tasks.seq)
        s->tasks.seq = (uint64_t)seq;
    if (rc == 0) {
        s->tasks.seq_skip = KMESOS_STATE_SEQ_GAP;
        /* what was read is written: ids up to it may launch */
        s->tasks.seq_mark = s->tasks.seq;
        kmesos_tasks_seq_saved(&s->tasks, s->tasks.seq);
    }
    return rc;
}

static int restore_root(json_t *root, const json_error_t *je, const char *where,
                        const kmesos_state_doc *d, char *err, size_t errlen)
{
    char why[256];
    int rc = -1;
    if (!root)
        snprintf(why, sizeof why, "line %d: %s", je->line, je->text);
    else
        rc = restore(d, root, why, sizeof why);
    json_decref(root);
    if (rc != 0)
        snprintf(err, errlen, "%.400s is unusable (%s); fix or move it away, it is never "
                 "overwritten", where, why);
    return rc;
}

int kmesos_state_load(const char *path, const kmesos_state_doc *d, char *err, size_t errlen)
{
    if (access(path, F_OK) != 0)
        return 1;
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    char where[4200];
    snprintf(where, sizeof where, "state file %s", path);
    return restore_root(root, &je, where, d, err, errlen);
}

int kmesos_state_parse(const char *text, size_t len, const char *where,
                       const kmesos_state_doc *d, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    return restore_root(root, &je, where, d, err, errlen);
}

/* ---- the store behind --state ------------------------------------------------------ */

/* A failed save is tried again after this, doubling up to the max. */
#define SAVE_RETRY_FIRST_MS 500
#define SAVE_RETRY_MAX_MS 30000

struct kmesos_state_store {
    char *path;          /* file store */
    kmesos_state_zk *zk; /* or ZooKeeper */
    char url[1024];
    uv_timer_t retry;    /* a failed save again; data: the store */
    int has_timer;
    const kmesos_state_doc *retry_doc;
    unsigned retry_ms;   /* the next retry's delay, 0 while saves succeed */
    char error[512];     /* the last save's error, "" when it succeeded */
    double failed_since_s; /* epoch s of the first failure in a row */
    int (*gate)(void *arg); /* may this scheduler write? NULL: always */
    void *gate_arg;
    const kmesos_state_doc *zk_doc; /* the document of the last zk save */
    uint64_t zk_mark;               /* its task_seq (tasks.h, id reservation) */
    const kmesos_state_doc *load_doc; /* an asynchronous load's */
    kmesos_state_loaded_cb load_cb;
    void *load_arg;
    uint64_t cost_ms; /* what the last save took on the loop */
};

/* The znode holds the last document given: its task ids may launch. */
static void on_zk_written(void *arg)
{
    kmesos_state_store *st = arg;
    if (st->zk_doc)
        kmesos_tasks_seq_saved(&st->zk_doc->sched->tasks, st->zk_mark);
}

kmesos_state_store *kmesos_state_open(uv_loop_t *loop, const char *url, char *err, size_t errlen)
{
    kmesos_state_store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(st->url, sizeof st->url, "%s", url);
    if (strncmp(url, "zk:", 3) == 0)
        st->zk = kmesos_state_zk_new(loop, url, err, errlen);
    else
        st->path = kmesos_state_path(url, err, errlen);
    if (!st->zk && !st->path) {
        free(st);
        return NULL;
    }
    if (st->zk)
        kmesos_state_zk_on_written(st->zk, on_zk_written, st);
    st->has_timer = loop && uv_timer_init(loop, &st->retry) == 0;
    st->retry.data = st;
    return st;
}

/* The stored text restored into d (rc 0 from the store), or rc as is. */
static int zk_apply(kmesos_state_store *st, const kmesos_state_doc *d, int rc, const char *text,
                    const char *why, char *err, size_t errlen)
{
    char where[1100];
    if (rc < 0)
        snprintf(err, errlen, "--state %.400s: cannot load the state: %.500s", st->url, why);
    if (rc != 0)
        return rc;
    snprintf(where, sizeof where, "state znode %s", st->url);
    return kmesos_state_parse(text, strlen(text), where, d, err, errlen);
}

static int zk_load(kmesos_state_store *st, const kmesos_state_doc *d, char *err, size_t errlen)
{
    char *text = NULL, why[512];
    int rc = kmesos_state_zk_load(st->zk, KMESOS_STATE_ZK_TIMEOUT_MS, &text, why, sizeof why);
    rc = zk_apply(st, d, rc, text, why, err, errlen);
    free(text);
    return rc;
}

static void on_zk_loaded(void *arg, int rc, char *text, const char *why)
{
    kmesos_state_store *st = arg;
    char err[1024] = "";
    rc = zk_apply(st, st->load_doc, rc, text, why, err, sizeof err);
    free(text);
    st->load_cb(st->load_arg, rc, err);
}

int kmesos_state_store_load_async(kmesos_state_store *st, const kmesos_state_doc *d,
                                  kmesos_state_loaded_cb cb, void *arg, char *err,
                                  size_t errlen)
{
    if (!st->zk) {
        snprintf(err, errlen, "--state %s: only a zk: store loads while the scheduler runs",
                 st->url);
        return -1;
    }
    st->load_doc = d;
    st->load_cb = cb;
    st->load_arg = arg;
    return kmesos_state_zk_load_async(st->zk, KMESOS_STATE_ZK_TIMEOUT_MS, on_zk_loaded, st, err,
                                      errlen);
}

void kmesos_state_store_set_gate(kmesos_state_store *st, int (*gate)(void *arg), void *arg)
{
    st->gate = gate;
    st->gate_arg = arg;
    if (st->zk)
        kmesos_state_zk_set_gate(st->zk, gate, arg);
}

int kmesos_state_store_load(kmesos_state_store *st, const kmesos_state_doc *d, char *err,
                            size_t errlen)
{
    return st->zk ? zk_load(st, d, err, errlen) : kmesos_state_load(st->path, d, err, errlen);
}

static void on_save_retry(uv_timer_t *t)
{
    kmesos_state_store *st = t->data;
    kmesos_state_store_save(st, st->retry_doc);
}

/* Loud: logged, kept for /api/status, tried again with backoff. The
 * previous file or znode stays as it was. */
static void save_failed(kmesos_state_store *st, const kmesos_state_doc *d, const char *why)
{
    if (!st->error[0])
        st->failed_since_s = (double)time(NULL);
    kmesos_str_copy(st->error, sizeof st->error, why);
    st->retry_ms = !st->retry_ms ? SAVE_RETRY_FIRST_MS
                   : st->retry_ms >= SAVE_RETRY_MAX_MS / 2 ? SAVE_RETRY_MAX_MS
                                                           : st->retry_ms * 2;
    st->retry_doc = d;
    KLOG_ERROR(MOD, "%s; retrying in %u ms", why, st->retry_ms);
    if (st->has_timer)
        uv_timer_start(&st->retry, on_save_retry, st->retry_ms, 0);
}

static void save_done(kmesos_state_store *st)
{
    if (st->error[0])
        KLOG_INFO(MOD, "state saved to %s again", st->url);
    st->error[0] = '\0';
    st->retry_ms = 0;
    if (st->has_timer)
        uv_timer_stop(&st->retry);
}

static void store_save(kmesos_state_store *st, const kmesos_state_doc *d);

void kmesos_state_store_save(kmesos_state_store *st, const kmesos_state_doc *d)
{
    uint64_t t0 = uv_hrtime();
    store_save(st, d);
    st->cost_ms = (uv_hrtime() - t0) / 1000000;
    KLOG_DEBUG(MOD, "state saved in %llu ms", (unsigned long long)st->cost_ms);
}

#define SAVE_GAP_MS 50
#define SAVE_COST_X 10
#define SAVE_GAP_MAX_MS 2000

uint64_t kmesos_state_store_gap_ms(const kmesos_state_store *st)
{
    uint64_t gap = st ? st->cost_ms * SAVE_COST_X : 0;
    return gap < SAVE_GAP_MS ? SAVE_GAP_MS : gap > SAVE_GAP_MAX_MS ? SAVE_GAP_MAX_MS : gap;
}

static void store_save(kmesos_state_store *st, const kmesos_state_doc *d)
{
    char err[1024];
    char *text = NULL;
    if (st->gate && !st->gate(st->gate_arg)) {
        KLOG_WARN(MOD, "state not saved: this scheduler is not the leader");
        return;
    }
    uint64_t mark = kmesos_tasks_seq_mark(&d->sched->tasks);
    if (!st->zk) {
        if (kmesos_state_save(st->path, d, err, sizeof err) != 0) {
            save_failed(st, d, err);
        } else {
            kmesos_tasks_seq_saved(&d->sched->tasks, mark);
            save_done(st);
        }
        return;
    }
    char why[512];
    if (!(text = kmesos_state_encode(d, why, sizeof why))) {
        snprintf(err, sizeof err, "state not saved to %.400s (the stored one is kept): %s", st->url,
                 why);
        save_failed(st, d, err);
        return;
    }
    save_done(st); /* the zk backend retries its writes itself */
    st->zk_doc = d;
    st->zk_mark = mark;
    kmesos_state_zk_save(st->zk, text);
}

json_t *kmesos_state_store_status_json(const kmesos_state_store *st)
{
    double zk_since = 0;
    const char *zk_err = st->zk ? kmesos_state_zk_error(st->zk, &zk_since) : "";
    if (st->error[0])
        return json_pack("{s:b, s:s, s:f, s:i}", "ok", 0, "error", st->error, "since",
                         st->failed_since_s, "retry_ms", (int)st->retry_ms);
    if (zk_err[0]) /* the zk backend retries its own writes */
        return json_pack("{s:b, s:s, s:f}", "ok", 0, "error", zk_err, "since", zk_since);
    return json_pack("{s:b}", "ok", 1);
}

int kmesos_state_store_idle(const kmesos_state_store *st)
{
    return !st->zk || kmesos_state_zk_idle(st->zk);
}

void kmesos_state_store_close(kmesos_state_store *st)
{
    if (st && st->has_timer && !uv_is_closing((uv_handle_t *)&st->retry))
        uv_close((uv_handle_t *)&st->retry, NULL);
    if (st && st->zk)
        kmesos_state_zk_close(st->zk, 3000);
}

void kmesos_state_store_free(kmesos_state_store *st)
{
    if (!st)
        return;
    kmesos_state_zk_free(st->zk);
    free(st->path);
    free(st);
}
