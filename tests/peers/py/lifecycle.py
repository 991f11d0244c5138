#!/usr/bin/env python3
"""lifecycle.py: a Mesos framework written with pymesos (the PyPI library,
JSON over the v1 scheduler API) that walks one whole life cycle against a
master and checks each step on the events that really arrived: subscribe,
launch and run a command task, kill it, decline with a filter (no offer
from that agent inside refuse_seconds, one after), suppress (no offers),
revive (offers again), explicit and implicit reconciliation, a custom
executor written with pymesos' MesosExecutorDriver (launch, framework
message, kill), and teardown (the framework leaves /master/state).

Prints "ok - WHAT" / "not ok - WHAT" lines and "framework_id ID"; exits 1
when a check failed. Run by tests/e2e/peer_pymesos.sh, which checks the
processes on the machine after the teardown."""
import argparse
import logging
import sys
import time

from pymesos import MesosSchedulerDriver

from peerlib import Recorder, is_update, master_state, scalar, task_resources

CPUS, MEM = 0.1, 32
UNKNOWN = "Reconciliation: Task is unknown"  # master.cpp, no agent id
failed = 0


def check(what, cond):
    global failed
    print(("ok - " if cond else "not ok - ") + what, flush=True)
    if not cond:
        failed += 1
    return cond


class Grab:
    """An offers handler that keeps the first offer matching pred (from the
    agent AGENT when given, with room for one task) and declines the rest
    with refuse_seconds 0."""

    def __init__(self, rec, agent=None):
        self.rec, self.agent, self.offer = rec, agent, None

    def __call__(self, driver, offers):
        rest = []
        for o in offers:
            fits = scalar(o["resources"], "cpus") >= CPUS and scalar(o["resources"], "mem") >= MEM
            if (self.offer is None and fits
                    and (self.agent is None or o["agent_id"]["value"] == self.agent)):
                self.offer = o
            else:
                rest.append(o["id"])
        if rest:
            driver.declineOffer(rest, {"refuse_seconds": 0})


def take_offer(rec, timeout=10, agent=None):
    g = Grab(rec, agent)
    rec.on_offers = g
    deadline = time.monotonic() + timeout
    while g.offer is None and time.monotonic() < deadline:
        time.sleep(0.05)
    rec.on_offers = rec.decline_all
    return g.offer


def task(tid, offer, cmd=None, executor=None):
    t = {"name": tid, "task_id": {"value": tid}, "agent_id": offer["agent_id"],
         "resources": task_resources(CPUS, MEM)}
    if executor:
        t["executor"] = executor
    else:
        t["command"] = {"value": cmd}
    return t


def launch(rec, driver, tid, **kw):
    offer = take_offer(rec)
    if not check("an offer for task %s" % tid, offer is not None):
        return None
    driver.launchTasks([offer["id"]], [task(tid, offer, **kw)])
    return offer


def decline_with_filter(rec, driver, refuse):
    offer = take_offer(rec)
    if not check("an offer to decline", offer is not None):
        return
    agent = offer["agent_id"]["value"]
    t0 = time.monotonic()
    driver.declineOffer([offer["id"]], {"refuse_seconds": refuse})
    from_agent = lambda ev: ev[1] == "offers" and any(
        o["agent_id"]["value"] == agent for o in ev[2])
    time.sleep(refuse - 0.3)
    inside = rec.select(from_agent, since=t0, until=t0 + refuse - 0.3)
    check("decline with refuse_seconds=%g: no offer from agent %s inside the window"
          % (refuse, agent), not inside)
    others = rec.select(lambda ev: ev[1] == "offers" and not from_agent(ev),
                        since=t0, until=t0 + refuse - 0.3)
    check("offers from the other agents kept coming inside the window", len(others) > 0)
    ev = rec.wait(from_agent, refuse + 5, since=t0)
    check("an offer from agent %s again once the filter expired" % agent, ev is not None)


