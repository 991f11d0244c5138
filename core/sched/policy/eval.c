/* eval: the policy host's hot path: one (offer, task) pair through the
 * chain, and the chain's on_status / on_tick / on_launch hooks.
 *
 * A small Lua driver, built into every state at load (kmesos_peval_driver),
 * walks the chain for each pair, swapping ctx.options per policy
 * (straight-line code generated for chains of up to UNROLL_MAX policies:
 * every VM instruction counts, since the budget hook taxes each one), so
 * the C side makes exactly one lua_pcall per pair and reads nothing back
 * when every policy accepted. Before each call a count hook is armed with
 * the instruction budget: an endless loop is cut off by an error raised
 * from the hook. What the driver returns is mapped to a kmesos_verdict;
 * anything unexpected (a raise, the budget, a value that is not a
 * verdict) is isolated into a decline whose reason names the policy, and
 * counted. The hooks run each policy's function under its own pcall, so
 * one failing hook neither stops the others nor the scheduler.
 * kmesos_policy_bind hands all three to the scheduler's decider. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "codec/log.h"
#include "codec/str.h"
#include "sched/policy/internal.h"
#include "sched/policy/lua.h"

#define MOD "policy"

/* ---- the chain walker ------------------------------------------------------ */

/* The chain walker. evaluate(offer, task) returns nothing (all accepted),
 * or i, verdict, reason, refuse_seconds (policy i answered something else:
 * C validates it). A policy that raises unwinds to the C lua_pcall (no
 * pcall per policy: that is the hot path), which asks current() which
 * policy was running. hook() runs on_tick / on_status, each hook isolated
 * by its own pcall. For chains of up to UNROLL_MAX policies evaluate and
 * current are replaced by a straight-line version (see unrolled_driver). */
static const char DRIVER_LUA[] =
    "local entries, ctx = ...\n"
    "local pcall, tostring, n = pcall, tostring, #entries\n"
    "local cur = 0\n"
    "local function evaluate(offer, task)\n"
    "  for i = 1, n do\n"
    "    local e = entries[i]\n"
    "    cur = i\n"
    "    ctx.options = e.options\n"
    "    local v, r, s = e.evaluate(offer, task, ctx)\n"
    "    if v ~= 'accept' then cur = 0 return i, v, r, s end\n"
    "  end\n"
    "  cur = 0\n"
    "end\n"
    "local function current() local c = cur cur = 0 return c end\n"
    "local function hook(name, task, status)\n"
    "  local errs\n"
    "  for i = 1, n do\n"
    "    local e = entries[i]\n"
    "    local f = e[name]\n"
    "    if f ~= nil then\n"
    "      ctx.options = e.options\n"
    "      local ok, err\n"
    "      if task == nil then ok, err = pcall(f, ctx)\n"
    "      else ok, err = pcall(f, task, status, ctx) end\n"
    "      if not ok then\n"
    "        errs = (errs and errs .. '; ' or '') .. 'policy ' .. e.name .. ' ' .. name ..\n"
    "          ': ' .. tostring(err)\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "  return errs\n"
    "end\n"
    "return evaluate, hook, current\n";

/* ---- errors ----------------------------------------------------------------- */

/* Text of the error value on top of the stack. */
const char *kmesos_peval_error_text(lua_State *L, int idx)
{
    const char *m = lua_tostring(L, idx);
    if (m)
        return m;
    return lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, idx));
}

void kmesos_peval_set_error(kmesos_policy *p, const char *msg)
{
    kmesos_str_copy(p->last_error, sizeof p->last_error, msg);
}

/* ---- budget ----------------------------------------------------------------- */

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    lua_getfield(L, LUA_REGISTRYINDEX, KMESOS_POLICY_HOST_KEY);
    kmesos_policy *p = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (p)
        p->stats.budget_hits++;
    /* name the place the loop was in: level 0 is the interrupted function */
    if (lua_getstack(L, 0, ar) && lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        lua_pushfstring(L, "%s:%d: ", ar->short_src, ar->currentline);
    else
        lua_pushliteral(L, "");
    lua_pushfstring(L, "instruction budget of %d exceeded (endless loop?)",
                    lua_gethookcount(L));
    lua_concat(L, 2);
    lua_error(L);
}

void kmesos_peval_arm(kmesos_policy *p, lua_State *L, uint64_t budget)
{
    (void)p;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, budget > 0x7fffffff ? 0x7fffffff : (int)budget);
}

/* The straight-line chain walker for n policies: the same contract as
 * DRIVER_LUA's evaluate/current, each policy's evaluate and options held
 * in locals (no table reads, no loop: fewer VM instructions per pair).
 * Generated here, not in Lua, so that globals a policy may have replaced
 * (loadstring, string.format) play no part. */
#define UNROLL_MAX 16

