--[[
thresholds.lua -- wait until an offer, or the cluster as a whole, has enough resources.

Options (ctx.options); every rule is off unless configured. In min_offer, min_free and
keep_free a number field applies to all kinds and a table field named after a kind overrides
it for that kind: { cpus = 1, broker = { cpus = 2, mem = 4096 } }.

  min_offer = { cpus, mem, disk, ports }
        the offer itself must have at least these (ports = number of ports in offer.ports).
        Not met -> offer_verdict ("decline" by default: an offer does not grow), reason,
        refuse_seconds.
  min_free = { cpus, mem, disk }
        the cluster must have at least this much free (ctx.cluster.free.cpus/mem/disk >= min).
        Not met -> free_verdict ("wait" by default), reason.
  keep_free = { cpus, mem, disk }
        headroom: launching must leave at least this much free
        (ctx.cluster.free.X - task.X >= keep_free.X). Not met -> free_verdict.
  group_size = { broker = 3 }
        group gating: a task of this kind starts only when ctx.cluster.free fits the whole
        group, N * (task.cpus, task.mem, task.disk). A task label named `group_size_label`
        (default "group_size", a number or numeric string) overrides N for that task.
        When the gate opens it stays open for group_open_s seconds so the other members of
        the group can launch while free shrinks; the gate is kept in
        ctx.state.thresholds_groups[key] = ctx.now, key = task.labels[group_label]
        (label "group" by default) or else task.kind. Not met -> free_verdict.
  offer_verdict = "decline"        verdict when min_offer is not met ("decline" or "wait").
  free_verdict = "wait"            verdict when min_free / keep_free / group_size is not met.
  refuse_seconds = nil             refuse_seconds returned with "decline".
  group_size_label = "group_size"  group_label = "group"   group_open_s = 60

When ctx.cluster.free is absent the cluster-wide rules are skipped (accept).
Verdicts: "accept" | offer_verdict / free_verdict, reason[, refuse_seconds].
]]

local type, tonumber = type, tonumber

local EMPTY = {}

local R_OFFER = {
  cpus = "thresholds: offer has fewer cpus than min_offer.cpus",
  mem = "thresholds: offer has less mem than min_offer.mem",
  disk = "thresholds: offer has less disk than min_offer.disk",
  ports = "thresholds: offer has fewer ports than min_offer.ports",
}
local R_FREE = {
  cpus = "thresholds: cluster has fewer free cpus than min_free.cpus",
  mem = "thresholds: cluster has less free mem than min_free.mem",
  disk = "thresholds: cluster has less free disk than min_free.disk",
}
local R_KEEP = {
  cpus = "thresholds: launching would leave fewer free cpus than keep_free.cpus",
  mem = "thresholds: launching would leave less free mem than keep_free.mem",
  disk = "thresholds: launching would leave less free disk than keep_free.disk",
}
local R_GROUP = "thresholds: waiting until the cluster has free resources for the whole group (group_size)"

local RES = { "cpus", "mem", "disk" }

-- limit for resource `r`: the kind's own table first, then the global number
local function limit(t, kt, r)
  local v = kt and kt[r]
  if v == nil then v = t[r] end
  return v
end

local function kind_table(t, kind)
  local kt = kind ~= nil and t[kind] or nil
  if type(kt) ~= "table" then return nil end
  return kt
end

local function port_count(ports)
  if ports == nil then return 0 end
  local n = 0
  for i = 1, #ports do
    local r = ports[i]
    local lo, hi = r[1], r[2]
    if hi == nil then hi = lo end
    if lo ~= nil and hi >= lo then n = n + (hi - lo + 1) end
  end
  return n
end

local function group_n(task, opt)
  local labels = task.labels
  if labels ~= nil then
    local n = tonumber(labels[opt.group_size_label or "group_size"])
    if n ~= nil then return n end
  end
  local gs = opt.group_size
  return gs and tonumber(gs[task.kind]) or nil
end

local function evaluate(offer, task, ctx)
  local opt = ctx.options or EMPTY
  local kind = task.kind

  local mo = opt.min_offer
  if mo ~= nil then
    local kt = kind_table(mo, kind)
    for i = 1, 3 do
      local r = RES[i]
      local v = limit(mo, kt, r)
      if v ~= nil and (offer[r] or 0) < v then
        return opt.offer_verdict or "decline", R_OFFER[r], opt.refuse_seconds
      end
    end
    local v = limit(mo, kt, "ports")
    if v ~= nil and port_count(offer.ports) < v then
      return opt.offer_verdict or "decline", R_OFFER.ports, opt.refuse_seconds
    end
  end

  local cluster = ctx.cluster
  local free = cluster and cluster.free
  if free == nil then return "accept" end
  local free_verdict = opt.free_verdict or "wait"

  local mf = opt.min_free
  if mf ~= nil then
    local kt = kind_table(mf, kind)
    for i = 1, 3 do
      local r = RES[i]
      local v = limit(mf, kt, r)
      if v ~= nil and (free[r] or 0) < v then return free_verdict, R_FREE[r], opt.refuse_seconds end
    end
  end

  local kf = opt.keep_free
  if kf ~= nil then
    local kt = kind_table(kf, kind)
    for i = 1, 3 do
      local r = RES[i]
      local v = limit(kf, kt, r)
      if v ~= nil and (free[r] or 0) - (task[r] or 0) < v then
        return free_verdict, R_KEEP[r], opt.refuse_seconds
      end
    end
  end

  local n = group_n(task, opt)
  if n ~= nil and n > 1 then
    local labels = task.labels
    local key = labels and labels[opt.group_label or "group"] or kind or "?"
    local state = ctx.state
    local groups = type(state) == "table" and state.thresholds_groups or nil
    local now = ctx.now or 0
    local opened = groups and groups[key]
    if opened ~= nil and now - opened < (opt.group_open_s or 60) then return "accept" end
    for i = 1, 3 do
      local r = RES[i]
      if (free[r] or 0) < n * (task[r] or 0) then return free_verdict, R_GROUP, opt.refuse_seconds end
    end
    if type(state) == "table" then
      if groups == nil then groups = {}; state.thresholds_groups = groups end
      groups[key] = now
    end
  end

  return "accept"
end

return {
  name = "thresholds",
  evaluate = evaluate,
}
