#!/usr/bin/env bash
# End to end: a real 3-broker Kafka cluster run by kmesos-scheduler on
# kmesos-local through the failures a real Mesos 1.12 cluster has, where
# the brokers keep running and must be taken back, never duplicated. The
# cluster has three agents, two of them on the same host (127.0.0.1, each
# with its own agent id and ports) and one on 127.0.0.2. A topic with
# replication factor 3 (min.insync.replicas=2) takes kcat writes with
# acks=all before and during each failure; none may be lost.
#  0) placement by agent: the three voters (one per broker) go one per
#     agent, so the two agents that share a hostname get one each.
#  a) master restart with an in-memory registry: every stream ends, the
#     master comes back knowing no task; the scheduler re-subscribes with
#     its framework id, its reconciliation gets TASK_UNKNOWN (it is
#     PARTITION_AWARE) and it keeps the brokers' slots; when the agents
#     re-register the master sends TASK_RUNNING, REASON_AGENT_REREGISTERED
#     and the scheduler adopts the original tasks: 3 RUNNING, 0 pending,
#     same task ids and JVM pids, nothing launched.
#  b) agent restart 3 s after its kill: the executor rejoins within the
#     agent's 2 s re-registration window, the broker keeps its JVM.
#  c) agent partition of 90 s (health checks every 3 s, 5 misses): the
#     broker is reported TASK_UNREACHABLE, not replaced (the unreachable
#     grace is 2 min), its JVM keeps serving; when the partition heals it
#     is adopted back (TASK_RUNNING, REASON_AGENT_REREGISTERED).
# Prints "metric:" lines with the measured times.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

TOPIC=resilience
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

# Two agents on 127.0.0.1 (rack r1), one on 127.0.0.2 (rack r2).
KAFKA_AGENTS='[{"hostname":"127.0.0.1","attributes":"rack:r1"},
               {"hostname":"127.0.0.1","attributes":"rack:r1"},
               {"hostname":"127.0.0.2","attributes":"rack:r2"}]'
