#!/usr/bin/env python3
"""A JSON v1 scheduler for kmesos-local's scale tests and bench (stdlib only).

usage: storm_client.py MASTER MODE [options]   (MASTER: host:port)
  offers --agents N [--timeout S]
      subscribes and waits until offers from N distinct agents are
      outstanding; then times one DECLINE of a single
      offer per repetition (--repeat R, default 5, 0: every offer; refuse_seconds
      --refuse, default 0) while the others stay outstanding, and one
      RECONCILE.
  launch --tasks N [--cmd CMD] [--cpus C] [--mem M] [--timeout S]
      subscribes, waits for one offer that fits N tasks, sends one ACCEPT
      launching them all, takes /local/stats right after the 202, then
      acknowledges every update until all N are TASK_RUNNING (and for
      --settle S more); counts updates received twice (same uuid).
Prints one JSON line with what it measured (seconds; *_ms in ms) and
exits 0, or prints {"error": ...} and exits 1.
"""
import argparse
import http.client
import json
import statistics
import sys
import threading
import time

ARGS = None


class Stream:
    """The SUBSCRIBE stream, read by a thread into events."""

    def __init__(self, master, name):
        host, port = master.rsplit(':', 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=600)
        body = {'type': 'SUBSCRIBE', 'subscribe': {'framework_info': {
            'user': 'root', 'name': name,
            'capabilities': [{'type': 'PARTITION_AWARE'}]}}}
        self.conn.request('POST', '/api/v1/scheduler', json.dumps(body),
                          {'Content-Type': 'application/json', 'Accept': 'application/json'})
        self.resp = self.conn.getresponse()
        if self.resp.status != 200:
            raise RuntimeError('SUBSCRIBE: %d %s' % (self.resp.status, self.resp.read()))
        self.sid = self.resp.getheader('Mesos-Stream-Id')
        self.lock = threading.Condition()
        self.offers = {}          # id -> offer, outstanding
        self.updates = []
        self.fw = None
        self.ended = False
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                rec = self.resp.read(int(line))
                self.on_event(json.loads(rec))
        except Exception:  # noqa: BLE001 - the stream ended
            pass
        with self.lock:
            self.ended = True
            self.lock.notify_all()

    def on_event(self, e):
        with self.lock:
            t = e.get('type')
            if t == 'SUBSCRIBED':
                self.fw = e['subscribed']['framework_id']['value']
            elif t == 'OFFERS':
                for o in e['offers']['offers']:
                    self.offers[o['id']['value']] = o
            elif t == 'RESCIND':
                self.offers.pop(e['rescind']['offer_id']['value'], None)
            elif t == 'UPDATE':
                self.updates.append(e['update']['status'])
            self.lock.notify_all()

    def wait(self, pred, timeout):
        end = time.time() + timeout
        with self.lock:
            while not pred():
                left = end - time.time()
                if left <= 0 or self.ended:
                    return False
                self.lock.wait(min(left, 0.5))
            return True


class Caller:
    def __init__(self, master, stream):
        host, port = master.rsplit(':', 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=600)
        self.stream = stream

    def call(self, body):
        body['framework_id'] = {'value': self.stream.fw}
        t0 = time.perf_counter()
        self.conn.request('POST', '/api/v1/scheduler', json.dumps(body),
                          {'Content-Type': 'application/json',
                           'Mesos-Stream-Id': self.stream.sid})
        r = self.conn.getresponse()
        r.read()
        return r.status, time.perf_counter() - t0

    def get(self, path):
        """GET path as JSON, or {} (an older kmesos-local without it)."""
        self.conn.request('GET', path)
        r = self.conn.getresponse()
        body = r.read()
        return json.loads(body) if r.status == 200 else {}


def distinct_agents(s):
    return len({o['agent_id']['value'] for o in s.offers.values()})


def mode_offers(master, a):
    t0 = time.time()
    s = Stream(master, 'scale-offers')
    if not s.wait(lambda: s.fw and distinct_agents(s) >= a.agents, a.timeout):
        return {'error': 'offers from %d agents, expected %d' % (distinct_agents(s), a.agents)}
    out = {'agents_offered': distinct_agents(s), 'seconds': round(time.time() - t0, 3),
           'outstanding': len(s.offers)}
    c = Caller(master, s)
    lat = []
    for _ in range(a.repeat if a.repeat > 0 else len(s.offers)):
        with s.lock:
            oid = next(iter(s.offers))
            s.offers.pop(oid)
        st, dt = c.call({'type': 'DECLINE', 'decline': {
            'offer_ids': [{'value': oid}], 'filters': {'refuse_seconds': a.refuse}}})
        if st != 202:
            return {'error': 'DECLINE answered %d' % st}
        lat.append(dt * 1000)
    st, dt = c.call({'type': 'RECONCILE', 'reconcile': {}})
    lat.sort()
    out.update(decline_ms=round(statistics.median(lat), 3), decline_max_ms=round(max(lat), 3),
               decline_p99_ms=round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 3),
               reconcile_status=st, reconcile_ms=round(dt * 1000, 3))
    return out


