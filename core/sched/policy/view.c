/* view: the tables the policies read, built for speed. Each offer
 * in the book and each task slot gets one Lua table, built on first use
 * and cached (keyed by the C pointer, checked against the id so a reused
 * address is never mistaken for the old entry; as every pair asks for one
 * offer and one task, the last offer view and a direct-mapped array of
 * task views by pointer are tried before the hash tables); per batch (a
 * new loop clock value: one OFFERS event or one tick) only the fields that
 * move with time are refreshed (offer.age_s, task.waiting_s,
 * task.attempts, task.id). ctx.cluster is rebuilt once per batch from the
 * task registry (running = launching or active tasks) and what offers told
 * about each agent (hostname, attributes), then kept current within the
 * batch: an accepted pair is counted at once, new offers are added to
 * `free` by walking the book's insertion-ordered tail, removals trigger a
 * recount; `free` is pushed to Lua only when it changed. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "sched/jobs.h"
#include "sched/policy/internal.h"

/* ---- small Lua helpers ------------------------------------------------------ */

/* Raw accesses only: a policy that puts a metatable on a view must not
 * be able to make the host raise outside a protected call. */
static void set_str(lua_State *L, const char *key, const char *v)
{
    if (!v)
        return;
    lua_pushstring(L, key);
    lua_pushstring(L, v);
    lua_rawset(L, -3);
}

static void set_num(lua_State *L, const char *key, double v)
{
    lua_pushstring(L, key);
    lua_pushnumber(L, v);
    lua_rawset(L, -3);
}

/* Pushes t[key] (t at absolute index tbl); nil when t is not a table. */
static void raw_get(lua_State *L, int tbl, const char *key)
{
    if (!lua_istable(L, tbl)) {
        lua_pushnil(L);
        return;
    }
    lua_pushstring(L, key);
    lua_rawget(L, tbl);
}

static void raw_set(lua_State *L, int tbl, const char *key)
{
    lua_pushstring(L, key);
    lua_insert(L, -2);
    lua_rawset(L, tbl);
}

/* t[key] (t at absolute index tbl) as a table, created when missing;
 * left on the stack. When t is not a table a detached table is pushed. */
static void sub_table(lua_State *L, int tbl, const char *key)
{
    raw_get(L, tbl, key);
    if (lua_istable(L, -1))
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    if (!lua_istable(L, tbl))
        return;
    lua_pushvalue(L, -1);
    raw_set(L, tbl, key);
}

/* t[key][kind] += delta, t at absolute index tbl. */
static void bump(lua_State *L, int tbl, const char *key, const char *kind, double delta)
{
    sub_table(L, tbl, key);
    int row = lua_gettop(L);
    raw_get(L, row, kind);
    double n = lua_tonumber(L, -1) + delta;
    lua_pop(L, 1);
    lua_pushnumber(L, n);
    raw_set(L, row, kind);
    lua_pop(L, 1);
}

static void push_list(lua_State *L, char *const *items, size_t n)
{
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, items[i]);
        lua_rawseti(L, -2, (int)i + 1);
    }
}

static void push_pairs(lua_State *L, const kmesos_kv *kv, size_t n)
{
    lua_createtable(L, 0, (int)n);
    for (size_t i = 0; i < n; i++)
        set_str(L, kv[i].key, kv[i].value);
}

/* ---- agents ----------------------------------------------------------------- */

static void agent_free(kmesos_pagent *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->names[i]);
        free(a->values[i]);
    }
    free(a->names);
    free(a->values);
    free(a->hostname);
    free(a->agent_id);
    free(a);
}

static const char *agent_attr(const kmesos_pagent *a, const char *name)
{
    for (size_t i = 0; a && i < a->n; i++)
        if (strcmp(a->names[i], name) == 0)
            return a->values[i];
    return NULL;
}

static int agent_same(const kmesos_pagent *a, const kmesos_offer *o)
{
    if (!a || !o->hostname || strcmp(a->hostname, o->hostname) != 0 || a->n != o->n_attrs)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const char *v = o->attrs[i].text ? o->attrs[i].text : "";
        if (strcmp(a->names[i], o->attrs[i].name) != 0 || strcmp(a->values[i], v) != 0)
            return 0;
    }
    return 1;
}

