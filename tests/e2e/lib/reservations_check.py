#!/usr/bin/env python3
"""Reservations and persistent volumes against kmesos-local (stdlib only),
for tests/e2e/local_reservations.sh. Framework A (role kafka, principal
kp, RESERVATION_REFINEMENT) reserves, creates a volume and launches on it
in one ACCEPT; framework B (role "*") must not see the reservation,
framework C (role kafka, no RESERVATION_REFINEMENT) sees it in the
pre-refinement format; the reservation survives an agent restart; a
task relaunched on the volume sees the first one's file; DESTROY of a
volume in use and the other refusals are dropped with Mesos 1.12's
messages (UPDATE_OPERATION_STATUS OPERATION_ERROR when the operation has
an id, nothing otherwise); DESTROY and UNRESERVE leave /master/state
without reservations and the volume's folder gone. Prints "ok - ..." or
"FAIL - ..." lines; exit 1 on a failure.

usage: reservations_check.py HOST:PORT WORK_DIR
"""
import http.client
import json
import os
import sys
import threading
import time

MASTER, WORK = sys.argv[1:3]
HOST, PORT = MASTER.rsplit(':', 1)
FAILED = []


def check(what, cond, detail=''):
    print(('ok - ' if cond else 'FAIL - ') + what + ('' if cond else ': ' + str(detail)))
    sys.stdout.flush()
    if not cond:
        FAILED.append(what)


class Framework:
    """One subscription: its events read by a thread."""

    def __init__(self, name, **info):
        fi = dict(user='root', name=name, **info)
        self.conn = http.client.HTTPConnection(HOST, int(PORT), timeout=600)
        self.conn.request('POST', '/api/v1/scheduler',
                          json.dumps({'type': 'SUBSCRIBE', 'subscribe': {'framework_info': fi}}),
                          {'Content-Type': 'application/json', 'Accept': 'application/json'})
        self.resp = self.conn.getresponse()
        self.sid = self.resp.getheader('Mesos-Stream-Id')
        self.cv = threading.Condition()
        self.events, self.offers, self.fw = [], {}, None
        threading.Thread(target=self.read, daemon=True).start()
        self.wait(lambda: self.fw, 10)

    def read(self):
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    return
                e = json.loads(self.resp.read(int(line)))
                with self.cv:
                    self.events.append(e)
                    if e['type'] == 'SUBSCRIBED':
                        self.fw = e['subscribed']['framework_id']['value']
                    elif e['type'] == 'OFFERS':
                        for o in e['offers']['offers']:
                            self.offers[o['id']['value']] = o
                    elif e['type'] == 'RESCIND':
                        self.offers.pop(e['rescind']['offer_id']['value'], None)
                    elif e['type'] == 'UPDATE' and 'uuid' in e['update']['status']:
                        s = e['update']['status']
                        threading.Thread(target=self.call, args=({
                            'type': 'ACKNOWLEDGE', 'acknowledge': {
                                'agent_id': s['agent_id'], 'task_id': s['task_id'],
                                'uuid': s['uuid']}},), daemon=True).start()
                    self.cv.notify_all()
        except Exception:  # noqa: BLE001 - the stream ended
            return

    def wait(self, pred, timeout):
        end = time.time() + timeout
        with self.cv:
            while not pred():
                if time.time() > end:
                    return None
                self.cv.wait(0.2)
            return pred()

    def call(self, body):
        body['framework_id'] = {'value': self.fw}
        c = http.client.HTTPConnection(HOST, int(PORT), timeout=10)
        c.request('POST', '/api/v1/scheduler', json.dumps(body),
                  {'Content-Type': 'application/json', 'Mesos-Stream-Id': self.sid})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status

    def offer(self, pred=lambda o: True, timeout=10):
        """Takes an outstanding offer matching pred (waiting for one)."""
        def find():
            for k, o in self.offers.items():
                if pred(o):
                    return k
            return None
        k = self.wait(find, timeout)
        if not k:
            return None
        with self.cv:
            return self.offers.pop(k)

    def accept(self, offer, ops):
        return self.call({'type': 'ACCEPT', 'accept': {
            'offer_ids': [offer['id']], 'operations': ops,
            'filters': {'refuse_seconds': 0}}})

    def op_status(self, op_id, timeout=5):
        def find():
            for e in self.events:
                s = e.get('update_operation_status', {}).get('status', {})
                if s.get('operation_id', {}).get('value') == op_id:
                    return s
            return None
        return self.wait(find, timeout)

    def states(self, task):
        return [e['update']['status']['state'] for e in self.events
                if e['type'] == 'UPDATE' and e['update']['status']['task_id']['value'] == task]

    def status(self, task, state, timeout=15):
        def find():
            for e in self.events:
                s = e.get('update', {}).get('status', {})
                if s.get('task_id', {}).get('value') == task and s['state'] == state:
                    return s
            return None
        return self.wait(find, timeout)


