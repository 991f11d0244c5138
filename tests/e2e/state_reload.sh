#!/usr/bin/env bash
# End to end of issue 11's "state that always reloads" on kmesos-local +
# kmesos-scheduler with a file state: a broker added before the first
# SUBSCRIBE (no agent, no framework id yet) is saved and the next start
# loads it; while the state's folder is gone every save fails loudly
# (/api/status "state": ok false, the error names the path, the scheduler
# keeps running) and is retried, so once the folder is back the file holds
# the change made meanwhile; a restart then loads it with the same
# framework id and no second copy of the task; after POST /api/teardown
# (framework id cleared) the state file still loads.
source "$(dirname "$0")/lib.sh"

MPORT=$(free_port); API=$(free_port)
MASTER=http://127.0.0.1:$MPORT
S="http://127.0.0.1:$API/api"
DIR=$E2E_TMP/st
mkdir -p "$DIR"
STATE=$DIR/state.json

sched() { # sched NAME [MASTER_PORT]
  start "$1" "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:${2:-$MPORT}" \
    --api "127.0.0.1:$API" --state "file:$STATE" \
    --workload 'name=svc cmd="exec sleep 600" cpus=0.1 mem=16 instances=1'
  SCHED_PID=$LAST_PID
}
stop_sched() { kill -TERM "$SCHED_PID" 2>/dev/null; wait "$SCHED_PID" 2>/dev/null; }
post() { curl -s -o "$E2E_TMP/out" -w '%{http_code}' -X POST "$S/$1"; }

# no master yet: the scheduler cannot subscribe; a broker is added anyway
sched s0 "$(free_port)"
check "the API answers before any SUBSCRIBE" wait_for 10 jtrue "$S/status" 'not j["subscribed"]'
check "broker add before the first subscribe -> 200" [ "$(post 'broker/add?broker=0&cpus=0.1&mem=256&heap=128')" = 200 ]
check "  the state is saved" wait_for 5 jtrue "$S/status" 'j["state"]["ok"]'
check "  and holds the broker with no null in it" python3 -c "
import json; j=json.load(open('$STATE')); assert [b['id'] for b in j['kafka']['brokers']] == [0]
assert 'null' not in open('$STATE').read()"
stop_sched

start local "$KMESOS_BIN/kmesos-local" --port "$MPORT" --work-dir "$E2E_TMP/work" --agents 1 \
  --allocation-interval 200ms
wait_for 10 curl -fsS -o /dev/null "$MASTER/health" || { not_ok "kmesos-local is up"; finish; exit 1; }
sched s1
check "the restarted scheduler loaded that state and subscribed" wait_for 20 jtrue "$S/status" 'j["subscribed"]'
check "  broker 0 is still there" jtrue "$S/broker/list" '[b for b in j["brokers"] if b["id"] == 0]'
one_running() { [ "$(json "$MASTER/master/state" "len([t for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING'])" 2>/dev/null)" = 1 ]; }
check "the svc task runs" wait_for 20 one_running
FW=$(json "$S/status" 'j["framework_id"]')
TASK=$(json "$S/tasks" '[t["id"] for t in j if t["workload"] == "svc"][0]')

mv "$DIR" "$DIR.away"
check "broker add while the state's folder is gone -> 200" [ "$(post 'broker/add?broker=1&cpus=0.1&mem=256&heap=128')" = 200 ]
check "/api/status says the save fails, naming the file" wait_for 5 jtrue "$S/status" \
  "not j['state']['ok'] and '$STATE' in j['state']['error'] and j['state']['since'] > 0"
check "  the log says so too, with a retry" grep -q "cannot write state $STATE.*retrying in" "$E2E_TMP/s1.log"
mv "$DIR.away" "$DIR"
check "the retry saves it once the folder is back" wait_for 40 jtrue "$S/status" 'j["state"]["ok"]'
check "  the file holds broker 1" python3 -c "
import json; j=json.load(open('$STATE')); assert sorted(b['id'] for b in j['kafka']['brokers']) == [0, 1]"
stop_sched

sched s2
check "after a restart: same framework id" wait_for 20 jtrue "$S/status" "j['subscribed'] and j['framework_id'] == '$FW'"
check "  the same svc task, no second copy" wait_for 10 jtrue "$S/tasks" \
  "[t['id'] for t in j if t['workload'] == 'svc'] == ['$TASK']"
sleep 2
check "  one task RUNNING on the master" one_running
check "POST /api/teardown -> 202" [ "$(post teardown)" = 202 ]
wait "$SCHED_PID" 2>/dev/null
check "the state after the teardown still loads" python3 -c "
import json; j=json.load(open('$STATE')); assert 'null' not in open('$STATE').read()"
sched s3
check "  a scheduler starts from it and subscribes" wait_for 20 jtrue "$S/status" 'j["subscribed"]'
check "  no 'unusable' state in its log" bash -c "! grep -q unusable '$E2E_TMP/s3.log'"
finish