static kmesos_pagent *agent_copy(const kmesos_offer *o)
{
    kmesos_pagent *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->agent_id = strdup(o->agent_id);
    a->hostname = strdup(o->hostname ? o->hostname : "");
    a->names = calloc(o->n_attrs + 1, sizeof *a->names);
    a->values = calloc(o->n_attrs + 1, sizeof *a->values);
    int ok = a->agent_id && a->hostname && a->names && a->values;
    for (size_t i = 0; ok && i < o->n_attrs; i++) {
        a->names[i] = strdup(o->attrs[i].name);
        a->values[i] = strdup(o->attrs[i].text ? o->attrs[i].text : "");
        a->n = i + 1;
        ok = a->names[i] && a->values[i];
    }
    if (!ok) {
        agent_free(a);
        return NULL;
    }
    return a;
}

/* Puts what ctx.cluster derives from one agent into the current tables:
 * rack maps and an (empty) count table per attribute name. */
static void agent_to_cluster(kmesos_policy *p, const kmesos_pagent *a)
{
    lua_State *L = p->L;
    int top = lua_gettop(L);
    const char *rack = agent_attr(a, p->rack_attr);
    if (rack) {
        sub_table(L, PSLOT_CLUSTER, "rack_of_host");
        set_str(L, a->hostname, rack);
        sub_table(L, PSLOT_CLUSTER, "rack_of_agent");
        set_str(L, a->agent_id, rack);
    }
    sub_table(L, PSLOT_CLUSTER, "tasks_by_attribute");
    int tba = lua_gettop(L);
    for (size_t i = 0; i < a->n; i++) {
        sub_table(L, tba, a->names[i]);
        lua_pop(L, 1);
    }
    lua_settop(L, top);
}

/* Records the offer's agent; updates ctx.cluster when it is news. */
static void learn_agent(kmesos_policy *p, const kmesos_offer *o)
{
    if (!o->agent_id)
        return;
    kmesos_pagent *a = NULL;
    HASH_FIND_STR(p->agents, o->agent_id, a);
    if (agent_same(a, o))
        return;
    kmesos_pagent *n = agent_copy(o);
    if (!n)
        return;
    if (a) {
        HASH_DEL(p->agents, a);
        agent_free(a);
    }
    HASH_ADD_KEYPTR(hh, p->agents, n->agent_id, strlen(n->agent_id), n);
    agent_to_cluster(p, n);
}

/* ---- views ------------------------------------------------------------------ */

static size_t cache_slot(const void *key)
{
    uintptr_t k = (uintptr_t)key;
    return (size_t)((k >> 4) ^ (k >> 13)) & (KMESOS_PVIEW_CACHE - 1);
}

/* The view of key in head: the shortcut when it holds key, else the hash. */
static kmesos_pview *view_find(kmesos_pview *head, kmesos_pview *hint, const void *key)
{
    if (hint && hint->key == key)
        return hint;
    kmesos_pview *v = NULL;
    HASH_FIND_PTR(head, &key, v);
    return v;
}

static void view_drop(kmesos_policy *p, kmesos_pview **head, kmesos_pview *v)
{
    if (p->offer_last == v)
        p->offer_last = NULL;
    size_t slot = cache_slot(v->key);
    if (p->task_cache[slot] == v)
        p->task_cache[slot] = NULL;
    HASH_DEL(*head, v);
    if (p->L)
        luaL_unref(p->L, PSLOT_VIEWS, v->ref);
    free(v->id);
    free(v);
}

static void views_clear(kmesos_policy *p, kmesos_pview **head)
{
    kmesos_pview *v, *tmp;
    HASH_ITER(hh, *head, v, tmp) view_drop(p, head, v);
}

/* Stores the table on top of the stack as a new view (table popped). */
static kmesos_pview *view_add(kmesos_policy *p, kmesos_pview **head, const void *key,
                              const char *id, const void *aux)
{
    kmesos_pview *v = calloc(1, sizeof *v);
    if (!v || !(v->id = strdup(id ? id : ""))) {
        free(v);
        lua_pop(p->L, 1);
        return NULL;
    }
    v->key = key;
    v->aux = aux;
    v->ref = luaL_ref(p->L, PSLOT_VIEWS);
    v->stamp = p->stamp;
    HASH_ADD_PTR(*head, key, v);
    return v;
}

