#!/usr/bin/env bash
# peer_pymesos.sh: pymesos 0.3.15 (PyPI, JSON), a client nobody here wrote,
# through a whole life cycle against kmesos-local with two agents
# (tests/peers/py/lifecycle.py checks each step on the events it gets):
# subscribe, launch, run, kill, decline with refuse_seconds (no offer from
# that agent inside the window, one after), suppress, revive, explicit and
# implicit reconciliation, a custom executor written with pymesos'
# MesosExecutorDriver (launch, framework message, kill), teardown. Then,
# here: no task or executor process is left after the teardown.
source "$(dirname "$0")/lib/local_lib.sh"
source "$(dirname "$0")/lib/peers.sh"

lib_start py --agents 2 --allocation-interval 200ms || { fail start; finish; }
SLEEP=$((60000 + RANDOM % 9000))
MARK=pyx-$$-$RANDOM
peer_run pymesos "$PEERS/pymesos-lifecycle" --master "127.0.0.1:$PORT" --sleep "$SLEEP" \
    --executor "$KMESOS_SRC/tests/peers/py/executor.py" --python "$PEERS/venv/bin/python" --marker "$MARK"
check "pymesos life cycle: exit 0" test "$RC" -eq 0
check "pymesos life cycle: its framework id printed" grep -q '^framework_id ' "$TMP/pymesos.out"
FW=$(awk '/^framework_id /{print $2; exit}' "$TMP/pymesos.out")
st=$(teardown_state "$FW" t2)
check "after TEARDOWN: /master/state has t2 TASK_KILLED among the framework's completed tasks (got $st)" test "$st" = TASK_KILLED
st=$(teardown_state "$FW" x2)
check "after TEARDOWN: /master/state has x2 TASK_KILLED among the framework's completed tasks (got $st)" test "$st" = TASK_KILLED
check "after TEARDOWN: no command task left (sleep $SLEEP)" gone "sleep $SLEEP"
check "after TEARDOWN: the pymesos executor exited" gone "--marker $MARK"
local_stop
peer_dump
finish
