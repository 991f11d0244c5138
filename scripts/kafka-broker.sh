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
#           KAFKA_CONTROLLER_QUORUM_VOTERS (a static quorum) or
#           KAFKA_CONTROLLER_QUORUM_BOOTSTRAP (a dynamic one, KIP-853),
#           KAFKA_PORT when the node is a broker and KAFKA_CONTROLLER_PORT
#           when it is a controller (the default roles are broker,controller).
# Dynamic quorum: KAFKA_INITIAL_CONTROLLERS (id@host:port:directory-id,...)
#           formats a voter of the first quorum; without it the storage is
#           formatted with --no-initial-controllers, and a controller then
#           joins the quorum in the background: once it follows the leader
#           as an observer it removes its old self (same node id, another
#           metadata directory id) from the voters and adds itself
#           (kafka-metadata-quorum remove-controller, add-controller).
# Optional: KAFKA_HOST, KAFKA_LISTEN_HOST, KAFKA_PROCESS_ROLES, KAFKA_HEAP,
#           KAFKA_JVM_OPTIONS, KAFKA_OPTIONS, KAFKA_LIBS, KAFKA_LOG_LEVEL,
#           KAFKA_RACK (broker.rack; KAFKA_OPTIONS may override), JAVA_HOME.
# TLS/SASL: KAFKA_SSL_PORT, KAFKA_SASL_PORT (SSL and SASL_SSL listeners),
#           KAFKA_SSL_KEYSTORE, KAFKA_SSL_TRUSTSTORE, KAFKA_SSL_SECRETS (files
#           in the working directory: the Mesos fetcher put them there),
#           KAFKA_INTER_BROKER_PROTOCOL (PLAINTEXT, SSL, SASL_SSL),
#           KAFKA_SASL_MECHANISM (SCRAM-SHA-512, SCRAM-SHA-256). Passwords are
#           only ever read from the secrets file, never from the environment,
#           and never printed.
set -euo pipefail

die() { echo "kafka-broker: error: $*" >&2; exit 2; }
say() { echo "kafka-broker: $*" >&2; }

need() { [ -n "${!1:-}" ] || die "$1 is not set (see docs/kafka.md)"; }
int() { [[ ${!1} =~ ^[0-9]+$ ]] || die "$1 must be a number, got '${!1}'"; }

need KAFKA_NODE_ID; int KAFKA_NODE_ID
need KAFKA_LOG_DIRS
need KAFKA_CLUSTER_ID
BOOTSTRAP=${KAFKA_CONTROLLER_QUORUM_BOOTSTRAP:-}
[ -n "$BOOTSTRAP" ] || need KAFKA_CONTROLLER_QUORUM_VOTERS
[ -z "$BOOTSTRAP" ] || [ -z "${KAFKA_CONTROLLER_QUORUM_VOTERS:-}" ] \
  || die "set KAFKA_CONTROLLER_QUORUM_VOTERS (static quorum) or KAFKA_CONTROLLER_QUORUM_BOOTSTRAP (dynamic), not both"
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
HOSTPORT='([^],:@[]+|\[[0-9a-fA-F:.]+\]):[0-9]+'
VOTER="[0-9]+@$HOSTPORT"
INITIAL=${KAFKA_INITIAL_CONTROLLERS:-}
if [ -z "$BOOTSTRAP" ]; then
  [[ $KAFKA_CONTROLLER_QUORUM_VOTERS =~ ^$VOTER(,$VOTER)*$ ]] \
    || die "KAFKA_CONTROLLER_QUORUM_VOTERS must look like 0@host:9093,1@host:9094, got '$KAFKA_CONTROLLER_QUORUM_VOTERS'"
  if [ "$IS_CONTROLLER" = 1 ] && [[ ! ,$KAFKA_CONTROLLER_QUORUM_VOTERS =~ ,$KAFKA_NODE_ID@ ]]; then
    die "node $KAFKA_NODE_ID is a controller but not in KAFKA_CONTROLLER_QUORUM_VOTERS ($KAFKA_CONTROLLER_QUORUM_VOTERS)"
  fi
  N_VOTERS=$(awk -F, '{print NF}' <<< "$KAFKA_CONTROLLER_QUORUM_VOTERS")
