--[[
chain.lua -- run an ordered list of policies over (offer, task, ctx): the first non-"accept"
answer is the pair's answer; all accept -> "accept". Pure Lua, no dependencies (cjson only
for chain.check with a JSON string). Used by the specs and by `--check-policy` dry runs; it
mirrors what the C policy host does (DESIGN.md section 5). chain.lua is a helper module, not
a policy: do not pass it to --policy.

  local chain = dofile("policies/chain.lua")
  local entries = assert(chain.load_chain({ "policies/constraints.lua", "policies/delay.lua" }))
  local verdict, reason, refuse_seconds, policy_name = chain.evaluate(entries, offer, task, ctx)

An entry is either a policy table ({ name, evaluate, [on_status], [on_tick], [on_launch] }) or
{ policy = <policy table>, options = <table>, state = <table> }. For the second form
ctx.options (and ctx.state, when given) are set to the entry's for the duration of its call and
restored afterwards, so one ctx table serves the whole chain without allocation. A plain policy
entry sees ctx as given.

Errors are isolated as in the C host: a policy that raises, or returns something other than
"accept" / "decline" / "wait", gives "decline" with a reason naming the policy.

The default chain, used when no --policy is given, is chain.DEFAULT: constraints.lua, then
delay.lua (chain.load_default(dir) loads it from `dir`, default "policies/").
]]

local type, tostring, pcall, loadfile = type, tostring, pcall, loadfile

local M = {}

M.DEFAULT = { "constraints.lua", "delay.lua" }

local VALID = { accept = true, decline = true, wait = true }

local function policy_of(e)
  local p = e.policy
  if p ~= nil then return p, true end
  return e, false
end

-- evaluate(entries, offer, task, ctx) -> verdict, reason, refuse_seconds, policy name
function M.evaluate(entries, offer, task, ctx)
  local saved_options, saved_state = ctx.options, ctx.state
  for i = 1, #entries do
    local p, wrapped = policy_of(entries[i])
    if wrapped then
      local e = entries[i]
      ctx.options = e.options
      if e.state ~= nil then ctx.state = e.state end
    end
    local ok, v, r, s = pcall(p.evaluate, offer, task, ctx)
    if wrapped then ctx.options, ctx.state = saved_options, saved_state end
    if not ok then
      return "decline", "policy " .. tostring(p.name) .. " raised: " .. tostring(v), nil, p.name
    end
    if v ~= "accept" then
      if not VALID[v] then
        return "decline", "policy " .. tostring(p.name) .. " returned an invalid verdict: " .. tostring(v),
          nil, p.name
      end
      if r ~= nil and type(r) ~= "string" then r = tostring(r) end
      if type(s) ~= "number" then s = nil end
      return v, r, s, p.name
    end
  end
  return "accept"
end

