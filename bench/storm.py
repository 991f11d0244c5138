#!/usr/bin/env python3
"""Storm benchmark (prints numbers; not a test): kmesos-scheduler, mesos-go
and pymesos launching the same N command tasks on kmesos-local, one after
the other in one run, each on a fresh kmesos-local started with the same
settings (so the master's CPU is the scheduler's own storm).

For each scheduler it prints: wall time from its start to all N tasks
RUNNING; CPU seconds (user+system, /proc/PID/stat) of the scheduler and of
the master up to that moment (the storm), and their peak RSS (VmHWM,
/proc/PID/status) once SETTLE seconds of steady offers have passed too;
updates resent;
and the decline latency: from the last byte of an OFFERS event to the
last byte of the last DECLINE call naming its offers (all of them
declined: the events after all tasks run), median of the last 5 such
events, from a tcpdump capture of loopback on the master port (outside
the processes).

Updates resent are counted from the same capture: UPDATE events on the
scheduler's event stream whose record repeats one seen before (an agent
resends an unacknowledged update unchanged), so the count is what the
scheduler received, the same way for all three.

Schedulers:
  kmesos   BUILD/kmesos-scheduler --workload 'name=storm cmd="sleep 3600"
           cpus=0.01 mem=1 instances=N' --no-suppress --decline-refuse 0
           (the peers decline with refuse_seconds=0 and never suppress;
           all RUNNING read from its log)
  mesosgo  BUILD/peers/mesosgo-storm, pymesos BUILD/peers/pymesos-storm
           (tests/peers/setup.sh builds them; skipped with a message when
           missing): --master HOST:PORT --tasks N --cpus 0.01 --mem 1
           --cmd 'sleep 3600'; all RUNNING is their JSON line
           {"event":"all_running",...} on stdout.

Usage: bench/storm.py [--build DIR] [--peers DIR] [--scheduler PROG] [--local PROG]
         [--agents 1000] [--tasks 2000] [--only kmesos,mesosgo,pymesos]
         [--settle 8] [--timeout 600] [--allocation-interval 1s] [--keep]
Use a release build (cmake -DCMAKE_BUILD_TYPE=Release) for numbers;
--scheduler runs another kmesos-scheduler (e.g. an older build) against
the same kmesos-local of --build; --local another kmesos-local.
Repeat --agents/--tasks pairs with --config A:N (e.g. --config 1000:2000
--config 10000:10000). Needs tcpdump (installed with apt-get when
missing and run as root) and root or CAP_NET_RAW to capture.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
OFFER_ID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-O\d+")
EVENT_OFFERS, EVENT_UPDATE, CALL_ACCEPT, CALL_DECLINE = 2, 4, 3, 4


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- /proc -------------------------------------------------------------------

def proc_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except OSError:
        return float("nan")


def proc_hwm_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# ---- a minimal capture reader: pcap, IPv4/IPv6 TCP on loopback ------------------

def read_pcap(path):
    """Yields (ts, src_port, dst_port, seq, flags, payload) per TCP packet."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ts = sec + frac / (1e9 if nano else 1e6)
        if linktype == 1:  # Ethernet (Linux lo)
            eth_type = struct.unpack(">H", pkt[12:14])[0]
            ip = pkt[14:]
        elif linktype == 113:  # Linux cooked
            eth_type = struct.unpack(">H", pkt[14:16])[0]
            ip = pkt[16:]
        else:
            continue
        if eth_type == 0x0800:
            ihl = (ip[0] & 0x0F) * 4
            if ip[9] != 6:
                continue
            total = struct.unpack(">H", ip[2:4])[0]
            tcp = ip[ihl:total]
        elif eth_type == 0x86DD:
            if ip[6] != 6:
                continue
            tcp = ip[40:40 + struct.unpack(">H", ip[4:6])[0]]
        else:
            continue
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        yield ts, sport, dport, seq, tcp[13], tcp[doff:]


