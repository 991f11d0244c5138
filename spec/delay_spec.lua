local h = require("helpers")
local offer, task, ctx, job = h.make_offer, h.make_task, h.make_ctx, h.make_job

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

  -- task.job present: the paper's per-job clock (task.job.waiting_s) replaces task.waiting_s
  describe("job clock (task.job.waiting_s)", function()
    local prefer_h1_r1 = { hosts = { "h1" }, racks = { "r1" } }

    it("accepts a preferred host or agent at any job wait", function()
      for _, w in ipairs({ 0, 3, 100 }) do
        assert.equals("accept", eval({ hostname = "h1" }, { prefer = prefer_h1, job = job({ waiting_s = w }) }))
        assert.equals("accept", eval({ agent_id = "a7", hostname = "hx" },
          { prefer = { agents = { "a7" } }, job = job({ waiting_s = w }) }))
      end
    end)

    it("waits below node_wait_s on the job clock even when task.waiting_s is huge", function()
      -- the issue's bug: a task queued for minutes accepted any offer at once
      local t = { prefer = prefer_h1_r1, waiting_s = 600, job = job({ waiting_s = 4.999 }) }
      local v, reason = eval(in_r1, t)
      assert.equals("wait", v)
      assert.matches("preferred host", reason)
      assert.equals("wait", (eval(in_r9, t)))
      -- the same task without a job would have accepted
      t.job = nil
      assert.equals("accept", eval(in_r9, t))
    end)

    it("uses the job clock when the task itself has only just become pending", function()
      local t = { prefer = prefer_h1_r1, waiting_s = 0, job = job({ waiting_s = 10 }) }
      assert.equals("accept", eval(in_r9, t))
    end)

    it("accepts a preferred rack at job wait >= node_wait_s, not below", function()
      assert.equals("wait", (eval(in_r1, { prefer = prefer_h1_r1, job = job({ waiting_s = 4.999 }) })))
      assert.equals("accept", eval(in_r1, { prefer = prefer_h1_r1, job = job({ waiting_s = 5 }) }))
      assert.equals("wait", (eval(in_r9, { prefer = prefer_h1_r1, job = job({ waiting_s = 5 }) })))
    end)

    it("accepts any offer at job wait >= node_wait_s + rack_wait_s, not below", function()
      local v, reason = eval(in_r9, { prefer = prefer_h1_r1, waiting_s = 0, job = job({ waiting_s = 9.999 }) })
      assert.equals("wait", v)
      assert.matches("preferred rack", reason)
      assert.equals("accept", eval(in_r9, { prefer = prefer_h1_r1, waiting_s = 0, job = job({ waiting_s = 10 }) }))
    end)

    it("honours node_wait_s and rack_wait_s on the job clock", function()
      local opts = { options = { node_wait_s = 1, rack_wait_s = 2 } }
      local function at(o, w) return (eval(o, { prefer = prefer_h1_r1, waiting_s = 0, job = job({ waiting_s = w }) }, opts)) end
      assert.equals("wait", at(in_r1, 0.999))
      assert.equals("accept", at(in_r1, 1))
      assert.equals("wait", at(in_r9, 2.999))
      assert.equals("accept", at(in_r9, 3))
    end)

    it("treats a job without waiting_s as not yet passed over (wait 0)", function()
      local j = job(); j.waiting_s = nil
      assert.equals("wait", (eval(in_r9, { prefer = prefer_h1, waiting_s = 100, job = j })))
    end)

    it("accepts a task without prefer whatever its job", function()
      assert.equals("accept", eval(in_r9, { prefer = nil, job = job({ waiting_s = 0 }) }))
    end)

    it("never declines and never asks for refuse_seconds", function()
      for _, w in ipairs({ 0, 4, 5, 9, 10, 100 }) do
        for _, o in ipairs({ in_r1, in_r9, { hostname = "h1" } }) do
          local v, _, refuse = eval(o, { prefer = prefer_h1, job = job({ waiting_s = w }) },
            { cluster = { rack_of_host = { h1 = "r1" } } })
          assert.is_true(v == "accept" or v == "wait")
          assert.is_nil(refuse)
        end
      end
    end)
  end)

  describe("rack of a preferred host that never offered (ctx.cluster from GET_AGENTS)", function()
    it("is ctx.cluster.rack_of_host, with nothing learned in ctx.state", function()
      local c = ctx({ cluster = { rack_of_host = { h1 = "r1" } } })
      assert.is_nil(c.state.rack_of_host)
      local t = task({ prefer = prefer_h1, job = job({ waiting_s = 5 }) })
      assert.equals("accept", delay.evaluate(offer(in_r1), t, c))
      assert.equals("wait", (delay.evaluate(offer(in_r9), t, c)))
      -- without the map the host's rack is unknown: the rack step does not apply
      assert.equals("wait", (eval(in_r1, { prefer = prefer_h1, job = job({ waiting_s = 5 }) })))
    end)

    it("is ctx.cluster.rack_of_agent for a preferred agent", function()
      local t = { prefer = { agents = { "a1" } }, job = job({ waiting_s = 5 }) }
      assert.equals("accept", eval(in_r1, t, { cluster = { rack_of_agent = { a1 = "r1" } } }))
      assert.equals("wait", (eval(in_r1, t, { cluster = { rack_of_agent = { a1 = "r9" } } })))
    end)

    it("takes ctx.cluster before what was learned in ctx.state", function()
      local c = ctx({ cluster = { rack_of_host = { h1 = "r1" } }, state = { rack_of_host = { h1 = "r9" } } })
      local t = task({ prefer = prefer_h1, job = job({ waiting_s = 5 }) })
      assert.equals("accept", delay.evaluate(offer(in_r1), t, c))
      assert.equals("wait", (delay.evaluate(offer(in_r9), t, c)))
    end)

    it("falls back to the learned map for a host the cluster map lacks", function()
      local c = ctx({ cluster = { rack_of_host = { h5 = "r5" } }, state = { rack_of_host = { h1 = "r1" } } })
      assert.equals("accept", delay.evaluate(offer(in_r1), task({ prefer = prefer_h1, job = job({ waiting_s = 5 }) }), c))
    end)
  end)

  describe("remember_level and on_launch", function()
    local on_r1 = { hostname = "h2", agent_id = "a2", attributes = { rack = "r1" } }
    local prefer = { hosts = { "h1" }, racks = { "r1" } }
    local c

    -- launch a task of job `id` on offer `o`, then ask about offer `q` at job wait `w`
    local function launch(o, id, p)
      delay.on_launch(task({ prefer = p or prefer, job = job({ id = id or "j1" }) }), offer(o), c)
    end
    local function ask(q, w, id)
      return (delay.evaluate(offer(q), task({ prefer = prefer, waiting_s = 0, job = job({ id = id or "j1", waiting_s = w }) }), c))
    end

    it("delay exposes on_launch and on_tick and loads as a valid policy", function()
      assert.is_function(delay.on_launch)
      assert.is_function(delay.on_tick)
      local chain = h.load(h.POLICIES_DIR .. "chain.lua")
      assert.is_truthy(chain.validate(delay, "delay.lua"))
    end)

    it("is on by default: after an off-rack launch the job accepts any offer at once", function()
      c = ctx()
      assert.equals("wait", ask(in_r9, 0))
      launch(in_r9)
      assert.equals(2, c.state.delay_jobs.j1.level)
      assert.equals("accept", ask(in_r9, 0))
    end)

    it("remember_level = false: an off-rack launch changes nothing", function()
      c = ctx({ options = { remember_level = false } })
      launch(in_r9)
      assert.is_nil(c.state.delay_jobs)
      assert.equals("wait", ask(in_r9, 0))
      assert.equals("wait", ask(in_r1, 0))
    end)

    describe("on", function()
      before_each(function() c = ctx({ options = { remember_level = true } }) end)

      it("after an off-rack launch the job accepts any offer at once; other jobs do not", function()
        assert.equals("wait", ask(in_r9, 0))
        launch(in_r9)
        assert.equals(2, c.state.delay_jobs.j1.level)
        assert.equals("accept", ask(in_r9, 0))
        assert.equals("wait", ask(in_r9, 0, "j2"))
      end)

      it("after a rack launch the job accepts its rack at once and any offer after rack_wait_s", function()
        launch(on_r1)
        assert.equals(1, c.state.delay_jobs.j1.level)
        assert.equals("accept", ask(in_r1, 0))
        assert.equals("wait", ask(in_r9, 4.999))
        assert.equals("accept", ask(in_r9, 5))          -- level 0 would need node + rack = 10
      end)

      it("a node-local launch drops the job back to level 0", function()
        launch(in_r9)
        launch({ hostname = "h1", agent_id = "a1", attributes = { rack = "r1" } })
        assert.is_nil(c.state.delay_jobs.j1)
        assert.equals(0, c.state.delay_jobs_n)
        assert.equals("wait", ask(in_r9, 0))
        assert.equals("wait", ask(in_r1, 4.999))
      end)

      it("knows a launch is rack-local from ctx.cluster.rack_of_host", function()
        c.cluster.rack_of_host = { h1 = "r7" }
        launch({ hostname = "h8", agent_id = "a8", attributes = { rack = "r7" } }, "j1", { hosts = { "h1" } })
        assert.equals(1, c.state.delay_jobs.j1.level)
        c.cluster.rack_of_host = {}
        launch({ hostname = "h8", agent_id = "a8", attributes = { rack = "r7" } }, "j1", { hosts = { "h1" } })
        assert.equals(2, c.state.delay_jobs.j1.level)
      end)

      it("ignores launches of tasks without a job", function()
        delay.on_launch(task({ prefer = prefer }), offer(in_r9), c)
        assert.is_nil(c.state.delay_jobs)
      end)

      it("keeps the level on a launch of a task without prefer (it says nothing about locality)", function()
        launch(in_r9)
        launch({ hostname = "h1", agent_id = "a1", attributes = { rack = "r1" } }, "j1", {})
        assert.equals(2, c.state.delay_jobs.j1.level)
        assert.equals("accept", ask(in_r9, 0))
      end)

      it("does not apply without task.job (the old path is unchanged)", function()
        launch(in_r9)
        local t = task({ prefer = prefer, waiting_s = 0 })
        assert.equals("wait", (delay.evaluate(offer(in_r9), t, c)))
      end)

      it("is ignored again when remember_level is turned off", function()
        launch(in_r9)
        c.options = { remember_level = false }
        assert.equals("wait", ask(in_r9, 0))
      end)

      it("survives a reload (kept in ctx.state)", function()
        launch(in_r9)
        delay = h.load("delay")
        assert.equals("accept", ask(in_r9, 0))
      end)

      it("on_tick forgets jobs that did not launch for level_forget_s", function()
        c.options.level_forget_s = 60
        launch(in_r9, "old")
        c.now = c.now + 30
        launch(in_r9, "new")
        c.now = c.now + 30.5
        delay.on_tick(c)
        assert.is_nil(c.state.delay_jobs.old)
        assert.equals(2, c.state.delay_jobs.new.level)
        assert.equals("wait", ask(in_r9, 0, "old"))
        assert.equals("accept", ask(in_r9, 0, "new"))
        assert.equals(1, c.state.delay_jobs_n)
      end)

      it("keeps at most level_max_jobs levels, forgetting the least recent launch", function()
        c.options.level_max_jobs = 3
        for i = 1, 5 do
          c.now = c.now + 1
          launch(in_r9, "j" .. i)
        end
        local kept = {}
        for id in pairs(c.state.delay_jobs) do kept[#kept + 1] = id end
        table.sort(kept)
        assert.same({ "j3", "j4", "j5" }, kept)
        assert.equals(3, c.state.delay_jobs_n)
        -- relaunching a kept job updates it in place
        launch(on_r1, "j3")
        assert.equals(1, c.state.delay_jobs.j3.level)
        assert.equals(3, c.state.delay_jobs_n)
      end)
    end)
  end)
end)