def suppress_revive(rec, driver):
    driver.suppressOffers()
    quiet_from = time.monotonic() + 1.0  # an OFFERS event already on the wire
    time.sleep(4.0)
    late = rec.select(lambda ev: ev[1] == "offers", since=quiet_from)
    check("SUPPRESS: no offers for 3 s", not late)
    t0 = time.monotonic()
    driver.reviveOffers()
    check("REVIVE: offers again", rec.wait(lambda ev: ev[1] == "offers", 5, since=t0) is not None)


def reconcile(rec, driver, tid, agent):
    t0 = time.monotonic()
    driver.reconcileTasks([{"task_id": {"value": tid}, "agent_id": {"value": agent}}])
    ev = rec.wait(is_update(tid, "TASK_RUNNING", "REASON_RECONCILIATION"), 5, since=t0)
    check("explicit RECONCILE: %s TASK_RUNNING, REASON_RECONCILIATION, from the master"
          % tid, ev is not None and ev[2].get("source") == "SOURCE_MASTER")
    # pymesos 0.3.15 sends only the task ids of an explicit RECONCILE (it
    # drops agent_id), so a real master answers as for an unknown task with
    # no agent id while every agent is registered: TASK_LOST to a framework
    # without PARTITION_AWARE, "Reconciliation: Task is unknown", no agent id
    # (recorded from Mesos 1.12: tests/data/mesos-captures/reconcile-unknown,
    # ghost2; master.cpp reconcile, case 6)
    t0 = time.monotonic()
    driver.reconcileTasks([{"task_id": {"value": "no-such-task"}, "agent_id": {"value": agent}}])
    ev = rec.wait(is_update("no-such-task"), 5, since=t0)
    got = ev and " (got %s, %s, %r, agent %r)" % (
        ev[2]["state"], ev[2].get("reason"), ev[2].get("message"),
        ev[2].get("agent_id", {}).get("value"))
    check("explicit RECONCILE of an unknown task (pymesos sends no agent id): TASK_LOST, "
          "REASON_RECONCILIATION, '%s', no agent id" % UNKNOWN + (got or ""),
          ev is not None and ev[2]["state"] == "TASK_LOST"
          and ev[2].get("reason") == "REASON_RECONCILIATION"
          and ev[2].get("message") == UNKNOWN and "agent_id" not in ev[2])
    t0 = time.monotonic()
    driver.reconcileTasks([])
    ev = rec.wait(is_update(tid, "TASK_RUNNING", "REASON_RECONCILIATION"), 5, since=t0)
    check("implicit RECONCILE: %s TASK_RUNNING, REASON_RECONCILIATION" % tid, ev is not None)


def custom_executor(rec, driver, args):
    ex = {"executor_id": {"value": "pyx"}, "name": "pymesos executor",
          "command": {"value": "%s %s --marker %s" % (args.python, args.executor, args.marker)},
          "resources": task_resources(CPUS, MEM)}
    t0 = time.monotonic()
    launch(rec, driver, "x1", executor=ex)
    ev = rec.wait(is_update("x1", "TASK_RUNNING"), 30, since=t0)
    seen = [(e[2]["state"], e[2].get("source"), e[2].get("message"))
            for e in rec.select(is_update("x1"), since=t0)]
    check("custom executor (pymesos MesosExecutorDriver): x1 TASK_RUNNING from the executor"
          " (updates: %s)" % seen, ev is not None and ev[2].get("source") == "SOURCE_EXECUTOR")
    check("the executor's framework message reached the scheduler",
          rec.wait(lambda e: e[1] == "message", 5, since=t0) is not None)
    t0 = time.monotonic()
    driver.killTask({"value": "x1"})
    ev = rec.wait(is_update("x1", "TASK_KILLED"), 10, since=t0)
    check("KILL reaches the executor: x1 TASK_KILLED from the executor",
          ev is not None and ev[2].get("source") == "SOURCE_EXECUTOR")
    t0 = time.monotonic()
    launch(rec, driver, "x2", executor=ex)
    check("a second task on the same executor: x2 TASK_RUNNING",
          rec.wait(is_update("x2", "TASK_RUNNING"), 10, since=t0) is not None)


