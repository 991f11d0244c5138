#!/usr/bin/env bash
# End to end: a task run by kmesos-executor on an agent partitioned from
# kmesos-local's master (POST /local/agents/<id>/partition, then /heal),
# with short health checks (500ms x 2). A scheduler made of curl and JSON
# (checkpointing, not partition-aware) sees TASK_LOST (REASON_AGENT_REMOVED,
# executor id given) and a FAILURE for the agent while the executor and its
# task keep running with the same pids; an update the executor sends
# meanwhile (a second task ending) is acknowledged by the agent and reaches
# the scheduler only after the heal; after the heal TASK_RUNNING with
# REASON_AGENT_REREGISTERED carries the executor id and pid, the master
# charges the task and its executor to the agent again, and a KILL goes
# through the executor (TASK_KILLED).
source "$(dirname "$0")/lib.sh"

FRAMEWORK_NAME=e2e-exec-partition FRAMEWORK_EXTRA=',"checkpoint":true'
LOCAL_EXTRA="--agent-ping-timeout 500ms --max-agent-ping-timeouts 2 --update-retry-interval 1s"
source "$(dirname "$0")/lib/json_scheduler.sh"

pid_of_executor() {
  local p
  for p in $(pgrep -f "^$EXECUTOR"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "MESOS_EXECUTOR_ID=$1" && { echo "$p"; return; }
  done
}
alive() { kill -0 "${1:-999999}" 2>/dev/null; }
post() { curl -sS -o /dev/null -w '%{http_code}' -X POST "$MASTER/local/agents/$1"; }

launch t1 x1 'echo $$ > t1.pid; exec sleep 300'
check "t1: TASK_RUNNING" wait_state t1 TASK_RUNNING
launch t2 x1 'echo $$ > t2.pid; exec sleep 300'
check "t2: TASK_RUNNING (same executor)" wait_state t2 TASK_RUNNING
T1_PID=$(cat "$(find "$WORK" -name t1.pid | head -n 1)" 2>/dev/null)
T2_PID=$(cat "$(find "$WORK" -name t2.pid | head -n 1)" 2>/dev/null)
X1_PID=$(pid_of_executor x1)
AGENT=$(ev "status('t1', 'TASK_RUNNING')['agent_id']['value']")
APORT=$(json "$MASTER/local/agents" "[a['port'] for a in j if a['id'] == '$AGENT'][0]")
SPID=$(json "http://127.0.0.1:$APORT/state" "[x['pid'] for f in j['frameworks'] for x in f['executors'] if x['id'] == 'x1'][0]")
check "pids known" test -n "$T1_PID" -a -n "$T2_PID" -a -n "$X1_PID" -a -n "$SPID"

check "partition: 200" test "$(post "$AGENT/partition")" = 200
check "t1: TASK_LOST, REASON_AGENT_REMOVED, with the executor id" \
  wait_for 8 has "status('t1', 'TASK_LOST').get('reason') == 'REASON_AGENT_REMOVED' and status('t1', 'TASK_LOST')['executor_id']['value'] == 'x1'"
check "FAILURE for the agent" has "any(e['type'] == 'FAILURE' and e['failure']['agent_id']['value'] == '$AGENT' for e in E)"
check "executor and tasks still run" bash -c "kill -0 $X1_PID && kill -0 $T1_PID && kill -0 $T2_PID"
check "/master/state: nothing charged to the unreachable agent's executor" \
  jtrue "$MASTER/master/state" "not j['slaves'] and [t['id'] for f in j['frameworks'] for t in f['unreachable_tasks']] != []"
kill "$T2_PID"
sleep 3
check "t2 ended during the partition: the update waits in the agent" has "not status('t2', 'TASK_FAILED')"

check "heal: 200" test "$(post "$AGENT/heal")" = 200
check "t1: TASK_RUNNING, REASON_AGENT_REREGISTERED, executor id and pid" \
  wait_for 8 has "[s for s in (e['update']['status'] for e in E if e['type'] == 'UPDATE') if s['task_id']['value'] == 't1' and s.get('reason') == 'REASON_AGENT_REREGISTERED' and s['state'] == 'TASK_RUNNING' and s['executor_id']['value'] == 'x1' and s['container_status']['executor_pid'] == $SPID]"
check "t2: the kept update arrives (TASK_FAILED from the executor)" wait_state t2 TASK_FAILED 10
check "executor and t1 still run (same pids)" bash -c "kill -0 $X1_PID && kill -0 $SPID && kill -0 $T1_PID"
check "/master/state: t1 and x1 charged to the agent again (0.1 + 0.1 cpus)" \
  jtrue "$MASTER/master/state" "abs(j['slaves'][0]['used_resources']['cpus'] - 0.2) < 1e-6 and [t['id'] for f in j['frameworks'] for t in f['tasks']] == ['t1']"
call '{"type":"KILL","framework_id":{"value":"'"$FW"'"},"kill":{"task_id":{"value":"t1"},"agent_id":{"value":"'"$AGENT"'"}}}' >/dev/null
check "KILL through the executor: TASK_KILLED" wait_state t1 TASK_KILLED 15
check "t1's process is gone" bash -c "for i in \$(seq 50); do kill -0 $T1_PID 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$E2E_TMP/local.log'"
finish
