/* trace: each record is built as a jansson object and written with
 * json_dumpf as one compact line to a stdio stream with a large buffer, so
 * the loop pays a memory copy per record and a write per buffer or tick.
 * A slot is described ("task") once per task id: the slot remembers the
 * id sequence number it was last traced under. */
#include "sched/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec/log.h"

#define MOD "trace"

struct kmesos_trace {
    FILE *f;
    char *path;
};

kmesos_trace *kmesos_trace_open(const char *path, char *err, size_t errlen)
{
    kmesos_trace *tr = calloc(1, sizeof *tr);
    if (!tr || !(tr->path = strdup(path))) {
        free(tr);
        snprintf(err, errlen, "--trace %s: out of memory", path);
        return NULL;
    }
    if (!(tr->f = fopen(path, "a"))) {
        snprintf(err, errlen, "--trace %s: %s", path, strerror(errno));
        free(tr->path);
        free(tr);
        return NULL;
    }
    setvbuf(tr->f, NULL, _IOFBF, 1 << 16);
    return tr;
}

static void trace_fail(kmesos_trace *tr)
{
    KLOG_ERROR(MOD, "--trace %s: write failed (%s): tracing stops", tr->path, strerror(errno));
    fclose(tr->f);
    tr->f = NULL;
}

void kmesos_trace_close(kmesos_trace *tr)
{
    if (!tr)
        return;
    if (tr->f && fclose(tr->f) != 0)
        KLOG_ERROR(MOD, "--trace %s: %s", tr->path, strerror(errno));
    free(tr->path);
    free(tr);
}

void kmesos_trace_flush(kmesos_trace *tr)
{
    if (tr && tr->f && fflush(tr->f) != 0)
        trace_fail(tr);
}

/* Writes {t, ev, ...rec} and drops rec. */
static void trace_put(kmesos_trace *tr, uint64_t now_ms, const char *ev, json_t *rec)
{
    if (!rec)
        return;
    json_object_set_new(rec, "ev", json_string(ev));
    json_object_set_new(rec, "t", json_real((double)now_ms / 1000.0));
    if (json_dumpf(rec, tr->f, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 || fputc('\n', tr->f) == EOF)
        trace_fail(tr);
    json_decref(rec);
}

static int trace_on(const kmesos_trace *tr) { return tr && tr->f; }

void kmesos_trace_offer(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                        const char *rack)
{
    if (trace_on(tr))
        trace_put(tr, now_ms, "offer",
                  json_pack("{s:s, s:s, s:s?, s:s?, s:f, s:f, s:f}", "offer", o->id, "agent",
                            o->agent_id, "host", o->hostname, "rack", rack, "cpus", o->cpus,
                            "mem", o->mem, "disk", o->disk));
}

static json_t *trace_list(char *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

void kmesos_trace_task(kmesos_trace *tr, uint64_t now_ms, kmesos_task *t)
{
    if (!trace_on(tr) || t->traced_seq == t->seq + 1)
        return;
    t->traced_seq = t->seq + 1;
    const kmesos_workload *w = t->workload;
    size_t n_hosts = 0;
    char *const *hosts = kmesos_workload_hosts_of(w, t->instance, &n_hosts);
    json_t *prefer = json_pack("{s:o, s:o, s:o}", "agents",
                               trace_list(w->prefer_agents, w->n_prefer_agents), "hosts",
                               trace_list(hosts, n_hosts), "racks",
                               trace_list(w->prefer_racks, w->n_prefer_racks));
    trace_put(tr, now_ms, "task",
              json_pack("{s:s, s:s, s:i, s:f, s:f, s:f, s:o*}", "task", t->id, "job", w->name,
                        "instance", t->instance, "cpus", w->cpus, "mem", w->mem, "disk",
                        w->disk, "prefer", prefer));
}

void kmesos_trace_verdict(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                          const kmesos_task *t, const char *verdict, const char *reason)
{
    if (trace_on(tr))
        trace_put(tr, now_ms, "verdict",
                  json_pack("{s:s, s:s, s:s, s:s?}", "offer", o->id, "task", t->id, "verdict",
                            verdict, "reason", reason && *reason ? reason : NULL));
}

void kmesos_trace_launch(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                         const kmesos_task *t, const char *locality)
{
    if (trace_on(tr))
        trace_put(tr, now_ms, "launch",
                  json_pack("{s:s, s:s, s:s?, s:s}", "offer", o->id, "task", t->id, "host",
                            o->hostname, "locality", locality));
}

void kmesos_trace_decline(kmesos_trace *tr, uint64_t now_ms, const char *const *offer_ids,
                          size_t n, double refuse_s)
{
    if (!trace_on(tr))
        return;
    json_t *ids = json_array();
    for (size_t i = 0; ids && i < n; i++)
        json_array_append_new(ids, json_string(offer_ids[i]));
    trace_put(tr, now_ms, "decline", json_pack("{s:o*, s:f}", "offers", ids, "refuse_s", refuse_s));
}

void kmesos_trace_hold(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o,
                       uint64_t until_ms)
{
    if (trace_on(tr))
        trace_put(tr, now_ms, "hold",
                  json_pack("{s:s, s:f}", "offer", o->id, "until_s", (double)until_ms / 1000.0));
}

void kmesos_trace_expire(kmesos_trace *tr, uint64_t now_ms, const kmesos_offer *o)
{
    if (trace_on(tr))
        trace_put(tr, now_ms, "expire", json_pack("{s:s}", "offer", o->id));
}

void kmesos_trace_update(kmesos_trace *tr, uint64_t now_ms, const char *task_id,
                         const char *state)
{
    if (trace_on(tr))
        trace_put(tr, now_ms, "update", json_pack("{s:s, s:s}", "task", task_id, "state", state));
}
