#!/usr/bin/env bash
# End to end: POST /local/master/restart of kmesos-local, a kill -9 and
# restart of the master with an in-memory registry, checked against the
# traffic of a real Mesos 1.12 master (tests/data/mesos-captures/
# master-restart/events.jsonl). Two raw JSON schedulers
# (lib/resub_scheduler.py), one PARTITION_AWARE, each run a `sleep` command
# task on one of two agents. Then the master is restarted (down 2s, agents
# re-register 6s after it is back):
#   - bad parameters are refused with 400 naming the parameter;
#   - both streams end with a plain EOF (no event) and the port refuses
#     connections while the master is down;
#   - the re-SUBSCRIBE with the framework id is answered SUBSCRIBED with
#     the same id, the same heartbeat interval and a new MasterInfo id;
#   - the explicit RECONCILE before the agents re-register is answered
#     TASK_LOST (TASK_UNKNOWN when partition-aware), "Reconciliation: Task
#     is unknown", REASON_RECONCILIATION, SOURCE_MASTER, the agent id, no
#     uuid; no offer comes and /master/state lists no agent meanwhile;
#   - after the re-registration each framework gets TASK_RUNNING,
#     REASON_AGENT_REREGISTERED, "Unknown agent reregistered", no uuid, for
#     its own task id; a later reconcile says "Reconciliation: Latest task
#     state"; the task processes kept their pids; offers resume;
#   - a task that ends while the master is down is reported (with a uuid,
#     by the agent's status update manager) once its agent re-registered;
#   - a framework whose scheduler is away across the restart is recovered
#     from the agent's report (inactive, its task kept) and finds its task
#     RUNNING when it comes back;
#   - an agent cut off by a partition (POST /local/agents/ID/partition)
#     across a second restart re-registers only once healed (/heal).
source "$(dirname "$0")/lib.sh"

LOCAL=$KMESOS_BIN/kmesos-local
SCHED="python3 $KMESOS_SRC/tests/e2e/lib/resub_scheduler.py"
[ -x "$LOCAL" ] || { not_ok "$LOCAL is built"; finish; exit 1; }
CAPTURE=$KMESOS_SRC/tests/data/mesos-captures/master-restart/events.jsonl
MPORT=$(free_port)
MASTER=http://127.0.0.1:$MPORT
WORK=$E2E_TMP/work
mkdir -p "$WORK"

start local "$LOCAL" --port "$MPORT" --work-dir "$WORK" --agents 2 --allocation-interval 200ms \
  --heartbeat-interval 2s
wait_for 10 curl -fsS -o /dev/null "$MASTER/master/state" || { not_ok "kmesos-local is up"; finish; exit 1; }

start nopa $SCHED "127.0.0.1:$MPORT" mr-nopa t-nopa "echo \$\$ > $WORK/nopa.pid; exec sleep 600" "$E2E_TMP/nopa.jsonl"
start pa $SCHED "127.0.0.1:$MPORT" mr-pa t-pa "echo \$\$ > $WORK/pa.pid; exec sleep 600" "$E2E_TMP/pa.jsonl" --partition-aware

# q FW EXPR: the Python expression EXPR over L, FW's log lines; helpers:
# ev(type) the events of that type, ups(task) the task's statuses.
q() {
  python3 - "$E2E_TMP/$1.jsonl" "$2" <<'PY'
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])] if __import__('os').path.exists(sys.argv[1]) else []
def ev(t): return [l['event'] for l in L if l.get('event', {}).get('type') == t]
def ups(task): return [e['update']['status'] for e in ev('UPDATE') if e['update']['status']['task_id']['value'] == task]
def idx(pred): return next((i for i, l in enumerate(L) if pred(l)), -1)
print(eval(sys.argv[2]))
PY
}
qtrue() { [ "$(q "$1" "bool($2)" 2>/dev/null)" = True ]; }
alive() { kill -0 "${1:-999999}" 2>/dev/null; }
restart() { curl -sS -o "$E2E_TMP/restart.body" -w '%{http_code}' -X POST "$MASTER/local/master/restart?$1"; }

for fw in nopa pa; do
  check "$fw: task RUNNING" wait_for 20 qtrue $fw "any(s['state'] == 'TASK_RUNNING' for s in ups('t-$fw'))"
