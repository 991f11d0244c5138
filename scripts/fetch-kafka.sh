#!/usr/bin/env bash
# Fetches a pinned Apache Kafka release (KRaft) from Maven Central into a
# cache folder that later runs reuse offline, and packs it with our broker
# and client launchers into a tarball the scheduler serves to the Mesos
# fetcher.
#
# Layout (ROOT = $KMESOS_KAFKA_CACHE, default ~/.cache/kafka-mesos):
#   ROOT/kafka-VERSION/libs/*.jar          broker, storage tool, kafka-tools,
#                                          log4j2 + slf4j binding
#   ROOT/kafka-VERSION/libs/.complete      written last: jar list of a good fetch
#   ROOT/kafka-VERSION.tgz                 kafka-VERSION/{libs,bin/kafka-broker.sh,
#                                          bin/kafka-client.sh,bin/kafka-ready.sh}
#
# How: a generated throwaway pom lists kafka_2.13 (kafka.Kafka,
# kafka.tools.StorageTool), kafka-tools (ProducerPerformance,
# ConsumerPerformance, TopicCommand, ...) and log4j-slf4j-impl (Kafka 4.x
# logs through log4j2 core and slf4j-api 1.7); `mvn -B -C
# dependency:copy-dependencies` resolves it with strict sha1 checks. The
# copy goes to a temporary folder and is renamed into place only after the
# checks pass, under a lock, so a crash or a parallel run never leaves a
# half-filled cache that looks complete.
#
# Idempotent: when the cache is complete it only rebuilds the tarball if the
# launcher scripts changed, and never calls mvn (works offline).
#
# Prints the cache folder on the last line of stdout ("KAFKA_LIBS=...").
# `fetch-kafka.sh --check` only tells: exit 0 and KAFKA_LIBS=... when the
# cache is complete, exit 1 otherwise; it never downloads or writes.
# Env: KMESOS_KAFKA_VERSION (default below), KMESOS_KAFKA_CACHE,
#      KMESOS_MAVEN_REPO (maven local repository, default mvn's own),
#      KMESOS_MAVEN_OPTS (extra mvn arguments).
set -euo pipefail

KAFKA_VERSION=${KMESOS_KAFKA_VERSION:-4.4.0}
SCALA_VERSION=2.13
# log4j-slf4j-impl pins the log4j2 version for api, core and binding alike
# (Maven's nearest wins); 2.25.5 is what kafka-server 4.4.0 itself asks for.
LOG4J_VERSION=2.25.5
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${KMESOS_KAFKA_CACHE:-$HOME/.cache/kafka-mesos}
DIST=$ROOT/kafka-$KAFKA_VERSION
LIBS=$DIST/libs
TARBALL=$ROOT/kafka-$KAFKA_VERSION.tgz
LAUNCHERS=(kafka-broker.sh kafka-client.sh kafka-ready.sh)

die() { echo "fetch-kafka: error: $*" >&2; exit 1; }
say() { echo "fetch-kafka: $*" >&2; }

# Jars (by name prefix, version-less unless it is Kafka's) that must be in a
# good fetch, and classes that must be in them.
expected_jars() {
  local v=$KAFKA_VERSION
  printf '%s\n' "kafka_$SCALA_VERSION-$v.jar" "kafka-clients-$v.jar" \
    "kafka-server-$v.jar" "kafka-server-common-$v.jar" "kafka-metadata-$v.jar" \
    "kafka-raft-$v.jar" "kafka-storage-$v.jar" "kafka-tools-$v.jar" \
    "kafka-tools-api-$v.jar" "kafka-group-coordinator-$v.jar" \
    "log4j-core-$LOG4J_VERSION.jar" "log4j-api-$LOG4J_VERSION.jar" \
    "log4j-slf4j-impl-$LOG4J_VERSION.jar" "scala-library-" "slf4j-api-" \
    "jackson-databind-" "jopt-simple-" "argparse4j-"
}
expected_classes() {
  printf '%s\n' "kafka_$SCALA_VERSION-$KAFKA_VERSION.jar kafka/Kafka.class" \
    "kafka_$SCALA_VERSION-$KAFKA_VERSION.jar kafka/tools/StorageTool.class" \
    "kafka-tools-$KAFKA_VERSION.jar org/apache/kafka/tools/ProducerPerformance.class" \
    "kafka-tools-$KAFKA_VERSION.jar org/apache/kafka/tools/ConsumerPerformance.class" \
    "kafka-tools-$KAFKA_VERSION.jar org/apache/kafka/tools/TopicCommand.class"
}

# verify DIR: every expected jar is there, each jar is a readable zip, the
# entry classes exist. Prints what is wrong and fails.
verify() {
  local dir=$1 want bad=0 jar cls
  while read -r want; do
    if ! compgen -G "$dir/$want*" >/dev/null; then
      say "missing jar: $want*"; bad=1
    fi
  done < <(expected_jars)
  [ "$bad" = 0 ] || return 1
  python3 - "$dir" <<'EOF' || return 1
import sys, zipfile, glob, os
bad = 0
for j in sorted(glob.glob(os.path.join(sys.argv[1], "*.jar"))):
    try:
        with zipfile.ZipFile(j) as z:
            if z.testzip() is not None:
                raise zipfile.BadZipFile("bad CRC")
    except Exception as e:
        print(f"fetch-kafka: corrupt jar {os.path.basename(j)}: {e}", file=sys.stderr)
        bad = 1
sys.exit(bad)
EOF
  while read -r jar cls; do
    if ! python3 -c 'import sys,zipfile; sys.exit(0 if sys.argv[2] in zipfile.ZipFile(sys.argv[1]).namelist() else 1)' \
         "$dir/$jar" "$cls"; then
      say "class $cls not in $jar"; bad=1
    fi
  done < <(expected_classes)
  [ "$bad" = 0 ]
}

