#!/usr/bin/env bash
# End to end: broker failover after executor loss, agent loss and repeated
# task failure, with a real 3-broker Kafka cluster run by kmesos-scheduler
# on kmesos-local (3 agents, hosts 127.0.0.1..3; lib/kafka_cluster.sh). A
# topic with replication factor 3 (min.insync.replicas=2) gets messages
# produced by kcat with acks=all before and during each failure; none of
# them may be lost.
#  a) executor loss: kill -9 of broker 0's kmesos-executor. Its JVM dies
#     with it; the agent reports TASK_FAILED, REASON_EXECUTOR_TERMINATED;
#     the failure is counted, and broker 0 is relaunched after its failover
#     delay (2 s) on the same agent, back to TASK_RUNNING with every ISR
#     full.
#  b) agent loss: broker 1's agent is removed through kmesos-local's
#     control endpoint (as a master does after failed health checks: the
#     scheduler is PARTITION_AWARE, so TASK_UNREACHABLE,
#     REASON_AGENT_REMOVED, then FAILURE). The broker keeps its slot for
#     --unreachable-grace (5 s here): no replacement while its agent may
#     come back; then it is given up, which counts as its failure. Broker 1
#     is a voter of the static quorum, pinned to its host: it waits,
#     declining the other hosts, while the two others still take acks=all
#     writes; when an agent with the same hostname (a new agent id) comes
#     back, broker 1 is relaunched there with its data.
#  c) failover-max-tries: broker 2 is updated with a JVM option that stops
#     its JVM at start (failover delay 1 s, max tries 3), then its JVM is
#     killed: it fails 3 times in a row, the relaunch delays double (1 s,
#     2 s), and it is deactivated, saying why in /api/broker/list and
#     `kmesos broker list`; fixed and started again, it comes back.
# Prints "metric:" lines (recovery times: failure to TASK_RUNNING again)
# and "N passed, N failed". Skips (exit 0) only when KMESOS_SKIP_KAFKA=1
# and no Kafka cache exists.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

TOPIC=failover
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

kafka_local_cluster --agent-removal-delay 1s || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1 --unreachable-grace 5s
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
SLOG=$E2E_TMP/sched1.log
MSTATE="http://127.0.0.1:$MASTER/master/state"

# log_gap A B: seconds from the first scheduler log line matching the
# extended regex A to the first one after it matching B ("" if none).
log_gap() {
  python3 - "$SLOG" "$1" "$2" <<'PY'
import re, sys
t0 = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d\d):(\d\d):(\d\d\.\d+) ", line)
    if not m:
        continue
    t = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    if t0 is None and re.search(sys.argv[2], line):
        t0 = t
    elif t0 is not None and re.search(sys.argv[3], line):
        print(f"{(t - t0) % 86400:.2f}")
        break
PY
}
ge() { python3 -c "import sys; sys.exit(not float(sys.argv[1] or -1) >= float(sys.argv[2]))" "$1" "$2"; }
running_on() { # running_on N TASK: broker N runs a task other than TASK
  jtrue "$S/broker/list?broker=$1" \
    "j['brokers'][0]['task']['state']=='TASK_RUNNING' and j['brokers'][0]['task']['id']!='$2'"
}
live_bootstrap() { json "$S/status" 'j["bootstrap_servers"]'; }
# the running broker tasks the master knows
master_running() { json "$MSTATE" 'sum(1 for f in j["frameworks"] for t in f["tasks"] if t["state"]=="TASK_RUNNING")'; }

# --- three brokers, a topic with replication 3, 500 messages ------------------------------
out=$(post add "broker=0..2&cpus=0.5&mem=1024&heap=256&failover_delay=2s&failover_max_delay=8s&jvm_options=-Dkmesos.e2e=1&options=num.partitions=3,default.replication.factor=3,min.insync.replicas=2,group.initial.rebalance.delay.ms=0")
check "broker add 0..2 (failover delay 2s, max 8s) -> 200" [ "${out%% *}" = 200 ]
out=$(post start "broker=*")
check "broker start * -> 200" [ "${out%% *}" = 200 ]
if ! wait_for 120 jtrue "$S/broker/list" "$all_running"; then
  not_ok "all three brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
