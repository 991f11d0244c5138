#!/usr/bin/env bash
# local_partition.sh: an agent partitioned from kmesos-local's master and
# healed, as a Mesos 1.12 master handles it (Master::markUnreachable and
# __reregisterSlave; capture agent-loss-checkpointed). Two raw JSON
# schedulers, one PARTITION_AWARE, run `sleep` tasks on one agent; short
# health checks (500ms x 2). During the partition the tasks keep running,
# the master marks the agent unreachable after ~1 s: TASK_UNREACHABLE (PA)
# or TASK_LOST, REASON_AGENT_REMOVED, "health check timed out", with
# unreachable_time, a RESCIND of the agent's offer and a FAILURE for the
# agent; /master/state lists the tasks as unreachable_tasks; RECONCILE
# answers "Task is unreachable". An update a task makes meanwhile waits in
# the agent. After the heal both frameworks get TASK_RUNNING,
# REASON_AGENT_REREGISTERED, "Unreachable agent re-reregistered" with the
# same executor pid (Mesos >= 1.5 kills no task of a framework that is not
# partition-aware), then the kept update; the tasks are live again.
source "$(dirname "$0")/lib/local_lib.sh"
[ -d "$CAPTURES/agent-loss-checkpointed" ] || { fail "captures in $CAPTURES"; finish; }

lib_start part --agents 1 --allocation-interval 200ms --update-retry-interval 1s \
    --agent-ping-timeout 500ms --max-agent-ping-timeouts 2 || { fail start; finish; }
base=http://127.0.0.1:$PORT
post() { curl -s -o "$TMP/post.body" -w '%{http_code}' -X POST "$base$1"; }

