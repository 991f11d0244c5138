# local_lib.sh: helpers shared by the kmesos-local end-to-end scripts
# (sourced; it lives in lib/ so that CTest, which runs tests/e2e/*.sh,
# does not take it for a test). Needs bash, curl and python3.
KMESOS_BIN=${KMESOS_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/build}
KMESOS_SRC=${KMESOS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
CAPTURES=$KMESOS_SRC/tests/data/mesos-captures
# the Python helpers of lib/ (recordio_json.py) for inline python3 code
export E2E_PYLIB
E2E_PYLIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PASSED=0
FAILED=0
PIDS=()
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmesos-e2e.XXXXXX")

# KEEP=1 keeps the scratch folder (logs, streams, sandboxes) in /tmp/keep-e2e.
lib_cleanup() {
    [ -n "$KEEP" ] && cp -r "$TMP" /tmp/keep-e2e;
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap lib_cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
check() { # check "what" cmd...
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# lib_start NAME ARGS...: starts kmesos-local on a free port; sets PORT, LOG.
lib_start() {
    local name=$1; shift
    PORT=$(free_port)
    LOG=$TMP/$name.log
    # shellcheck disable=SC2086 # KLOCAL_EXTRA: more flags, split on spaces
    "$KMESOS_BIN/kmesos-local" --port "$PORT" --work-dir "$TMP/work-$name" "$@" ${KLOCAL_EXTRA:-} \
        >"$TMP/$name.out" 2>"$LOG" &
    LOCAL_PID=$!
    PIDS+=("$LOCAL_PID")
    local i
    for i in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "kmesos-local did not start:"; cat "$LOG"
    return 1
}

# events FILE: one line per RecordIO record of a JSON stream:
# TYPE [task state uuid|offer ids|...], decoded with python.
events() {
    python3 - "$1" <<'PY'
import json, sys
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
for e in events(sys.argv[1]):
    t = e.get('type')
    if t == 'UPDATE':
        s = e['update']['status']
        print(t, s['task_id']['value'], s['state'], s.get('uuid', '-'), s.get('source', '-'),
              s.get('reason', '-'), json.dumps(s.get('message', '')))
    elif t == 'OFFERS':
        for o in e['offers']['offers']:
            print(t, o['id']['value'], o['agent_id']['value'], o['framework_id']['value'])
    elif t == 'SUBSCRIBED':
        print(t, e['subscribed']['framework_id']['value'])
    elif t == 'RESCIND':
        print(t, e['rescind']['offer_id']['value'])
    elif t == 'FAILURE':
        f = e['failure']
        print(t, f.get('agent_id', {}).get('value', '-'), f.get('executor_id', {}).get('value', '-'))
    else:
        print(t)
PY
}

# wait_for FILE PATTERN [SECONDS]: waits until the decoded stream matches.
wait_for() {
    local file=$1 pat=$2 secs=${3:-10} i
    for i in $(seq 1 $((secs * 20))); do
        events "$file" 2>/dev/null | grep -Eq "$pat" && return 0
        sleep 0.05
    done
    return 1
}

# subscribe NAME [framework_info JSON [framework id]]: JSON SUBSCRIBE in
# the background (a framework id is set in the call and in framework_info);
# sets STREAM (file), HDRS, then waits for SUBSCRIBED and sets FW, SID.
subscribe() {
    local name=$1
    local info=${2:-'{"user":"root","name":"e2e","failover_timeout":60}'}
    local fwid=""
    if [ -n "$3" ]; then
        info="${info%\}},\"id\":{\"value\":\"$3\"}}"
        fwid="\"framework_id\":{\"value\":\"$3\"},"
    fi
    STREAM=$TMP/$name.stream
    HDRS=$TMP/$name.headers
    : >"$STREAM"
    curl -sN -X POST "http://127.0.0.1:$PORT/api/v1/scheduler" \
        -H 'Content-Type: application/json' -H 'Accept: application/json' \
        -d "{$fwid\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":$info}}" \
        -D "$HDRS" -o "$STREAM" &
    PIDS+=("$!")
    SUB_PID=$!
    wait_for "$STREAM" '^SUBSCRIBED' 5 || return 1
    FW=$(events "$STREAM" | awk '/^SUBSCRIBED/{print $2; exit}')
    SID=$(tr -d '\r' <"$HDRS" | awk -F': ' 'tolower($1)=="mesos-stream-id"{print $2}')
}

# call JSON: POSTs a call with the stream id; prints the status code.
call() {
    curl -s -o "$TMP/call.body" -w '%{http_code}' -X POST \
        "http://127.0.0.1:$PORT/api/v1/scheduler" -H 'Content-Type: application/json' \
        -H "Mesos-Stream-Id: $SID" -d "$1"
}