static double offer_age(const kmesos_policy *p, const kmesos_offer *o)
{
    return p->batch_now_ms > o->received_ms ? (double)(p->batch_now_ms - o->received_ms) / 1000.0
                                            : 0.0;
}

static void push_offer_table(kmesos_policy *p, const kmesos_offer *o)
{
    lua_State *L = p->L;
    lua_createtable(L, 0, 12);
    set_str(L, "id", o->id);
    set_str(L, "agent_id", o->agent_id);
    set_str(L, "hostname", o->hostname);
    set_str(L, "role", o->role);
    set_num(L, "cpus", o->cpus);
    set_num(L, "mem", o->mem);
    set_num(L, "disk", o->disk);
    set_num(L, "age_s", offer_age(p, o));
    lua_createtable(L, 0, (int)o->n_attrs);
    for (size_t i = 0; i < o->n_attrs; i++) {
        if (o->attrs[i].is_scalar)
            set_num(L, o->attrs[i].name, o->attrs[i].scalar);
        else
            set_str(L, o->attrs[i].name, o->attrs[i].text ? o->attrs[i].text : "");
    }
    lua_pushstring(L, "attributes");
    lua_insert(L, -2);
    lua_rawset(L, -3);
    lua_createtable(L, (int)o->n_ports, 0);
    for (size_t i = 0; i < o->n_ports; i++) {
        lua_createtable(L, 2, 0);
        lua_pushnumber(L, (double)o->ports[i].begin);
        lua_rawseti(L, -2, 1);
        lua_pushnumber(L, (double)o->ports[i].end);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_pushstring(L, "ports");
    lua_insert(L, -2);
    lua_rawset(L, -3);
}

void kmesos_pview_push_offer(kmesos_policy *p, const kmesos_offer *o)
{
    lua_State *L = p->L;
    kmesos_pview *v = view_find(p->offer_views, p->offer_last, o);
    if (v && strcmp(v->id, o->id) != 0) {
        view_drop(p, &p->offer_views, v);
        v = NULL;
    }
    if (!v) {
        learn_agent(p, o);
        push_offer_table(p, o);
        lua_pushvalue(L, -1);
        p->offer_last = view_add(p, &p->offer_views, o, o->id, NULL);
        return;
    }
    p->offer_last = v;
    lua_rawgeti(L, PSLOT_VIEWS, v->ref);
    if (v->stamp != p->stamp) {
        v->stamp = p->stamp;
        set_num(L, "age_s", offer_age(p, o));
    }
}

static double waiting_s(const kmesos_policy *p, const kmesos_task *t)
{
    return p->batch_now_ms > t->pending_since_ms
               ? (double)(p->batch_now_ms - t->pending_since_ms) / 1000.0
               : 0.0;
}

/* task.prefer; hosts are the instance's own when it has some. */
static void push_prefer(lua_State *L, const kmesos_task *t)
{
    const kmesos_workload *w = t->workload;
    size_t n_hosts = 0;
    char *const *hosts = kmesos_workload_hosts_of(w, t->instance, &n_hosts);
    if (!w->n_prefer_agents && !n_hosts && !w->n_prefer_racks)
        return;
    lua_createtable(L, 0, 3);
    if (w->n_prefer_agents) {
        push_list(L, w->prefer_agents, w->n_prefer_agents);
        lua_setfield(L, -2, "agents");
    }
    if (n_hosts) {
        push_list(L, hosts, n_hosts);
        lua_setfield(L, -2, "hosts");
    }
    if (w->n_prefer_racks) {
        push_list(L, w->prefer_racks, w->n_prefer_racks);
        lua_setfield(L, -2, "racks");
    }
    lua_setfield(L, -2, "prefer");
}

/* task.job = { id, waiting_s, pending, running, launched } on the task
 * table on top of the stack; rewritten only when what it shows moved
 * (a launch or a pass-over changes it within a batch). */
static void refresh_job(kmesos_policy *p, kmesos_pview *v, const kmesos_task *t)
{
    const kmesos_job *j = t->job;
    if (!j)
        return;
    uint64_t sig[4] = {p->stamp, j->passed_over_ms, ((uint64_t)j->running << 32) | j->pending,
                       j->launched};
    if (v && memcmp(sig, v->job_sig, sizeof sig) == 0)
        return;
    lua_State *L = p->L;
    raw_get(L, lua_gettop(L), "job");
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 5);
        lua_pushvalue(L, -1);
        raw_set(L, lua_gettop(L) - 2, "job");
    }
    set_str(L, "id", j->id);
    set_num(L, "waiting_s", kmesos_job_waiting_s(j, p->batch_now_ms));
    set_num(L, "pending", j->pending);
    set_num(L, "running", j->running);
    set_num(L, "launched", (double)j->launched);
    lua_pop(L, 1);
    if (v)
        memcpy(v->job_sig, sig, sizeof sig);
}

