#!/usr/bin/env bash
# End to end: Kafka topics through the scheduler (kmesos topic ... and
# /api/topic/...), on a real 3-broker cluster under kmesos-local. Before
# any broker runs a topic command answers 503. Bad input is refused with
# 400 naming the field before Kafka is asked (no name, a bad name,
# partitions 0, a replication factor above the running brokers, an unknown
# parameter, options that are not k=v, replication_factor on update).
# Then, each checked with kcat's metadata (kcat -L -J) and Kafka's own
# ConfigCommand (scripts/kafka-client.sh): kmesos topic add with
# partitions, replication factor and configs (a value with a comma passes
# whole); list (table and JSON); an existing name and an unknown config
# are refused with Kafka's text and create nothing; update adds
# partitions and changes a config while keeping the others; fewer
# partitions, an unknown config, or both a good partition count and a bad
# config are refused and change nothing (validate_only first); an unknown
# topic is 404; delete removes it; the scheduler still stops at once on
# SIGTERM (the admin client is closed off the loop) and its log has no
# sanitizer report. Prints "N passed, N failed".
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/lib/kafka_prelude.sh"
check "the Kafka tarball is in the cache" test -f "$DIST"
. "$(dirname "$0")/lib/kafka_cluster.sh"
kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
KM=("$KMESOS_BIN/kmesos" --api "http://127.0.0.1:$API")

# tpost CMD FORM: POST /api/topic/CMD; prints "STATUS BODY".
tpost() {
  curl -sS -o "$E2E_TMP/tbody.json" -w '%{http_code}' -d "$2" "$S/topic/$1"
  printf ' '; tr -d '\n' <"$E2E_TMP/tbody.json"
}
# tbad CMD FORM FIELD [STATUS]: the answer is STATUS (400) naming FIELD
# (-: no field).
tbad() {
  local out; out=$(tpost "$1" "$2")
  echo "# $1 $2 -> $out"
  [ "${out%% *}" = "${4:-400}" ] && python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(j.get('field')!=(None if sys.argv[2]=='-' else sys.argv[2]) or not j['error'])" "${out#* }" "$3"
}
# tmd NAME EXPR: the Python expression EXPR holds of t, topic NAME in
# kcat's metadata (None when the cluster has no such topic).
tmd() {
  kcat -L -J -b "$BOOTSTRAP" -m 5 2>/dev/null | python3 -c "
import json, sys
j = json.load(sys.stdin)
t = next((x for x in j['topics'] if x['topic'] == sys.argv[1]), None)
sys.exit(0 if eval(sys.argv[2]) else 1)" "$1" "$2"
}
# tconfigs NAME: the topic's configs as Kafka's ConfigCommand describes them.
tconfigs() {
  KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS=$KAFKA_LIBS "$SCRIPTS/kafka-client.sh" \
    org.apache.kafka.tools.ConfigCommand --bootstrap-server "$BOOTSTRAP" --describe \
    --entity-type topics --entity-name "$1" 2>>"$E2E_TMP/configs.log"
}

# --- no broker yet -------------------------------------------------------------------
check "topic list before any broker runs -> 503" tbad list "" - 503
out=$(tpost list ""); check "it says no broker is running" grep -q "no broker is running" <<<"$out"

# --- brokers --------------------------------------------------------------------------
out=$(post add "broker=0..2&cpus=0.5&mem=1024&heap=256&options=auto.create.topics.enable=false,group.initial.rebalance.delay.ms=0")
check "broker add 0..2 -> 200" [ "${out%% *}" = 200 ]
out=$(post start "broker=*")
if wait_for 150 settled; then ok "three brokers TASK_RUNNING"; else
  not_ok "three brokers TASK_RUNNING"; finish; exit 1; fi
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')

# --- bad input: 400 naming the field, before Kafka is asked ---------------------------
check "add without a name -> 400 topic" tbad add "partitions=1" topic
check "add with a bad name -> 400 topic" tbad add "topic=no/slash" topic
check "partitions 0 -> 400 partitions" tbad add "topic=t0&partitions=0" partitions
check "partitions not a number -> 400 partitions" tbad add "topic=t0&partitions=many" partitions
check "replication factor 4 with 3 brokers -> 400 replication_factor" \
  tbad add "topic=t0&replication_factor=4" replication_factor
check "an unknown parameter -> 400 naming it" tbad add "topic=t0&colour=red" colour
check "options that are not k=v -> 400 options" tbad add "topic=t0&options=oops" options
check "update with replication_factor -> 400 replication_factor" \
  tbad update "topic=t0&replication_factor=2" replication_factor
check "update with nothing to change -> 400" tbad update "topic=t0" options
check "an unknown command -> 404" [ "$(tpost frobnicate "topic=t0" | cut -d' ' -f1)" = 404 ]
check "GET of a mutating command -> 405" \
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$S/topic/add?topic=t0")" = 405 ]
check "none of that made a topic" tmd t0 't is None'
check "kmesos topic add without a name fails before asking" \
  bash -c '! "$@" topic add 2>/dev/null' _ "${KM[@]}"

# --- add --------------------------------------------------------------------------------------
t=$(now)
check "kmesos topic add t1 --partitions 3 --replication-factor 3 --options ..." \
  "${KM[@]}" topic add t1 --partitions 3 --replication-factor 3 \
  --options retention.ms=3600000,cleanup.policy=compact,delete
