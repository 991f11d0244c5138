--[[
delay.lua -- delay scheduling (wait a little for a preferred node, then rack, then anything).

A task may carry `task.prefer = { agents = {...}, hosts = {...}, racks = {...} }` (each list
optional), typically where a broker's data lives. For such a task:

  1. an offer on a preferred agent (offer.agent_id) or host (offer.hostname)  -> "accept";
  2. otherwise, while task.waiting_s <  node_wait_s                             -> "wait";
  3. an offer in a preferred rack, or in the rack of a preferred host/agent,
     once task.waiting_s >= node_wait_s                                         -> "accept";
  4. any offer once task.waiting_s >= node_wait_s + rack_wait_s                 -> "accept";
  5. otherwise                                                                  -> "wait".
A task without `prefer` (or with only empty lists) -> "accept".

Options (ctx.options), with defaults:
  node_wait_s    = 5       seconds to wait for a preferred agent/host
  rack_wait_s    = 5       further seconds to wait for a preferred rack
  rack_attribute = "rack"  offer attribute naming the rack
  learn_racks    = true    remember host -> rack and agent -> rack from every offer seen, in
                           ctx.state.rack_of_host / ctx.state.rack_of_agent (survives reloads)

The rack of a preferred host/agent is looked up, first match wins, in
  ctx.cluster.rack_of_host[host], ctx.cluster.rack_of_agent[agent_id]   (optional, from the host)
  ctx.state.rack_of_host[host],   ctx.state.rack_of_agent[agent_id]     (learned from offers)
prefer lists may be arrays ({"h1","h2"}) or sets ({h1=true}).

Verdicts: "accept" | "wait", reason. Never "decline": delay only ever postpones.
]]

local next, type = next, type

local DEFAULT_NODE_WAIT_S = 5
local DEFAULT_RACK_WAIT_S = 5
local DEFAULT_RACK_ATTRIBUTE = "rack"

local EMPTY = {}

local R_NODE = "delay: waiting for an offer on a preferred host"
local R_RACK = "delay: waiting for an offer in a preferred rack"

-- membership in an array ({"a","b"}) or a set ({a=true})
local function contains(t, v)
  if t == nil or v == nil then return false end
  if t[v] == true then return true end
  for i = 1, #t do
    if t[i] == v then return true end
  end
  return false
end

local function nonempty(t)
  return type(t) == "table" and next(t) ~= nil
end

local function lookup(cluster, state, key, v)
  local m = cluster and cluster[key]
  local r = m and m[v]
  if r ~= nil then return r end
  m = state and state[key]
  return m and m[v]
end

-- true when `rack` is the rack of one of the items (hosts or agents) in list `t`
local function any_in_rack(t, cluster, state, key, rack)
  if t == nil then return false end
  for i = 1, #t do
    if lookup(cluster, state, key, t[i]) == rack then return true end
  end
  for k, v in next, t do
    if v == true and lookup(cluster, state, key, k) == rack then return true end
  end
  return false
end

-- Runs for every (offer, task) pair, so the common cases are kept short: learning the
-- offer's rack is inline, and helpers are not called for absent (nil) prefer lists (they
-- would answer false).
local function evaluate(offer, task, ctx)
  local opt = ctx.options or EMPTY
  local attrs = offer.attributes
  local rack = attrs and attrs[opt.rack_attribute or DEFAULT_RACK_ATTRIBUTE]
  local state = ctx.state
  if rack ~= nil and type(state) == "table" and opt.learn_racks ~= false then
    -- learn host -> rack and agent -> rack
    local h, a = offer.hostname, offer.agent_id
    if h ~= nil then
      local m = state.rack_of_host
      if m == nil then m = {}; state.rack_of_host = m end
      if m[h] ~= rack then m[h] = rack end
    end
    if a ~= nil then
      local m = state.rack_of_agent
      if m == nil then m = {}; state.rack_of_agent = m end
      if m[a] ~= rack then m[a] = rack end
    end
  end

  local prefer = task.prefer
  if prefer == nil then return "accept" end
  local agents, hosts, racks = prefer.agents, prefer.hosts, prefer.racks
  if not ((agents ~= nil and nonempty(agents)) or (hosts ~= nil and nonempty(hosts))
          or (racks ~= nil and nonempty(racks))) then
    return "accept"
  end

  if (agents ~= nil and contains(agents, offer.agent_id))
     or (hosts ~= nil and contains(hosts, offer.hostname)) then
    return "accept"
  end

  local waited = task.waiting_s or 0
  local node_wait = opt.node_wait_s or DEFAULT_NODE_WAIT_S
  if waited < node_wait then return "wait", R_NODE end

  if rack ~= nil then
    if racks ~= nil and contains(racks, rack) then return "accept" end
    local cluster = ctx.cluster
    if (hosts ~= nil and any_in_rack(hosts, cluster, state, "rack_of_host", rack))
       or (agents ~= nil and any_in_rack(agents, cluster, state, "rack_of_agent", rack)) then
      return "accept"
    end
  end

  if waited >= node_wait + (opt.rack_wait_s or DEFAULT_RACK_WAIT_S) then return "accept" end
  return "wait", R_RACK
end

return {
  name = "delay",
  evaluate = evaluate,
}
