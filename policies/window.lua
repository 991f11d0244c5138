--[[
window.lua -- launch task kinds only inside configured time windows (cron-like days + hours).

Options (ctx.options), with defaults:
  windows = {                       per task kind; "*" applies to kinds without their own entry.
    broker = { days = { "mon", "tue", "wed", "thu", "fri" },  -- default: every day
               from = "08:00", to = "18:00",                  -- default: 00:00 .. 24:00
               tz_offset_h = 0 },                             -- default: opt.tz_offset_h
    consumer = { { from = "22:00", to = "06:00" },            -- a list of windows: inside any
                 { days = { "sat", "sun" } } },
  }                                 default {}: kinds without a window are always accepted.
  tz_offset_h = 0                   default UTC offset in hours (may be fractional, e.g. 5.5,
                                    or negative, e.g. -5); no DST, no local time zone used.
  outside = "wait"                  verdict outside the window: "wait" (hold / keep pending)
                                    or "decline".
  refuse_seconds = 3600             with outside = "decline": refuse_seconds returned, capped at
                                    the seconds until the next window opens (at least 1).
  wait_within_s = 0                 with outside = "decline": answer "wait" instead when the next
                                    window opens within this many seconds.

Window fields:
  days      list of "mon".."sun" (full names and any case accepted, also ranges "mon-fri"
            and "weekdays"/"weekend"). A day names the day the window STARTS on.
  from, to  "HH:MM" or "HH:MM:SS", to may be "24:00". from < to: [from, to) on each listed day.
            from > to crosses midnight: from `from` on a listed day until `to` the next day
            (e.g. fri 22:00 -> sat 06:00 with days = {"fri"}). from == to: 24 hours from `from`.
Time is ctx.now (epoch seconds, UTC) + tz_offset_h * 3600; weekdays are computed arithmetically
(1970-01-01 was a Thursday), so results never depend on the machine's time zone.

Parsed windows are cached per options table (weak keys): edit options by replacing tables (a
reload does that), not by mutating them in place. A malformed window raises an error naming the
field (the host then declines the offer and logs the message; --check-policy shows it).

Verdicts: "accept" | "wait", reason | "decline", reason, refuse_seconds.
]]

local floor, tonumber, type, tostring = math.floor, tonumber, type, tostring
local concat = table.concat
local error, setmetatable = error, setmetatable

local EMPTY = {}
local DAY = 86400

local DAY_INDEX = { sun = 0, mon = 1, tue = 2, wed = 3, thu = 4, fri = 5, sat = 6 }
local DAY_NAME = { [0] = "sun", "mon", "tue", "wed", "thu", "fri", "sat" }

-- parsed windows per window spec table (weak keys: replaced options are collected)
local cache = setmetatable({}, { __mode = "k" })

local function day_index(name)
  if type(name) ~= "string" then return nil end
  return DAY_INDEX[name:sub(1, 3):lower()]
end

