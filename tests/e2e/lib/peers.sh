# peers.sh: what the peer-client tests (tests/e2e/peer_*.sh) share, sourced
# after local_lib.sh. Finds the third-party clients that tests/peers/setup.sh
# built (KMESOS_PEERS, else BUILD/peers, else the source tree's build/peers
# for a second build such as build-asan): a missing one fails the test with
# the command that builds them, it is never skipped.
PEERS=${KMESOS_PEERS:-$KMESOS_BIN/peers}
[ -x "$PEERS/mesosgo-storm" ] || PEERS=$KMESOS_SRC/build/peers
if [ ! -x "$PEERS/mesosgo-storm" ] || [ ! -x "$PEERS/pymesos-storm" ]; then
    fail "the peer clients are not built: run tests/peers/setup.sh $KMESOS_BIN"
    finish
fi

# peer_run NAME PROG ARGS...: runs a life-cycle program (timeout 180 s),
# turns each of its "ok - "/"not ok - " lines into a check of this test and
# sets RC to its exit status; its full output stays in $TMP/NAME.out.
peer_run() {
    local name=$1; shift
    timeout 180 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    RC=$?
    local line
    while IFS= read -r line; do
        case $line in
            "ok - "*) ok "$name: ${line#ok - }" ;;
            "not ok - "*) fail "$name: ${line#not ok - }" ;;
        esac
    done <"$TMP/$name.out"
    [ "$RC" -eq 0 ] || { echo "--- $name stderr (tail)"; tail -n 20 "$TMP/$name.err"; }
}

# gone PATTERN: no process's command line matches PATTERN (within 10 s).
gone() {
    local i
    for i in $(seq 50); do
        pgrep -f -- "$1" >/dev/null || return 0
        sleep 0.2
    done
    return 1
}

# local_stop: SIGTERM to kmesos-local, which must exit 0 with no sanitizer report.
local_stop() {
    kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
    check "kmesos-local: SIGTERM, exit 0" test $? -eq 0
    check "kmesos-local: no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
}

# teardown_state FW TASK: what /master/state says of TASK of the removed
# framework FW: its state among the completed framework's completed_tasks
# (a real master, master.cpp removeFramework: TASK_KILLED, "Framework ID
# removed"), or "missing".
teardown_state() {
    curl -fsS "http://127.0.0.1:$PORT/master/state" | python3 -c "
import json, sys
j = json.load(sys.stdin)
s = [t['state'] for f in j.get('completed_frameworks', []) if f['id'] == '$1'
     for t in f.get('completed_tasks', []) if t['id'] == '$2']
print(s[0] if s else 'missing')"
}

# peer_dump: after a failed check, the tail of kmesos-local's log and of
# every sandbox's stderr (the scratch folder is removed on exit).
peer_dump() {
    [ "$FAILED" -eq 0 ] && return 0
    echo "--- kmesos-local log (tail)"; tail -n 40 "$LOG"
    local f
    for f in "$TMP"/work-*/slaves/*/frameworks/*/executors/*/runs/*/stderr; do
        [ -f "$f" ] || continue
        echo "--- ${f#"$TMP"/} (tail)"; tail -n 15 "$f"
    done
}
