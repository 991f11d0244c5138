#!/usr/bin/env bash
# End to end (issue 14, partition reassignment): kmesos-local with 5
# agents (hosts 127.0.0.1..5, racks r1..r5), kmesos-scheduler running real
# Kafka brokers. Brokers 0..2 start; a topic of 6 partitions with
# replication factor 2 (min.insync.replicas=2) gets ~20 MB; a kcat
# producer (acks=all, one message about every 0.1 s, each delivery
# reported) and Kafka's Java perf producer (acks=all) run throughout.
#   - bad rebalance requests: 400 naming broker, topics, throttle; a
#     single target broker for replication factor 2 is refused (broker)
#     and nothing moves;
#   - `broker clone 0 --to 3..4`, start them, `broker rebalance '*'`: the
#     scheduler runs Kafka's reassignment tool; `broker rebalance --wait`
#     prints progress lines until done (exit 0), as GET
#     /api/broker/rebalance shows; every broker then carries replicas;
#   - `broker stop 4` + `broker remove 4`: 202 draining, its replicas
#     move to the others, then it is removed; it holds none, every
#     partition has ISR = replication factor;
#   - the producers lost nothing (acknowledged = consumed).
# Prints metric: lines (rebalance and drain time, bytes moved, the
# producers' worst waits) and "N passed, N failed".
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

TOPIC=rebal
PARTITIONS=6
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

KAFKA_AGENTS='[{"hostname":"127.0.0.1","attributes":"rack:r1"},{"hostname":"127.0.0.2","attributes":"rack:r2"},{"hostname":"127.0.0.3","attributes":"rack:r3"},{"hostname":"127.0.0.4","attributes":"rack:r4"},{"hostname":"127.0.0.5","attributes":"rack:r5"}]'
kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
KM=("$KMESOS_BIN/kmesos" --api "http://127.0.0.1:$API")

running() { jtrue "$S/broker/list" "len([x for x in j['brokers'] if x['task'] and x['task']['state']=='TASK_RUNNING'])==$1"; }
OPTS='min.insync.replicas=2,group.initial.rebalance.delay.ms=0'
out=$(post add "broker=0..2&cpus=0.5&mem=1024&heap=256&failover_delay=2s&options=$OPTS")
check "broker add 0..2 -> 200" [ "${out%% *}" = 200 ]
out=$(post start "broker=*")
check "broker start * -> 200" [ "${out%% *}" = 200 ]
if ! wait_for 180 running 3; then
  not_ok "3 brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
ok "3 brokers TASK_RUNNING"
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
check "topic '$TOPIC': 6 partitions, replication factor 2" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 6 \
  --replication-factor 2
# ~20 MB to move: 20,000 messages of 1 kB, keys f1..f20000
python3 -c "
import sys
v = 'x' * 1000
sys.stdout.write(''.join(f'f{i}:{v}\n' for i in range(1, 20001)))" |
  kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -K: -X acks=all 2>>"$E2E_TMP/kcat.log"
check "kcat wrote 20,000 messages of 1 kB" [ "$?" = 0 ]

# assignment: "topic-p:r1,r2:isr1,isr2" per partition of $TOPIC (kcat -L)
assignment() {
  kcat -L -b "$BOOTSTRAP" -t "$TOPIC" 2>/dev/null |
    sed -n 's/.*partition \([0-9]*\), leader [-0-9]*, replicas: \([0-9,]*\), isrs: \([0-9,]*\).*/\1:\2:\3/p'
}
# brokers_with_replicas: the broker ids holding replicas of $TOPIC, sorted
brokers_with_replicas() { assignment | cut -d: -f2 | tr ',' '\n' | sort -nu | tr '\n' ' '; }
# full: every partition has 2 replicas, all in sync
full() {
  [ "$(assignment | awk -F: '{ n++; if (split($2, r, ",") == 2 && split($3, i, ",") == 2) f++ } END { print f "/" n }')" = "6/6" ]
}

# --- producers throughout ---------------------------------------------------------------
# acks_producer (lib/kafka_cluster.sh): every delivery logged with its time
producer() { acks_producer 60000; }
producer & PRODUCER_PID=$!; E2E_PIDS+=("$PRODUCER_PID")
KAFKA_HEAP=128m start perf "$SCRIPTS/kafka-client.sh" producer --topic "$TOPIC" \
  --num-records 100000000 --record-size 100 --throughput 20 --producer-props acks=all \
  bootstrap.servers="$BOOTSTRAP"