done
NOPA_PID=$(cat "$WORK/nopa.pid" 2>/dev/null); PA_PID=$(cat "$WORK/pa.pid" 2>/dev/null)
check "task pids known and alive" bash -c "kill -0 ${NOPA_PID:-999999} && kill -0 ${PA_PID:-999999}"
OLD_ID=$(json "$MASTER/master/state" "j['id']")
FW_NOPA=$(q nopa "ev('SUBSCRIBED')[0]['subscribed']['framework_id']['value']")
FW_PA=$(q pa "ev('SUBSCRIBED')[0]['subscribed']['framework_id']['value']")
AGENT_NOPA=$(q nopa "ups('t-nopa')[-1]['agent_id']['value']")

# a third framework's task ends ~3 s later, before its agent re-registers
start short $SCHED "127.0.0.1:$MPORT" mr-short t-short "echo \$\$ > $WORK/short.pid; sleep 3" "$E2E_TMP/short.jsonl"
check "short: task RUNNING" wait_for 20 qtrue short "any(s['state'] == 'TASK_RUNNING' for s in ups('t-short'))"
# a fourth framework is away (its scheduler stopped) across the restart
start late $SCHED "127.0.0.1:$MPORT" mr-late t-late "exec sleep 600" "$E2E_TMP/late.jsonl"
check "late: task RUNNING" wait_for 20 qtrue late "any(s['state'] == 'TASK_RUNNING' for s in ups('t-late'))"
LATE_SCHED=$LAST_PID
FW_LATE=$(q late "ev('SUBSCRIBED')[0]['subscribed']['framework_id']['value']")
kill -STOP "$LATE_SCHED"

check "restart?down=bad answered 400 naming down" test "$(restart down=bad) $(cat "$E2E_TMP/restart.body")" = "400 Expecting ?down=DURATION"
check "restart?reregister=-1s answered 400 naming reregister" test "$(restart reregister=-1s) $(cat "$E2E_TMP/restart.body")" = "400 Expecting ?reregister=DURATION"
check "nothing changed after the 400s (same master id)" test "$(json "$MASTER/master/state" "j['id']")" = "$OLD_ID"

check "restart?down=2s&reregister=6s answered 200" test "$(restart 'down=2s&reregister=6s')" = 200
sleep 0.5
check "the master port refuses connections while down" bash -c "! curl -sS --max-time 1 -o /dev/null $MASTER/health 2>/dev/null"
check "the answer gives down and reregister" jtrue "file://$E2E_TMP/restart.body" "j['ok'] and j['down'] == 2 and j['reregister'] == 6"
for fw in nopa pa; do
  check "$fw: stream ended with a plain EOF (no ERROR event)" wait_for 5 qtrue $fw \
    "any('stream' in l or 'stream_error' in l for l in L) and not ev('ERROR')"
done
SHORT_PID=$(cat "$WORK/short.pid" 2>/dev/null)
check "master back" wait_for 10 curl -fsS -o /dev/null "$MASTER/health"
NEW_ID=$(json "$MASTER/master/state" "j['id']")
check "new MasterInfo id" test -n "$NEW_ID" -a "$NEW_ID" != "$OLD_ID"
check "short: the task ended before its agent re-registers" wait_for 4 bash -c "test -n '$SHORT_PID' && ! kill -0 '$SHORT_PID' 2>/dev/null"
check "/master/state lists no agent and no task before the re-registration" \
  jtrue "$MASTER/master/state" "j['slaves'] == [] and all(f['tasks'] == [] for f in j['frameworks'])"

for fw in nopa pa; do
  FWID=$([ $fw = nopa ] && echo "$FW_NOPA" || echo "$FW_PA")
  check "$fw: re-SUBSCRIBED with the same framework id, new master id, same heartbeat" \
    wait_for 10 qtrue $fw "len(ev('SUBSCRIBED')) == 2 and ev('SUBSCRIBED')[1]['subscribed']['framework_id']['value'] == '$FWID' and ev('SUBSCRIBED')[1]['subscribed']['master_info']['id'] == '$NEW_ID' and ev('SUBSCRIBED')[1]['subscribed']['heartbeat_interval_seconds'] == 2"