def get_state():
    c = http.client.HTTPConnection(HOST, int(PORT), timeout=10)
    c.request('GET', '/master/state')
    return json.loads(c.getresponse().read())


RSV = [{'type': 'DYNAMIC', 'role': 'kafka', 'principal': 'kp'}]


def res(name, value, rsv=None, volume=None):
    r = {'name': name, 'type': 'SCALAR', 'scalar': {'value': value}}
    if rsv is not None:
        r['reservations'] = rsv
    if volume:
        r['disk'] = {'persistence': {'id': volume, 'principal': 'kp'},
                     'volume': {'mode': 'RW', 'container_path': 'data'}}
    return r


def post(path):
    c = http.client.HTTPConnection(HOST, int(PORT), timeout=10)
    c.request('POST', path)
    r = c.getresponse()
    r.read()
    return r.status


def reserved_old(o, name):
    return [r for r in o['resources'] if r['name'] == name and r.get('role') == 'kafka']


def reserved(o, name):
    return [r for r in o['resources'] if r['name'] == name and r.get('reservations')]


def task(o, tid, cmd, resources):
    return {'name': tid, 'task_id': {'value': tid}, 'agent_id': o['agent_id'],
            'command': {'value': cmd}, 'resources': resources}


def launch(*tasks):
    return {'type': 'LAUNCH', 'launch': {'task_infos': list(tasks)}}


def refused(fw, what, op, want):
    """op (with an id) is dropped with a message containing want."""
    o = fw.offer()
    op = dict(op, id={'value': what})
    fw.accept(o, [op])
    s = fw.op_status(what)
    check('%s: OPERATION_ERROR "%s"' % (what, want),
          s is not None and s['state'] == 'OPERATION_ERROR' and want in s.get('message', ''), s)


def refusals(a):
    refused(a, 'reserve-star', {'type': 'RESERVE', 'reserve': {'resources': [
        res('cpus', 0.1, [{'type': 'DYNAMIC', 'role': '*', 'principal': 'kp'}])]}},
        'Invalid reservation: role "*" cannot be dynamically reserved')
    refused(a, 'reserve-principal', {'type': 'RESERVE', 'reserve': {'resources': [
        res('cpus', 0.1, [{'type': 'DYNAMIC', 'role': 'kafka', 'principal': 'eve'}])]}},
        "attempted by authenticated principal 'kp', which does not match a reserved resource "
        "in the request with principal 'eve'")
    refused(a, 'reserve-other-role', {'type': 'RESERVE', 'reserve': {'resources': [
        res('cpus', 0.1, [{'type': 'DYNAMIC', 'role': 'web', 'principal': 'kp'}])]}},
        "A reserve operation was attempted for a resource with role 'web', but the resource "
        "was allocated to role 'kafka'")
    refused(a, 'reserve-too-much', {'type': 'RESERVE', 'reserve': {'resources': [
        res('cpus', 99, RSV)]}}, 'does not contain')
    refused(a, 'create-unreserved', {'type': 'CREATE', 'create': {'volumes': [
        res('disk', 10, None, 'v')]}},
        'Persistent volumes cannot be created from unreserved resources')
    refused(a, 'unreserve-unreserved', {'type': 'UNRESERVE', 'unreserve': {'resources': [
        res('cpus', 0.1)]}}, 'is not dynamically reserved')
    refused(a, 'destroy-unknown', {'type': 'DESTROY', 'destroy': {'volumes': [
        res('disk', 10, RSV, 'nope')]}}, 'Persistent volumes not found')
    refused(a, 'reserve-refined', {'type': 'RESERVE', 'reserve': {'resources': [
        res('cpus', 0.1, RSV + [{'type': 'DYNAMIC', 'role': 'kafka/sub', 'principal': 'kp'}])]}},
        'does not implement reservation refinement')
    # no id: no UPDATE_OPERATION_STATUS; the LAUNCH that needed it fails
    o = a.offer()
    a.accept(o, [{'type': 'RESERVE', 'reserve': {'resources': [
        res('cpus', 0.1, [{'type': 'DYNAMIC', 'role': '*'}])]}},
        launch(task(o, 'needs-rsv', 'true', [res('cpus', 0.1, RSV), res('mem', 32)]))])
    s = a.status('needs-rsv', 'TASK_ERROR')
    check('a dropped RESERVE without id: its LAUNCH gets TASK_ERROR',
          s is not None and 'more than available' in s.get('message', ''), s)
    n = sum(1 for e in a.events if e['type'] == 'UPDATE_OPERATION_STATUS')
    check('a dropped operation without id sends no UPDATE_OPERATION_STATUS', n == 8, n)