PERF_PID=$LAST_PID

# --- bad input ------------------------------------------------------------------------------
check "rebalance broker=0..9 -> 400 naming broker" bad rebalance 'broker=0..9' broker
check "rebalance topics=([a -> 400 naming topics" bad rebalance 'broker=*&topics=(%5Ba' topics
check "rebalance throttle=10MB -> 400 naming throttle" bad rebalance 'broker=*&throttle=10MB' throttle
check "rebalance throttle=0 -> 400 naming throttle" bad rebalance 'broker=*&throttle=0' throttle
check "rebalance without broker -> 400 naming broker" bad rebalance 'topics=x' broker
check "rebalance nosuch=1 -> 400 naming nosuch" bad rebalance 'broker=*&nosuch=1' nosuch
BEFORE=$(assignment | cut -d: -f1,2 | tr '\n' ' ')
out=$(post rebalance 'broker=0')
echo "# rebalance to broker 0 alone: $out"
check "rebalance to 1 broker with replication factor 2 -> 400 naming broker" \
  bash -c '[ "${1%% *}" = 400 ] && grep -q "replication factor 2 but only 1 target broker" <<<"$1"' _ "$out"
check "  ... and nothing moved" [ "$(assignment | cut -d: -f1,2 | tr '\n' ' ')" = "$BEFORE" ]

# --- two more brokers, rebalance '*' ---------------------------------------------------------
check "broker clone 0 --to 3..4 (the CLI)" "${KM[@]}" broker clone 0 --to 3..4
check "broker start 3..4 (the CLI)" "${KM[@]}" broker start 3..4
check "5 brokers TASK_RUNNING" wait_for 180 running 5
echo "# before: replicas on brokers $(brokers_with_replicas)"
check "before: brokers 3 and 4 hold no replica" [ "$(brokers_with_replicas)" = "0 1 2 " ]
t=$(now); echo "rebalance $t" >"$E2E_TMP/phases.txt"
check "kmesos broker rebalance '*' (the CLI)" "${KM[@]}" broker rebalance '*'
"${KM[@]}" broker rebalance >"$E2E_TMP/progress.txt" 2>&1
echo "# progress: $(tr -d '\n ' <"$E2E_TMP/progress.txt" | cut -c1-300)"
check "a second rebalance while one runs -> 400 naming broker" bad rebalance 'broker=*' broker
timeout 300 "${KM[@]}" broker rebalance --wait >"$E2E_TMP/wait.txt" 2>&1
check "kmesos broker rebalance --wait: exit 0 when it ended" [ "$?" = 0 ]
REB_S=$(since "$t")
sed 's/^/# wait: /' "$E2E_TMP/wait.txt"
check "  ... printed progress lines (not a TTY), the last one 'rebalance done:'" \
  bash -c '[ "$(grep -c "^rebalance " "$1")" -ge 2 ] && tail -n 1 "$1" | grep -q "^rebalance done: "' _ "$E2E_TMP/wait.txt"
done_state() { jtrue "$S/broker/rebalance" "j['rebalance']['state']=='done'"; }
check "GET /api/broker/rebalance: done" done_state
json "$S/broker/rebalance" 'j' >"$E2E_TMP/rebalance.json"
cat "$E2E_TMP/rebalance.json"
MOVED=$(json "$S/broker/rebalance" 'j["rebalance"]["moved"]')
PARTS=$(json "$S/broker/rebalance" 'j["rebalance"]["partitions"]')
BYTES=$(json "$S/broker/rebalance" 'j["rebalance"]["bytes_moved"]')
echo "metric: rebalance_s=$REB_S partitions_moved=$MOVED bytes_moved=$BYTES"
check "every partition of the plan moved ($MOVED of $PARTS)" [ "$MOVED" = "$PARTS" ]
check "bytes moved measured (> 10 MB: $BYTES)" [ "${BYTES:-0}" -gt 10000000 ]
echo "# after: replicas on brokers $(brokers_with_replicas)"
check "every broker carries replicas" [ "$(brokers_with_replicas)" = "0 1 2 3 4 " ]
check "every partition fully replicated" wait_for 60 full

