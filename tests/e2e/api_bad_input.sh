#!/usr/bin/env bash
# End to end of issue 11's "numbers and strings at every boundary" on a
# live kmesos-local + kmesos-scheduler: hostile numbers (inf, 1e400, hex,
# a 102-digit count, ' 1', '+1', '-0'), non-UTF-8 bytes and '%00' in the
# query string, in a form body and in a workload spec each answer 400
# naming the field, and change nothing: no broker, no workload, the task
# named before the '%00' still running, the state file still loads.
source "$(dirname "$0")/lib.sh"

MASTER=$(free_port); API=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 1 \
  --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
S="http://127.0.0.1:$API/api"
start sched "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" \
  --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" \
  --workload 'name=web cmd="sleep 300" cpus=0.1 mem=16'
wait_for 20 jtrue "$S/tasks" '[t for t in j if t["workload"]=="web" and t["state"]=="TASK_RUNNING"]' \
  || echo "# the web task did not start"
TASK=$(curl -s "$S/tasks" | python3 -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["workload"]=="web"][0])')

# bad WHAT FIELD METHOD PATH [BODY]: 400 with "field" FIELD.
bad() {
  local what=$1 field=$2 method=$3 path=$4 code
  if [ $# -ge 5 ]; then
    code=$(curl -s -o "$E2E_TMP/out" -w '%{http_code}' -X "$method" \
      -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$5" "$S/$path")
  else
    code=$(curl -s -o "$E2E_TMP/out" -w '%{http_code}' -X "$method" "$S/$path")
  fi
  check "$what -> 400 naming $field" python3 -c "
import json,sys
j=json.load(open('$E2E_TMP/out'))
sys.exit(0 if '$code'=='400' and j.get('field')=='$field' else 1)"
}

bad "tasks/kill of the running task's id followed by %00x" id POST "tasks/kill?id=$TASK%00x"
check "  the task still runs" jtrue "$S/tasks" "[t for t in j if t['id']=='$TASK' and t['state']=='TASK_RUNNING']"
bad "a non-UTF-8 value in the query" options POST "broker/add?broker=0&options=a%3D%FF"
bad "a non-UTF-8 value in a form body" constraints POST "broker/add" "broker=0&constraints=%C0%AF"
bad "a %00 in a form body" options POST "broker/add" "broker=0&options=a%3Db%00c"
bad "a non-UTF-8 parameter name" "parameter name" POST "broker/add?broker=0&%FF=1"
bad "failover_delay=inf" failover_delay POST "broker/add?broker=0&failover_delay=inf"
bad "failover_delay=1e400" failover_delay POST "broker/add?broker=0&failover_delay=1e400"
bad "stickiness_period=inf" stickiness_period POST "broker/add?broker=0&stickiness_period=inf"
bad "cpus=0x10" cpus POST "broker/add?broker=0&cpus=0x10"
bad "mem=1e300" mem POST "broker/add?broker=0&mem=1e300"
bad "a broker id ' 1'" broker POST "broker/add?broker=%201"
bad "a broker id '+1'" broker POST "broker/add?broker=%2B1"
bad "a broker id '-0'" broker POST "broker/add?broker=-0"
bad "a producer id '01'" producer POST "producer/add?producer=01&topic=t"
check "no broker was added" jtrue "$S/broker/list" 'j["brokers"]==[]'
check "no producer was added" jtrue "$S/producer/list" 'j["producers"]==[]'

spec() { # spec WHAT BODY: a workload spec refused with field "spec"
  local code
  code=$(curl -s -o "$E2E_TMP/out" -w '%{http_code}' -X POST --data-binary "$2" "$S/workload/add")
  check "$1 -> 400 naming spec" python3 -c "
import json,sys
j=json.load(open('$E2E_TMP/out'))
sys.exit(0 if '$code'=='400' and j.get('field')=='spec' else 1)"
}
spec "a workload with a 102-digit ports" "name=p cmd=true ports=$(printf '9%.0s' $(seq 102))"
spec "a workload with ports=0x10" 'name=p cmd=true ports=0x10'
spec "a workload with cpus=inf" 'name=p cmd=true cpus=inf'
spec "a workload spec that is not UTF-8" "$(printf 'name=p cmd=\xff')"
check "no workload was added" jtrue "$S/workload/list" "[w['name'] for w in j]==['web']"
check "the scheduler still answers" jtrue "$S/status" 'j["subscribed"]'
check "the saved state loads as JSON" python3 -c "import json; json.load(open('$E2E_TMP/state.json'))"
finish
