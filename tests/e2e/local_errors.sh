#!/usr/bin/env bash
# local_errors.sh: kmesos-local answers the recorded bad calls exactly like
# the real Mesos 1.12 master and agent (tests/data/mesos-captures:
# scheduler/errors, scheduler/auth, executor-errors, master-failover-zk):
# same status line and same body text. The master runs with the recorded
# master id so that texts carrying a framework id match byte for byte.
source "$(dirname "$0")/lib/local_lib.sh"
ERR=$CAPTURES/scheduler/errors
MID=f0a4f90e-e2ad-42c4-a867-2c78a7cebd72

status_line() { tr -d '\r' <"$1" | head -1; }

# expect NAME CAPTURE_PREFIX curl-args...: compares status line and body.
expect() {
    local name=$1 cap=$2; shift 2
    curl -s -D "$TMP/h" -o "$TMP/b" "$@"
    if [ "$(status_line "$TMP/h")" != "$(status_line "$cap.headers.txt")" ]; then
        fail "$name: status '$(status_line "$TMP/h")' != '$(status_line "$cap.headers.txt")'"
    elif ! cmp -s "$TMP/b" "$cap.body.txt"; then
        fail "$name: body '$(cat "$TMP/b")' != '$(cat "$cap.body.txt")'"
    else
        ok "$name"
    fi
}

lib_start errors --master-id "$MID" --allocation-interval 200ms || { fail start; finish; }
API=http://127.0.0.1:$PORT/api/v1/scheduler
subscribe s1 '{"user":"root","name":"capture","failover_timeout":60}' || fail "subscribe"
check "framework id is the recorded one" test "$FW" = "$MID-0000"
JSON=(-H 'Content-Type: application/json')

expect "no Mesos-Stream-Id" "$ERR/d_no_stream_id" -X POST "${JSON[@]}" -d @"$ERR/d_no_stream_id.request.json" "$API"
expect "wrong stream id" "$ERR/d_wrong_stream_id" -X POST "${JSON[@]}" \
    -H 'Mesos-Stream-Id: 00000000-0000-0000-0000-000000000000' -d @"$ERR/d_wrong_stream_id.request.json" "$API"
expect "SUBSCRIBE with a stream id" "$ERR/d_subscribe_with_stream_id" -X POST "${JSON[@]}" \
    -H "Mesos-Stream-Id: $SID" -d @"$ERR/d_subscribe_with_stream_id.request.json" "$API"
expect "malformed JSON" "$ERR/d_malformed_json" -X POST "${JSON[@]}" -H "Mesos-Stream-Id: $SID" \
    -d @"$ERR/d_malformed_json.request.json" "$API"
expect "unknown type" "$ERR/d_unknown_type" -X POST "${JSON[@]}" -H "Mesos-Stream-Id: $SID" \
    -d @"$ERR/d_unknown_type.request.json" "$API"
expect "DECLINE without decline" "$ERR/d_missing_decline_field" -X POST "${JSON[@]}" \
    -H "Mesos-Stream-Id: $SID" -d @"$ERR/d_missing_decline_field.request.json" "$API"
expect "wrong Content-Type" "$ERR/d_bad_content_type" -X POST -H 'Content-Type: text/plain' \
    -H "Mesos-Stream-Id: $SID" -d @"$ERR/d_bad_content_type.request.json" "$API"
expect "wrong Accept" "$ERR/d_bad_accept" -X POST "${JSON[@]}" -H 'Accept: text/html' \
    -d @"$ERR/d_bad_accept.request.json" "$API"
expect "GET" "$ERR/d_get_method" "$API"
check "405 carries Allow: POST" grep -qi '^Allow: POST' "$TMP/h"
check "error bodies are text/plain; charset=utf-8" grep -qi '^Content-Type: text/plain; charset=utf-8' "$TMP/h"

