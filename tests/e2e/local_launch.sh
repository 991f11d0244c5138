#!/usr/bin/env bash
# local_launch.sh: kmesos-local end to end with curl, in JSON: SUBSCRIBE,
# an offer, ACCEPT with a LAUNCH of a short command task, the updates
# TASK_STARTING/RUNNING/FINISHED (fresh uuids, SOURCE_EXECUTOR), resends
# of an unacknowledged update, ACKNOWLEDGE stopping them, the sandbox, the
# state endpoint, offers coming back, KILL, RECONCILE, a clean SIGTERM.
source "$(dirname "$0")/lib/local_lib.sh"

lib_start launch --allocation-interval 200ms --update-retry-interval 1s \
    --heartbeat-interval 1s || { fail "start"; finish; }

subscribe s1 || fail "subscribe"
check "SUBSCRIBE answers 200 with a Mesos-Stream-Id" grep -q '^HTTP/1.1 200' "$HDRS"
check "stream id is a uuid" bash -c "[[ '$SID' =~ ^[0-9a-f-]{36}$ ]]"
check "framework id is <master-id>-0000" bash -c "[[ '$FW' =~ -0000$ ]]"
check "a HEARTBEAT follows SUBSCRIBED" wait_for "$STREAM" '^HEARTBEAT' 3
check "an offer arrives" wait_for "$STREAM" '^OFFERS' 5
read -r _ OFFER AGENT _ < <(events "$STREAM" | grep '^OFFERS' | head -1)
check "offer id looks like <master>-O<n>" bash -c "[[ '$OFFER' =~ -O[0-9]+$ ]]"
check "agent id looks like <master>-S<n>" bash -c "[[ '$AGENT' =~ -S0$ ]]"

accept() { # accept OFFER TASK_ID COMMAND
    call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$1\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"$2\",\"task_id\":{\"value\":\"$2\"},\"agent_id\":{\"value\":\"$AGENT\"},\"command\":{\"shell\":true,\"value\":\"$3\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1}},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":32}}]}]}}],\"filters\":{\"refuse_seconds\":1}}}"
}
ack() { # ack TASK UUID
    call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"$AGENT\"},\"task_id\":{\"value\":\"$1\"},\"uuid\":\"$2\"}}"
}
uuid_of() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s {print $4; exit}'; }
count() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s' | wc -l; }

check "ACCEPT answers 202" test "$(accept "$OFFER" t1 'echo hello-from-t1; sleep 1')" = 202
check "empty 202 body" test ! -s "$TMP/call.body"
check "TASK_STARTING arrives" wait_for "$STREAM" '^UPDATE t1 TASK_STARTING [A-Za-z0-9+/=]{24} SOURCE_EXECUTOR' 5
sleep 1.3
check "TASK_STARTING is resent until acknowledged" test "$(count t1 TASK_STARTING)" -ge 2
check "TASK_RUNNING waits for the ack of TASK_STARTING" test "$(count t1 TASK_RUNNING)" -eq 0
check "ACKNOWLEDGE answers 202" test "$(ack t1 "$(uuid_of t1 TASK_STARTING)")" = 202
check "TASK_RUNNING arrives" wait_for "$STREAM" '^UPDATE t1 TASK_RUNNING [A-Za-z0-9+/=]{24} SOURCE_EXECUTOR' 3
check "uuids differ" test "$(uuid_of t1 TASK_STARTING)" != "$(uuid_of t1 TASK_RUNNING)"
ack t1 "$(uuid_of t1 TASK_RUNNING)" >/dev/null
sleep 0.3 # a resend already on its way may still land: count after it
running_after_ack=$(count t1 TASK_RUNNING)
check "TASK_FINISHED arrives" wait_for "$STREAM" '^UPDATE t1 TASK_FINISHED .* "Command exited with status 0"' 5
ack t1 "$(uuid_of t1 TASK_FINISHED)" >/dev/null
sleep 0.3
finished_after_ack=$(count t1 TASK_FINISHED)
sleep 1.5
check "no resend after ACKNOWLEDGE" test "$(count t1 TASK_FINISHED)" -eq "$finished_after_ack"
check "no resend of TASK_RUNNING" test "$(count t1 TASK_RUNNING)" -eq "$running_after_ack"
check "sandbox stdout holds the output" bash -c "grep -rqs hello-from-t1 '$TMP'/work-launch/slaves/*/frameworks/*/executors/t1/runs/*/stdout"
STATE=$(curl -s "http://127.0.0.1:$PORT/master/state")
check "state lists the finished task" python3 -c "
import json,sys; s=json.loads(sys.argv[1]); f=s['frameworks'][0]
assert any(t['id']=='t1' and t['state']=='TASK_FINISHED' for t in f['completed_tasks'])" "$STATE"
check "periodic HEARTBEATs" test "$(events "$STREAM" | grep -c '^HEARTBEAT')" -ge 3

