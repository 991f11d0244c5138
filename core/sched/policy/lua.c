/* lua: JSON to Lua and Lua to Lua copies for the policy host (see
 * lua.h). JSON arrives through jansson rather than lua-cjson so
 * that options and --check-policy input work even where cjson is not
 * installed. The cross-state copy walks tables recursively with a depth
 * limit and keeps a "seen" table in the destination keyed by the source
 * table's address, so shared subtables stay shared and cycles end. */
#include "sched/policy/lua.h"

#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64

static int push_value(lua_State *L, const json_t *j, int depth);

static int push_object(lua_State *L, const json_t *j, int depth)
{
    const char *key;
    json_t *v;
    lua_createtable(L, 0, (int)json_object_size(j));
    json_object_foreach((json_t *)j, key, v) {
        if (json_is_null(v))
            continue;
        if (push_value(L, v, depth + 1) != 0) {
            lua_pop(L, 1);
            return -1;
        }
        lua_setfield(L, -2, key);
    }
    return 0;
}

static int push_array(lua_State *L, const json_t *j, int depth)
{
    size_t i;
    json_t *v;
    lua_createtable(L, (int)json_array_size(j), 0);
    json_array_foreach(j, i, v) {
        if (push_value(L, v, depth + 1) != 0) {
            lua_pop(L, 1);
            return -1;
        }
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 0;
}

static int push_value(lua_State *L, const json_t *j, int depth)
{
    if (depth > MAX_DEPTH)
        return -1;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return push_object(L, j, depth);
    case JSON_ARRAY:
        return push_array(L, j, depth);
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(j), json_string_length(j));
        return 0;
    case JSON_INTEGER:
        lua_pushnumber(L, (lua_Number)json_integer_value(j));
        return 0;
    case JSON_REAL:
        lua_pushnumber(L, json_real_value(j));
        return 0;
    case JSON_TRUE:
    case JSON_FALSE:
        lua_pushboolean(L, json_is_true(j));
        return 0;
    case JSON_NULL:
    default:
        lua_pushlightuserdata(L, NULL);
        return 0;
    }
}

int kmesos_plua_push_json(lua_State *L, const json_t *j)
{
    return push_value(L, j, 0);
}

json_t *kmesos_plua_load_json(const char *text_or_path, char *err, size_t errlen)
{
    json_error_t e;
    const char *p = text_or_path;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    int inline_json = *p == '{' || *p == '[';
    json_t *j = inline_json ? json_loads(p, JSON_DECODE_ANY, &e)
                            : json_load_file(text_or_path, JSON_DECODE_ANY, &e);
    if (!j)
        snprintf(err, errlen, "%s: %s (line %d)", inline_json ? "inline JSON" : text_or_path,
                 e.text, e.line);
    return j;
}

/* ---- cross-state copy ------------------------------------------------------ */

typedef struct copier {
    lua_State *from, *to;
    int seen; /* index in `to` of the source-address -> copy table */
    char *err;
    size_t errlen;
} copier;

static int copy_value(copier *c, int idx, int depth);

static int copyable(int type)
{
    return type == LUA_TNIL || type == LUA_TBOOLEAN || type == LUA_TNUMBER ||
           type == LUA_TSTRING || type == LUA_TLIGHTUSERDATA || type == LUA_TTABLE;
}

/* Copies the table at idx (absolute) in from; pushes the copy on to. */
static int copy_table(copier *c, int idx, int depth)
{
    const void *addr = lua_topointer(c->from, idx);
    lua_pushlightuserdata(c->to, (void *)addr);
    lua_rawget(c->to, c->seen);
    if (!lua_isnil(c->to, -1))
        return 0;
    lua_pop(c->to, 1);
    lua_newtable(c->to);
    lua_pushlightuserdata(c->to, (void *)addr);
    lua_pushvalue(c->to, -2);
    lua_rawset(c->to, c->seen);
    lua_pushnil(c->from);
    while (lua_next(c->from, idx) != 0) {
        int kt = lua_type(c->from, -2), vt = lua_type(c->from, -1);
        if (kt != LUA_TNIL && copyable(kt) && copyable(vt)) {
            int top = lua_gettop(c->from);
            if (copy_value(c, top - 1, depth + 1) != 0 || copy_value(c, top, depth + 1) != 0) {
                lua_pop(c->from, 2);
                return -1;
            }
            lua_rawset(c->to, -3);
        }
        lua_pop(c->from, 1);
    }
    return 0;
}

static int copy_value(copier *c, int idx, int depth)
{
    if (depth > MAX_DEPTH) {
        snprintf(c->err, c->errlen, "state is nested deeper than %d tables", MAX_DEPTH);
        return -1;
    }
    if (!lua_checkstack(c->to, 8) || !lua_checkstack(c->from, 8)) {
        snprintf(c->err, c->errlen, "Lua stack exhausted while copying state");
        return -1;
    }
    size_t len;
    const char *s;
    switch (lua_type(c->from, idx)) {
    case LUA_TBOOLEAN:
        lua_pushboolean(c->to, lua_toboolean(c->from, idx));
        return 0;
    case LUA_TNUMBER:
        lua_pushnumber(c->to, lua_tonumber(c->from, idx));
        return 0;
    case LUA_TSTRING:
        s = lua_tolstring(c->from, idx, &len);
        lua_pushlstring(c->to, s, len);
        return 0;
    case LUA_TLIGHTUSERDATA:
        lua_pushlightuserdata(c->to, lua_touserdata(c->from, idx));
        return 0;
    case LUA_TTABLE:
        return copy_table(c, idx, depth);
    default:
        lua_pushnil(c->to);
        return 0;
    }
}

int kmesos_plua_copy(lua_State *from, int idx, lua_State *to, char *err, size_t errlen)
{
    if (idx < 0 && idx > LUA_REGISTRYINDEX)
        idx = lua_gettop(from) + idx + 1;
    int base = lua_gettop(to), from_base = lua_gettop(from);
    lua_newtable(to);
    copier c = {from, to, lua_gettop(to), err, errlen};
    int rc = copy_value(&c, idx, 0);
    if (rc == 0) {
        lua_remove(to, c.seen);
    } else {
        lua_settop(to, base);
        lua_settop(from, from_base);
    }
    return rc;
}