echo "metric: topic_add_s=$(since "$t")"
check "kcat: t1 has 3 partitions of 3 replicas each" \
  tmd t1 'len(t["partitions"])==3 and all(len(p["replicas"])==3 for p in t["partitions"])'
tconfigs t1 >"$E2E_TMP/t1.configs"
check "ConfigCommand: retention.ms=3600000" grep -q "retention.ms=3600000" "$E2E_TMP/t1.configs"
check "ConfigCommand: cleanup.policy=compact,delete (a comma inside a value)" \
  grep -q "cleanup.policy=compact,delete" "$E2E_TMP/t1.configs"
check "list ?topic=t1: 3 partitions, factor 3, its configs" jtrue "$S/topic/list?topic=t1" \
  'j["topics"][0]["partitions"]==3 and j["topics"][0]["replication_factor"]==3 and j["topics"][0]["configs"]["retention.ms"]=="3600000" and j["topics"][0]["under_replicated"]==0 and len(j["topics"][0]["assignment"][0]["isr"])==3'
# /metrics: the partition gauges come from the admin client's summary (a
# scrape reads the last one and asks for a fresh one when it is old)
PROM=(/usr/bin/python3 "$KMESOS_SRC/tests/e2e/lib/prom.py" "http://127.0.0.1:$API/metrics")
check "/metrics: kmesos_kafka_under_replicated_partitions 0 (parsed by prometheus_client)" \
  wait_for 20 bash -c '[ "$("$@" value kmesos_kafka_under_replicated_partitions 2>/dev/null)" = 0 ]' _ "${PROM[@]}"
check "/metrics: kmesos_kafka_offline_partitions 0" \
  bash -c '[ "$("$@" value kmesos_kafka_offline_partitions)" = 0 ]' _ "${PROM[@]}"
"${KM[@]}" topic list >"$E2E_TMP/list.txt" 2>&1
check "kmesos topic list shows t1 with 3 partitions and factor 3" \
  grep -Eq '^t1 +3 +3 ' "$E2E_TMP/list.txt"
cat "$E2E_TMP/list.txt"
check "adding t1 again -> 400 topic, Kafka's text" tbad add "topic=t1&partitions=1" topic
check "  ... which says it exists" grep -qi "exists" "$E2E_TMP/tbody.json"
check "an unknown config on add -> 400 options" tbad add "topic=t2&options=no.such.config=1" options
check "  ... and t2 was not created" tmd t2 't is None'
out=$("${KM[@]}" topic add t2 --options no.such.config=1 2>&1)
check "kmesos topic add with an unknown config fails and names --options" \
  grep -q "options" <<<"$out"

# --- update ------------------------------------------------------------------------------------
check "kmesos topic update t1 --partitions 6" "${KM[@]}" topic update t1 --partitions 6
check "kcat: t1 has 6 partitions" tmd t1 'len(t["partitions"])==6'
check "kmesos topic update t1 --options retention.ms=7200000" \
  "${KM[@]}" topic update t1 --options retention.ms=7200000
tconfigs t1 >"$E2E_TMP/t1.configs"
check "ConfigCommand: retention.ms=7200000" grep -q "retention.ms=7200000" "$E2E_TMP/t1.configs"
check "ConfigCommand: cleanup.policy kept" grep -q "cleanup.policy=compact,delete" "$E2E_TMP/t1.configs"
check "fewer partitions -> 400 partitions" tbad update "topic=t1&partitions=2" partitions
check "an unknown config on update -> 400 options" tbad update "topic=t1&options=no.such.config=1" options
check "a good partition count with a bad config -> 400 options" \
  tbad update "topic=t1&partitions=8&options=retention.ms=oops" options
check "  ... t1 still has 6 partitions" tmd t1 'len(t["partitions"])==6'
tconfigs t1 >"$E2E_TMP/t1.configs"
check "  ... and retention.ms=7200000" grep -q "retention.ms=7200000" "$E2E_TMP/t1.configs"
check "removing a config (retention.ms=)" "${KM[@]}" topic update t1 --options retention.ms=
check "  ... list no longer shows it, cleanup.policy stays" jtrue "$S/topic/list?topic=t1" \
  '"retention.ms" not in j["topics"][0]["configs"] and j["topics"][0]["configs"]["cleanup.policy"]=="compact,delete"'
check "update of an unknown topic -> 404 topic" tbad update "topic=nope&partitions=2" topic 404
check "list of an unknown topic -> 404 topic" tbad list "topic=nope" topic 404

# --- delete ------------------------------------------------------------------------------------
check "kmesos topic delete t1" "${KM[@]}" topic delete t1
check "kcat: t1 is gone" wait_for 20 tmd t1 't is None'
check "delete of an unknown topic -> 404 topic" tbad delete "topic=t1" topic 404

stop_all_brokers

# --- the scheduler stops cleanly with its admin client ---------------------------------------
gone() { [ -z "$(ps -o stat= -p "$1" | grep -v Z)" ]; }
t=$(now)
kill -TERM "$SCHED_PID"
check "the scheduler exits within 30 s of SIGTERM with its admin client open" wait_for 30 gone "$SCHED_PID"
echo "metric: sigterm_to_exit_s=$(since "$t")"
check "no sanitizer report in the scheduler's log" bash -c '! grep -q Sanitizer "$1"' _ "$E2E_TMP/sched1.log"
echo "metric: test_duration_s=$(since "$T_START")"
finish
