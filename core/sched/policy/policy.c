/* policy: the Lua policy host (see policy.h). One lua_State holds the
 * whole chain: each policy file is loaded, run once (under an instruction
 * budget) and checked to return a table with an evaluate function; a small
 * Lua driver then walks the chain for every (offer, task) pair, swapping
 * ctx.options per policy (straight-line code generated at load for chains
 * of up to UNROLL_MAX policies: every VM instruction counts, since the
 * budget hook taxes each one), so the C side makes exactly one lua_pcall
 * per pair and reads nothing back when every policy accepted. The C side
 * keeps the driver, the view cache, ctx and ctx.cluster at fixed stack
 * slots, sets a count hook before each call (an endless loop is cut off by
 * an error raised from the hook; policy code runs with the JIT off unless
 * configured, because compiled loops never see the hook), and maps what
 * the driver returns to a kmesos_verdict, turning anything unexpected into
 * a decline whose reason names the policy. A reload builds a complete new
 * state from the same files, copies ctx.state across and swaps it in only
 * when every file loaded; the old chain stays otherwise. */
#include "sched/policy/policy.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "codec/log.h"
#include "sched/policy/internal.h"
#include "sched/policy/lua.h"

#define MOD "policy"
#define HOST_KEY "kmesos.policy.host"
#define LOAD_BUDGET_FACTOR 10

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

typedef struct built {
    lua_State *L;
    kmesos_pentry *entries;
    size_t n;
} built;

/* ---- helpers ---------------------------------------------------------------- */

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void free_entries(kmesos_pentry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].path);
    }
    free(e);
}

/* "dir/name.lua" -> "name" (into out). */
static void base_name(const char *path, char *out, size_t len)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".lua") == 0)
        n -= 4;
    snprintf(out, len, "%.*s", (int)n, b);
}

/* Text of the error value on top of the stack. */
static const char *error_text(lua_State *L, int idx)
{
    const char *m = lua_tostring(L, idx);
    if (m)
        return m;
    return lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, idx));
}

static void set_last_error(kmesos_policy *p, const char *msg)
{
    snprintf(p->last_error, sizeof p->last_error, "%s", msg);
}

/* ---- budget ----------------------------------------------------------------- */

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    lua_getfield(L, LUA_REGISTRYINDEX, HOST_KEY);
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

static void arm(kmesos_policy *p, lua_State *L, uint64_t budget)
{
    (void)p;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, budget > 0x7fffffff ? 0x7fffffff : (int)budget);
}

/* ---- ctx.log ---------------------------------------------------------------- */

static int lua_ctx_log(lua_State *L)
{
    /* callable as ctx.log(level, msg) and ctx:log(level, msg) */
    int base = lua_istable(L, 1) ? 2 : 1;
    const char *level = luaL_optstring(L, base, "info");
    const char *msg = luaL_optstring(L, base + 1, "");
    int lv = kmesos_log_level_parse(level);
    kmesos_log(lv < 0 ? KMESOS_LOG_INFO : (kmesos_log_level)lv, MOD, "%s", msg);
    return 0;
}

/* ---- building a state ------------------------------------------------------- */

/* Prepends the directory of every policy file to package.path. */
static void set_package_path(lua_State *L, char *const *files, size_t n)
{
    lua_getglobal(L, "package");
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    int parts = 0;
    for (size_t i = 0; i < n; i++) {
        char *copy = strdup(files[i]);
        if (!copy)
            continue;
        lua_pushfstring(L, "%s/?.lua;", dirname(copy));
        free(copy);
        parts++;
    }
    lua_getfield(L, -1 - parts, "path");
    lua_concat(L, parts + 1);
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
}

