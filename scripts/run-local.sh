#!/usr/bin/env bash
# The main job on defaults: installs dependencies, builds, fetches Kafka
# (scripts/fetch-kafka.sh, cached: later runs work offline), starts a local
# Mesos-compatible cluster (kmesos-local: one master, 3 agents on racks
# r1..r3, hosts 127.0.0.1..3 with their own port ranges since they share
# this machine) and kmesos-scheduler against it, then adds and starts a
# 3-broker Kafka cluster through the CLI (build/kmesos broker add 0..2,
# broker start '*'), waits until all three brokers are TASK_RUNNING, prints
# the bootstrap servers and kcat lines to try, and prints the broker table
# every few seconds. Ctrl-C stops everything (TEARDOWN: the brokers are
# shut down first). KMESOS_RUN_SECONDS=N stops
# after N seconds (counted from the start of the cluster). Logs, sandboxes
# and broker data go to $KMESOS_RUN_DIR (default ./.kmesos-run).
# Extra arguments go to kmesos-scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
echo "fetching Kafka (scripts/fetch-kafka.sh; cached after the first run)..."
kafka_dist=$(dirname "$(scripts/fetch-kafka.sh | sed -n 's/^KAFKA_LIBS=//p' | tail -n 1)").tgz
[ -f "$kafka_dist" ] || { echo "run-local: no Kafka tarball at $kafka_dist" >&2; exit 1; }

run_dir=${KMESOS_RUN_DIR:-$PWD/.kmesos-run}
master_port=${KMESOS_MASTER_PORT:-5050}
api_port=${KMESOS_API_PORT:-7000}
port_base=${KMESOS_PORT_BASE:-31000}
api="http://127.0.0.1:$api_port"
kmesos() { build/kmesos --api "$api" "$@"; }
# a new local cluster knows no framework: start from a fresh state
rm -rf "$run_dir"
mkdir -p "$run_dir"
pids=()
# Brokers run under the agents' sandboxes: TEARDOWN the framework so that
# kmesos-local kills them (controlled shutdown), wait for them to exit,
# then stop the scheduler and kmesos-local.
task_pids() { pgrep -f -- "$run_dir/agents/" || true; }
stop() {
  trap - EXIT INT TERM
  echo "stopping: teardown of the framework (brokers shut down)..."
  curl -fsS -X POST "$api/api/teardown" >/dev/null 2>&1 || true
  for _ in $(seq 60); do
    [ -z "$(task_pids)" ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  left=$(task_pids)
  # shellcheck disable=SC2086
  [ -z "$left" ] || { echo "killing leftover task processes: $left"; kill -KILL $left 2>/dev/null || true; }
  echo "stopped; logs in $run_dir"
}
trap stop EXIT
trap 'exit 0' INT TERM
start=$(date +%s)
time_is_up() {
  [ -n "${KMESOS_RUN_SECONDS:-}" ] && [ $(( $(date +%s) - start )) -ge "$KMESOS_RUN_SECONDS" ]
}

# 3 agents: distinct loopback hosts (so each Kafka node has its own host),
# distinct port ranges, racks r1..r3
python3 - "$port_base" >"$run_dir/agents.json" <<'PY'
import json, sys
b = int(sys.argv[1])
print(json.dumps({"agents": [
    {"hostname": f"127.0.0.{i + 1}",
     "resources": f"cpus:2;mem:2048;disk:10000;ports:[{b + 100 * i}-{b + 100 * i + 99}]",
     "attributes": f"rack:r{i + 1};zone:z1"} for i in range(3)]}))
PY
build/kmesos-local --port "$master_port" --agent-config "$run_dir/agents.json" \
  --work-dir "$run_dir/agents" >"$run_dir/kmesos-local.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$master_port/master/state" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "kmesos-local: master on 127.0.0.1:$master_port (state: http://127.0.0.1:$master_port/master/state)"

build/kmesos-scheduler --master "127.0.0.1:$master_port" --api "127.0.0.1:$api_port" \
  --state "file:$run_dir/state.json" --kafka-dist "$kafka_dist" \
  --kafka-data-root "$run_dir/data" "$@" >"$run_dir/kmesos-scheduler.log" 2>&1 &
pids+=($!)
for _ in $(seq 75); do
  kmesos status >/dev/null 2>&1 && break
  sleep 0.2
done
echo "kmesos-scheduler: API on $api (log: $run_dir/kmesos-scheduler.log)"

echo "+ build/kmesos broker add 0..2 --cpus 0.5 --heap 256 --mem 512 --options ..."
kmesos broker add 0..2 --cpus 0.5 --heap 256 --mem 512 --failover-delay 5s \
  --options default.replication.factor=3,min.insync.replicas=2,num.partitions=3,group.initial.rebalance.delay.ms=0
echo "+ build/kmesos broker start '*'"
kmesos broker start '*'

running() {
  [ "$(curl -fsS "$api/api/broker/list" 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for b in json.load(sys.stdin)["brokers"] if (b["task"] or {}).get("state") == "TASK_RUNNING"))
' 2>/dev/null)" = 3 ]
}
echo "waiting for the 3 brokers to be TASK_RUNNING..."
t0=$(date +%s)
until running; do
  time_is_up && { echo "run-local: brokers not running in time"; kmesos broker list; exit 1; }
  sleep 1
done
bootstrap=$(curl -fsS "$api/api/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["bootstrap_servers"])')
cat <<EOF
all 3 brokers TASK_RUNNING after $(( $(date +%s) - t0 )) s
----------------------------------------------------------------------
bootstrap servers: $bootstrap
try:
  echo hello | kcat -b $bootstrap -t test -P
  kcat -b $bootstrap -t test -C -e
  build/kmesos --api $api broker list
  build/kmesos --api $api broker log 0 --lines 20
----------------------------------------------------------------------
EOF

while ! time_is_up; do
  sleep 5
  echo "---- brokers ($(date +%T)); bootstrap: $bootstrap"
  kmesos broker list || echo "(scheduler API not answering)"
done
exit 0
