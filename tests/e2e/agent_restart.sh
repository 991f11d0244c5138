#!/usr/bin/env bash
# End to end: POST /local/agents/<id>/restart of kmesos-local, a simulated
# agent process restart with checkpointing, with a task run by
# kmesos-executor. A scheduler made of curl and JSON (as in exec_local.sh,
# FrameworkInfo.checkpoint = true) launches long tasks, then:
#   0. the executor's environment carries what a real agent gives a
#      checkpointing framework's executor: MESOS_SUBSCRIPTION_BACKOFF_MAX=2secs
#      (executor_reregistration_timeout) and MESOS_RECOVERY_TIMEOUT=15mins;
#   1. restart with down=3s (the issue's case: an agent back 3 s after its
#      kill) and the default window of 2 s, as in Mesos: the agent's port
#      refuses connections while down, /local/agents says down, offers on
#      it are rescinded; the task's process and its executor keep running
#      (same pids), the executor re-subscribes within the 2 s (agent log,
#      agent /state still lists the task), the agent is offered again once
#      the window is over, a KILL afterwards gives TASK_KILLED, no TASK_LOST
#      nor FAILURE is sent;
#   1b. an update made while the agent is down (the task ends) comes
#      through Subscribe.unacknowledged_updates, once;
#   2. an executor that cannot re-subscribe (SIGSTOPped) within the
#      recovery window (?recovery=3s) is killed: TASK_LOST (the framework is
#      not partition-aware) with REASON_EXECUTOR_REREGISTRATION_TIMEOUT and
#      "Executor did not reregister within 3secs", and its task's process
#      ends; during the window an executor call other than SUBSCRIBE is
#      answered 503 "Agent has not finished recovery".
source "$(dirname "$0")/lib.sh"

FRAMEWORK_NAME=e2e-agent-restart FRAMEWORK_EXTRA=',"checkpoint":true'
source "$(dirname "$0")/lib/json_scheduler.sh"