class Stream:
    """One direction of one TCP connection, reassembled: bytes and, for
    any offset, the time its byte was first captured."""

    def __init__(self):
        self.isn = None
        self.segs = {}  # relative offset -> (payload, ts)

    def add(self, ts, seq, flags, payload):
        if flags & 0x02:  # SYN
            self.isn = (seq + 1) & 0xFFFFFFFF
            return
        if self.isn is None or not payload:
            return
        rel = (seq - self.isn) & 0xFFFFFFFF
        if rel not in self.segs:
            self.segs[rel] = (payload, ts)

    def build(self):
        self.data, self.marks = bytearray(), []  # marks: (end offset, ts)
        for rel in sorted(self.segs):
            payload, ts = self.segs[rel]
            if rel > len(self.data):
                break  # a hole: the capture lost bytes
            fresh = payload[len(self.data) - rel:]
            if fresh:
                self.data += fresh
                self.marks.append((len(self.data), ts))
        self.ends = [m[0] for m in self.marks]
        return self

    def time_of(self, offset):
        """Capture time of the byte at offset."""
        import bisect
        i = bisect.bisect_right(self.ends, offset)
        return self.marks[min(i, len(self.marks) - 1)][1]


def streams(pcap, master_port):
    conns = {}
    for ts, sport, dport, seq, flags, payload in read_pcap(pcap):
        if dport == master_port:
            key, way = sport, "up"
        elif sport == master_port:
            key, way = dport, "down"
        else:
            continue
        conns.setdefault(key, {"up": Stream(), "down": Stream()})[way].add(ts, seq, flags, payload)
    return {k: {w: s.build() for w, s in v.items()} for k, v in conns.items()}


def http_messages(data, start=0):
    """Yields (body_start, body_end_raw, body bytes, head) of HTTP messages
    with Content-Length or chunked bodies (a streaming chunked body: the
    body so far). Offsets are into data."""
    off = start
    while off < len(data):
        end = data.find(b"\r\n\r\n", off)
        if end < 0:
            return
        head = bytes(data[off:end]).lower()
        body_at = end + 4
        m = re.search(rb"content-length:\s*(\d+)", head)
        if m:
            n = int(m.group(1))
            if body_at + n > len(data):
                return
            yield body_at, body_at + n, bytes(data[body_at:body_at + n]), head, None
            off = body_at + n
            continue
        if b"transfer-encoding: chunked" in head:
            body, raw_map, p = bytearray(), [], body_at
            while True:
                nl = data.find(b"\r\n", p)
                if nl < 0:
                    break
                try:
                    size = int(bytes(data[p:nl]).split(b";")[0], 16)
                except ValueError:
                    break
                if size == 0 or nl + 2 + size > len(data):
                    p = nl + 2 + (2 if size == 0 else 0)
                    break
                raw_map.append((len(body), nl + 2))  # body offset -> raw offset
                body += data[nl + 2:nl + 2 + size]
                p = nl + 2 + size + 2
            yield body_at, p, bytes(body), head, raw_map
            off = p
            continue
        yield body_at, body_at, b"", head, None
        off = body_at


def raw_offset(raw_map, body_off):
    import bisect
    i = bisect.bisect_right([b for b, _ in raw_map], body_off) - 1
    b, r = raw_map[max(i, 0)]
    return r + (body_off - b)


def pb_field(buf, want):
    """The first varint value of top-level field number want, or None."""
    i = 0
    try:
        while i < len(buf):
            key, i = varint(buf, i)
            num, wt = key >> 3, key & 7
            if wt == 0:
                v, i = varint(buf, i)
                if num == want:
                    return v
            elif wt == 2:
                n, i = varint(buf, i)
                i += n
            elif wt == 1:
                i += 8
            elif wt == 5:
                i += 4
            else:
                return None
    except IndexError:
        return None
    return None


