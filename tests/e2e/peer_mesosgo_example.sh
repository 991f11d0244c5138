#!/usr/bin/env bash
# peer_mesosgo_example.sh: mesos-go v0.0.11's own example-scheduler, as
# shipped (protobuf codec, checkpoint=true), against kmesos-local: it serves
# its example-executor over HTTP, the agents fetch it into the sandbox
# (CommandInfo URI, executable), each executor reads the checkpointing
# environment a real agent gives it (slave.cpp: MESOS_RECOVERY_TIMEOUT =
# --recovery_timeout, default 15mins; MESOS_SUBSCRIPTION_BACKOFF_MAX =
# --executor_reregistration_timeout, default 2secs; mesos-go's executor
# refuses to start without them), runs its task to TASK_FINISHED, and the
# scheduler ends with "mission accomplished".
source "$(dirname "$0")/lib/local_lib.sh"
source "$(dirname "$0")/lib/peers.sh"

lib_start ex --agents 2 --allocation-interval 200ms || { fail start; finish; }
NAME=mesosgo-example-$$
timeout 120 "$PEERS/bin/example-scheduler" -url "http://127.0.0.1:$PORT/api/v1/scheduler" \
    -codec protobuf -checkpoint=true -name "$NAME" -tasks 3 -cpu 0.1 -memory 32 \
    -exec.cpu 0.1 -exec.memory 32 -exec.image "" -executor "$PEERS/bin/example-executor" \
    -server.address 127.0.0.1 -server.port 0 -metrics.port "$(free_port)" -failoverTimeout 10s \
    >"$TMP/example.log" 2>&1
RC=$?
# on success the example cancels its own context and its main() ends with
# log.Fatal("context canceled"): status 1 is how it ends, 124 a timeout
check "example-scheduler: ended by itself (status $RC)" test "$RC" -ne 124
check "example-scheduler: mission accomplished (3 tasks finished)" grep -q "mission accomplished" "$TMP/example.log"
check "example-scheduler: no task in an unexpected state" bash -c "! grep -q 'unexpected state' '$TMP/example.log'"
EXLOGS=$(ls "$TMP"/work-ex/slaves/*/frameworks/*/executors/*/runs/*/stderr 2>/dev/null)
check "the agents ran the executors in sandboxes" test -n "$EXLOGS"
FETCHED=$(ls "$TMP"/work-ex/slaves/*/frameworks/*/executors/*/runs/*/example-executor 2>/dev/null | head -1)
check "the executor binary was fetched from the scheduler's artifact server" test -x "$FETCHED"
check "the executor got the checkpointing environment of a real agent" \
    grep -q "Checkpoint:true RecoveryTimeout:15m0s SubscriptionBackoffMax:2s" $EXLOGS
check "the executor subscribed to its agent" grep -q "SUBSCRIBED" $EXLOGS
FIN=$(curl -fsS "http://127.0.0.1:$PORT/master/state" | python3 -c "import json,sys; j=json.load(sys.stdin); print(sum(1 for f in j['frameworks']+j['completed_frameworks'] if f['name']=='$NAME' for t in f.get('completed_tasks',[])+f.get('tasks',[]) if t['state']=='TASK_FINISHED'))")
check "/master/state: the framework's 3 tasks TASK_FINISHED (got $FIN)" test "$FIN" = 3
local_stop
peer_dump
finish
