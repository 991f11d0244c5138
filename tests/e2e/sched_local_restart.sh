#!/usr/bin/env bash
# End to end: kmesos-scheduler with a `sleep` workload of 2 instances across
# a restart of kmesos-local's master with an in-memory registry (POST
# /local/master/restart?down=2s&reregister=4s), as in the issue's first
# failure: the scheduler re-subscribes with its framework id at once, its
# reconciliation answers TASK_UNKNOWN (the scheduler is partition-aware and
# the agents have not re-registered; the slots are kept for the unreachable
# grace), and when they do (TASK_RUNNING REASON_AGENT_REREGISTERED) it has the same
# 2 tasks: same ids and pids, no other task launched, nothing pending. The
# times from the restart to the re-subscription and to 0 pending are
# printed.
source "$(dirname "$0")/lib.sh"

MPORT=$(free_port); API=$(free_port)
MASTER=http://127.0.0.1:$MPORT
WORK=$E2E_TMP/work
start local "$KMESOS_BIN/kmesos-local" --port "$MPORT" --work-dir "$WORK" --agents 2 \
  --allocation-interval 200ms
wait_for 10 curl -fsS -o /dev/null "$MASTER/health" || { not_ok "kmesos-local is up"; finish; exit 1; }
start sched "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MPORT" \
  --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" \
  --workload 'name=svc cmd="echo $$ > $MESOS_SANDBOX/pid; exec sleep 600" cpus=0.1 mem=32 instances=2'
S="http://127.0.0.1:$API/api"
running() { json "$MASTER/master/state" "sorted(t['id'] for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING')" 2>/dev/null; }
pids() { for f in $(find "$WORK" -name pid | sort); do cat "$f"; done | sort | tr '\n' ' '; }
two_running() { [ "$(json "$MASTER/master/state" "len([t for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING'])" 2>/dev/null)" = 2 ]; }

check "2 tasks RUNNING" wait_for 30 two_running
FW=$(json "$S/status" 'j["framework_id"]')
TASKS=$(running)
PIDS=$(pids)
check "their pids are known ($PIDS)" test "$(wc -w <<<"$PIDS")" = 2
t0=$(date +%s.%N)
check "master restart answered 200" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$MASTER/local/master/restart?down=2s&reregister=4s")" = 200
check "the master is down" wait_for 5 bash -c "! curl -fsS -o /dev/null --max-time 1 $MASTER/health"
check "the scheduler re-subscribed, same framework id" wait_for 20 jtrue "$MASTER/master/state" "any(f['id'] == '$FW' and f['active'] for f in j['frameworks'])"
t1=$(date +%s.%N)
check "its reconciliation got TASK_UNKNOWN for both tasks (partition-aware; agents not back yet)" wait_for 10 bash -c "[ \$(grep -c 'is TASK_UNKNOWN REASON_RECONCILIATION: Reconciliation: Task is unknown' '$E2E_TMP/sched.log') -ge 2 ]"
check "the same 2 tasks RUNNING again after the re-registration" wait_for 30 bash -c "[ \"\$(curl -fsS $MASTER/master/state | python3 -c \"import json,sys; j=json.load(sys.stdin); print(sorted(t['id'] for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING'))\")\" = \"$TASKS\" ]"
check "the scheduler adopted both, 0 pending" wait_for 10 jtrue "$S/status" "j['subscribed'] and j['pending_tasks'] == 0"
t2=$(date +%s.%N)
check "both slots were kept through the unknown state (none given up)" test "$(grep -c ': given up, its slot launches a replacement' "$E2E_TMP/sched.log")" = 0
check "same pids, still alive" bash -c "[ '$(pids)' = '$PIDS' ] && kill -0 $PIDS"
sleep 3
check "no task launched besides them" jtrue "$MASTER/master/state" "sorted(t['id'] for f in j['frameworks'] for t in f['tasks'] + f['completed_tasks']) == $TASKS"
echo "# master restart -> re-subscribed $(python3 -c "print(round($t1-$t0,1))") s, -> 0 pending $(python3 -c "print(round($t2-$t0,1))") s (down 2 s, agents re-register 4 s later)"
finish
