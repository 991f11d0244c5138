local h = require("helpers")
local offer, task, ctx = h.make_offer, h.make_task, h.make_ctx

describe("locality.lua", function()
  local loc
  before_each(function() loc = h.load("locality") end)

  local function eval(o, t, c) return loc.evaluate(offer(o), task(t), ctx(c)) end

  local on_h1_r1 = { hostname = "h1", attributes = { rack = "r1" } }
  local on_h2_r2 = { hostname = "h2", attributes = { rack = "r2" } }

  it("is a policy table with on_tick", function()
    assert.equals("locality", loc.name)
    assert.is_function(loc.evaluate)
    assert.is_function(loc.on_tick)
  end)

  it("accepts anything on an empty cluster with default options", function()
    for _, kind in ipairs({ "broker", "consumer", "producer", "command" }) do
      assert.equals("accept", eval(on_h1_r1, { kind = kind }))
    end
  end)

  describe("max_per_host", function()
    it("defaults to one broker per host: declines the second", function()
      local c = { cluster = { tasks_by_host = { h1 = { broker = 1 } } } }
      local v, reason = eval(on_h1_r1, { kind = "broker" }, c)
      assert.equals("decline", v)
      assert.matches("max_per_host", reason)
      assert.equals("accept", eval(on_h2_r2, { kind = "broker" }, c))
    end)

    it("below the limit accepts, at the limit declines", function()
      local o = { options = { max_per_host = { broker = 2 }, spread = false } }
      o.cluster = { tasks_by_host = { h1 = { broker = 1 } } }
      assert.equals("accept", eval(on_h1_r1, { kind = "broker" }, o))
      o.cluster = { tasks_by_host = { h1 = { broker = 2 } } }
      assert.equals("decline", eval(on_h1_r1, { kind = "broker" }, o))
    end)

    it("can be disabled with false", function()
      local c = { options = { max_per_host = false }, cluster = { tasks_by_host = { h1 = { broker = 5 } } } }
      assert.equals("accept", eval(on_h1_r1, { kind = "broker" }, c))
    end)

    it("returns refuse_seconds from options", function()
      local c = { options = { refuse_seconds = 30 }, cluster = { tasks_by_host = { h1 = { broker = 1 } } } }
      local v, _, refuse = eval(on_h1_r1, { kind = "broker" }, c)
      assert.equals("decline", v)
      assert.equals(30, refuse)
    end)
  end)

  describe("max_per_rack", function()
    it("below the limit accepts, at the limit declines", function()
      local opts = { max_per_rack = { broker = 2 }, spread = false }
      assert.equals("accept", eval(on_h1_r1, { kind = "broker" },
        { options = opts, cluster = { tasks_by_rack = { r1 = { broker = 1 } } } }))
      local v, reason = eval(on_h1_r1, { kind = "broker" },
        { options = opts, cluster = { tasks_by_rack = { r1 = { broker = 2 } } } })
      assert.equals("decline", v)
      assert.matches("max_per_rack", reason)
    end)

    it("uses rack_attribute", function()
      local o = { hostname = "h1", attributes = { rack = "r1", zone = "z1" } }
      local c = { options = { max_per_rack = { broker = 1 }, rack_attribute = "zone", spread = false },
                  cluster = { tasks_by_rack = { r1 = { broker = 1 } } } }
      assert.equals("accept", eval(o, { kind = "broker" }, c))
      c.cluster = { tasks_by_rack = { z1 = { broker = 1 } } }
      assert.equals("decline", eval(o, { kind = "broker" }, c))
    end)
  end)

  describe("avoid", function()
    it("declines a host running an avoided kind, accepts one that does not", function()
      local c = { options = { avoid = { producer = "broker" }, near = false },
                  cluster = { tasks_by_host = { h1 = { broker = 1 }, h2 = { consumer = 3 } } } }
      local v, reason = eval(on_h1_r1, { kind = "producer" }, c)
      assert.equals("decline", v)
      assert.matches("avoid", reason)
      assert.equals("accept", eval(on_h2_r2, { kind = "producer" }, c))
    end)

    it("accepts a list of kinds", function()
      local c = { options = { avoid = { command = { "broker", "consumer" } } },
                  cluster = { tasks_by_host = { h2 = { consumer = 1 } } } }
      assert.equals("decline", eval(on_h2_r2, { kind = "command" }, c))
      assert.equals("accept", eval(on_h1_r1, { kind = "command" }, c))
    end)
  end)

  describe("spread (brokers over racks by default)", function()
    local cluster = { tasks_by_rack = { r1 = { broker = 1 }, r2 = { broker = 0 } } }

    it("waits when the offer's rack holds more brokers than the least loaded rack", function()
      local v, reason = eval(on_h1_r1, { kind = "broker", waiting_s = 0 }, { cluster = cluster })
      assert.equals("wait", v)
      assert.matches("spread", reason)
    end)

    it("accepts an offer in the least loaded rack", function()
      assert.equals("accept", eval(on_h2_r2, { kind = "broker" }, { cluster = cluster }))
    end)

    it("accepts when all racks are equal", function()
      local c = { cluster = { tasks_by_rack = { r1 = { broker = 2 }, r2 = { broker = 2 } } } }
      assert.equals("accept", eval(on_h1_r1, { kind = "broker" }, c))
    end)

    it("accepts a rack not yet in tasks_by_rack (holds 0)", function()
      local o = { hostname = "h3", attributes = { rack = "r3" } }
      local c = { cluster = { tasks_by_rack = { r1 = { broker = 1 }, r2 = { broker = 1 } } } }
      assert.equals("accept", eval(o, { kind = "broker" }, c))
    end)

    it("counts a rack seen in an offer within remember_s as empty", function()
      local c = ctx({ cluster = { tasks_by_rack = { r1 = { broker = 1 }, r2 = { broker = 1 } } } })
      -- an offer from empty rack r3 is seen (for some task)
      loc.evaluate(offer({ hostname = "h3", attributes = { rack = "r3" } }), task({ kind = "broker" }), c)
      assert.equals("wait", loc.evaluate(offer(on_h1_r1), task({ kind = "broker" }), c))
      -- exactly remember_s later it still counts, just after it does not
      c.now = c.now + 300
      assert.equals("wait", loc.evaluate(offer(on_h1_r1), task({ kind = "broker" }), c))
      c.now = c.now + 1
      assert.equals("accept", loc.evaluate(offer(on_h1_r1), task({ kind = "broker" }), c))
    end)

    it("on_tick forgets racks not seen for remember_s", function()
      local c = ctx({ options = { remember_s = 10 } })
      loc.evaluate(offer({ hostname = "h3", attributes = { rack = "r3" } }), task({ kind = "broker" }), c)
      loc.on_tick(c)
      assert.is_not_nil(c.state.locality_seen.rack.r3)
      c.now = c.now + 11
      loc.on_tick(c)
      assert.is_nil(c.state.locality_seen.rack.r3)
    end)

    it("tolerates spread_slack extra tasks", function()
      local c = { cluster = cluster, options = { spread_slack = 1 } }
      assert.equals("accept", eval(on_h1_r1, { kind = "broker" }, c))
      c.cluster = { tasks_by_rack = { r1 = { broker = 2 }, r2 = { broker = 0 } } }
      assert.equals("wait", eval(on_h1_r1, { kind = "broker" }, c))
    end)

    it("gives up at spread_wait_s (default 30)", function()
      assert.equals("wait", eval(on_h1_r1, { kind = "broker", waiting_s = 29.9 }, { cluster = cluster }))
      assert.equals("accept", eval(on_h1_r1, { kind = "broker", waiting_s = 30 }, { cluster = cluster }))
    end)

    it("declines and never gives up with spread_strict", function()
      local v = eval(on_h1_r1, { kind = "broker", waiting_s = 1000 },
        { cluster = cluster, options = { spread_strict = true } })
      assert.equals("decline", v)
    end)

    it("spreads over hosts with spread_attribute = hostname", function()
      local c = { options = { spread_attribute = "hostname", max_per_host = false },
                  cluster = { tasks_by_host = { h1 = { broker = 2 }, h2 = { broker = 1 } } } }
      assert.equals("wait", eval(on_h1_r1, { kind = "broker" }, c))
      assert.equals("accept", eval(on_h2_r2, { kind = "broker" }, c))
    end)

    it("spreads over any attribute given ctx.cluster.tasks_by_attribute", function()
      local c = { options = { spread_attribute = "zone" },
                  cluster = { tasks_by_attribute = { zone = { z1 = { broker = 1 }, z2 = {} } } } }
      assert.equals("wait", eval({ hostname = "h1", attributes = { zone = "z1" } }, { kind = "broker" }, c))
      assert.equals("accept", eval({ hostname = "h2", attributes = { zone = "z2" } }, { kind = "broker" }, c))
    end)

    it("does not apply to other kinds, and can be disabled", function()
      local c = { cluster = { tasks_by_rack = { r1 = { consumer = 5 }, r2 = {} } }, options = { near = false } }
      assert.equals("accept", eval(on_h1_r1, { kind = "consumer" }, c))
      assert.equals("accept", eval(on_h1_r1, { kind = "broker" },
        { cluster = cluster, options = { spread = false } }))
    end)
  end)

  describe("near (consumers/producers near brokers by default)", function()
    local c = { cluster = { tasks_by_host = { h1 = { broker = 1 } }, tasks_by_rack = { r1 = { broker = 1 } } } }
    local on_h3_r1 = { hostname = "h3", attributes = { rack = "r1" } }

    it("accepts a host running a broker at once", function()
      assert.equals("accept", eval(on_h1_r1, { kind = "consumer", waiting_s = 0 }, c))
      assert.equals("accept", eval(on_h1_r1, { kind = "producer", waiting_s = 0 }, c))
    end)

    it("waits below near_host_wait_s for another host, even in the broker's rack", function()
      local v, reason = eval(on_h3_r1, { kind = "consumer", waiting_s = 4.9 }, c)
      assert.equals("wait", v)
      assert.matches("host running", reason)
    end)

    it("accepts the broker's rack at near_host_wait_s", function()
      assert.equals("accept", eval(on_h3_r1, { kind = "consumer", waiting_s = 5 }, c))
    end)

    it("waits for the broker's rack below near_host_wait_s + near_rack_wait_s", function()
      local v, reason = eval(on_h2_r2, { kind = "consumer", waiting_s = 9.9 }, c)
      assert.equals("wait", v)
      assert.matches("rack running", reason)
    end)

    it("accepts anything at near_host_wait_s + near_rack_wait_s", function()
      assert.equals("accept", eval(on_h2_r2, { kind = "consumer", waiting_s = 10 }, c))
    end)

    it("accepts anything while no broker runs anywhere", function()
      assert.equals("accept", eval(on_h2_r2, { kind = "consumer", waiting_s = 0 }))
    end)

    it("honours custom near tables and waits", function()
      local cc = { options = { near = { command = { "consumer", "producer" } }, near_host_wait_s = 1,
                               near_rack_wait_s = 0 },
                   cluster = { tasks_by_host = { h1 = { producer = 1 } } } }
      assert.equals("accept", eval(on_h1_r1, { kind = "command" }, cc))
      assert.equals("wait", eval(on_h2_r2, { kind = "command", waiting_s = 0.5 }, cc))
      assert.equals("accept", eval(on_h2_r2, { kind = "command", waiting_s = 1 }, cc))
      assert.equals("accept", eval(on_h2_r2, { kind = "consumer", waiting_s = 0 }, cc))
    end)
  end)
end)
