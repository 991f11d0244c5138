#!/usr/bin/env bash
# End to end: kmesos-scheduler --master zk://127.0.0.1:PORT/mesos against a
# real ZooKeeper (Debian's package, standalone) where this test registers
# the masters itself, as real Mesos masters do: a json.info_<seq> child of
# /mesos holding the master's JSON MasterInfo (the shape recorded from a
# Mesos 1.12 master, tests/data/mesos-captures/master-failover-zk/z2_znodes).
# Checks: a bad zk URL exits 2 with a clear message; the scheduler finds
# the leader and subscribes; after a second master registers and the first
# one's znode is deleted (and that master stopped), the scheduler
# re-subscribes to the second with the same framework id; the time from the
# deletion to the re-SUBSCRIBED is printed. Then the last znode goes: the
# scheduler waits without hammering a dead address, and a znode that is not
# a MasterInfo is reported and does not crash it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/zk.sh"

if ! zk_available; then
  echo "# SKIP: ZooKeeper is not installed ($ZK_JAR, $ZK_CLI; scripts/install-deps.sh installs it)"
  finish
  exit 0
fi

# A bad URL: exit 2 at start, naming the problem.
"$KMESOS_BIN/kmesos-scheduler" --master "zk://127.0.0.1:2181" --state "file:$E2E_TMP/bad.json" \
  --workload 'name=svc cmd="sleep 300" instances=1' >"$E2E_TMP/badurl.log" 2>&1
rc=$?
check "an unparsable zk URL exits 2" [ "$rc" = 2 ]
check "and says what is wrong" grep -q "no znode path" "$E2E_TMP/badurl.log"

zk_start "$E2E_TMP/zk" || { not_ok "ZooKeeper starts"; finish; exit 1; }
ZK="zk://127.0.0.1:$ZK_PORT/mesos"

# MasterInfo JSON of a master on PORT, as a Mesos 1.12 master writes it
# (no spaces: one zkCli argument).
master_info() {
  echo "{\"address\":{\"hostname\":\"127.0.0.1\",\"ip\":\"127.0.0.1\",\"port\":$1},\"hostname\":\"127.0.0.1\",\"id\":\"e2e-master-$1\",\"ip\":16777343,\"pid\":\"master@127.0.0.1:$1\",\"port\":$1,\"version\":\"1.12.0\"}"
}
# register PORT: a sequential json.info_ child; prints its path.
register() {
  zk_cli create -s /mesos/json.info_ "$(master_info "$1")" | grep -o "/mesos/json.info_[0-9]*" | tail -n 1
}
start_master() {
  start "local$1" "$KMESOS_BIN/kmesos-local" --port "$2" --agents 1 \
    --allocation-interval 200ms --update-retry-interval 1s --work-dir "$E2E_TMP/agents$1"
}

M1=$(free_port); M2=$(free_port); API=$(free_port)
start_master 1 "$M1"; LOCAL1=$LAST_PID
wait_for 10 curl -fsS "http://127.0.0.1:$M1/master/state" -o /dev/null
zk_cli create /mesos "" >/dev/null
zk_cli create /mesos/log_replicas "" >/dev/null # not a master: ignored
Z1=$(register "$M1")
check "the first master's znode is registered" [ -n "$Z1" ]

S="http://127.0.0.1:$API/api"
start sched "$KMESOS_BIN/kmesos-scheduler" --master "$ZK" --api "127.0.0.1:$API" \
  --state "file:$E2E_TMP/state.json" --log-level debug \
  --workload 'name=svc cmd="sleep 300" cpus=0.5 mem=64 instances=1'
SCHED_PID=$LAST_PID
check "the scheduler subscribes to the leader named in ZooKeeper" \
  wait_for 20 jtrue "$S/status" "j['subscribed'] and ':$M1/' in (j['session']['leader'] or '')"
FWID=$(json "$S/status" 'j["framework_id"]')
check "the first master lists the framework" \
  wait_for 10 jtrue "http://127.0.0.1:$M1/master/state" "any(f['id']=='$FWID' for f in j['frameworks'])"
check "the scheduler logged the leader it found" \
  grep -q "leading master: http://127.0.0.1:$M1 (znode $Z1)" "$E2E_TMP/sched.log"