done
check "nopa: explicit reconcile -> TASK_LOST" wait_for 5 qtrue nopa "any(s['state'] == 'TASK_LOST' for s in ups('t-nopa'))"
check "pa: explicit reconcile -> TASK_UNKNOWN" wait_for 5 qtrue pa "any(s['state'] == 'TASK_UNKNOWN' for s in ups('t-pa'))"
for fw in nopa pa; do
  st=$([ $fw = nopa ] && echo TASK_LOST || echo TASK_UNKNOWN)
  check "$fw: $st says 'Reconciliation: Task is unknown', REASON_RECONCILIATION, SOURCE_MASTER, agent id, no uuid" \
    qtrue $fw "[(s['message'], s['reason'], s['source'], 'uuid' in s, s['agent_id']['value']) for s in ups('t-$fw') if s['state'] == '$st'] == [('Reconciliation: Task is unknown', 'REASON_RECONCILIATION', 'SOURCE_MASTER', False, '$AGENT_NOPA' if '$fw' == 'nopa' else ups('t-pa')[0]['agent_id']['value'])]"
done
check "capture: the real master's TASK_LOST has the same fields" python3 - "$CAPTURE" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    s = json.loads(l).get('event', {}).get('update', {}).get('status', {})
    if s.get('state') == 'TASK_LOST':
        assert sorted(s) == ['agent_id', 'message', 'reason', 'source', 'state', 'task_id', 'timestamp'], sorted(s)
        assert (s['message'], s['reason'], s['source']) == ('Reconciliation: Task is unknown', 'REASON_RECONCILIATION', 'SOURCE_MASTER')
        sys.exit(0)
sys.exit(1)
PY
N_OFF_NOPA=$(q nopa "len(ev('OFFERS'))"); N_OFF_PA=$(q pa "len(ev('OFFERS'))")

for fw in nopa pa; do
  check "$fw: TASK_RUNNING REASON_AGENT_REREGISTERED 'Unknown agent reregistered', SOURCE_MASTER, no uuid" \
    wait_for 15 qtrue $fw "[(s['message'], s['source'], 'uuid' in s) for s in ups('t-$fw') if s.get('reason') == 'REASON_AGENT_REREGISTERED' and s['state'] == 'TASK_RUNNING'] == [('Unknown agent reregistered', 'SOURCE_MASTER', False)]"
  check "$fw: then 'Reconciliation: Latest task state' TASK_RUNNING" \
    wait_for 5 qtrue $fw "any(s.get('message') == 'Reconciliation: Latest task state' and s['state'] == 'TASK_RUNNING' for s in ups('t-$fw'))"
  check "$fw: offers resume" wait_for 10 qtrue $fw "len(ev('OFFERS')) > $( [ $fw = nopa ] && echo "$N_OFF_NOPA" || echo "$N_OFF_PA")"
  check "$fw: no offer until the agents re-registered (6 s after the master is back), none before the update" qtrue $fw \
    "[l['t'] for l in L if l.get('event', {}).get('type') == 'SUBSCRIBED'][1] + 4 < min(l['t'] for l in L[idx(lambda l: l.get('event', {}).get('type') == 'SUBSCRIBED' and l['event']['subscribed']['master_info']['id'] == '$NEW_ID'):] if l.get('event', {}).get('type') == 'OFFERS') and idx(lambda l: l.get('event', {}).get('update', {}).get('status', {}).get('reason') == 'REASON_AGENT_REREGISTERED') < idx(lambda l: l.get('event', {}).get('type') == 'OFFERS' and l['event']['offers']['offers'][0]['id']['value'].startswith('$NEW_ID'))"
done
check "the re-registration update carries the container status with the executor pid, as captured" \
  qtrue nopa "[bool(s.get('container_status', {}).get('executor_pid')) for s in ups('t-nopa') if s.get('reason') == 'REASON_AGENT_REREGISTERED'] == [True]"
check "capture: the real master's re-registration update has the same text" \
  grep -q '"state": "TASK_RUNNING", "message": "Unknown agent reregistered", "source": "SOURCE_MASTER", "reason": "REASON_AGENT_REREGISTERED"' "$CAPTURE"
check "the task processes kept their pids" bash -c "kill -0 ${NOPA_PID:-999999} && kill -0 ${PA_PID:-999999}"
check "/master/state lists both agents and the three tasks RUNNING again" \
  jtrue "$MASTER/master/state" "len(j['slaves']) == 2 and sorted(t['id'] for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING') == ['t-late', 't-nopa', 't-pa']"