local function each_hook(entries, hook, ctx, a, b)
  local errors
  local saved_options, saved_state = ctx.options, ctx.state
  for i = 1, #entries do
    local p, wrapped = policy_of(entries[i])
    local f = p[hook]
    if f ~= nil then
      if wrapped then
        local e = entries[i]
        ctx.options = e.options
        if e.state ~= nil then ctx.state = e.state end
      end
      local ok, err
      if hook == "on_tick" then ok, err = pcall(f, ctx) else ok, err = pcall(f, a, b, ctx) end
      if wrapped then ctx.options, ctx.state = saved_options, saved_state end
      if not ok then
        errors = errors or {}
        errors[#errors + 1] = "policy " .. tostring(p.name) .. " " .. hook .. ": " .. tostring(err)
      end
    end
  end
  return errors
end

-- on_tick(ctx) of every policy that has one; returns nil or a list of error messages
function M.tick(entries, ctx) return each_hook(entries, "on_tick", ctx) end

-- on_status(task, status, ctx) of every policy that has one; nil or a list of error messages
function M.status(entries, task, status, ctx) return each_hook(entries, "on_status", ctx, task, status) end

-- on_launch(task, offer, ctx) of every policy that has one, as the core calls it after each
-- launch; nil or a list of error messages
function M.on_launch(entries, task, offer, ctx) return each_hook(entries, "on_launch", ctx, task, offer) end

-- validate a value returned by a policy file: nil, err when it is not a policy
function M.validate(p, where)
  where = where or "policy"
  if type(p) ~= "table" then return nil, where .. ": file must return a table, got " .. type(p) end
  if type(p.evaluate) ~= "function" then return nil, where .. ": table has no evaluate function" end
  for _, hook in ipairs({ "on_status", "on_tick", "on_launch" }) do
    if p[hook] ~= nil and type(p[hook]) ~= "function" then
      return nil, where .. ": " .. hook .. " must be a function"
    end
  end
  if p.name ~= nil and type(p.name) ~= "string" then return nil, where .. ": name must be a string" end
  return p
end

-- load(path[, options[, state]]) -> entry, or nil, err
function M.load(path, options, state)
  local chunk, err = loadfile(path)
  if chunk == nil then return nil, err end
  local ok, p = pcall(chunk)
  if not ok then return nil, path .. ": " .. tostring(p) end
  local valid, verr = M.validate(p, path)
  if not valid then return nil, verr end
  if p.name == nil then p.name = (path:match("([^/]+)$") or path):gsub("%.lua$", "") end
  if options == nil and state == nil then return p end
  return { policy = p, options = options, state = state }
end

-- load_chain({ path | { path = ..., options = ..., state = ... }, ... }) -> entries, or nil, err
function M.load_chain(list)
  local entries = {}
  for i = 1, #list do
    local item = list[i]
    local e, err
    if type(item) == "table" then
      e, err = M.load(item.path, item.options or {}, item.state)
    else
      e, err = M.load(item)
    end
    if e == nil then return nil, err end
    entries[i] = e
  end
  return entries
end

-- load_default([dir[, options_by_name]]) -> the default chain (constraints, delay)
function M.load_default(dir, options_by_name)
  dir = dir or "policies/"
  if dir:sub(-1) ~= "/" then dir = dir .. "/" end
  local list = {}
  for i = 1, #M.DEFAULT do
    local file = M.DEFAULT[i]
    local opts = options_by_name and options_by_name[file:gsub("%.lua$", "")]
    list[i] = opts and { path = dir .. file, options = opts } or (dir .. file)
  end
  return M.load_chain(list)
end

-- check(entries, input) -> list of { verdict, reason, refuse_seconds, policy } for a dry run.
-- input: one case { offer = ..., task = ..., ctx = ... } or a list of them, or the same as a
-- JSON string (needs cjson). A missing ctx gets { now = 0, options = {}, state = {},
-- cluster = {} }.
function M.check(entries, input)
  if type(input) == "string" then
    local ok, cjson = pcall(require, "cjson")
    if not ok then return nil, "chain.check: cjson is needed to decode JSON input" end
    local dok, decoded = pcall(cjson.decode, input)
    if not dok then return nil, "chain.check: bad JSON: " .. tostring(decoded) end
    input = decoded
  end
  if type(input) ~= "table" then return nil, "chain.check: input must be a table or a JSON string" end
  local cases = input
  if input.offer ~= nil or input.task ~= nil then cases = { input } end
  local results = {}
  for i = 1, #cases do
    local c = cases[i]
    local ctx = c.ctx or {}
    if ctx.options == nil then ctx.options = {} end
    if ctx.state == nil then ctx.state = {} end
    if ctx.cluster == nil then ctx.cluster = {} end
    if ctx.now == nil then ctx.now = 0 end
    if ctx.log == nil then ctx.log = function() end end
    local v, r, s, name = M.evaluate(entries, c.offer or {}, c.task or {}, ctx)
    results[i] = { verdict = v, reason = r, refuse_seconds = s, policy = name }
  end
  return results
end

return M
