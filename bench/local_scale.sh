#!/usr/bin/env bash
# Benchmark of kmesos-local at scale (prints numbers; not part of the tests):
#   1. DECLINE latency (the call's HTTP round trip: median, 99th percentile
#      and max over DECLINEs of every outstanding offer, one call each,
#      refuse_seconds 5, so that filters pile up while allocation rounds
#      run, as in a storm) with 1,000 and with 10,000 offers
#      outstanding (one per agent; AGENTS="1000 9000" to change), and the
#      time to get those offers;
#   2. one ACCEPT launching 400 `sleep` tasks on one agent: the time to its
#      202, how many starts had run by then, the time to all RUNNING, and
#      the status updates resent (update retry interval 1 s);
#   3. the file descriptors and RSS of kmesos-local with 10,000 agents.
# Usage: bench/local_scale.sh [BUILD_DIR] (default ./build). A
# kmesos-local older than --agent-listeners is run with its limits (at most
# 1,000 agents): the 10,000 rows then say "refused".
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/kmesos-local
CLIENT=tests/e2e/lib/storm_client.py
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmesos-bench.XXXXXX")
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# start ARGS...: kmesos-local on a free port (sets PORT, PID); 1 if it did not come up.
start() {
    PORT=$(free_port)
    "$BIN" --port "$PORT" --work-dir "$TMP/work-$PORT" --log-level warn "$@" >"$TMP/out" 2>&1 &
    PID=$!
    for _ in $(seq 1 200); do
        curl -sf "http://127.0.0.1:$PORT/health" -o /dev/null && return 0
        kill -0 "$PID" 2>/dev/null || { PID=; return 1; }
        sleep 0.1
    done
    return 1
}
stop() { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=; }
field() { python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(r.get('$1', 'n/a'))" "$2"; }

printf '%-34s %12s %12s %12s %12s\n' "kmesos-local: $BIN" "offers in s" "DECLINE ms" "p99 ms" "max ms"
for n in ${AGENTS:-1000 10000}; do
    if start --agents "$n" --allocation-interval 1s; then
        r=$(python3 "$CLIENT" "127.0.0.1:$PORT" offers --agents "$n" --repeat 0 --refuse 5 \
            --timeout 300)
        printf '%-34s %12s %12s %12s %12s\n' "$n agents, $n offers outstanding" \
            "$(field seconds "$r")" "$(field decline_ms "$r")" "$(field decline_p99_ms "$r")" \
            "$(field decline_max_ms "$r")"
        if [ "$n" -ge 9000 ]; then
            FDS=$(ls /proc/"$PID"/fd | wc -l)
            RSS=$(awk '/VmRSS/{print $2}' /proc/"$PID"/status)
        fi
        stop
    else
        printf '%-34s %12s\n' "$n agents" "refused: $(head -c 120 "$TMP/out")"
    fi
done
echo
printf "%-34s %10s %14s %14s %14s %14s\n" "ACCEPT of 400 tasks, 1 agent" "202 in ms" "started @202" "all RUNNING s" "resent" "seen twice"
if start --agents 1 --allocation-interval 200ms --update-retry-interval 1s; then
    r=$(python3 "$CLIENT" "127.0.0.1:$PORT" launch --tasks 400 --cmd 'sleep 3600' --settle 3 --timeout 120)
    printf '%-34s %10s %14s %14s %14s %14s\n' "" "$(field accept_ms "$r")" \
        "$(field started_at_202 "$r")" "$(field all_running_s "$r")" \
        "$(field updates_resent "$r")" "$(field updates_seen_twice "$r")"
    stop
fi
echo
[ -n "${FDS:-}" ] && echo "$n agents: $FDS file descriptors, RSS $((RSS / 1024)) MB"
exit 0
