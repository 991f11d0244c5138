#!/usr/bin/env bash
# End to end: a master restart of kmesos-local with --registry
# replicated_log, following Master::_reconcileTasks and
# Master::_reregisterSlave of Mesos 1.12 (src/master/master.cpp) for agents
# the master recovered from its registry: a raw JSON scheduler
# (lib/resub_scheduler.py) runs a `sleep` task; after the restart
#   - /master/state lists the agent under recovered_slaves, not slaves;
#   - the explicit RECONCILE (with the agent id) and the implicit one are
#     not answered at all (no TASK_LOST) until the agent re-registers;
#   - the re-registration sends no UPDATE (no REASON_AGENT_REREGISTERED):
#     the task is simply known again: a RECONCILE then says TASK_RUNNING
#     "Reconciliation: Latest task state"; the task kept its pid.
source "$(dirname "$0")/lib.sh"

LOCAL=$KMESOS_BIN/kmesos-local
[ -x "$LOCAL" ] || { not_ok "$LOCAL is built"; finish; exit 1; }
MPORT=$(free_port)
MASTER=http://127.0.0.1:$MPORT
WORK=$E2E_TMP/work
mkdir -p "$WORK"
check "--registry bogus is refused (exit 2)" bash -c "'$LOCAL' --registry bogus >/dev/null 2>&1; test \$? = 2"
start local "$LOCAL" --port "$MPORT" --work-dir "$WORK" --registry replicated_log \
  --allocation-interval 200ms --heartbeat-interval 2s
wait_for 10 curl -fsS -o /dev/null "$MASTER/master/state" || { not_ok "kmesos-local is up"; finish; exit 1; }
start sched python3 "$KMESOS_SRC/tests/e2e/lib/resub_scheduler.py" "127.0.0.1:$MPORT" mr-log t-log \
  "echo \$\$ > $WORK/log.pid; exec sleep 600" "$E2E_TMP/sched.jsonl"
q() {
  python3 - "$E2E_TMP/sched.jsonl" "$1" <<'PY'
import json, os, sys
L = [json.loads(l) for l in open(sys.argv[1])] if os.path.exists(sys.argv[1]) else []
def ev(t): return [l['event'] for l in L if l.get('event', {}).get('type') == t]
def ups(task): return [e['update']['status'] for e in ev('UPDATE') if e['update']['status']['task_id']['value'] == task]
print(eval(sys.argv[2]))
PY
}
qtrue() { [ "$(q "bool($1)" 2>/dev/null)" = True ]; }

check "task RUNNING" wait_for 20 qtrue "any(s['state'] == 'TASK_RUNNING' for s in ups('t-log'))"
TASK_PID=$(cat "$WORK/log.pid" 2>/dev/null)
FW=$(q "ev('SUBSCRIBED')[0]['subscribed']['framework_id']['value']")
AGENT=$(q "ups('t-log')[-1]['agent_id']['value']")
N_UP=$(q "len(ups('t-log'))")
check "restart?down=1s&reregister=5s answered 200" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$MASTER/local/master/restart?down=1s&reregister=5s")" = 200
check "re-SUBSCRIBED with the same framework id" wait_for 10 qtrue "len(ev('SUBSCRIBED')) == 2 and ev('SUBSCRIBED')[1]['subscribed']['framework_id']['value'] == '$FW'"
check "both reconciliations sent (202)" wait_for 5 qtrue "[l['status'] for l in L if l.get('call') == 'RECONCILE'] == [202, 202]"
check "/master/state: the agent is a recovered slave, not a registered one" \
  jtrue "$MASTER/master/state" "j['slaves'] == [] and [a['id'] for a in j['recovered_slaves']] == ['$AGENT']"
sleep 2
check "no answer to the reconciliations while the agent has not re-registered" qtrue "len(ups('t-log')) == $N_UP"
check "the agent re-registers: it is a registered slave again" wait_for 10 \
  jtrue "$MASTER/master/state" "[a['id'] for a in j['slaves']] == ['$AGENT'] and j['recovered_slaves'] == []"
sleep 1
check "no UPDATE came with the re-registration (no REASON_AGENT_REREGISTERED, no TASK_LOST)" qtrue "len(ups('t-log')) == $N_UP"
SID=$(q "[l['headers'].get('Mesos-Stream-Id') for l in L if l.get('subscribe_answer') == 200][-1]")
check "RECONCILE now answered 202" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Mesos-Stream-Id: $SID" \
  -d '{"type":"RECONCILE","framework_id":{"value":"'"$FW"'"},"reconcile":{"tasks":[{"task_id":{"value":"t-log"},"agent_id":{"value":"'"$AGENT"'"}}]}}' \
  "$MASTER/api/v1/scheduler")" = 202
check "it says TASK_RUNNING 'Reconciliation: Latest task state'" wait_for 5 \
  qtrue "[(s['state'], s.get('message')) for s in ups('t-log')[$N_UP:]] == [('TASK_RUNNING', 'Reconciliation: Latest task state')]"
check "the task kept its pid" kill -0 "${TASK_PID:-999999}"
finish