def volume_path():
    for root, dirs, _ in os.walk(WORK):
        if root.endswith('volumes/roles/kafka') and 'b0' in dirs:
            return os.path.join(root, 'b0')
    return None


def main():
    a = Framework('kafka-rsv', role='kafka', principal='kp',
                  capabilities=[{'type': 'RESERVATION_REFINEMENT'}])
    check('framework A subscribed', a.fw)
    refusals(a)
    st = get_state()['slaves'][0]
    check('refusals changed nothing', st['reserved_resources'] == {}, st['reserved_resources'])

    # RESERVE, CREATE and a LAUNCH on the result in one ACCEPT
    o = a.offer()
    vol = res('disk', 512, RSV, 'b0')
    a.accept(o, [{'type': 'RESERVE', 'reserve': {'resources': [
        res('cpus', 0.5, RSV), res('mem', 128, RSV), res('disk', 512, RSV)]}},
        {'type': 'CREATE', 'create': {'volumes': [vol]}},
        launch(task(o, 't1', 'echo hello > data/f',
                    [res('cpus', 0.5, RSV), res('mem', 128, RSV), vol]))])
    check('t1 on the new volume: TASK_FINISHED', a.status('t1', 'TASK_FINISHED'), a.states('t1'))
    p = volume_path()
    check('the volume is a folder of the agent holding t1\'s file',
          p and open(os.path.join(p, 'f')).read() == 'hello\n', p)
    st = get_state()['slaves'][0]
    k = st['reserved_resources'].get('kafka', {})
    check('/master/state reserved_resources: kafka cpus 0.5, mem 128, disk 512',
          (k.get('cpus'), k.get('mem'), k.get('disk')) == (0.5, 128.0, 512.0), k)
    check('/master/state unreserved_resources: cpus 1.5', st['unreserved_resources']['cpus'] == 1.5,
          st['unreserved_resources'])

    # the next offer to A carries the reservation and the volume
    o = a.offer(lambda o: reserved(o, 'disk'))
    d = reserved(o, 'disk')[0] if o else {}
    check('A\'s offer: disk reserved for kafka by kp with persistence b0 at data',
          d.get('reservations') == RSV and d.get('disk', {}).get('persistence', {}).get('id') == 'b0'
          and d['disk']['volume']['container_path'] == 'data' and 'role' not in d, d)
    check('A\'s offer: 0.5 reserved cpus', o and reserved(o, 'cpus')[0]['scalar']['value'] == 0.5, o)
    a.call({'type': 'DECLINE', 'decline': {'offer_ids': [o['id']],
                                            'filters': {'refuse_seconds': 30}}})
    b = Framework('other', role='*')
    ob = b.offer()
    ok = ob and not any(r.get('reservations') or r.get('disk') or r.get('role', '*') != '*'
                        for r in ob['resources'])
    cpus = [r['scalar']['value'] for r in ob['resources'] if r['name'] == 'cpus'] if ob else []
    check('B (role "*") is offered none of the reservation: cpus 1.5 unreserved',
          ok and cpus == [1.5], ob)
    b.call({'type': 'TEARDOWN'})
    # a framework of the role without RESERVATION_REFINEMENT: the
    # pre-refinement format (role, reservation {principal}; no type, role)
    c = Framework('kafka-old', role='kafka')
    oc = c.offer(lambda o: reserved_old(o, 'disk'))
    d = reserved_old(oc, 'disk')[0] if oc else {}
    check('a pre-refinement framework of the role sees role "kafka", reservation {principal}',
          d.get('reservation') == {'principal': 'kp'} and 'reservations' not in d
          and d.get('disk', {}).get('persistence', {}).get('id') == 'b0', oc)
    c.call({'type': 'TEARDOWN'})
    # the reservation and the volume survive an agent restart
    agent = o['agent_id']['value']
    post('/local/agents/%s/restart?down=0.5s' % agent)
    time.sleep(1.5)
    st = get_state()['slaves'][0]
    check('after an agent restart: still reserved, the volume\'s folder kept',
          st['reserved_resources'].get('kafka', {}).get('disk') == 512.0 and volume_path(),
          st['reserved_resources'])
    a.call({'type': 'REVIVE'})

    # relaunch on the volume: the file is there
    o = a.offer(lambda o: reserved(o, 'disk'))
    a.accept(o, [launch(task(o, 't2', 'grep -q hello data/f', [res('cpus', 0.1, RSV), vol]))])
    check('t2 relaunched on the volume sees t1\'s file: TASK_FINISHED',
          a.status('t2', 'TASK_FINISHED'), a.states('t2'))

    # a volume in use is not destroyed, nor unreserved directly
    o = a.offer(lambda o: reserved(o, 'disk'))
    a.accept(o, [launch(task(o, 't3', 'sleep 60', [res('cpus', 0.1, RSV), vol]))])
    check('t3 on the volume: TASK_RUNNING', a.status('t3', 'TASK_RUNNING'), a.states('t3'))
    refused(a, 'destroy-in-use', {'type': 'DESTROY', 'destroy': {'volumes': [vol]}},
            'Persistent volumes in use')
    refused(a, 'unreserve-volume', {'type': 'UNRESERVE', 'unreserve': {'resources': [vol]}},
            'cannot be unreserved directly')
    a.call({'type': 'KILL', 'kill': {'task_id': {'value': 't3'}}})
    check('t3 killed', a.status('t3', 'TASK_KILLED'), a.states('t3'))

    # DESTROY and UNRESERVE in one ACCEPT
    o = a.offer(lambda o: reserved(o, 'disk') and
                reserved(o, 'cpus') and reserved(o, 'cpus')[0]['scalar']['value'] == 0.5)
    a.accept(o, [{'type': 'DESTROY', 'destroy': {'volumes': [vol], }, 'id': {'value': 'd'}},
                 {'type': 'UNRESERVE', 'unreserve': {'resources': [
                     res('cpus', 0.5, RSV), res('mem', 128, RSV), res('disk', 512, RSV)]}}])
    time.sleep(0.5)
    st = get_state()['slaves'][0]
    check('after DESTROY + UNRESERVE: no reserved_resources', st['reserved_resources'] == {},
          st['reserved_resources'])
    check('after DESTROY + UNRESERVE: all unreserved again',
          st['unreserved_resources']['cpus'] == 2.0 and st['unreserved_resources']['disk'] == 4096.0,
          st['unreserved_resources'])
    check('the volume\'s folder is gone', volume_path() is None, volume_path())
    s = a.op_status('d', 2)
    check('an applied DESTROY with an id: OPERATION_FINISHED from the agent, uuid, '
          'converted resources', s and s['state'] == 'OPERATION_FINISHED' and s.get('uuid')
          and s.get('agent_id') == o['agent_id'] and s.get('converted_resources'), s)
    o = a.offer()
    check('the next offer has nothing reserved', o and not any(
        r.get('reservations') for r in o['resources']), o)
    sys.exit(1 if FAILED else 0)


main()