# executor API of the agent, with a live command executor "sleep-proto"
wait_for "$STREAM" '^OFFERS' 5
read -r _ OFFER AGENT _ < <(events "$STREAM" | grep '^OFFERS' | head -1)
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$OFFER\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"s\",\"task_id\":{\"value\":\"sleep-proto\"},\"agent_id\":{\"value\":\"$AGENT\"},\"command\":{\"value\":\"sleep 30\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1}}]}]}}]}}" >/dev/null
wait_for "$STREAM" '^UPDATE sleep-proto TASK_STARTING' 5 || fail "task start"
APORT=$(curl -s "http://127.0.0.1:$PORT/local/agents" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["port"])')
EXE=http://127.0.0.1:$APORT/api/v1/executor
XE=$CAPTURES/executor-errors
fix() { sed "s/f0a4f90e-e2ad-42c4-a867-2c78a7cebd72-0004/$FW/" "$1" >"$TMP/req.json"; echo "$TMP/req.json"; }
expect "executor: HEARTBEAT" "$XE/b3_proto_exec_heartbeat" -X POST "${JSON[@]}" -d @"$(fix "$XE/b3_proto_exec_heartbeat.request.json")" "$EXE"
expect "executor: malformed" "$XE/b3_proto_exec_malformed" -X POST "${JSON[@]}" -d @"$XE/b3_proto_exec_malformed.request.json" "$EXE"
expect "executor: missing subscribe" "$XE/b3_proto_exec_missing_subscribe" -X POST "${JSON[@]}" -d @"$(fix "$XE/b3_proto_exec_missing_subscribe.request.json")" "$EXE"
expect "executor: no Content-Type" "$XE/b3_proto_exec_no_content_type" -X POST -H 'Content-Type:' -d @"$XE/b3_proto_exec_no_content_type.request.json" "$EXE"
expect "executor: unknown executor" "$XE/b3_proto_exec_unknown_executor" -X POST "${JSON[@]}" -d @"$(fix "$XE/b3_proto_exec_unknown_executor.request.json")" "$EXE"
expect "executor: unknown framework" "$XE/b3_proto_exec_unknown_framework" -X POST "${JSON[@]}" -d @"$XE/b3_proto_exec_unknown_framework.request.json" "$EXE"

# TEARDOWN after the stream was cut: 403
check "control: cut the stream" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/local/stream/close")" = 200
expect "TEARDOWN after the stream closed" "$ERR/b3_proto_teardown_after_close" -X POST "${JSON[@]}" \
    -H "Mesos-Stream-Id: $SID" -d "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"TEARDOWN\"}" "$API"
kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM with a running task: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"

# authentication
AUTH=$CAPTURES/scheduler/auth
lib_start auth --credentials "$AUTH/master-credentials.json" || fail "start with credentials"
API=http://127.0.0.1:$PORT/api/v1/scheduler
SUB='{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"auth","principal":"kafka"}}}'
expect "auth: no credentials" "$AUTH/noauth" -X POST "${JSON[@]}" -d "$SUB" "$API"
check "auth: WWW-Authenticate" grep -q '^WWW-Authenticate: Basic realm="mesos-master-scheduler"' "$TMP/h"
expect "auth: wrong secret" "$AUTH/badauth" -u kafka:nope -X POST "${JSON[@]}" -d "$SUB" "$API"
expect "auth: principal mismatch" "$AUTH/principal_mismatch" -u kafka:s3cret -X POST "${JSON[@]}" \
    -d '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"auth","principal":"other"}}}' "$API"
curl -s -m 1 -D "$TMP/h" -o /dev/null -u kafka:s3cret -X POST "${JSON[@]}" -d "$SUB" "$API"
check "auth: right credentials get the stream" test "$(status_line "$TMP/h")" = "HTTP/1.1 200 OK"

# non-leading master
ZK=$CAPTURES/master-failover-zk
lib_start nonleader --redirect-to 127.0.0.1:5050 || fail "start non-leader"
curl -s -D "$TMP/h" -o "$TMP/b" -X POST "${JSON[@]}" -d @"$ZK/z2_subscribe_json.request.json" "http://127.0.0.1:$PORT/api/v1/scheduler"
check "non-leader: 307 like the capture" test "$(status_line "$TMP/h")" = "$(status_line "$ZK/z2_nonleader_5051_subscribe_json.headers.txt")"
check "non-leader: same Location" test "$(tr -d '\r' <"$TMP/h" | grep ^Location)" = "$(tr -d '\r' <"$ZK/z2_nonleader_5051_subscribe_json.headers.txt" | grep ^Location)"
curl -s -D "$TMP/h" -o "$TMP/b" "http://127.0.0.1:$PORT/master/redirect"
check "non-leader: /master/redirect" test "$(tr -d '\r' <"$TMP/h" | grep ^Location)" = "$(tr -d '\r' <"$ZK/z2_nonleader_5051_master_redirect.headers.txt" | grep ^Location)"
curl -s -X POST "http://127.0.0.1:$PORT/local/redirect?to=" >/dev/null
curl -s -m 1 -D "$TMP/h" -o /dev/null -X POST "${JSON[@]}" -d @"$ZK/z2_subscribe_json.request.json" "http://127.0.0.1:$PORT/api/v1/scheduler"
check "control: leading again after /local/redirect?to=" test "$(status_line "$TMP/h")" = "HTTP/1.1 200 OK"

# bad flags
"$KMESOS_BIN/kmesos-local" --agents lots >/dev/null 2>"$TMP/usage"
check "bad flag: exit 2" test $? -eq 2
check "bad flag: usage and reason on stderr" bash -c "grep -q Usage '$TMP/usage' && grep -q -- '--agents' '$TMP/usage'"
finish
