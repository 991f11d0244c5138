#!/usr/bin/env bash
# local_reconcile.sh: explicit RECONCILE and KILL of tasks kmesos-local's
# master does not know, for a PARTITION_AWARE framework and another one,
# compared with what a real Mesos 1.12 master answered to the same calls
# (tests/data/mesos-captures/reconcile-unknown): `ghost` on a registered
# agent (TASK_GONE / TASK_LOST "Reconciliation: Task is unknown to the
# agent", with the agent id), `ghost2` without agent id and `ghost3` on an
# agent id no agent has (TASK_UNKNOWN / TASK_LOST "Reconciliation: Task is
# unknown", the given agent id echoed), and a KILL of `ghost4` on a
# registered agent (as `ghost`). All SOURCE_MASTER, REASON_RECONCILIATION,
# no uuid.
source "$(dirname "$0")/lib/local_lib.sh"
CAP=$CAPTURES/reconcile-unknown

lib_start recon --agents 1 --allocation-interval 200ms || { fail start; finish; }
base=http://127.0.0.1:$PORT
fwcall() { call "{\"framework_id\":{\"value\":\"$FW\"},$1}"; }

# answers FILE AGENT: one line per UPDATE of a ghost* task:
# task state message source reason uuid? agent (AGENT shown as REG).
answers() {
    python3 - "$1" "$2" <<'PY'
import json, sys
path, reg = sys.argv[1], sys.argv[2]
if path.endswith('.log'):
    recs = [json.loads(l.split(' EV ', 1)[1]) for l in open(path) if ' EV ' in l]
else:
    import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
    recs = list(events(path))
for e in recs:
    s = e.get('update', {}).get('status', {})
    if e.get('type') != 'UPDATE' or not s['task_id']['value'].startswith('ghost'):
        continue
    agent = s.get('agent_id', {}).get('value', '-')
    if agent == reg or (reg == 'CAPTURE' and agent.endswith(('-S0', '-S1', '-S2'))):
        agent = 'REG'
    print(s['task_id']['value'], s['state'], json.dumps(s.get('message')), s['source'],
          s['reason'], 'uuid' in s, agent)
PY
}

run() { # run NAME FRAMEWORK_INFO CAPTURE_LOG
    subscribe "$1" "$2" || { fail "subscribe $1"; return; }
    local agent
    agent=$(curl -s "$base/local/agents" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
    fwcall "\"type\":\"RECONCILE\",\"reconcile\":{\"tasks\":[{\"task_id\":{\"value\":\"ghost\"},\"agent_id\":{\"value\":\"$agent\"}},{\"task_id\":{\"value\":\"ghost2\"}},{\"task_id\":{\"value\":\"ghost3\"},\"agent_id\":{\"value\":\"nope-S99\"}}]}" >/dev/null
    check "$1: KILL of an unknown task: 202" test "$(fwcall "\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"ghost4\"},\"agent_id\":{\"value\":\"$agent\"}}")" = 202
    wait_for "$STREAM" '^UPDATE ghost4' 5
    answers "$3" CAPTURE >"$TMP/$1.want"
    answers "$STREAM" "$agent" >"$TMP/$1.got"
    check "$1: 4 answers recorded" test "$(wc -l <"$TMP/$1.want")" -eq 4
    if diff "$TMP/$1.want" "$TMP/$1.got"; then ok "$1: the answers of the real master"; else fail "$1: the answers of the real master"; fi
}

run pa '{"user":"root","name":"pa","capabilities":[{"type":"PARTITION_AWARE"}]}' "$CAP/partition-aware.log"
run np '{"user":"root","name":"np"}' "$CAP/not-partition-aware.log"

kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
