#!/usr/bin/env bash
# Readiness check of ONE Kafka broker: the kafka-mesos executor runs it as
# KMESOS_READY_COMMAND (every KMESOS_READY_INTERVAL seconds once the client
# port accepts connections) and reports TASK_RUNNING only when it exits 0,
# so a rolling restart moves on only once the broker is back and in sync.
#
# Exits 0 when, asked through this broker's own listener:
#   1. node KAFKA_NODE_ID is registered and unfenced in the cluster metadata
#      (it is listed by a metadata request: BrokerApiVersionsCommand), and
#   2. no partition that has it as a replica lacks it in its ISR
#      (TopicCommand --describe --under-replicated-partitions, filtered for
#      this node; partitions under-replicated only because of another
#      broker do not hold this one back).
# Otherwise exits 1. Either way the last output line says why (it becomes
# the TASK_RUNNING message, or the "not ready in time: ..." failure).
#
# Env: KAFKA_NODE_ID, KAFKA_PORT (required), KAFKA_HOST (default: this
# host's name), KAFKA_READY_TIMEOUT_MS (per request, default 5000),
# KAFKA_LIBS, JAVA_HOME. The broker's KAFKA_HEAP, KAFKA_JVM_OPTIONS and
# KAFKA_LOG_LEVEL are not used for the checks' JVMs.
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

# Short timeouts so one check never outlasts a few seconds.
CONF=${TMPDIR:-/tmp}/kafka-ready-$(id -u)-$$.properties
trap 'rm -f "$CONF"' EXIT
printf '%s\n' "request.timeout.ms=$MS" "default.api.timeout.ms=$MS" \
  "socket.connection.setup.timeout.ms=$MS" "socket.connection.setup.timeout.max.ms=$MS" \
  > "$CONF" || die "cannot write $CONF"
client() {
  KAFKA_HEAP=128m KAFKA_JVM_OPTIONS=-XX:TieredStopAtLevel=1 KAFKA_LOG_LEVEL=ERROR \
    timeout $(( MS * 3 / 1000 + 10 )) "$CLIENT" "$@" --bootstrap-server "$BOOTSTRAP" \
    --command-config "$CONF" 2>&1
}

# 1. registered: "host:port (id: N rack: ... isFenced: false) -> (" lines.
out=$(client org.apache.kafka.tools.BrokerApiVersionsCommand) || {
  echo "node $ID: no answer on $BOOTSTRAP: $(tail -n 1 <<< "$out")"; exit 1; }
grep -q "(id: $ID rack" <<< "$out" || {
  echo "node $ID is not registered in the cluster metadata yet"; exit 1; }

# 2. in sync: lines "Topic: T<TAB>Partition: P<TAB>Leader: L<TAB>Replicas: a,b<TAB>Isr: a<TAB>...".
out=$(client topics --describe --under-replicated-partitions) || {
  echo "node $ID: cannot describe the partitions: $(tail -n 1 <<< "$out")"; exit 1; }
lagging=$(awk -F'\t' -v id="$ID" '
  function has(list, x,   a, n, i) { n = split(list, a, ","); for (i = 1; i <= n; i++) if (a[i] == x) return 1; return 0 }
  /Partition:/ {
    t = p = r = s = ""
    for (i = 1; i <= NF; i++) {
      f = $i; sub(/^[ ]+/, "", f)
      if (f ~ /^Topic: /) t = substr(f, 8)
      else if (f ~ /^Partition: /) p = substr(f, 12)
      else if (f ~ /^Replicas: /) r = substr(f, 11)
      else if (f ~ /^Isr: /) s = substr(f, 6)
    }
    if (has(r, id) && !has(s, id)) { n++; if (n == 1) first = t "-" p " (replicas " r ", isr " s ")" }
  }
  END { if (n) print n " partition(s), e.g. " first }' <<< "$out")
if [ -n "$lagging" ]; then
  echo "node $ID is registered but not in sync yet: not in the ISR of $lagging"
  exit 1
fi
echo "node $ID is registered and in sync: in the ISR of every partition it replicates"