kafka_local_cluster --agent-ping-timeout 3s --max-agent-ping-timeouts 5 ||
  { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
SLOG=$E2E_TMP/sched1.log
M="http://127.0.0.1:$MASTER"

live_bootstrap() { json "$S/status" 'j["bootstrap_servers"]'; }
# tasks the master lists for our framework, by state: "RUNNING:3" etc.
master_tasks() {
  json "$M/master/state" '",".join(sorted(t["state"] for f in j["frameworks"] for t in f["tasks"]))'
}
launches() { grep -c "launching broker-" "$SLOG"; }

# --- three brokers, one voter per agent -----------------------------------------------------
out=$(post add "broker=0..2&cpus=0.5&mem=1024&heap=256&options=num.partitions=3,default.replication.factor=3,min.insync.replicas=2,group.initial.rebalance.delay.ms=0")
check "broker add 0..2 -> 200" [ "${out%% *}" = 200 ]
out=$(post start "broker=*")
check "broker start * -> 200" [ "${out%% *}" = 200 ]
if ! wait_for 150 jtrue "$S/broker/list" "$all_running"; then
  not_ok "all three brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
ok "all three brokers TASK_RUNNING"
AGENTS=$(json "$S/broker/list" '" ".join(sorted(x["task"]["agent_id"] for x in j["brokers"]))')
echo "# broker agents: $AGENTS"
check "the three brokers (voters) run on three different agents, two of them on one host" python3 -c "
import sys; a=sys.argv[1].split(); sys.exit(len(set(a))!=3)" "$AGENTS"
check "  ... and two brokers share host 127.0.0.1" \
  [ "$(json "$S/broker/list" 'sum(1 for x in j["brokers"] if x["task"]["hostname"]=="127.0.0.1")')" = 2 ]
BOOTSTRAP=$(live_bootstrap)
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
check "topic '$TOPIC' with replication factor 3" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 3 --replication-factor 3
check "every partition has 3 in-sync replicas" wait_for 60 full_isr
produce 1 300
check "kcat produced 300 messages with acks=all" [ "$?" = 0 ]

# --- a) master restart with an in-memory registry --------------------------------------------
SNAP=$(snapshot); N0=$(launches)
echo "# before: $SNAP"
t0=$(now)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M/local/master/restart?down=2s&reregister=15s")
check "POST /local/master/restart?down=2s&reregister=15s -> 200" [ "$code" = 200 ]
check "the scheduler re-subscribes with its framework id" \
  wait_for 30 grep -q 're-subscribed as framework' "$SLOG"
check "its reconciliation is told the brokers are unknown (TASK_UNKNOWN)" \
  wait_for 30 grep -q "is TASK_UNKNOWN" "$SLOG"
produce 301 400
check "acks=all writes succeed while the master does not know the brokers" [ "$?" = 0 ]
check "the master sends TASK_RUNNING REASON_AGENT_REREGISTERED" \
  wait_for 60 grep -q "is TASK_RUNNING REASON_AGENT_REREGISTERED" "$SLOG"
t_rereg=$(now)
check "within 30 s of the re-registration: 3 brokers RUNNING, 0 pending" wait_for 30 settled
echo "metric: master_restart_to_managed_s=$(since "$t0")"
echo "metric: reregistration_to_managed_s=$(since "$t_rereg")"
check "the original tasks were adopted (same task ids and JVM pids)" [ "$(snapshot)" = "$SNAP" ]
check "nothing was launched" [ "$(launches)" = "$N0" ]
master_three() { [ "$(master_tasks)" = TASK_RUNNING,TASK_RUNNING,TASK_RUNNING ]; }
check "the master lists exactly 3 running tasks" wait_for 10 master_three

# --- b) agent restart 3 s after its kill -------------------------------------------------------
AG0=$(b 0 "j['task']['agent_id']")
SNAP=$(snapshot); N0=$(launches)
t0=$(now)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M/local/agents/$AG0/restart?down=3s")
check "POST /local/agents/$AG0/restart?down=3s -> 200" [ "$code" = 200 ]
sleep 6
check "broker 0's executor rejoined in the 2 s window: same task and JVM" wait_for 20 settled
check "  ... no broker changed task or JVM" [ "$(snapshot)" = "$SNAP" ]
check "  ... and nothing was launched" [ "$(launches)" = "$N0" ]
echo "metric: agent_restart_to_settled_s=$(since "$t0")"

# --- c) agent partition of 90 s ------------------------------------------------------------------
T2=$(b 2 "j['task']['id']"); AG2=$(b 2 "j['task']['agent_id']"); J2=$(broker_jvm "$T2")
SNAP=$(snapshot); N0=$(launches)
t0=$(now)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M/local/agents/$AG2/partition")
check "POST /local/agents/$AG2/partition -> 200" [ "$code" = 200 ]
check "broker 2 is reported TASK_UNREACHABLE" wait_for 45 grep -q "task $T2 is TASK_UNREACHABLE" "$SLOG"
echo "metric: partition_to_unreachable_s=$(since "$t0")"
produce 401 500
check "acks=all writes succeed during the partition" [ "$?" = 0 ]
remaining=$(python3 -c "import sys; print(max(0, int(90 - float(sys.argv[1]))))" "$(since "$t0")")
sleep "$remaining"
check "after 90 s broker 2 was not replaced (nothing launched)" [ "$(launches)" = "$N0" ]
check "  ... and its JVM kept running" kill -0 "${J2:-0}"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M/local/agents/$AG2/heal")
check "POST /local/agents/$AG2/heal -> 200" [ "$code" = 200 ]
t_heal=$(now)
check "broker 2 is back: TASK_RUNNING, REASON_AGENT_REREGISTERED" \
  wait_for 30 grep -q "task $T2 is TASK_RUNNING REASON_AGENT_REREGISTERED" "$SLOG"
check "  ... and adopted: 3 RUNNING, 0 pending" wait_for 30 settled
echo "metric: heal_to_managed_s=$(since "$t_heal")"
check "  ... same task ids and JVM pids" [ "$(snapshot)" = "$SNAP" ]
check "  ... nothing was launched" [ "$(launches)" = "$N0" ]

BOOTSTRAP=$(live_bootstrap)
check "every partition has 3 in-sync replicas" wait_for 60 full_isr
check "no acknowledged message lost (500)" [ "$(consume_count "$BOOTSTRAP")" = 500 ]

stop_all_brokers
echo "metric: test_duration_s=$(since "$T_START")"
finish
