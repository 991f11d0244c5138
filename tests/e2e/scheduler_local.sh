#!/usr/bin/env bash
# End to end over loopback: kmesos-local (real master/agent HTTP APIs, real
# processes) + kmesos-scheduler. Checks: tasks launched and RUNNING, a
# finished and a failed task reported, acknowledgements stop the resends,
# a cut stream and a scheduler kill -9 lead to a re-subscribe with the same
# framework id and reconciliation without duplicate launches, an agent
# removal makes its task TASK_UNREACHABLE (the scheduler is
# PARTITION_AWARE): the slot keeps it for --unreachable-grace (5 s here),
# then relaunches it elsewhere; and a 307 from a non-leading master is
# followed.
source "$(dirname "$0")/lib.sh"

MASTER=$(free_port); API=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 3 \
  --agent-attributes 'rack:r1,r2,r3' --allocation-interval 200ms \
  --update-retry-interval 1s --work-dir "$E2E_TMP/agents"
LOCAL_PID=$LAST_PID
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null

S="http://127.0.0.1:$API/api"
start_scheduler() {
  start "sched$1" "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" \
    --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" --log-level debug \
    --unreachable-grace 5s \
    --workload 'name=svc cmd="sleep 300" cpus=0.5 mem=64 instances=2 ports=1' \
    --workload 'name=once cmd="echo done" restart=never' \
    --workload 'name=bad cmd="exit 3" restart=never'
  SCHED_PID=$LAST_PID
}
start_scheduler 1
t0=$(date +%s.%N)

running_svc='len([t for t in j if t["workload"]=="svc" and t["state"]=="TASK_RUNNING"])==2'
check "two service tasks reach TASK_RUNNING" wait_for 20 jtrue "$S/tasks" "$running_svc"
echo "# time from scheduler start to both tasks RUNNING: $(python3 -c "print(round($(date +%s.%N)-$t0,2))") s"
check "a task exiting 0 is TASK_FINISHED and not relaunched" \
  wait_for 10 jtrue "$S/tasks" '[t for t in j if t["workload"]=="once" and t["state"]=="TASK_FINISHED" and t["phase"]=="done"]'
check "a task exiting 3 is TASK_FAILED with its exit status" \
  wait_for 10 jtrue "$S/tasks" '[t for t in j if t["workload"]=="bad" and t["state"]=="TASK_FAILED" and t["phase"]=="done"]'
FWID=$(json "$S/status" 'j["framework_id"]')
check "the framework id is kept in the state file" grep -q "$FWID" "$E2E_TMP/state.json"
check "the scheduler acknowledged every update with a uuid" \
  jtrue "$S/status" 'j["counters"]["acks"] >= 6'
SVC_IDS=$(json "$S/tasks" '",".join(sorted(t["id"] for t in j if t["workload"]=="svc"))')

# Bad REST input: 400 naming the field, nothing changed.
code=$(curl -s -o "$E2E_TMP/bad.json" -w '%{http_code}' -X POST "$S/broker/add?broker=0&colour=red")
check "an unknown query parameter is refused with 400 naming it" \
  bash -c "[ $code = 400 ] && grep -q '\"field\": \"colour\"' '$E2E_TMP/bad.json'"
check "and no broker was added" jtrue "$S/broker/list" 'j["brokers"] == []'

# Resends: with a 1 s retry interval, an unacknowledged update would be
# sent again within ~3 s; the master's state lists what is unacknowledged.
sleep 3
check "no status update is left unacknowledged" \
  jtrue "http://127.0.0.1:$MASTER/master/state" \
  'all(not t.get("unacknowledged") for f in j["frameworks"] for t in f["tasks"])'
check "nothing was resent to the scheduler" \
  bash -c "! grep -qi 'resend' '$E2E_TMP/local.log'"

# Stream cut by the master: re-subscribe with the same framework id.
curl -fsS -X POST "http://127.0.0.1:$MASTER/local/stream/close" -o /dev/null
check "a cut stream is followed by a re-subscribe" \
  wait_for 15 jtrue "$S/status" 'j["session"]["reconnects"] >= 1 and j["subscribed"]'
