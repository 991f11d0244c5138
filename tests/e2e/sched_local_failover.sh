#!/usr/bin/env bash
# End to end: kmesos-scheduler (--master zk://...) with a `sleep` workload
# of 2 instances against kmesos-local's two masters elected through a real
# ZooKeeper (--zk --masters 2, 2 agents). The leading master is killed
# (POST /local/master/kill, agents re-registering 3 s after the next
# election): the scheduler follows the new leader with the same framework
# id, and once the agents re-registered the new leader lists the same 2
# task ids RUNNING, with the same pids, and no other task was launched (the
# tasks were adopted, not replaced). Then the new leader is killed with
# ?expire=2s (its znode stays 2 s, as a real session expiry does) and the
# same holds. The times from each kill to the re-subscription and to the
# tasks RUNNING again are printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/zk.sh"

if ! zk_available; then
  echo "# SKIP: ZooKeeper is not installed ($ZK_JAR, $ZK_CLI; scripts/install-deps.sh installs it)"
  finish
  exit 0
fi
zk_start "$E2E_TMP/zk" || { not_ok "ZooKeeper starts"; finish; exit 1; }
while :; do
  P0=$(free_port); P1=$((P0 + 1))
  python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $P1))" 2>/dev/null && break
done
API=$(free_port)
WORK=$E2E_TMP/work
start local "$KMESOS_BIN/kmesos-local" --port "$P0" --work-dir "$WORK" --agents 2 \
  --zk "zk://127.0.0.1:$ZK_PORT/mesos" --masters 2 --allocation-interval 200ms
M0=http://127.0.0.1:$P0
check "a master leads" wait_for 20 jtrue "$M0/local/masters" "sum(m['leading'] for m in j) == 1"
start sched "$KMESOS_BIN/kmesos-scheduler" --master "zk://127.0.0.1:$ZK_PORT/mesos" \
  --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" \
  --workload 'name=svc cmd="echo $$ > $MESOS_SANDBOX/pid; exec sleep 600" cpus=0.1 mem=32 instances=2'
S="http://127.0.0.1:$API/api"

leader() { json "$M0/local/masters" "[m['port'] for m in j if m['leading']][0]" 2>/dev/null ||
           json "http://127.0.0.1:$P1/local/masters" "[m['port'] for m in j if m['leading']][0]"; }
# running PORT: the sorted ids of the RUNNING tasks the master on PORT lists.
running() { json "http://127.0.0.1:$1/master/state" "sorted(t['id'] for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING')" 2>/dev/null; }
pids() { for f in $(find "$WORK" -name pid | sort); do cat "$f"; done | sort | tr '\n' ' '; }
alive_all() { local p; for p in $1; do kill -0 "$p" 2>/dev/null || return 1; done; }

LEAD=$(leader)
two_running() { [ "$(json "http://127.0.0.1:$1/master/state" "len([t for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING'])" 2>/dev/null)" = 2 ]; }
check "2 tasks RUNNING on the leader" wait_for 30 two_running "$LEAD"
FW=$(json "$S/status" 'j["framework_id"]')
TASKS=$(running "$LEAD")
PIDS=$(pids)
check "their pids are known ($PIDS)" test "$(wc -w <<<"$PIDS")" = 2

# failover: kill PATH_QUERY; checks the scheduler and the tasks on the new leader
failover() {
  local what=$1 query=$2 old=$LEAD t0 t1 t2
  t0=$(date +%s.%N)
  check "$what: kill of the leader answered 200" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$old/local/master/kill?$query")" = 200
  local other=$([ "$old" = "$P0" ] && echo "$P1" || echo "$P0")
  check "$what: the other master leads" wait_for 20 jtrue "http://127.0.0.1:$other/local/masters" "[m['port'] for m in j if m['leading']] == [$other]"
  LEAD=$other
  check "$what: the scheduler re-subscribed to it, same framework id" wait_for 20 jtrue "http://127.0.0.1:$LEAD/master/state" "any(f['id'] == '$FW' and f['active'] for f in j['frameworks'])"
  t1=$(date +%s.%N)
  check "$what: the same 2 tasks RUNNING on the new leader" wait_for 30 bash -c "[ \"\$(curl -fsS http://127.0.0.1:$LEAD/master/state | python3 -c \"import json,sys; j=json.load(sys.stdin); print(sorted(t['id'] for f in j['frameworks'] for t in f['tasks'] if t['state'] == 'TASK_RUNNING'))\")\" = \"$TASKS\" ]"
  t2=$(date +%s.%N)
  check "$what: same pids, still alive" bash -c "[ '$(pids)' = '$PIDS' ]"
  alive_all "$PIDS" || not_ok "$what: a task process died"
  sleep 3
  check "$what: no task launched besides them" jtrue "http://127.0.0.1:$LEAD/master/state" "sorted(t['id'] for f in j['frameworks'] for t in f['tasks'] + f['completed_tasks']) == $TASKS"
  check "$what: the scheduler adopted them: subscribed, 0 pending" jtrue "$S/status" "j['subscribed'] and j['framework_id'] == '$FW' and j['pending_tasks'] == 0"
  check "$what: the scheduler kept both slots through the unknown state (none given up)" test "$(grep -c ': given up, its slot launches a replacement' "$E2E_TMP/sched.log")" = 0
  echo "# $what: kill -> re-subscribed $(python3 -c "print(round($t1-$t0,1))") s, -> tasks RUNNING on the new leader $(python3 -c "print(round($t2-$t0,1))") s"
}
failover "kill" "down=2s&reregister=3s"
failover "kill with expire" "down=4s&expire=2s&reregister=3s"
finish
