--[[
delay.lua -- delay scheduling (wait a little for a preferred node, then rack, then anything),
after Zaharia et al., "Delay Scheduling", EuroSys'10, Algorithm 2 (locality levels).

A task may carry `task.prefer = { agents = {...}, hosts = {...}, racks = {...} }` (each list
optional), typically where its data lives. For such a task, with W = the wait (below):

  1. an offer on a preferred agent (offer.agent_id) or host (offer.hostname)  -> "accept";
  2. otherwise, while W <  node_wait_s                                          -> "wait";
  3. an offer in a preferred rack, or in the rack of a preferred host/agent,
     once W >= node_wait_s                                                      -> "accept";
  4. any offer once W >= node_wait_s + rack_wait_s                              -> "accept";
  5. otherwise                                                                  -> "wait".
A task without `prefer` (or with only empty lists) -> "accept".

The wait W is the paper's per-JOB clock when the host gives one: W = task.job.waiting_s,
the seconds since the job was first passed over after its last launch (0 until then, reset at
each launch of the job; the core computes it). Without task.job (an older host, a spec that
does not set it) W = task.waiting_s, the seconds since the task became pending, exactly as
before task.job existed.

remember_level (option, default true): the paper also remembers each job's locality level,
the level of its last launch: 0 node-local (preferred agent/host), 1 rack-local, 2 off-rack.
A job at level 1 accepts a rack offer at any W and any offer once W >= rack_wait_s; a job at
level 2 accepts any offer. A node-local launch drops the job back to level 0. The level is
recorded by on_launch (which the core calls after each launch) in ctx.state.delay_jobs[job.id]
= { level, at } (only jobs at level 1 or 2 are kept; entries of jobs that did not launch for
level_forget_s are dropped by on_tick, and at most level_max_jobs are kept). It applies only
with task.job. Default true, as decided with the placement simulator (docs/locality.md):
without it a job whose local tasks ran out launches one task per node_wait_s (static
partitioning of paper.json: utilisation 0.12-0.22 instead of 0.79-0.81).

Options (ctx.options), with defaults:
  node_wait_s    = 5       seconds to wait for a preferred agent/host
  rack_wait_s    = 5       further seconds to wait for a preferred rack
  rack_attribute = "rack"  offer attribute naming the rack
  learn_racks    = true    remember host -> rack and agent -> rack from every offer seen, in
                           ctx.state.rack_of_host / ctx.state.rack_of_agent (survives reloads)
  remember_level = true    remember each job's locality level (see above; needs task.job)
  level_forget_s = 300     forget the level of a job that has not launched for this long
  level_max_jobs = 4096    at most this many remembered levels (the oldest go first)

The rack of a preferred host/agent is looked up, first match wins, in
  ctx.cluster.rack_of_host[host], ctx.cluster.rack_of_agent[agent_id]   (from the host: every
                                                                         agent the master knows)
  ctx.state.rack_of_host[host],   ctx.state.rack_of_agent[agent_id]     (learned from offers)
prefer lists may be arrays ({"h1","h2"}) or sets ({h1=true}).

Verdicts: "accept" | "wait", reason; never a refuse_seconds (a waiting task must see the next
offer of its node soon). Never "decline": delay only ever postpones.
]]

local next, type, pairs = next, type, pairs

local DEFAULT_NODE_WAIT_S = 5
local DEFAULT_RACK_WAIT_S = 5
local DEFAULT_RACK_ATTRIBUTE = "rack"
local DEFAULT_LEVEL_FORGET_S = 300
local DEFAULT_LEVEL_MAX_JOBS = 4096

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

-- true when `rack` is a preferred rack or the rack of a preferred host/agent
local function rack_matches(hosts, agents, racks, rack, cluster, state)
  if racks ~= nil and contains(racks, rack) then return true end
  return (hosts ~= nil and any_in_rack(hosts, cluster, state, "rack_of_host", rack))
      or (agents ~= nil and any_in_rack(agents, cluster, state, "rack_of_agent", rack))
end