def varint(buf, i):
    v = shift = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def record_type(rec, kind):
    """Event (field 1) or Call (field 2) type as a number, JSON or protobuf."""
    if rec[:1] == b"{":
        try:
            name = json.loads(rec).get("type")
        except ValueError:
            return None
        return {"OFFERS": EVENT_OFFERS, "UPDATE": EVENT_UPDATE}.get(name) if kind == "event" \
            else {"ACCEPT": CALL_ACCEPT, "DECLINE": CALL_DECLINE}.get(name)
    return pb_field(rec, 1 if kind == "event" else 2)


def recordio(body):
    """Yields (start, end) of RecordIO records in body."""
    p = 0
    while p < len(body):
        nl = body.find(b"\n", p)
        if nl < 0:
            return
        try:
            n = int(body[p:nl])
        except ValueError:
            return
        if nl + 1 + n > len(body):
            return
        yield nl + 1, nl + 1 + n
        p = nl + 1 + n


def accept_answers(up, down):
    """ms from each ACCEPT's last byte to its answer's first byte, on one
    connection (HTTP/1.1: answers come in the order of the requests)."""
    asked = [(up.time_of(end - 1), record_type(body, "call") == CALL_ACCEPT)
             for _, end, body, _, _ in http_messages(up.data)]
    answered = [down.time_of(body_at - len(head) - 4)
                for body_at, _, _, head, _ in http_messages(down.data)]
    return [(t_ans - t_req) * 1e3 for (t_req, is_accept), t_ans in zip(asked, answered)
            if is_accept]


def analyse(pcap, master_port):
    """(decline latencies in ms per event [(n_offers, ms)], updates, resent,
    ACCEPT answer times in ms)."""
    events, declines, accepts = [], [], []  # events: (t_last_byte, ids); declines: (t, ids)
    updates = resent = 0
    seen = set()
    for conn in streams(pcap, master_port).values():
        up, down = conn["up"], conn["down"]
        first = bytes(down.data[:4096]).lower()
        if first.startswith(b"http/1.1 200") and b"transfer-encoding: chunked" in \
                first.split(b"\r\n\r\n")[0]:  # the SUBSCRIBE's event stream
            for body_at, _, body, head, raw_map in http_messages(down.data):
                if not raw_map:
                    continue
                for s, e in recordio(body):
                    rec = body[s:e]
                    t = record_type(rec, "event")
                    if t == EVENT_OFFERS:
                        ids = set(OFFER_ID.findall(rec))
                        events.append((down.time_of(raw_offset(raw_map, e - 1)), ids))
                    elif t == EVENT_UPDATE:
                        updates += 1
                        if rec in seen:
                            resent += 1
                        seen.add(rec)
                break
            continue
        accepts += accept_answers(up, down)
        for body_at, body_end, body, head, _ in http_messages(up.data):
            if body and record_type(body, "call") == CALL_DECLINE:
                declines.append((up.time_of(body_end - 1), set(OFFER_ID.findall(body))))
    declines.sort(key=lambda d: d[0])
    lat = []
    for t_ev, ids in events:
        if not ids:
            continue
        left, last = set(ids), None
        for t, dids in declines:
            if t < t_ev or not (dids & left):
                continue
            left -= dids
            last = t
            if not left:
                break
        if not left and last is not None:
            lat.append((len(ids), (last - t_ev) * 1e3))
    return lat, updates, resent, accepts


# ---- running one scheduler --------------------------------------------------------

class Run:
    def __init__(self, args, tmp, name):
        self.args, self.tmp, self.name = args, tmp, name
        self.procs = []

    def spawn(self, tag, cmd, stdout=None):
        log = open(os.path.join(self.tmp, f"{self.name}-{tag}.log"), "w")
        p = subprocess.Popen(cmd, stdout=stdout or log, stderr=log, cwd=self.tmp,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, wait=10):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(wait)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        for p in reversed(self.procs):
            self.stop(p)


def wait_http(url, timeout, proc, log):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            with open(log) as f:
                last = [line.strip() for line in f if line.strip()][-1:] or ["(no output)"]
            raise RuntimeError(f"kmesos-local exited ({proc.returncode}): {last[0]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} in {timeout} s")


