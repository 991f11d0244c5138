local h = require("helpers")
local offer, task, ctx = h.make_offer, h.make_task, h.make_ctx

describe("thresholds.lua", function()
  local th
  before_each(function() th = h.load("thresholds") end)

  local function eval(o, t, c) return th.evaluate(offer(o), task(t), ctx(c)) end

  it("is a policy table", function()
    assert.equals("thresholds", th.name)
    assert.is_function(th.evaluate)
  end)

  it("accepts everything without options", function()
    assert.equals("accept", eval({ cpus = 0, mem = 0, disk = 0, ports = {} }, {}, { cluster = { free = {} } }))
  end)

  describe("min_offer", function()
    local opts = { min_offer = { cpus = 2, mem = 1024, disk = 500, ports = 3 } }

    it("accepts an offer exactly at every minimum", function()
      assert.equals("accept", eval({ cpus = 2, mem = 1024, disk = 500, ports = { { 31000, 31002 } } }, {},
        { options = opts }))
    end)

    for _, case in ipairs({
      { "cpus", { cpus = 1.99 } }, { "mem", { mem = 1023 } }, { "disk", { disk = 499 } },
      { "ports", { ports = { { 31000, 31001 } } } },
    }) do
      it("declines an offer just below min_offer." .. case[1], function()
        local o = { cpus = 2, mem = 1024, disk = 500, ports = { { 31000, 31002 } } }
        for k, v in pairs(case[2]) do o[k] = v end
        local v, reason = eval(o, {}, { options = opts })
        assert.equals("decline", v)
        assert.matches("min_offer." .. case[1], reason, 1, true)
      end)
    end

    it("counts ports across ranges, single-port ranges included", function()
      local o = { ports = { { 31000, 31000 }, { 31005, 31006 } } }
      assert.equals("accept", eval(o, {}, { options = { min_offer = { ports = 3 } } }))
      assert.equals("decline", eval(o, {}, { options = { min_offer = { ports = 4 } } }))
      local no_ports = offer()
      no_ports.ports = nil
      assert.equals("decline", th.evaluate(no_ports, task(), ctx({ options = { min_offer = { ports = 1 } } })))
    end)

    it("lets a kind table override the global numbers", function()
      local o = { options = { min_offer = { cpus = 1, broker = { cpus = 3 } } } }
      assert.equals("decline", eval({ cpus = 2 }, { kind = "broker" }, o))
      assert.equals("accept", eval({ cpus = 2 }, { kind = "consumer" }, o))
      assert.equals("accept", eval({ cpus = 3 }, { kind = "broker" }, o))
    end)

    it("uses offer_verdict and refuse_seconds", function()
      local v, _, refuse = eval({ cpus = 1 }, {}, { options = { min_offer = { cpus = 2 }, refuse_seconds = 15 } })
      assert.equals("decline", v)
      assert.equals(15, refuse)
      assert.equals("wait", eval({ cpus = 1 }, {}, { options = { min_offer = { cpus = 2 }, offer_verdict = "wait" } }))
    end)
  end)

  describe("min_free", function()
    local opts = { min_free = { cpus = 10, mem = 4096, disk = 1000 } }
    local at_min = { cpus = 10, mem = 4096, disk = 1000 }

    it("accepts when the cluster is exactly at the minimum", function()
      assert.equals("accept", eval({}, {}, { options = opts, cluster = { free = at_min } }))
    end)

    for _, r in ipairs({ "cpus", "mem", "disk" }) do
      it("waits when free " .. r .. " is just below min_free." .. r, function()
        local free = { cpus = 10, mem = 4096, disk = 1000 }
        free[r] = free[r] - 0.5
        local v, reason = eval({}, {}, { options = opts, cluster = { free = free } })
        assert.equals("wait", v)
        assert.matches("min_free." .. r, reason, 1, true)
      end)
    end

    it("uses free_verdict", function()
      local o = { min_free = { cpus = 10 }, free_verdict = "decline" }
      assert.equals("decline", eval({}, {}, { options = o, cluster = { free = { cpus = 9 } } }))
    end)

    it("is skipped when ctx.cluster.free is absent", function()
      local c = ctx({ options = opts })
      c.cluster.free = nil
      assert.equals("accept", th.evaluate(offer(), task(), c))
    end)
  end)

  describe("keep_free", function()
    it("accepts when launching leaves exactly keep_free, waits when it leaves less", function()
      local o = { keep_free = { mem = 1000 } }
      assert.equals("accept", eval({}, { mem = 2000 }, { options = o, cluster = { free = { mem = 3000 } } }))
      local v, reason = eval({}, { mem = 2001 }, { options = o, cluster = { free = { mem = 3000 } } })
      assert.equals("wait", v)
      assert.matches("keep_free.mem", reason, 1, true)
    end)
  end)

  describe("group_size", function()
    local opts = { group_size = { broker = 3 } }
    local t = { kind = "broker", cpus = 1, mem = 1000, disk = 10 }

    it("waits until the cluster fits the whole group", function()
      local v, reason = eval({}, t, { options = opts, cluster = { free = { cpus = 2.9, mem = 3000, disk = 30 } } })
      assert.equals("wait", v)
      assert.matches("group", reason)
      assert.equals("wait", eval({}, t, { options = opts, cluster = { free = { cpus = 3, mem = 2999, disk = 30 } } }))
    end)

    it("accepts when the cluster fits exactly N * task", function()
      assert.equals("accept", eval({}, t, { options = opts, cluster = { free = { cpus = 3, mem = 3000, disk = 30 } } }))
    end)

    it("keeps the gate open for group_open_s so the rest of the group can start", function()
      local c = ctx({ options = opts, cluster = { free = { cpus = 3, mem = 3000, disk = 30 } } })
      assert.equals("accept", th.evaluate(offer(), task(t), c))
      assert.equals(c.now, c.state.thresholds_groups.broker)
      c.cluster.free = { cpus = 2, mem = 2000, disk = 20 } -- first member launched
      c.now = c.now + 59
      assert.equals("accept", th.evaluate(offer(), task(t), c))
      c.now = c.now + 1
      assert.equals("wait", th.evaluate(offer(), task(t), c))
    end)

    it("takes N from a task label and the gate key from the group label", function()
      local lt = { kind = "consumer", cpus = 1, mem = 0, disk = 0, labels = { group_size = "4", group = "g1" } }
      local c = ctx({ cluster = { free = { cpus = 3.5, mem = 0, disk = 0 } } })
      assert.equals("wait", th.evaluate(offer(), task(lt), c))
      c.cluster.free.cpus = 4
      assert.equals("accept", th.evaluate(offer(), task(lt), c))
      assert.is_not_nil(c.state.thresholds_groups.g1)
    end)

    it("ignores groups of one", function()
      assert.equals("accept", eval({}, t, { options = { group_size = { broker = 1 } },
        cluster = { free = { cpus = 0, mem = 0, disk = 0 } } }))
    end)
  end)
end)
