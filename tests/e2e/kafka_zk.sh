#!/usr/bin/env bash
# End to end: a real 3-broker Kafka cluster through ZooKeeper failovers,
# on a real ZooKeeper (lib/zk.sh). kmesos-local runs two masters elected
# through it (--zk, --masters 2); two kmesos-schedulers find the leading
# master through it (--master zk://) and elect their own leader through
# it (--ha, session timeout 4 s), sharing their state in it (--state
# zk://). A topic with replication factor 3 takes kcat writes with
# acks=all before and after each failure; none may be lost.
#  a) master failover: the leading master is killed; the other one is
#     elected with an empty in-memory registry; the scheduler follows it
#     with the same framework id, keeps the brokers' slots while their
#     tasks are unknown, and adopts the original tasks when the agents
#     re-register (TASK_RUNNING, REASON_AGENT_REREGISTERED): 3 RUNNING,
#     0 pending, same task ids and JVM pids, nothing launched.
#  b) scheduler HA, kill -9 of the leading scheduler: the standby leads
#     with the same framework id and takes the brokers over, launching
#     nothing.
#  c) scheduler HA, kill -STOP of the leading scheduler past its session
#     timeout: the other one (restarted after b) takes over; kill -CONT:
#     the deposed one exits with status 3, and nothing is launched twice.
# Prints "metric:" lines with the measured times.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib/zk.sh"

TOPIC=zkfailover
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

zk_available || { not_ok "ZooKeeper is installed (scripts/install-deps.sh)"; finish; exit 1; }
zk_start "$E2E_TMP/zk" || { not_ok "ZooKeeper starts"; finish; exit 1; }
ZK="zk://127.0.0.1:$ZK_PORT"

kafka_local_cluster --zk "$ZK/mesos" --masters 2 || { not_ok "kmesos-local is up"; finish; exit 1; }
M0="http://127.0.0.1:$MASTER"
check "one of the two masters leads" wait_for 20 jtrue "$M0/local/masters" \
  "len(j) == 2 and sum(m['leading'] for m in j) == 1"

declare -A SAPI SPID
NSTART=0
# sched N: scheduler N with --ha, its API on its own port (log schedK.log,
# K counting every start).
sched() {
  local n=$1
  SAPI[$n]=${SAPI[$n]:-$(free_port)}
  NSTART=$((NSTART + 1))
  start "sched$NSTART" "$KMESOS_BIN/kmesos-scheduler" --master "$ZK/mesos" \
    --ha "$ZK/kafka-mesos/leader" --ha-session-timeout 4s --state "$ZK/kafka-mesos/state" \
    --api "127.0.0.1:${SAPI[$n]}" --log-level debug \
    --executor "$KMESOS_BIN/kmesos-executor" --kafka-dist "$DIST" --fetch-mode "$MODE" \
    --kafka-data-root "$E2E_TMP/data" --offer-hold 30s
  SPID[$n]=$LAST_PID
}
st() { echo "http://127.0.0.1:${SAPI[$1]}/api/status"; }
leads() { jtrue "$(st "$1")" 'j["ha"]["leader"] and j["subscribed"]'; }
sched 1
check "scheduler 1 leads and subscribes through ZooKeeper" wait_for 30 leads 1
sched 2
check "scheduler 2 is its standby" wait_for 20 jtrue "$(st 2)" 'not j["ha"]["leader"]'
S="http://127.0.0.1:${SAPI[1]}/api"
FW=$(json "$(st 1)" 'j["framework_id"]')

launches() { cat "$E2E_TMP"/sched*.log | grep -c "launching broker-"; }
leader_port() { json "http://127.0.0.1:$1/local/masters" "[m['port'] for m in j if m['leading']][0]"; }
other_leads() { [ "$(leader_port "$OTHER")" = "$OTHER" ]; }
# ended PID: the process has exited (a zombie until waited for, or gone)
ended() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null); [ -z "$s" ] || [ "${s#Z}" != "$s" ]; }

out=$(post add "broker=0..2&cpus=0.5&mem=1024&heap=256&options=num.partitions=3,default.replication.factor=3,min.insync.replicas=2,group.initial.rebalance.delay.ms=0")
check "broker add 0..2 -> 200" [ "${out%% *}" = 200 ]
out=$(post start "broker=*")
check "broker start * -> 200" [ "${out%% *}" = 200 ]
if ! wait_for 150 jtrue "$S/broker/list" "$all_running"; then
  not_ok "all three brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
