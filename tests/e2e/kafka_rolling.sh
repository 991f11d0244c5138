#!/usr/bin/env bash
# End to end: a rolling restart keeps a topic available, and the scheduler
# restart test on ZooKeeper-backed state. A real ZooKeeper server (Debian's
# package, standalone on a loopback port) holds the state
# (--state zk://127.0.0.1:PORT/kafka-mesos/rolling); kmesos-local runs 3
# agents (hosts 127.0.0.1..3) and kmesos-scheduler 3 real Kafka brokers.
# Checks and measures:
#   - broker start * to 3 TASK_RUNNING, and to the first message kcat gets
#     acknowledged (acks=all, a topic auto-created with replication 3);
#   - the scheduler's RSS with 3 brokers running;
#   - broker restart *: one broker at a time (never fewer than 2 RUNNING),
#     each with a new task, while one kcat producer sends a message about
#     every 0.1 s with acks=all (min.insync.replicas=2): every message is
#     acknowledged, none fails, the longest wait between two
#     acknowledgements is printed and bounded, and every message sent can
#     be consumed afterwards; and a Java producer (Kafka's perf producer,
#     acks=all, 20 records/s) sends all its 1,200 records with its worst
#     latency printed and bounded;
#   - scheduler kill -9 + restart on the same znode: same framework id, the
#     three brokers found by reconciliation, nothing launched, the brokers'
#     JVMs untouched (same pids).
# Prints "metric:" lines and "N passed, N failed". Skips (exit 0) when
# ZooKeeper is not installed, or KMESOS_SKIP_KAFKA=1 and no Kafka cache.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib/zk.sh"
if ! zk_available; then
  echo "# SKIP: ZooKeeper is not installed ($ZK_JAR, $ZK_CLI; scripts/install-deps.sh installs it)"
  finish
  exit 0
fi
TOPIC=rolling
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

zk_start "$E2E_TMP/zk" || { not_ok "ZooKeeper starts"; finish; exit 1; }
ZNODE=/kafka-mesos/rolling
ZK="zk://127.0.0.1:$ZK_PORT$ZNODE"
kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1 --state "$ZK"
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }

# --- start: time to RUNNING and to the first acknowledged message --------------------
OPTS='num.partitions=3,default.replication.factor=3,min.insync.replicas=2,group.initial.rebalance.delay.ms=0'
out=$(post add "broker=0..2&cpus=0.5&mem=1024&heap=256&failover_delay=2s&options=$OPTS")
check "broker add 0..2 -> 200" [ "${out%% *}" = 200 ]
t_start=$(now)
out=$(post start "broker=*")
check "broker start * -> 200" [ "${out%% *}" = 200 ]

# first_message: from the moment the scheduler names bootstrap servers, one
# message is offered every 0.3 s until one is acknowledged (the topic
# "first" is auto-created with replication 3 once 3 brokers are up);
# writes the seconds since broker start to first.txt.
first_message() {
  local boot=
  while :; do
    boot=$(json "$S/status" 'j["bootstrap_servers"] or ""' 2>/dev/null)
    if [ -n "$boot" ] && echo "first" | kcat -P -b "$boot" -t first -X acks=all \
         -X message.timeout.ms=3000 2>>"$E2E_TMP/first.log"; then
      since "$t_start" >"$E2E_TMP/first.txt"
      return
    fi
    sleep 0.3
  done
}
first_message &
FIRST_PID=$!
E2E_PIDS+=("$FIRST_PID")

all_running='len([b for b in j["brokers"] if b["task"] and b["task"]["state"]=="TASK_RUNNING"])==3'
if wait_for 120 jtrue "$S/broker/list" "$all_running"; then
  ok "all three brokers TASK_RUNNING"
else
  not_ok "all three brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
echo "metric: broker_start_to_3_running_s=$(since "$t_start")"
check "the first message is acknowledged" wait_for 60 test -s "$E2E_TMP/first.txt"
echo "metric: broker_start_to_first_acked_message_s=$(cat "$E2E_TMP/first.txt" 2>/dev/null)"
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SCHED_PID/status"; }
echo "metric: scheduler_rss_kb_with_3_brokers=$(rss_kb)"

BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
check "kafka-client.sh topics creates '$TOPIC' with replication factor 3" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 3 --replication-factor 3
check "every partition has 3 in-sync replicas" wait_for 30 full_isr

# --- rolling restart under a steady producer ---------------------------------------
# producer: acks_producer (lib/kafka_cluster.sh), each message retried for
# up to 30 s; every delivery logged with its time in acks.txt.
producer() { acks_producer 30000; }
# watch_brokers: every 0.3 s "EPOCH id:task:state ..." until stop exists.
watch_brokers() {
  while [ ! -e "$E2E_TMP/stop" ]; do
    json "$S/broker/list" '" ".join("%d:%s:%s" % (b["id"], (b["task"] or {}).get("id"), (b["task"] or {}).get("state")) for b in j["brokers"])' |
      sed "s/^/$(date +%s.%N) /"
    sleep 0.3
  done >"$E2E_TMP/watch.txt" 2>/dev/null
}
task_ids() { json "$S/broker/list" '",".join(b["task"]["id"] for b in j["brokers"])'; }
OLD_TASKS=$(task_ids)
producer & PRODUCER_PID=$!; E2E_PIDS+=("$PRODUCER_PID")
# A Java producer too (Kafka's perf producer, acks=all, 20 records/s for
# 60 s, longer than the restart takes): its summary line gives the worst
# send-to-acknowledgement latency.
KAFKA_HEAP=128m start perf "$SCRIPTS/kafka-client.sh" producer --topic "$TOPIC" \
  --num-records 1200 --record-size 100 --throughput 20 --producer-props acks=all \
  bootstrap.servers="$BOOTSTRAP"
PERF_PID=$LAST_PID
watch_brokers & E2E_PIDS+=("$!")
sleep 2
t=$(now)
out=$(curl -sS -o "$E2E_TMP/body.json" -w '%{http_code}' -d 'broker=*' "$S/broker/restart")
check "broker restart * -> 202" [ "$out" = 202 ]
check "  ... queues the three brokers" python3 -c \
  "import json; assert sorted(json.load(open('$E2E_TMP/body.json'))['restarting'])==[0,1,2]"
# done when every broker runs a task other than its old one
restarted() {
  json "$S/broker/list" "all(b['task'] and b['task']['state']=='TASK_RUNNING' and b['task']['id'] not in '$OLD_TASKS'.split(',') for b in j['brokers'])" |
    grep -q True
}
check "all three brokers are restarted and TASK_RUNNING" wait_for 240 restarted
echo "metric: rolling_restart_3_brokers_s=$(since "$t")"
sleep 2
touch "$E2E_TMP/stop"
wait "$PRODUCER_PID"
sleep 0.5

python3 - "$E2E_TMP/watch.txt" "$OLD_TASKS" >"$E2E_TMP/watch.out" <<'PY'
import sys
old = set(sys.argv[2].split(","))
least, seen_new = 3, set()
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) != 4:
        continue
    brokers = [p.split(":") for p in parts[1:]]
    least = min(least, sum(1 for _, _, s in brokers if s == "TASK_RUNNING"))
    seen_new |= {b for b, tid, _ in brokers if tid not in old and tid != "None"}
print(least, len(seen_new))
PY
read -r LEAST NEW <"$E2E_TMP/watch.out"
check "one broker at a time: never fewer than 2 RUNNING during the restart (least $LEAST)" [ "$LEAST" -ge 2 ]
check "every broker got a new task (${NEW})" [ "$NEW" = 3 ]

python3 - "$E2E_TMP/acks.txt" "$t" >"$E2E_TMP/acks.out" <<'PY'
import sys
ok, fail, gap, last = 0, 0, 0.0, None
for line in open(sys.argv[1]):
    ts, _, text = line.partition(" ")
    ts = float(ts)
    if "Message delivered to partition" in text:
        ok += 1
        if last is not None and ts > float(sys.argv[2]):
            gap = max(gap, ts - last)
        last = ts
    elif "Delivery failed" in text:
        fail += 1
