#!/usr/bin/env bash
# local_operator.sh: kmesos-local's operator API (POST /api/v1), as a real
# Mesos 1.12 master answers it: GET_AGENTS in JSON (every agent with its
# AgentInfo: id, hostname, port, rack attribute; active, version, pid,
# registered_time, total/allocated/offered resources), in protobuf (the
# same call and answer types; the scheduler's reader decodes such bodies
# in test_agents and in policy_local.sh), a
# removed agent no longer listed, the /master prefix, and the error
# answers (405, 400 without Content-Type, 415, 400 bad body, 400 without
# type, 406, 501 for a call it does not serve).
source "$(dirname "$0")/lib/local_lib.sh"

lib_start op --agents 3 --agent-attributes 'rack:r1,r2,r3;zone:z1' \
    --allocation-interval 200ms || { fail "start"; finish; }
API="http://127.0.0.1:$PORT/api/v1"
CALL='{"type":"GET_AGENTS"}'

post() { # post URL CONTENT_TYPE ACCEPT BODY -> status line in $TMP/h, body in $TMP/b
    # an empty CONTENT_TYPE sends none (curl would add a form type)
    curl -sS -o "$TMP/b" -D "$TMP/h" -X POST "$1" -H "Content-Type:${2:+ $2}" \
        ${3:+-H "Accept: $3"} --data-binary "$4"
}
status() { head -1 "$TMP/h" | tr -d '\r' | cut -d' ' -f2; }
body_is() { [ "$(cat "$TMP/b")" = "$1" ]; }

post "$API" application/json application/json "$CALL"
check "GET_AGENTS (JSON) answers 200" [ "$(status)" = 200 ]
check "Content-Type is application/json" grep -qi '^Content-Type: application/json' "$TMP/h"
cp "$TMP/b" "$TMP/agents.json"
pyj() { python3 -c "import json,sys; r=json.load(open('$TMP/agents.json')); g=r['get_agents']; a=g['agents']; sys.exit(0 if ($1) else 1)"; }
check "type is GET_AGENTS" pyj "r['type'] == 'GET_AGENTS'"
check "three agents" pyj "len(a) == 3"
check "each has agent_info with id, hostname and port" \
    pyj "all(x['agent_info']['id']['value'] and x['agent_info']['hostname'] == '127.0.0.1' and x['agent_info']['port'] > 0 for x in a)"
check "racks r1, r2, r3 from the rack attribute" \
    pyj "sorted(t['text']['value'] for x in a for t in x['agent_info']['attributes'] if t['name'] == 'rack') == ['r1','r2','r3']"
check "active, version 1.12.0, a pid, a registered_time in ns" \
    pyj "all(x['active'] and x['version'] == '1.12.0' and x['pid'].startswith('slave(') and x['registered_time']['nanoseconds'] > 10**18 for x in a)"
check "total_resources carry cpus" \
    pyj "all(any(r['name'] == 'cpus' and r['scalar']['value'] == 4 for r in x['total_resources']) for x in a)"

post "$API" application/json '' "$CALL"
check "no Accept: JSON" grep -qi '^Content-Type: application/json' "$TMP/h"
post "$API" application/json application/x-protobuf "$CALL"
check "Accept protobuf: 200 application/x-protobuf" \
    bash -c "[ \"\$(head -1 '$TMP/h' | cut -d' ' -f2)\" = 200 ] && grep -qi '^Content-Type: application/x-protobuf' '$TMP/h'"
check "the protobuf body is not empty" test -s "$TMP/b"
printf '\x08\x0a' >"$TMP/call.bin" # Call { type: GET_AGENTS (10) }
curl -sS -o "$TMP/b" -D "$TMP/h" -X POST "$API" -H 'Content-Type: application/x-protobuf' \
    -H 'Accept: application/x-protobuf' --data-binary @"$TMP/call.bin"
check "a protobuf call: 200" [ "$(status)" = 200 ]
post "http://127.0.0.1:$PORT/master/api/v1" application/json application/json "$CALL"
check "/master/api/v1 answers too" [ "$(status)" = 200 ]

AGENT1=$(python3 -c "import json; print(json.load(open('$TMP/agents.json'))['get_agents']['agents'][1]['agent_info']['id']['value'])")
curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/local/agents/$AGENT1/remove"
post "$API" application/json application/json "$CALL"
check "a removed agent is no longer listed" python3 -c "
import json; a = json.load(open('$TMP/b'))['get_agents']['agents']
assert len(a) == 2 and '$AGENT1' not in [x['agent_info']['id']['value'] for x in a], a"

curl -sS -o "$TMP/b" -D "$TMP/h" "$API"
check "GET: 405 with Allow: POST" bash -c "[ \"\$(head -1 '$TMP/h' | cut -d' ' -f2)\" = 405 ] && grep -qi '^Allow: POST' '$TMP/h'"
post "$API" '' application/json "$CALL"
check "no Content-Type: 400" bash -c "[ \"\$(head -1 '$TMP/h' | cut -d' ' -f2)\" = 400 ]"
check "  Expecting 'Content-Type' to be present" body_is "Expecting 'Content-Type' to be present"
post "$API" text/plain application/json "$CALL"
check "text/plain: 415" [ "$(status)" = 415 ]
post "$API" application/json application/json '{"type":'
check "malformed JSON: 400" [ "$(status)" = 400 ]
post "$API" application/json application/json '{}'
check "no type: 400" [ "$(status)" = 400 ]
check "  Failed to validate master::Call: Expecting 'type' to be present" \
    body_is "Failed to validate master::Call: Expecting 'type' to be present"
post "$API" application/json text/html "$CALL"
check "Accept text/html: 406" [ "$(status)" = 406 ]
post "$API" application/json application/json '{"type":"GET_QUOTA"}'
check "a call it does not serve: 501" [ "$(status)" = 501 ]
check "kmesos-local still serves" curl -sf "http://127.0.0.1:$PORT/health" -o /dev/null
finish