static void push_task_table(kmesos_policy *p, const kmesos_task *t)
{
    lua_State *L = p->L;
    const kmesos_workload *w = t->workload;
    lua_createtable(L, 0, 16);
    set_str(L, "id", t->id);
    set_str(L, "name", w->name);
    set_num(L, "instance", t->instance);
    set_str(L, "kind", w->kind ? w->kind : "command");
    set_num(L, "cpus", w->cpus);
    set_num(L, "mem", w->mem);
    set_num(L, "disk", w->disk);
    set_num(L, "ports_needed", w->ports);
    set_num(L, "waiting_s", waiting_s(p, t));
    set_num(L, "attempts", t->attempts);
    push_prefer(L, t);
    if (w->n_constraints) {
        push_pairs(L, w->constraints, w->n_constraints);
        lua_setfield(L, -2, "constraints");
    }
    push_pairs(L, w->labels, w->n_labels);
    lua_setfield(L, -2, "labels");
}

static void refresh_task(kmesos_policy *p, kmesos_pview *v, const kmesos_task *t)
{
    lua_State *L = p->L;
    v->stamp = p->stamp;
    set_num(L, "waiting_s", waiting_s(p, t));
    set_num(L, "attempts", t->attempts);
    if (strcmp(v->id, t->id) != 0) {
        char *id = strdup(t->id);
        if (id) {
            free(v->id);
            v->id = id;
            set_str(L, "id", id);
        }
    }
}

void kmesos_pview_push_task(kmesos_policy *p, const kmesos_task *t)
{
    size_t slot = cache_slot(t);
    kmesos_pview *v = view_find(p->task_views, p->task_cache[slot], t);
    if (v && (v->aux != (const void *)t->workload || v->gen != t->workload->generation)) {
        view_drop(p, &p->task_views, v);
        v = NULL;
    }
    if (!v) {
        push_task_table(p, t);
        lua_pushvalue(p->L, -1);
        p->task_cache[slot] = view_add(p, &p->task_views, t, t->id, t->workload);
        if (p->task_cache[slot])
            p->task_cache[slot]->gen = t->workload->generation;
        refresh_job(p, p->task_cache[slot], t);
        return;
    }
    p->task_cache[slot] = v;
    lua_rawgeti(p->L, PSLOT_VIEWS, v->ref);
    if (v->stamp != p->stamp)
        refresh_task(p, v, t);
    refresh_job(p, v, t);
}

/* ---- ctx.cluster ------------------------------------------------------------ */

static int task_running(const kmesos_task *t)
{
    return t->phase == KMESOS_PHASE_LAUNCHING || t->phase == KMESOS_PHASE_ACTIVE;
}

/* Counts one running task of kind on (host, agent) in the current tables. */
static void count_task(kmesos_policy *p, const char *host, const kmesos_pagent *a,
                       const char *kind, double delta)
{
    lua_State *L = p->L;
    int top = lua_gettop(L);
    if (host && *host) {
        sub_table(L, PSLOT_CLUSTER, "tasks_by_host");
        bump(L, top + 1, host, kind, delta);
    }
    if (a && a->n) {
        sub_table(L, PSLOT_CLUSTER, "tasks_by_attribute");
        int tba = lua_gettop(L);
        for (size_t i = 0; i < a->n; i++) {
            sub_table(L, tba, a->names[i]);
            bump(L, lua_gettop(L), a->values[i], kind, delta);
            lua_pop(L, 1);
        }
    }
    lua_settop(L, top);
}