class LogRunning:
    """Tasks seen RUNNING in kmesos-scheduler's log ("task ID is
    TASK_RUNNING"), read as it grows: polling its API for the task list
    would add JSON work the peers do not have."""

    def __init__(self, path):
        self.path, self.pos, self.ids = path, 0, set()

    def count(self):
        with open(self.path, "rb") as f:
            f.seek(self.pos)
            chunk = f.read()
        cut = chunk.rfind(b"\n") + 1
        self.pos += cut
        self.ids.update(re.findall(rb"scheduler: task (\S+) is TASK_RUNNING", chunk[:cut]))
        return len(self.ids)


def run_one(args, tmp, name, agents, tasks):
    run = Run(args, tmp, f"{name}-{agents}-{tasks}")
    port = free_port()
    res = {"scheduler": name, "agents": agents, "tasks": tasks}
    try:
        master = run.spawn("local", [
            args.local, "--port", str(port), "--agents", str(agents),
            "--allocation-interval", args.allocation_interval,
            "--work-dir", os.path.join(tmp, f"agents-{name}-{agents}"),
            "--agent-resources", "cpus:64;mem:65536;disk:1000;ports:[31000-32000]"])
        wait_http(f"http://127.0.0.1:{port}/master/state", 120, master,
                  os.path.join(tmp, f"{run.name}-local.log"))
        pcap = os.path.join(tmp, f"{name}-{agents}-{tasks}.pcap")
        dump = run.spawn("tcpdump", ["tcpdump", "-i", "lo", "-s", "0", "-B", "65536", "-U",
                                     "-w", pcap, f"tcp port {port}"])
        time.sleep(1.5)
        t0 = time.time()
        if name == "kmesos":
            api = free_port()
            sched = run.spawn("sched", [
                args.scheduler, "--master", f"127.0.0.1:{port}",
                "--api", f"127.0.0.1:{api}", "--state", f"file:{tmp}/state-{agents}-{tasks}.json",
                *args.kmesos_flags, "--workload",
                f'name=storm cmd="sleep 3600" cpus=0.01 mem=1 instances={tasks}'])
            running = LogRunning(os.path.join(tmp, f"{run.name}-sched.log"))
            while running.count() < tasks:
                if sched.poll() is not None or time.time() - t0 > args.timeout:
                    raise RuntimeError("kmesos-scheduler: not all tasks RUNNING")
                time.sleep(0.5)
        else:
            prog = os.path.join(args.peers, f"{name}-storm")
            out = open(os.path.join(tmp, f"{name}-{agents}-{tasks}.out"), "w+")
            sched = run.spawn("sched", [prog, "--master", f"127.0.0.1:{port}", "--tasks",
                                        str(tasks), "--cpus", "0.01", "--mem", "1", "--cmd",
                                        "sleep 3600", "--name", f"storm-{name}"], stdout=out)
            while True:
                out.seek(0)
                if any('"all_running"' in line for line in out):
                    break
                if sched.poll() is not None or time.time() - t0 > args.timeout:
                    raise RuntimeError(f"{name}-storm: not all tasks RUNNING")
                time.sleep(0.2)
        res["wall_s"] = time.time() - t0
        res["sched_cpu_s"], res["master_cpu_s"] = proc_cpu_s(sched.pid), proc_cpu_s(master.pid)
        time.sleep(args.settle)  # steady offers, each declined: the latency sample
        res["sched_rss_mb"], res["master_rss_mb"] = proc_hwm_mb(sched.pid), proc_hwm_mb(master.pid)
        run.stop(sched)
        run.stop(dump, signal.SIGINT)
        lat, updates, resent, accepts = analyse(pcap, port)
        accepts.sort()
        res["accept_n"] = len(accepts)
        res["accept_max_ms"] = accepts[-1] if accepts else float("nan")
        res["accept_p99_ms"] = accepts[min(len(accepts) - 1, int(0.99 * len(accepts)))] \
            if accepts else float("nan")
        full = [ms for n, ms in lat if n >= 0.9 * agents][-5:]
        res["decline_ms"] = statistics.median(full) if full else float("nan")
        res["decline_n"] = len(full)
        res["updates"], res["resent"] = updates, resent
        if not args.keep:
            os.unlink(pcap)
    except (RuntimeError, OSError) as e:
        res["error"] = str(e)
    finally:
        run.stop_all()
    return res