# jev FILE EXPR: the Python expression EXPR over E, the events of FILE;
# up(task, state, reason) is the first matching status or {}.
jev() {
    python3 - "$1" "$2" <<'PY'
import json, sys
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
E = list(events(sys.argv[1]))
U = [e['update']['status'] for e in E if e['type'] == 'UPDATE']
def up(task, state, reason=None):
    return next((s for s in U if s['task_id']['value'] == task and s['state'] == state
                 and (reason is None or s.get('reason') == reason)), {})
print(eval(sys.argv[2]))
PY
}
jtrue() { [ "$(jev "$1" "bool($2)" 2>/dev/null)" = True ]; }
until_true() { # until_true SECONDS FILE EXPR
    local i
    for i in $(seq 1 $(($1 * 10))); do jtrue "$2" "$3" && return 0; sleep 0.1; done
    return 1
}
# ack_all FILE FW SID: acknowledges every update with a uuid (again is harmless).
ack_all() {
    local body
    while read -r body; do
        [ -n "$body" ] && curl -s -o /dev/null -X POST "$base/api/v1/scheduler" \
            -H 'Content-Type: application/json' -H "Mesos-Stream-Id: $3" -d "$body"
    done < <(jev "$1" "'\n'.join(json.dumps({'type': 'ACKNOWLEDGE', 'framework_id': {'value': '$2'}, 'acknowledge': {'agent_id': s['agent_id'], 'task_id': s['task_id'], 'uuid': s['uuid']}}) for s in U if 'uuid' in s)")
}
until_acked() { # until_acked SECONDS FILE FW SID EXPR: acknowledging meanwhile
    local i
    for i in $(seq 1 $(($1 * 5))); do
        ack_all "$2" "$3" "$4"
        jtrue "$2" "$5" && return 0
        sleep 0.2
    done
    return 1
}
# launch FILE FW SID REFUSE TASK... : ACCEPTs the framework's latest offer
# with one `sleep` command task per TASK, what is left refused for REFUSE
# seconds (PA: 60, so that the next rounds go to the other framework).
launch() {
    local file=$1 fw=$2 sid=$3 refuse=$4; shift 4
    local offer agent
    offer=$(jev "$file" "[o for e in E if e['type'] == 'OFFERS' for o in e['offers']['offers']][-1]['id']['value']")
    agent=$(jev "$file" "[o for e in E if e['type'] == 'OFFERS' for o in e['offers']['offers']][-1]['agent_id']['value']")
    local tasks="" t
    for t in "$@"; do
        tasks="$tasks${tasks:+,}{\"name\":\"$t\",\"task_id\":{\"value\":\"$t\"},\"agent_id\":{\"value\":\"$agent\"},\"command\":{\"value\":\"sleep ${SLEEP[$t]}\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.2}},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":32}}]}"
    done
    curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/scheduler" \
        -H 'Content-Type: application/json' -H "Mesos-Stream-Id: $sid" \
        -d "{\"type\":\"ACCEPT\",\"framework_id\":{\"value\":\"$fw\"},\"accept\":{\"offer_ids\":[{\"value\":\"$offer\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[$tasks]}}],\"filters\":{\"refuse_seconds\":$refuse}}}"
}
reconcile() { # reconcile FW SID TASK [AGENT]
    local agent=${4:+,\"agent_id\":{\"value\":\"$4\"\}}
    curl -s -o /dev/null -X POST "$base/api/v1/scheduler" -H 'Content-Type: application/json' \
        -H "Mesos-Stream-Id: $2" \
        -d "{\"type\":\"RECONCILE\",\"framework_id\":{\"value\":\"$1\"},\"reconcile\":{\"tasks\":[{\"task_id\":{\"value\":\"$3\"}$agent}]}}"
}
# What the real master sent (tests/data/mesos-captures/agent-loss-checkpointed):
# cap FILE FIELD prints a field of a recorded event (protobuf text format).
CAP=$CAPTURES/agent-loss-checkpointed
cap() { sed -n "s/^ *$2: \"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$CAP/$1" | head -n 1; }
LOST_MSG=$(cap r4_fwPA_records/rec008.txt message)      # health check timed out
LOST_REASON=$(cap r4_fwPA_records/rec008.txt reason)    # REASON_AGENT_REMOVED
PA_LOST=$(cap r4_fwPA_records/rec008.txt state)         # TASK_UNREACHABLE
NP_LOST=$(cap r4_fwNOTPA_records/rec005.txt state)      # TASK_LOST
REREG_MSG=$(cap r4_fwPA_records/rec012.txt message)     # Unreachable agent re-reregistered
REREG_REASON=$(cap r4_fwPA_records/rec012.txt reason)   # REASON_AGENT_REREGISTERED
NP_BACK=$(cap r4_fwNOTPA_records/rec011.txt state)      # TASK_RUNNING
pids_of() { pgrep -f "^sleep $1\$" | sort | tr '\n' ' '; }
declare -A SLEEP=([p1]=71.4321 [p2]=72.4321 [n1]=73.4321)

subscribe pa '{"user":"root","name":"pa","failover_timeout":60,"checkpoint":true,"capabilities":[{"type":"PARTITION_AWARE"}]}' ||
    fail "subscribe pa"
PA=$STREAM PA_FW=$FW PA_SID=$SID
check "PA: an offer" until_true 5 "$PA" "any(e['type'] == 'OFFERS' for e in E)"
check "PA: ACCEPT of p1 and p2" test "$(launch "$PA" "$PA_FW" "$PA_SID" 60 p1 p2)" = 202
subscribe np '{"user":"root","name":"np","failover_timeout":60,"checkpoint":true}' ||
    fail "subscribe np"
NP=$STREAM NP_FW=$FW NP_SID=$SID
check "not PA: an offer" until_true 5 "$NP" "any(e['type'] == 'OFFERS' for e in E)"
check "not PA: ACCEPT of n1" test "$(launch "$NP" "$NP_FW" "$NP_SID" 0.1 n1)" = 202
for t in p1 p2; do
    check "$t running" until_acked 5 "$PA" "$PA_FW" "$PA_SID" "up('$t', 'TASK_RUNNING')"
done
check "n1 running" until_acked 5 "$NP" "$NP_FW" "$NP_SID" "up('n1', 'TASK_RUNNING')"
ack_all "$PA" "$PA_FW" "$PA_SID"; ack_all "$NP" "$NP_FW" "$NP_SID"
A0=$(jev "$PA" "up('p1', 'TASK_RUNNING')['agent_id']['value']")
P1=$(pids_of "${SLEEP[p1]}") N1=$(pids_of "${SLEEP[n1]}")
check "task processes found" test -n "$P1" -a -n "$N1"
APORT=$(curl -s "$base/local/agents" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["port"])')
XPID=$(curl -s "http://127.0.0.1:$APORT/state" | python3 -c 'import json,sys; print([x["pid"] for f in json.load(sys.stdin)["frameworks"] for x in f["executors"] if x["id"] == "p1"][0])')
# not PA gets the rest of the agent offered again (refuse_seconds 60 only
# for PA): an outstanding offer that the partition's end must rescind
check "not PA: an outstanding offer" until_true 5 "$NP" "len([e for e in E if e['type'] == 'OFFERS']) >= 2"

# control errors
check "partition of an unknown agent: 404" test "$(post /local/agents/9/partition)" = 404
check "heal of an agent not partitioned: 409" test "$(post /local/agents/0/heal)" = 409
check "GET on partition: 405" test "$(curl -s -o /dev/null -w '%{http_code}' "$base/local/agents/0/partition")" = 405

# partition
t0=$(date +%s.%N)
check "partition agent 0: 200" test "$(post /local/agents/0/partition)" = 200
check "partition again: 409" test "$(post "/local/agents/$A0/partition")" = 409
check "/local/agents says partitioned" python3 -c "
import json,urllib.request as u; a=json.load(u.urlopen('$base/local/agents'))[0]
assert a['partitioned'] and not a['unreachable'], a"
check "PA: p1 TASK_UNREACHABLE" until_true 5 "$PA" "up('p1', 'TASK_UNREACHABLE')"
t1=$(date +%s.%N)
check "... not before ping timeout x max pings (1 s)" python3 -c "assert $t1 - $t0 >= 0.9, $t1 - $t0"
check "PA: p1 and p2 unreachable, as recorded (source, reason, message, unreachable_time)" \
    jtrue "$PA" "all(up(t, '$PA_LOST').get('source') == 'SOURCE_MASTER' and up(t, '$PA_LOST').get('reason') == '$LOST_REASON' and up(t, '$PA_LOST').get('message') == '$LOST_MSG' and int(up(t, '$PA_LOST')['unreachable_time']['nanoseconds']) > 0 and 'uuid' not in up(t, '$PA_LOST') and up(t, '$PA_LOST')['agent_id']['value'] == '$A0' for t in ('p1', 'p2'))"
check "not PA: n1 TASK_LOST, REASON_AGENT_REMOVED, health check timed out" \
    until_true 3 "$NP" "up('n1', '$NP_LOST', '$LOST_REASON').get('message') == '$LOST_MSG' and 'unreachable_time' in up('n1', '$NP_LOST')"
check "FAILURE for the agent, to both" until_true 3 "$NP" "any(e['type'] == 'FAILURE' and e['failure']['agent_id']['value'] == '$A0' for e in E)"
check "... PA too" jtrue "$PA" "any(e['type'] == 'FAILURE' and e['failure']['agent_id']['value'] == '$A0' and 'executor_id' not in e['failure'] for e in E)"
check "not PA: its outstanding offer rescinded" jtrue "$NP" "[e for e in E if e['type'] == 'OFFERS'][-1]['offers']['offers'][0]['id']['value'] in [e['rescind']['offer_id']['value'] for e in E if e['type'] == 'RESCIND']"
check "the task processes still run (same pids)" test "$(pids_of "${SLEEP[p1]}")" = "$P1" -a "$(pids_of "${SLEEP[n1]}")" = "$N1"
check "/master/state: unreachable_tasks, no agent listed, unreachable_slaves 1" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
f={x['name']: x for x in s['frameworks']}
assert sorted(t['id'] for t in f['pa']['unreachable_tasks']) == ['p1','p2'] and not f['pa']['tasks'], f['pa']
assert [(t['id'], t['state']) for t in f['np']['unreachable_tasks']] == [('n1','TASK_LOST')], f['np']
assert s['slaves'] == [] and s['unreachable_slaves'] == 1, s['slaves']"
n_offers=$(jev "$NP" "len([e for e in E if e['type'] == 'OFFERS'])")

# RECONCILE while unreachable (Master::reconcile, cases 4 and 6)
reconcile "$PA_FW" "$PA_SID" p1 "$A0"
check "PA: RECONCILE p1 on the agent: TASK_UNREACHABLE, Task is unreachable" \
    until_true 3 "$PA" "up('p1', 'TASK_UNREACHABLE', 'REASON_RECONCILIATION').get('message') == 'Reconciliation: Task is unreachable' and 'unreachable_time' in up('p1', 'TASK_UNREACHABLE', 'REASON_RECONCILIATION')"
reconcile "$NP_FW" "$NP_SID" n1 "$A0"
check "not PA: the same, TASK_LOST" until_true 3 "$NP" "up('n1', 'TASK_LOST', 'REASON_RECONCILIATION').get('message') == 'Reconciliation: Task is unreachable'"
reconcile "$NP_FW" "$NP_SID" n1
check "not PA: without agent id: TASK_LOST, Task is unknown" until_true 3 "$NP" "any(s['task_id']['value'] == 'n1' and s['state'] == 'TASK_LOST' and s.get('message') == 'Reconciliation: Task is unknown' and 'agent_id' not in s for s in U)"

# an update made during the partition waits in the agent
pkill -f "^sleep ${SLEEP[p2]}\$"
sleep 2.5
check "p2 ended during the partition: its update is held" jtrue "$PA" "not up('p2', 'TASK_FAILED')"
check "no offer for the unreachable agent" test "$(jev "$NP" "len([e for e in E if e['type'] == 'OFFERS'])")" = "$n_offers"

# heal
check "heal: 200" test "$(post "/local/agents/$A0/heal")" = 200
check "PA: p1 TASK_RUNNING, REASON_AGENT_REREGISTERED, as recorded" \
    until_true 5 "$PA" "up('p1', 'TASK_RUNNING', '$REREG_REASON').get('message') == '$REREG_MSG' and up('p1', 'TASK_RUNNING', 'REASON_AGENT_REREGISTERED')['source'] == 'SOURCE_MASTER' and 'uuid' not in up('p1', 'TASK_RUNNING', 'REASON_AGENT_REREGISTERED')"
check "... with its container status (same executor pid)" jtrue "$PA" \
    "up('p1', 'TASK_RUNNING', 'REASON_AGENT_REREGISTERED')['container_status']['executor_pid'] == $XPID and up('p1', 'TASK_RUNNING', 'REASON_AGENT_REREGISTERED')['container_status']['network_infos'][0]['ip_addresses'][0]['ip_address'] == '127.0.0.1'"
check "not PA: n1 TASK_RUNNING, REASON_AGENT_REREGISTERED (not killed, as Mesos 1.12)" \
    until_true 5 "$NP" "up('n1', '$NP_BACK', '$REREG_REASON').get('message') == '$REREG_MSG'"
check "the kept update of p2 arrives (TASK_FAILED, with a uuid)" until_true 5 "$PA" "'uuid' in up('p2', 'TASK_FAILED')"
ack_all "$PA" "$PA_FW" "$PA_SID"; ack_all "$NP" "$NP_FW" "$NP_SID"
sleep 0.5
check "the task processes still run (same pids)" test "$(pids_of "${SLEEP[p1]}")" = "$P1" -a "$(pids_of "${SLEEP[n1]}")" = "$N1"
check "p1's executor process too" kill -0 "$XPID"
check "/master/state: tasks live again, none unreachable" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
f={x['name']: x for x in s['frameworks']}
assert [(t['id'], t['state']) for t in f['pa']['tasks']] == [('p1','TASK_RUNNING')], f['pa']['tasks']
assert [(t['id'], t['state']) for t in f['np']['tasks']] == [('n1','TASK_RUNNING')], f['np']['tasks']
assert not f['pa']['unreachable_tasks'] and not f['np']['unreachable_tasks']
assert 'p2' in [t['id'] for t in f['pa']['completed_tasks']]
assert [a['id'] for a in s['slaves']] == ['$A0'] and s['unreachable_slaves'] == 0
used = s['slaves'][0]['used_resources']
assert abs(used['cpus'] - 0.4) < 1e-6, used"
check "offers for the agent again" until_true 5 "$NP" "len([e for e in E if e['type'] == 'OFFERS']) > $n_offers"
reconcile "$PA_FW" "$PA_SID" ghost "$A0"
check "RECONCILE of an unknown task on a registered agent: TASK_GONE, unknown to the agent" \
    until_true 3 "$PA" "up('ghost', 'TASK_GONE').get('message') == 'Reconciliation: Task is unknown to the agent' and up('ghost', 'TASK_GONE')['agent_id']['value'] == '$A0'"

# a framework removed while its agent is away is shut down there when the
# agent re-registers (ShutdownFrameworkMessage in __reregisterSlave)
check "partition again: 200" test "$(post /local/agents/0/partition)" = 200
check "p1 unreachable again" until_true 5 "$PA" "len([s for s in U if s['task_id']['value'] == 'p1' and s['state'] == '$PA_LOST' and s.get('reason') == '$LOST_REASON']) == 2"
check "restart of a partitioned agent: 409" test "$(post /local/agents/0/restart)" = 409
check "TEARDOWN of the other framework: 202" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/scheduler" -H 'Content-Type: application/json' -H "Mesos-Stream-Id: $NP_SID" -d "{\"type\":\"TEARDOWN\",\"framework_id\":{\"value\":\"$NP_FW\"}}")" = 202
sleep 0.5
check "... its task still runs on the unreachable agent" test "$(pids_of "${SLEEP[n1]}")" = "$N1"
check "heal again: 200" test "$(post /local/agents/0/heal)" = 200
check "p1 back again" until_true 5 "$PA" "len([s for s in U if s['task_id']['value'] == 'p1' and s.get('reason') == '$REREG_REASON']) == 2"
check "the removed framework's task is killed on the agent" bash -c "for i in \$(seq 50); do [ -z \"\$(pgrep -f '^sleep ${SLEEP[n1]}\$')\" ] && exit 0; sleep 0.1; done; exit 1"
check "p1 still runs" test "$(pids_of "${SLEEP[p1]}")" = "$P1"

# KILL reaches the agent again
curl -s -o /dev/null -X POST "$base/api/v1/scheduler" -H 'Content-Type: application/json' \
    -H "Mesos-Stream-Id: $PA_SID" \
    -d "{\"type\":\"KILL\",\"framework_id\":{\"value\":\"$PA_FW\"},\"kill\":{\"task_id\":{\"value\":\"p1\"}}}"
check "KILL after the heal: p1 TASK_KILLED" until_acked 8 "$PA" "$PA_FW" "$PA_SID" "up('p1', 'TASK_KILLED')"
check "/master/state: used resources all given back" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
assert abs(s['slaves'][0]['used_resources']['cpus']) < 1e-6, s['slaves'][0]['used_resources']"

kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