static void new_count_tables(kmesos_policy *p)
{
    lua_State *L = p->L;
    lua_newtable(L);
    raw_set(L, PSLOT_CLUSTER, "tasks_by_host");
    lua_newtable(L);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    raw_set(L, lua_gettop(L) - 2, p->rack_attr);
    raw_set(L, PSLOT_CLUSTER, "tasks_by_rack");
    raw_set(L, PSLOT_CLUSTER, "tasks_by_attribute");
}

/* ctx.cluster.rack_of_host / rack_of_agent afresh: every agent the
 * topology knows (GET_AGENTS and offers), then what offers told the host
 * (a policy host without a topology; rebuild_cluster adds those right
 * after). Rebuilt only when the topology changed: between rebuilds an
 * offer from a new agent is added by learn_agent. */
static void racks_rebuild(kmesos_policy *p)
{
    lua_State *L = p->L;
    int top = lua_gettop(L);
    lua_newtable(L);
    raw_set(L, PSLOT_CLUSTER, "rack_of_host");
    lua_newtable(L);
    raw_set(L, PSLOT_CLUSTER, "rack_of_agent");
    for (const kmesos_topo_agent *a = p->topo ? p->topo->agents : NULL; a; a = a->hh.next) {
        if (!a->rack)
            continue;
        sub_table(L, PSLOT_CLUSTER, "rack_of_host");
        set_str(L, a->hostname, a->rack);
        sub_table(L, PSLOT_CLUSTER, "rack_of_agent");
        set_str(L, a->agent_id, a->rack);
        lua_settop(L, top);
    }
    p->topo_gen = p->topo ? p->topo->generation : 0;
    p->racks_valid = 1;
    /* what offers told is added by rebuild_cluster's walk of the agents */
}

/* Drops task views of slots no longer in the registry. */
static void sweep_tasks(kmesos_policy *p)
{
    kmesos_pview *v, *tmp;
    for (v = p->task_views; v; v = v->hh.next)
        v->seen = 0;
    for (const kmesos_task *t = p->tasks->by_id; t; t = t->hh.next) {
        HASH_FIND_PTR(p->task_views, &t, v);
        if (v)
            v->seen = 1;
    }
    HASH_ITER(hh, p->task_views, v, tmp) if (!v->seen) view_drop(p, &p->task_views, v);
}

static void rebuild_cluster(kmesos_policy *p)
{
    p->stats.cluster_builds++;
    if (!p->racks_valid || (p->topo && p->topo->generation != p->topo_gen))
        racks_rebuild(p);
    new_count_tables(p);
    for (kmesos_pagent *a = p->agents; a; a = a->hh.next)
        agent_to_cluster(p, a);
    if (!p->tasks)
        return;
    for (const kmesos_task *t = p->tasks->by_id; t; t = t->hh.next) {
        if (!task_running(t))
            continue;
        kmesos_pagent *a = NULL;
        if (t->agent_id)
            HASH_FIND_STR(p->agents, t->agent_id, a);
        const char *host = t->hostname ? t->hostname : a ? a->hostname : NULL;
        const char *kind = t->workload->kind ? t->workload->kind : "command";
        count_task(p, host, a, kind, 1);
    }
    sweep_tasks(p);
}

/* Drops offer views whose offer left the book (answered or rescinded). */
static void sweep_offers(kmesos_policy *p)
{
    kmesos_pview *v, *tmp;
    if (!p->book) {
        if (HASH_COUNT(p->offer_views) > 4096)
            views_clear(p, &p->offer_views);
        return;
    }
    kmesos_offers *book = (kmesos_offers *)p->book; /* find does not modify */
    HASH_ITER(hh, p->offer_views, v, tmp) {
        if ((const void *)kmesos_offers_find(book, v->id) != v->key)
            view_drop(p, &p->offer_views, v);
    }
}

