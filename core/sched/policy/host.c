/* host: the Lua policy host's life cycle: load, validate, reload.
 *
 * One lua_State holds the whole chain. Building a state opens the
 * standard libraries, creates the fixed stack slots (driver, hooks, view
 * cache, ctx, ctx.cluster, interned verdicts; see internal.h), reads the
 * options JSON, then loads each policy file: it is run once under a
 * budget (LOAD_BUDGET_FACTOR times the per-call one), must return a table
 * with an evaluate function (on_status, on_tick, check and name are
 * optional and type-checked), gets its options (by name, else by file
 * name) and may refuse them through check(options). Policy code runs with
 * the JIT off unless configured, because compiled loops never see the
 * budget hook. The driver that walks the chain (eval.c) is built last. A
 * reload builds a complete new state from the same files, copies ctx.state
 * across and swaps it in only when every file loaded; the old chain stays
 * otherwise, so a reload never answers or drops an offer. */
#include "sched/policy/policy.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <uv.h>
#include <lualib.h>

#include "codec/log.h"
#include "sched/policy/internal.h"

#ifndef KMESOS_POLICY_INSTALL_DIR
#define KMESOS_POLICY_INSTALL_DIR ""
#endif
#ifndef KMESOS_POLICY_SOURCE_DIR
#define KMESOS_POLICY_SOURCE_DIR ""
#endif
#include "sched/policy/lua.h"

#define MOD "policy"
#define LOAD_BUDGET_FACTOR 10

/* A state being built: installed only once every file of the chain loaded. */
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
static void host_base_name(const char *path, char *out, size_t len)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".lua") == 0)
        n -= 4;
    snprintf(out, len, "%.*s", (int)n, b);
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
        check_field(L, idx, "on_launch", LUA_TFUNCTION, path, "a function", err, errlen) ||
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
    kmesos_peval_arm(p, L, p->budget);
    if (lua_pcall(L, 1, 2, 0) != 0) {
        snprintf(err, errlen, "%s: check(options) failed: %s", path, kmesos_peval_error_text(L, -1));
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
        snprintf(err, errlen, "%s", kmesos_peval_error_text(L, -1));
        goto fail;
    }
    if (!p->jit)
        jit_off(L, lua_gettop(L));
    kmesos_peval_arm(p, L, p->budget * LOAD_BUDGET_FACTOR);
    if (lua_pcall(L, 0, 1, 0) != 0) {
        snprintf(err, errlen, "%s", kmesos_peval_error_text(L, -1));
        goto fail;
    }
    int policy = lua_gettop(L);
    if (validate(L, policy, path, err, errlen) != 0)
        goto fail;
    char base[128];
    host_base_name(path, base, sizeof base);
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
    static const char *const fns[] = {"evaluate", "on_status", "on_tick", "on_launch"};
    for (int k = 0; k < 4; k++) {
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
            host_base_name(files[i], base, sizeof base);
            used = strcmp(key, e[i].name) == 0 || strcmp(key, base) == 0;
        }
        if (!used)
            KLOG_WARN(MOD, "options given for '%s', which is not in the policy chain", key);
    }
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
    if (kmesos_peval_driver(L, entries, err, errlen) != 0)
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
    lua_setfield(b->L, LUA_REGISTRYINDEX, KMESOS_POLICY_HOST_KEY);
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

void kmesos_policy_attach_topology(kmesos_policy *p, const kmesos_topology *topo)
{
    p->topo = topo;
    p->racks_valid = 0;
    p->dirty = 1;
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
        kmesos_peval_set_error(p, err);
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

/* ---- accessors -------------------------------------------------------------- */

const kmesos_ptally *kmesos_policy_tally(const kmesos_policy *p)
{
    return &p->tally;
}

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

json_t *kmesos_policy_json(const kmesos_policy *p)
{
    const kmesos_policy_stats *st = &p->stats;
    json_t *chain = json_array();
    for (size_t i = 0; i < p->n_entries; i++)
        json_array_append_new(chain, json_pack("{s:s, s:s}", "name", p->entries[i].name,
                                               "path", p->entries[i].path));
    return json_pack("{s:o, s:I, s:I, s:f, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:I}", "chain",
                     chain, "reloads", (json_int_t)st->reloads, "reload_failures",
                     (json_int_t)st->reload_failures, "last_reload_ms", st->last_reload_ms,
                     "reload_error", p->reload_error, "last_error", p->last_error,
                     "evaluations", (json_int_t)st->evaluations, "accepts",
                     (json_int_t)st->accepts, "declines", (json_int_t)st->declines, "waits",
                     (json_int_t)st->waits, "errors", (json_int_t)st->errors, "budget_hits",
                     (json_int_t)st->budget_hits);
}

static int has_default_chain(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/delay.lua", dir) >= (int)sizeof path)
        return 0;
    return access(path, R_OK) == 0;
}

/* Looks for the default chain beside a program at exe: DIR/../policies
 * (the build tree), DIR/../../policies and DIR/../share/kafka-mesos/policies
 * (an install prefix). */
static int find_beside(const char *exe, char *out, size_t outlen)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", exe);
    if (!strchr(copy, '/'))
        return -1;
    const char *dir = dirname(copy);
    static const char *const rel[] = {"../policies", "../../policies",
                                      "../share/kafka-mesos/policies"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char path[4200], real[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, rel[i]) >= (int)sizeof path ||
            !has_default_chain(path))
            continue;
        /* the clean path (no "bin/.."), as the logs and /api/policy show it */
        const char *found = realpath(path, real) ? real : path;
        if (strlen(found) >= outlen)
            continue;
        memcpy(out, found, strlen(found) + 1);
        return 0;
    }
    return -1;
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
    size_t n = sizeof exe;
    if (uv_exepath(exe, &n) == 0 && find_beside(exe, out, outlen) == 0)
        return 0;
    if (argv0 && find_beside(argv0, out, outlen) == 0)
        return 0;
    /* compiled in by CMake: the install prefix's share folder, then the
     * source tree (a build folder anywhere finds the tree's policies) */
    static const char *const builtin[] = {KMESOS_POLICY_INSTALL_DIR, KMESOS_POLICY_SOURCE_DIR};
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        snprintf(out, outlen, "%s", builtin[i]);
        if (*builtin[i] && has_default_chain(out))
            return 0;
    }
    return -1;
}

void kmesos_policy_default_chain(const char *dir, char *first, char *second, size_t len)
{
    snprintf(first, len, "%s/constraints.lua", dir);
    snprintf(second, len, "%s/delay.lua", dir);
}