# --- drain: stop 4, remove 4 --------------------------------------------------------------------
echo "rebalanced $(now)" >>"$E2E_TMP/phases.txt"
echo "stop-4 $(now)" >>"$E2E_TMP/phases.txt"
check "broker stop 4" "${KM[@]}" broker stop 4
check "broker 4's task ends KILLED" wait_for 60 jtrue "$S/broker/list?broker=4" \
  'j["brokers"][0]["task"]["state"]=="TASK_KILLED"'
t=$(now)
out=$(post remove 'broker=4')
echo "# remove 4: $out"
check "broker remove 4 -> 202 {\"draining\":[4]}" \
  bash -c '[ "${1%% *}" = 202 ] && python3 -c "import json,sys; assert json.loads(sys.argv[1])[\"draining\"]==[4]" "${1#* }"' _ "$out"
gone() { ! jtrue "$S/broker/list" 'any(b["id"]==4 for b in j["brokers"])'; }
check "broker 4 is removed once drained" wait_for 300 gone
echo "drained $(now)" >>"$E2E_TMP/phases.txt"
echo "metric: drain_s=$(since "$t") drain_bytes=$(json "$S/broker/rebalance" 'j["rebalance"]["bytes_moved"]')"
echo "# after the drain: replicas on brokers $(brokers_with_replicas)"
check "broker 4 holds no replica" [ "$(brokers_with_replicas)" = "0 1 2 3 " ]
check "every partition has ISR = replication factor (2)" wait_for 60 full
out=$(post remove 'broker=3&force=maybe')
check "remove force=maybe -> 400 naming force" [ "${out%% *}" = 400 ]

# --- nothing lost -----------------------------------------------------------------------------------
sleep 2
touch "$E2E_TMP/stop"
wait "$PRODUCER_PID"
kill "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null
# the longest wait between two acknowledgements, and the phase it ended in
python3 - "$E2E_TMP/acks.txt" "$E2E_TMP/phases.txt" >"$E2E_TMP/acks.out" <<'PY'
import sys
phases = [(float(t), name) for name, t in (l.split() for l in open(sys.argv[2]))]
ok, fail, gap, last, at = 0, 0, 0.0, None, 0.0
for line in open(sys.argv[1]):
    ts, _, text = line.partition(" ")
    if "Message delivered to partition" in text:
        ok += 1
        if last is not None and float(ts) - last > gap:
            gap, at = float(ts) - last, float(ts)
        last = float(ts)
    elif "Delivery failed" in text:
        fail += 1
phase = ([n for t, n in phases if t <= at] or ["start"])[-1]
print(ok, fail, f"{gap:.2f}", phase)
PY
read -r ACKED FAILED GAP GAP_PHASE <"$E2E_TMP/acks.out"
echo "# the longest wait between acknowledgements ended after: $GAP_PHASE"
SENT=$(cat "$E2E_TMP/sent.txt" 2>/dev/null || echo 0)
PERF_MAX=$(grep -o '[0-9.]* ms max latency' "$E2E_TMP/perf.log" | awk '{ if ($1 > m) m = $1 } END { print m + 0 }')
echo "metric: producer_sent=$SENT acked=$ACKED failed=$FAILED longest_gap_between_acks_s=$GAP"
echo "metric: java_producer_worst_max_latency_ms=$PERF_MAX"
check "the producer kept sending ($SENT sent)" [ "$SENT" -ge 100 ]
check "every message was acknowledged ($ACKED of $SENT)" [ "$ACKED" = "$SENT" ]
check "no delivery failed ($FAILED)" [ "$FAILED" = 0 ]
missing=$(kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -o beginning -e -q -f '%k\n' 2>>"$E2E_TMP/kcat.log" |
  grep '^k' | sort -u | comm -13 - <(seq 1 "$SENT" | sed 's/^/k/' | sort -u) | wc -l)
check "every acknowledged message can be consumed ($missing missing)" [ "$missing" = 0 ]

stop_all_brokers_n() {
  out=$(post stop "broker=*")
  check "broker stop * -> 200" [ "${out%% *}" = 200 ]
}
stop_all_brokers_n
echo "metric: test_duration_s=$(since "$T_START")"
finish