void kmesos_pview_batch(kmesos_policy *p, uint64_t now_ms, double now_s)
{
    if (p->topo && p->topo->generation != p->topo_gen)
        p->dirty = 1; /* GET_AGENTS answered: new racks */
    if (p->batch_valid && now_ms == p->batch_now_ms && !p->dirty)
        return;
    p->stamp++;
    p->batch_valid = 1;
    p->batch_now_ms = now_ms;
    p->now_s = now_s;
    p->dirty = 0;
    lua_pushnumber(p->L, now_s);
    raw_set(p->L, PSLOT_CTX, "now");
    sweep_offers(p);
    rebuild_cluster(p);
}

/* ---- free resources --------------------------------------------------------- */

static void add_offer(double sum[3], const kmesos_offer *o)
{
    sum[0] += o->cpus;
    sum[1] += o->mem;
    sum[2] += o->disk;
}

static const kmesos_offer *book_tail(const kmesos_offers *b)
{
    if (!b->by_id)
        return NULL;
    UT_hash_table *tbl = b->by_id->hh.tbl;
    return (const kmesos_offer *)((const char *)tbl->tail - tbl->hho);
}

/* 1 when free_sum may have changed since the last call. */
static int recount_free(kmesos_policy *p)
{
    const kmesos_offers *b = p->book;
    uint64_t removed = b->stats.taken + b->stats.rescinded;
    if (p->free_valid && removed == p->sig_removed && b->stats.added == p->sig_added)
        return 0;
    if (p->free_valid && removed == p->sig_removed) {
        /* only additions: they are the last entries in insertion order */
        const kmesos_offer *o = book_tail(b);
        for (uint64_t k = b->stats.added - p->sig_added; o && k > 0; k--) {
            add_offer(p->free_sum, o);
            o = o->hh.prev;
        }
    } else {
        memset(p->free_sum, 0, sizeof p->free_sum);
        memset(p->free_used, 0, sizeof p->free_used);
        for (const kmesos_offer *o = b->by_id; o; o = o->hh.next)
            add_offer(p->free_sum, o);
    }
    p->free_valid = 1;
    p->sig_added = b->stats.added;
    p->sig_removed = removed;
    return 1;
}

static void push_free(kmesos_policy *p)
{
    static const char *const keys[3] = {"cpus", "mem", "disk"};
    for (int i = 0; i < 3; i++) {
        double v = p->free_sum[i] - p->free_used[i];
        if (v == p->free_pushed[i])
            continue;
        p->free_pushed[i] = v;
        lua_pushnumber(p->L, v);
        raw_set(p->L, PSLOT_FREE, keys[i]);
    }
}

void kmesos_pview_sync_free(kmesos_policy *p)
{
    /* free_used only moves in note_launch, which pushes by itself */
    if (p->book && recount_free(p))
        push_free(p);
}

void kmesos_pview_note_launch(kmesos_policy *p, const kmesos_offer *o, const kmesos_task *t)
{
    const kmesos_workload *w = t->workload;
    kmesos_pagent *a = NULL;
    if (o->agent_id)
        HASH_FIND_STR(p->agents, o->agent_id, a);
    count_task(p, o->hostname, a, w->kind ? w->kind : "command", 1);
    if (!p->book)
        return;
    p->free_used[0] += w->cpus;
    p->free_used[1] += w->mem;
    p->free_used[2] += w->disk;
    push_free(p);
}

/* ---- lifecycle -------------------------------------------------------------- */

void kmesos_pview_init_cluster(kmesos_policy *p)
{
    if (p->book) {
        lua_pushvalue(p->L, PSLOT_FREE);
        raw_set(p->L, PSLOT_CLUSTER, "free");
    }
    for (int i = 0; i < 3; i++)
        p->free_pushed[i] = NAN; /* fresh table: push everything */
    p->free_valid = 0;
    p->racks_valid = 0;
    rebuild_cluster(p);
}

void kmesos_pview_reset(kmesos_policy *p)
{
    views_clear(p, &p->offer_views);
    views_clear(p, &p->task_views);
    p->batch_valid = 0;
    p->free_valid = 0;
}

void kmesos_pview_free(kmesos_policy *p)
{
    kmesos_pview_reset(p);
    kmesos_pagent *a, *tmp;
    HASH_ITER(hh, p->agents, a, tmp) {
        HASH_DEL(p->agents, a);
        agent_free(a);
    }
}