static int unrolled_driver(lua_State *L, int entries, size_t n, char *err, size_t errlen)
{
    char src[256 + UNROLL_MAX * 200];
    size_t len = (size_t)snprintf(src, sizeof src, "local ctx");
    for (size_t i = 1; i <= n; i++)
        len += (size_t)snprintf(src + len, sizeof src - len, ", f%zu, o%zu", i, i);
    len += (size_t)snprintf(src + len, sizeof src - len,
                            " = ...\nlocal cur = 0\nlocal function evaluate(offer, task)\n"
                            "  local v, r, s\n");
    for (size_t i = 1; i <= n; i++)
        len += (size_t)snprintf(src + len, sizeof src - len,
                                "  cur = %zu ctx.options = o%zu v, r, s = f%zu(offer, task, ctx)\n"
                                "  if v ~= 'accept' then cur = 0 return %zu, v, r, s end\n",
                                i, i, i, i);
    len += (size_t)snprintf(src + len, sizeof src - len,
                            "  cur = 0\nend\n"
                            "local function current() local c = cur cur = 0 return c end\n"
                            "return evaluate, current\n");
    if (luaL_loadbuffer(L, src, len, "=policy-driver") != 0) {
        snprintf(err, errlen, "policy driver: %s", kmesos_peval_error_text(L, -1));
        return -1;
    }
    lua_pushvalue(L, PSLOT_CTX);
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, entries, (int)i);
        lua_getfield(L, -1, "evaluate");
        lua_getfield(L, -2, "options");
        lua_remove(L, -3);
    }
    if (lua_pcall(L, (int)(2 * n + 1), 2, 0) != 0) {
        snprintf(err, errlen, "policy driver: %s", kmesos_peval_error_text(L, -1));
        return -1;
    }
    lua_replace(L, PSLOT_CURRENT);
    lua_replace(L, PSLOT_DRIVER);
    return 0;
}

int kmesos_peval_driver(lua_State *L, int entries, char *err, size_t errlen)
{
    if (luaL_loadbuffer(L, DRIVER_LUA, sizeof DRIVER_LUA - 1, "=policy-driver") != 0) {
        snprintf(err, errlen, "policy driver: %s", kmesos_peval_error_text(L, -1));
        return -1;
    }
    lua_pushvalue(L, entries);
    lua_pushvalue(L, PSLOT_CTX);
    if (lua_pcall(L, 2, 3, 0) != 0) {
        snprintf(err, errlen, "policy driver: %s", kmesos_peval_error_text(L, -1));
        return -1;
    }
    lua_replace(L, PSLOT_CURRENT);
    lua_replace(L, PSLOT_HOOK);
    lua_replace(L, PSLOT_DRIVER);
    size_t n = lua_objlen(L, entries);
    return n <= UNROLL_MAX ? unrolled_driver(L, entries, n, err, errlen) : 0;
}

/* ---- evaluation ------------------------------------------------------------- */

static void fail_verdict(kmesos_policy *p, kmesos_verdict *out, const char *msg)
{
    out->kind = KMESOS_VERDICT_DECLINE;
    out->refuse_seconds = -1;
    kmesos_str_copy(out->reason, sizeof out->reason, msg);
    p->stats.errors++;
    if (strcmp(p->last_error, msg) != 0) {
        KLOG_WARN(MOD, "%s", msg);
        kmesos_peval_set_error(p, msg);
    }
}

static void invalid(kmesos_policy *p, const kmesos_pentry *e, kmesos_verdict *out,
                    const char *what)
{
    char msg[512];
    snprintf(msg, sizeof msg, "policy %s (%s) %s", e->name, e->path, what);
    p->stats.invalid++;
    fail_verdict(p, out, msg);
}

static void copy_reason(kmesos_verdict *out, const char *r, size_t len);

/* Maps verdict, reason, refuse_seconds at base.. (policy e answered). */
static void map_answer(kmesos_policy *p, const kmesos_pentry *e, int base, kmesos_verdict *out)
{
    lua_State *L = p->L;
    char what[300];
    const char *v = lua_type(L, base) == LUA_TSTRING ? lua_tostring(L, base) : NULL;
    if (v != p->s_decline && v != p->s_wait) {
        if (v)
            snprintf(what, sizeof what, "returned an invalid verdict '%.60s' "
                                        "(want \"accept\", \"decline\" or \"wait\")", v);
        else
            snprintf(what, sizeof what, "returned %s instead of a verdict string",
                     luaL_typename(L, base));
        invalid(p, e, out, what);
        return;
    }
    int rt = lua_type(L, base + 1), st = lua_type(L, base + 2);
    double refuse = st == LUA_TNUMBER ? lua_tonumber(L, base + 2) : -1;
    if (rt != LUA_TNIL && rt != LUA_TSTRING && rt != LUA_TNUMBER) {
        snprintf(what, sizeof what, "returned a %s as reason (want a string)", lua_typename(L, rt));
        invalid(p, e, out, what);
        return;
    }
    if ((st != LUA_TNIL && st != LUA_TNUMBER) || (st == LUA_TNUMBER && !(refuse >= 0 && isfinite(refuse)))) {
        snprintf(what, sizeof what, "returned an invalid refuse_seconds (want a number >= 0)");
        invalid(p, e, out, what);
        return;
    }
    out->kind = v == p->s_decline ? KMESOS_VERDICT_DECLINE : KMESOS_VERDICT_WAIT;
    out->refuse_seconds = refuse;
    size_t len = 0;
    const char *r = rt == LUA_TNIL ? "" : lua_tolstring(L, base + 1, &len);
    copy_reason(out, r, len);
}

