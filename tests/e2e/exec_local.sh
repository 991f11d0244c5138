#!/usr/bin/env bash
# End to end: kmesos-executor under kmesos-local. A scheduler made of curl
# and JSON subscribes to kmesos-local, takes offers and ACCEPTs LAUNCHes
# whose TaskInfo names our executor (ExecutorInfo.command =
# $KMESOS_BIN/kmesos-executor). Checks, acknowledging every update:
#   1. a command that ends: TASK_STARTING -> TASK_RUNNING -> TASK_FINISHED,
#      its output in <task_id>.stdout in the sandbox, and the executor
#      exits 0 once the terminal update was acknowledged;
#   2. a long command: TASK_RUNNING, then KILL -> TASK_KILLED, the
#      process group is gone;
#   3. readiness: TASK_RUNNING only once KMESOS_READY_PORT accepts a TCP
#      connection; a port that never opens gives TASK_FAILED "not ready
#      in time";
#   4. a failing command: TASK_FAILED "exited with status 3".
source "$(dirname "$0")/lib.sh"

LOCAL=$KMESOS_BIN/kmesos-local
EXECUTOR=$KMESOS_BIN/kmesos-executor
for b in "$LOCAL" "$EXECUTOR"; do
  [ -x "$b" ] || { not_ok "$b is built"; finish; exit 1; }
done

MPORT=$(free_port)
MASTER=http://127.0.0.1:$MPORT
WORK=$E2E_TMP/work
STREAM=$E2E_TMP/stream.recordio
USED=$E2E_TMP/used_offers
ACKED=$E2E_TMP/acked
: >"$USED"; : >"$ACKED"

start local "$LOCAL" --port "$MPORT" --work-dir "$WORK" --allocation-interval 200ms \
  --executor-shutdown-grace-period 5s
wait_for 10 curl -fsS -o /dev/null "$MASTER/master/state" || { not_ok "kmesos-local is up"; finish; exit 1; }

start stream curl -sS -N -X POST -D "$E2E_TMP/stream.headers" -o "$STREAM" \
  -H 'Content-Type: application/json' -H 'Accept: application/json' \
  -d '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"'"$(id -un)"'","name":"e2e-exec-local"}}}' \
  "$MASTER/api/v1/scheduler"

# ev EXPR: the Python expression EXPR over E, the list of events so far.
ev() {
  python3 - "$STREAM" "$1" <<'PY'
import json, sys
data = open(sys.argv[1], 'rb').read()
E, i = [], 0
while True:
    nl = data.find(b'\n', i)
    if nl < 0: break
    n = int(data[i:nl]); rec = data[nl + 1:nl + 1 + n]
    if len(rec) < n: break
    E.append(json.loads(rec)); i = nl + 1 + n
def states(task):
    return [e['update']['status']['state'] for e in E
            if e['type'] == 'UPDATE' and e['update']['status']['task_id']['value'] == task]
def status(task, state):
    for e in E:
        s = e.get('update', {}).get('status', {})
        if e['type'] == 'UPDATE' and s['task_id']['value'] == task and s['state'] == state:
            return s
    return {}
print(eval(sys.argv[2]))
PY
}
has() { [ "$(ev "bool($1)" 2>/dev/null)" = True ]; }

wait_for 10 has "any(e['type'] == 'SUBSCRIBED' for e in E)" || { not_ok "SUBSCRIBED"; finish; exit 1; }
SID=$(tr -d '\r' <"$E2E_TMP/stream.headers" | awk -F': ' 'tolower($1) == "mesos-stream-id" {print $2}')
FW=$(ev "[e for e in E if e['type'] == 'SUBSCRIBED'][0]['subscribed']['framework_id']['value']")
ok "subscribed as framework $FW"

# call JSON: POSTs a scheduler call, prints the HTTP status.
call() {
  curl -sS -o "$E2E_TMP/call.body" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -H "Mesos-Stream-Id: $SID" -d "$1" "$MASTER/api/v1/scheduler"
}

