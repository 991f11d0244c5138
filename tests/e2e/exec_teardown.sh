#!/usr/bin/env bash
# End to end: a framework's teardown with kmesos-executor under
# kmesos-local, as a real Mesos agent runs it (src/slave/slave.cpp:
# shutdownFramework marks the framework terminating, its executors get
# SHUTDOWN, and Slave::statusUpdate ignores their updates, so none is
# ever acknowledged). A checkpointing framework (curl and JSON, as in
# exec_local.sh) launches a task that, like a JVM, takes 1.5 s to stop
# after SIGTERM; the agent's executor shutdown grace is 3 s. After
# TEARDOWN:
#   - the executor gets SHUTDOWN, SIGTERMs the task, sends TASK_KILLED,
#     which the agent ignores ("for terminating framework") without
#     acknowledging it;
#   - the executor exits 0 by itself as soon as the task ended, well
#     within the 3 s grace: it is not killed by the agent, and it does
#     not wait for an acknowledgement (the task's 1.5 s plus any wait for
#     acks of 2 s would pass the grace);
#   - the task's process is gone, no kmesos-executor is left.
source "$(dirname "$0")/lib.sh"

FRAMEWORK_NAME=e2e-exec-teardown FRAMEWORK_EXTRA=',"checkpoint":true' EXECUTOR_GRACE=3s
source "$(dirname "$0")/lib/json_scheduler.sh"

launch t1 x1 "echo \$\$ > t1.pid; trap 'sleep 1.5; exit 0' TERM; while :; do sleep 0.1; done"
check "t1: TASK_RUNNING" wait_state t1 TASK_RUNNING
T1_PID=$(cat "$(find "$WORK" -name t1.pid | head -n 1)" 2>/dev/null)
X1_ERR=$(dirname "$(find "$WORK" -name t1.pid | head -n 1)")/stderr
check "t1: task pid known" test -n "$T1_PID"

T0=$(date +%s.%N)
check "TEARDOWN accepted (202)" test "$(call '{"type":"TEARDOWN","framework_id":{"value":"'"$FW"'"}}')" = 202
check "x1: SHUTDOWN from the agent" wait_for 5 grep -q "SHUTDOWN from the agent" "$X1_ERR"
check "x1: exits 0 once the task ended, without waiting for acks" \
  wait_for 10 grep -q "exiting with status 0: shut down; every task ended (.* unacknowledged)" "$X1_ERR"
check "x1: TASK_KILLED sent" grep -q "task t1: TASK_KILLED" "$X1_ERR"
check "x1: TASK_KILLED never acknowledged" bash -c "! grep -q 'TASK_KILLED acknowledged' '$X1_ERR'"
check "agent: the update ignored for the terminating framework" \
  grep -q "ignoring status update TASK_KILLED of task t1 for terminating framework" "$E2E_TMP/local.log"
check "agent: x1 exited by itself (status 0), not killed at the end of its grace" \
  wait_for 5 grep -q "executor x1 (pid [0-9]*) exited with status 0" "$E2E_TMP/local.log"
ELAPSED=$(python3 -c "import time; print(round(time.time() - $T0, 1))")
echo "metric: teardown_to_executor_exit_s=$ELAPSED"
check "x1 gone before the agent's 3 s grace would have killed it" \
  bash -c "! grep -q 'executor x1 (pid [0-9]*) killed by signal' '$E2E_TMP/local.log'"
check "t1: process gone" wait_for 5 bash -c "! kill -0 ${T1_PID:-999999} 2>/dev/null"
check "no kmesos-executor left running" wait_for 10 bash -c "! pgrep -f '^$EXECUTOR' >/dev/null"
finish