static void count(kmesos_policy *p, const kmesos_verdict *out)
{
    if (out->kind == KMESOS_VERDICT_ACCEPT)
        p->stats.accepts++;
    else if (out->kind == KMESOS_VERDICT_WAIT)
        p->stats.waits++;
    else
        p->stats.declines++;
}

static void copy_reason(kmesos_verdict *out, const char *r, size_t len)
{
    if (len >= sizeof out->reason)
        len = sizeof out->reason - 1;
    memcpy(out->reason, r, len);
    out->reason[len] = '\0';
}

/* The pcall of the chain failed with the error on top: name the policy. */
static void raised(kmesos_policy *p, kmesos_verdict *out)
{
    lua_State *L = p->L;
    char msg[600];
    const char *e = kmesos_peval_error_text(L, PSLOT_TOP + 1);
    lua_pushvalue(L, PSLOT_CURRENT);
    int i = lua_pcall(L, 0, 1, 0) == 0 ? (int)lua_tointeger(L, -1) : 0;
    if (i > 0 && (size_t)i <= p->n_entries) {
        p->last_index = i;
        snprintf(msg, sizeof msg, "policy %s raised: %s", p->entries[i - 1].name, e);
    } else {
        snprintf(msg, sizeof msg, "policy host: %s", e);
    }
    fail_verdict(p, out, msg);
}

/* Stack: driver, offer, task above PSLOT_TOP. Runs the chain. */
static int run_pair(kmesos_policy *p, kmesos_verdict *out)
{
    lua_State *L = p->L;
    int err = 0;
    out->kind = KMESOS_VERDICT_ACCEPT;
    out->refuse_seconds = -1;
    out->reason[0] = '\0';
    p->last_index = 0;
    p->stats.evaluations++;
    kmesos_peval_arm(p, L, p->budget);
    if (lua_pcall(L, 2, LUA_MULTRET, 0) != 0) {
        raised(p, out);
        err = -1;
    } else if (lua_gettop(L) > PSLOT_TOP) {
        lua_settop(L, PSLOT_TOP + 4); /* i, verdict, reason, refuse_seconds */
        int i = (int)lua_tointeger(L, PSLOT_TOP + 1);
        const kmesos_pentry *e = &p->entries[i > 0 && (size_t)i <= p->n_entries ? i - 1 : 0];
        uint64_t before = p->stats.invalid;
        p->last_index = i;
        map_answer(p, e, PSLOT_TOP + 2, out);
        err = p->stats.invalid != before ? -1 : 0;
    }
    lua_settop(L, PSLOT_TOP);
    count(p, out);
    if (out->kind != KMESOS_VERDICT_ACCEPT)
        kmesos_ptally_add(&p->tally,
                          p->last_index > 0 && (size_t)p->last_index <= p->n_entries
                              ? p->entries[p->last_index - 1].name
                              : "host",
                          out->kind, err ? "error" : out->reason);
    return err;
}

void kmesos_policy_eval(kmesos_policy *p, const kmesos_offer *offer, const kmesos_task *task,
                        const kmesos_decide_ctx *ctx, kmesos_verdict *out)
{
    kmesos_pview_batch(p, ctx->now_ms, ctx->now_s);
    kmesos_pview_sync_free(p);
    lua_pushvalue(p->L, PSLOT_DRIVER);
    kmesos_pview_push_offer(p, offer);
    kmesos_pview_push_task(p, task);
    run_pair(p, out);
}

void kmesos_policy_evaluate(void *impl, const kmesos_offer *offer, const kmesos_task *task,
                            const kmesos_decide_ctx *ctx, kmesos_verdict *out)
{
    kmesos_policy *p = impl;
    kmesos_policy_eval(p, offer, task, ctx, out);
    if (out->kind == KMESOS_VERDICT_ACCEPT)
        kmesos_pview_note_launch(p, offer, task);
}

