#!/usr/bin/env bash
# local_fidelity.sh: smaller points where kmesos-local answers as a real
# Mesos 1.12 master and agent (issue 12), each against its reference:
#  1. GET /version: the keys and values of src/version/version.hpp's
#     version() for the build the captures were recorded from (the same
#     fields as the capture tests/data/mesos-captures/state/e_master_state.json,
#     which /master/state now carries too); no credentials needed, even
#     with --credentials (VersionProcess has no authentication realm).
#  2. Command-task updates carry container_status as the agent fills it
#     (Slave::_statusUpdate): container_id, executor_pid and the agent's
#     address, on TASK_STARTING, TASK_RUNNING and TASK_FINISHED, as in the
#     capture scheduler/json-launch-ack (its JSON shows the IPv4 `protocol`
#     default, which the protobuf leaves unset, as the recorded protobuf of
#     scheduler/proto-launch-ack does: JSON events carry the defaults of
#     unset fields, as the master's JSON::Protobuf writes them).
#     /master/state lists the same statuses of the task with their
#     container_status as the master's json(TaskStatus) writes it
#     (container_id and network_infos, no executor_pid: common/http.cpp),
#     the shape of capture state/b3_proto_master_state_running.json.
#  3. /master/state frameworks carry `executors`: [] for command tasks
#     (capture state/e_master_state.json), a custom executor with the keys
#     of capture executor-kill/x1_master_state_running.json while it runs,
#     [] again once it is shut down (x1_master_state_after.json).
#  4. A KILL of a known task naming another agent is ignored (Master::kill
#     in src/master/master.cpp: "it belongs to different agent").
source "$(dirname "$0")/lib/local_lib.sh"
PYEXEC=$KMESOS_SRC/tests/e2e/lib/pyexec.py
STATE=$CAPTURES/state/e_master_state.json
XSTATE=$CAPTURES/executor-kill

