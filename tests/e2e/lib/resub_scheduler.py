#!/usr/bin/env python3
"""A raw JSON v1 scheduler for master failure tests (stdlib only).

Subscribes to one of MASTERS (host:port, comma list, tried in turn; a 307
is followed), launches one command task (COMMAND, id TASK) on the first
offer that fits, acknowledges every update with a uuid and declines other
offers with refuse_seconds=1. When the stream ends (EOF, as when a master
dies) or a connection fails, it re-subscribes every 0.3 s with the
framework id it got, and after each re-subscription sends an explicit
RECONCILE of its task (with its agent id), then an implicit one. It
reconciles the task again after an update with REASON_AGENT_REREGISTERED.
Every event, call answer and stream end goes to OUT as one JSON line
({"t": seconds, "master": "host:port", ...}), heartbeats excepted.

usage: resub_scheduler.py MASTERS NAME TASK COMMAND OUT [--partition-aware]
"""
import http.client
import getpass
import json
import sys
import time

MASTERS, NAME, TASK, COMMAND, OUT = sys.argv[1:6]
AWARE = '--partition-aware' in sys.argv[6:]
T0 = time.time()
state = {'fw': None, 'sid': None, 'agent': None, 'launched': False, 'subscribed': 0}


def log(master, **kv):
    kv = dict(t=round(time.time() - T0, 3), master=master, **kv)
    with open(OUT, 'a') as f:
        f.write(json.dumps(kv) + '\n')


def call(master, body):
    host, port = master.rsplit(':', 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request('POST', '/api/v1/scheduler', json.dumps(body),
                     {'Content-Type': 'application/json', 'Mesos-Stream-Id': state['sid']})
        r = conn.getresponse()
        log(master, call=body['type'], status=r.status, body=r.read().decode())
    except OSError as e:
        log(master, call=body['type'], error=str(e))
    finally:
        conn.close()


def fwid():
    return {'value': state['fw']}


def reconcile(master):
    task = {'task_id': {'value': TASK}}
    if state['agent']:
        task['agent_id'] = {'value': state['agent']}
    call(master, {'type': 'RECONCILE', 'framework_id': fwid(), 'reconcile': {'tasks': [task]}})
    call(master, {'type': 'RECONCILE', 'framework_id': fwid(), 'reconcile': {}})


def scalar(offer, name):
    return sum(r.get('scalar', {}).get('value', 0) for r in offer['resources']
               if r['name'] == name)


def on_offers(master, offers):
    for o in offers:
        if not state['launched'] and scalar(o, 'cpus') >= 0.1 and scalar(o, 'mem') >= 32:
            state['launched'] = True
            state['agent'] = o['agent_id']['value']
            res = [{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 0.1}},
                   {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': 32}}]
            task = {'name': TASK, 'task_id': {'value': TASK}, 'agent_id': o['agent_id'],
                    'resources': res, 'command': {'value': COMMAND}}
            call(master, {'type': 'ACCEPT', 'framework_id': fwid(),
                          'accept': {'offer_ids': [o['id']], 'filters': {'refuse_seconds': 1},
                                     'operations': [{'type': 'LAUNCH',
                                                     'launch': {'task_infos': [task]}}]}})
        else:
            call(master, {'type': 'DECLINE', 'framework_id': fwid(),
                          'decline': {'offer_ids': [o['id']], 'filters': {'refuse_seconds': 1}}})


def on_update(master, st):
    if 'uuid' in st:
        call(master, {'type': 'ACKNOWLEDGE', 'framework_id': fwid(),
                      'acknowledge': {'agent_id': st['agent_id'], 'task_id': st['task_id'],
                                      'uuid': st['uuid']}})
    if st.get('reason') == 'REASON_AGENT_REREGISTERED':
        reconcile(master)


def on_event(master, e):
    t = e.get('type')
    if t == 'HEARTBEAT':
        return
    log(master, event=e)
    if t == 'SUBSCRIBED':
        state['fw'] = e['subscribed']['framework_id']['value']
        state['subscribed'] += 1
        if state['subscribed'] > 1:
            reconcile(master)
    elif t == 'OFFERS':
        on_offers(master, e['offers']['offers'])
    elif t == 'UPDATE':
        on_update(master, e['update']['status'])


def read_stream(master, r):
    while True:
        line = r.readline()
        if not line:
            log(master, stream='EOF')
            return
        n = int(line)
        rec = r.read(n)
        if len(rec) < n:
            log(master, stream='EOF')
            return
        on_event(master, json.loads(rec))


def subscribe(master):
    """Returns the master to try next (a 307's target, or None)."""
    info = {'user': getpass.getuser(), 'name': NAME, 'failover_timeout': 600}
    if AWARE:
        info['capabilities'] = [{'type': 'PARTITION_AWARE'}]
    body = {'type': 'SUBSCRIBE', 'subscribe': {'framework_info': info}}
    if state['fw']:
        info['id'] = fwid()
        body['framework_id'] = fwid()
    host, port = master.rsplit(':', 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request('POST', '/api/v1/scheduler', json.dumps(body),
                     {'Content-Type': 'application/json', 'Accept': 'application/json'})
        r = conn.getresponse()
        hdrs = dict(r.getheaders())
        log(master, subscribe_answer=r.status, headers=hdrs)
        if r.status == 307:
            loc = hdrs.get('Location', '')
            return loc[2:].split('/', 1)[0] if loc.startswith('//') else None
        if r.status != 200:
            return None
        state['sid'] = hdrs.get('Mesos-Stream-Id')
        read_stream(master, r)
    except (OSError, http.client.HTTPException, ValueError) as e:
        log(master, stream_error=type(e).__name__ + ': ' + str(e))
    finally:
        conn.close()
    return None


def main():
    masters = MASTERS.split(',')
    i, nxt = 0, None
    while True:
        master = nxt or masters[i % len(masters)]
        nxt = subscribe(master)
        if not nxt:
            i += 1
            time.sleep(0.3)


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
