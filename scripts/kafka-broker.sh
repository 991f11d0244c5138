#!/usr/bin/env bash
# Runs ONE Apache Kafka node in KRaft mode, configured purely from
# environment variables; this is how the kafka-mesos executor starts a
# broker (docs/kafka.md lists every variable).
#
# It writes server.properties and log4j2.properties into the working
# directory (the task sandbox), formats the storage only on the first start
# (no meta.properties yet in a log dir), then execs the JVM so that signals
# reach Kafka directly: SIGTERM makes a controlled shutdown. All logging goes
# to stdout/stderr.
#
# Required: KAFKA_NODE_ID, KAFKA_LOG_DIRS, KAFKA_CLUSTER_ID,
#           KAFKA_CONTROLLER_QUORUM_VOTERS, KAFKA_PORT when the node is a
#           broker and KAFKA_CONTROLLER_PORT when it is a controller (the
#           default roles are broker,controller).
# Optional: KAFKA_HOST, KAFKA_LISTEN_HOST, KAFKA_PROCESS_ROLES, KAFKA_HEAP,
#           KAFKA_JVM_OPTIONS, KAFKA_OPTIONS, KAFKA_LIBS, KAFKA_LOG_LEVEL,
#           JAVA_HOME.
set -euo pipefail

die() { echo "kafka-broker: error: $*" >&2; exit 2; }
say() { echo "kafka-broker: $*" >&2; }

need() { [ -n "${!1:-}" ] || die "$1 is not set (see docs/kafka.md)"; }
int() { [[ ${!1} =~ ^[0-9]+$ ]] || die "$1 must be a number, got '${!1}'"; }

need KAFKA_NODE_ID; int KAFKA_NODE_ID
need KAFKA_LOG_DIRS
need KAFKA_CLUSTER_ID
need KAFKA_CONTROLLER_QUORUM_VOTERS
ROLES=${KAFKA_PROCESS_ROLES:-broker,controller}
case ",$ROLES," in
  *,controller,*) IS_CONTROLLER=1; need KAFKA_CONTROLLER_PORT; int KAFKA_CONTROLLER_PORT ;;
  *) IS_CONTROLLER=0 ;;
esac
case ",$ROLES," in
  *,broker,*) IS_BROKER=1; need KAFKA_PORT; int KAFKA_PORT ;;
  *) IS_BROKER=0 ;;
esac
[ "$IS_BROKER$IS_CONTROLLER" != 00 ] || die "KAFKA_PROCESS_ROLES must name broker and/or controller, got '$ROLES'"
VOTER='[0-9]+@([^],:@[]+|\[[0-9a-fA-F:.]+\]):[0-9]+'
[[ $KAFKA_CONTROLLER_QUORUM_VOTERS =~ ^$VOTER(,$VOTER)*$ ]] \
  || die "KAFKA_CONTROLLER_QUORUM_VOTERS must look like 0@host:9093,1@host:9094, got '$KAFKA_CONTROLLER_QUORUM_VOTERS'"
if [ "$IS_CONTROLLER" = 1 ] && [[ ! ,$KAFKA_CONTROLLER_QUORUM_VOTERS =~ ,$KAFKA_NODE_ID@ ]]; then
  die "node $KAFKA_NODE_ID is a controller but not in KAFKA_CONTROLLER_QUORUM_VOTERS ($KAFKA_CONTROLLER_QUORUM_VOTERS)"
fi