ok "all three brokers TASK_RUNNING"
BOOTSTRAP=$(live_bootstrap)
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
check "topic '$TOPIC' with replication factor 3" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 3 --replication-factor 3
check "every partition has 3 in-sync replicas" wait_for 30 full_isr
produce 1 500
check "kcat produced 500 messages with acks=all" [ "$?" = 0 ]
check "all 500 are there" [ "$(consume_count "$BOOTSTRAP")" = 500 ]

# --- a) executor loss: kill -9 of broker 0's kmesos-executor ------------------------------
TASK0=$(b 0 "j['task']['id']"); AGENT0=$(b 0 "j['task']['agent_id']"); EP0=$(b 0 "j['task']['endpoint']")
JPID0=$(broker_jvm "$TASK0")
XPID0=
for p in $(pgrep -f kmesos-executor); do
  tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "MESOS_EXECUTOR_ID=$TASK0" && XPID0=$p
done
check "found broker 0's executor (pid ${XPID0:-none}) and JVM (pid ${JPID0:-none})" [ -n "$XPID0" -a -n "$JPID0" ]
# the executor starts a task behind its guard (a session leader, its child)
check "the JVM runs in the session of the executor's guard" \
  [ "$(ps -o ppid= -p "$(ps -o sid= -p "${JPID0:-1}" | tr -d ' ')" | tr -d ' ')" = "$XPID0" ]
t_kill=$(now)
kill -KILL "${XPID0:-0}" 2>/dev/null
check "broker 0's JVM dies with its executor" wait_for 10 bash -c "! kill -0 ${JPID0:-0} 2>/dev/null"
check "the scheduler gets TASK_FAILED with REASON_EXECUTOR_TERMINATED" \
  wait_for 30 grep -q "task $TASK0 is TASK_FAILED REASON_EXECUTOR_TERMINATED" "$SLOG"
check "the failure is counted and shown (failures 1, last failure TASK_FAILED: Executor terminated)" \
  wait_for 10 jtrue "$S/broker/list?broker=0" \
  "j['brokers'][0]['failover']['failures']==1 and j['brokers'][0]['last_failure']=='TASK_FAILED: Executor terminated' and j['brokers'][0]['active']"
echo "# last failure: $(b 0 "j['last_failure']")"
check "broker 0 is relaunched and TASK_RUNNING" wait_for 120 running_on 0 "$TASK0"
echo "metric: executor_kill_to_running_s=$(since "$t_kill")"
TASK0B=$(b 0 "j['task']['id']")
gap=$(log_gap "task $TASK0 is TASK_FAILED" "launching $TASK0B on")
echo "# TASK_FAILED to relaunch: ${gap:-?} s (failover delay 2 s)"
check "the relaunch waited the failover delay (2 s; took ${gap:-?} s)" ge "$gap" 1.95
check "broker 0 came back on the same agent and endpoint ($EP0)" jtrue "$S/broker/list?broker=0" \
  "j['brokers'][0]['task']['agent_id']=='$AGENT0' and j['brokers'][0]['task']['endpoint']=='$EP0'"
check "RUNNING resets the failure count" jtrue "$S/broker/list?broker=0" "j['brokers'][0]['failover']['failures']==0"
check "every partition is back to 3 in-sync replicas" wait_for 60 full_isr
echo "metric: executor_kill_to_full_isr_s=$(since "$t_kill")"
check "no acknowledged message lost (500)" [ "$(consume_count "$BOOTSTRAP")" = 500 ]

# --- b) agent loss: broker 1's agent removed, then its host back ----------------------------
TASK1=$(b 1 "j['task']['id']"); AGENT1=$(b 1 "j['task']['agent_id']")
HOST1=$(b 1 "j['task']['hostname']"); EP1=$(b 1 "j['task']['endpoint']")
JPID1=$(broker_jvm "$TASK1")
META1=$(md5sum <"$E2E_TMP/data/broker-1/meta.properties")
check "found broker 1's JVM (pid ${JPID1:-none}) on $HOST1" [ -n "$JPID1" ]
t_kill=$(now)
check "POST /local/agents/$AGENT1/remove -> 200" \
  [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MASTER/local/agents/$AGENT1/remove")" = 200 ]
check "the scheduler gets TASK_UNREACHABLE with REASON_AGENT_REMOVED" \
  wait_for 30 grep -q "task $TASK1 is TASK_UNREACHABLE REASON_AGENT_REMOVED" "$SLOG"
