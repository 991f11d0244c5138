--[[
locality.lua -- host/rack affinity and anti-affinity between task kinds.

Hard rules (violation -> "decline", reason, opt.refuse_seconds):
  max_per_host = { broker = 1 }    at most n tasks of a kind per host: an offer on a host that
                                   already runs n (ctx.cluster.tasks_by_host[host][kind] >= n)
                                   is declined. Default { broker = 1 }; false disables.
  max_per_rack = { broker = 2 }    same per rack (offer.attributes[rack_attribute], counts from
                                   ctx.cluster.tasks_by_rack[rack][kind]). Default none.
  avoid = { producer = "broker" }  anti-affinity: never put a task of the key kind on a host
                                   running any task of the listed kind(s) (a string or a list
                                   of kinds). Default none.

Soft rules (not yet satisfied -> "wait", reason; they give up after a while and accept):
  spread = { broker = true }       spread these kinds evenly over the values of spread_attribute:
                                   an offer whose value already holds more tasks of the kind
                                   than the least loaded value (+ spread_slack) waits. Default
                                   { broker = true }; false disables.
  spread_attribute = "rack"        attribute to spread over ("hostname" = the offer's host).
  spread_slack = 0                 tolerated excess over the least loaded value.
  spread_wait_s = 30               after the task has waited this long, accept anyway.
  spread_strict = false            true: "decline" instead of "wait", and never give up.
  near = { consumer = "broker", producer = "broker" }
                                   affinity: tasks of the key kind prefer a host running a task
                                   of the listed kind(s), then a rack running one. While none of
                                   the listed kinds runs anywhere, any offer is accepted.
                                   Default as shown; false disables.
  near_host_wait_s = 5             wait this long for a host running the listed kind(s) ...
  near_rack_wait_s = 5             ... then this much longer for such a rack, then accept any.

Other options:
  rack_attribute = "rack"          offer attribute naming the rack.
  remember_s = 300                 spread: values of spread_attribute seen in offers during the
                                   last remember_s seconds count as candidates holding 0 tasks
                                   even when ctx.cluster has no row for them (an empty rack).
                                   Kept in ctx.state.locality_seen[attr][value] = ctx.now,
                                   pruned by on_tick.
  refuse_seconds = nil             refuse_seconds returned with "decline".

Counts used for an attribute `a` (tables of [value][kind] = n):
  a == "hostname"                  ctx.cluster.tasks_by_host
  ctx.cluster.tasks_by_attribute[a] when the host provides it (any attribute)
  a == rack_attribute              ctx.cluster.tasks_by_rack
  otherwise the spread rule for `a` cannot be checked and is skipped (accept).
]]

local next, type = next, type

local EMPTY = {}
local DEFAULT_MAX_PER_HOST = { broker = 1 }
local DEFAULT_SPREAD = { broker = true }
local DEFAULT_NEAR = { consumer = "broker", producer = "broker" }

local R_MAX_HOST = "locality: host already runs the maximum number of tasks of this kind (max_per_host)"
local R_MAX_RACK = "locality: rack already runs the maximum number of tasks of this kind (max_per_rack)"
local R_AVOID = "locality: host runs a kind this task must avoid (avoid)"
local R_SPREAD = "locality: spreading, this offer's rack/attribute already holds more tasks of this kind than another (spread)"
local R_NEAR_HOST = "locality: waiting for an offer on a host running the kind this task wants to be near (near)"
local R_NEAR_RACK = "locality: waiting for an offer in a rack running the kind this task wants to be near (near)"

-- number of tasks of `kinds` (a kind string or a list of kinds) in a [kind] = n row
local function count_kinds(row, kinds)
  if row == nil then return 0 end
  if type(kinds) == "string" then return row[kinds] or 0 end
  local n = 0
  for i = 1, #kinds do n = n + (row[kinds[i]] or 0) end
  return n
end

-- true when any row of a [place][kind] = n table holds a task of `kinds`
local function any_place_has(tbl, kinds)
  if tbl == nil then return false end
  for _, row in next, tbl do
    if count_kinds(row, kinds) > 0 then return true end
  end
  return false
end

local function counts_for(cluster, attr, rack_attr)
  if attr == "hostname" then return cluster.tasks_by_host end
  local tba = cluster.tasks_by_attribute
  local t = tba and tba[attr]
  if t ~= nil then return t end
  if attr == rack_attr then return cluster.tasks_by_rack end
  return nil
end

local function remember(state, attr, value, now)
  local seen = state.locality_seen
  if seen == nil then seen = {}; state.locality_seen = seen end
  local s = seen[attr]
  if s == nil then s = {}; seen[attr] = s end
  s[value] = now
end

-- spread rule: true when the offer's `value` is (within slack) among the least loaded
local function spread_ok(counts, seen, kind, value, slack, now, remember_s)
  local row = counts and counts[value]
  local mine = row and row[kind] or 0
  if mine <= slack then return true end
  local min = mine
  if counts ~= nil then
    for _, r in next, counts do
      local c = r[kind] or 0
      if c < min then min = c end
    end
  end
  if min > 0 and seen ~= nil then
    for v, t in next, seen do
      if now - t <= remember_s and (counts == nil or counts[v] == nil) then
        min = 0
        break
      end
    end
  end
  return mine <= min + slack
end

local function opt_or(opt, key, default)
  local v = opt[key]
  if v == nil then return default end
  if v == false then return nil end
  return v
end

local function evaluate(offer, task, ctx)
  local opt = ctx.options or EMPTY
  local cluster = ctx.cluster or EMPTY
  local kind = task.kind
  local host = offer.hostname
  local attrs = offer.attributes or EMPTY
  local rack_attr = opt.rack_attribute or "rack"
  local rack = attrs[rack_attr]
  local by_host = cluster.tasks_by_host
  local host_row = by_host and host ~= nil and by_host[host] or nil
  local by_rack = cluster.tasks_by_rack
  local rack_row = by_rack and rack ~= nil and by_rack[rack] or nil

  -- hard rules
  local mph = opt_or(opt, "max_per_host", DEFAULT_MAX_PER_HOST)
  local lim = mph and mph[kind]
  if lim ~= nil and host_row ~= nil and (host_row[kind] or 0) >= lim then
    return "decline", R_MAX_HOST, opt.refuse_seconds
  end
  local mpr = opt.max_per_rack
  lim = mpr and mpr[kind]
  if lim ~= nil and rack_row ~= nil and (rack_row[kind] or 0) >= lim then
    return "decline", R_MAX_RACK, opt.refuse_seconds
  end
  local avoid = opt.avoid
  local av = avoid and avoid[kind]
  if av ~= nil and count_kinds(host_row, av) > 0 then
    return "decline", R_AVOID, opt.refuse_seconds
  end

  local waited = task.waiting_s or 0

  -- spread
  local spread = opt_or(opt, "spread", DEFAULT_SPREAD)
  if spread and spread[kind] then
    local attr = opt.spread_attribute or "rack"
    local value
    if attr == "hostname" then value = host else value = attrs[attr] end
    if value ~= nil then
      local now = ctx.now or 0
      local remember_s = opt.remember_s or 300
      local state = ctx.state
      local seen
      if type(state) == "table" then
        remember(state, attr, value, now)
        seen = state.locality_seen[attr]
      end
      local counts = counts_for(cluster, attr, rack_attr)
      if (counts ~= nil or seen ~= nil)
         and not spread_ok(counts, seen, kind, value, opt.spread_slack or 0, now, remember_s) then
        if opt.spread_strict then return "decline", R_SPREAD, opt.refuse_seconds end
        if waited < (opt.spread_wait_s or 30) then return "wait", R_SPREAD end
      end
    end
  end

  -- near
  local near = opt_or(opt, "near", DEFAULT_NEAR)
  local target = near and near[kind]
  if target ~= nil then
    if count_kinds(host_row, target) > 0 then return "accept" end
    if not any_place_has(by_host, target) and not any_place_has(by_rack, target) then
      return "accept"
    end
    local host_wait = opt.near_host_wait_s or 5
    if waited < host_wait then return "wait", R_NEAR_HOST end
    if count_kinds(rack_row, target) > 0 then return "accept" end
    if waited < host_wait + (opt.near_rack_wait_s or 5) then return "wait", R_NEAR_RACK end
  end

  return "accept"
end

-- forget values of spread_attribute not seen in an offer for remember_s seconds
local function on_tick(ctx)
  local state = ctx.state
  local seen = type(state) == "table" and state.locality_seen
  if not seen then return end
  local opt = ctx.options or EMPTY
  local limit = (ctx.now or 0) - (opt.remember_s or 300)
  for _, s in next, seen do
    for v, t in next, s do
      if t < limit then s[v] = nil end
    end
  end
end

return {
  name = "locality",
  evaluate = evaluate,
  on_tick = on_tick,
}