else
  [[ $BOOTSTRAP =~ ^$HOSTPORT(,$HOSTPORT)*$ ]] \
    || die "KAFKA_CONTROLLER_QUORUM_BOOTSTRAP must look like host:9093,host:9094, got '$BOOTSTRAP'"
  DIRID='[A-Za-z0-9_-]{22}'
  if [ -n "$INITIAL" ]; then
    [[ $INITIAL =~ ^$VOTER:$DIRID(,$VOTER:$DIRID)*$ ]] \
      || die "KAFKA_INITIAL_CONTROLLERS must look like 0@host:9093:<22-character directory id>,..., got '$INITIAL'"
    [ "$IS_CONTROLLER" = 1 ] && [[ ,$INITIAL =~ ,$KAFKA_NODE_ID@ ]] \
      || die "KAFKA_INITIAL_CONTROLLERS is for the first format of a controller in it (node $KAFKA_NODE_ID)"
  fi
  N_VOTERS=$(awk -F, '{print NF}' <<< "$BOOTSTRAP")
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
# A relative entry is in the sandbox (a persistent volume's container path).
IFS=, read -r -a LOG_DIR_LIST <<< "$KAFKA_LOG_DIRS"
for i in "${!LOG_DIR_LIST[@]}"; do
  [[ ${LOG_DIR_LIST[$i]} = /* ]] || LOG_DIR_LIST[$i]="${MESOS_SANDBOX:-$PWD}/${LOG_DIR_LIST[$i]}"
done
KAFKA_LOG_DIRS=$(IFS=,; echo "${LOG_DIR_LIST[*]}")
for d in "${LOG_DIR_LIST[@]}"; do
  [[ $d = /* ]] || die "KAFKA_LOG_DIRS entries must be absolute paths, got '$d'"
  mkdir -p "$d" || die "cannot create log dir $d"
done

# Internal topics default to replication 3, which a 1- or 2-node cluster can
# never satisfy; cap them at the quorum size (KAFKA_OPTIONS may override).
INTERNAL_RF=$(( N_VOTERS < 3 ? N_VOTERS : 3 ))
INTERNAL_MIN_ISR=$(( INTERNAL_RF < 2 ? INTERNAL_RF : 2 ))

# --- TLS and SASL ---------------------------------------------------------------
SSL_PORT=${KAFKA_SSL_PORT:-} SASL_PORT=${KAFKA_SASL_PORT:-}
IBP=${KAFKA_INTER_BROKER_PROTOCOL:-PLAINTEXT}
MECH=${KAFKA_SASL_MECHANISM:-SCRAM-SHA-512}
[ -z "$SSL_PORT" ] || int KAFKA_SSL_PORT
[ -z "$SASL_PORT" ] || int KAFKA_SASL_PORT
case $IBP in PLAINTEXT|SSL|SASL_SSL) ;; *) die "KAFKA_INTER_BROKER_PROTOCOL must be PLAINTEXT, SSL or SASL_SSL, got '$IBP'" ;; esac
case $MECH in SCRAM-SHA-256|SCRAM-SHA-512) ;; *) die "KAFKA_SASL_MECHANISM must be SCRAM-SHA-256 or SCRAM-SHA-512, got '$MECH'" ;; esac
[ "$IBP" != SSL ] || [ -n "$SSL_PORT" ] || die "KAFKA_INTER_BROKER_PROTOCOL=SSL needs KAFKA_SSL_PORT"
[ "$IBP" != SASL_SSL ] || [ -n "$SASL_PORT" ] || die "KAFKA_INTER_BROKER_PROTOCOL=SASL_SSL needs KAFKA_SASL_PORT"
TLS=0
[ -z "$SSL_PORT$SASL_PORT" ] && [ "$IBP" = PLAINTEXT ] || TLS=1

# The secrets file: key=value lines (# comments), read here and never
# printed: keystore_password, key_password (default: keystore_password),
# truststore_password, broker_user + broker_password (the brokers' own SCRAM
# user, needed for SASL_SSL between brokers), scram_user=NAME:PASSWORD
# (repeatable; created when the storage is formatted).
SECRET_CHARS='^[A-Za-z0-9._~!@#$%^&*()+:;<>?{}|/-]+$'
declare -A SECRET=()
SCRAM_USERS=()
read_secrets() {
  local f=$1 line key value n=0
  [ -r "$f" ] || die "KAFKA_SSL_SECRETS: cannot read $f"
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ -z $line || $line =~ ^[[:space:]]*# ]] && continue
    key=${line%%=*} value=${line#*=}
    [ "$key" != "$line" ] || die "$f line $n: expected key=value"
    [[ $value =~ $SECRET_CHARS ]] || die "$f line $n ($key): empty, or a character outside [A-Za-z0-9._~!@#\$%^&*()+:;<>?{}|/-]"
    case $key in
      keystore_password|key_password|truststore_password|broker_user|broker_password) SECRET[$key]=$value ;;
      scram_user) [[ $value == ?*:?* ]] || die "$f line $n: scram_user must be NAME:PASSWORD"
                  SCRAM_USERS+=("$value") ;;
      *) die "$f line $n: unknown key '$key'" ;;
    esac
  done < "$f"
}
if [ "$TLS" = 1 ]; then
  for v in KAFKA_SSL_KEYSTORE KAFKA_SSL_TRUSTSTORE KAFKA_SSL_SECRETS; do
    need $v
    [[ ${!v} != */* && -f ${!v} ]] || die "$v: no file '${!v}' in the working directory (the fetcher puts it there)"
  done
  read_secrets "$KAFKA_SSL_SECRETS"
  # The fetched copy is not needed any more: server.properties (mode 0600) holds what it said.
  rm -f -- "$KAFKA_SSL_SECRETS"
  for v in keystore_password truststore_password; do
    [ -n "${SECRET[$v]:-}" ] || die "KAFKA_SSL_SECRETS: no $v"
  done
  if [ "$IBP" = SASL_SSL ]; then
    [ -n "${SECRET[broker_user]:-}" ] && [ -n "${SECRET[broker_password]:-}" ] \
      || die "KAFKA_SSL_SECRETS: SASL_SSL between brokers needs broker_user and broker_password"
  fi
  if [ -n "${SECRET[broker_user]:-}" ]; then
    SCRAM_USERS+=("${SECRET[broker_user]}:${SECRET[broker_password]:-}")
  fi