t_unreach=$(now)
check "  ... then the agent's FAILURE" wait_for 10 grep -q "agent $AGENT1 lost" "$SLOG"
check "broker 1's processes are gone with the agent" wait_for 10 bash -c "! kill -0 ${JPID1:-0} 2>/dev/null"
check "within the grace broker 1 keeps its task, no failure counted" jtrue "$S/broker/list?broker=1" \
  "j['brokers'][0]['task']['id']=='$TASK1' and j['brokers'][0]['task']['state']=='TASK_UNREACHABLE' and j['brokers'][0]['failover']['failures']==0"
check "after the grace it is given up" wait_for 20 grep -q "task $TASK1 unreachable for [0-9]*s: given up" "$SLOG"
check "  ... not before 5 s" python3 -c "import sys; sys.exit(not $(since "$t_unreach") >= 4.5)"
check "the failure is counted at the give-up (failures 1, last failure TASK_UNREACHABLE)" wait_for 10 jtrue "$S/broker/list?broker=1" \
  "j['brokers'][0]['failover']['failures']==1 and j['brokers'][0]['last_failure'].startswith('TASK_UNREACHABLE: unreachable for') and j['brokers'][0]['active']"
echo "# last failure: $(b 1 "j['last_failure']")"
check "broker 1 waits for its host (voter pinned to $HOST1)" wait_for 30 jtrue "$S/broker/list?broker=1" \
  "j['brokers'][0]['task']['phase']=='pending' and 'controller quorum voter on host $HOST1' in (j['brokers'][0]['task']['waiting_reason'] or '')"
echo "# waiting: $(b 1 "j['task']['waiting_reason']")"
BOOTSTRAP=$(live_bootstrap)
check "2 bootstrap servers while broker 1 is down" [ "$(echo "$BOOTSTRAP" | tr ',' '\n' | wc -l)" = 2 ]
produce 501 1000
check "acks=all writes still succeed with 2 brokers (min.insync.replicas=2)" [ "$?" = 0 ]
check "the 2 brokers serve all 1000 messages" [ "$(consume_count "$BOOTSTRAP")" = 1000 ]
check "broker 1 was not launched elsewhere" [ "$(master_running)" = 2 ]
echo "metric: agent_down_s=$(since "$t_kill")"
t_add=$(now)
out=$(curl -sS -X POST "http://127.0.0.1:$MASTER/local/agents/add?like=$AGENT1")
NEWAGENT=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['agent']['id'])" "$out" 2>/dev/null)
check "POST /local/agents/add?like=$AGENT1: agent $NEWAGENT on $HOST1" \
  python3 -c "import json,sys; a=json.loads(sys.argv[1])['agent']; sys.exit(a['hostname']!='$HOST1' or a['id']=='$AGENT1')" "$out"
check "broker 1 is relaunched and TASK_RUNNING" wait_for 120 running_on 1 "$TASK1"
echo "metric: agent_remove_to_running_s=$(since "$t_kill")"
echo "metric: agent_add_to_running_s=$(since "$t_add")"
check "broker 1 runs on the new agent, same host and endpoint ($EP1)" jtrue "$S/broker/list?broker=1" \
  "j['brokers'][0]['task']['agent_id']=='$NEWAGENT' and j['brokers'][0]['task']['endpoint']=='$EP1'"
check "broker 1 kept its data (meta.properties unchanged)" \
  [ "$(md5sum <"$E2E_TMP/data/broker-1/meta.properties")" = "$META1" ]