def framework_gone(master, fwid):
    st = master_state(master)
    return (all(f["id"] != fwid for f in st.get("frameworks", []))
            and any(f["id"] == fwid for f in st.get("completed_frameworks", [])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--master", required=True, help="HOST:PORT")
    ap.add_argument("--sleep", default="600", help="the command tasks' sleep (a marker)")
    ap.add_argument("--executor", required=True, help="path of executor.py")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--marker", default="pyx")
    ap.add_argument("--refuse", type=float, default=3.0)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rec = Recorder()
    fw = {"user": "root", "name": "pymesos-lifecycle", "hostname": "localhost",
          "failover_timeout": 60}
    driver = MesosSchedulerDriver(rec, fw, args.master, use_addict=False)
    driver.start()
    ev = rec.wait(lambda e: e[1] == "registered", 10)
    if not check("SUBSCRIBE: SUBSCRIBED with a framework id", ev is not None):
        return 1
    fwid = ev[2]["value"]
    print("framework_id", fwid, flush=True)
    # pymesos GETs /version from each master it is given; a real master
    # answers {"version": "1.12.0", ...} (apache/mesos src/version/version.cpp)
    check("pymesos learned the master's version from GET /version (got %r)" % driver.version,
          (driver.version or "").startswith("1."))
    check("the framework is active in /master/state", any(
        f["id"] == fwid and f.get("active") for f in master_state(args.master)["frameworks"]))

    t0 = time.monotonic()
    offer = launch(rec, driver, "t1", cmd="sleep %s" % args.sleep)
    check("LAUNCH: t1 TASK_RUNNING", rec.wait(is_update("t1", "TASK_RUNNING"), 10, since=t0))
    t0 = time.monotonic()
    driver.killTask({"value": "t1"})
    check("KILL: t1 TASK_KILLED", rec.wait(is_update("t1", "TASK_KILLED"), 10, since=t0))

    # real master (master.cpp, kill): KILL of an unknown task is answered as
    # its reconciliation; pymesos sends no agent id, so: TASK_LOST (no
    # PARTITION_AWARE), "Reconciliation: Task is unknown" (as the capture
    # reconcile-unknown shows for a reconciliation without agent id)
    t0 = time.monotonic()
    driver.killTask({"value": "no-such-task-2"})
    ev = rec.wait(is_update("no-such-task-2"), 5, since=t0)
    got = ev and " (got %s, %s, %r)" % (ev[2]["state"], ev[2].get("reason"), ev[2].get("message"))
    check("KILL of an unknown task: TASK_LOST, REASON_RECONCILIATION, "
          "'%s'" % UNKNOWN + (got or ""),
          ev is not None and ev[2]["state"] == "TASK_LOST"
          and ev[2].get("reason") == "REASON_RECONCILIATION"
          and ev[2].get("message") == UNKNOWN)

    decline_with_filter(rec, driver, args.refuse)
    suppress_revive(rec, driver)

    t0 = time.monotonic()
    offer = launch(rec, driver, "t2", cmd="sleep %s" % args.sleep)
    check("LAUNCH: t2 TASK_RUNNING", rec.wait(is_update("t2", "TASK_RUNNING"), 10, since=t0))
    if offer:
        reconcile(rec, driver, "t2", offer["agent_id"]["value"])
    custom_executor(rec, driver, args)

    driver.stop()  # not failover: TEARDOWN
    driver.join()
    deadline = time.monotonic() + 10
    while not framework_gone(args.master, fwid) and time.monotonic() < deadline:
        time.sleep(0.2)
    check("TEARDOWN: the framework left /master/state (now among completed_frameworks)",
          framework_gone(args.master, fwid))
    errors = rec.select(lambda e: e[1] == "error")
    check("no ERROR event", not errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