fi
store_type() {
  case ${1,,} in *.jks) echo JKS ;; *.pem) echo PEM ;; *) echo PKCS12 ;; esac
}
mech_lower=${MECH,,}

listeners=() advertised=()
if [ "$IS_BROKER" = 1 ]; then
  listeners+=("PLAINTEXT://$LISTEN_HOST:$KAFKA_PORT")
  advertised+=("PLAINTEXT://$HOST:$KAFKA_PORT")
  if [ -n "$SSL_PORT" ]; then
    listeners+=("SSL://$LISTEN_HOST:$SSL_PORT"); advertised+=("SSL://$HOST:$SSL_PORT")
  fi
  if [ -n "$SASL_PORT" ]; then
    listeners+=("SASL_SSL://$LISTEN_HOST:$SASL_PORT"); advertised+=("SASL_SSL://$HOST:$SASL_PORT")
  fi
fi
if [ "$IS_CONTROLLER" = 1 ]; then
  listeners+=("CONTROLLER://$LISTEN_HOST:$KAFKA_CONTROLLER_PORT")
  # a dynamic quorum's voters are known by the endpoint they advertise
  [ -z "$BOOTSTRAP" ] || advertised+=("CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT")
fi

# The TLS and SASL lines of server.properties (passwords included: the file
# is written with mode 0600 and never printed).
tls_properties() {
  [ "$TLS" = 1 ] || return 0
  echo "ssl.keystore.location=$PWD/$KAFKA_SSL_KEYSTORE"
  echo "ssl.keystore.type=$(store_type "$KAFKA_SSL_KEYSTORE")"
  echo "ssl.keystore.password=${SECRET[keystore_password]}"
  echo "ssl.key.password=${SECRET[key_password]:-${SECRET[keystore_password]}}"
  echo "ssl.truststore.location=$PWD/$KAFKA_SSL_TRUSTSTORE"
  echo "ssl.truststore.type=$(store_type "$KAFKA_SSL_TRUSTSTORE")"
  echo "ssl.truststore.password=${SECRET[truststore_password]}"
  echo "sasl.enabled.mechanisms=$MECH"
  echo "sasl.mechanism.inter.broker.protocol=$MECH"
  if [ -n "${SECRET[broker_user]:-}" ]; then
    echo "listener.name.sasl_ssl.$mech_lower.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"${SECRET[broker_user]}\" password=\"${SECRET[broker_password]}\";"
  else
    echo "listener.name.sasl_ssl.$mech_lower.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  fi
}

