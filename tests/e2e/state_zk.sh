#!/usr/bin/env bash
# End to end with ZooKeeper-backed state: a real ZooKeeper server (Debian's
# package, standalone on a free loopback port), kmesos-local and
# kmesos-scheduler --state zk://127.0.0.1:PORT/kafka-mesos/test. Checks:
# tasks RUNNING and the framework id in the znode (parents created); a
# scheduler kill -9 and restart on the same znode re-subscribes as the same
# framework without a duplicate launch; a ZooKeeper outage is survived and
# the state is written when it is back; a corrupt or newer-version znode
# stops start-up with exit code 1 and a clear message, and is left as is.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/zk.sh"

if ! zk_available; then
  echo "# SKIP: ZooKeeper is not installed ($ZK_JAR, $ZK_CLI; scripts/install-deps.sh installs it)"
  finish
  exit 0
fi
zk_start "$E2E_TMP/zk" || { not_ok "ZooKeeper starts"; finish; exit 1; }
ZNODE=/kafka-mesos/test
ZK="zk://127.0.0.1:$ZK_PORT$ZNODE"

MASTER=$(free_port); API=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 2 \
  --allocation-interval 200ms --update-retry-interval 1s --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null

S="http://127.0.0.1:$API/api"
start_scheduler() {
  start "sched$1" "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" \
    --api "127.0.0.1:$API" --state "$ZK" --log-level debug \
    --workload 'name=svc cmd="sleep 300" cpus=0.5 mem=64 instances=2'
  SCHED_PID=$LAST_PID
}
start_scheduler 1

running_svc='len([t for t in j if t["workload"]=="svc" and t["state"]=="TASK_RUNNING"])==2'
check "two service tasks reach TASK_RUNNING" wait_for 20 jtrue "$S/tasks" "$running_svc"
FWID=$(json "$S/status" 'j["framework_id"]')
check "the scheduler reports its framework id" [ -n "$FWID" ]
in_znode() { zk_get "$ZNODE" | grep -q "$1"; }
check "the framework id is in the znode (parents created)" wait_for 10 in_znode "$FWID"
check "the parent znode exists" bash -c "'$ZK_CLI' -server 127.0.0.1:$ZK_PORT ls /kafka-mesos 2>&1 | grep -q test"
SVC_IDS=$(json "$S/tasks" '",".join(sorted(t["id"] for t in j if t["workload"]=="svc"))')
all_ids_saved() { local id; for id in ${SVC_IDS//,/ }; do in_znode "$id" || return 1; done; }
check "both task ids are in the znode" wait_for 10 all_ids_saved

# kill -9 the scheduler and start it again on the same znode.
kill -KILL "$SCHED_PID"; wait "$SCHED_PID" 2>/dev/null
start_scheduler 2
check "the restarted scheduler re-subscribes as the same framework" \
  wait_for 20 jtrue "$S/status" "j['subscribed'] and j['framework_id']=='$FWID'"
check "reconciliation finds the running tasks" wait_for 10 jtrue "$S/tasks" "$running_svc"
check "no duplicate launch after the restart" \
  jtrue "$S/status" 'j["counters"]["tasks_launched"] == 0'
check "the service tasks keep their ids" \
  jtrue "$S/tasks" "','.join(sorted(t['id'] for t in j if t['workload']=='svc'))=='$SVC_IDS'"
check "the master still has exactly two live service tasks" \
  jtrue "http://127.0.0.1:$MASTER/master/state" \
  'sum(1 for f in j["frameworks"] for t in f["tasks"] if t["name"].startswith("svc") and t["state"]=="TASK_RUNNING")==2'

# ZooKeeper outage: the scheduler keeps running, a change made meanwhile
# is written once ZooKeeper is back (same port, same dataDir).
zk_stop
check "the scheduler notices the outage" \
  wait_for 15 grep -q "connection lost; the state is saved" "$E2E_TMP/sched2.log"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$S/broker/add?broker=7")
check "a broker is added during the outage" [ "$code" = 200 ]
check "the scheduler keeps serving during the outage" jtrue "$S/status" 'j["subscribed"]'
zk_start "$E2E_TMP/zk" "$ZK_PORT"
broker_saved() { zk_get "$ZNODE" | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(0 if any(str(b.get("id"))=="7" for b in j["kafka"]["brokers"]) else 1)'; }
check "the change is saved when ZooKeeper is back" wait_for 30 broker_saved
check "and the scheduler says so" grep -q "state saved to $ZNODE again" "$E2E_TMP/sched2.log"
check "the scheduler was never restarted by the outage" kill -0 "$SCHED_PID"

# A corrupt znode stops start-up (exit 1) and is left untouched.
kill -KILL "$SCHED_PID"; wait "$SCHED_PID" 2>/dev/null
zk_cli set "$ZNODE" '{' >/dev/null
"$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --state "$ZK" --workload 'name=svc cmd="sleep 300" instances=2' >"$E2E_TMP/corrupt.log" 2>&1
rc=$?
check "a corrupt znode stops start-up with exit code 1" [ "$rc" = 1 ]
check "with a clear message" grep -q "state znode $ZK is unusable.*never overwritten" "$E2E_TMP/corrupt.log"
check "the corrupt znode is left as it was" [ "$(zk_get "$ZNODE")" = "{" ]

zk_cli set "$ZNODE" '{"version": 2, "tasks": []}' >/dev/null
"$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --state "$ZK" --workload 'name=svc cmd="sleep 300" instances=2' >"$E2E_TMP/newer.log" 2>&1
rc=$?
check "a newer-version znode stops start-up with exit code 1" \
  bash -c "[ $rc = 1 ] && grep -q 'newer' '$E2E_TMP/newer.log'"

"$KMESOS_BIN/kmesos-scheduler" --state "zk:kafka" --master "127.0.0.1:$MASTER" \
  >"$E2E_TMP/badurl.log" 2>&1
rc=$?
check "a malformed zk URL is refused with exit code 2" \
  bash -c "[ $rc = 2 ] && grep -q 'not a znode path' '$E2E_TMP/badurl.log'"
finish
