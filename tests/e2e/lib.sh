# Shared helpers of the end-to-end tests (sourced, not run). Each test
# starts real processes on loopback ports picked here, records every PID
# and kills them all on exit, and counts its checks so it can print the
# closing "N passed, N failed" line.
set -u
KMESOS_BIN=${KMESOS_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
KMESOS_SRC=${KMESOS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmesos-e2e.XXXXXX")
E2E_PIDS=()
E2E_PASSED=0
E2E_FAILED=0

e2e_cleanup() {
  local pid
  for pid in "${E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.3
  for pid in "${E2E_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ "$E2E_FAILED" -ne 0 ] || [ "${E2E_KEEP:-0}" = 1 ]; then
    echo "logs kept in $E2E_TMP"
    for f in "$E2E_TMP"/*.log; do [ -f "$f" ] && { echo "--- $f (tail)"; tail -n 40 "$f"; }; done
  else
    rm -rf "$E2E_TMP"
  fi
}
trap e2e_cleanup EXIT

# now: the wall clock in seconds; since T: seconds from T to now, one decimal.
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start NAME CMD...: runs CMD in the background, output in $E2E_TMP/NAME.log;
# the PID is in $LAST_PID.
start() {
  local name=$1; shift
  "$@" >"$E2E_TMP/$name.log" 2>&1 &
  LAST_PID=$!
  E2E_PIDS+=("$LAST_PID")
}

ok() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok - $*"; }
not_ok() { E2E_FAILED=$((E2E_FAILED + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# json URL EXPR: GETs URL and prints the Python expression EXPR of it (j).
json() {
  curl -fsS --max-time 5 "$1" | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"
}

# jtrue URL EXPR: succeeds when the Python expression EXPR of it is true.
jtrue() {
  [ "$(json "$1" "bool($2)" 2>/dev/null)" = True ]
}

finish() {
  echo "$E2E_PASSED passed, $E2E_FAILED failed"
  [ "$E2E_FAILED" -eq 0 ]
}
