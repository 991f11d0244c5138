#!/usr/bin/env bash
# Benchmark of kmesos-sim on the paper-shaped scenario (prints numbers; not
# part of the tests): sim/scenarios/paper.json, 93 agents x 4 slots, 16 jobs
# of 400 tasks of 15-25 s, 3 input hosts per task, with the shipped chain
# (constraints.lua + delay.lua) and the core's defaults.
#   1. single runs: the static-partitioning baseline, delay.node_wait_s = 0,
#      1, 5 and no delay (node-local %, utilisation, makespan, and the
#      program's speed line: wall and CPU time, simulated tasks per second);
#   2. the 6-point sweep delay.node_wait_s=0,0.5,1,2,5,10 with its two
#      baselines (8 runs), timed against the target of 30 s on one core,
#      with its table, JSON and SVG plot;
#   3. the same sweep with one framework per job (--mode framework_per_job,
#      the Mesos paper's 16 Hadoop instances);
#   4. with KSIM_BENCH_REFERENCE=1, also the sweep of the paper's algorithm
#      (sim/policies/paper_delay.lua) for reference.
# Usage: bench/sim.sh [OUT_DIR] (default /tmp/kmesos-sim-bench); needs ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${KMESOS_BIN:-$PWD/build}/kmesos-sim
OUT=${1:-/tmp/kmesos-sim-bench}
SCENARIO=sim/scenarios/paper.json
SWEEP=delay.node_wait_s=0,0.5,1,2,5,10
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

# a timed sweep: its table, then its total time against the 30 s target
sweep() {
  local name=$1; shift
  "$SIM" "$SCENARIO" "$@" --json "$OUT/$name.json" --plot "$OUT/$name.svg" \
    2>"$OUT/$name.stderr"
  python3 - "$(tail -1 "$OUT/$name.stderr")" <<'PY'
import re, sys
m = re.search(r"in ([0-9.]+) s wall \(([0-9.]+) s CPU\)", sys.argv[1])
print(sys.argv[1])
if m:
    cpu = float(m.group(2))
    print("target: a 6-point sweep with its baselines in <= 30 s on one core: %.1f s CPU, %s"
          % (cpu, "met" if cpu <= 30 else "NOT met"))
PY
}

echo "== single runs, shipped chain, core defaults (no offer hold, wait refuse 0)"
single "static partitioning" --mode static_partition
for v in 0 1 5; do
  single "delay.node_wait_s=$v" --option delay.node_wait_s=$v
done
single "no delay (node 0, rack 0)" --option delay.node_wait_s=0 --option delay.rack_wait_s=0

echo
echo "== 6-point sweep, shipped chain, one framework ($SWEEP)"
sweep sweep --sweep "$SWEEP"

echo
echo "== 6-point sweep, shipped chain, one framework per job (the Mesos paper's setup)"
sweep sweep_frameworks --mode framework_per_job --sweep "$SWEEP"

if [ "${KSIM_BENCH_REFERENCE:-0}" = 1 ]; then
  echo
  echo "== reference: the paper's algorithm (sim/policies/paper_delay.lua), same sweep"
  sweep paper_sweep --policy sim/policies/paper_delay.lua \
    --sweep paper_delay.node_wait_s=0,0.5,1,2,5,10
fi
echo
echo "written: $OUT/sweep.{json,svg} $OUT/sweep_frameworks.{json,svg}"
