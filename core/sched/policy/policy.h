/* policy: the Lua policy host (DESIGN.md section 5, policies/README.md).
 * Loads an ordered chain of policy files into one LuaJIT state and
 * answers (offer, task) pairs for the scheduler through decide.h's
 * kmesos_evaluate_fn: the policies are asked in order, the first answer
 * that is not "accept" is the pair's answer. Policies see plain tables
 * (offer, task, ctx with ctx.cluster built from the offer book and the
 * task registry), never protobuf structs.
 *
 * Options: --policy-options takes a JSON object mapping a policy name (the
 * `name` its file returns, or the file name without ".lua") to that
 * policy's options table; the argument is a file path or inline JSON when
 * it starts with '{'. The file is re-read on every reload.
 *
 * Errors never stop the scheduler: a policy that raises, runs out of its
 * instruction budget or returns something that is not a verdict makes the
 * pair "decline" with the reason; a reload that fails keeps the old chain.
 * Not thread safe: everything runs on the scheduler's loop. */
#ifndef KMESOS_POLICY_H
#define KMESOS_POLICY_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sched/decide.h"
#include "sched/policy/tally.h"
#include "sched/offers.h"
#include "sched/tasks.h"
#include "sched/topology.h"

#define KMESOS_POLICY_DEFAULT_BUDGET 1000000

typedef struct kmesos_policy_config {
    const char *const *files; /* the chain, in order (copied) */
    size_t n_files;
    const char *options;      /* JSON file or inline "{...}", or NULL */
    uint64_t budget;          /* Lua VM instructions per call; 0: default */
    int jit;                  /* 1: let LuaJIT compile policy code. Faster
                                 for heavy policies, but compiled loops do
                                 not count against the budget (a runaway
                                 loop is then NOT stopped). Default 0. */
    const char *rack_attribute; /* attribute of ctx.cluster.tasks_by_rack and
                                   rack_of_host; NULL: "rack" */
} kmesos_policy_config;

typedef struct kmesos_policy_stats {
    uint64_t evaluations, accepts, declines, waits;
    uint64_t errors;       /* raised, budget hit, or invalid return */
    uint64_t budget_hits;  /* of which: instruction budget exhausted */
    uint64_t invalid;      /* of which: not a verdict / wrong types */
    uint64_t hook_calls, hook_errors; /* on_tick / on_status */
    uint64_t cluster_builds;
    uint64_t reloads, reload_failures;
    double last_reload_ms; /* duration of the last reload attempt */
} kmesos_policy_stats;

typedef struct kmesos_policy kmesos_policy;

/* Loads the chain. NULL with the reason ("FILE:LINE: message") in err. */
kmesos_policy *kmesos_policy_new(const kmesos_policy_config *cfg, char *err, size_t errlen);
void kmesos_policy_free(kmesos_policy *p);

/* Gives the host read access to the scheduler's offer book and task
 * registry, from which it builds ctx.cluster (counts of running tasks by
 * host/rack/attribute, free resources = offers held). Without it
 * ctx.cluster only has empty tables (and no `free`). */
void kmesos_policy_attach(kmesos_policy *p, const kmesos_offers *book,
                          const kmesos_tasks *tasks);
/* Gives the host the scheduler's topology: ctx.cluster.rack_of_host and
 * rack_of_agent then name the rack of every agent the master knows, not
 * only of those that offered. topo must outlive the host (NULL: none). */
void kmesos_policy_attach_topology(kmesos_policy *p, const kmesos_topology *topo);

/* The kmesos_evaluate_fn (impl = the kmesos_policy). An "accept" is taken
 * as a launch: ctx.cluster counts the task on the offer's host at once. */
void kmesos_policy_evaluate(void *impl, const kmesos_offer *offer, const kmesos_task *task,
                            const kmesos_decide_ctx *ctx, kmesos_verdict *out);
/* Makes p the scheduler's evaluator: d's evaluate is
 * kmesos_policy_evaluate, and its status, tick and launched hooks run the
 * chain's on_status, on_tick and on_launch (kmesos_policy_status,
 * kmesos_policy_tick, kmesos_policy_launched). */
void kmesos_policy_bind(kmesos_policy *p, kmesos_decider *d);
/* The same without counting a launch (dry runs, benchmarks). */
void kmesos_policy_eval(kmesos_policy *p, const kmesos_offer *offer, const kmesos_task *task,
                        const kmesos_decide_ctx *ctx, kmesos_verdict *out);

