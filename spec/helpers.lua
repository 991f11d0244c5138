-- spec/helpers.lua -- short fixture builders for policy specs.
--
--   local h = require("helpers")          -- .busted puts spec/ on package.path
--   local delay = h.load("delay")         -- fresh copy of policies/delay.lua
--   local v, reason, refuse = delay.evaluate(
--     h.make_offer{ hostname = "h2", attributes = { rack = "r1" } },
--     h.make_task{ prefer = { hosts = { "h1" } }, waiting_s = 3 },
--     h.make_ctx{ options = { node_wait_s = 5 } })
--   h.make_task{ prefer = { hosts = { "h1" } }, job = h.make_job{ waiting_s = 3 } }
--
-- Every builder starts from a complete, valid table (the field names of DESIGN.md section 5)
-- and overlays the fields given; nested tables given by the caller replace the defaults whole.

local M = {}

local function overlay(base, over)
  if over then
    for k, v in pairs(over) do base[k] = v end
  end
  return base
end

-- directory of the policies, relative to this file (spec/../policies/)
local function policies_dir()
  local src = debug.getinfo(1, "S").source
  local dir = src:match("^@(.*)/spec/[^/]*$") or src:match("^@(.*)spec/[^/]*$")
  if dir == nil then return "policies/" end
  if dir == "" then return "policies/" end
  return dir .. "/policies/"
end

M.POLICIES_DIR = policies_dir()

-- Load a policy file freshly (no package.loaded cache, so specs cannot leak module state).
function M.load(name)
  local path = name:find("/", 1, true) and name or (M.POLICIES_DIR .. name .. ".lua")
  local chunk = assert(loadfile(path))
  return chunk()
end

function M.make_offer(o)
  return overlay({
    id = "offer-1",
    agent_id = "agent-1",
    hostname = "host1",
    attributes = { rack = "r1" },
    cpus = 4,
    mem = 8192,
    disk = 100000,
    ports = { { 31000, 32000 } },
    age_s = 0,
  }, o)
end

function M.make_task(t)
  return overlay({
    id = "broker-0",
    kind = "broker",
    cpus = 1,
    mem = 2048,
    disk = 1024,
    ports_needed = 1,
    constraints = {},
    waiting_s = 0,
    attempts = 0,
    labels = {},
  }, t)
end

-- A task.job table (DESIGN.md section 5): the task's job with the per-job wait clock.
-- make_task does not add one, so a task without `job = h.make_job{...}` takes the old path.
function M.make_job(j)
  return overlay({
    id = "job-1",
    waiting_s = 0,
    pending = 1,
    running = 0,
    launched = 0,
  }, j)
end

-- c.cluster fields are overlaid on the default cluster (so make_ctx{ cluster = { free = ... } }
-- keeps empty tasks_by_host / tasks_by_rack).
function M.make_ctx(c)
  c = c or {}
  local cluster = overlay({
    tasks_by_host = {},
    tasks_by_rack = {},
    free = { cpus = 100, mem = 1048576, disk = 10485760 },
  }, c.cluster)
  local ctx = overlay({
    now = 1700000000,
    options = {},
    state = {},
    log = function() end,
  }, c)
  ctx.cluster = cluster
  return ctx
end

-- epoch seconds for a UTC date/time (pure arithmetic, no os.time/local time zone)
function M.utc(y, mo, d, hh, mm, ss)
  -- days from civil (Howard Hinnant's algorithm)
  y = (mo <= 2) and (y - 1) or y
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (mo + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + (hh or 0) * 3600 + (mm or 0) * 60 + (ss or 0)
end

return M
