#!/usr/bin/env bash
# End to end scheduler HA (docs/ha.md): a real ZooKeeper, one kmesos-local,
# schedulers started with --ha and --state zk:// (session timeout 4 s),
# each talking to the master through its own TCP tap (tests/e2e/lib/
# tcp_tap.py) that logs every byte it sends. Checks:
# - one leads, the standby answers /api/* with a 307 to the leader (same
#   path and query), its /api/status says it is a standby, and it sends
#   nothing to the master;
# - kill -9 of the leader: the standby leads within seconds with the same
#   framework id, reconciles, launches nothing, and the master still has
#   exactly the two tasks;
# - kill -STOP of the new leader past the session timeout: a third
#   scheduler takes over; kill -CONT: the stopped one exits with status 3
#   and sends not one byte to the master after its resume; no duplicate;
# - restarted, it is a standby again; SIGTERM of the leader hands over at
#   once (its znode goes with its session);
# - elected on a corrupt state znode: exit 1, the znode left as it was;
# - a malformed --ha URL and --ha with a file state: exit code 2.
# The measured takeover times are printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/zk.sh"

if ! zk_available; then
  echo "# SKIP: ZooKeeper is not installed ($ZK_JAR, $ZK_CLI; scripts/install-deps.sh installs it)"
  check "no sanitizer report in any scheduler's log" \
  bash -c "! grep -l 'Sanitizer\|runtime error' '$E2E_TMP'/sched*.log"
finish
  exit 0
fi
zk_start "$E2E_TMP/zk" || { not_ok "ZooKeeper starts"; finish; exit 1; }
HA="zk://127.0.0.1:$ZK_PORT/kafka-mesos/ha"
STATE="zk://127.0.0.1:$ZK_PORT/kafka-mesos/state"

MASTER=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 2 \
  --allocation-interval 200ms --update-retry-interval 1s --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null

declare -A API PID TAP
# start_sched N: scheduler N, its API on a free port, its master through tap N.
start_sched() {
  local n=$1 tap
  tap=$(free_port); API[$n]=$(free_port)
  start "tap$n" python3 "$KMESOS_SRC/tests/e2e/lib/tcp_tap.py" "$tap" "$MASTER" "$E2E_TMP/tap$n.txt"
  wait_for 5 python3 -c "import socket; socket.create_connection(('127.0.0.1', $tap), 1)"
  start "sched$n" "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$tap" \
    --api "127.0.0.1:${API[$n]}" --ha "$HA" --ha-session-timeout 4s --state "$STATE" \
    --workload 'name=svc cmd="sleep 300" cpus=0.5 mem=64 instances=2'
  PID[$n]=$LAST_PID
  TAP[$n]="$E2E_TMP/tap$n.txt"
}
status() { echo "http://127.0.0.1:${API[$1]}/api/status"; }
leads() { jtrue "$(status "$1")" 'j["ha"]["leader"] and j["subscribed"]'; }
standby_of() { jtrue "$(status "$1")" "not j['ha']['leader'] and j['ha']['leader_api']=='http://127.0.0.1:${API[$2]}'"; }
now_ms() { date +%s%3N; }
running_svc='len([t for t in j if t["workload"]=="svc" and t["state"]=="TASK_RUNNING"])==2'
master_has_two='sum(1 for f in j["frameworks"] for t in f["tasks"] if t["name"].startswith("svc") and t["state"]=="TASK_RUNNING")==2 and sum(len(f["tasks"]) for f in j["frameworks"])==2'
MSTATE="http://127.0.0.1:$MASTER/master/state"

start_sched 1
check "the first scheduler is elected and subscribes" wait_for 20 leads 1
check "its two tasks reach TASK_RUNNING" wait_for 20 jtrue "http://127.0.0.1:${API[1]}/api/tasks" "$running_svc"
FWID=$(json "$(status 1)" 'j["framework_id"]')
start_sched 2
check "the second scheduler is a standby that knows the leader" wait_for 15 standby_of 2 1
check "the standby's status says so" \
  jtrue "$(status 2)" "j['ha']['leader_id'] and not j['subscribed'] and j['framework_id'] is None"
loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -X POST \
  "http://127.0.0.1:${API[2]}/api/tasks/kill?id=svc-0%201")
check "the standby answers /api/* with a 307 to the leader, path and query kept" \
  [ "$loc" = "307 http://127.0.0.1:${API[1]}/api/tasks/kill?id=svc-0%201" ]
check "curl -L through the standby reaches the leader's tasks" \
  jtrue "$(curl -fsSL "http://127.0.0.1:${API[2]}/api/tasks" >"$E2E_TMP/via.json" && echo "file://$E2E_TMP/via.json")" "$running_svc"
sleep 1
check "the standby sent nothing to the master" [ ! -s "${TAP[2]}" ]

# kill -9 of the leader: the standby takes over once its session expires.
t0=$(now_ms)
kill -KILL "${PID[1]}"; wait "${PID[1]}" 2>/dev/null
check "the standby leads after the leader's kill -9" wait_for 20 leads 2
t1=$(now_ms)
echo "# takeover after kill -9 of the leader: $((t1 - t0)) ms (session timeout 4 s)"
check "with the same framework id" jtrue "$(status 2)" "j['framework_id']=='$FWID'"
check "reconciliation finds both tasks running" \
  wait_for 15 jtrue "http://127.0.0.1:${API[2]}/api/tasks" "$running_svc"