OLD_UMASK=$(umask)
umask 077
rm -f server.properties.tmp
{
  echo "# written by kafka-broker.sh at $(date -u +%FT%TZ); do not edit, set env instead"
  echo "process.roles=$ROLES"
  echo "node.id=$KAFKA_NODE_ID"
  if [ -n "$BOOTSTRAP" ]; then
    echo "controller.quorum.bootstrap.servers=$BOOTSTRAP"
  else
    echo "controller.quorum.voters=$KAFKA_CONTROLLER_QUORUM_VOTERS"
  fi
  echo "controller.listener.names=CONTROLLER"
  echo "listeners=$(IFS=,; echo "${listeners[*]}")"
  [ "${#advertised[@]}" = 0 ] || echo "advertised.listeners=$(IFS=,; echo "${advertised[*]}")"
  [ "$IS_BROKER" = 1 ] && echo "inter.broker.listener.name=$IBP"
  # The controller listener stays PLAINTEXT, on its own port.
  echo "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL"
  tls_properties
  echo "log.dirs=$KAFKA_LOG_DIRS"
  [ -n "${KAFKA_RACK:-}" ] && echo "broker.rack=$KAFKA_RACK"
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
umask "$OLD_UMASK"

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
  # The SCRAM users go to the JVM in an argument file (mode 0600, removed
  # after), so that their passwords are not on a command line.
  umask 077
  {
    echo "kafka.tools.StorageTool format --ignore-formatted --cluster-id=$KAFKA_CLUSTER_ID --config server.properties"
    if [ -n "$INITIAL" ]; then
      printf '%s\n' "--initial-controllers" "$INITIAL"
    elif [ -n "$BOOTSTRAP" ]; then
      echo "--no-initial-controllers"
    fi
    for u in "${SCRAM_USERS[@]}"; do
      printf '%s\n' "--add-scram" "\"$MECH=[name=${u%%:*},password=${u#*:}]\""
    done
  } > format.args
  umask "$OLD_UMASK"
  [ "${#SCRAM_USERS[@]}" = 0 ] || say "adding ${#SCRAM_USERS[@]} $MECH user(s) at format time"
  rc=0
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 "${JVM_BASE[@]}" @format.args || rc=$?
  rm -f format.args
  [ "$rc" = 0 ] || die "formatting the storage failed (output above)"
else
  say "storage already formatted for cluster $KAFKA_CLUSTER_ID; not formatting"
fi

# --- join a dynamic quorum (KIP-853) -------------------------------------------
# In the background, while the node runs: done at once when this node (id
# and metadata directory id) is a voter; else, once it is an observer of
# the quorum, remove the voter with its id and another directory id (its
# old self, whose disk or host is gone: one change at a time, so the
# majority holds) and add this one. Ends when the node is a voter, when the
# JVM is gone, or after 30 minutes.
quorum() {
  "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 "${JVM_BASE[@]}" \
    org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-controller "$BOOTSTRAP" "$@" 2>&1
}
join_quorum() {
  local me=$1 my_dir status voters old i
  my_dir=$(sed -n 's/^directory\.id=//p' "${LOG_DIR_LIST[0]}/meta.properties")
  [ -n "$my_dir" ] || { say "quorum: no directory.id in ${LOG_DIR_LIST[0]}/meta.properties"; return 1; }
  for i in $(seq 1 360); do
    sleep 5
    kill -0 "$me" 2>/dev/null || return 0
    status=$(quorum describe --status) || continue
    voters=$(sed -n 's/^CurrentVoters:[[:space:]]*//p' <<< "$status")
    if grep -q "\"id\": $KAFKA_NODE_ID, \"directoryId\": \"$my_dir\"" <<< "$voters"; then
      [ "$i" = 1 ] || say "quorum: node $KAFKA_NODE_ID (directory $my_dir) is a voter"
      return 0
    fi
    sed -n 's/^CurrentObservers:[[:space:]]*//p' <<< "$status" |
      grep -q "\"id\": $KAFKA_NODE_ID, \"directoryId\": \"$my_dir\"" || continue
    old=$(grep -o "\"id\": $KAFKA_NODE_ID, \"directoryId\": \"[A-Za-z0-9_-]*\"" <<< "$voters" |
          sed 's/.*"directoryId": "//; s/"$//' | head -n 1)
    if [ -n "$old" ]; then
      say "quorum: removing the old voter $KAFKA_NODE_ID (directory $old)"
      quorum remove-controller --controller-id "$KAFKA_NODE_ID" --controller-directory-id "$old" >&2 || continue
    fi
    say "quorum: adding node $KAFKA_NODE_ID (directory $my_dir) as a voter"
    quorum --command-config server.properties add-controller >&2 || continue
  done
}
if [ -n "$BOOTSTRAP" ] && [ "$IS_CONTROLLER" = 1 ]; then
  join_quorum "$$" &
fi

# --- run ----------------------------------------------------------------------
# shellcheck disable=SC2206
EXTRA_JVM=(${KAFKA_JVM_OPTIONS:-})
say "node $KAFKA_NODE_ID ($ROLES) listening on ${listeners[*]}, advertised host $HOST, heap $HEAP"
exec "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
  -XX:+ExitOnOutOfMemoryError "${JVM_BASE[@]}" "${EXTRA_JVM[@]}" \
  kafka.Kafka server.properties
