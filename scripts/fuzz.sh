#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, -DKMESOS_FUZZ=ON) into
# ./build-fuzz and runs each for SECONDS (default 600):
#   scripts/fuzz.sh [SECONDS] [TARGET...]      (default: every target)
# Each target first replays its reproducers (tests/fuzz/regress/<target>/),
# then fuzzes from its corpus, kept in $KMESOS_FUZZ_CACHE/<target> (default
# ~/.cache/kmesos-fuzz), and its seeds, assembled at run time from
# tests/data by tests/fuzz/seeds.py, with its dictionary from
# tests/fuzz/dict. KMESOS_FUZZ_JOBS targets run at once (default 1).
# Prints each target's executions, exec/s and coverage. A finding (crash,
# sanitizer report, leak, broken invariant, timeout) prints the report and
# the reproducer, keeps it under build-fuzz/findings/<target>/, and makes
# the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
[ $# -gt 0 ] && shift
all=(fuzz_recordio fuzz_sched_event_pb fuzz_sched_event_json fuzz_session fuzz_exec_events
     fuzz_state fuzz_api fuzz_workload fuzz_local)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
jobs=${KMESOS_FUZZ_JOBS:-1}
cache=${KMESOS_FUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmesos-fuzz}
bdir=${KMESOS_FUZZ_BUILD:-build-fuzz}
cc=${CC:-$(command -v clang || true)}
if [ -z "$cc" ] || ! "$cc" --version | grep -q clang; then
  echo "fuzz.sh: needs clang with libFuzzer (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
CC=$cc cmake -S . -B "$bdir" -G Ninja -DKMESOS_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
ninja -C "$bdir" fuzz_all >/dev/null

dict_of() {
  case $1 in
    fuzz_sched_event_json|fuzz_session|fuzz_exec_events) echo mesos_json ;;
    fuzz_state) echo state ;;
    fuzz_api) echo api ;;
    fuzz_workload) echo workload ;;
    fuzz_local) echo local ;;
    *) echo numbers ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Shows a finding: the end of the report and the reproducer's bytes.
show_finding() {
  local t=$1 log=$2 dir=$3
  echo "== FINDING in $t (report: $log)"
  grep -E 'ERROR|runtime error|SUMMARY|fuzz invariant|#[0-9]+ 0x' "$log" | head -25 || true
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    echo "-- reproducer $f ($(wc -c <"$f") bytes; replay: $bdir/tests/fuzz/$t $f)"
    od -A d -c "$f" | head -20
  done
}

# Runs one target: regressions, then fuzzing. Writes <work>/<t>.result.
run_target() {
  local t=$1 bin=$bdir/tests/fuzz/$1 work=$bdir/fuzz-run
  local corpus=$cache/$t seeds=$work/seeds/$t found=$bdir/findings/$t log=$work/$t.log
  mkdir -p "$corpus" "$found"
  rm -rf "$seeds" && mkdir -p "$seeds"
  python3 tests/fuzz/seeds.py . "$t" "$seeds" >/dev/null
  [ "$t" = fuzz_state ] && FUZZ_STATE_SEED=$seeds/saved-state.json "$bin" -runs=0 >/dev/null 2>&1
  local r
  for r in tests/fuzz/regress/"$t"/*; do
    [ -f "$r" ] || continue
    if ! "$bin" "$r" >"$log" 2>&1; then
      rm -rf "$found" && mkdir -p "$found" && cp "$r" "$found"/
      echo "$t: the committed reproducer $r fails" >"$work/$t.result"
      show_finding "$t" "$log" "$found" >>"$work/$t.result"
      return 1
    fi
  done
  local rc=0
  "$bin" -max_total_time="$secs" -timeout=30 -print_final_stats=1 \
    -dict=tests/fuzz/dict/"$(dict_of "$t")".dict -artifact_prefix="$found"/ \
    "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  local execs rate cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
  printf '%-22s %10s execs %7s exec/s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-}" \
    >"$work/$t.result"
  if [ $rc -ne 0 ]; then
    show_finding "$t" "$log" "$found" >>"$work/$t.result"
    return 1
  fi
}

mkdir -p "$bdir/fuzz-run"
echo "== fuzzing ${#targets[@]} target(s), ${secs} s each, $jobs at a time (corpus: $cache)"
failed=0
running=0
for t in "${targets[@]}"; do
  if [ ! -x "$bdir/tests/fuzz/$t" ]; then
    echo "fuzz.sh: no target $t (one of: ${all[*]})" >&2
    exit 2
  fi
  rm -f "$bdir/fuzz-run/$t.result"
  rm -rf "$bdir/findings/$t"
  run_target "$t" &
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ $running -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
for t in "${targets[@]}"; do
  cat "$bdir/fuzz-run/$t.result" 2>/dev/null || { echo "$t: no result"; failed=1; }
done
[ $failed -eq 0 ] && echo "== fuzzing: no finding" || echo "== fuzzing: FINDINGS (see above)"
exit $failed