def ensure_tcpdump():
    if shutil.which("tcpdump"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("storm: installing tcpdump (apt-get)", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "tcpdump"], stdout=subprocess.DEVNULL)
    return shutil.which("tcpdump") is not None


def fmt(v, f="%.2f"):
    return "-" if v is None or v != v else f % v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--peers", help="where the peers' programs are (default BUILD/peers)")
    ap.add_argument("--scheduler", help="the kmesos-scheduler to run (default BUILD's)")
    ap.add_argument("--local", help="the kmesos-local to run (default BUILD's)")
    ap.add_argument("--agents", type=int, default=1000)
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--config", action="append", default=[], help="AGENTS:TASKS, repeatable")
    ap.add_argument("--only", default="kmesos,mesosgo,pymesos")
    ap.add_argument("--settle", type=float, default=8)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--allocation-interval", default="1s")
    ap.add_argument("--keep", action="store_true", help="keep the captures and logs")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.peers = os.path.abspath(args.peers or os.path.join(args.build, "peers"))
    args.scheduler = os.path.abspath(args.scheduler or os.path.join(args.build, "kmesos-scheduler"))
    args.local = os.path.abspath(args.local or os.path.join(args.build, "kmesos-local"))
    helptext = subprocess.run([args.scheduler, "--help"], capture_output=True, text=True).stdout
    args.kmesos_flags = ["--decline-refuse", "0"]
    if "--no-suppress" in helptext:
        args.kmesos_flags.append("--no-suppress")
    else:
        print(f"storm: {args.scheduler} has no --no-suppress: it suppresses once all run, so "
              "its decline latency comes only from events before that", file=sys.stderr)
    configs = [tuple(int(x) for x in c.split(":")) for c in args.config] or \
        [(args.agents, args.tasks)]
    if not ensure_tcpdump():
        sys.exit("storm: tcpdump is needed (apt-get install tcpdump)")
    names = []
    for name in args.only.split(","):
        if name != "kmesos" and not os.access(os.path.join(args.peers, f"{name}-storm"), os.X_OK):
            print(f"storm: skipping {name}: {args.peers}/{name}-storm is not built "
                  f"(tests/peers/setup.sh {args.build})", file=sys.stderr)
            continue
        names.append(name)
    tmp = tempfile.mkdtemp(prefix="kmesos-storm.")
    rows = []
    for agents, tasks in configs:
        for name in names:
            print(f"storm: {name}, {tasks} tasks on {agents} agents ...", file=sys.stderr)
            rows.append(run_one(args, tmp, name, agents, tasks))
    print("| agents | tasks | scheduler | all RUNNING s | sched CPU s | sched peak RSS MB "
          "| master CPU s | master peak RSS MB | updates (resent) | decline ms (n) "
          "| ACCEPT answer ms p99 / max (n) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['agents']} | {r['tasks']} | {r['scheduler']} | error: {r['error']} "
                  "| | | | | | | |")
            continue
        print(f"| {r['agents']} | {r['tasks']} | {r['scheduler']} | {fmt(r['wall_s'])} "
              f"| {fmt(r['sched_cpu_s'])} | {fmt(r['sched_rss_mb'], '%.1f')} "
              f"| {fmt(r['master_cpu_s'])} | {fmt(r['master_rss_mb'], '%.1f')} "
              f"| {r['updates']} ({r['resent']}) | {fmt(r['decline_ms'])} ({r['decline_n']}) "
              f"| {fmt(r['accept_p99_ms'])} / {fmt(r['accept_max_ms'])} ({r['accept_n']}) |")
    if args.keep:
        print(f"storm: logs and captures in {tmp}", file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