print(ok, fail, f"{gap:.2f}")
PY
read -r ACKED FAILED GAP <"$E2E_TMP/acks.out"
SENT=$(cat "$E2E_TMP/sent.txt" 2>/dev/null || echo 0)
echo "metric: rolling_restart_producer_sent=$SENT acked=$ACKED failed=$FAILED longest_gap_between_acks_s=$GAP"
check "the producer kept sending during the restart ($SENT sent)" [ "$SENT" -ge 100 ]
check "every message was acknowledged ($ACKED of $SENT)" [ "$ACKED" = "$SENT" ]
check "no delivery failed ($FAILED)" [ "$FAILED" = 0 ]
# The bound is half the message timeout: a pause of 6-8 s is seen once per
# broker (see docs/kafka.md, "Rolling restart"), longer means trouble.
check "never 15 s or more between two acknowledgements (longest $GAP s)" \
  python3 -c "import sys; sys.exit(not float('$GAP') < 15)"
wait "$PERF_PID"; PERF_RC=$?
PERF_LAST=$(grep "records sent" "$E2E_TMP/perf.log" | tail -n 1)
echo "# java perf producer: $PERF_LAST"
PERF_MAX=$(sed -n 's/.*, \([0-9.]*\) ms max latency.*/\1/p' <<<"$PERF_LAST")
echo "metric: rolling_restart_java_producer_max_latency_ms=${PERF_MAX:-none}"
check "the Java producer sent all 1200 records with acks=all (exit $PERF_RC)" \
  bash -c '[ "$1" = 0 ] && grep -q "^1200 records sent" <<<"$2"' _ "$PERF_RC" "$PERF_LAST"
check "the Java producer never waited 10 s for an acknowledgement (worst ${PERF_MAX:-none} ms)" \
  python3 -c "import sys; sys.exit(not float('${PERF_MAX:-1e9}') < 10000)"
check "every partition is back to 3 in-sync replicas" wait_for 60 full_isr
missing=$(kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -o beginning -e -q -f '%k\n' 2>>"$E2E_TMP/kcat.log" |
  sort -u | comm -13 - <(seq 1 "$SENT" | sed 's/^/k/' | sort -u) | wc -l)
check "every acknowledged message can be consumed ($missing missing)" [ "$missing" = 0 ]

# --- scheduler kill -9 and restart on the same znode ----------------------------------
FWID=$(json "$S/status" 'j["framework_id"]')
TASKS=$(task_ids)
jvms() { local t; for t in ${TASKS//,/ }; do broker_jvm "$t"; done | tr '\n' ' '; }
JVMS=$(jvms)
check "found the three brokers' JVMs ($JVMS)" [ "$(wc -w <<<"$JVMS")" = 3 ]
in_znode() { zk_get "$ZNODE" | grep -q "$1"; }
saved() { in_znode "$FWID" && in_znode "${TASKS%%,*}"; }
check "the framework id and the brokers' tasks are in the znode" wait_for 10 saved
kill -KILL "$SCHED_PID"; wait "$SCHED_PID" 2>/dev/null
kafka_scheduler 2 --state "$ZK"
check "the restarted scheduler re-subscribes as the same framework" \
  wait_for 15 jtrue "$S/status" "j['subscribed'] and j['framework_id']=='$FWID'"
check "reconciliation finds the three brokers running" wait_for 15 jtrue "$S/broker/list" "$all_running"
check "with the same tasks" [ "$(task_ids)" = "$TASKS" ]
sleep 2
check "no broker was launched again" jtrue "$S/status" 'j["counters"]["tasks_launched"]==0'
check "the brokers' JVMs kept running (same pids)" [ "$(jvms)" = "$JVMS" ]
check "the master has exactly 3 live broker tasks" jtrue "http://127.0.0.1:$MASTER/master/state" \
  'sum(1 for f in j["frameworks"] for t in f["tasks"] if t["state"]=="TASK_RUNNING")==3'
echo "metric: scheduler_rss_kb_after_restart=$(rss_kb)"

echo "metric: test_duration_s=$(since "$T_START")"
finish
