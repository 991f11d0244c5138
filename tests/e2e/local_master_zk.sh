#!/usr/bin/env bash
# End to end: kmesos-local's masters elected through a real ZooKeeper
# (--zk zk://.../mesos --masters 2), checked against the recorded Mesos 1.12
# masters (tests/data/mesos-captures/master-failover-zk):
#   - each master registers an ephemeral sequential json.info_<seq> znode
#     holding its MasterInfo as JSON (the same keys, in the same order, as
#     a real master's); the lowest leads;
#   - the non-leader answers SUBSCRIBE (JSON, and protobuf with an empty
#     body), /redirect, /master/redirect and /master/state with 307 to the
#     leader, with the status line, Location and Content-Length of the
#     capture;
#   - a raw JSON scheduler (lib/resub_scheduler.py, given both masters)
#     runs a `sleep` task; POST /local/master/kill kills the leader: the
#     stream ends (EOF), its znode vanishes, the other master leads under
#     its own id, the scheduler re-subscribes to it with its framework id
#     and gets the same id, the agents re-register with it and the task
#     comes back TASK_RUNNING REASON_AGENT_REREGISTERED with its pid
#     unchanged; the killed master comes back as a non-leader under a new
#     znode;
#   - killing the non-leader changes nothing for the leader and the
#     scheduler; a kill with ?expire=2s leaves the dead leader's znode
#     (and its 307s from the other master) in place for 2 s, as a real
#     session expiry does, then the first master leads again and the
#     task comes back once more.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/zk.sh"

if ! zk_available; then
  echo "# SKIP: ZooKeeper is not installed ($ZK_JAR, $ZK_CLI; scripts/install-deps.sh installs it)"
  finish
  exit 0
fi
LOCAL=$KMESOS_BIN/kmesos-local
[ -x "$LOCAL" ] || { not_ok "$LOCAL is built"; finish; exit 1; }
CAP=$KMESOS_SRC/tests/data/mesos-captures/master-failover-zk
SCHED="python3 $KMESOS_SRC/tests/e2e/lib/resub_scheduler.py"
zk_start "$E2E_TMP/zk" || { not_ok "ZooKeeper starts"; finish; exit 1; }

# two free consecutive ports
while :; do
  P0=$(free_port); P1=$((P0 + 1))
  python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $P1))" 2>/dev/null && break
done
WORK=$E2E_TMP/work
mkdir -p "$WORK"
check "--masters 2 without --zk is refused (exit 2)" bash -c "'$LOCAL' --masters 2 >/dev/null 2>&1; test \$? = 2"
check "--zk with a bad URL is refused (exit 2)" bash -c "'$LOCAL' --zk zk://nohost/mesos >/dev/null 2>&1; test \$? = 2"
start local "$LOCAL" --port "$P0" --work-dir "$WORK" --zk "zk://127.0.0.1:$ZK_PORT/mesos" --masters 2 \
  --allocation-interval 200ms --heartbeat-interval 2s
M0=http://127.0.0.1:$P0

check "one of the two masters leads" wait_for 20 jtrue "$M0/local/masters" "len(j) == 2 and sum(m['leading'] for m in j) == 1 and all(m['znode'] for m in j)"
LEAD=$(json "$M0/local/masters" "[m['port'] for m in j if m['leading']][0]")
OTHER=$(json "$M0/local/masters" "[m['port'] for m in j if not m['leading']][0]")
LEAD_ID=$(json "$M0/local/masters" "[m['id'] for m in j if m['leading']][0]")
check "the non-leader follows the leader" wait_for 5 jtrue "$M0/local/masters" "[m['leader'] for m in j if not m['leading']] == ['127.0.0.1:$LEAD']"

# the znodes
CHILDREN=$(zk_cli ls /mesos | grep '^\[')
check "two json.info_ znodes under /mesos ($CHILDREN)" test "$(grep -o 'json.info_[0-9]*' <<<"$CHILDREN" | wc -l)" = 2
LOWEST=$(grep -o 'json.info_[0-9]*' <<<"$CHILDREN" | sort | head -n 1)
check "the lowest is the leader's" jtrue "$M0/local/masters" "[m['znode'] for m in j if m['leading']] == ['$LOWEST']"
zk_get "/mesos/$LOWEST" | grep '^{' >"$E2E_TMP/lead.json"
check "its JSON MasterInfo: the capture's keys in the capture's order, compact" python3 - "$E2E_TMP/lead.json" "$CAP/z2_znodes/before_json.info_0000000000.content.txt" "$LEAD" "$LEAD_ID" <<'PY'
import json, sys
ours, real = open(sys.argv[1]).read().strip(), open(sys.argv[2]).read().strip()
o, r = json.loads(ours), json.loads(real)
assert list(o) == list(r), (list(o), list(r))
assert list(o['address']) == list(r['address'])
assert ', ' not in ours and ': ' not in ours
port, mid = int(sys.argv[3]), sys.argv[4]
assert o['port'] == port and o['address']['port'] == port and o['pid'] == 'master@127.0.0.1:%d' % port
assert o['id'] == mid and o['ip'] == r['ip'] and o['version'] == r['version']
assert o['capabilities'] == r['capabilities']
PY

