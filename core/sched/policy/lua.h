/* lua: plain-value plumbing for the policy host: JSON (jansson) to
 * Lua tables, a JSON value read from a file or given inline, and a deep
 * copy of plain Lua values from one lua_State into another (how ctx.state
 * survives a hot reload into a fresh state). Only the policy host uses
 * it; it is the other half of "the only place that touches lua_State". */
#ifndef KMESOS_POLICY_LUA_H
#define KMESOS_POLICY_LUA_H
#include <stddef.h>

#include <jansson.h>
#include <lua.h>

/* Pushes j as a Lua value: objects and arrays become tables, JSON null a
 * NULL lightuserdata inside arrays (like cjson.null) and is left out of
 * objects. 0, or -1 (nothing pushed) when nested deeper than 64. */
int kmesos_plua_push_json(lua_State *L, const json_t *j);
/* Reads JSON from text starting with '{' or '[' (inline), else from the
 * file at that path. NULL with "where: message (line N)" in err. */
json_t *kmesos_plua_load_json(const char *text_or_path, char *err, size_t errlen);
/* Pushes onto `to` a deep copy of the value at idx in `from`: nil,
 * booleans, numbers, strings, lightuserdata and tables of them (shared
 * subtables and cycles preserved); functions, userdata and threads are
 * left out. 0, or -1 with a message in err (nothing pushed). */
int kmesos_plua_copy(lua_State *from, int idx, lua_State *to, char *err, size_t errlen);

#endif
