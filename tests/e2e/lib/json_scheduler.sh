# A scheduler made of curl and JSON for end-to-end tests of kmesos-executor
# under kmesos-local (sourced after lib.sh): starts kmesos-local, subscribes
# with FRAMEWORK_NAME (and FRAMEWORK_EXTRA, more FrameworkInfo JSON fields
# such as ,"checkpoint":true), and defines ev/has/launch/ack_all/wait_state.
# EXECUTOR_GRACE: kmesos-local's --executor-shutdown-grace-period (5s);
# LOCAL_EXTRA: more kmesos-local flags (split on spaces).
LOCAL=$KMESOS_BIN/kmesos-local
# the folder of recordio_json.py, for ev's Python (local_lib.sh sets it too)
export E2E_PYLIB=${E2E_PYLIB:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
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
  --executor-shutdown-grace-period "${EXECUTOR_GRACE:-5s}" ${LOCAL_EXTRA:-}
wait_for 10 curl -fsS -o /dev/null "$MASTER/master/state" || { not_ok "kmesos-local is up"; finish; exit 1; }

start stream curl -sS -N -X POST -D "$E2E_TMP/stream.headers" -o "$STREAM" \
  -H 'Content-Type: application/json' -H 'Accept: application/json' \
  -d '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"'"$(id -un)"'","name":"'"$FRAMEWORK_NAME"'"'"${FRAMEWORK_EXTRA:-}"'}}}' \
  "$MASTER/api/v1/scheduler"

# ev EXPR: the Python expression EXPR over E, the list of events so far.
ev() {
  python3 - "$STREAM" "$1" <<'PY'
import json, sys
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
E = list(events(sys.argv[1]))
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
