#!/usr/bin/env bash
# Runs a Kafka client tool against the cluster named by
# KAFKA_BOOTSTRAP_SERVERS: the perf producer or consumer (what kafka-mesos
# producer and consumer tasks run), the topic admin tool, or any main class
# on Kafka's classpath. Execs the JVM so signals reach the tool.
#
#   kafka-client.sh producer [ProducerPerformance args]
#   kafka-client.sh consumer [ConsumerPerformance args]
#   kafka-client.sh topics   [TopicCommand args]
#   kafka-client.sh quorum   [MetadataQuorumCommand args]
#   kafka-client.sh org.some.MainClass [args]
#
# With no arguments the tool and its arguments come from KAFKA_TOOL and
# KAFKA_TOOL_ARGS (split on whitespace), so a Mesos task can be described
# with environment variables only.
#
# --bootstrap-server $KAFKA_BOOTSTRAP_SERVERS is added unless the arguments
# already name one. Env: KAFKA_BOOTSTRAP_SERVERS (required for the named
# tools), KAFKA_LIBS, KAFKA_HEAP (default 256m), KAFKA_JVM_OPTIONS,
# KAFKA_LOG_LEVEL (default WARN), JAVA_HOME.
set -euo pipefail

die() { echo "kafka-client: error: $*" >&2; exit 2; }

if [ $# -eq 0 ]; then
  [ -n "${KAFKA_TOOL:-}" ] || die "usage: kafka-client.sh producer|consumer|topics|quorum|MAIN_CLASS [args] (or set KAFKA_TOOL, KAFKA_TOOL_ARGS)"
  # shellcheck disable=SC2206,SC2086
  set -- "$KAFKA_TOOL" ${KAFKA_TOOL_ARGS:-}
fi
tool=$1; shift

case $tool in
  producer) CLASS=org.apache.kafka.tools.ProducerPerformance ;;
  consumer) CLASS=org.apache.kafka.tools.ConsumerPerformance ;;
  topics)   CLASS=org.apache.kafka.tools.TopicCommand ;;
  quorum)   CLASS=org.apache.kafka.tools.MetadataQuorumCommand ;;
  -h|--help|help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *.*)      CLASS=$tool ;;
  *) die "unknown tool '$tool': use producer, consumer, topics, quorum or a main class name" ;;
esac

case " $* " in
  *" --bootstrap-server "*|*" --bootstrap-server="*|*bootstrap.servers=*|*" --bootstrap-controller "*) ;;
  *)
    if [ "$CLASS" != "$tool" ]; then
      [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || die "KAFKA_BOOTSTRAP_SERVERS is not set"
      set -- --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" "$@"
    fi ;;
esac

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${KAFKA_LIBS:-}" ]; then
  # In the tarball the launchers are in kafka-V/bin and the jars in kafka-V/libs;
  # in a checkout, fetch-kafka.sh --check names the cache.
  if [ -d "$SELF_DIR/../libs" ]; then KAFKA_LIBS=$(cd "$SELF_DIR/../libs" && pwd)
  elif [ -x "$SELF_DIR/fetch-kafka.sh" ] && KAFKA_LIBS=$("$SELF_DIR/fetch-kafka.sh" --check 2>/dev/null); then
    KAFKA_LIBS=${KAFKA_LIBS#KAFKA_LIBS=}
  else die "KAFKA_LIBS is not set and no Kafka jars were found (run scripts/fetch-kafka.sh)"; fi
fi
compgen -G "$KAFKA_LIBS/kafka-tools-*.jar" >/dev/null \
  || die "no kafka-tools-*.jar in KAFKA_LIBS=$KAFKA_LIBS (run scripts/fetch-kafka.sh)"

if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
command -v "$JAVA" >/dev/null || die "java not found (set JAVA_HOME; Kafka 4 needs Java 17+)"

# Tools log WARN and up to stderr, so stdout carries only the tool's output.
# The config file is shared by all runs with the same level and never removed.
LEVEL=${KAFKA_LOG_LEVEL:-WARN}
LOG4J=${TMPDIR:-/tmp}/kafka-client-log4j2-$(id -u)-$LEVEL.properties
if [ ! -s "$LOG4J" ]; then
  cat > "$LOG4J.$$" <<EOF
status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $LEVEL
rootLogger.appenderRef.err.ref = STDERR
EOF
  mv -f "$LOG4J.$$" "$LOG4J"
fi

HEAP=${KAFKA_HEAP:-256m}
# Admin tools are short-lived: the C1 compiler alone starts them faster.
case $tool in topics|quorum) FAST_START=(-XX:TieredStopAtLevel=1) ;; *) FAST_START=() ;; esac
# shellcheck disable=SC2206
EXTRA_JVM=(${KAFKA_JVM_OPTIONS:-})
exec "$JAVA" -Xmx"$HEAP" -XX:+UseG1GC "${FAST_START[@]}" -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$LOG4J" -cp "$KAFKA_LIBS/*" "${EXTRA_JVM[@]}" "$CLASS" "$@"