HOST=${KAFKA_HOST:-$(hostname -f 2>/dev/null || hostname)}
LISTEN_HOST=${KAFKA_LISTEN_HOST:-}
HEAP=${KAFKA_HEAP:-512m}
[[ $HEAP =~ ^[0-9]+[kKmMgG]?$ ]] || die "KAFKA_HEAP must look like 512m or 1g, got '$HEAP'"
LOG_LEVEL=${KAFKA_LOG_LEVEL:-INFO}

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${KAFKA_LIBS:-}" ]; then
  # In the tarball the launchers are in kafka-V/bin and the jars in kafka-V/libs;
  # in a checkout, fetch-kafka.sh --check names the cache.
  if [ -d "$SELF_DIR/../libs" ]; then KAFKA_LIBS=$(cd "$SELF_DIR/../libs" && pwd)
  elif [ -x "$SELF_DIR/fetch-kafka.sh" ] && KAFKA_LIBS=$("$SELF_DIR/fetch-kafka.sh" --check 2>/dev/null); then
    KAFKA_LIBS=${KAFKA_LIBS#KAFKA_LIBS=}
  else die "KAFKA_LIBS is not set and no Kafka jars were found (run scripts/fetch-kafka.sh)"; fi
fi
compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null \
  || die "no kafka_2.13-*.jar in KAFKA_LIBS=$KAFKA_LIBS (run scripts/fetch-kafka.sh)"

if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=java; fi
command -v "$JAVA" >/dev/null || die "java not found (set JAVA_HOME; Kafka 4 needs Java 17+)"

# --- server.properties -------------------------------------------------------
IFS=, read -r -a LOG_DIR_LIST <<< "$KAFKA_LOG_DIRS"
for d in "${LOG_DIR_LIST[@]}"; do
  [[ $d = /* ]] || die "KAFKA_LOG_DIRS entries must be absolute paths, got '$d'"
  mkdir -p "$d" || die "cannot create log dir $d"
done

# Internal topics default to replication 3, which a 1- or 2-node cluster can
# never satisfy; cap them at the quorum size (KAFKA_OPTIONS may override).
N_VOTERS=$(awk -F, '{print NF}' <<< "$KAFKA_CONTROLLER_QUORUM_VOTERS")
INTERNAL_RF=$(( N_VOTERS < 3 ? N_VOTERS : 3 ))
INTERNAL_MIN_ISR=$(( INTERNAL_RF < 2 ? INTERNAL_RF : 2 ))

listeners=() advertised=()
if [ "$IS_BROKER" = 1 ]; then
  listeners+=("PLAINTEXT://$LISTEN_HOST:$KAFKA_PORT")
  advertised+=("PLAINTEXT://$HOST:$KAFKA_PORT")
fi
[ "$IS_CONTROLLER" = 1 ] && listeners+=("CONTROLLER://$LISTEN_HOST:$KAFKA_CONTROLLER_PORT")

{
  echo "# written by kafka-broker.sh at $(date -u +%FT%TZ); do not edit, set env instead"
  echo "process.roles=$ROLES"
  echo "node.id=$KAFKA_NODE_ID"
  echo "controller.quorum.voters=$KAFKA_CONTROLLER_QUORUM_VOTERS"
  echo "controller.listener.names=CONTROLLER"
  echo "listeners=$(IFS=,; echo "${listeners[*]}")"
  [ "$IS_BROKER" = 1 ] && echo "advertised.listeners=$(IFS=,; echo "${advertised[*]}")"
  [ "$IS_BROKER" = 1 ] && echo "inter.broker.listener.name=PLAINTEXT"
  echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  echo "log.dirs=$KAFKA_LOG_DIRS"
  echo "offsets.topic.replication.factor=$INTERNAL_RF"
  echo "transaction.state.log.replication.factor=$INTERNAL_RF"
  echo "transaction.state.log.min.isr=$INTERNAL_MIN_ISR"
  echo "share.coordinator.state.topic.replication.factor=$INTERNAL_RF"
  echo "share.coordinator.state.topic.min.isr=$INTERNAL_MIN_ISR"
  # KAFKA_OPTIONS: k=v,k=v. A piece without '=' continues the previous value,
  # so list values such as listeners=A://:1,B://:2 pass through whole.
  if [ -n "${KAFKA_OPTIONS:-}" ]; then
    echo "# KAFKA_OPTIONS (later lines win)"
    awk -v s="$KAFKA_OPTIONS" 'BEGIN {
      n = split(s, p, ","); line = ""
      for (i = 1; i <= n; i++) {
        if (p[i] ~ /^[ \t]*[A-Za-z0-9_.-]+[ \t]*=/) { if (line != "") print line; line = p[i] }
        else if (line != "") line = line "," p[i]
        else { print "kafka-broker: error: KAFKA_OPTIONS piece \"" p[i] "\" is not k=v" > "/dev/stderr"; exit 2 }
      }
      if (line != "") print line
    }' | sed -e 's/^[ \t]*//' -e 's/[ \t]*$//' -e 's/[ \t]*=[ \t]*/=/' || exit 2
  fi
} > server.properties.tmp || die "cannot write server.properties in $(pwd)"
mv -f server.properties.tmp server.properties

cat > log4j2.properties <<EOF
status = warn
name = kafka-broker
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $LOG_LEVEL
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF

JVM_BASE=(-Djava.awt.headless=true -Dlog4j2.configurationFile="$PWD/log4j2.properties"
          -Dkafka.logs.dir="$PWD" -cp "$KAFKA_LIBS/*")

# --- format on first start ---------------------------------------------------
meta_cluster_id() { sed -n 's/^cluster\.id=//p' "$1/meta.properties" 2>/dev/null; }
unformatted=0
for d in "${LOG_DIR_LIST[@]}"; do
  if [ -f "$d/meta.properties" ]; then
    id=$(meta_cluster_id "$d")
    [ "$id" = "$KAFKA_CLUSTER_ID" ] \
      || die "$d/meta.properties has cluster.id=$id but KAFKA_CLUSTER_ID=$KAFKA_CLUSTER_ID; refusing to start (wrong log dir or wrong cluster)"
  else
    unformatted=1
  fi
done
if [ "$unformatted" = 1 ]; then
  say "formatting $KAFKA_LOG_DIRS for cluster $KAFKA_CLUSTER_ID (node $KAFKA_NODE_ID)"
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 "${JVM_BASE[@]}" kafka.tools.StorageTool format \
      --ignore-formatted --cluster-id="$KAFKA_CLUSTER_ID" --config server.properties \
    || die "formatting the storage failed (output above)"
else
  say "storage already formatted for cluster $KAFKA_CLUSTER_ID; not formatting"
fi

# --- run ----------------------------------------------------------------------
# shellcheck disable=SC2206
EXTRA_JVM=(${KAFKA_JVM_OPTIONS:-})
say "node $KAFKA_NODE_ID ($ROLES) listening on ${listeners[*]}, advertised host $HOST, heap $HEAP"
exec "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
  -XX:+ExitOnOutOfMemoryError "${JVM_BASE[@]}" "${EXTRA_JVM[@]}" \
  kafka.Kafka server.properties