# the non-leader's answers, against the capture's headers (Date aside)
hdrs() { tr -d '\r' | grep -v '^Date:' | grep -v '^$' | sed "s/127.0.0.1:[0-9]*/127.0.0.1:PORT/"; }
expect() { hdrs <"$CAP/$1"; }
answer() { curl -sS -D - -o /dev/null "$@" | hdrs; }
check "non-leader: JSON SUBSCRIBE -> 307 //leader/master/api/v1/scheduler, as captured" test \
  "$(answer -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' --data-binary @"$CAP/z2_subscribe_json.request.json" "http://127.0.0.1:$OTHER/api/v1/scheduler")" = "$(expect z2_nonleader_5051_subscribe_json.headers.txt)"
check "non-leader: protobuf SUBSCRIBE with an empty body -> the same 307" test \
  "$(answer -X POST -H 'Content-Type: application/x-protobuf' -H 'Accept: application/x-protobuf' --data-binary '' "http://127.0.0.1:$OTHER/api/v1/scheduler")" = "$(expect z2_nonleader_5051_subscribe_emptybody_proto.headers.txt)"
check "non-leader: the Location names the leader's port" bash -c "curl -sS -D - -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @'$CAP/z2_subscribe_json.request.json' http://127.0.0.1:$OTHER/api/v1/scheduler | tr -d '\r' | grep -qx 'Location: //127.0.0.1:$LEAD/master/api/v1/scheduler'"
for p in redirect master_redirect master_state; do
  check "non-leader: /${p/_//} as captured" test "$(answer "http://127.0.0.1:$OTHER/${p/_//}")" = "$(expect z2_nonleader_5051_$p.headers.txt)"
done
check "leader: /redirect -> 307 to itself, as captured" test "$(answer "http://127.0.0.1:$LEAD/redirect")" = "$(expect z2_leader_5050_redirect.headers.txt)"

# a scheduler and its task
start sched $SCHED "127.0.0.1:$OTHER,127.0.0.1:$LEAD" zk-fw t-zk "echo \$\$ > $WORK/zk.pid; exec sleep 600" "$E2E_TMP/sched.jsonl"
q() {
  python3 - "$E2E_TMP/sched.jsonl" "$1" <<'PY'
import json, os, sys
L = [json.loads(l) for l in open(sys.argv[1])] if os.path.exists(sys.argv[1]) else []
def ev(t): return [l['event'] for l in L if l.get('event', {}).get('type') == t]
def ups(task): return [e['update']['status'] for e in ev('UPDATE') if e['update']['status']['task_id']['value'] == task]
print(eval(sys.argv[2]))
PY
}
qtrue() { [ "$(q "bool($1)" 2>/dev/null)" = True ]; }
check "scheduler: followed the 307 and subscribed to the leader" wait_for 10 qtrue "[l['subscribe_answer'] for l in L if 'subscribe_answer' in l][:2] == [307, 200] and ev('SUBSCRIBED')[0]['subscribed']['master_info']['port'] == $LEAD"
check "task RUNNING" wait_for 20 qtrue "any(s['state'] == 'TASK_RUNNING' for s in ups('t-zk'))"
TASK_PID=$(cat "$WORK/zk.pid" 2>/dev/null)
FW=$(q "ev('SUBSCRIBED')[0]['subscribed']['framework_id']['value']")

