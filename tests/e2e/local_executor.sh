#!/usr/bin/env bash
# local_executor.sh: a custom executor (ExecutorInfo) under kmesos-local:
# the executor is started with the Mesos executor environment, subscribes
# to its agent, gets LAUNCH, its UPDATEs reach the scheduler with uuids
# and SOURCE_EXECUTOR, MESSAGE is relayed, KILL reaches it, SHUTDOWN ends
# it and the scheduler sees FAILURE for the executor.
source "$(dirname "$0")/lib/local_lib.sh"
PYEXEC=$KMESOS_SRC/tests/e2e/lib/pyexec.py

lib_start exec --allocation-interval 200ms || { fail start; finish; }
subscribe s1 || fail "subscribe"
wait_for "$STREAM" '^OFFERS' 5 || fail "offer"
read -r _ OFFER AGENT _ < <(events "$STREAM" | grep '^OFFERS' | head -1)
uuid_of() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s {print $4; exit}'; }
ack() { call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"$AGENT\"},\"task_id\":{\"value\":\"$1\"},\"uuid\":\"$2\"}}" >/dev/null; }
RES='[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]'
EXEC="{\"executor_id\":{\"value\":\"x1\"},\"name\":\"pyexec\",\"command\":{\"value\":\"python3 $PYEXEC\",\"environment\":{\"variables\":[{\"name\":\"FOO\",\"value\":\"bar\"}]}},\"resources\":$RES}"
code=$(call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"xt\",\"task_id\":{\"value\":\"xt1\"},\"agent_id\":{\"value\":\"$AGENT\"},\"executor\":$EXEC,\"resources\":$RES}]}}]}}")
check "ACCEPT with an ExecutorInfo: 202" test "$code" = 202
check "the executor's TASK_RUNNING arrives" wait_for "$STREAM" '^UPDATE xt1 TASK_RUNNING [A-Za-z0-9+/=]{24} SOURCE_EXECUTOR - "pyexec: running"' 10
check "its MESSAGE is relayed" wait_for "$STREAM" '^MESSAGE' 5
ack xt1 "$(uuid_of xt1 TASK_RUNNING)"
ENV=$(ls "$TMP"/work-exec/slaves/*/frameworks/*/executors/x1/runs/*/env.txt 2>/dev/null | head -1)
check "sandbox holds the executor's files" test -n "$ENV"
for v in "MESOS_FRAMEWORK_ID=$FW" "MESOS_EXECUTOR_ID=x1" "MESOS_SLAVE_ID=$AGENT" "FOO=bar" \
    "MESOS_HTTP_COMMAND_EXECUTOR=0" "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD=5secs" "MESOS_CHECKPOINT=0"; do
    check "environment has $v" grep -qx "$v" "$ENV"
done
check "environment has MESOS_SANDBOX = MESOS_DIRECTORY" bash -c "[ \"\$(grep ^MESOS_SANDBOX= '$ENV' | cut -d= -f2)\" = \"\$(grep ^MESOS_DIRECTORY= '$ENV' | cut -d= -f2)\" ]"
check "environment has MESOS_AGENT_ENDPOINT" grep -q '^MESOS_AGENT_ENDPOINT=127.0.0.1:' "$ENV"
# the real agent sets these two only for checkpointing frameworks (slave.cpp)
for v in MESOS_SUBSCRIPTION_BACKOFF_MAX MESOS_RECOVERY_TIMEOUT; do
    check "environment lacks $v (no checkpointing)" bash -c "! grep -q '^$v=' '$ENV'"
done
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"xt1\"},\"agent_id\":{\"value\":\"$AGENT\"}}}" >/dev/null
check "KILL reaches the executor: TASK_KILLED" wait_for "$STREAM" '^UPDATE xt1 TASK_KILLED .* SOURCE_EXECUTOR' 5
ack xt1 "$(uuid_of xt1 TASK_KILLED)"
# TASK_GONE_BY_OPERATOR from the executor is terminal (as in Mesos): when the
# executor ends, the agent adds no TASK_KILLED for that task.
for i in $(seq 100); do
    OFFER2=$(events "$STREAM" | awk -v a="$AGENT" -v o="$OFFER" '$1=="OFFERS" && $3==a && $2!=o {print $2; exit}')
    [ -n "$OFFER2" ] && break; sleep 0.1
done
check "a second offer on the executor's agent" test -n "$OFFER2"
code=$(call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER2\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"state:TASK_GONE_BY_OPERATOR\",\"task_id\":{\"value\":\"xt2\"},\"agent_id\":{\"value\":\"$AGENT\"},\"executor\":$EXEC,\"resources\":$RES}]}}]}}")
check "a second task on the same executor: 202" test "$code" = 202
check "the executor's TASK_GONE_BY_OPERATOR arrives" wait_for "$STREAM" '^UPDATE xt2 TASK_GONE_BY_OPERATOR .* SOURCE_EXECUTOR' 5
ack xt2 "$(uuid_of xt2 TASK_GONE_BY_OPERATOR)"
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"SHUTDOWN\",\"shutdown\":{\"executor_id\":{\"value\":\"x1\"},\"agent_id\":{\"value\":\"$AGENT\"}}}" >/dev/null
check "SHUTDOWN: FAILURE for the executor" wait_for "$STREAM" "^FAILURE $AGENT x1" 8
check "no TASK_KILLED after TASK_GONE_BY_OPERATOR" test "$(events "$STREAM" | grep -c '^UPDATE xt2 TASK_KILLED')" = 0
kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