# pid_of_executor EXEC_ID: pid of the kmesos-executor with that id.
pid_of_executor() {
  local p
  for p in $(pgrep -f "^$EXECUTOR"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "MESOS_EXECUTOR_ID=$1" && { echo "$p"; return; }
  done
}
alive() { kill -0 "${1:-999999}" 2>/dev/null; }
restart() { # restart AGENT QUERY: POSTs the restart, prints the HTTP status
  curl -sS -o "$E2E_TMP/restart.body" -w '%{http_code}' -X POST "$MASTER/local/agents/$1/restart?$2"
}
kill_task() {
  call '{"type":"KILL","framework_id":{"value":"'"$FW"'"},"kill":{"task_id":{"value":"'"$1"'"},"agent_id":{"value":"'"$AGENT"'"}}}'
}

# 1. a short restart
launch t1 x1 'echo $$ > t1.pid; exec sleep 300'
check "t1: TASK_RUNNING" wait_state t1 TASK_RUNNING
T1_PID=$(cat "$(find "$WORK" -name t1.pid | head -n 1)" 2>/dev/null)
X1_PID=$(pid_of_executor x1)
AGENT=$(ev "status('t1', 'TASK_RUNNING')['agent_id']['value']")
APORT=$(json "$MASTER/local/agents" "[a['port'] for a in j if a['id'] == '$AGENT'][0]")
check "t1: task and executor pids known" test -n "$T1_PID" -a -n "$X1_PID"
X1_ENV=$(tr '\0' '\n' <"/proc/${X1_PID:-0}/environ" 2>/dev/null)
check "x1: MESOS_SUBSCRIPTION_BACKOFF_MAX=2secs (checkpointing)" grep -qx 'MESOS_SUBSCRIPTION_BACKOFF_MAX=2secs' <<<"$X1_ENV"
check "x1: MESOS_RECOVERY_TIMEOUT=15mins (checkpointing)" grep -qx 'MESOS_RECOVERY_TIMEOUT=15mins' <<<"$X1_ENV"
check "agent /state answers before the restart" curl -fsS -o /dev/null "http://127.0.0.1:$APORT/state"
N_RESCIND=$(ev "len([e for e in E if e['type'] == 'RESCIND'])")
N_OFFERS=$(ev "len([e for e in E if e['type'] == 'OFFERS'])")

check "restart?down=3s answered 200 (window: 2s by default)" test "$(restart "$AGENT" down=3s)" = 200
check "the answer says recovery 2 s" jtrue "file://$E2E_TMP/restart.body" "j['recovery'] == 2"
check "restart of an agent that is down refused (409)" test "$(restart "$AGENT" down=2s)" = 409
check "restart?down=bad answered 400" test "$(restart 0 down=bad)" = 400
check "/local/agents says down" jtrue "$MASTER/local/agents" "[a['down'] for a in j if a['id'] == '$AGENT'][0]"
check "agent port refuses connections while down" bash -c "! curl -sS --max-time 2 -o /dev/null http://127.0.0.1:$APORT/state 2>/dev/null"
check "outstanding offers rescinded" wait_for 5 has "len([e for e in E if e['type'] == 'RESCIND']) > $N_RESCIND"
check "agent port open again (same port)" wait_for 10 curl -fsS -o /dev/null "http://127.0.0.1:$APORT/state"
check "/local/agents says up" wait_for 5 jtrue "$MASTER/local/agents" "not [a['down'] for a in j if a['id'] == '$AGENT'][0]"
check "executor x1 re-subscribed (agent log)" wait_for 15 grep -q "executor x1 re-registered" "$E2E_TMP/local.log"
check "x1 made it within the 2 s window (not killed)" bash -c "! grep -q 'executor x1: Executor did not reregister' '$E2E_TMP/local.log'"
check "agent /state still lists t1 as running" jtrue "http://127.0.0.1:$APORT/state" \
  "[t['state'] for f in j['frameworks'] for x in f['executors'] for t in x['tasks'] if t['id'] == 't1'] == ['TASK_RUNNING']"
check "t1: task process still running (same pid)" alive "$T1_PID"
check "x1: executor still running (same pid)" test "$(pid_of_executor x1)" = "$X1_PID"
check "the agent is offered again" wait_for 10 has "len([e for e in E if e['type'] == 'OFFERS' and any(o['agent_id']['value'] == '$AGENT' for o in e['offers']['offers'])]) > 0 and len([e for e in E if e['type'] == 'OFFERS']) > $N_OFFERS"
check "no TASK_LOST nor FAILURE through the restart" test "$(ev "len([e for e in E if e['type'] == 'FAILURE' or (e['type'] == 'UPDATE' and e['update']['status']['state'] == 'TASK_LOST')])")" = 0
check "t1: KILL accepted" test "$(kill_task t1)" = 202
check "t1: TASK_KILLED after the restart" wait_state t1 TASK_KILLED
check "t1: process gone" wait_for 5 bash -c "! kill -0 ${T1_PID:-999999} 2>/dev/null"
check "t1: states RUNNING -> KILLED only" test "$(ev "states('t1')")" = "['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']"

# 1b. an update made while the agent is down reaches the scheduler once,
# through Subscribe.unacknowledged_updates (or the executor's resend)
GATE=$WORK/t3-gate
launch t3 x3 "while [ ! -e '$GATE' ]; do sleep 0.1; done; exit 0"
check "t3: TASK_RUNNING" wait_state t3 TASK_RUNNING
check "restart?down=3s answered 200" test "$(restart "$AGENT" down=3s)" = 200
touch "$GATE"
check "x3: re-subscribed with its unacknowledged update" \
  wait_for 15 grep -q "executor x3 re-registered (.*, 1 updates)" "$E2E_TMP/local.log"
check "t3: TASK_FINISHED after the restart" wait_state t3 TASK_FINISHED
sleep 1; ack_all
check "t3: TASK_FINISHED forwarded once" test "$(ev "states('t3')")" = "['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']"

# 2. an executor that does not come back within the recovery window (a
# restart while the previous recovery window is still open is allowed)
launch t2 x2 'echo $$ > t2.pid; exec sleep 300'
check "t2: TASK_RUNNING" wait_state t2 TASK_RUNNING
T2_PID=$(cat "$(find "$WORK" -name t2.pid | head -n 1)" 2>/dev/null)
X2_PID=$(pid_of_executor x2)
check "t2: executor pid known" test -n "$X2_PID"
kill -STOP "$X2_PID" 2>/dev/null
check "restart?down=1s&recovery=3s answered 200" test "$(restart "$AGENT" 'down=1s&recovery=3s')" = 200
check "agent port open again" wait_for 10 curl -fsS -o /dev/null "http://127.0.0.1:$APORT/state"
CODE=$(curl -sS -o "$E2E_TMP/msg.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"type":"MESSAGE","framework_id":{"value":"'"$FW"'"},"executor_id":{"value":"x2"},"message":{"data":"aGk="}}' \
  "http://127.0.0.1:$APORT/api/v1/executor")
check "executor call during the window: 503 Agent has not finished recovery" \
  test "$CODE $(cat "$E2E_TMP/msg.body")" = "503 Agent has not finished recovery"
check "t2: TASK_LOST after the recovery window" wait_state t2 TASK_LOST 20
check "t2: reason REASON_EXECUTOR_REREGISTRATION_TIMEOUT, source agent" has "status('t2', 'TASK_LOST').get('reason') == 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT' and status('t2', 'TASK_LOST').get('source') == 'SOURCE_AGENT'"
check "t2: message 'Executor did not reregister within 3secs'" has "status('t2', 'TASK_LOST').get('message') == 'Executor did not reregister within 3secs'"
check "t2: task process ends with its executor" wait_for 10 bash -c "! kill -0 ${T2_PID:-999999} 2>/dev/null"

check "no other TASK_LOST sent" test "$(ev "len([e for e in E if e['type'] == 'UPDATE' and e['update']['status']['state'] == 'TASK_LOST' and e['update']['status']['task_id']['value'] != 't2'])")" = 0
check "no kmesos-executor left running" wait_for 15 bash -c "! pgrep -f '^$EXECUTOR' >/dev/null"
finish