# ack_all: ACKNOWLEDGEs every update with a uuid not acknowledged yet.
ack_all() {
  local line
  while read -r line; do
    [ -n "$line" ] || continue
    local uuid=${line%% *} body=${line#* }
    grep -qxF "$uuid" "$ACKED" && continue
    [ "$(call "$body")" = 202 ] && echo "$uuid" >>"$ACKED"
  done < <(ev "'\n'.join(s['uuid'] + ' ' + json.dumps({'type': 'ACKNOWLEDGE', 'framework_id': {'value': '$FW'}, 'acknowledge': {'agent_id': s['agent_id'], 'task_id': s['task_id'], 'uuid': s['uuid']}}) for s in (e['update']['status'] for e in E if e['type'] == 'UPDATE') if 'uuid' in s)")
}

# fresh_offer: "<offer id> <agent id>" of an offer not used nor rescinded
# yet that fits a task and its executor (0.2 cpus, 64 MB).
fresh_offer() {
  ev "next(('%s %s' % (o['id']['value'], o['agent_id']['value']) for e in E if e['type'] == 'OFFERS' for o in e['offers']['offers'] if o['id']['value'] not in open('$USED').read().split() + [r['rescind']['offer_id']['value'] for r in E if r['type'] == 'RESCIND'] and sum(r.get('scalar', {}).get('value', 0) for r in o['resources'] if r['name'] == 'cpus') >= 0.2 and sum(r.get('scalar', {}).get('value', 0) for r in o['resources'] if r['name'] == 'mem') >= 64), '')"
}

# launch TASK EXECUTOR_ID COMMAND [ENV_JSON] [VIA]: ACCEPTs a fresh offer with
# one task run by kmesos-executor. Mesos refuses a TaskInfo with both an
# executor and a command, so the command travels as a JSON CommandInfo in
# TaskInfo.data (VIA=data, the default) or as KMESOS_TASK_COMMAND in the
# executor's environment (VIA=env).
launch() {
  local task=$1 exec_id=$2 cmd=$3 env=${4:-[]} via=${5:-data} offer=""
  wait_for 10 test -n "$(fresh_offer)" || { not_ok "an offer for $task"; return 1; }
  offer=$(fresh_offer)
  echo "${offer%% *}" >>"$USED"
  local body
  body=$(python3 - "$FW" "${offer%% *}" "${offer#* }" "$task" "$exec_id" "$cmd" "$env" "$EXECUTOR" "$via" <<'PY'
import base64, json, sys
fw, offer, agent, task, exec_id, cmd, env, executor, via = sys.argv[1:]
exec_env = [{"name": "KMESOS_LOG_LEVEL", "value": "debug"}]
task_cmd = {"value": cmd, "environment": {"variables": json.loads(env)}}
if via == "env":
    exec_env.append({"name": "KMESOS_TASK_COMMAND", "value": cmd})
    data = {}
else:
    data = {"data": base64.b64encode(json.dumps(task_cmd).encode()).decode()}
res = lambda c, m: [{"name": "cpus", "type": "SCALAR", "scalar": {"value": c}},
                    {"name": "mem", "type": "SCALAR", "scalar": {"value": m}}]
print(json.dumps({
  "type": "ACCEPT", "framework_id": {"value": fw},
  "accept": {"offer_ids": [{"value": offer}], "filters": {"refuse_seconds": 0.1},
    "operations": [{"type": "LAUNCH", "launch": {"task_infos": [{
      "name": task, "task_id": {"value": task}, "agent_id": {"value": agent},
      "resources": res(0.1, 32),
      "executor": {"executor_id": {"value": exec_id}, "framework_id": {"value": fw},
                   "type": "CUSTOM", "name": "kmesos-executor",
                   "command": {"value": executor, "environment": {"variables": exec_env}},
                   "resources": res(0.1, 32)},
      "kill_policy": {"grace_period": {"nanoseconds": 2000000000}}, **data}]}}]}}))
PY
)
  [ "$(call "$body")" = 202 ] || { not_ok "ACCEPT of $task: $(cat "$E2E_TMP/call.body")"; return 1; }
}

# wait_state TASK STATE: waits for the update (acknowledging as it goes).
wait_state() {
  local deadline=$(( $(date +%s) + ${3:-20} ))
  until has "'$2' in states('$1')"; do
    ack_all
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
  ack_all
}

# 1. a command that ends
launch t1 x1 'echo hello from t1; sleep 1'
check "t1: TASK_STARTING" wait_state t1 TASK_STARTING
check "t1: TASK_RUNNING" wait_state t1 TASK_RUNNING
check "t1: TASK_FINISHED" wait_state t1 TASK_FINISHED
check "t1: states in order" test "$(ev "states('t1')")" = "['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']"
check "t1: updates come from the executor" has "status('t1', 'TASK_FINISHED').get('source') == 'SOURCE_EXECUTOR'"
check "t1: message 'exited with status 0'" has "status('t1', 'TASK_FINISHED').get('message') == 'exited with status 0'"
T1_OUT=$(find "$WORK" -name t1.stdout | head -n 1)
check "t1: output in <sandbox>/t1.stdout" grep -q "hello from t1" "${T1_OUT:-/nonexistent}"
X1_ERR=$(dirname "${T1_OUT:-/nonexistent}")/stderr
check "x1: executor exited 0 after the terminal ack" wait_for 10 grep -q "exiting with status 0" "$X1_ERR"

# 2. KILL -> TASK_KILLED
launch t2 x2 'echo $$ > t2.pid; exec sleep 300'
check "t2: TASK_RUNNING" wait_state t2 TASK_RUNNING
T2_PID=$(cat "$(find "$WORK" -name t2.pid | head -n 1)" 2>/dev/null)
AGENT=$(ev "status('t2', 'TASK_RUNNING')['agent_id']['value']")
check "t2: KILL accepted" test "$(call '{"type":"KILL","framework_id":{"value":"'"$FW"'"},"kill":{"task_id":{"value":"t2"},"agent_id":{"value":"'"$AGENT"'"}}}')" = 202
check "t2: TASK_KILLED" wait_state t2 TASK_KILLED
check "t2: process gone" bash -c "! kill -0 ${T2_PID:-999999} 2>/dev/null"

# 2b. a task does not outlive its executor (a Mesos agent would destroy
# the container): kill -9 the executor, the task's process ends too
launch t8 x8 'echo $$ > t8.pid; exec sleep 300'
check "t8: TASK_RUNNING" wait_state t8 TASK_RUNNING
T8_PID=$(cat "$(find "$WORK" -name t8.pid | head -n 1)" 2>/dev/null)
X8_PID=$(pgrep -f "kmesos-executor" -n)
for p in $(pgrep -f "kmesos-executor"); do
  tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'MESOS_EXECUTOR_ID=x8' && X8_PID=$p
done
check "t8: its executor is found" test -n "$X8_PID"
kill -KILL "$X8_PID" 2>/dev/null
check "t8: the task's process ends with its executor" \
  wait_for 5 bash -c "! kill -0 ${T8_PID:-999999} 2>/dev/null"

# 3. readiness
RPORT=$(free_port)
GATE="$WORK/t3-open"  # the port opens only once the test has looked
launch t3 x3 "while [ ! -e '$GATE' ]; do sleep 0.1; done; exec python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", $RPORT)); s.listen(); time.sleep(300)'" \
  '[{"name": "KMESOS_READY_PORT", "value": "'"$RPORT"'"}]'
