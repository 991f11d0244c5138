#!/usr/bin/env bash
# local_scale_agents.sh: kmesos-local with 10,000 agents under a limit of
# 512 file descriptors. The first --agent-listeners (100) agents listen on
# ports of their own, the other 9,900 share one listener and are told
# apart by the libprocess path of their pid (slave(N)@ip:port). Checks:
# /master/state lists 10,000 agents; a scheduler subscribes and gets offers
# from every one of them, and its DECLINE and RECONCILE are answered 202
# while 10,000 offers are outstanding; the process holds fewer than 512
# descriptors; a shared agent's /slave(N)/state is its own; a count above
# the limit, or a setting that needs more descriptors than allowed, is
# refused with a clear message (no hang, no crash).
source "$(dirname "$0")/lib/local_lib.sh"
LIB=$(dirname "$0")/lib

ulimit -n 512 || { fail "ulimit -n 512"; finish; }
lib_start scale --agents 10000 --allocation-interval 500ms || { fail start; finish; }
base=http://127.0.0.1:$PORT

check "/master/state: 10000 agents" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
assert len(s['slaves']) == 10000, len(s['slaves'])
pids = {x['pid'] for x in s['slaves']}
assert len(pids) == 10000, len(pids)"
OUT=$TMP/offers.json
check "a scheduler gets offers from all 10000 agents; DECLINE and RECONCILE answer 202" \
    sh -c "python3 '$LIB/storm_client.py' 127.0.0.1:$PORT offers --agents 10000 --timeout 120 >'$OUT'"
cat "$OUT"
check "offers from 10000 distinct agents" python3 -c "
import json; r=json.load(open('$OUT')); assert r['agents_offered'] == 10000 and r['reconcile_status'] == 202, r"
NFD=$(ls /proc/"$LOCAL_PID"/fd | wc -l)
echo "kmesos-local holds $NFD file descriptors"
check "fewer than 512 file descriptors (got $NFD)" test "$NFD" -lt 512
check "/local/stats: 9900 agents on the shared listener" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/local/stats'))
assert s['agents'] == 10000 and s['shared_agents'] == 9900 and s['shared_agent_port'] > 0, s"
check "the last agent's /slave(10000)/state is its own" python3 -c "
import json,urllib.request as u
a=json.load(u.urlopen('$base/local/agents'))[-1]
s=json.load(u.urlopen('http://127.0.0.1:%d/slave(10000)/state' % a['port']))
assert s['id'] == a['id'] and s['pid'] == 'slave(10000)@127.0.0.1:%d' % a['port'], (s['id'], a)"

if "$KMESOS_BIN/kmesos-local" --port 0 --agents 10001 >"$TMP/over.out" 2>&1; then
    fail "--agents 10001 refused"
else
    check "--agents 10001 refused: 'at most'-style message" grep -q "expected a count 0..10000" "$TMP/over.out"
fi
timeout 60 "$KMESOS_BIN/kmesos-local" --port 0 --agents 1000 --agent-listeners 1000 \
    --work-dir "$TMP/many" >"$TMP/fds.out" 2>&1
rc=$?
check "1000 agents with a listener each under 512 descriptors: refused (exit 1, not $rc)" test "$rc" -eq 1
check "... with a clear message" grep -Eq "agent [0-9]+: cannot listen .*raise ulimit -n or lower --agent-listeners" "$TMP/fds.out"
head -3 "$TMP/fds.out"
finish
