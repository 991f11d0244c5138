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

FRAMEWORK_NAME=e2e-exec-local
source "$(dirname "$0")/lib/json_scheduler.sh"

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
# ... and so does what a shell command started without exec (a Kafka JVM
# under sh -c + kafka-broker.sh): the whole group, through the guard
launch t9 x9 'bash -c "echo \$\$ > t9.pid; exec sleep 301.5"; echo done'
check "t9: TASK_RUNNING" wait_state t9 TASK_RUNNING
wait_for 5 test -s "$(find "$WORK" -name t9.pid | head -n 1)"
T9_PID=$(cat "$(find "$WORK" -name t9.pid | head -n 1)" 2>/dev/null)
X9_PID=
for p in $(pgrep -f "kmesos-executor"); do
  tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'MESOS_EXECUTOR_ID=x9' && X9_PID=$p
done
check "t9: its executor is found, and the task's grandchild (pid ${T9_PID:-none})" \
  test -n "$X9_PID" -a -n "$T9_PID"
check "t9: the task runs behind the executor's guard" \
  grep -q -- "--kmesos-guard" "/proc/$(ps -o sid= -p "${T9_PID:-1}" | tr -d ' ')/cmdline"
kill -KILL "${X9_PID:-0}" 2>/dev/null
check "t9: the shell's child ends with the executor too" \
  wait_for 5 bash -c "! kill -0 ${T9_PID:-999999} 2>/dev/null"

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