check "t3: TASK_STARTING" wait_state t3 TASK_STARTING
sleep 1
check "t3: not RUNNING before its port opens" test "$(ev "states('t3')")" = "['TASK_STARTING']"
touch "$GATE"
check "t3: TASK_RUNNING once the port accepts" wait_state t3 TASK_RUNNING
check "t3: RUNNING says so" has "'accepts connections' in status('t3', 'TASK_RUNNING').get('message', '')"
call '{"type":"KILL","framework_id":{"value":"'"$FW"'"},"kill":{"task_id":{"value":"t3"},"agent_id":{"value":"'"$AGENT"'"}}}' >/dev/null
check "t3: TASK_KILLED" wait_state t3 TASK_KILLED

NPORT=$(free_port)
launch t4 x4 'exec sleep 300' \
  '[{"name": "KMESOS_READY_PORT", "value": "'"$NPORT"'"}, {"name": "KMESOS_READY_TIMEOUT", "value": "1"}]'
check "t4: TASK_FAILED when never ready" wait_state t4 TASK_FAILED
check "t4: message 'not ready in time'" has "status('t4', 'TASK_FAILED').get('message', '').startswith('not ready in time')"
check "t4: no TASK_RUNNING" test "$(ev "states('t4')")" = "['TASK_STARTING', 'TASK_FAILED']"

# 4. a failing command, given through the executor's environment
launch t5 x5 'exit 3' '[]' env
check "t5: TASK_FAILED" wait_state t5 TASK_FAILED
check "t5: message 'exited with status 3'" has "status('t5', 'TASK_FAILED').get('message') == 'exited with status 3'"

check "no kmesos-executor left running" wait_for 15 bash -c "! pgrep -f '^$EXECUTOR' >/dev/null"
finish