check "short: TASK_FINISHED made while the master was down arrives after the re-registration (uuid)" \
  wait_for 15 qtrue short "[('uuid' in s) for s in ups('t-short') if s['state'] == 'TASK_FINISHED'] == [True]"
check "late: its framework was recovered from the agent, inactive, task RUNNING" \
  jtrue "$MASTER/master/state" "[(f['active'], [t['state'] for t in f['tasks']]) for f in j['frameworks'] if f['id'] == '$FW_LATE'] == [(False, ['TASK_RUNNING'])]"
kill -CONT "$LATE_SCHED"
check "late: re-SUBSCRIBED with its id after the re-registration" wait_for 10 qtrue late "len(ev('SUBSCRIBED')) == 2 and ev('SUBSCRIBED')[1]['subscribed']['framework_id']['value'] == '$FW_LATE'"
check "late: its task was kept: reconcile says TASK_RUNNING 'Reconciliation: Latest task state'" \
  wait_for 5 qtrue late "[s['state'] for s in ups('t-late') if s.get('message') == 'Reconciliation: Latest task state'][:1] == ['TASK_RUNNING']"
check "late: no REASON_AGENT_REREGISTERED (dropped while it was away), no TASK_LOST" \
  qtrue late "not [s for s in ups('t-late') if s.get('reason') == 'REASON_AGENT_REREGISTERED' or s['state'] == 'TASK_LOST']"
# unknown tasks of the partition-aware framework, as in the reconcile-unknown capture
PA_SID=$(q pa "[l['headers'].get('Mesos-Stream-Id') for l in L if l.get('subscribe_answer') == 200][-1]")
PA_AGENT=$(q pa "ups('t-pa')[0]['agent_id']['value']")
pa_call() { curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Mesos-Stream-Id: $PA_SID" -d "$1" "$MASTER/api/v1/scheduler"; }
check "pa: RECONCILE of unknown tasks answered 202" test "$(pa_call '{"type":"RECONCILE","framework_id":{"value":"'"$FW_PA"'"},"reconcile":{"tasks":[{"task_id":{"value":"ghost"},"agent_id":{"value":"'"$PA_AGENT"'"}},{"task_id":{"value":"ghost3"},"agent_id":{"value":"nope-S99"}}]}}')" = 202
check "pa: KILL of an unknown task answered 202" test "$(pa_call '{"type":"KILL","framework_id":{"value":"'"$FW_PA"'"},"kill":{"task_id":{"value":"ghost4"},"agent_id":{"value":"'"$PA_AGENT"'"}}}')" = 202
check "pa: on a registered agent TASK_GONE 'Reconciliation: Task is unknown to the agent' (RECONCILE and KILL)" wait_for 5 qtrue pa \
  "[(s['state'], s['message'], s['agent_id']['value']) for g in ('ghost', 'ghost4') for s in ups(g)] == [('TASK_GONE', 'Reconciliation: Task is unknown to the agent', '$PA_AGENT')] * 2"
check "pa: on an unknown agent TASK_UNKNOWN 'Reconciliation: Task is unknown', its agent id echoed" qtrue pa \
  "[(s['state'], s['message'], s['agent_id']['value']) for s in ups('ghost3')] == [('TASK_UNKNOWN', 'Reconciliation: Task is unknown', 'nope-S99')]"
check "no TASK_LOST other than the reconciliation's" test "$(q nopa "len([s for s in ups('t-nopa') if s['state'] == 'TASK_LOST'])")" = 1
# an agent cut off by a partition across a second restart re-registers once healed
CUT=$(json "$MASTER/local/agents" "j[1]['id']")
check "partition of agent 1 answered 200" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$MASTER/local/agents/$CUT/partition")" = 200
check "second restart (down 1s, reregister 1s) answered 200" test "$(restart 'down=1s&reregister=1s')" = 200
sleep 4
check "the partitioned agent did not re-register, the other did" jtrue "$MASTER/master/state" "[a['id'] for a in j['slaves']] == ['$(json "$MASTER/local/agents" "j[0]['id']")']"
check "heal answered 200" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$MASTER/local/agents/$CUT/heal")" = 200
check "once healed it re-registers" wait_for 5 jtrue "$MASTER/master/state" "sorted(a['id'] for a in j['slaves']).count('$CUT') == 1 and len(j['slaves']) == 2"
finish