static void jit_off(lua_State *L, int fn)
{
    lua_getglobal(L, "jit");
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "off");
        if (lua_isfunction(L, -1)) {
            lua_pushvalue(L, fn);
            lua_pushboolean(L, 1);
            lua_pcall(L, 2, 0, 0) == 0 ? (void)0 : lua_pop(L, 1);
        } else {
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* Creates the fixed slots: views, ctx, cluster, free, interned verdicts. */
static void make_slots(lua_State *L)
{
    lua_settop(L, PSLOT_TOP);
    lua_newtable(L);
    lua_replace(L, PSLOT_VIEWS);
    lua_newtable(L);
    lua_replace(L, PSLOT_CLUSTER);
    lua_newtable(L);
    lua_replace(L, PSLOT_FREE);
    lua_pushliteral(L, "decline");
    lua_replace(L, PSLOT_DECLINE);
    lua_pushliteral(L, "wait");
    lua_replace(L, PSLOT_WAIT);
    lua_createtable(L, 0, 6);
    lua_pushnumber(L, 0);
    lua_setfield(L, -2, "now");
    lua_newtable(L);
    lua_setfield(L, -2, "options");
    lua_newtable(L);
    lua_setfield(L, -2, "state");
    lua_pushvalue(L, PSLOT_CLUSTER);
    lua_setfield(L, -2, "cluster");
    lua_pushcfunction(L, lua_ctx_log);
    lua_setfield(L, -2, "log");
    lua_replace(L, PSLOT_CTX);
}

/* Pushes the options table of the whole chain ({} when none). */
static int push_options(lua_State *L, const char *options, char *err, size_t errlen)
{
    if (!options || !*options) {
        lua_newtable(L);
        return 0;
    }
    json_t *j = kmesos_plua_load_json(options, err, errlen);
    if (!j)
        return -1;
    int rc = -1;
    if (!json_is_object(j))
        snprintf(err, errlen, "%s: policy options must be a JSON object of policy name -> options",
                 options[0] == '{' ? "inline JSON" : options);
    else if (kmesos_plua_push_json(L, j) != 0)
        snprintf(err, errlen, "policy options: nested too deeply");
    else
        rc = 0;
    json_decref(j);
    return rc;
}

static int check_field(lua_State *L, int tbl, const char *key, int type, const char *path,
                       const char *what, char *err, size_t errlen)
{
    lua_getfield(L, tbl, key);
    int t = lua_type(L, -1);
    lua_pop(L, 1);
    if (t == type || (t == LUA_TNIL && what))
        return 0;
    if (what)
        snprintf(err, errlen, "%s: %s must be %s, got %s", path, key, what, lua_typename(L, t));
    else
        snprintf(err, errlen, "%s: the returned table has no %s function", path, key);
    return -1;
}

/* The table at idx is a policy: evaluate, optional hooks and name. */
static int validate(lua_State *L, int idx, const char *path, char *err, size_t errlen)
{
    if (!lua_istable(L, idx)) {
        snprintf(err, errlen, "%s: the file must return a table, got %s", path,
                 luaL_typename(L, idx));
        return -1;
    }
    if (check_field(L, idx, "evaluate", LUA_TFUNCTION, path, NULL, err, errlen) ||
        check_field(L, idx, "on_status", LUA_TFUNCTION, path, "a function", err, errlen) ||
        check_field(L, idx, "on_tick", LUA_TFUNCTION, path, "a function", err, errlen) ||
        check_field(L, idx, "check", LUA_TFUNCTION, path, "a function", err, errlen) ||
        check_field(L, idx, "name", LUA_TSTRING, path, "a string", err, errlen))
        return -1;
    return 0;
}

/* Pushes the policy's options: opts[name], else opts[basename], else {}. */
static int push_policy_options(lua_State *L, int opts, const char *name, const char *base,
                               const char *path, char *err, size_t errlen)
{
    lua_getfield(L, opts, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_getfield(L, opts, base);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
    }
    if (!lua_istable(L, -1)) {
        snprintf(err, errlen, "%s: options of policy '%s' must be a JSON object", path, name);
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* Runs the optional check(options): raising or returning false, msg refuses. */
static int run_check(kmesos_policy *p, lua_State *L, int policy, int options, const char *path,
                     char *err, size_t errlen)
{
    lua_getfield(L, policy, "check");
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    lua_pushvalue(L, options);
    arm(p, L, p->budget);
    if (lua_pcall(L, 1, 2, 0) != 0) {
        snprintf(err, errlen, "%s: check(options) failed: %s", path, error_text(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    int refused = lua_type(L, -2) == LUA_TBOOLEAN && !lua_toboolean(L, -2);
    if (refused)
        snprintf(err, errlen, "%s: check(options) refused: %s", path,
                 lua_isstring(L, -1) ? lua_tostring(L, -1) : "(no reason given)");
    lua_pop(L, 2);
    return refused ? -1 : 0;
}

/* Loads one file into entries[i] (a Lua table at `entries`). */
static int load_one(kmesos_policy *p, lua_State *L, const char *path, int opts, int entries,
                    int i, kmesos_pentry *e, char *err, size_t errlen)
{
    int top = lua_gettop(L);
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (luaL_loadfile(L, path) != 0) {
        snprintf(err, errlen, "%s", error_text(L, -1));
        goto fail;
    }
    if (!p->jit)
        jit_off(L, lua_gettop(L));
    arm(p, L, p->budget * LOAD_BUDGET_FACTOR);
    if (lua_pcall(L, 0, 1, 0) != 0) {
        snprintf(err, errlen, "%s", error_text(L, -1));
        goto fail;
    }
    int policy = lua_gettop(L);
    if (validate(L, policy, path, err, errlen) != 0)
        goto fail;
    char base[128];
    base_name(path, base, sizeof base);
    lua_getfield(L, policy, "name");
    e->name = strdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : base);
    e->path = strdup(path);
    lua_pop(L, 1);
    if (!e->name || !e->path) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    if (push_policy_options(L, opts, e->name, base, path, err, errlen) != 0)
        goto fail;
    int options = lua_gettop(L);
    if (run_check(p, L, policy, options, path, err, errlen) != 0)
        goto fail;
    lua_createtable(L, 0, 5);
    lua_pushstring(L, e->name);
    lua_setfield(L, -2, "name");
    lua_pushvalue(L, options);
    lua_setfield(L, -2, "options");
    static const char *const fns[] = {"evaluate", "on_status", "on_tick"};
    for (int k = 0; k < 3; k++) {
        lua_getfield(L, policy, fns[k]);
        lua_setfield(L, -2, fns[k]);
    }
    lua_rawseti(L, entries, i + 1);
    lua_settop(L, top);
    return 0;
fail:
    lua_settop(L, top);
    return -1;
}

/* Logs options given for policies that are not in the chain. */
static void warn_unused_options(lua_State *L, int opts, const kmesos_pentry *e, size_t n,
                                const char *const *files)
{
    lua_pushnil(L);
    while (lua_next(L, opts) != 0) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING)
            continue;
        const char *key = lua_tostring(L, -1);
        int used = 0;
        for (size_t i = 0; i < n && !used; i++) {
            char base[128];
            base_name(files[i], base, sizeof base);
            used = strcmp(key, e[i].name) == 0 || strcmp(key, base) == 0;
        }
        if (!used)
            KLOG_WARN(MOD, "options given for '%s', which is not in the policy chain", key);
    }
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
        snprintf(err, errlen, "policy driver: %s", error_text(L, -1));
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
        snprintf(err, errlen, "policy driver: %s", error_text(L, -1));
        return -1;
    }
    lua_replace(L, PSLOT_CURRENT);
    lua_replace(L, PSLOT_DRIVER);
    return 0;
}

static int make_driver(lua_State *L, int entries, char *err, size_t errlen)
{
    if (luaL_loadbuffer(L, DRIVER_LUA, sizeof DRIVER_LUA - 1, "=policy-driver") != 0) {
        snprintf(err, errlen, "policy driver: %s", error_text(L, -1));
        return -1;
    }
    lua_pushvalue(L, entries);
    lua_pushvalue(L, PSLOT_CTX);
    if (lua_pcall(L, 2, 3, 0) != 0) {
        snprintf(err, errlen, "policy driver: %s", error_text(L, -1));
        return -1;
    }
    lua_replace(L, PSLOT_CURRENT);
    lua_replace(L, PSLOT_HOOK);
    lua_replace(L, PSLOT_DRIVER);
    size_t n = lua_objlen(L, entries);
    return n <= UNROLL_MAX ? unrolled_driver(L, entries, n, err, errlen) : 0;
}

static int load_chain(kmesos_policy *p, built *b, char *err, size_t errlen)
{
    lua_State *L = b->L;
    set_package_path(L, p->files, p->n_files);
    if (push_options(L, p->options, err, errlen) != 0)
        return -1;
    int opts = lua_gettop(L);
    lua_createtable(L, (int)p->n_files, 0);
    int entries = lua_gettop(L);
    for (size_t i = 0; i < p->n_files; i++) {
        b->n = i + 1; /* so that a half-filled entry is freed too */
        if (load_one(p, L, p->files[i], opts, entries, (int)i, &b->entries[i], err, errlen) != 0)
            return -1;
    }
    warn_unused_options(L, opts, b->entries, b->n, (const char *const *)p->files);
    if (make_driver(L, entries, err, errlen) != 0)
        return -1;
    if (!p->jit) /* the driver only calls policy code, which cannot be compiled */
        jit_off(L, PSLOT_DRIVER);
    return 0;
}

/* A complete new state with the chain loaded, or -1 and err. */
static int build_state(kmesos_policy *p, built *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    if (p->n_files == 0) {
        snprintf(err, errlen, "no policy files given");
        return -1;
    }
    b->L = luaL_newstate();
    b->entries = calloc(p->n_files, sizeof *b->entries);
    if (!b->L || !b->entries) {
        snprintf(err, errlen, "out of memory creating the Lua state");
        return -1;
    }
    luaL_openlibs(b->L);
    lua_pushlightuserdata(b->L, p);
    lua_setfield(b->L, LUA_REGISTRYINDEX, HOST_KEY);
    make_slots(b->L);
    int rc = load_chain(p, b, err, errlen);
    lua_sethook(b->L, NULL, 0, 0);
    lua_settop(b->L, PSLOT_TOP);
    return rc;
}

static void drop_built(built *b)
{
    if (b->L)
        lua_close(b->L);
    free_entries(b->entries, b->n);
    memset(b, 0, sizeof *b);
}

/* Makes b the active chain (the old one is closed). */
static void install(kmesos_policy *p, built *b)
{
    kmesos_pview_reset(p);
    if (p->L)
        lua_close(p->L);
    free_entries(p->entries, p->n_entries);
    p->L = b->L;
    p->entries = b->entries;
    p->n_entries = b->n;
    p->s_decline = lua_tostring(p->L, PSLOT_DECLINE);
    p->s_wait = lua_tostring(p->L, PSLOT_WAIT);
    lua_pushnumber(p->L, p->now_s);
    lua_setfield(p->L, PSLOT_CTX, "now");
    kmesos_pview_init_cluster(p);
    memset(b, 0, sizeof *b);
}

/* ctx.state of the active chain -> ctx.state of b. */
static int carry_state(kmesos_policy *p, built *b, char *err, size_t errlen)
{
    lua_getfield(p->L, PSLOT_CTX, "state");
    if (!lua_istable(p->L, -1)) {
        lua_pop(p->L, 1);
        return 0;
    }
    int rc = kmesos_plua_copy(p->L, -1, b->L, err, errlen);
    lua_pop(p->L, 1);
    if (rc == 0)
        lua_setfield(b->L, PSLOT_CTX, "state");
    return rc;
}

/* ---- lifecycle -------------------------------------------------------------- */

static int copy_config(kmesos_policy *p, const kmesos_policy_config *cfg)
{
    p->files = calloc(cfg->n_files ? cfg->n_files : 1, sizeof *p->files);
    if (!p->files)
        return -1;
    for (size_t i = 0; i < cfg->n_files; i++) {
        if (!(p->files[i] = strdup(cfg->files[i])))
            return -1;
        p->n_files = i + 1;
    }
    p->options = cfg->options ? strdup(cfg->options) : NULL;
    p->rack_attr = strdup(cfg->rack_attribute ? cfg->rack_attribute : "rack");
    p->budget = cfg->budget ? cfg->budget : KMESOS_POLICY_DEFAULT_BUDGET;
    p->jit = cfg->jit;
    return (cfg->options && !p->options) || !p->rack_attr ? -1 : 0;
}

kmesos_policy *kmesos_policy_new(const kmesos_policy_config *cfg, char *err, size_t errlen)
{
    kmesos_policy *p = calloc(1, sizeof *p);
    if (!p || copy_config(p, cfg) != 0) {
        snprintf(err, errlen, "out of memory");
        kmesos_policy_free(p);
        return NULL;
    }
    built b;
    if (build_state(p, &b, err, errlen) != 0) {
        drop_built(&b);
        kmesos_policy_free(p);
        return NULL;
    }
    install(p, &b);
    for (size_t i = 0; i < p->n_entries; i++)
        KLOG_INFO(MOD, "policy %zu: %s (%s)", i + 1, p->entries[i].name, p->entries[i].path);
    return p;
}

void kmesos_policy_free(kmesos_policy *p)
{
    if (!p)
        return;
    kmesos_pview_free(p);
    if (p->L)
        lua_close(p->L);
    free_entries(p->entries, p->n_entries);
    for (size_t i = 0; i < p->n_files; i++)
        free(p->files[i]);
    free(p->files);
    free(p->options);
    free(p->rack_attr);
    free(p);
}

void kmesos_policy_attach(kmesos_policy *p, const kmesos_offers *book, const kmesos_tasks *tasks)
{
    p->book = book;
    p->tasks = tasks;
    p->dirty = 1;
    kmesos_pview_init_cluster(p);
}

void kmesos_policy_invalidate(kmesos_policy *p)
{
    p->dirty = 1;
}

int kmesos_policy_reload(kmesos_policy *p)
{
    double t0 = mono_ms();
    char err[512] = "";
    built b;
    int rc = build_state(p, &b, err, sizeof err);
    if (rc == 0)
        rc = carry_state(p, &b, err, sizeof err);
    if (rc != 0) {
        drop_built(&b);
        p->stats.reload_failures++;
        snprintf(p->reload_error, sizeof p->reload_error, "%s", err);
        set_last_error(p, err);
        KLOG_ERROR(MOD, "reload failed, the old chain stays active: %s", err);
    } else {
        install(p, &b);
        p->stats.reloads++;
        p->reload_error[0] = '\0';
    }
    p->stats.last_reload_ms = mono_ms() - t0;
    if (rc == 0)
        KLOG_INFO(MOD, "reloaded %zu policies in %.1f ms", p->n_entries, p->stats.last_reload_ms);
    return rc;
}

/* ---- evaluation ------------------------------------------------------------- */

static void fail_verdict(kmesos_policy *p, kmesos_verdict *out, const char *msg)
{
    out->kind = KMESOS_VERDICT_DECLINE;
    out->refuse_seconds = -1;
    snprintf(out->reason, sizeof out->reason, "%s", msg);
    p->stats.errors++;
    if (strcmp(p->last_error, msg) != 0) {
        KLOG_WARN(MOD, "%s", msg);
        set_last_error(p, msg);
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
    const char *e = error_text(L, PSLOT_TOP + 1);
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
    arm(p, L, p->budget);
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
    arm(p, L, p->budget);
    if (lua_pcall(L, 3, 1, 0) != 0 || !lua_isnil(L, -1)) {
        const char *msg = error_text(L, -1);
        p->stats.hook_errors++;
        errors = 1;
        KLOG_WARN(MOD, "%s", msg);
        set_last_error(p, msg);
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

void kmesos_policy_bind(kmesos_policy *p, kmesos_decider *d)
{
    kmesos_decider_init(d, kmesos_policy_evaluate, p);
    d->status = status_hook;
    d->tick = tick_hook;
}

/* ---- accessors -------------------------------------------------------------- */

const kmesos_policy_stats *kmesos_policy_stats_get(const kmesos_policy *p)
{
    return &p->stats;
}

const char *kmesos_policy_last_error(const kmesos_policy *p)
{
    return p->last_error;
}

const char *kmesos_policy_reload_error(const kmesos_policy *p)
{
    return p->reload_error;
}

size_t kmesos_policy_count(const kmesos_policy *p)
{
    return p->n_entries;
}

const char *kmesos_policy_name(const kmesos_policy *p, size_t i)
{
    return i < p->n_entries ? p->entries[i].name : NULL;
}

const char *kmesos_policy_path(const kmesos_policy *p, size_t i)
{
    return i < p->n_entries ? p->entries[i].path : NULL;
}

static int has_default_chain(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/delay.lua", dir);
    return access(path, R_OK) == 0;
}

int kmesos_policy_find_dir(const char *argv0, char *out, size_t outlen)
{
    const char *env = getenv("KMESOS_POLICY_DIR");
    if (env && *env) {
        snprintf(out, outlen, "%s", env);
        return has_default_chain(out) ? 0 : -1;
    }
    if (has_default_chain("policies")) {
        snprintf(out, outlen, "policies");
        return 0;
    }
    char exe[4096];
    snprintf(exe, sizeof exe, "%s", argv0 ? argv0 : "");
    const char *dir = strchr(exe, '/') ? dirname(exe) : ".";
    static const char *const rel[] = {"../policies", "../../policies",
                                      "../share/kafka-mesos/policies"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(out, outlen, "%s/%s", dir, rel[i]);
        if (has_default_chain(out))
            return 0;
    }
    return -1;
}

void kmesos_policy_default_chain(const char *dir, char *first, char *second, size_t len)
{
    snprintf(first, len, "%s/constraints.lua", dir);
    snprintf(second, len, "%s/delay.lua", dir);
}
