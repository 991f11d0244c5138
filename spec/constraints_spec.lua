local h = require("helpers")
local offer, task, ctx = h.make_offer, h.make_task, h.make_ctx

describe("constraints.lua", function()
  local con
  before_each(function() con = h.load("constraints") end)

  local function eval(o, cons, c, kind)
    return con.evaluate(offer(o), task({ kind = kind or "broker", constraints = cons }), ctx(c))
  end

  it("is a policy table", function()
    assert.equals("constraints", con.name)
    assert.is_function(con.evaluate)
  end)

  it("accepts a task without constraints", function()
    assert.equals("accept", eval({}, {}))
    assert.equals("accept", eval({}, nil))
  end)

  describe("regex subset (anchored full match)", function()
    local function m(re, s)
      local pats = con.compile_regex(re)
      for _, p in ipairs(pats) do
        if s:find(p) then return true end
      end
      return false
    end

    it("matches whole strings only", function()
      assert.is_true(m("slave1", "slave1"))
      assert.is_false(m("slave", "slave1"))
      assert.is_false(m("lave1", "slave1"))
      assert.is_true(m("^slave1$", "slave1"))
    end)

    it("supports . * + ? and {n,m}", function()
      assert.is_true(m("slave.*", "slave-12.example"))
      assert.is_true(m("s.ave", "slave"))
      assert.is_true(m("a+b?", "aaa"))
      assert.is_false(m("a+b?", "b"))
      assert.is_true(m("x{2}", "xx"))
      assert.is_false(m("x{2}", "xxx"))
      assert.is_true(m("x{2,}", "xxxx"))
      assert.is_false(m("x{2,}", "x"))
      assert.is_true(m("x{1,3}y", "xxxy"))
      assert.is_false(m("x{1,3}y", "xxxxy"))
      assert.is_true(m("a.*?b", "axxb"))
    end)

    it("supports classes and escapes", function()
      assert.is_true(m("slave[0-9]+", "slave42"))
      assert.is_false(m("slave[0-9]+", "slave4a"))
      assert.is_true(m("[^ab]x", "cx"))
      assert.is_false(m("[^ab]x", "ax"))
      assert.is_true(m("\\d\\d-\\w+", "12-ab_c"))
      assert.is_true(m("[a-]+", "a-a"))
      assert.is_true(m("[\\d.]+", "10.0.0.1"))
      assert.is_true(m("10\\.0\\..*", "10.0.3.4"))
      assert.is_false(m("10\\.0\\..*", "10x0.3.4"))
      assert.is_false(m("%()", "%()")) -- "()" is an empty group, so this matches "%" only
      assert.is_true(m("%()", "%"))
    end)

    it("escapes Lua magic characters used literally", function()
      assert.is_true(m("a-b", "a-b"))
      assert.is_false(m("a-b", "ab"))
      assert.is_true(m("100%", "100%"))
    end)

    it("supports alternation, also in (unquantified) groups", function()
      assert.is_true(m("r1|r2", "r2"))
      assert.is_false(m("r1|r2", "r12"))
      assert.is_true(m("host-(a|b)-(1|2)", "host-b-1"))
      assert.is_false(m("host-(a|b)-(1|2)", "host-c-1"))
      assert.is_true(m("(?:us|eu)-.*", "eu-west"))
      assert.is_true(m("x(a|)y", "xy"))
    end)

    it("rejects what it cannot express", function()
      for _, re in ipairs({ "(ab)+", "a**", "*a", "(a", "a)", "[a", "\\1", "(?=a)", "x{3,1}", "[!-/]" }) do
        assert.has_error(function() con.compile_regex(re) end)
      end
    end)
  end)

  describe("like / unlike", function()
    it("like: accepts a full match, declines otherwise", function()
      assert.equals("accept", eval({ hostname = "slave7" }, { hostname = "like:slave[0-9]" }))
      local v, reason = eval({ hostname = "slave77" }, { hostname = "like:slave[0-9]" })
      assert.equals("decline", v)
      assert.equals("constraints: hostname=like:slave[0-9] not met", reason)
    end)

    it("unlike: declines a full match, accepts otherwise", function()
      assert.equals("decline", eval({ attributes = { rack = "r1" } }, { rack = "unlike:r1|r2" }))
      assert.equals("accept", eval({ attributes = { rack = "r3" } }, { rack = "unlike:r1|r2" }))
    end)

    it("compares scalar attributes as strings", function()
      assert.equals("accept", eval({ attributes = { gen = 3 } }, { gen = "like:[3-9]" }))
      assert.equals("decline", eval({ attributes = { gen = 2 } }, { gen = "like:[3-9]" }))
    end)

    it("declines when the offer lacks the attribute", function()
      local v, reason = eval({ attributes = {} }, { zone = "unlike:x" })
      assert.equals("decline", v)
      assert.matches("no attribute 'zone'", reason, 1, true)
    end)

    it("declines with a clear reason for an unsupported regex or operator", function()
      local v, reason = eval({}, { hostname = "like:(ab)+" })
      assert.equals("decline", v)
      assert.matches("unsupported regex", reason, 1, true)
      v, reason = eval({}, { hostname = "near:x" })
      assert.equals("decline", v)
      assert.matches("unknown operator 'near'", reason, 1, true)
      assert.equals("decline", eval({}, { hostname = "like" }))
      assert.equals("decline", eval({}, { hostname = "groupBy:zero" }))
      assert.equals("decline", eval({}, { hostname = 5 }))
    end)
  end)

  describe("unique", function()
    it("declines a host already running the kind, accepts another", function()
      local c = { cluster = { tasks_by_host = { host1 = { broker = 1 } } } }
      assert.equals("decline", eval({ hostname = "host1" }, { hostname = "unique" }, c))
      assert.equals("accept", eval({ hostname = "host2" }, { hostname = "unique" }, c))
    end)

    it("only counts tasks of the same kind", function()
      local c = { cluster = { tasks_by_host = { host1 = { consumer = 2, broker = 0 } } } }
      assert.equals("accept", eval({ hostname = "host1" }, { hostname = "unique" }, c))
    end)

    it("uses tasks_by_rack for the rack attribute", function()
      local c = { cluster = { tasks_by_rack = { r1 = { broker = 1 } } } }
      assert.equals("decline", eval({ attributes = { rack = "r1" } }, { rack = "unique" }, c))
      assert.equals("accept", eval({ attributes = { rack = "r2" } }, { rack = "unique" }, c))
    end)

    it("uses ctx.cluster.tasks_by_attribute for other attributes", function()
      local c = { cluster = { tasks_by_attribute = { zone = { z1 = { broker = 1 } } } } }
      assert.equals("decline", eval({ attributes = { zone = "z1" } }, { zone = "unique" }, c))
      assert.equals("accept", eval({ attributes = { zone = "z2" } }, { zone = "unique" }, c))
    end)

    it("declines, naming the missing field, when no counts exist for the attribute", function()
      local v, reason = eval({ attributes = { zone = "z1" } }, { zone = "unique" })
      assert.equals("decline", v)
      assert.matches("tasks_by_attribute['zone']", reason, 1, true)
    end)
  end)

  describe("cluster", function()
    it("cluster:V accepts only V", function()
      assert.equals("accept", eval({ attributes = { rack = "r1" } }, { rack = "cluster:r1" }))
      assert.equals("decline", eval({ attributes = { rack = "r2" } }, { rack = "cluster:r1" }))
    end)

    it("cluster accepts anything first, then only the value in use", function()
      assert.equals("accept", eval({ attributes = { rack = "r2" } }, { rack = "cluster" }))
      local c = { cluster = { tasks_by_rack = { r1 = { broker = 2 }, r2 = { consumer = 1 } } } }
      assert.equals("accept", eval({ attributes = { rack = "r1" } }, { rack = "cluster" }, c))
      assert.equals("decline", eval({ attributes = { rack = "r2" } }, { rack = "cluster" }, c))
    end)
  end)

  describe("groupBy", function()
    local function c(counts) return { cluster = { tasks_by_rack = counts } } end
    local function in_rack(r) return { attributes = { rack = r } } end

    it("accepts the least used value and new values, declines a more used one", function()
      local cc = c({ r1 = { broker = 2 }, r2 = { broker = 1 } })
      assert.equals("decline", eval(in_rack("r1"), { rack = "groupBy" }, cc))
      assert.equals("accept", eval(in_rack("r2"), { rack = "groupBy" }, cc))
      assert.equals("accept", eval(in_rack("r3"), { rack = "groupBy" }, cc))
    end)

    it("accepts every value when counts are equal", function()
      local cc = c({ r1 = { broker = 1 }, r2 = { broker = 1 } })
      assert.equals("accept", eval(in_rack("r1"), { rack = "groupBy" }, cc))
    end)

    it("groupBy:N wants new values until N are used", function()
      local cc = c({ r1 = { broker = 1 }, r2 = { broker = 1 } })
      assert.equals("decline", eval(in_rack("r1"), { rack = "groupBy:3" }, cc))
      assert.equals("accept", eval(in_rack("r3"), { rack = "groupBy:3" }, cc))
      cc = c({ r1 = { broker = 1 }, r2 = { broker = 1 }, r3 = { broker = 1 } })
      assert.equals("accept", eval(in_rack("r1"), { rack = "groupBy:3" }, cc))
      cc = c({ r1 = { broker = 2 }, r2 = { broker = 1 }, r3 = { broker = 1 } })
      assert.equals("decline", eval(in_rack("r1"), { rack = "groupBy:3" }, cc))
    end)

    it("ignores other kinds when counting", function()
      local cc = c({ r1 = { consumer = 5 }, r2 = { broker = 1 } })
      assert.equals("accept", eval(in_rack("r1"), { rack = "groupBy" }, cc))
    end)
  end)

  describe("several constraints and option defaults", function()
    it("all must hold", function()
      local cons = { hostname = "like:slave.*", rack = "unlike:r9" }
      assert.equals("accept", eval({ hostname = "slave1", attributes = { rack = "r1" } }, cons))
      assert.equals("decline", eval({ hostname = "slave1", attributes = { rack = "r9" } }, cons))
      assert.equals("decline", eval({ hostname = "master", attributes = { rack = "r1" } }, cons))
    end)

    it("options.constraints[kind] apply unless the task overrides the attribute", function()
      local opts = { constraints = { broker = { hostname = "unique", rack = "cluster:r1" } } }
      local c = { options = opts, cluster = { tasks_by_host = { host1 = { broker = 1 } } } }
      assert.equals("decline", eval({ hostname = "host1", attributes = { rack = "r1" } }, {}, c))
      assert.equals("accept", eval({ hostname = "host2", attributes = { rack = "r1" } }, {}, c))
      assert.equals("decline", eval({ hostname = "host2", attributes = { rack = "r2" } }, {}, c))
      assert.equals("accept", eval({ hostname = "host2", attributes = { rack = "r2" } }, { rack = "like:r.*" }, c))
      assert.equals("accept", eval({ hostname = "host1", attributes = { rack = "r1" } }, {}, c, "consumer"))
    end)

    it("returns refuse_seconds from options", function()
      local _, _, refuse = eval({ hostname = "x" }, { hostname = "like:y" }, { options = { refuse_seconds = 5 } })
      assert.equals(5, refuse)
    end)
  end)
end)