/* Evaluates one pair given as plain JSON tables (dry runs, the admin API):
 * ctx may carry now, state and cluster (each optional; state and cluster
 * then replace the host's for this and later calls). *policy, when not
 * NULL, is set to the name of the policy that answered (NULL for a plain
 * accept). Returns 0, or -1 when a policy failed (the verdict is then a
 * decline whose reason is the error). */
int kmesos_policy_eval_json(kmesos_policy *p, const json_t *offer, const json_t *task,
                            const json_t *ctx, kmesos_verdict *out, const char **policy);

/* Calls every policy's on_tick(ctx). Returns the number of hook errors
 * (logged, counted, kept as last error). */
int kmesos_policy_tick(kmesos_policy *p, double now_s);
/* Runs every policy's on_launch(task, offer, ctx): task was launched on
 * offer. Each hook is isolated like on_tick. Returns the errors count. */
int kmesos_policy_launched(kmesos_policy *p, const kmesos_offer *offer, const kmesos_task *task,
                           double now_s);
/* Calls every policy's on_status(task, status, ctx) with status =
 * { task_id, state = "TASK_RUNNING"..., message }. task may be NULL (the
 * task table is then { id = task_id }). Also marks ctx.cluster stale. */
int kmesos_policy_status(kmesos_policy *p, const kmesos_task *task, const char *task_id,
                         const char *state, const char *message, double now_s);
/* ctx.cluster is rebuilt before the next evaluation (tasks changed). */
void kmesos_policy_invalidate(kmesos_policy *p);

/* Hot reload: loads the same files (and options) into a fresh state;
 * ctx.state is copied over. On any error the old chain stays active.
 * 0, or -1 (the error is kmesos_policy_last_error and logged). Offers and
 * tasks are the scheduler's: a reload neither answers nor drops any. */
int kmesos_policy_reload(kmesos_policy *p);

const kmesos_policy_stats *kmesos_policy_stats_get(const kmesos_policy *p);
/* The non-accept verdicts by policy, kind and reason class (tally.h). */
const kmesos_ptally *kmesos_policy_tally(const kmesos_policy *p);
/* Last error of any kind ("" when none): load/reload, raise, hook. */
const char *kmesos_policy_last_error(const kmesos_policy *p);
/* Last reload error ("" after a successful reload). */
const char *kmesos_policy_reload_error(const kmesos_policy *p);
size_t kmesos_policy_count(const kmesos_policy *p);
const char *kmesos_policy_name(const kmesos_policy *p, size_t i);
const char *kmesos_policy_path(const kmesos_policy *p, size_t i);

/* The chain and its counters as GET /api/policy shows them: {chain:
 * [{name, path}], reloads, reload_failures, last_reload_ms, reload_error,
 * last_error, evaluations, accepts, declines, waits, errors, budget_hits}.
 * A new reference (NULL on no memory). */
json_t *kmesos_policy_json(const kmesos_policy *p);

/* Finds the directory of the shipped policies (the first that holds
 * delay.lua): $KMESOS_POLICY_DIR (only it, when set), ./policies,
 * DIR/../policies, DIR/../../policies and DIR/../share/kafka-mesos/policies
 * for DIR = the folder of this program (then of argv0), the install
 * prefix's share/kafka-mesos/policies and the source tree's policies
 * (both compiled in). Writes it to out; 0 or -1. */
int kmesos_policy_find_dir(const char *argv0, char *out, size_t outlen);
/* The default chain when no --policy is given: DIR/constraints.lua then
 * DIR/delay.lua, written to the two buffers. */
void kmesos_policy_default_chain(const char *dir, char *first, char *second, size_t len);

/* --check-policy: `PROG ... --check-policy [FILE...] [--policy FILE]...
 * [--policy-options JSON|FILE] [--input FILE|-] [--policy-budget N]
 * [--policy-jit]`. Loads the chain (exit 1 when it does not load), then,
 * when --input is given, evaluates {"offers":[...],"tasks":[...],"ctx":{}}
 * (every offer x task) or a list of {"offer","task","ctx"} cases and
 * prints one line per pair; exit 1 when a pair errors. Other arguments
 * are ignored, so main() may pass its whole argv. Exit 2: bad usage, a
 * missing file or unreadable input. */
int kmesos_policy_check_main(int argc, char **argv);

#endif
