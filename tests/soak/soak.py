#!/usr/bin/env python3
"""Fault soak: kmesos-local + kmesos-scheduler + 3 real Kafka brokers, a
kcat producer with acks=all writing numbered messages all the time, and a
stream of seeded random faults. After each fault the soak waits (bounded)
until every invariant holds again and records how long that took; a fault
after which they do not all hold within the bound is a violation.

Invariants (docs/soak.md):
  api        the scheduler answers /api/status, subscribed
  running    the 3 brokers are TASK_RUNNING, nothing pending
  no_dup     the master lists at most one non-terminal task per broker, and
             at most one broker JVM per broker id runs on this machine
  no_loss    every acknowledged message is consumed back
  state      the state file parses, and a second scheduler started on a
             copy of it (against a dead master) loads it and lists the same
             broker task ids as the live one

Run through scripts/soak.sh; stdlib only."""
import argparse
import fcntl
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOPIC = "soak"
BROKERS = ("0", "1", "2")
TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST",
            "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR"}
KINDS = ["scheduler_kill", "master_restart", "stream_cut", "heartbeat_stall", "agent_remove",
         "agent_restart", "agent_partition", "executor_kill", "broker_kill", "state_save_fail",
         "slow_api", "save_fail_kill"]


def log(msg):
    print(time.strftime("%H:%M:%S ") + msg, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http(method, url, data=None, timeout=5):
    """(status, body) of a request; status 0 when it could not be made."""
    body = data.encode() if isinstance(data, str) else data
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except Exception as e:  # connection refused, timeout, reset
        return 0, str(e)


def get_json(url, timeout=5):
    code, body = http("GET", url, timeout=timeout)
    if code != 200:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def pctl(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(q * (len(xs) - 1)))))
    return round(xs[k], 1)


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.bin = a.bin
        self.tmp = tempfile.mkdtemp(prefix="kmesos-soak.")
        self.procs = []
        self.acked = set()
        self.sent = 0
        self.failed_batches = 0
        self.lock = threading.Lock()
        self.stop_producer = threading.Event()
        self.bootstrap = ""
        self.results = []
        self.violations = []
        self.reported = set()

    # --- processes ---------------------------------------------------------
    def spawn(self, name, argv, append=False):
        f = open(os.path.join(self.tmp, name + ".log"), "ab" if append else "wb")
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        f.close()
        self.procs.append(p)
        return p

    def start_local(self):
        self.master = free_port()
        self.M = f"http://127.0.0.1:{self.master}"
        base = 20000 + self.rng.randrange(100) * 100
        agents = [{"hostname": f"127.0.0.{i + 1}", "attributes": f"rack:r{i + 1}",
                   "resources": f"cpus:2;mem:2048;disk:10000;ports:[{base + 20 * i}-{base + 20 * i + 19}]"}
                  for i in range(self.a.agents)]
        cfg = os.path.join(self.tmp, "agents.json")
        with open(cfg, "w") as f:
            json.dump({"agents": agents}, f)
        self.local = self.spawn("local", [
            os.path.join(self.bin, "kmesos-local"), "--port", str(self.master), "--agent-config", cfg,
            "--allocation-interval", "200ms", "--work-dir", os.path.join(self.tmp, "agents"),
            "--kill-grace-period", "10s", "--heartbeat-interval", "2s",
            "--agent-ping-timeout", "1s", "--max-agent-ping-timeouts", "3"])
        self.wait(10, lambda: get_json(self.M + "/master/state") is not None, "kmesos-local up")

    def sched_argv(self, state, api, master, data):
        return [os.path.join(self.bin, "kmesos-scheduler"), "--master", master,
                "--api", f"127.0.0.1:{api}", "--state", "file:" + state, "--log-level", self.a.log_level,
                "--executor", os.path.join(self.bin, "kmesos-executor"), "--kafka-dist", self.dist,
                "--fetch-mode", "uri", "--kafka-data-root", data, "--offer-hold", "30s",
                "--unreachable-grace", "10s"]

    def start_sched(self, append=False):
        self.sched = self.spawn("sched", self.sched_argv(
            self.state, self.api, f"127.0.0.1:{self.master}", os.path.join(self.tmp, "data")), append)

    def wait(self, secs, pred, what):
        end = time.time() + secs
        last = None
        while time.time() < end:
            try:
                if pred():
                    return True
            except Exception as e:
                last = e
            time.sleep(0.3)
        raise RuntimeError(f"setup: {what} not within {secs}s" + (f" (last error {last!r})" if last else ""))

    def post_api(self, path, form):
        return http("POST", f"{self.S}/{path}", form, timeout=10)

    # --- the producer --------------------------------------------------------
    def refresh_bootstrap(self):
        st = get_json(self.S + "/status", timeout=3)
        if st and st.get("bootstrap_servers"):
            self.bootstrap = st["bootstrap_servers"]

    def producer(self):
        n = 0
        batch = self.a.batch
        klog = open(os.path.join(self.tmp, "kcat.log"), "ab")
        while not self.stop_producer.is_set():
            self.refresh_bootstrap()
            keys = range(n + 1, n + batch + 1)
            n += batch
            data = "".join(f"k{k}:msg-{k}\n" for k in keys).encode()
            try:
                rc = subprocess.run(
                    ["kcat", "-P", "-b", self.bootstrap, "-t", TOPIC, "-K:", "-X", "acks=all",
                     "-X", "linger.ms=5", "-X", "message.timeout.ms=20000"],
                    input=data, stdout=klog, stderr=klog, timeout=40).returncode
            except subprocess.TimeoutExpired:
                rc = -1
            with self.lock:
                self.sent += batch
                if rc == 0:
                    self.acked.update(keys)
                else:
                    self.failed_batches += 1
            time.sleep(self.a.pause)
        klog.close()

    # --- observations ----------------------------------------------------------
    def brokers(self):
        j = get_json(self.S + "/broker/list")
        return {str(b["id"]): b for b in j["brokers"]} if j else None

    def broker_task(self, bid):
        b = (self.brokers() or {}).get(bid)
        return (b or {}).get("task") or {}

    def live_agents(self):
        j = get_json(self.M + "/local/agents") or {}
        ags = j.get("agents", j if isinstance(j, list) else [])
        return [x for x in ags if not x.get("removed")]

    def jvms(self):
        """broker id -> list of JVM pids whose sandbox is under our work dir."""
        out = {}
        pat = re.compile(r"kafka\.logs\.dir=" + re.escape(os.path.join(self.tmp, "agents")) +
                         r"/\S*/executors/broker-(\d+)-[^/ ]+/")
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            m = pat.search(cmd)
            if m and "java" in cmd:
                out.setdefault(m.group(1), []).append(int(pid))
        return out

    def executor_pid(self, task_id):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
                cmd = open(f"/proc/{pid}/cmdline", "rb").read()
            except OSError:
                continue
            if b"kmesos-executor" in cmd and ("MESOS_EXECUTOR_ID=" + task_id).encode() in env:
                return int(pid)
        return None

    # --- invariants ------------------------------------------------------------
    def inv_api(self):
        st = get_json(self.S + "/status", timeout=5)
        if not st:
            return "no answer from /api/status"
        if not st.get("subscribed"):
            return "not subscribed"
        if st.get("pending_tasks") != 0:
            return f"pending_tasks={st.get('pending_tasks')}"
        return None

    def inv_running(self):
        bs = self.brokers()
        if bs is None:
            return "no broker list"
        bad = [k for k in BROKERS if ((bs.get(k) or {}).get("task") or {}).get("state") != "TASK_RUNNING"]
        if bad:
            return f"brokers not RUNNING: {bad}"
        jv = self.jvms()
        gone = [k for k in BROKERS if not jv.get(k)]
        return f"RUNNING but no JVM runs for brokers {gone}" if gone else None

    def inv_no_dup(self):
        ms = get_json(self.M + "/master/state")
        if ms is None:
            return "no /master/state"
        per = {}
        for f in ms.get("frameworks", []):
            # the unreachable ones are not counted here: a removed agent's
            # tasks stay TASK_UNREACHABLE for good (as in Mesos, until an
            # operator marks the agent gone). One that still runs is a JVM,
            # which the count below sees.
            for t in f.get("tasks", []):
                if t.get("state") in TERMINAL:
                    continue
                m = re.match(r"(.+)-(\d+)-[^-]+$", t.get("id", ""))
                key = f"{m.group(1)}-{m.group(2)}" if m else t.get("id")
                per.setdefault(key, []).append(t.get("id"))
        dups = {k: v for k, v in per.items() if len(set(v)) > 1}
        if dups:
            return f"master: several live tasks for one broker: {dups}"
        jv = {k: v for k, v in self.jvms().items() if len(v) > 1}
        if jv:
            return f"several JVMs for one broker: {jv}"
        return None

    def consume(self):
        """Keys of every message up to each partition's current end (the
        producer keeps writing, so kcat -e alone may never see every
        partition at its end at once): high watermarks first, then each
        partition read from the beginning up to its mark. None on failure."""
        b = self.bootstrap
        try:
            q = subprocess.run(["kcat", "-Q", "-b", b] + sum((["-t", f"{TOPIC}:{p}:-1"] for p in range(3)), []),
                               capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired:
            return None
        marks = dict((int(m[1]), int(m[2])) for m in re.finditer(r"\[(\d+)\] offset (-?\d+)", q.stdout))
        if q.returncode != 0 or len(marks) != 3:
            return None
        got = set()
        for part, hw in marks.items():
            if hw <= 0:
                continue
            try:
                r = subprocess.run(["kcat", "-C", "-b", b, "-t", TOPIC, "-p", str(part), "-o", "beginning",
                                    "-c", str(hw), "-e", "-q", "-f", "%k\\n"], capture_output=True, timeout=90)
            except subprocess.TimeoutExpired:
                return None
            if r.returncode != 0:
                return None
            for line in r.stdout.decode("utf-8", "replace").split():
                if line.startswith("k") and line[1:].isdigit():
                    got.add(int(line[1:]))
        return got

    def inv_no_loss(self):
        with self.lock:
            acked = set(self.acked)
        got = self.consume()
        if got is None:
            return "consumer failed"
        lost = acked - got
        self.last_counts = (len(acked), len(got))
        if lost:
            return f"{len(lost)} acknowledged messages missing, e.g. {sorted(lost)[:5]}"
        return None

    def inv_state(self):
        try:
            with open(self.state) as f:
                json.load(f)
        except (OSError, ValueError) as e:
            return f"state file does not parse: {e}"
        live = {k: (b.get("task") or {}).get("id") for k, b in (self.brokers() or {}).items()}
        copy = os.path.join(self.tmp, "check-state.json")
        shutil.copyfile(self.state, copy)
        api = free_port()
        dead = free_port()
        p = self.spawn("check", self.sched_argv(copy, api, f"127.0.0.1:{dead}",
                                                os.path.join(self.tmp, "check-data")))
        try:
            end = time.time() + 10
            loaded = None
            while time.time() < end and p.poll() is None:
                j = get_json(f"http://127.0.0.1:{api}/api/broker/list", timeout=2)
                if j:
                    loaded = {str(b["id"]): (b.get("task") or {}).get("id") for b in j["brokers"]}
                    break
                time.sleep(0.2)
            if p.poll() is not None:
                tail = open(os.path.join(self.tmp, "check.log"), errors="replace").read()[-400:]
                return f"a scheduler on a copy of the state exits {p.returncode}: {tail!r}"
            if loaded is None:
                return "a scheduler on a copy of the state does not answer"
            if loaded != live:
                return f"state file task ids {loaded} != live {live}"
            return None
        finally:
            p.kill()
            p.wait()
            self.procs.remove(p)

    def check_all(self):
        """None when every invariant holds, else the first failing one's message."""
        for name, f in (("api", self.inv_api), ("running", self.inv_running),
                        ("no_dup", self.inv_no_dup), ("state", self.inv_state),
                        ("no_loss", self.inv_no_loss)):
            try:
                why = f()
            except Exception as e:  # a check that breaks counts as failing
                why = f"check raised {e!r}"
            if why:
                return f"{name}: {why}"
        return None

    # --- faults ------------------------------------------------------------------
    def random_broker(self):
        return self.rng.choice(BROKERS)

    def broker_agent(self, bid):
        return self.broker_task(bid).get("agent_id")

    def f_scheduler_kill(self):
        os.kill(self.sched.pid, signal.SIGKILL)
        self.sched.wait()
        self.procs.remove(self.sched)
        time.sleep(self.rng.uniform(0.5, 3))
        self.start_sched(append=True)
        return f"pid {self.sched.pid} restarted"

    def f_master_restart(self):
        c, _ = http("POST", self.M + "/local/master/restart?down=2s&reregister=5s")
        self.holdoff = 8  # down, then the agents re-register
        return f"-> {c}"

    def f_stream_cut(self):
        c, _ = http("POST", self.M + "/local/stream/close")
        return f"-> {c}"

    def f_heartbeat_stall(self):
        secs = self.rng.randint(6, 15)
        c, _ = http("POST", self.M + f"/local/heartbeats/stall?seconds={secs}")
        self.holdoff = secs
        return f"{secs}s -> {c}"

    def f_agent_remove(self):
        bid = self.random_broker()
        ag = self.broker_agent(bid)
        c1, _ = http("POST", self.M + f"/local/agents/{ag}/remove")
        time.sleep(self.rng.uniform(1, 8))
        c2, body = http("POST", self.M + f"/local/agents/add?like={ag}")
        return f"broker {bid} agent {ag} remove -> {c1}, add?like -> {c2}"

    def f_agent_restart(self):
        bid = self.random_broker()
        ag = self.broker_agent(bid)
        c, _ = http("POST", self.M + f"/local/agents/{ag}/restart?down=3s")
        self.holdoff = 5  # down, then the executors' re-registration window
        return f"broker {bid} agent {ag} -> {c}"

    def f_agent_partition(self):
        bid = self.random_broker()
        ag = self.broker_agent(bid)
        secs = self.rng.uniform(3, 20)
        c1, _ = http("POST", self.M + f"/local/agents/{ag}/partition")
        time.sleep(secs)
        c2, _ = http("POST", self.M + f"/local/agents/{ag}/heal")
        return f"broker {bid} agent {ag} for {secs:.0f}s: partition -> {c1}, heal -> {c2}"

    def f_executor_kill(self):
        bid = self.random_broker()
        tid = self.broker_task(bid).get("id", "")
        pid = self.executor_pid(tid)
        if pid:
            os.kill(pid, signal.SIGKILL)
        return f"broker {bid} task {tid} executor pid {pid}"

    def f_broker_kill(self):
        bid = self.random_broker()
        pids = self.jvms().get(bid, [])
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return f"broker {bid} JVM pids {pids}"

    def f_state_save_fail(self):
        # Lower the scheduler's open-file limit below what it holds, so that
        # opening the state's temporary file fails, then make it save (a
        # broker JVM is killed: the relaunch changes task ids), then restore.
        pid = self.sched.pid
        nfd = len(os.listdir(f"/proc/{pid}/fd"))
        lim = subprocess.run(["prlimit", "--pid", str(pid), "--nofile", "--raw", "--noheadings",
                              "-o", "SOFT,HARD"], capture_output=True, text=True).stdout.split()
        subprocess.run(["prlimit", "--pid", str(pid), f"--nofile={nfd}:{lim[1]}"], check=True)
        bid = self.random_broker()
        for p in self.jvms().get(bid, []):
            os.kill(p, signal.SIGKILL)
        held = self.rng.uniform(5, 15)
        time.sleep(held)
        fails = self.count_log("cannot write state")
        subprocess.run(["prlimit", "--pid", str(pid), f"--nofile={lim[0]}:{lim[1]}"], check=True)
        return f"nofile {nfd} for {held:.0f}s, broker {bid} JVM killed; 'cannot write state' lines so far: {fails}"

    def f_save_fail_kill(self):
        # The sequence: saves fail while a broker is relaunched (its
        # new task id and the task counter are not saved), then the
        # scheduler dies and restarts on the stale file.
        pid = self.sched.pid
        nfd = len(os.listdir(f"/proc/{pid}/fd"))
        subprocess.run(["prlimit", "--pid", str(pid), f"--nofile={nfd}:{nfd}"], check=True)
        bid = self.random_broker()
        before = self.count_log(f"launching broker-{bid}-")
        for p in self.jvms().get(bid, []):
            os.kill(p, signal.SIGKILL)
        end = time.time() + 20
        while time.time() < end and self.count_log(f"launching broker-{bid}-") == before:
            time.sleep(0.3)
        relaunched = self.count_log(f"launching broker-{bid}-") > before
        time.sleep(self.rng.uniform(0.5, 5))
        fails = self.count_log("cannot write state")
        os.kill(pid, signal.SIGKILL)
        self.sched.wait()
        self.procs.remove(self.sched)
        self.start_sched(append=True)
        return (f"nofile {nfd}, broker {bid} JVM killed, relaunched under the limit: {relaunched}; "
                f"'cannot write state' lines so far: {fails}; scheduler kill -9 + restart (pid {self.sched.pid})")

    def f_slow_api(self):
        n = self.rng.randint(50, 200)
        socks = []
        for _ in range(n):
            try:
                # from another address, as an attacker's host: the API caps
                # connections per client address (64), so they cannot
                # starve the operator's own (127.0.0.1)
                s = socket.create_connection(("127.0.0.1", self.api), timeout=2,
                                             source_address=("127.0.0.2", 0))
                s.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                socks.append(s)
            except OSError:
                break
        worst = 0.0
        bad = 0
        for _ in range(5):
            time.sleep(1)
            for s in socks:
                try:
                    s.sendall(b"a")
                except OSError:
                    pass
            t = time.time()
            if get_json(self.S + "/status", timeout=5) is None:
                bad += 1
            worst = max(worst, time.time() - t)
        for s in socks:
            s.close()
        if bad:
            self.violations.append({"fault": "slow_api", "why": f"/api/status unanswered {bad}/5 times "
                                    f"with {len(socks)} slow connections open"})
        return f"{len(socks)} slow connections held 5s; /api/status worst {worst:.2f}s, unanswered {bad}/5"

    def reused_ids(self):
        """Task ids the scheduler launched more than once, not reported yet
        (a task id must never be reused, also across restarts)."""
        seen, new = {}, []
        try:
            with open(os.path.join(self.tmp, "sched.log"), errors="replace") as f:
                for line in f:
                    m = re.search(r" launching (\S+) on ", line)
                    if m:
                        seen[m.group(1)] = seen.get(m.group(1), 0) + 1
        except OSError:
            return []
        for tid, n in sorted(seen.items()):
            if n > 1 and tid not in self.reported:
                self.reported.add(tid)
                new.append(tid)
        return new

    def count_log(self, s):
        try:
            with open(os.path.join(self.tmp, "sched.log"), errors="replace") as f:
                return sum(1 for line in f if s in line)
        except OSError:
            return 0

    # --- the run -----------------------------------------------------------------------
    def setup(self):
        out = subprocess.run([os.path.join(SRC, "scripts", "fetch-kafka.sh")], capture_output=True,
                             text=True)
        libs = [l[len("KAFKA_LIBS="):] for l in out.stdout.splitlines() if l.startswith("KAFKA_LIBS=")]
        if out.returncode != 0 or not libs:
            raise RuntimeError("fetch-kafka.sh failed: " + out.stdout[-400:] + out.stderr[-400:])
        self.dist = os.path.dirname(libs[-1]) + ".tgz"
        os.environ["KAFKA_LIBS"] = libs[-1]
        self.start_local()
        self.api = free_port()
        self.S = f"http://127.0.0.1:{self.api}/api"
        self.state = os.path.join(self.tmp, "state.json")
        self.start_sched()
        self.wait(20, lambda: (get_json(self.S + "/status") or {}).get("subscribed"), "scheduler subscribed")
        c, b = self.post_api("broker/add", "broker=0..2&cpus=0.5&mem=1024&heap=256&failover_delay=2s"
                             "&failover_max_delay=8s&options=num.partitions=3,default.replication.factor=3,"
                             "min.insync.replicas=2,group.initial.rebalance.delay.ms=0")
        if c != 200:
            raise RuntimeError(f"broker add: {c} {b}")
        c, b = self.post_api("broker/start", "broker=*")
        if c != 200:
            raise RuntimeError(f"broker start: {c} {b}")
        t0 = time.time()
        self.wait(180, lambda: self.inv_running() is None, "3 brokers RUNNING")
        log(f"3 brokers RUNNING after {time.time() - t0:.1f}s")
        self.refresh_bootstrap()
        self.prod = threading.Thread(target=self.producer, daemon=True)
        self.prod.start()
        self.wait(120, lambda: len(self.acked) > 0, "first acknowledged batch")
        why = "?"
        end = time.time() + self.a.settle
        while time.time() < end:
            why = self.check_all()
            if why is None:
                break
            time.sleep(1)
        else:
            raise RuntimeError(f"setup: invariants do not hold before the first fault: {why}")
        log(f"steady: {len(self.acked)} acked; faults begin (seed {self.a.seed})")
        if self.a.plant_loss:  # checks the checker: key 0 is never produced
            with self.lock:
                self.acked.add(0)
            log("planted: message k0 counted as acknowledged, never sent (expect a no_loss violation)")

    def run(self):
        deadline = time.time() + self.a.minutes * 60 if self.a.minutes else None
        order = []
        i = 0
        while i < self.a.faults:
            if deadline and time.time() > deadline:
                log("time budget spent")
                break
            if not order:
                order = KINDS[:]
                self.rng.shuffle(order)
            kind = order.pop(0)
            i += 1
            t0 = time.time()
            self.holdoff = 1
            try:
                what = getattr(self, "f_" + kind)()
            except Exception as e:  # a fault that could not be injected is reported, not hidden
                what = f"injection error: {e!r}"
            log(f"fault {i}/{self.a.faults} {kind}: {what}")
            why = "?"
            rec = None
            end = time.time() + self.a.settle
            time.sleep(self.holdoff)  # checks start when the fault's own window is over
            said = time.time()
            while time.time() < end:
                why = self.check_all()
                if why is None:
                    rec = time.time() - t0
                    break
                if time.time() - said > 30:
                    log(f"  waiting: {why}")
                    said = time.time()
                time.sleep(1)
            for tid in self.reused_ids():
                self.violations.append({"fault": kind, "n": i, "why": f"task id {tid} launched twice"})
                log(f"  VIOLATION: task id {tid} launched twice")
            r = {"n": i, "kind": kind, "what": what, "recovery_s": round(rec, 1) if rec else None}
            self.results.append(r)
            if rec is None:
                self.violations.append({"fault": kind, "n": i, "why": why})
                log(f"  VIOLATION: not settled within {self.a.settle}s: {why}")
                if self.a.stop_on_violation:
                    break
            else:
                log(f"  recovered in {rec:.1f}s (acked {self.last_counts[0]}, consumed {self.last_counts[1]})")

    def report(self):
        by = {}
        for r in self.results:
            by.setdefault(r["kind"], []).append(r)
        recs = [r["recovery_s"] for r in self.results if r["recovery_s"] is not None]
        rep = {
            "seed": self.a.seed, "faults": len(self.results),
            "by_kind": {k: {"count": len(v),
                            "recovery_max_s": max([x["recovery_s"] for x in v if x["recovery_s"]] or [None],
                                                  key=lambda z: z or 0)}
                        for k, v in sorted(by.items())},
            "recovery_s": {"p50": pctl(recs, 0.5), "p95": pctl(recs, 0.95),
                           "max": round(max(recs), 1) if recs else None,
                           "mean": round(statistics.mean(recs), 1) if recs else None},
            "messages": {"sent": self.sent, "acked": len(self.acked), "failed_batches": self.failed_batches},
            "violations": self.violations,
            "faults_list": self.results,
            "state_save_errors_logged": self.count_log("cannot write state"),
        }
        print("== soak report")
        print(f"seed {rep['seed']}, {rep['faults']} faults")
        for k, v in rep["by_kind"].items():
            w = v["recovery_max_s"]
            print(f"  {k:16s} {v['count']:3d}  worst recovery " + (f"{w}s" if w is not None else "- (none settled)"))
        r = rep["recovery_s"]
        print("recovery " + "  ".join(f"{q} {r[q]}s" if r[q] is not None else f"{q} -" for q in ("p50", "p95", "max")))
        print(f"messages sent {self.sent}, acknowledged {len(self.acked)}, failed batches {self.failed_batches}")
        print(f"violations: {len(self.violations)}")
        for v in self.violations:
            print(f"  {v}")
        if self.a.report:
            with open(self.a.report, "w") as f:
                json.dump(rep, f, indent=1)
            print(f"report written to {self.a.report}")
        return rep

    def cleanup(self, keep):
        self.stop_producer.set()
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        time.sleep(1)
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        for pids in self.jvms().values():  # leftovers of ours only: matched by our work dir
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if keep:
            print(f"logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--faults", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--minutes", type=float, default=0, help="time budget (0: none)")
    ap.add_argument("--settle", type=float, default=180, help="bound on each recovery, seconds")
    ap.add_argument("--agents", type=int, default=4)
    ap.add_argument("--batch", type=int, default=10, help="messages per kcat run")
    ap.add_argument("--pause", type=float, default=0.5, help="seconds between kcat runs")
    ap.add_argument("--bin", default=os.path.join(SRC, "build"))
    ap.add_argument("--report", default=None, help="write the report as JSON here")
    ap.add_argument("--keep", action="store_true", help="keep logs (also kept on a violation)")
    ap.add_argument("--stop-on-violation", action="store_true")
    ap.add_argument("--log-level", default="info",
                    help="the scheduler's (debug logs every refused accept while its fds run out)")
    ap.add_argument("--plant-loss", action="store_true",
                    help="count a message that was never sent as acknowledged: the run must fail")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = random.randrange(1 << 31)
    for tool in ("kcat", "java", "prlimit"):
        if not shutil.which(tool):
            print(f"soak: {tool} is not installed", file=sys.stderr)
            return 2
    lockf = open(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kmesos-kafka-e2e-{os.getuid()}.lock"), "w")
    try:  # a blocked waiter gets the lock as soon as it is released
        fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        log("soak: waiting for the Kafka tests' lock (another Kafka test runs)")
        def too_long(*_):
            raise TimeoutError()
        signal.signal(signal.SIGALRM, too_long)
        signal.alarm(900)
        try:
            fcntl.flock(lockf, fcntl.LOCK_EX)
        except TimeoutError:
            pass
        signal.alarm(0)
        try:
            fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print("soak: waited 900 s for another Kafka test to finish", file=sys.stderr)
            return 1
    # SIGINT is ignored in a background job: both signals stop the run
    # through the same clean-up (report, processes killed by pid)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    s = Soak(a)
    log(f"soak: seed {a.seed}, faults {a.faults}, minutes {a.minutes or '-'}, logs in {s.tmp}")
    rc = 0
    try:
        s.setup()
        s.run()
    except RuntimeError as e:
        s.violations.append({"fault": "setup", "why": str(e)})
        log(str(e))
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        s.stop_producer.set()
        rep = s.report()
        rc = 1 if rep["violations"] else 0
        s.cleanup(a.keep or rc != 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