local function parse_days(days, kind)
  local set = {}
  if days == nil then
    for i = 0, 6 do set[i] = true end
    return set, "every day"
  end
  if type(days) ~= "table" then error("window." .. kind .. ".days: expected a list of day names", 0) end
  for _, d in ipairs(days) do
    local ld = type(d) == "string" and d:lower() or nil
    if ld == "weekdays" then
      for i = 1, 5 do set[i] = true end
    elseif ld == "weekend" then
      set[0] = true; set[6] = true
    elseif ld and ld:find("-", 1, true) then
      local a, b = ld:match("^(%a+)%-(%a+)$")
      local ia, ib = day_index(a), day_index(b)
      if ia == nil or ib == nil then error("window." .. kind .. ".days: bad range '" .. d .. "'", 0) end
      local i = ia
      while true do
        set[i] = true
        if i == ib then break end
        i = (i + 1) % 7
      end
    else
      local i = day_index(d)
      if i == nil then error("window." .. kind .. ".days: bad day '" .. tostring(d) .. "'", 0) end
      set[i] = true
    end
  end
  local names = {}
  for i = 0, 6 do
    local j = (i + 1) % 7 -- list mon..sun
    if set[j] then names[#names + 1] = DAY_NAME[j] end
  end
  return set, (#names > 0) and concat(names, ",") or "no day"
end

local function parse_time(s, field, kind, default)
  if s == nil then return default end
  if type(s) ~= "string" then error("window." .. kind .. "." .. field .. ": expected \"HH:MM\"", 0) end
  local h, m, sec = s:match("^(%d%d?):(%d%d)$")
  if h == nil then h, m, sec = s:match("^(%d%d?):(%d%d):(%d%d)$") end
  h, m, sec = tonumber(h), tonumber(m), tonumber(sec) or 0
  if h == nil or m > 59 or sec > 59 or h > 24 or (h == 24 and (m > 0 or sec > 0)) then
    error("window." .. kind .. "." .. field .. ": bad time '" .. s .. "' (want HH:MM or HH:MM:SS)", 0)
  end
  return h * 3600 + m * 60 + sec
end

local function fmt_tz(h)
  if h == 0 then return "UTC" end
  return (h > 0 and "UTC+" or "UTC") .. tostring(h)
end

local function parse_window(w, kind, default_tz)
  if type(w) ~= "table" then error("window." .. kind .. ": expected a table", 0) end
  local days, days_text = parse_days(w.days, kind)
  local from = parse_time(w.from, "from", kind, 0)
  local to = parse_time(w.to, "to", kind, DAY)
  local tz = w.tz_offset_h
  if tz == nil then tz = default_tz end
  if type(tz) ~= "number" then error("window." .. kind .. ".tz_offset_h: expected a number", 0) end
  local text = days_text .. " " .. (w.from or "00:00") .. "-" .. (w.to or "24:00") .. " " .. fmt_tz(tz)
  return { days = days, from = from, to = to, tz = tz * 3600, text = text }
end

-- spec: one window table or a list of them -> { list of parsed windows, reason = ... }
local function parse(spec, kind, default_tz)
  local p = { n = 0 }
  local texts = {}
  if type(spec) ~= "table" then error("window." .. kind .. ": expected a table", 0) end
  if type(spec[1]) == "table" then
    for i = 1, #spec do p[i] = parse_window(spec[i], kind, default_tz); texts[i] = p[i].text end
    p.n = #spec
  else
    p[1] = parse_window(spec, kind, default_tz); texts[1] = p[1].text
    p.n = 1
  end
  p.reason = "window: " .. kind .. " launches only " .. concat(texts, " or ")
  return p
end

local function inside(w, now)
  local t = now + w.tz
  local day = floor(t / DAY)
  local sod = t - day * DAY
  local wd = (day + 4) % 7 -- 1970-01-01 (day 0) was a Thursday; 0 = Sunday
  local days, from, to = w.days, w.from, w.to
  if from < to then
    return days[wd] == true and sod >= from and sod < to
  end
  -- crosses midnight (or 24 h when from == to): started today, or started yesterday
  return (days[wd] == true and sod >= from) or (days[(wd + 6) % 7] == true and sod < to)
end

-- seconds until the next window start after `now`, or nil when no window has a day
local function until_open(p, now)
  local best
  for i = 1, p.n do
    local w = p[i]
    local t = now + w.tz
    local day = floor(t / DAY)
    local wd = (day + 4) % 7
    for k = 0, 7 do
      if w.days[(wd + k) % 7] then
        local start = (day + k) * DAY + w.from
        if start > t then
          local d = start - t
          if best == nil or d < best then best = d end
          break
        end
      end
    end
  end
  return best
end

local function evaluate(offer, task, ctx)
  local opt = ctx.options or EMPTY
  local windows = opt.windows
  if windows == nil then return "accept" end
  local kind = task.kind
  local spec = windows[kind]
  if spec == nil then
    spec = windows["*"]
    if spec == nil then return "accept" end
    kind = "*"
  end
  local p = cache[spec]
  if p == nil then
    p = parse(spec, tostring(kind), opt.tz_offset_h or 0)
    cache[spec] = p
  end
  local now = ctx.now or 0
  for i = 1, p.n do
    if inside(p[i], now) then return "accept" end
  end
  if opt.outside == "decline" then
    local left = until_open(p, now)
    if left ~= nil and left <= (opt.wait_within_s or 0) then return "wait", p.reason end
    local refuse = opt.refuse_seconds or 3600
    if left ~= nil and left < refuse then refuse = left end
    if refuse < 1 then refuse = 1 end
    return "decline", p.reason, refuse
  end
  return "wait", p.reason
end

return {
  name = "window",
  evaluate = evaluate,
}
