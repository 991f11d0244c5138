"""peerlib: what the pymesos programs of tests/peers share: a pymesos
Scheduler that records every callback as a timestamped event (so the
life-cycle script can wait for, and assert on, what really arrived), and
small helpers for resources and the master's /master/state."""
import json
import threading
import time
import urllib.request

from pymesos import Scheduler


def scalar(resources, name):
    """The total of the scalar resource NAME in an offer's resources."""
    return sum(r.get("scalar", {}).get("value", 0.0)
               for r in resources if r.get("name") == name)


def task_resources(cpus, mem):
    return [{"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": mem}}]


def master_state(master):
    with urllib.request.urlopen("http://%s/master/state" % master, timeout=5) as r:
        return json.load(r)


class Recorder(Scheduler):
    """Records events as (seconds, kind, payload) under a condition; offers
    go to self.on_offers(driver, offers), which the caller replaces."""

    def __init__(self):
        self.events = []
        self.cond = threading.Condition()
        self.on_offers = self.decline_all

    @staticmethod
    def decline_all(driver, offers):
        driver.declineOffer([o["id"] for o in offers], {"refuse_seconds": 0})

    def _add(self, kind, payload):
        with self.cond:
            self.events.append((time.monotonic(), kind, payload))
            self.cond.notify_all()

    def registered(self, driver, framework_id, master_info):
        self._add("registered", framework_id)

    def reregistered(self, driver, master_info):
        self._add("reregistered", master_info)

    def resourceOffers(self, driver, offers):
        self._add("offers", offers)
        self.on_offers(driver, offers)

    def statusUpdate(self, driver, status):
        self._add("update", status)

    def frameworkMessage(self, driver, executor_id, agent_id, data):
        self._add("message", data)

    def executorLost(self, driver, executor_id, agent_id, status):
        self._add("executor_lost", executor_id)

    def error(self, driver, message):
        self._add("error", message)

    def wait(self, pred, timeout, since=0.0):
        """The first event (t, kind, payload) after SINCE with pred true,
        waiting up to TIMEOUT seconds; None when none came."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events:
                    if ev[0] >= since and pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def select(self, pred, since=0.0, until=float("inf")):
        with self.cond:
            return [ev for ev in self.events if since <= ev[0] <= until and pred(ev)]


def is_update(task, state=None, reason=None):
    def pred(ev):
        if ev[1] != "update":
            return False
        s = ev[2]
        return (s["task_id"]["value"] == task and (state is None or s["state"] == state)
                and (reason is None or s.get("reason") == reason))
    return pred