-- Runs for every (offer, task) pair, so the common cases are kept short: learning the
-- offer's rack is inline, and helpers are not called for absent (nil) prefer lists (they
-- would answer false).
local function evaluate(offer, task, ctx)
  local opt = ctx.options or EMPTY
  local attrs = offer.attributes
  local rack = attrs and attrs[opt.rack_attribute or DEFAULT_RACK_ATTRIBUTE]
  local state = ctx.state
  if type(state) ~= "table" then state = nil end
  if rack ~= nil and state ~= nil and opt.learn_racks ~= false then
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

  -- the wait: the job's clock when the host gives one, else the task's (as before task.job)
  local job = task.job
  local waited, level = nil, 0
  if job ~= nil then
    waited = job.waiting_s or 0
    if opt.remember_level ~= false and state ~= nil then
      local jobs = state.delay_jobs
      local e = jobs and jobs[job.id]
      if e ~= nil then level = e.level or 0 end
    end
  else
    waited = task.waiting_s or 0
  end
  if level >= 2 then return "accept" end

  local node_wait = opt.node_wait_s or DEFAULT_NODE_WAIT_S
  if level == 0 and waited < node_wait then return "wait", R_NODE end

  if rack ~= nil and rack_matches(hosts, agents, racks, rack, ctx.cluster, state) then
    return "accept"
  end

  local rack_wait = opt.rack_wait_s or DEFAULT_RACK_WAIT_S
  if level == 0 then rack_wait = node_wait + rack_wait end
  if waited >= rack_wait then return "accept" end
  return "wait", R_RACK
end

-- locality level of launching `task` on `offer`: 0 node, 1 rack, 2 off-rack; nil without prefer
local function launch_level(offer, task, ctx, opt)
  local prefer = task.prefer
  if type(prefer) ~= "table" then return nil end
  local agents, hosts, racks = prefer.agents, prefer.hosts, prefer.racks
  if not (nonempty(agents) or nonempty(hosts) or nonempty(racks)) then return nil end
  if contains(agents, offer.agent_id) or contains(hosts, offer.hostname) then return 0 end
  local state = type(ctx.state) == "table" and ctx.state or nil
  local attrs = offer.attributes
  local rack = attrs and attrs[opt.rack_attribute or DEFAULT_RACK_ATTRIBUTE]
  if rack ~= nil and rack_matches(hosts, agents, racks, rack, ctx.cluster, state) then return 1 end
  return 2
end

-- drop levels of jobs that did not launch for level_forget_s; returns the number kept
local function prune(jobs, now, forget)
  local n = 0
  for id, e in pairs(jobs) do
    if now - (e.at or 0) > forget then jobs[id] = nil else n = n + 1 end
  end
  return n
end

-- on_launch(task, offer, ctx): the core calls it after each launch. With remember_level, it
-- records the job's locality level (the level of this launch) in ctx.state.delay_jobs.
local function on_launch(task, offer, ctx)
  local opt = ctx.options or EMPTY
  if opt.remember_level == false then return end
  local job, state = task.job, ctx.state
  if type(job) ~= "table" or job.id == nil or type(state) ~= "table" then return end
  local level = launch_level(offer, task, ctx, opt)
  if level == nil then return end          -- a task without prefer says nothing about locality
  local jobs = state.delay_jobs
  local now = ctx.now or 0
  if level == 0 then                       -- back to node level: nothing to remember
    if jobs ~= nil and jobs[job.id] ~= nil then
      jobs[job.id] = nil
      state.delay_jobs_n = (state.delay_jobs_n or 1) - 1
    end
    return
  end
  if jobs == nil then jobs = {}; state.delay_jobs = jobs; state.delay_jobs_n = 0 end
  local e = jobs[job.id]
  if e ~= nil then
    e.level, e.at = level, now
    return
  end
  local n = (state.delay_jobs_n or 0) + 1
  local max = opt.level_max_jobs or DEFAULT_LEVEL_MAX_JOBS
  if n > max then
    n = prune(jobs, now, opt.level_forget_s or DEFAULT_LEVEL_FORGET_S) + 1
    while n > max do                       -- still full: forget the least recent launches
      local oldest, oldest_at
      for id, o in pairs(jobs) do
        if oldest == nil or (o.at or 0) < oldest_at then oldest, oldest_at = id, o.at or 0 end
      end
      if oldest == nil then break end
      jobs[oldest] = nil
      n = n - 1
    end
  end
  jobs[job.id] = { level = level, at = now }
  state.delay_jobs_n = n
end

-- on_tick(ctx): forget the levels of jobs that did not launch for level_forget_s
local function on_tick(ctx)
  local state = ctx.state
  local jobs = type(state) == "table" and state.delay_jobs
  if not jobs then return end
  local opt = ctx.options or EMPTY
  state.delay_jobs_n = prune(jobs, ctx.now or 0, opt.level_forget_s or DEFAULT_LEVEL_FORGET_S)
end

return {
  name = "delay",
  evaluate = evaluate,
  on_launch = on_launch,
  on_tick = on_tick,
}