/* Sets ctx[key] = JSON value (when given). */
static int ctx_from_json(lua_State *L, const json_t *ctx, const char *key)
{
    const json_t *v = ctx ? json_object_get(ctx, key) : NULL;
    if (!v)
        return 0;
    if (kmesos_plua_push_json(L, v) != 0)
        return -1;
    lua_setfield(L, PSLOT_CTX, key);
    return 0;
}

int kmesos_policy_eval_json(kmesos_policy *p, const json_t *offer, const json_t *task,
                            const json_t *ctx, kmesos_verdict *out, const char **policy)
{
    lua_State *L = p->L;
    if (policy)
        *policy = NULL;
    if (ctx_from_json(L, ctx, "now") || ctx_from_json(L, ctx, "state") ||
        ctx_from_json(L, ctx, "cluster")) {
        fail_verdict(p, out, "ctx: nested too deeply");
        return -1;
    }
    lua_pushvalue(L, PSLOT_DRIVER);
    if (kmesos_plua_push_json(L, offer) != 0 || kmesos_plua_push_json(L, task) != 0) {
        lua_settop(L, PSLOT_TOP);
        fail_verdict(p, out, "offer or task: nested too deeply");
        return -1;
    }
    int rc = run_pair(p, out);
    if (policy && p->last_index > 0)
        *policy = p->entries[p->last_index - 1].name;
    return rc;
}

/* ---- hooks ------------------------------------------------------------------ */

/* Stack: hook, name, task, status above PSLOT_TOP. */
static int run_hook(kmesos_policy *p)
{
    lua_State *L = p->L;
    int errors = 0;
    p->stats.hook_calls++;
    kmesos_peval_arm(p, L, p->budget);
    if (lua_pcall(L, 3, 1, 0) != 0 || !lua_isnil(L, -1)) {
        const char *msg = kmesos_peval_error_text(L, -1);
        p->stats.hook_errors++;
        errors = 1;
        KLOG_WARN(MOD, "%s", msg);
        kmesos_peval_set_error(p, msg);
    }
    lua_settop(L, PSLOT_TOP);
    return errors;
}

int kmesos_policy_tick(kmesos_policy *p, double now_s)
{
    lua_State *L = p->L;
    p->now_s = now_s;
    lua_pushnumber(L, now_s);
    lua_setfield(L, PSLOT_CTX, "now");
    lua_pushvalue(L, PSLOT_HOOK);
    lua_pushliteral(L, "on_tick");
    lua_pushnil(L);
    lua_pushnil(L);
    return run_hook(p);
}

int kmesos_policy_status(kmesos_policy *p, const kmesos_task *task, const char *task_id,
                         const char *state, const char *message, double now_s)
{
    lua_State *L = p->L;
    p->dirty = 1;
    p->now_s = now_s;
    lua_pushnumber(L, now_s);
    lua_setfield(L, PSLOT_CTX, "now");
    lua_pushvalue(L, PSLOT_HOOK);
    lua_pushliteral(L, "on_status");
    if (task) {
        kmesos_pview_push_task(p, task);
    } else {
        lua_createtable(L, 0, 1);
        lua_pushstring(L, task_id ? task_id : "");
        lua_setfield(L, -2, "id");
    }
    lua_createtable(L, 0, 3);
    lua_pushstring(L, task_id ? task_id : task ? task->id : "");
    lua_setfield(L, -2, "task_id");
    lua_pushstring(L, state ? state : "");
    lua_setfield(L, -2, "state");
    if (message) {
        lua_pushstring(L, message);
        lua_setfield(L, -2, "message");
    }
    return run_hook(p);
}

static void status_hook(void *impl, const kmesos_task *task, const char *task_id,
                        const char *state, const char *message, double now_s)
{
    kmesos_policy_status(impl, task, task_id, state, message, now_s);
}

static void tick_hook(void *impl, double now_s) { kmesos_policy_tick(impl, now_s); }

int kmesos_policy_launched(kmesos_policy *p, const kmesos_offer *offer, const kmesos_task *task,
                           double now_s)
{
    lua_State *L = p->L;
    p->now_s = now_s;
    lua_pushvalue(L, PSLOT_HOOK);
    lua_pushliteral(L, "on_launch");
    kmesos_pview_push_task(p, task);
    kmesos_pview_push_offer(p, offer);
    return run_hook(p);
}

static void launched_hook(void *impl, const kmesos_offer *offer, const kmesos_task *task,
                          const kmesos_decide_ctx *ctx)
{
    kmesos_policy_launched(impl, offer, task, ctx->now_s);
}

void kmesos_policy_bind(kmesos_policy *p, kmesos_decider *d)
{
    kmesos_decider_init(d, kmesos_policy_evaluate, p);
    d->status = status_hook;
    d->tick = tick_hook;
    d->launched = launched_hook;
}