# kill the leader
KILL=$(curl -sS -w ' %{http_code}' -X POST "http://127.0.0.1:$OTHER/local/master/kill?down=2s&reregister=3s")
check "kill of the leader answered 200 ($KILL)" test "${KILL##* }" = 200
check "kill?down=bad answered 400" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$OTHER/local/master/kill?down=bad")" = 400
check "the scheduler's stream ended with a plain EOF (no ERROR event)" wait_for 5 qtrue "any('stream' in l or 'stream_error' in l for l in L) and not ev('ERROR')"
check "the killed leader's port refuses connections" bash -c "! curl -sS --max-time 1 -o /dev/null http://127.0.0.1:$LEAD/health 2>/dev/null"
check "the other master leads" wait_for 10 jtrue "http://127.0.0.1:$OTHER/local/masters" "[m['port'] for m in j if m['leading']] == [$OTHER]"
check "its znode is now the only/lowest json.info_" bash -c "zk_cli() { '$ZK_CLI' -server 127.0.0.1:$ZK_PORT \"\$@\" 2>&1; }; ! zk_cli ls /mesos | grep '^\[' | grep -q '$LOWEST'"
NEW_ID=$(json "http://127.0.0.1:$OTHER/master/state" "j['id']")
check "new leader: its own master id" test -n "$NEW_ID" -a "$NEW_ID" != "$LEAD_ID"
check "scheduler: re-SUBSCRIBED to the new leader with the same framework id" wait_for 10 qtrue "len(ev('SUBSCRIBED')) == 2 and ev('SUBSCRIBED')[1]['subscribed']['framework_id']['value'] == '$FW' and ev('SUBSCRIBED')[1]['subscribed']['master_info']['id'] == '$NEW_ID' and ev('SUBSCRIBED')[1]['subscribed']['master_info']['port'] == $OTHER"
check "task: TASK_RUNNING REASON_AGENT_REREGISTERED 'Unknown agent reregistered' from the new leader" wait_for 15 qtrue "[(s['state'], s['message'], 'uuid' in s) for s in ups('t-zk') if s.get('reason') == 'REASON_AGENT_REREGISTERED'] == [('TASK_RUNNING', 'Unknown agent reregistered', False)]"
check "the task's pid is unchanged" kill -0 "${TASK_PID:-999999}"
check "the new leader's /master/state lists the task RUNNING" jtrue "http://127.0.0.1:$OTHER/master/state" "[t['state'] for f in j['frameworks'] for t in f['tasks'] if t['id'] == 't-zk'] == ['TASK_RUNNING']"
check "the killed master is back as a non-leader under a new znode" wait_for 15 jtrue "http://127.0.0.1:$OTHER/local/masters" "[(m['leading'], m['down'], m['znode'] not in (None, '$LOWEST'), m['leader']) for m in j if m['port'] == $LEAD] == [(False, False, True, '127.0.0.1:$OTHER')]"
check "it redirects to the new leader" bash -c "curl -sS -D - -o /dev/null http://127.0.0.1:$LEAD/redirect | tr -d '\r' | grep -qx 'Location: //127.0.0.1:$OTHER'"

# killing the non-leader leaves the leader alone
NL=$(json "$M0/local/masters" "[m['index'] for m in j if m['port'] == $LEAD][0]")
check "kill?master=$NL (the non-leader) answered 200" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$OTHER/local/master/kill?master=$NL&down=1s")" = 200
check "it is down at once" jtrue "http://127.0.0.1:$OTHER/local/masters" "[m['down'] for m in j if m['index'] == $NL] == [True]"
check "kill?master=x answered 400 naming master" test "$(curl -sS -w ' %{http_code}' -X POST "http://127.0.0.1:$OTHER/local/master/kill?master=x")" = "Expecting ?master=INDEX 400"
check "restart with --zk answered 409 (use kill)" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$OTHER/local/master/restart")" = 409
check "kill?master=7 answered 409 (no such master)" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$OTHER/local/master/kill?master=7")" = 409
check "the non-leader comes back, the leader still leads, the scheduler stays subscribed" wait_for 10 bash -c \
  "jtrue() { [ \"\$(curl -fsS --max-time 5 \"\$1\" | python3 -c \"import json,sys; j=json.load(sys.stdin); print(bool(\$2))\")\" = True ]; }; jtrue http://127.0.0.1:$OTHER/local/masters \"[(m['leading'], m['down']) for m in sorted(j, key=lambda m: m['port'] != $OTHER)] == [(True, False), (False, False)]\""
check "no new subscription meanwhile" qtrue "len(ev('SUBSCRIBED')) == 2"

# a kill whose ZooKeeper session expires 2 s later: no new leader before
N_UP=$(q "len(ups('t-zk'))")
check "kill?expire=2s of the new leader answered 200" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$LEAD/local/master/kill?down=3s&expire=2s&reregister=1s")" = 200
sleep 1
check "1 s after the kill: the old leader's znode is still there, nobody else leads" jtrue "http://127.0.0.1:$LEAD/local/masters" "not any(m['leading'] for m in j) and [m['leader'] for m in j if m['port'] == $LEAD] == ['127.0.0.1:$OTHER']"
check "then the first master leads again" wait_for 10 jtrue "http://127.0.0.1:$LEAD/local/masters" "[m['port'] for m in j if m['leading']] == [$LEAD]"
check "scheduler: third SUBSCRIBED, same framework id, from the first master's port" wait_for 10 qtrue "len(ev('SUBSCRIBED')) == 3 and ev('SUBSCRIBED')[2]['subscribed']['framework_id']['value'] == '$FW' and ev('SUBSCRIBED')[2]['subscribed']['master_info']['port'] == $LEAD"
check "task: REASON_AGENT_REREGISTERED again, pid unchanged" wait_for 10 qtrue "[s['reason'] for s in ups('t-zk')[$N_UP:] if s.get('reason') == 'REASON_AGENT_REREGISTERED'] == ['REASON_AGENT_REREGISTERED'] and __import__('os').kill(${TASK_PID:-999999}, 0) is None"
finish