# ---- 1. /version
lib_start ver --credentials "$CAPTURES/scheduler/auth/master-credentials.json" || { fail start; finish; }
base=http://127.0.0.1:$PORT
build_of() { # the build fields of a JSON document, sorted
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({k: d[k] for k in sorted(d) if k in ("version","git_sha","git_branch","git_tag","build_date","build_time","build_user")}, sort_keys=True))'
}
code=$(curl -s -o "$TMP/version.json" -D "$TMP/version.h" -w '%{http_code}' "$base/version")
check "GET /version without credentials: 200" test "$code" = 200
check "... application/json" grep -qi '^Content-Type: application/json' "$TMP/version.h"
check "... exactly the recorded master's build fields" test "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$TMP/version.json")" = "$(build_of <"$STATE")"
check "... version 1.12.0" test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$TMP/version.json")" = 1.12.0
check "/master/state carries the same build fields" test "$(curl -s -u kafka:s3cret "$base/master/state" | build_of)" = "$(build_of <"$STATE")"
AGENT_AT=$(curl -s -u kafka:s3cret "$base/master/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["slaves"][0]["pid"].split("@")[1])')
check "an agent's GET /version (no credentials): the same" test "$(curl -s "http://$AGENT_AT/version" | build_of)" = "$(build_of <"$STATE")"
kill "$LOCAL_PID"; wait "$LOCAL_PID" 2>/dev/null

# ---- 2. container_status of a command task
lib_start fid --allocation-interval 200ms --agent-attributes 'rack:r1;zone:z1' || { fail start; finish; }
base=http://127.0.0.1:$PORT
subscribe s1 || fail "subscribe"
wait_for "$STREAM" '^OFFERS' 5 || fail "offer"
read -r _ OFFER AGENT _ < <(events "$STREAM" | grep '^OFFERS' | head -1)
fwcall() { call "{\"framework_id\":{\"value\":\"$FW\"},$1}"; }
uuid_of() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s {print $4; exit}'; }
ack() { fwcall "\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"$AGENT\"},\"task_id\":{\"value\":\"$1\"},\"uuid\":\"$2\"}" >/dev/null; }
RES='[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]'
fwcall "\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"c\",\"task_id\":{\"value\":\"c1\"},\"agent_id\":{\"value\":\"$AGENT\"},\"command\":{\"value\":\"sleep 1\"},\"resources\":$RES}]}}]}" >/dev/null
for s in TASK_STARTING TASK_RUNNING TASK_FINISHED; do
    wait_for "$STREAM" "^UPDATE c1 $s" 10 || fail "c1: $s"
    ack c1 "$(uuid_of c1 $s)"
done
# shape STREAM TASK: per update "STATE container_status-shape", the shape
# with values replaced by their kind (uuid, pid, ip)
shape() {
    python3 - "$1" "$2" <<'PY'
import json, re, sys
path, task = sys.argv[1], sys.argv[2]
def kind(v, k):
    if isinstance(v, dict):
        return {a: kind(b, a) for a, b in sorted(v.items())}
    if isinstance(v, list):
        return [kind(x, k) for x in v]
    if k == 'executor_pid': return 'pid' if isinstance(v, int) and v > 0 else v
    if k == 'ip_address': return 'ip' if re.match(r'^\d+\.\d+\.\d+\.\d+$', v) else v
    if re.match(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', str(v)): return 'uuid'
    return v
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
for e in events(sys.argv[1]):
    s = e.get('update', {}).get('status', {})
    if e['type'] == 'UPDATE' and (task == '*' or s['task_id']['value'] == task):
        print(s['state'], json.dumps(kind(s.get('container_status'), '')))
PY
}
want=$(shape "$CAPTURES/scheduler/json-launch-ack/c3_json_subscribe.body.recordio" '*')
check "recorded: container_status on STARTING, RUNNING, FINISHED" test "$(echo "$want" | wc -l)" = 3
got=$(shape "$STREAM" c1)
if [ "$got" = "$want" ]; then ok "c1: container_status as recorded"; else fail "c1: container_status: want '$want' got '$got'"; fi
check "c1: container_id as in /local/agents' sandbox run folder" \
    bash -c "ls -d '$TMP'/work-fid/slaves/*/frameworks/*/executors/c1/runs/\$(python3 - '$STREAM' <<'PY'
import json, sys
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
for e in events(sys.argv[1]):
    if e['type'] == 'UPDATE':
        print(e['update']['status']['container_status']['container_id']['value']); break
PY
) >/dev/null"
# paths STREAM TYPE: the key paths of the events of that type
paths() {
    python3 - "$1" "$2" <<'PY'
import json, sys
paths = set()
def walk(v, p):
    if isinstance(v, dict):
        for k, x in v.items(): walk(x, p + '.' + k)
    elif isinstance(v, list):
        for x in v: walk(x, p + '[]')
    else: paths.add(p)
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
for e in events(sys.argv[1]):
    if e['type'] == sys.argv[2]: walk(e, '')
print(' '.join(sorted(paths)))
PY
}
REC=$CAPTURES/scheduler/json-decline-revive/a_json_subscribe.body.recordio
for type in SUBSCRIBED OFFERS; do
    check "$type: the JSON fields of the recorded one" test "$(paths "$STREAM" $type)" = "$(paths "$REC" $type)"
done
fws() { curl -s "$base/master/state" | python3 -c "import json,sys; f=json.load(sys.stdin)['frameworks'][0]; print($1)"; }
check "/master/state: a command task's framework has executors []" test "$(fws 'f["executors"]')" = "[]"
# sshape FILE: per status of the first task that went STARTING, RUNNING,
# FINISHED: "STATE shape" (values replaced by their kind)
sshape() {
    python3 - "$1" <<'PY'
import json, re, sys
def kind(v, k=''):
    if isinstance(v, dict): return {a: kind(b, a) for a, b in sorted(v.items())}
    if isinstance(v, list): return [kind(x, k) for x in v]
    if k == 'timestamp': return 'time' if isinstance(v, float) else v
    if k == 'value': return 'id' if isinstance(v, str) and v else v
    if k == 'ip_address': return 'ip' if re.match(r'^\d+\.\d+\.\d+\.\d+$', v) else v
    return v
for f in json.load(open(sys.argv[1]))['frameworks']:
    for t in f['tasks'] + f['completed_tasks']:
        if [s['state'] for s in t['statuses']] == ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']:
            for s in t['statuses']: print(s['state'], json.dumps(kind(s)))
            sys.exit(0)
PY
}
curl -s "$base/master/state" >"$TMP/fid-state.json"
want_st=$(sshape "$CAPTURES/state/b3_proto_master_state_running.json")
check "recorded: /master/state statuses with container_status" test "$(echo "$want_st" | grep -c container_status)" = 3
got_st=$(sshape "$TMP/fid-state.json")
if [ "$got_st" = "$want_st" ]; then ok "/master/state: c1's statuses as recorded"; else fail "/master/state: c1's statuses: want '$want_st' got '$got_st'"; fi
check "recorded: executors [] for a command task" test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["frameworks"][0]["executors"])' "$STATE")" = "[]"

