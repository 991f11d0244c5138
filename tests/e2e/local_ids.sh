#!/usr/bin/env bash
# local_ids.sh: kmesos-local checks ids as a real master does (apache/mesos
# src/common/validation.cpp, validateID; issue 11: ids with "../" made
# sandboxes outside --work-dir) and, with --credentials, guards its state,
# operator and /local endpoints too. Checks: a LAUNCH with a TaskID or
# ExecutorID that is empty, ".", "..", holds '/', '\' or a control
# character, or is over 255 characters gets TASK_ERROR /
# REASON_TASK_INVALID with the master's message, no sandbox is made for it
# (nothing outside the work dir), and a valid task in the same ACCEPT
# runs; a SUBSCRIBE with such a FrameworkID gets an ERROR event with the
# message; with --credentials /master/state, /api/v1 and /local/* answer
# 401 (Basic, realm named) without them and work with them, /health
# stays open.
source "$(dirname "$0")/lib/local_lib.sh"

lib_start ids --allocation-interval 200ms || { fail "start"; finish; }
subscribe s1 || fail "subscribe"
wait_for "$STREAM" '^OFFERS' 5 || fail "offer"
read -r _ OFFER AGENT _ < <(events "$STREAM" | grep '^OFFERS' | head -1)
RES='[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":16}}]'
task() { # task ID_JSON_STRING [EXECUTOR_ID_JSON_STRING]
  if [ -n "${2:-}" ]; then
    echo "{\"name\":\"t\",\"task_id\":{\"value\":$1},\"agent_id\":{\"value\":\"$AGENT\"},\"resources\":$RES,\"executor\":{\"executor_id\":{\"value\":$2},\"command\":{\"value\":\"sleep 30\"},\"resources\":$RES}}"
  else
    echo "{\"name\":\"t\",\"task_id\":{\"value\":$1},\"agent_id\":{\"value\":\"$AGENT\"},\"resources\":$RES,\"command\":{\"value\":\"sleep 30\"}}"
  fi
}
LONG=$(printf 'x%.0s' $(seq 1 256))
TASKS=$(IFS=,; echo "$(task '"../escape-t"'),$(task '"a/b"'),$(task '".."'),$(task '"."'),$(task '""'),$(task '"c\\d"'),$(task '"e\u0001f"'),$(task "\"$LONG\""),$(task '"exec-bad"' '"../escape-e"'),$(task '"good-1"')")
CODE=$(call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[$TASKS]}}],\"filters\":{\"refuse_seconds\":1}}}")
check "ACCEPT with bad ids: 202" test "$CODE" = 202
wait_for "$STREAM" "TASK_ERROR.*escape-e" 10
# err MESSAGE: a TASK_ERROR / REASON_TASK_INVALID update carries MESSAGE.
err() { events "$STREAM" | grep 'TASK_ERROR' | grep 'REASON_TASK_INVALID' | grep -qF -- "$1"; }
check "TaskID '../escape-t': contains invalid characters" err "\"'../escape-t' contains invalid characters\""
check "TaskID 'a/b': contains invalid characters" err "\"'a/b' contains invalid characters\""
check "TaskID '..': is disallowed" err "\"'..' is disallowed\""
check "TaskID '.': is disallowed" err "\"'.' is disallowed\""
check "TaskID '': ID must not be empty" err '"ID must not be empty"'
BS='\\' # the backslash as json.dumps writes it
check "TaskID with a backslash: invalid characters" err "\"'c${BS}d' contains invalid characters\""
check "TaskID with a control character: invalid characters" err "\"'e\\u0001f' contains invalid characters\""
check "TaskID of 256 characters: too long" err '"ID must not be greater than 255 characters"'
check "ExecutorID '../escape-e': contains invalid characters" err "\"'../escape-e' contains invalid characters\""
check "the valid task of the same ACCEPT is launched" wait_for "$STREAM" "^UPDATE good-1 TASK_STARTING" 10
check "no sandbox outside the work dir" bash -c "! find '$TMP' -name 'escape-*' | grep -q ."
check "no sandbox for a bad id inside it either" bash -c "! find '$TMP/work-ids' -name 'exec-bad' | grep -q ."

# SUBSCRIBE with a bad FrameworkID: an ERROR event with the message
sub_error() { # sub_error ID: prints the ERROR event's message
  curl -s -m 3 -X POST "http://127.0.0.1:$PORT/api/v1/scheduler" \
    -H 'Content-Type: application/json' -H 'Accept: application/json' \
    -d "{\"framework_id\":{\"value\":\"$1\"},\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"root\",\"name\":\"x\",\"id\":{\"value\":\"$1\"}}}}" \
    | python3 -c "
import os, sys; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
e = next(events('/dev/stdin'))
print(e['type'], e.get('error', {}).get('message', ''))"
}
check "SUBSCRIBE as framework '../fw': ERROR naming it" \
  test "$(sub_error ../fw)" = "ERROR '../fw' contains invalid characters"
check "SUBSCRIBE as framework '..': ERROR '..' is disallowed" \
  test "$(sub_error ..)" = "ERROR '..' is disallowed"
check "no framework folder for them" bash -c "! find '$TMP' -name fw | grep -q ."
kill "$LOCAL_PID"; wait "$LOCAL_PID" 2>/dev/null

# --credentials: the other endpoints want them too
AUTH=$CAPTURES/scheduler/auth
lib_start auth --credentials "$AUTH/master-credentials.json" || fail "start with credentials"
U=http://127.0.0.1:$PORT
st() { curl -s -o /dev/null -D "$TMP/h" -w '%{http_code}' "$@"; }
check "/master/state without credentials: 401" test "$(st "$U/master/state")" = 401
check "... realm mesos-master-readonly" grep -q 'WWW-Authenticate: Basic realm="mesos-master-readonly"' "$TMP/h"
check "/state.json without credentials: 401" test "$(st "$U/state.json")" = 401
check "/master/state with a wrong secret: 401" test "$(st -u kafka:nope "$U/master/state")" = 401
check "/master/state with the credentials: 200" test "$(st -u kafka:s3cret "$U/master/state")" = 200
check "GET /local/agents without credentials: 401" test "$(st "$U/local/agents")" = 401
check "... realm mesos-master-readwrite" grep -q 'WWW-Authenticate: Basic realm="mesos-master-readwrite"' "$TMP/h"
check "POST /local/stream/close without credentials: 401" test "$(st -X POST "$U/local/stream/close")" = 401
check "POST /local/master/kill without credentials: 401 (and the master lives)" \
  bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST '$U/local/master/kill')\" = 401 ] && sleep 0.3 && kill -0 $LOCAL_PID"
check "GET /local/agents with the credentials: 200" test "$(st -u kafka:s3cret "$U/local/agents")" = 200
check "operator API without credentials: 401" \
  test "$(st -X POST -H 'Content-Type: application/json' -d '{"type":"GET_AGENTS"}' "$U/api/v1")" = 401
check "operator API with the credentials: 200" \
  test "$(st -u kafka:s3cret -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' -d '{"type":"GET_AGENTS"}' "$U/api/v1")" = 200
check "/health stays open" test "$(st "$U/health")" = 200
finish
