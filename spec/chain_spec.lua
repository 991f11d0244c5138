local h = require("helpers")
local offer, task, ctx, job = h.make_offer, h.make_task, h.make_ctx, h.make_job

local function policy(name, verdict, reason, refuse)
  return { name = name, evaluate = function() return verdict, reason, refuse end }
end

describe("chain.lua", function()
  local chain
  before_each(function() chain = h.load(h.POLICIES_DIR .. "chain.lua") end)

  it("runs on LuaJIT", function()
    assert.is_table(jit)
  end)

  describe("evaluate", function()
    it("accepts when every policy accepts (and for an empty chain)", function()
      assert.equals("accept", chain.evaluate({ policy("a", "accept"), policy("b", "accept") }, offer(), task(), ctx()))
      assert.equals("accept", chain.evaluate({}, offer(), task(), ctx()))
    end)

    it("returns the first non-accept answer with the policy's name", function()
      local calls = 0
      local never = { name = "never", evaluate = function() calls = calls + 1; return "accept" end }
      local entries = { policy("a", "accept"), policy("b", "wait", "later"), policy("c", "decline", "no", 9), never }
      local v, reason, refuse, name = chain.evaluate(entries, offer(), task(), ctx())
      assert.same({ "wait", "later", nil, "b" }, { v, reason, refuse, name })
      assert.equals(0, calls)
      v, reason, refuse, name = chain.evaluate({ entries[1], entries[3], entries[2] }, offer(), task(), ctx())
      assert.same({ "decline", "no", 9, "c" }, { v, reason, refuse, name })
    end)

    it("turns an error into a decline naming the policy", function()
      local bad = { name = "bad", evaluate = function() error("boom") end }
      local v, reason, _, name = chain.evaluate({ bad }, offer(), task(), ctx())
      assert.equals("decline", v)
      assert.equals("bad", name)
      assert.matches("policy bad raised: .*boom", reason)
    end)

    it("turns an invalid verdict into a decline", function()
      for _, verdict in ipairs({ "maybe", 1, false }) do
        local v, reason = chain.evaluate({ policy("odd", verdict) }, offer(), task(), ctx())
        assert.equals("decline", v)
        assert.matches("invalid verdict", reason)
      end
      assert.equals("decline", (chain.evaluate({ policy("nil", nil) }, offer(), task(), ctx())))
    end)

    it("drops a non-number refuse_seconds", function()
      local _, _, refuse = chain.evaluate({ policy("p", "decline", "x", "soon") }, offer(), task(), ctx())
      assert.is_nil(refuse)
    end)

    it("gives wrapped entries their own options and state, then restores ctx", function()
      local seen = {}
      local spy = { name = "spy", evaluate = function(_, _, c)
        seen[#seen + 1] = { c.options, c.state }
        return "accept"
      end }
      local o1, s1 = { x = 1 }, { y = 1 }
      local c = ctx()
      local base_opts, base_state = c.options, c.state
      chain.evaluate({ { policy = spy, options = o1, state = s1 }, spy }, offer(), task(), c)
      assert.equals(o1, seen[1][1]); assert.equals(s1, seen[1][2])
      assert.equals(base_opts, seen[2][1]); assert.equals(base_state, seen[2][2])
      assert.equals(base_opts, c.options); assert.equals(base_state, c.state)
    end)

    it("restores ctx even when a wrapped policy raises", function()
      local c = ctx()
      local opts = c.options
      chain.evaluate({ { policy = { name = "e", evaluate = function() error("x") end }, options = {} } },
        offer(), task(), c)
      assert.equals(opts, c.options)
    end)
  end)

  describe("hooks", function()
    it("tick and status call the hooks that exist and collect errors", function()
      local ticks, statuses = 0, {}
      local p1 = { name = "p1", evaluate = function() return "accept" end,
                   on_tick = function() ticks = ticks + 1 end,
                   on_status = function(t, s) statuses[#statuses + 1] = t.id .. ":" .. s.state end }
      local p2 = { name = "p2", evaluate = function() return "accept" end,
                   on_tick = function() error("tock") end }
      local errs = chain.tick({ p1, p2, policy("p3", "accept") }, ctx())
      assert.equals(1, ticks)
      assert.equals(1, #errs)
      assert.matches("policy p2 on_tick: .*tock", errs[1])
      assert.is_nil(chain.status({ p1, p2 }, task({ id = "b0" }), { state = "TASK_RUNNING" }, ctx()))
      assert.same({ "b0:TASK_RUNNING" }, statuses)
    end)
  end)

  describe("on_launch", function()
    it("calls each policy's on_launch with (task, offer, ctx) and collects errors", function()
      local seen = {}
      local p1 = { name = "p1", evaluate = function() return "accept" end,
                   on_launch = function(t, o, c) seen[#seen + 1] = { t.id, o.id, c.now } end }
      local p2 = { name = "p2", evaluate = function() return "accept" end,
                   on_launch = function() error("launch boom") end }
      local errs = chain.on_launch({ p1, policy("p3", "accept"), p2 },
        task({ id = "t1" }), offer({ id = "o1" }), ctx({ now = 42 }))
      assert.same({ { "t1", "o1", 42 } }, seen)
      assert.equals(1, #errs)
      assert.matches("policy p2 on_launch: .*launch boom", errs[1])
      assert.is_nil(chain.on_launch({ p1 }, task({ id = "t2" }), offer({ id = "o2" }), ctx()))
      assert.equals(2, #seen)
    end)

    it("gives wrapped entries their own options and state, then restores ctx", function()
      local got
      local p = { name = "p", evaluate = function() return "accept" end,
                  on_launch = function(_, _, c) got = { c.options, c.state } end }
      local o, st = { x = 1 }, { y = 1 }
      local c = ctx()
      local base_opts, base_state = c.options, c.state
      chain.on_launch({ { policy = p, options = o, state = st } }, task(), offer(), c)
      assert.equals(o, got[1]); assert.equals(st, got[2])
      assert.equals(base_opts, c.options); assert.equals(base_state, c.state)
    end)

    it("reaches delay.lua in the default chain (remember_level)", function()
      local state = {}
      local entries = assert(chain.load_chain({
        h.POLICIES_DIR .. "constraints.lua",
        { path = h.POLICIES_DIR .. "delay.lua", options = { remember_level = true }, state = state },
      }))
      local o9 = offer({ hostname = "h9", agent_id = "a9", attributes = { rack = "r9" } })
      local t = task({ prefer = { hosts = { "h1" } }, job = job({ id = "j1", waiting_s = 0 }) })
      assert.equals("wait", (chain.evaluate(entries, o9, t, ctx())))
      assert.is_nil(chain.on_launch(entries, t, o9, ctx()))
      assert.equals(2, state.delay_jobs.j1.level)
      assert.equals("accept", chain.evaluate(entries, o9, t, ctx()))
    end)
  end)

  describe("the other shipped policies ignore task.job", function()
    -- each case answers the same with a job whose clock says "waited long" as without a job
    local function both(p, o, t, c)
      local v1, r1 = p.evaluate(offer(o), task(t), ctx(c))
      t.job = job({ waiting_s = 1e6 })
      local v2, r2 = p.evaluate(offer(o), task(t), ctx(c))
      assert.equals(v1, v2); assert.equals(r1, r2)
      return v2
    end

    it("locality.lua keeps its waits on task.waiting_s", function()
      local loc = h.load("locality")
      local c = { cluster = { tasks_by_rack = { r1 = { broker = 1 }, r2 = { broker = 0 } } } }
      assert.equals("wait", both(loc, {}, { waiting_s = 0 }, c))
      assert.equals("accept", both(loc, {}, { waiting_s = 30 }, c))
    end)

    it("constraints.lua, window.lua and thresholds.lua", function()
      assert.equals("decline", both(h.load("constraints"), { hostname = "h1" },
        { constraints = { hostname = "unique" } }, { cluster = { tasks_by_host = { h1 = { broker = 1 } } } }))
      assert.equals("wait", both(h.load("window"), {}, {},
        { now = h.utc(2024, 1, 6, 12, 0), options = { windows = { broker = { days = { "mon-fri" } } } } }))
      assert.equals("wait", both(h.load("thresholds"), {}, {}, { options = { min_free = { mem = 1e9 } } }))
    end)
  end)

  describe("loading", function()
    local tmp
    before_each(function() tmp = os.tmpname() end)
    after_each(function() os.remove(tmp) end)
    local function write(text) local f = assert(io.open(tmp, "w")); f:write(text); f:close() end

    it("loads every shipped policy", function()
      for _, name in ipairs({ "delay", "locality", "window", "thresholds", "constraints" }) do
        local p, err = chain.load(h.POLICIES_DIR .. name .. ".lua")
        assert.is_nil(err)
        assert.equals(name, p.name)
      end
    end)

    it("refuses files that do not return a policy, with a clear message", function()
      write("return 42")
      local p, err = chain.load(tmp)
      assert.is_nil(p); assert.matches("must return a table", err)
      write("return { name = 'x' }")
      p, err = chain.load(tmp)
      assert.is_nil(p); assert.matches("no evaluate function", err)
      write("return { evaluate = function() end, on_tick = 3 }")
      p, err = chain.load(tmp)
      assert.is_nil(p); assert.matches("on_tick must be a function", err)
      write("return { evaluate = function() end, on_launch = 'x' }")
      p, err = chain.load(tmp)
      assert.is_nil(p); assert.matches("on_launch must be a function", err)
      write("return {")
      p, err = chain.load(tmp)
      assert.is_nil(p); assert.is_string(err)
      write("error('at load')")
      p, err = chain.load(tmp)
      assert.is_nil(p); assert.matches("at load", err)
      p, err = chain.load(tmp .. ".missing")
      assert.is_nil(p); assert.is_string(err)
    end)

    it("names an unnamed policy after its file", function()
      write("return { evaluate = function() return 'accept' end }")
      local p = assert(chain.load(tmp))
      assert.equals(tmp:match("([^/]+)$"):gsub("%.lua$", ""), p.name)
    end)

    it("load_chain stops at the first bad file", function()
      write("return 1")
      local entries, err = chain.load_chain({ h.POLICIES_DIR .. "delay.lua", tmp })
      assert.is_nil(entries)
      assert.matches("must return a table", err)
    end)
  end)

  describe("default chain: constraints then delay", function()
    it("is documented as constraints.lua, delay.lua", function()
      assert.same({ "constraints.lua", "delay.lua" }, chain.DEFAULT)
    end)

    it("declines a constraint violation before delay is asked", function()
      local entries = assert(chain.load_default(h.POLICIES_DIR))
      local v, _, _, name = chain.evaluate(entries,
        offer({ hostname = "h1" }),
        task({ constraints = { hostname = "unique" }, prefer = { hosts = { "h9" } } }),
        ctx({ cluster = { tasks_by_host = { h1 = { broker = 1 } } } }))
      assert.equals("decline", v)
      assert.equals("constraints", name)
    end)

    it("then delays, then accepts", function()
      local entries = assert(chain.load_default(h.POLICIES_DIR))
      local t = task({ constraints = { hostname = "unique" }, prefer = { hosts = { "h9" } }, waiting_s = 1 })
      local v, _, _, name = chain.evaluate(entries, offer({ hostname = "h2" }), t, ctx())
      assert.equals("wait", v); assert.equals("delay", name)
      t.waiting_s = 10
      assert.equals("accept", chain.evaluate(entries, offer({ hostname = "h2" }), t, ctx()))
    end)

    it("passes per-policy options by file name", function()
      local entries = assert(chain.load_default(h.POLICIES_DIR, { delay = { node_wait_s = 0, rack_wait_s = 0 } }))
      local t = task({ prefer = { hosts = { "h9" } }, waiting_s = 0 })
      assert.equals("accept", chain.evaluate(entries, offer({ hostname = "h2" }), t, ctx()))
    end)
  end)

  describe("check (dry run)", function()
    it("evaluates one case or a list, from tables or JSON", function()
      local entries = { policy("p", "wait", "because") }
      local r = chain.check(entries, { offer = {}, task = {} })
      assert.same({ { verdict = "wait", reason = "because", policy = "p" } }, r)
      r = assert(chain.check(entries, '[{"offer":{},"task":{}},{"offer":{},"task":{},"ctx":{"now":5}}]'))
      assert.equals(2, #r)
      local nil_r, err = chain.check(entries, "{not json")
      assert.is_nil(nil_r); assert.matches("bad JSON", err)
    end)

    it("runs the real default chain on JSON input", function()
      local entries = assert(chain.load_default(h.POLICIES_DIR))
      local r = assert(chain.check(entries, [==[{
        "offer": {"id":"o1","agent_id":"a1","hostname":"h1","attributes":{"rack":"r1"},
                  "cpus":4,"mem":8192,"disk":1000,"ports":[[31000,31010]],"age_s":0},
        "task": {"id":"broker-0","kind":"broker","cpus":1,"mem":1024,"disk":10,"ports_needed":1,
                 "prefer":{"hosts":["h2"]},"constraints":{"hostname":"like:h[0-9]"},
                 "waiting_s":2,"attempts":0,"labels":{}},
        "ctx": {"now":1700000000,"cluster":{"tasks_by_host":{},"tasks_by_rack":{},
                "free":{"cpus":10,"mem":10000,"disk":10000}}}
      }]==]))
      assert.equals("wait", r[1].verdict)
      assert.equals("delay", r[1].policy)
    end)
  end)
end)
