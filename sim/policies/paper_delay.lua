--[[
paper_delay.lua -- a reference model of the delay scheduling paper's algorithm (Zaharia et al.,
EuroSys'10), written against today's policy API, for checking the simulator's model against the
papers' numbers. It is NOT a shipped scheduler policy (policies/delay.lua is).

One wait per job (task.name, the workload): the clock starts when the job is first passed over
(a task of it answered "wait") after its last launch, and is cleared whenever the job launches a
task (this policy answers "accept"; put it last in the chain). The job's locality level is
remembered, as in the paper: once its wait ran out it launches anywhere without waiting again
until it launches a task on a preferred host. For a task with prefer.hosts:
  an offer on a preferred host                 -> "accept" (level back to node)
  the job's level is "any"                     -> "accept"
  the job's wait >= node_wait_s                -> "accept" (level "any")
  otherwise                                    -> "wait"
Tasks without preferred hosts -> "accept".
Options: node_wait_s (default 5), remember_level (default true; false: wait again after every
launch that was not on a preferred host).
The core asks pending tasks in registry order, so within one job a task local to the offer's host
is found before the job gives up; across jobs it is not (that is the core's follow-up).
]]

local function contains(t, v)
  for i = 1, #t do
    if t[i] == v then return true end
  end
  return false
end

local function evaluate(offer, task, ctx)
  local hosts = task.prefer and task.prefer.hosts
  if hosts == nil or #hosts == 0 then return "accept" end
  local opt = ctx.options or {}
  local jobs = ctx.state.paper_jobs
  if jobs == nil then jobs = {}; ctx.state.paper_jobs = jobs end
  local j = jobs[task.name]
  if j == nil then j = { level = 0 }; jobs[task.name] = j end
  if contains(hosts, offer.hostname) then
    j.since, j.level = nil, 0
    return "accept"
  end
  if j.level > 0 and opt.remember_level ~= false then
    j.since = nil
    return "accept"
  end
  if j.since == nil then j.since = ctx.now end
  if ctx.now - j.since >= (opt.node_wait_s or 5) then
    j.since, j.level = nil, 1
    return "accept"
  end
  return "wait", "paper_delay: the job waits for a preferred host"
end

return { name = "paper_delay", evaluate = evaluate }
