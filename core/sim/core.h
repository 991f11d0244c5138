/* core: one instance of the real scheduler core (kmesos_scheduler, the
 * Lua policy host behind its decider, the offer book and task registry)
 * on the simulator's virtual clock. It is driven the way the scheduler
 * program and the tests drive it: protobuf OFFERS and UPDATE events in
 * (built here with codec/pb), Calls out through kmesos_scheduler_io.send,
 * which hands them to the simulator's hook. The chain is bound to the
 * scheduler with kmesos_policy_bind, as main.c binds it, so the core
 * itself runs the policies' hooks (on_status, on_tick, on_launch). The
 * cluster's agents can be taught to the core's topology before the first
 * offer, as the scheduler learns them from the master's GET_AGENTS.
 * Nothing here knows the modelled master: offers arrive as plain views. */
#ifndef KSIM_CORE_H
#define KSIM_CORE_H
#include <stddef.h>
#include <stdint.h>

#include "sched/policy/policy.h"
#include "sched/scheduler.h"

/* The core's clock is the virtual one moved by this much, so that no time
 * the core keeps is 0 (which some of its fields read as "none"). */
#define KSIM_CORE_CLOCK_BASE_MS 1000000ULL
#define KSIM_CORE_EPOCH_S 1.7e9

typedef struct ksim_core_hooks {
    void *arg;
    /* A call the scheduler sent; valid during the call only. */
    void (*call)(void *arg, size_t fw, const kmesos_call *call);
    uint64_t (*now_ms)(void *arg); /* the virtual clock */
} ksim_core_hooks;

typedef struct ksim_core_config {
    const char *const *policies; /* the chain (at least one file) */
    size_t n_policies;
    const char *options;         /* inline JSON object, or NULL */
    double offer_hold_s, decline_refuse_s, wait_refuse_s;
    size_t fw;                   /* the master's index of this framework */
    ksim_core_hooks hooks;
    struct kmesos_trace *trace;  /* --trace: the core records placement here (NULL: off) */
} ksim_core_config;

typedef struct ksim_core {
    kmesos_scheduler sched;
    kmesos_policy *policy;
    ksim_core_hooks hooks;
    size_t fw;
} ksim_core;

typedef struct ksim_offer_view {
    const char *id, *agent_id, *hostname, *rack; /* rack NULL: no rack attribute */
    double cpus, mem, disk;                      /* disk 0: no disk resource */
} ksim_offer_view;

/* Loads the chain and starts an empty scheduler. 0, or -1 with "policy
 * chain does not load: ..." in err. */
int ksim_core_init(ksim_core *c, const ksim_core_config *cfg, char *err, size_t errlen);
void ksim_core_free(ksim_core *c);
void ksim_core_subscribe(ksim_core *c);
/* One OFFERS event. */
void ksim_core_offers(ksim_core *c, const ksim_offer_view *offers, size_t n);
/* One UPDATE event (uuid != 0: carries that uuid, to be acknowledged);
 * the core tells the policies' on_status. */
void ksim_core_update(ksim_core *c, const char *task_id, const char *agent_id, int state,
                      uint64_t uuid);
/* Adds a workload (owned from now on). 0 or -1. */
int ksim_core_add(ksim_core *c, kmesos_workload *w);
/* The scheduler's tick (which runs the policies' on_tick). */
void ksim_core_tick(ksim_core *c);
/* One agent of GET_AGENTS: into the core's topology. 0 or -1 (memory). */
int ksim_core_learn_agent(ksim_core *c, const char *agent_id, const char *hostname,
                          const char *rack);
/* The slot a task id names, or NULL. */
const kmesos_task *ksim_core_task(ksim_core *c, const char *task_id);

#endif
