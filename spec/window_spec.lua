local h = require("helpers")
local offer, task, ctx, utc = h.make_offer, h.make_task, h.make_ctx, h.utc

-- 2024-01-01 was a Monday
local MON, TUE, FRI, SAT, SUN = 1, 2, 5, 6, 7

describe("window.lua", function()
  local win
  before_each(function() win = h.load("window") end)

  local function at(day, hh, mm, ss) return utc(2024, 1, day, hh, mm, ss) end
  local function eval(now, opts, kind)
    return win.evaluate(offer(), task({ kind = kind or "broker" }), ctx({ now = now, options = opts }))
  end

  local office = { windows = { broker = { days = { "mon", "tue", "wed", "thu", "fri" },
                                          from = "08:00", to = "18:00" } } }

  it("is a policy table", function()
    assert.equals("window", win.name)
    assert.is_function(win.evaluate)
  end)

  it("helpers.utc gives UTC epoch seconds", function()
    assert.equals(1704067200, at(MON, 0, 0))       -- 2024-01-01T00:00:00Z
  end)

  it("accepts when no windows are configured, or the kind has none", function()
    assert.equals("accept", eval(at(SUN, 3, 0), {}))
    assert.equals("accept", eval(at(SUN, 3, 0), office, "consumer"))
  end)

  describe("from/to boundaries (from inclusive, to exclusive)", function()
    it("waits one second before from", function()
      local v, reason = eval(at(MON, 7, 59, 59), office)
      assert.equals("wait", v)
      assert.equals("window: broker launches only mon,tue,wed,thu,fri 08:00-18:00 UTC", reason)
    end)
    it("accepts at from", function() assert.equals("accept", eval(at(MON, 8, 0), office)) end)
    it("accepts one second before to", function() assert.equals("accept", eval(at(FRI, 17, 59, 59), office)) end)
    it("waits at to", function() assert.equals("wait", eval(at(FRI, 18, 0), office)) end)
  end)

  describe("days", function()
    it("waits on a day not listed, inside the hours", function()
      assert.equals("wait", eval(at(SAT, 12, 0), office))
      assert.equals("wait", eval(at(SUN, 12, 0), office))
    end)

    it("accepts full names, any case, ranges and weekdays/weekend", function()
      local function w(days) return { windows = { broker = { days = days } } } end
      assert.equals("accept", eval(at(MON, 12, 0), w({ "Monday" })))
      assert.equals("wait", eval(at(TUE, 12, 0), w({ "MON" })))
      assert.equals("accept", eval(at(TUE, 12, 0), w({ "mon-fri" })))
      assert.equals("wait", eval(at(SAT, 12, 0), w({ "mon-fri" })))
      assert.equals("accept", eval(at(SUN, 12, 0), w({ "fri-mon" })))  -- wraps over the weekend
      assert.equals("wait", eval(at(TUE, 12, 0), w({ "fri-mon" })))
      assert.equals("accept", eval(at(SAT, 0, 0), w({ "weekend" })))
      assert.equals("wait", eval(at(FRI, 23, 59, 59), w({ "weekend" })))
      assert.equals("accept", eval(at(FRI, 23, 59, 59), w({ "weekdays" })))
    end)

    it("defaults to every day and the whole day", function()
      local opts = { windows = { broker = {} } }
      for d = MON, SUN do assert.equals("accept", eval(at(d, 0, 0), opts)) end
      assert.equals("accept", eval(at(SUN, 23, 59, 59), opts))
    end)
  end)

  describe("windows crossing midnight", function()
    local night = { windows = { broker = { days = { "fri" }, from = "22:00", to = "06:00" } } }

    it("waits before from on the listed day", function()
      assert.equals("wait", eval(at(FRI, 21, 59, 59), night))
    end)
    it("accepts from `from` on the listed day", function()
      assert.equals("accept", eval(at(FRI, 22, 0), night))
      assert.equals("accept", eval(at(FRI, 23, 59, 59), night))
    end)
    it("accepts after midnight on the next day until `to`", function()
      assert.equals("accept", eval(at(SAT, 0, 0), night))
      assert.equals("accept", eval(at(SAT, 5, 59, 59), night))
    end)
    it("waits at `to` on the next day", function()
      assert.equals("wait", eval(at(SAT, 6, 0), night))
    end)
    it("does not open after midnight of a listed day (that belongs to the day before)", function()
      assert.equals("wait", eval(at(FRI, 1, 0), night))
    end)
    it("from == to means 24 hours from `from`", function()
      local o = { windows = { broker = { days = { "mon" }, from = "12:00", to = "12:00" } } }
      assert.equals("wait", eval(at(MON, 11, 59, 59), o))
      assert.equals("accept", eval(at(MON, 12, 0), o))
      assert.equals("accept", eval(at(TUE, 11, 59, 59), o))
      assert.equals("wait", eval(at(TUE, 12, 0), o))
    end)
    it("to = 24:00 ends at midnight", function()
      local o = { windows = { broker = { from = "20:00", to = "24:00" } } }
      assert.equals("accept", eval(at(MON, 23, 59, 59), o))
      assert.equals("wait", eval(at(TUE, 0, 0), o))
    end)
  end)

  describe("time zones", function()
    it("shifts by tz_offset_h (UTC+2: 08:00 local is 06:00 UTC)", function()
      local o = { windows = { broker = { days = { "mon" }, from = "08:00", to = "18:00", tz_offset_h = 2 } } }
      assert.equals("wait", eval(at(MON, 5, 59, 59), o))
      assert.equals("accept", eval(at(MON, 6, 0), o))
      assert.equals("wait", eval(at(MON, 16, 0), o))
    end)

    it("moves the weekday too (UTC-5: Monday 02:00 UTC is Sunday 21:00 local)", function()
      local o = { tz_offset_h = -5, windows = { broker = { days = { "sun" }, from = "20:00", to = "22:00" } } }
      assert.equals("accept", eval(at(MON, 2, 0), o))
      assert.equals("wait", eval(at(SUN, 21, 0), o))
      local _, reason = eval(at(SUN, 21, 0), o)
      assert.matches("UTC%-5", reason)
    end)

    it("supports fractional offsets (UTC+5.5)", function()
      local o = { windows = { broker = { from = "09:00", to = "10:00", tz_offset_h = 5.5 } } }
      assert.equals("wait", eval(at(MON, 3, 29, 59), o))
      assert.equals("accept", eval(at(MON, 3, 30), o))
    end)
  end)

  describe("several windows and the * kind", function()
    it("accepts inside any of a list of windows", function()
      local o = { windows = { consumer = { { from = "01:00", to = "02:00" }, { days = { "sun" } } } } }
      assert.equals("accept", eval(at(MON, 1, 30), o, "consumer"))
      assert.equals("accept", eval(at(SUN, 12, 0), o, "consumer"))
      local v, reason = eval(at(MON, 12, 0), o, "consumer")
      assert.equals("wait", v)
      assert.matches(" or ", reason)
    end)

    it("applies * to kinds without their own window", function()
      local o = { windows = { ["*"] = { from = "00:00", to = "01:00" }, broker = {} } }
      assert.equals("wait", eval(at(MON, 12, 0), o, "producer"))
      assert.equals("accept", eval(at(MON, 12, 0), o, "broker"))
    end)
  end)

  describe("outside = decline", function()
    local o = { outside = "decline",
                windows = { broker = { days = { "mon" }, from = "08:00", to = "18:00" } } }

    it("declines with refuse_seconds (default 3600) when the window is far away", function()
      local v, reason, refuse = eval(at(TUE, 12, 0), o)
      assert.equals("decline", v)
      assert.matches("launches only mon", reason)
      assert.equals(3600, refuse)
    end)

    it("caps refuse_seconds at the time until the window opens", function()
      local _, _, refuse = eval(at(MON, 7, 50), o)
      assert.equals(600, refuse)
    end)

    it("uses the refuse_seconds option", function()
      local o2 = { outside = "decline", refuse_seconds = 86400 * 30, windows = o.windows }
      local _, _, refuse = eval(at(TUE, 8, 0), o2)
      assert.equals(6 * 86400, refuse)       -- next Monday 08:00
    end)

    it("waits instead when the window opens within wait_within_s", function()
      local o3 = { outside = "decline", wait_within_s = 600, windows = o.windows }
      assert.equals("wait", eval(at(MON, 7, 50), o3))
      assert.equals("decline", eval(at(MON, 7, 49, 59), o3))
    end)

    it("still accepts inside the window", function()
      assert.equals("accept", eval(at(MON, 8, 0), o))
    end)
  end)

  describe("bad options raise a clear error", function()
    it("names the field", function()
      assert.has_error(function() eval(at(MON, 0, 0), { windows = { broker = { from = "8am" } } }) end,
        "window.broker.from: bad time '8am' (want HH:MM or HH:MM:SS)")
      assert.has_error(function() eval(at(MON, 0, 0), { windows = { broker = { days = { "funday" } } } }) end,
        "window.broker.days: bad day 'funday'")
      assert.has_error(function() eval(at(MON, 0, 0), { windows = { broker = { to = "24:30" } } }) end)
    end)
  end)

  it("caches parsed windows per options table (same answer on repeated calls)", function()
    for _ = 1, 3 do assert.equals("accept", eval(at(MON, 9, 0), office)) end
    for _ = 1, 3 do assert.equals("wait", eval(at(MON, 19, 0), office)) end
  end)
end)
