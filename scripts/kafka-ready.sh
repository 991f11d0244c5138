#!/usr/bin/env bash
# Readiness check of ONE Kafka broker: the kafka-mesos executor runs it as
# KMESOS_READY_COMMAND (every KMESOS_READY_INTERVAL seconds once the client
# port accepts connections) and reports TASK_RUNNING only when it exits 0,
# so a rolling restart moves on only once the broker is back and in sync.
#
# Exits 0 when, asked through this broker's own listener:
#   1. node KAFKA_NODE_ID is registered and unfenced in the cluster metadata
#      (a metadata response lists only live brokers), and
#   2. no partition that has it as a replica lacks it in its ISR
#      (partitions under-replicated only because of another broker do not
#      hold this one back).
# Otherwise exits 1. Either way the last output line says why (it becomes
# the TASK_RUNNING message, or the "not ready in time: ..." failure).
#
# Both answers come from one metadata request sent with kcat (librdkafka:
# tens of milliseconds) when kcat is on the PATH (or KAFKA_READY_KCAT names
# it); otherwise from Kafka's own tools (BrokerApiVersionsCommand, then
# TopicCommand --describe --under-replicated-partitions: two short JVMs,
# 2-3 s). KAFKA_READY_KCAT=none forces the JVM tools.
#
# Env: KAFKA_NODE_ID, KAFKA_PORT (required), KAFKA_HOST (default: this
# host's name), KAFKA_READY_TIMEOUT_MS (per request, default 5000),
# KAFKA_READY_KCAT, KAFKA_LIBS, JAVA_HOME. The broker's KAFKA_HEAP,
# KAFKA_JVM_OPTIONS and KAFKA_LOG_LEVEL are not used for the checks' JVMs.
set -uo pipefail

die() { echo "kafka-ready: error: $*"; exit 2; }
[[ ${KAFKA_NODE_ID:-} =~ ^[0-9]+$ ]] || die "KAFKA_NODE_ID must be a number, got '${KAFKA_NODE_ID:-}'"
case ",${KAFKA_PROCESS_ROLES:-broker}," in
  *,broker,*) ;;
  *) echo "node $KAFKA_NODE_ID is a controller only: nothing to check"; exit 0 ;;
esac
[[ ${KAFKA_PORT:-} =~ ^[0-9]+$ ]] || die "KAFKA_PORT must be a number, got '${KAFKA_PORT:-}'"
ID=$KAFKA_NODE_ID
HOST=${KAFKA_HOST:-$(hostname -f 2>/dev/null || hostname)}
BOOTSTRAP=$HOST:$KAFKA_PORT
MS=${KAFKA_READY_TIMEOUT_MS:-5000}
[[ $MS =~ ^[0-9]+$ ]] || die "KAFKA_READY_TIMEOUT_MS must be a number, got '$MS'"
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLIENT=$SELF_DIR/kafka-client.sh

# lagging_in LINES: reads "partition P|replicas|isrs" lines (comma lists)
# and prints "N partition(s), e.g. P (replicas R, isr I)" for those that
# have node $ID as a replica but not in their ISR; nothing when none.
lagging_in() {
  awk -F'|' -v id="$ID" '
    function has(list, x,   a, n, i) { n = split(list, a, ","); for (i = 1; i <= n; i++) if (a[i] == x) return 1; return 0 }
    NF == 3 && has($2, id) && !has($3, id) { n++; if (n == 1) first = $1 " (replicas " $2 ", isr " $3 ")" }
    END { if (n) print n " partition(s), e.g. " first }'
}

# check_kcat: one metadata request. Its text lists "  broker N at H:P" for
# every live broker and, per topic, "    partition P, leader L, replicas:
# a,b, isrs: a" lines (an error suffix may follow).
check_kcat() {
  local out
  out=$(timeout $(( MS / 1000 + 5 )) "$KCAT" -L -b "$BOOTSTRAP" -m $(( (MS + 999) / 1000 )) \
    -X socket.connection.setup.timeout.ms="$MS" 2>&1) || {
    echo "node $ID: no answer on $BOOTSTRAP: $(tail -n 1 <<< "$out")"; return 1; }
  grep -Eq "^ +broker $ID at " <<< "$out" || {
    echo "node $ID is not registered in the cluster metadata yet"; return 1; }
  LAGGING=$(awk '
    /^ +topic "/ { t = $2; gsub(/"/, "", t) }
    /^ +partition [0-9]+,/ {
      p = $2; sub(/,$/, "", p)
      r = $0; sub(/.*replicas: /, "", r); sub(/, isrs:.*/, "", r); gsub(/ /, "", r)
      s = $0; sub(/.*isrs: /, "", s); sub(/[^0-9,].*/, "", s)
      print t "-" p "|" r "|" s
    }' <<< "$out" | lagging_in)
}

# check_jvm: the same two answers from Kafka's own tools.
check_jvm() {
  local conf out
  # Short timeouts so one check never outlasts a few seconds.
  conf=${TMPDIR:-/tmp}/kafka-ready-$(id -u)-$$.properties
  trap 'rm -f "$conf"' EXIT
  printf '%s\n' "request.timeout.ms=$MS" "default.api.timeout.ms=$MS" \
    "socket.connection.setup.timeout.ms=$MS" "socket.connection.setup.timeout.max.ms=$MS" \
    > "$conf" || die "cannot write $conf"
  client() {
    KAFKA_HEAP=128m KAFKA_JVM_OPTIONS=-XX:TieredStopAtLevel=1 KAFKA_LOG_LEVEL=ERROR \
      timeout $(( MS * 3 / 1000 + 10 )) "$SELF_DIR/kafka-client.sh" "$@" \
      --bootstrap-server "$BOOTSTRAP" --command-config "$conf" 2>&1
  }
  # "host:port (id: N rack: ... isFenced: false) -> (" lines.
  out=$(client org.apache.kafka.tools.BrokerApiVersionsCommand) || {
    echo "node $ID: no answer on $BOOTSTRAP: $(tail -n 1 <<< "$out")"; return 1; }
  grep -q "(id: $ID rack" <<< "$out" || {
    echo "node $ID is not registered in the cluster metadata yet"; return 1; }
  # "Topic: T<TAB>Partition: P<TAB>Leader: L<TAB>Replicas: a,b<TAB>Isr: a<TAB>..." lines.
  out=$(client topics --describe --under-replicated-partitions) || {
    echo "node $ID: cannot describe the partitions: $(tail -n 1 <<< "$out")"; return 1; }
  LAGGING=$(awk -F'\t' '
    /Partition:/ {
      t = p = r = s = ""
      for (i = 1; i <= NF; i++) {
        f = $i; sub(/^[ ]+/, "", f)
        if (f ~ /^Topic: /) t = substr(f, 8)
        else if (f ~ /^Partition: /) p = substr(f, 12)
        else if (f ~ /^Replicas: /) r = substr(f, 11)
        else if (f ~ /^Isr: /) s = substr(f, 6)
      }
      print t "-" p "|" r "|" s
    }' <<< "$out" | lagging_in)
}

KCAT=${KAFKA_READY_KCAT:-$(command -v kcat || command -v kafkacat || true)}
LAGGING=
if [ -n "$KCAT" ] && [ "$KCAT" != none ]; then
  check_kcat || exit 1
else
  check_jvm || exit 1
fi
if [ -n "$LAGGING" ]; then
  echo "node $ID is registered but not in sync yet: not in the ISR of $LAGGING"
  exit 1
fi
echo "node $ID is registered and in sync: in the ISR of every partition it replicates"
