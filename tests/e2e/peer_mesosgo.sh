#!/usr/bin/env bash
# peer_mesosgo.sh: a framework written with mesos-go v0.0.11's api/v1
# library (protobuf codec, checkpoint=true, PARTITION_AWARE), a client
# nobody here wrote, through a whole life cycle against kmesos-local with
# two agents (tests/peers/go/mesosgo-lifecycle checks each step on the events it
# gets): subscribe, launch, run, kill, decline with refuse_seconds (no offer
# from that agent inside the window, one after), suppress, revive, explicit
# and implicit reconciliation, a custom executor (mesos-go's example-executor,
# which reads the checkpointing environment), teardown. Then, here: no task
# or executor process is left after the teardown.
source "$(dirname "$0")/lib/local_lib.sh"
source "$(dirname "$0")/lib/peers.sh"

lib_start go --agents 2 --allocation-interval 200ms || { fail start; finish; }
SLEEP=$((70000 + RANDOM % 9000))
MARK=gox-$$-$RANDOM
peer_run mesosgo "$PEERS/bin/mesosgo-lifecycle" --master "127.0.0.1:$PORT" --sleep "$SLEEP" \
    --executor "$PEERS/bin/example-executor" --marker "$MARK"
check "mesos-go life cycle: exit 0" test "$RC" -eq 0
check "mesos-go life cycle: its framework id printed" grep -q '^framework_id ' "$TMP/mesosgo.out"
FW=$(awk '/^framework_id /{print $2; exit}' "$TMP/mesosgo.out")
st=$(teardown_state "$FW" t2)
check "after TEARDOWN: /master/state has t2 TASK_KILLED among the framework's completed tasks (got $st)" test "$st" = TASK_KILLED
check "after TEARDOWN: no command task left (sleep $SLEEP)" gone "sleep $SLEEP"
check "after TEARDOWN: the example executor exited" gone "--marker $MARK"
local_stop
peer_dump
finish