# Quick check of an existing cache: marker present and every jar it lists
# still there with the same size.
cache_complete() {
  [ -f "$LIBS/.complete" ] || return 1
  local name size
  while read -r name size; do
    [ -n "$name" ] || continue
    [ "$(stat -c %s "$LIBS/$name" 2>/dev/null)" = "$size" ] || return 1
  done < "$LIBS/.complete"
}

# The tarball is current when it exists and holds the launchers as they are
# in this checkout.
tarball_current() {
  [ -f "$TARBALL" ] || return 1
  local s
  for s in "${LAUNCHERS[@]}"; do
    cmp -s "$SCRIPTS_DIR/$s" "$DIST/bin/$s" || return 1
  done
}

make_tarball() {
  local s tmp=$TARBALL.tmp.$$
  mkdir -p "$DIST/bin"
  for s in "${LAUNCHERS[@]}"; do
    [ -f "$SCRIPTS_DIR/$s" ] || die "launcher $SCRIPTS_DIR/$s not found"
    cp "$SCRIPTS_DIR/$s" "$DIST/bin/$s"; chmod 0755 "$DIST/bin/$s"
  done
  tar -C "$ROOT" -czf "$tmp" "kafka-$KAFKA_VERSION/libs" "kafka-$KAFKA_VERSION/bin" \
    || { rm -f "$tmp"; die "could not write $TARBALL"; }
  mv -f "$tmp" "$TARBALL"
  say "tarball $TARBALL ($(du -h "$TARBALL" | cut -f1))"
}

write_pom() {
  cat > "$1" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kafka-mesos</groupId>
  <artifactId>kafka-fetch</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_VERSION</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
}

fetch() {
  command -v mvn >/dev/null || die "mvn not found (install Maven 3, e.g. apt-get install maven)"
  command -v java >/dev/null || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
  command -v python3 >/dev/null || die "python3 not found (used to check the jars)"
  local work; work=$(mktemp -d "$ROOT/.fetch-$KAFKA_VERSION.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  write_pom "$work/pom.xml"
  local mvn_args=(-B -C -q -Dstyle.color=never -f "$work/pom.xml")
  [ -n "${KMESOS_MAVEN_REPO:-}" ] && mvn_args+=("-Dmaven.repo.local=$KMESOS_MAVEN_REPO")
  # shellcheck disable=SC2206
  [ -n "${KMESOS_MAVEN_OPTS:-}" ] && mvn_args+=(${KMESOS_MAVEN_OPTS})
  say "resolving org.apache.kafka:kafka_$SCALA_VERSION:$KAFKA_VERSION + kafka-tools + log4j-slf4j-impl:$LOG4J_VERSION with mvn"
  if ! mvn "${mvn_args[@]}" "$DEPENDENCY_PLUGIN:copy-dependencies" \
       -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$work/mvn.log" >&2
    die "mvn could not fetch Kafka $KAFKA_VERSION (output above; is Maven Central reachable, is the version right?)"
  fi
  verify "$work/libs" || die "the fetched jars failed the checks above; cache left untouched"
  (cd "$work/libs" && for j in *.jar; do echo "$j $(stat -c %s "$j")"; done) > "$work/libs/.complete"
  rm -rf "$LIBS.old"
  mkdir -p "$DIST"
  [ -d "$LIBS" ] && mv "$LIBS" "$LIBS.old"
  mv "$work/libs" "$LIBS"
  rm -rf "$LIBS.old" "$work"
  trap - EXIT
}

summary() {
  local n size
  n=$(grep -c . "$LIBS/.complete")
  size=$(du -sh "$LIBS" | cut -f1)
  say "Kafka $KAFKA_VERSION (Scala $SCALA_VERSION): $n jars, $size in $LIBS"
  say "  broker: kafka.Kafka, formatter: kafka.tools.StorageTool, tools: org.apache.kafka.tools.*"
  say "  kafka jars: $(cd "$LIBS" && echo kafka*.jar)"
  say "  logging: $(cd "$LIBS" && echo log4j-*.jar slf4j-*.jar)"
}

case ${1:-} in
  --check)
    if cache_complete; then echo "KAFKA_LIBS=$LIBS"; exit 0; fi
    say "no complete cache at $LIBS"; exit 1 ;;
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  "") ;;
  *) die "unknown argument '$1' (usage: fetch-kafka.sh [--check])" ;;
esac

mkdir -p "$ROOT" || die "cannot create cache folder $ROOT"
exec 9>"$ROOT/.kafka-$KAFKA_VERSION.lock"
flock 9 || die "cannot lock $ROOT/.kafka-$KAFKA_VERSION.lock"

if cache_complete; then
  say "cache complete: $LIBS"
  tarball_current || make_tarball
else
  [ -d "$LIBS" ] && say "cache $LIBS is incomplete; fetching again"
  fetch
  summary
  make_tarball
fi
echo "KAFKA_LIBS=$LIBS"
