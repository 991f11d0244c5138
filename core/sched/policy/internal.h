/* internal: the policy host's private parts, shared by host.c (loading,
 * validating and reloading the chain), eval.c (pairs through the chain,
 * budget, hooks) and view.c (the offer, task and ctx.cluster tables the
 * policies read). Not for other modules. */
#ifndef KMESOS_POLICY_INT_H
#define KMESOS_POLICY_INT_H
#include <stdint.h>
#include <uthash.h>

#include <lua.h>

#include "sched/policy/policy.h"

/* Registry key of the kmesos_policy (a light userdata) in every state. */
#define KMESOS_POLICY_HOST_KEY "kmesos.policy.host"

/* Fixed stack slots of every host lua_State (the stack is kept at
 * PSLOT_TOP between calls, so these are cheap lua_pushvalue sources). */
enum {
    PSLOT_DRIVER = 1, /* evaluate(offer, task) -> code, index, verdict, reason, refuse */
    PSLOT_HOOK,       /* hook(name, task, status) -> nil | errors */
    PSLOT_CURRENT,    /* current() -> index of the policy running (after an error) */
    PSLOT_VIEWS,      /* luaL_ref table holding offer and task tables */
    PSLOT_CTX,        /* the one ctx table */
    PSLOT_CLUSTER,    /* ctx.cluster */
    PSLOT_FREE,       /* ctx.cluster.free (only while a book is attached) */
    PSLOT_DECLINE,    /* interned "decline" */
    PSLOT_WAIT,       /* interned "wait" */
    PSLOT_TOP = PSLOT_WAIT
};

/* A cached Lua table for one offer-book entry or task slot. */
typedef struct kmesos_pview {
    const void *key;   /* the offer or task pointer */
    char *id;          /* its id when the table was built or refreshed */
    const void *aux;   /* task: its workload (slot reuse check) */
    uint64_t gen;      /* task: its workload's generation (a reused address) */
    int ref;           /* in PSLOT_VIEWS */
    uint64_t stamp;    /* batch of the last refresh */
    uint64_t job_sig[4]; /* task: what its task.job table shows (batch stamp,
                          * job clock start, counts, launches) */
    int seen;
    UT_hash_handle hh;
} kmesos_pview;

/* What offers told about an agent: kept for the host's lifetime (the
 * rack of a host, attributes of the agents tasks run on). */
typedef struct kmesos_pagent {
    char *agent_id;
    char *hostname;
    char **names, **values; /* attribute name -> text */
    size_t n;
    UT_hash_handle hh;
} kmesos_pagent;

/* Slots of the direct-mapped task view cache (a power of two). */
#define KMESOS_PVIEW_CACHE 512

typedef struct kmesos_pentry {
    char *name;
    char *path;
} kmesos_pentry;

struct kmesos_policy {
    /* configuration, kept for reloads */
    char **files;
    size_t n_files;
    char *options;
    uint64_t budget;
    int jit;
    char *rack_attr;
    /* the active chain */
    lua_State *L;
    kmesos_pentry *entries;
    size_t n_entries;
    const char *s_decline, *s_wait; /* interned strings of L */
    int last_index;                 /* 1-based policy of the last non-accept */
    /* views and cluster (view.c) */
    kmesos_pview *offer_views, *task_views;
    /* lookup shortcuts in front of the hash tables (every pair asks for
     * one offer and one task view): the last offer view, and task views
     * by pointer bits; entries are cleared when their view is dropped */
    kmesos_pview *offer_last;
    kmesos_pview *task_cache[KMESOS_PVIEW_CACHE];
    kmesos_pagent *agents;
    const kmesos_offers *book;
    const kmesos_tasks *tasks;
    const kmesos_topology *topo;
    uint64_t topo_gen;     /* topology generation in the rack maps */
    int racks_valid;       /* ctx.cluster.rack_of_host/agent are built */
    uint64_t stamp;        /* batch counter */
    uint64_t batch_now_ms; /* loop clock of the current batch */
    int batch_valid;
    int dirty;             /* rebuild ctx.cluster at the next batch */
    double now_s;
    uint64_t sig_added, sig_removed;
    int free_valid;
    double free_sum[3], free_used[3], free_pushed[3];
    /* accounting */
    kmesos_policy_stats stats;
    kmesos_ptally tally; /* verdicts by policy and reason class, for /metrics */
    char last_error[512];
    char reload_error[512];
};

/* ---- eval.c ---- */
/* Builds the chain walker of a fresh state from the table of entries at
 * index entries (name, options, evaluate, on_status, on_tick each) and
 * sets PSLOT_DRIVER, PSLOT_HOOK and PSLOT_CURRENT. 0, or -1 with err. */
int kmesos_peval_driver(lua_State *L, int entries, char *err, size_t errlen);
/* Arms the instruction budget of the next call on L. */
void kmesos_peval_arm(kmesos_policy *p, lua_State *L, uint64_t budget);
/* Text of the error value at idx (pushes one when it is not a string). */
const char *kmesos_peval_error_text(lua_State *L, int idx);
/* Keeps msg as the last error (kmesos_policy_last_error). */
void kmesos_peval_set_error(kmesos_policy *p, const char *msg);

/* ---- view.c ---- */
/* Starts a batch when the clock moved or the cluster is stale: ctx.now,
 * ctx.cluster rebuilt, view sweep. */
void kmesos_pview_batch(kmesos_policy *p, uint64_t now_ms, double now_s);
/* Pushes the cached table of the offer / task (built on first use). */
void kmesos_pview_push_offer(kmesos_policy *p, const kmesos_offer *o);
void kmesos_pview_push_task(kmesos_policy *p, const kmesos_task *t);
/* Brings ctx.cluster.free up to date with the book. */
void kmesos_pview_sync_free(kmesos_policy *p);
/* Counts task as running on the offer's agent (after an accept). */
void kmesos_pview_note_launch(kmesos_policy *p, const kmesos_offer *o, const kmesos_task *t);
/* Forgets all Lua tables (the state is going away). */
void kmesos_pview_reset(kmesos_policy *p);
/* Frees the agent map too. */
void kmesos_pview_free(kmesos_policy *p);
/* Fills ctx.cluster of a fresh p->L (slots set, views reset). */
void kmesos_pview_init_cluster(kmesos_policy *p);

#endif
