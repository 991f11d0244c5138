local h = require("helpers")
local offer, task, ctx = h.make_offer, h.make_task, h.make_ctx

describe("delay.lua", function()
  local delay
  before_each(function() delay = h.load("delay") end)

  local function eval(o, t, c) return delay.evaluate(offer(o), task(t), ctx(c)) end

  local prefer_h1 = { hosts = { "h1" } }
  local in_r1 = { hostname = "h2", agent_id = "a2", attributes = { rack = "r1" } }
  local in_r9 = { hostname = "h9", agent_id = "a9", attributes = { rack = "r9" } }

  it("is a policy table", function()
    assert.equals("delay", delay.name)
    assert.is_function(delay.evaluate)
  end)

  it("accepts a task without prefer at once", function()
    assert.equals("accept", eval(in_r9, { prefer = nil, waiting_s = 0 }))
  end)

  it("accepts a task whose prefer lists are all empty", function()
    assert.equals("accept", eval(in_r9, { prefer = { hosts = {}, racks = {} }, waiting_s = 0 }))
  end)

  it("accepts a preferred host at once", function()
    assert.equals("accept", eval({ hostname = "h1" }, { prefer = prefer_h1, waiting_s = 0 }))
  end)

  it("accepts a preferred agent at once", function()
    assert.equals("accept", eval({ agent_id = "a7", hostname = "hx" },
      { prefer = { agents = { "a7" } }, waiting_s = 0 }))
  end)

  it("accepts prefer lists written as sets", function()
    assert.equals("accept", eval({ hostname = "h1" }, { prefer = { hosts = { h1 = true } } }))
  end)

  describe("node_wait_s boundary (default 5)", function()
    it("waits just below node_wait_s even in a preferred rack", function()
      local v, reason = eval(in_r1, { prefer = { hosts = { "h1" }, racks = { "r1" } }, waiting_s = 4.999 })
      assert.equals("wait", v)
      assert.matches("preferred host", reason)
    end)

    it("accepts a preferred rack at node_wait_s", function()
      assert.equals("accept", eval(in_r1, { prefer = { hosts = { "h1" }, racks = { "r1" } }, waiting_s = 5 }))
    end)

    it("honours a configured node_wait_s", function()
      local t = { prefer = { racks = { "r1" } }, waiting_s = 9 }
      assert.equals("wait", eval(in_r1, t, { options = { node_wait_s = 10 } }))
      t.waiting_s = 10
      assert.equals("accept", eval(in_r1, t, { options = { node_wait_s = 10 } }))
    end)
  end)

  describe("rack of a preferred host", function()
    it("is taken from ctx.cluster.rack_of_host", function()
      local c = { cluster = { rack_of_host = { h1 = "r1" } } }
      assert.equals("accept", eval(in_r1, { prefer = prefer_h1, waiting_s = 5 }, c))
      assert.equals("wait", eval(in_r9, { prefer = prefer_h1, waiting_s = 5 }, c))
    end)

    it("is taken from ctx.cluster.rack_of_agent for preferred agents", function()
      local c = { cluster = { rack_of_agent = { a1 = "r1" } } }
      assert.equals("accept", eval(in_r1, { prefer = { agents = { "a1" } }, waiting_s = 5 }, c))
    end)

    it("is learned from offers into ctx.state (survives reloads)", function()
      local c = ctx()
      delay.evaluate(offer({ hostname = "h1", agent_id = "a1", attributes = { rack = "r1" } }),
        task({ prefer = nil }), c)
      assert.same({ h1 = "r1" }, c.state.rack_of_host)
      assert.same({ a1 = "r1" }, c.state.rack_of_agent)
      local reloaded = h.load("delay")
      assert.equals("accept", reloaded.evaluate(offer(in_r1), task({ prefer = prefer_h1, waiting_s = 5 }), c))
    end)

    it("is not learned when learn_racks = false", function()
      local c = ctx({ options = { learn_racks = false } })
      delay.evaluate(offer({ hostname = "h1", attributes = { rack = "r1" } }), task(), c)
      assert.is_nil(c.state.rack_of_host)
    end)

    it("is unknown otherwise: a rack offer then waits for the rack phase to end", function()
      assert.equals("wait", eval(in_r1, { prefer = prefer_h1, waiting_s = 9.9 }))
    end)
  end)

  describe("node_wait_s + rack_wait_s boundary (default 5 + 5)", function()
    it("waits below node+rack with a non-matching rack", function()
      local v, reason = eval(in_r9, { prefer = { hosts = { "h1" }, racks = { "r1" } }, waiting_s = 9.999 })
      assert.equals("wait", v)
      assert.matches("preferred rack", reason)
    end)

    it("accepts any offer at node+rack", function()
      assert.equals("accept", eval(in_r9, { prefer = { hosts = { "h1" }, racks = { "r1" } }, waiting_s = 10 }))
    end)

    it("accepts an offer without a rack attribute at node+rack", function()
      assert.equals("accept", eval({ hostname = "h9", attributes = {} }, { prefer = prefer_h1, waiting_s = 10 }))
      assert.equals("wait", eval({ hostname = "h9", attributes = {} }, { prefer = prefer_h1, waiting_s = 9 }))
    end)

    it("honours rack_wait_s and rack_attribute", function()
      local o = { hostname = "h9", attributes = { zone = "z1", rack = "r1" } }
      local opts = { rack_wait_s = 20, rack_attribute = "zone" }
      local t = { prefer = { racks = { "r1" } }, waiting_s = 24 }
      assert.equals("wait", eval(o, t, { options = opts }))   -- r1 is a rack, not a zone
      t.waiting_s = 25
      assert.equals("accept", eval(o, t, { options = opts }))
      t = { prefer = { racks = { "z1" } }, waiting_s = 5 }
      assert.equals("accept", eval(o, t, { options = opts }))
    end)
  end)

  it("treats a missing waiting_s as 0", function()
    local t = task({ prefer = prefer_h1 })
    t.waiting_s = nil
    assert.equals("wait", delay.evaluate(offer(in_r9), t, ctx()))
  end)

  it("works with ctx.options and ctx.state absent", function()
    local c = { now = 0 }
    assert.equals("wait", delay.evaluate(offer(in_r9), task({ prefer = prefer_h1, waiting_s = 1 }), c))
    assert.equals("accept", delay.evaluate(offer(in_r9), task({ prefer = prefer_h1, waiting_s = 10 }), c))
  end)

  it("never declines and never asks for refuse_seconds", function()
    for _, w in ipairs({ 0, 4, 5, 9, 10, 100 }) do
      local v, _, refuse = eval(in_r9, { prefer = prefer_h1, waiting_s = w })
      assert.is_true(v == "accept" or v == "wait")
      assert.is_nil(refuse)
    end
  end)
end)
