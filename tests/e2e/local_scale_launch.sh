#!/usr/bin/env bash
# local_scale_launch.sh: one ACCEPT launching 400 `sleep` command tasks on
# one agent. kmesos-local answers 202 before the tasks' processes start
# (the agents' launch queue starts them a few milliseconds per loop
# iteration), every task then goes TASK_STARTING -> TASK_RUNNING, and with
# a 2 s status update retry interval no update is resent: the loop kept
# serving the acknowledgements (/local/stats updates_resent). With
# --max-queued-launches 100 the same ACCEPT is refused: every task
# TASK_DROPPED with a message naming the flag.
source "$(dirname "$0")/lib/local_lib.sh"
LIB=$(dirname "$0")/lib

lib_start launch --agents 1 --update-retry-interval 2s --allocation-interval 200ms ||
    { fail start; finish; }
OUT=$TMP/launch.json
check "400 tasks launched and RUNNING" \
    sh -c "python3 '$LIB/storm_client.py' 127.0.0.1:$PORT launch --tasks 400 --cmd 'sleep 3600' --settle 3 >'$OUT'"
cat "$OUT"
check "202 came before the processes started" python3 -c "
import json; r=json.load(open('$OUT')); assert r['started_at_202'] < 400, r"
check "all 400 RUNNING, STARTING before RUNNING" python3 -c "
import json; r=json.load(open('$OUT')); assert r['running'] == 400 and r['order_ok'], r"
check "no status update resent" python3 -c "
import json; r=json.load(open('$OUT')); assert r['updates_resent'] == 0, r"

# --max-queued-launches: a storm beyond the limit is refused, saying why
lib_start small --agents 1 --max-queued-launches 100 --allocation-interval 200ms ||
    { fail "start with --max-queued-launches 100"; finish; }
OUT=$TMP/refused.json
python3 "$LIB/storm_client.py" 127.0.0.1:$PORT launch --tasks 400 --timeout 3 >"$OUT"
cat "$OUT"
check "400 tasks over --max-queued-launches 100: all TASK_DROPPED (partition-aware)" \
    python3 -c "
import json; r=json.load(open('$OUT'))
assert r['states'] == {'TASK_DROPPED': 400}, r
assert 'pass --max-queued-launches 100: launch refused' in r['a_message'], r"
check "the master still answers" curl -sf "http://127.0.0.1:$PORT/master/state" -o /dev/null
finish