# ---- 3. a custom executor in /master/state
for i in $(seq 100); do
    OFFER2=$(events "$STREAM" | awk -v o="$OFFER" '$1=="OFFERS" && $2!=o {print $2; exit}')
    [ -n "$OFFER2" ] && break; sleep 0.1
done
EXEC="{\"executor_id\":{\"value\":\"x1\"},\"name\":\"pyexec\",\"type\":\"CUSTOM\",\"command\":{\"value\":\"python3 $PYEXEC\",\"environment\":{\"variables\":[{\"name\":\"FOO\",\"value\":\"bar\"}]}},\"resources\":$RES}"
fwcall "\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER2\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"xt\",\"task_id\":{\"value\":\"xt1\"},\"agent_id\":{\"value\":\"$AGENT\"},\"executor\":$EXEC,\"resources\":$RES}]}}]}" >/dev/null
check "the executor's TASK_RUNNING arrives" wait_for "$STREAM" '^UPDATE xt1 TASK_RUNNING' 10
check "... with the container status the agent adds" test "$(shape "$STREAM" xt1 | head -1)" = "TASK_RUNNING $(echo "$want" | head -1 | cut -d' ' -f2-)"
ack xt1 "$(uuid_of xt1 TASK_RUNNING)"
keys() { python3 -c 'import json,sys; e=json.load(sys.stdin); print(sorted(e), sorted(e["command"]))'; }
check "executors: the recorded keys" test "$(fws 'json.dumps(f["executors"][0])' | keys)" = "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["frameworks"][0]["executors"][0]))' "$XSTATE/x1_master_state_running.json" | keys)"
check "executors: id, name, type, role, agent, resources" test "$(fws '" ".join(str(f["executors"][0][k]) for k in ("executor_id","name","type","role","slave_id","framework_id"))+" "+json.dumps(f["executors"][0]["resources"], sort_keys=True)')" = "x1 pyexec CUSTOM * $AGENT $FW {\"cpus\": 0.1, \"disk\": 0.0, \"gpus\": 0.0, \"mem\": 32.0}"
check "executors: its command" test "$(fws 'json.dumps(f["executors"][0]["command"], sort_keys=True)')" = "{\"argv\": [], \"environment\": {\"variables\": [{\"name\": \"FOO\", \"value\": \"bar\"}]}, \"shell\": true, \"uris\": [], \"value\": \"python3 $PYEXEC\"}"
fwcall "\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"xt1\"},\"agent_id\":{\"value\":\"$AGENT-other\"}}" >/dev/null
sleep 1
check "KILL of xt1 naming another agent: ignored (no TASK_KILLED)" test "$(events "$STREAM" | grep -c '^UPDATE xt1 TASK_KILLED')" = 0
fwcall "\"type\":\"SHUTDOWN\",\"shutdown\":{\"executor_id\":{\"value\":\"x1\"},\"agent_id\":{\"value\":\"$AGENT\"}}" >/dev/null
check "SHUTDOWN: FAILURE for the executor" wait_for "$STREAM" "^FAILURE $AGENT x1" 8
check "executors [] once it is gone (as recorded after)" test "$(fws 'f["executors"]')" = "[]"

kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