def fits(o, a):
    got = {r['name']: r.get('scalar', {}).get('value', 0) for r in o['resources']}
    return got.get('cpus', 0) + 1e-9 >= a.tasks * a.cpus and got.get('mem', 0) >= a.tasks * a.mem


def task_info(o, i, a):
    return {'name': 'storm-%d' % i, 'task_id': {'value': 'storm-%d' % i},
            'agent_id': o['agent_id'],
            'resources': [{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': a.cpus}},
                          {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': a.mem}}],
            'command': {'value': a.cmd}}


def ack_all(callers, s, acked):
    """Acknowledges every new update, over several connections at once."""
    with s.lock:
        todo = [u for u in s.updates if u.get('uuid') and u['uuid'] not in acked]
    for u in todo:
        acked.add(u['uuid'])

    def work(k):
        for u in todo[k::len(callers)]:
            callers[k].call({'type': 'ACKNOWLEDGE', 'acknowledge': {
                'agent_id': u['agent_id'], 'task_id': u['task_id'], 'uuid': u['uuid']}})
    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(callers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def running(s):
    return {u['task_id']['value'] for u in s.updates if u['state'] == 'TASK_RUNNING'}


def mode_launch(master, a):
    s = Stream(master, 'scale-launch')
    if not s.wait(lambda: s.fw and any(fits(o, a) for o in s.offers.values()), a.timeout):
        return {'error': 'no offer fits %d tasks' % a.tasks}
    with s.lock:
        o = next(o for o in s.offers.values() if fits(o, a))
    c = Caller(master, s)
    st, dt = c.call({'type': 'ACCEPT', 'accept': {
        'offer_ids': [o['id']],
        'operations': [{'type': 'LAUNCH', 'launch': {
            'task_infos': [task_info(o, i, a) for i in range(a.tasks)]}}]}})
    stats = c.get('/local/stats')
    if st != 202:
        return {'error': 'ACCEPT answered %d' % st}
    t0 = time.time()
    acked = set()
    callers = [Caller(master, s) for _ in range(8)]
    while time.time() - t0 < a.timeout and len(running(s)) < a.tasks and not s.ended:
        ack_all(callers, s, acked)
        s.wait(lambda: any(u.get('uuid') not in acked for u in s.updates), 0.2)
    ack_all(callers, s, acked)
    n = len(running(s))
    time.sleep(a.settle)
    ack_all(callers, s, acked)
    after = c.get('/local/stats')
    uuids = [u['uuid'] for u in s.updates if u.get('uuid')]
    last = {u['task_id']['value']: u for u in s.updates}
    states = {}
    for u in last.values():
        states[u['state']] = states.get(u['state'], 0) + 1
    return {'accept_ms': round(dt * 1000, 3),
            'started_at_202': stats.get('launches_started', 'n/a'),
            'running': n, 'all_running_s': round(time.time() - t0 - a.settle, 3),
            'updates': len(s.updates), 'updates_seen_twice': len(uuids) - len(set(uuids)),
            'updates_resent': after.get('updates_resent', 'n/a'), 'order_ok': order_ok(s),
            'states': states,
            'a_message': next((u.get('message', '') for u in last.values()), '')}


def order_ok(s):
    """Each task's updates: STARTING before RUNNING, none after a terminal one."""
    seen, uuids = {}, set()
    for u in s.updates:
        if u.get('uuid') in uuids:
            continue  # a resent one
        uuids.add(u.get('uuid'))
        seen.setdefault(u['task_id']['value'], []).append(u['state'])
    return all(v[:2] == ['TASK_STARTING', 'TASK_RUNNING'] for v in seen.values())


def main():
    p = argparse.ArgumentParser()
    p.add_argument('master')
    p.add_argument('mode', choices=['offers', 'launch'])
    p.add_argument('--agents', type=int, default=1)
    p.add_argument('--repeat', type=int, default=5)
    p.add_argument('--refuse', type=float, default=0)
    p.add_argument('--tasks', type=int, default=400)
    p.add_argument('--cmd', default='sleep 3600')
    p.add_argument('--cpus', type=float, default=0.01)
    p.add_argument('--mem', type=float, default=1)
    p.add_argument('--timeout', type=float, default=120)
    p.add_argument('--settle', type=float, default=0)
    a = p.parse_args()
    out = (mode_offers if a.mode == 'offers' else mode_launch)(a.master, a)
    print(json.dumps(out), flush=True)
    sys.exit(1 if 'error' in out else 0)


if __name__ == '__main__':
    main()