TASK1B=$(b 1 "j['task']['id']")
grep -q "storage already formatted" "$(find "$E2E_TMP/agents" -path "*/executors/$TASK1B/*" -name "$TASK1B.stderr" | head -n 1)" 2>/dev/null &&
  ok "  ... and was not formatted again" || not_ok "  ... and was not formatted again"
BOOTSTRAP=$(live_bootstrap)
check "every partition is back to 3 in-sync replicas" wait_for 60 full_isr
echo "metric: agent_remove_to_full_isr_s=$(since "$t_kill")"
check "no acknowledged message lost (1000)" [ "$(consume_count "$BOOTSTRAP")" = 1000 ]

# --- c) failover-max-tries: a broker that keeps failing is deactivated ----------------------
out=$(post update "broker=2&failover_delay=1s&failover_max_delay=10s&failover_max_tries=3&jvm_options=-XX:%2BKmesosNoSuchOption")
check "broker update 2: max tries 3, delay 1s, a JVM option that stops the JVM -> 200" [ "${out%% *}" = 200 ]
TASK2=$(b 2 "j['task']['id']")
JPID2=$(broker_jvm "$TASK2")
check "found broker 2's JVM (pid ${JPID2:-none})" [ -n "$JPID2" ]
t_kill=$(now)
kill -KILL "${JPID2:-0}" 2>/dev/null
check "broker 2 is deactivated after 3 consecutive failures" wait_for 90 jtrue "$S/broker/list?broker=2" \
  "not j['brokers'][0]['active'] and j['brokers'][0]['last_failure'].startswith('deactivated after 3 consecutive failures; last: TASK_FAILED')"
echo "metric: kill_to_deactivated_s=$(since "$t_kill")"
echo "# last failure: $(b 2 "j['last_failure']")"
python3 - "$SLOG" "$TASK2" >"$E2E_TMP/gaps" <<'PY'
import re, sys
seen, fail, gaps, launches = False, None, [], 0
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d\d):(\d\d):(\d\d\.\d+) ", line)
    if not m:
        continue
    t = int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])
    if f"task {sys.argv[2]} is TASK_FAILED" in line:
        seen = True
    if not seen:
        continue
    if re.search(r"task broker-2-\S+ is TASK_FAILED", line):
        fail = t
    elif re.search(r"launching broker-2-", line) and fail is not None:
        gaps.append((t - fail) % 86400)
        launches += 1
        fail = None
print(" ".join(f"{g:.2f}" for g in gaps))
PY
GAPS=$(cat "$E2E_TMP/gaps")
echo "# relaunch delays after each failure: $GAPS s"
check "2 relaunches, after 1 s then 2 s (doubling; got $GAPS)" python3 -c "
import sys; g=[float(x) for x in sys.argv[1].split()]
sys.exit(not (len(g)==2 and g[0]>=0.95 and g[1]>=1.95))" "$GAPS"
died_at_start() {
  find "$E2E_TMP/agents" -path '*/executors/broker-2-*' -name 'broker-2-*.stderr' -exec grep -ls "Unrecognized VM option 'KmesosNoSuchOption'" {} + |
    grep -q .
}
check "the relaunched tasks died at start (java: Unrecognized VM option)" died_at_start
check "no broker 2 task runs and none is pending" jtrue "$S/broker/list?broker=2" \
  "j['brokers'][0]['task']['phase'] in ('done','stopped') and j['brokers'][0]['failover']['failures']==3"
"$KMESOS_BIN/kmesos" --api "127.0.0.1:$API" broker list >"$E2E_TMP/cli.txt" 2>&1
sed 's/^/# /' "$E2E_TMP/cli.txt"
check "kmesos broker list shows broker 2 inactive and why" \
  grep -Eq "^2 +(false|no) .*deactivated after 3 consecutive failures" "$E2E_TMP/cli.txt"
BOOTSTRAP=$(live_bootstrap)
produce 1001 1500
check "acks=all writes still succeed with brokers 0 and 1" [ "$?" = 0 ]
out=$(post update "broker=2&jvm_options=-Dkmesos.e2e=1")
check "broker update 2: the JVM option fixed -> 200" [ "${out%% *}" = 200 ]
t=$(now)
out=$(post start "broker=2")
check "broker start 2 -> 200" [ "${out%% *}" = 200 ]
check "broker 2 is TASK_RUNNING again, failures reset" wait_for 120 jtrue "$S/broker/list?broker=2" \
  "j['brokers'][0]['active'] and j['brokers'][0]['task']['state']=='TASK_RUNNING' and j['brokers'][0]['failover']['failures']==0"
echo "metric: deactivated_start_to_running_s=$(since "$t")"
BOOTSTRAP=$(live_bootstrap)
check "every partition is back to 3 in-sync replicas" wait_for 60 full_isr
check "no acknowledged message lost (1500)" [ "$(consume_count "$BOOTSTRAP")" = 1500 ]

# --- clean up ----------------------------------------------------------------------------------
stop_all_brokers
echo "metric: test_duration_s=$(since "$T_START")"
finish