check "the re-subscribe keeps the framework id" \
  jtrue "$S/status" "j['framework_id']=='$FWID' and j['session']['subscribes']>=2"

# kill -9 the scheduler and start it again on the same state.
kill -KILL "$SCHED_PID"; wait "$SCHED_PID" 2>/dev/null
start_scheduler 2
check "the restarted scheduler re-subscribes as the same framework" \
  wait_for 15 jtrue "$S/status" "j['subscribed'] and j['framework_id']=='$FWID'"
check "reconciliation finds the running tasks" \
  wait_for 10 jtrue "$S/tasks" "$running_svc"
check "no duplicate launch after the restart" \
  jtrue "$S/status" 'j["counters"]["tasks_launched"] == 0'
check "the service tasks keep their ids" \
  jtrue "$S/tasks" "','.join(sorted(t['id'] for t in j if t['workload']=='svc'))=='$SVC_IDS'"
check "the master still has exactly two live service tasks" \
  jtrue "http://127.0.0.1:$MASTER/master/state" \
  'sum(1 for f in j["frameworks"] for t in f["tasks"] if t["name"].startswith("svc") and t["state"]=="TASK_RUNNING")==2'

# Remove the agent that runs a service task: unreachable, kept for the
# grace, then relaunched elsewhere under a fresh id.
AGENT=$(json "$S/tasks" '[t["agent_id"] for t in j if t["workload"]=="svc"][0]')
LOST_ID=$(json "$S/tasks" '[t["id"] for t in j if t["workload"]=="svc" and t["agent_id"]=="'"$AGENT"'"][0]')
curl -fsS -X POST "http://127.0.0.1:$MASTER/local/agents/$AGENT/remove" -o /dev/null
check "the removed agent's task is TASK_UNREACHABLE, still in its slot" \
  wait_for 20 jtrue "$S/tasks" "any(t['id']=='$LOST_ID' and t['state']=='TASK_UNREACHABLE' and t['phase']=='active' for t in j)"
t_unreach=$(date +%s.%N)
check "  ... and nothing replaces it within the grace" \
  jtrue "$S/tasks" "sum(1 for t in j if t['workload']=='svc' and t['phase']=='pending')==0"
check "after the grace it is relaunched on another agent" \
  wait_for 20 jtrue "$S/tasks" "$running_svc and all(t['agent_id']!='$AGENT' for t in j if t['workload']=='svc')"
check "  ... not before the grace (5 s)" \
  python3 -c "import sys; sys.exit(not $(date +%s.%N) - $t_unreach >= 4)"
check "  ... under a fresh id" jtrue "$S/tasks" "all(t['id']!='$LOST_ID' for t in j)"

# A non-leading master answers 307: the scheduler follows it.
NONLEADER=$(free_port)
start nonleader "$KMESOS_BIN/kmesos-local" --port "$NONLEADER" --agents 1 \
  --redirect-to "127.0.0.1:$MASTER" --work-dir "$E2E_TMP/nonleader"
wait_for 10 curl -sS "http://127.0.0.1:$NONLEADER/master/state" -o /dev/null
kill -TERM "$SCHED_PID"; wait "$SCHED_PID" 2>/dev/null
start redirected "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$NONLEADER" \
  --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" \
  --workload 'name=svc cmd="sleep 300" cpus=0.5 mem=64 instances=2 ports=1' \
  --workload 'name=once cmd="echo done" restart=never' \
  --workload 'name=bad cmd="exit 3" restart=never'
check "a 307 from a non-leading master is followed to the leader" \
  wait_for 15 jtrue "$S/status" "j['subscribed'] and '$MASTER/master/api/v1/scheduler' in j['session']['leader'] and j['session']['redirects']>=1"
check "after the redirect it is still the same framework" \
  jtrue "$S/status" "j['framework_id']=='$FWID'"
finish
