#!/usr/bin/env python3
"""storm.py: the pymesos side of the storm benchmark (bench/): a framework
written with pymesos (JSON over the v1 scheduler API) that launches N
command tasks, packing as many into each offer as fit, and declines every
other offer with refuse_seconds=0, so that offers keep coming. pymesos
acknowledges each status update; the program prints one JSON line
{"event":"all_running","tasks":N,"seconds":S} when all N are RUNNING (S
counted from its start, before SUBSCRIBE) and keeps declining until
SIGTERM, when it tears the framework down and exits 0."""
import argparse
import json
import logging
import signal
import sys
import threading
import time

from pymesos import MesosSchedulerDriver, Scheduler

from peerlib import scalar, task_resources


class Storm(Scheduler):
    def __init__(self, args, start):
        self.args, self.start = args, start
        self.launched = 0
        self.running = set()
        self.announced = False
        self.lock = threading.Lock()

    def pack(self, offer):
        a = self.args
        cpus, mem = scalar(offer["resources"], "cpus"), scalar(offer["resources"], "mem")
        tasks = []
        while self.launched < a.tasks and cpus >= a.cpus - 1e-9 and mem >= a.mem - 1e-9:
            tid = "%s-%d" % (a.name, self.launched)
            tasks.append({"name": tid, "task_id": {"value": tid}, "agent_id": offer["agent_id"],
                          "resources": task_resources(a.cpus, a.mem),
                          "command": {"value": a.cmd}})
            self.launched += 1
            cpus -= a.cpus
            mem -= a.mem
        return tasks

    def resourceOffers(self, driver, offers):
        decline = []
        for o in offers:
            tasks = self.pack(o)
            if tasks:
                driver.launchTasks([o["id"]], tasks)
            else:
                decline.append(o["id"])
        if decline:
            driver.declineOffer(decline, {"refuse_seconds": 0})

    def statusUpdate(self, driver, status):
        with self.lock:
            tid = status["task_id"]["value"]
            if status["state"] == "TASK_RUNNING":
                self.running.add(tid)
            else:
                self.running.discard(tid)
            if not self.announced and len(self.running) >= self.args.tasks:
                self.announced = True
                print(json.dumps({"event": "all_running", "tasks": self.args.tasks,
                                  "seconds": round(time.monotonic() - self.start, 3)},
                                 separators=(",", ":")),
                      flush=True)

    def error(self, driver, message):
        print("pymesos-storm: ERROR event: %s" % message, file=sys.stderr, flush=True)


def main():
    start = time.monotonic()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--master", required=True, help="HOST:PORT")
    ap.add_argument("--tasks", type=int, required=True)
    ap.add_argument("--cpus", type=float, default=0.01)
    ap.add_argument("--mem", type=float, default=1.0)
    ap.add_argument("--cmd", default="sleep 3600")
    ap.add_argument("--name", default="pymesos-storm")
    args = ap.parse_args()
    if args.tasks <= 0 or args.cpus <= 0 or args.mem <= 0:
        ap.error("--tasks, --cpus and --mem must be positive")
    logging.basicConfig(level=logging.WARNING)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fw = {"user": "root", "name": args.name, "hostname": "localhost", "failover_timeout": 60}
    driver = MesosSchedulerDriver(Storm(args, start), fw, args.master, use_addict=False)
    driver.start()
    while not stop.wait(1.0):
        pass
    driver.stop()  # not failover: TEARDOWN
    driver.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