# a failing task and a killed task
NOFFER=$(events "$STREAM" | awk '/^OFFERS/{o=$2} END{print o}')
accept "$NOFFER" t2 'exit 3' >/dev/null
wait_for "$STREAM" '^UPDATE t2 TASK_STARTING' 5 && ack t2 "$(uuid_of t2 TASK_STARTING)" >/dev/null
wait_for "$STREAM" '^UPDATE t2 TASK_RUNNING' 5 && ack t2 "$(uuid_of t2 TASK_RUNNING)" >/dev/null
check "non-zero exit gives TASK_FAILED" wait_for "$STREAM" '^UPDATE t2 TASK_FAILED .*"Command exited with status 3"' 5
ack t2 "$(uuid_of t2 TASK_FAILED)" >/dev/null
sleep 0.5
NOFFER=$(events "$STREAM" | awk '/^OFFERS/{o=$2} END{print o}')
check "offer for freed resources" test -n "$NOFFER"
accept "$NOFFER" t3 'sleep 30' >/dev/null
wait_for "$STREAM" '^UPDATE t3 TASK_STARTING' 5 && ack t3 "$(uuid_of t3 TASK_STARTING)" >/dev/null
wait_for "$STREAM" '^UPDATE t3 TASK_RUNNING' 5 && ack t3 "$(uuid_of t3 TASK_RUNNING)" >/dev/null
check "KILL answers 202" test "$(call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"t3\"},\"agent_id\":{\"value\":\"$AGENT\"}}}")" = 202
check "KILL gives TASK_KILLED" wait_for "$STREAM" '^UPDATE t3 TASK_KILLED' 6
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"RECONCILE\",\"reconcile\":{\"tasks\":[{\"task_id\":{\"value\":\"t3\"}},{\"task_id\":{\"value\":\"nope\"}}]}}" >/dev/null
check "explicit RECONCILE: latest state, no uuid" wait_for "$STREAM" '^UPDATE t3 TASK_KILLED - SOURCE_MASTER REASON_RECONCILIATION "Reconciliation: Latest task state"' 3
check "explicit RECONCILE: unknown task is TASK_LOST" wait_for "$STREAM" '^UPDATE nope TASK_LOST - SOURCE_MASTER REASON_RECONCILIATION "Reconciliation: Task is unknown"' 3
check "KILL of an unknown task" test "$(call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"ghost\"},\"agent_id\":{\"value\":\"$AGENT\"}}}")" = 202
check "... answers TASK_LOST like the capture" wait_for "$STREAM" '^UPDATE ghost TASK_LOST - SOURCE_MASTER REASON_RECONCILIATION "Reconciliation: Task is unknown to the agent"' 3
check "TEARDOWN answers 202" test "$(call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"TEARDOWN\"}")" = 202
check "TEARDOWN ends the stream" bash -c "for i in \$(seq 50); do kill -0 $SUB_PID 2>/dev/null || exit 0; sleep 0.1; done; exit 1"

kill -TERM "$LOCAL_PID"
wait "$LOCAL_PID"
check "SIGTERM: clean exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
