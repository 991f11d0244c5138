#!/usr/bin/env bash
# Benchmark of kmesos-sim on the paper-shaped scenario (prints numbers; not
# part of the tests): sim/scenarios/paper.json, 93 agents x 4 slots, 16 jobs
# of 400 tasks of 15-25 s, 3 input hosts per task.
#   1. single runs with the shipped chain: the static-partitioning baseline and
#      delay.node_wait_s = 0, 1, 5 (node-local %, utilisation, tasks/s);
#   2. the 6-point sweep delay.node_wait_s=0,0.5,1,2,5,10 with its two
#      baselines, timed, with its table, JSON and SVG plot;
#   3. for reference, the same sweep with sim/policies/paper_delay.lua (the
#      delay scheduling paper's algorithm on today's policy API).
# Usage: bench/sim.sh [OUT_DIR] (default /tmp/kmesos-sim-bench); needs ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${KMESOS_BIN:-$PWD/build}/kmesos-sim
OUT=${1:-/tmp/kmesos-sim-bench}
SCENARIO=sim/scenarios/paper.json
mkdir -p "$OUT"

# one line per run: label, node-local %, utilisation, makespan, then the
# program's own speed line (wall and CPU time, simulated tasks per second)
single() {
  local label=$1; shift
  "$SIM" "$SCENARIO" --format json "$@" 2>"$OUT/stderr" >"$OUT/run.json"
  python3 - "$OUT/run.json" "$label" "$(tail -1 "$OUT/stderr")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
o = r["overall"]
speed = sys.argv[3].split(" in ", 1)[-1]
print("%-28s node %5.1f%%  rack %5.1f%%  util %.3f  makespan %6.1f s  %s"
      % (sys.argv[2], o["node_local_pct"], o["rack_local_pct"], r["utilisation"],
         r["makespan_s"], speed))
PY
}

echo "== single runs, shipped chain (constraints.lua + delay.lua), today's hold/refuse defaults"
single "static partitioning" --mode static_partition
for v in 0 1 5; do
  single "delay.node_wait_s=$v" --option delay.node_wait_s=$v
done
single "no delay (node 0, rack 0)" --option delay.node_wait_s=0 --option delay.rack_wait_s=0

echo
echo "== 6-point sweep, shipped chain"
"$SIM" "$SCENARIO" --sweep delay.node_wait_s=0,0.5,1,2,5,10 \
  --json "$OUT/sweep.json" --plot "$OUT/sweep.svg" 2>"$OUT/sweep.stderr"
tail -1 "$OUT/sweep.stderr"

echo
echo "== reference: the paper's algorithm (sim/policies/paper_delay.lua), same sweep"
"$SIM" "$SCENARIO" --policy sim/policies/paper_delay.lua \
  --sweep paper_delay.node_wait_s=0,0.5,1,2,5,10 \
  --json "$OUT/paper_sweep.json" --plot "$OUT/paper_sweep.svg" 2>"$OUT/paper_sweep.stderr"
tail -1 "$OUT/paper_sweep.stderr"
echo
echo "written: $OUT/sweep.{json,svg} $OUT/paper_sweep.{json,svg}"