check "the new leader launched nothing" jtrue "$(status 2)" 'j["counters"]["tasks_launched"]==0'
check "the master has exactly the two tasks" jtrue "$MSTATE" "$master_has_two"

# kill -STOP of the new leader past the session timeout, a third takes over.
start_sched 3
check "a third scheduler is a standby of the second" wait_for 15 standby_of 3 2
t0=$(now_ms)
kill -STOP "${PID[2]}"
check "the third leads while the second is stopped" wait_for 25 leads 3
t1=$(now_ms)
echo "# takeover after kill -STOP of the leader: $((t1 - t0)) ms (session timeout 4 s)"
check "with the same framework id" jtrue "$(status 3)" "j['framework_id']=='$FWID'"
check "reconciliation finds both tasks running" \
  wait_for 15 jtrue "http://127.0.0.1:${API[3]}/api/tasks" "$running_svc"
sleep 2
cont_at=$(date +%s.%N)
kill -CONT "${PID[2]}"
rc=timeout
for _ in $(seq 1 100); do
  if ! kill -0 "${PID[2]}" 2>/dev/null; then wait "${PID[2]}"; rc=$?; break; fi
  sleep 0.1
done
echo "# the resumed scheduler ended with: $rc"
check "the resumed old leader exits with status 3" [ "$rc" = 3 ]
check "and says why" grep -q "deposed: .*stepping down" "$E2E_TMP/sched2.log"
sent_after=$(awk -v t="$cont_at" '$1 >= t' "${TAP[2]}" | wc -l)
check "nothing of it reached the master after its resume ($sent_after chunk(s))" [ "$sent_after" = 0 ]
sleep 2
check "the leader is still the third, with nothing launched" \
  jtrue "$(status 3)" 'j["ha"]["leader"] and j["subscribed"] and j["counters"]["tasks_launched"]==0'
check "the master still has exactly the two tasks (no duplicate)" jtrue "$MSTATE" "$master_has_two"
check "the state in ZooKeeper keeps the framework id" bash -c "'$ZK_CLI' -server 127.0.0.1:$ZK_PORT get /kafka-mesos/state 2>/dev/null | grep -q '$FWID'"

# Restarted as a supervisor would, the deposed one is a standby again; a
# clean stop (SIGTERM) of the leader hands over at once, state saved.
start_sched 4 # the deposed one, restarted
check "the restarted scheduler is a standby of the third" wait_for 15 standby_of 4 3
t0=$(now_ms)
kill -TERM "${PID[3]}"
check "SIGTERM of the leader hands over to the standby" wait_for 15 leads 4
t1=$(now_ms)
echo "# takeover after SIGTERM of the leader: $((t1 - t0)) ms"
wait "${PID[3]}"; rc=$?
check "the stopped leader exits with status 0" [ "$rc" = 0 ]
check "the new leader reconciles the same two tasks" \
  wait_for 15 jtrue "http://127.0.0.1:${API[4]}/api/tasks" "$running_svc"
check "and launches nothing" jtrue "$(status 4)" "j['counters']['tasks_launched']==0 and j['framework_id']=='$FWID'"
check "the master still has exactly the two tasks" jtrue "$MSTATE" "$master_has_two"

# A corrupt state znode: the elected scheduler stops (exit 1) and leaves
# it as it is.
kill -KILL "${PID[4]}"; wait "${PID[4]}" 2>/dev/null
zk_cli set /kafka-mesos/state '{' >/dev/null
start_sched 5
rc=timeout
for _ in $(seq 1 200); do
  if ! kill -0 "${PID[5]}" 2>/dev/null; then wait "${PID[5]}"; rc=$?; break; fi
  sleep 0.1
done
check "elected on a corrupt state znode, a scheduler exits with status 1" [ "$rc" = 1 ]
check "saying why" grep -q "cannot take over: .*never overwritten" "$E2E_TMP/sched5.log"
check "the corrupt znode is left as it was" [ "$(zk_get /kafka-mesos/state)" = "{" ]

# Bad input: a malformed --ha URL, and --ha without a shared state.
"$KMESOS_BIN/kmesos-scheduler" --ha "zk://127.0.0.1:$ZK_PORT" --state "$STATE" \
  --master "127.0.0.1:$MASTER" --api off >"$E2E_TMP/badurl.log" 2>&1
rc=$?
check "a malformed --ha URL is refused with exit code 2" \
  bash -c "[ $rc = 2 ] && grep -q -- '--ha' '$E2E_TMP/badurl.log'"
"$KMESOS_BIN/kmesos-scheduler" --ha "$HA" --state "file:$E2E_TMP/s.json" \
  --master "127.0.0.1:$MASTER" --api off >"$E2E_TMP/filestate.log" 2>&1
rc=$?
check "--ha with a file state is refused with exit code 2" \
  bash -c "[ $rc = 2 ] && grep -q 'needs --state zk' '$E2E_TMP/filestate.log'"
check "no sanitizer report in any scheduler's log" \
  bash -c "! grep -l 'Sanitizer\|runtime error' '$E2E_TMP'/sched*.log"
finish