ok "all three brokers TASK_RUNNING"
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
check "topic '$TOPIC' with replication factor 3" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 3 --replication-factor 3
check "every partition has 3 in-sync replicas" wait_for 60 full_isr
produce 1 300
check "kcat produced 300 messages with acks=all" [ "$?" = 0 ]

# --- a) master failover --------------------------------------------------------------------------
SNAP=$(snapshot); N0=$(launches)
LEAD=$(leader_port "$MASTER"); OTHER=$((LEAD == MASTER ? MASTER + 1 : MASTER))
t0=$(now)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$LEAD/local/master/kill?down=3s&reregister=10s")
check "POST /local/master/kill on the leading master (:$LEAD) -> 200" [ "$code" = 200 ]
check "the other master (:$OTHER) leads" wait_for 30 other_leads
check "the scheduler re-subscribes to it with framework id $FW" \
  wait_for 30 grep -q "re-subscribed as framework $FW" "$E2E_TMP/sched1.log"
echo "metric: master_kill_to_resubscribed_s=$(since "$t0")"
check "the master sends TASK_RUNNING REASON_AGENT_REREGISTERED" \
  wait_for 60 grep -q "is TASK_RUNNING REASON_AGENT_REREGISTERED" "$E2E_TMP/sched1.log"
t_rereg=$(now)
check "within 30 s of the re-registration: 3 brokers RUNNING, 0 pending" wait_for 30 settled
echo "metric: master_failover_to_managed_s=$(since "$t0")"
echo "metric: reregistration_to_managed_s=$(since "$t_rereg")"
check "the original tasks were adopted (same task ids and JVM pids)" [ "$(snapshot)" = "$SNAP" ]
check "nothing was launched" [ "$(launches)" = "$N0" ]
produce 301 400
check "acks=all writes after the master failover" [ "$?" = 0 ]

# --- b) kill -9 of the leading scheduler ------------------------------------------------------------
SNAP=$(snapshot); N0=$(launches)
t0=$(now)
kill -KILL "${SPID[1]}"
check "scheduler 2 leads with framework id $FW" wait_for 30 bash -c \
  "curl -fsS '$(st 2)' | python3 -c \"import json,sys; j=json.load(sys.stdin); sys.exit(not (j['ha']['leader'] and j['subscribed'] and j['framework_id']=='$FW'))\""
echo "metric: ha_kill_to_leader_s=$(since "$t0")"
S="http://127.0.0.1:${SAPI[2]}/api"
check "it manages the 3 brokers: RUNNING, 0 pending" wait_for 60 settled
echo "metric: ha_kill_to_managed_s=$(since "$t0")"
check "same task ids and JVM pids" [ "$(snapshot)" = "$SNAP" ]
check "nothing was launched" [ "$(launches)" = "$N0" ]
sched 1
check "scheduler 1, restarted, is a standby" wait_for 20 jtrue "$(st 1)" 'not j["ha"]["leader"]'

# --- c) kill -STOP of the leading scheduler past its session timeout ---------------------------------
N0=$(launches)
t0=$(now)
kill -STOP "${SPID[2]}"
check "scheduler 1 takes over while 2 is stopped" wait_for 30 leads 1
echo "metric: ha_stop_to_leader_s=$(since "$t0")"
S="http://127.0.0.1:${SAPI[1]}/api"
kill -CONT "${SPID[2]}"
check "the deposed scheduler 2 exits with status 3" wait_for 15 ended "${SPID[2]}"
wait "${SPID[2]}" 2>/dev/null; rc=$?
check "  ... exit status 3 (got $rc)" [ "$rc" = 3 ]
check "scheduler 1 manages the 3 brokers: RUNNING, 0 pending" wait_for 60 settled
check "nothing was launched" [ "$(launches)" = "$N0" ]
check "the master has exactly 3 running tasks" jtrue "http://127.0.0.1:$(leader_port "$MASTER")/master/state" \
  'sum(1 for f in j["frameworks"] for t in f["tasks"] if t["state"]=="TASK_RUNNING")==3'

BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
check "every partition has 3 in-sync replicas" wait_for 60 full_isr
check "no acknowledged message lost (400)" [ "$(consume_count "$BOOTSTRAP")" = 400 ]
stop_all_brokers
echo "metric: test_duration_s=$(since "$T_START")"
finish
