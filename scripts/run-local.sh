#!/usr/bin/env bash
# The main job on defaults: installs dependencies, builds, starts a local
# Mesos-compatible cluster (kmesos-local: one master, 3 agents on racks
# r1..r3) and kmesos-scheduler against it with a demo command workload
# (3 instances, one per rack through the default policy chain's
# constraints.lua), then prints the scheduler's task table every few seconds.
# Ctrl-C stops everything. KMESOS_RUN_SECONDS=N stops after N seconds.
# Logs and sandboxes go to $KMESOS_RUN_DIR (default ./.kmesos-run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null

run_dir=${KMESOS_RUN_DIR:-$PWD/.kmesos-run}
master_port=${KMESOS_MASTER_PORT:-5050}
api_port=${KMESOS_API_PORT:-7000}
# a new local cluster knows no framework: start from a fresh state
rm -rf "$run_dir"
mkdir -p "$run_dir"
pids=()
stop() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped; logs in $run_dir"
}
trap stop EXIT
trap 'exit 0' INT TERM

build/kmesos-local --port "$master_port" --agents 3 --agent-attributes 'rack:r1,r2,r3;zone:z1' \
  --work-dir "$run_dir/agents" \
  >"$run_dir/kmesos-local.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$master_port/master/state" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "kmesos-local: master on 127.0.0.1:$master_port (state: http://127.0.0.1:$master_port/master/state)"

build/kmesos-scheduler --master "127.0.0.1:$master_port" --api "127.0.0.1:$api_port" \
  --state "file:$run_dir/state.json" \
  --workload 'name=hello cmd="while true; do echo hello from $KMESOS_TASK_ID on $HOST; sleep 5; done" cpus=0.1 mem=32 instances=3 constraints=rack=unique' \
  "$@" 2>&1 | tee "$run_dir/kmesos-scheduler.log" &
pids+=($!)

show_tasks() {
  curl -fsS "http://127.0.0.1:$api_port/api/tasks" 2>/dev/null | python3 -c '
import json, sys
tasks = json.load(sys.stdin)
print("%-16s %-10s %-14s %-12s %s" % ("TASK", "PHASE", "STATE", "HOST", "WAITING/LAST FAILURE"))
for t in tasks:
    print("%-16s %-10s %-14s %-12s %s" % (t["id"], t["phase"], t.get("state") or "-",
          t.get("hostname") or "-", t.get("waiting_reason") or t.get("last_failure") or ""))
' || echo "(scheduler API not up yet)"
}

start=$(date +%s)
while true; do
  sleep 5
  echo "---- tasks ($(date +%T)); API: http://127.0.0.1:$api_port/api/status"
  show_tasks
  if [ -n "${KMESOS_RUN_SECONDS:-}" ] && [ $(( $(date +%s) - start )) -ge "$KMESOS_RUN_SECONDS" ]; then
    exit 0
  fi
done