# Failover: a second master registers (a higher sequence: not the leader
# yet), then the first one's znode goes and the first master stops.
start_master 2 "$M2"; LOCAL2=$LAST_PID
wait_for 10 curl -fsS "http://127.0.0.1:$M2/master/state" -o /dev/null
Z2=$(register "$M2")
z2_after_z1() { [ -n "$Z2" ] && [[ "$Z2" > "$Z1" ]]; }
check "the second master's znode is registered after the first" z2_after_z1
sleep 1
check "a non-leading member changes nothing" \
  jtrue "$S/status" "j['subscribed'] and ':$M1/' in j['session']['leader']"
t0=$(date +%s.%N)
zk_cli delete "$Z1" >/dev/null
t1=$(date +%s.%N)
kill -TERM "$LOCAL1"; wait "$LOCAL1" 2>/dev/null
on_second() { jtrue "http://127.0.0.1:$M2/master/state" "any(f['id']=='$FWID' and f.get('active', True) for f in j['frameworks'])"; }
check "the scheduler re-subscribes to the new leader" wait_for 20 on_second
t2=$(date +%s.%N)
check "with the same framework id" \
  jtrue "$S/status" "j['subscribed'] and j['framework_id']=='$FWID' and ':$M2/' in j['session']['leader']"
check "the scheduler logged the re-subscribe" \
  grep -q "re-subscribed as framework $FWID" "$E2E_TMP/sched.log"
# Timing: from the log (the watch on /mesos firing, i.e. the deletion as
# ZooKeeper saw it, to SUBSCRIBED), and from outside (zkCli's delete, a JVM
# start included, to the second master listing the framework).
ms() { python3 -c "import sys; h,m,s=sys.argv[1].split(':'); print(int((int(h)*3600+int(m)*60+float(s))*1000))" "$1"; }
seen=$(grep -m1 "leading master: http://127.0.0.1:$M2" "$E2E_TMP/sched.log" | awk '{print $1}')
resub=$(grep -m1 "re-subscribed as framework" "$E2E_TMP/sched.log" | awk '{print $1}')
if [ -n "$seen" ] && [ -n "$resub" ]; then
  echo "# znode deletion seen by the scheduler -> re-SUBSCRIBED: $(( $(ms "$resub") - $(ms "$seen") )) ms (scheduler log)"
fi
echo "# zkCli delete started -> framework on the new master: $(python3 -c "print(round($t2-$t0,2))") s (zkCli returned after $(python3 -c "print(round($t1-$t0,2))") s; polled every 0.2 s)"

# The last master's znode goes: no leader; the scheduler waits instead of
# retrying a dead address.
Z2_MASTER_PORT=$M2
zk_cli delete "$Z2" >/dev/null
kill -TERM "$LOCAL2"; wait "$LOCAL2" 2>/dev/null
check "no leader: the scheduler says it waits for one" \
  wait_for 10 grep -q "no master registered in ZooKeeper" "$E2E_TMP/sched.log"
check "and the session waits for ZooKeeper to name one" \
  wait_for 15 grep -q "waiting for ZooKeeper to name the leading master" "$E2E_TMP/sched.log"
sleep 2
n1=$(grep -c "subscribing to http://127.0.0.1:$Z2_MASTER_PORT" "$E2E_TMP/sched.log")
sleep 3
n2=$(grep -c "subscribing to http://127.0.0.1:$Z2_MASTER_PORT" "$E2E_TMP/sched.log")
check "no SUBSCRIBE is sent to the dead master while no leader is known" [ "$n1" = "$n2" ]

# A znode that is not a MasterInfo: a clear error, no crash, and a good
# master registered after it (a lower sequence wins, so delete the bad one).
ZB=$(zk_cli create -s /mesos/json.info_ 'not-a-master-info' | grep -o "/mesos/json.info_[0-9]*" | tail -n 1)
check "a garbage leader znode is reported" \
  wait_for 10 grep -q "the leading master's znode ${ZB#/mesos/}: Failed to parse body into JSON" "$E2E_TMP/sched.log"
check "and the scheduler is still running" kill -0 "$SCHED_PID"
M3=$(free_port)
start_master 3 "$M3"
wait_for 10 curl -fsS "http://127.0.0.1:$M3/master/state" -o /dev/null
register "$M3" >/dev/null
zk_cli delete "$ZB" >/dev/null
check "a good master after the garbage one is subscribed to, same framework id" \
  wait_for 30 jtrue "$S/status" "j['subscribed'] and j['framework_id']=='$FWID' and ':$M3/' in j['session']['leader']"
finish
