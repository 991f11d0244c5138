#!/usr/bin/env bash
# local_roles.sh: framework roles in kmesos-local as in a real Mesos 1.12
# master. References (no capture holds these cases; the apache/mesos
# source does):
#  - src/master/validation.cpp, framework::internal::validateRoles, and
#    src/common/roles.cpp, roles::validate: `roles` without MULTI_ROLE,
#    `role` with MULTI_ROLE (even "*"), duplicate and malformed roles are
#    refused with these texts; src/master/master.cpp, Master::subscribe:
#    the refusal is a 200 stream with one ERROR event, then closed;
#  - src/master/master.cpp, Master::offer: a MULTI_ROLE framework's offers
#    and their resources carry allocation_info {role}, other frameworks'
#    do not; a RESERVATION_REFINEMENT framework gets resources without the
#    deprecated `role` (convertResourceFormat, POST_RESERVATION_REFINEMENT);
#    others keep `role: "*"` as in the capture
#    tests/data/mesos-captures/scheduler/json-decline-revive;
#  - Master::accept (protobuf::injectAllocationInfo) and validation.cpp
#    (validateAllocatedToSingleRole, the resources check): an ACCEPT's
#    resources may name the offer's role or none; another role does not
#    fit (TASK_ERROR), two roles in one task are refused;
#  - src/master/readonly_handler.cpp, FullFrameworkWriter: /master/state
#    has `roles` for a MULTI_ROLE framework, `role` otherwise; a task's
#    `role` is its resources' allocation role.
source "$(dirname "$0")/lib/local_lib.sh"

lib_start roles --agents 2 --allocation-interval 200ms || { fail start; finish; }
base=http://127.0.0.1:$PORT
fwcall() { call "{\"framework_id\":{\"value\":\"$FW\"},$1}"; }

# refused NAME FRAMEWORK_INFO MESSAGE: SUBSCRIBE gets 200 and one ERROR
# event with MESSAGE, then the stream ends.
refused() {
    local out=$TMP/$1.refused hdrs=$TMP/$1.refused.h
    curl -s -m 5 -X POST "$base/api/v1/scheduler" -H 'Content-Type: application/json' \
        -H 'Accept: application/json' -D "$hdrs" -o "$out" \
        -d "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":$2}}"
    local got
    got=$(python3 - "$out" <<'PY'
import json, sys
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
recs = list(events(sys.argv[1]))
print(' | '.join(e['type'] + ((': ' + e['error']['message']) if e['type'] == 'ERROR' else '')
                 for e in recs))
PY
)
    check "$1: 200" grep -q '^HTTP/1.1 200' "$hdrs"
    if [ "$got" = "ERROR: $3" ]; then ok "$1: one ERROR event: $3"
    else fail "$1: one ERROR event: want '$3', got '$got'"; fi
}

MR='"capabilities":[{"type":"MULTI_ROLE"}]'
refused roles-without-multi '{"user":"root","name":"r1","role":"a","roles":["a"]}' \
    "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"
refused role-with-multi "{\"user\":\"root\",\"name\":\"r2\",\"role\":\"a\",\"roles\":[\"a\"],$MR}" \
    "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"
refused star-with-multi "{\"user\":\"root\",\"name\":\"r3\",\"role\":\"*\",$MR}" \
    "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"
refused duplicate "{\"user\":\"root\",\"name\":\"r4\",\"roles\":[\"a\",\"b\",\"a\"],$MR}" \
    "'FrameworkInfo.roles' contains duplicate items: { a }"
refused slash '{"user":"root","name":"r5","role":"/a"}' \
    "'FrameworkInfo.role' is not a valid role: Role '/a' cannot start with a slash"
refused dot '{"user":"root","name":"r6","role":"a/./b"}' \
    "'FrameworkInfo.role' is not a valid role: Role 'a/./b' cannot include '.' as a component"
refused blank "{\"user\":\"root\",\"name\":\"r7\",\"roles\":[\"ok\",\"a b\"],$MR}" \
    "'FrameworkInfo.roles' contains invalid role: Role component 'a b' is invalid because it contains backspace or whitespace"
refused dash '{"user":"root","name":"r8","role":"x/-y"}' \
    "'FrameworkInfo.role' is not a valid role: Role component '-y' is invalid because it starts with a dash"
check "no framework was registered by the refusals" test "$(curl -s "$base/master/state" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["frameworks"]))')" = 0

# offers FILE: one line per offer: id agent offer-role resource-roles
# resource-allocation-roles (- for none), from the JSON stream.
offers() {
    python3 - "$1" <<'PY'
import json, sys
import os; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
for e in events(sys.argv[1]):
    if e['type'] != 'OFFERS': continue
    for o in e['offers']['offers']:
        rs = o['resources']
        print(o['id']['value'], o['agent_id']['value'],
              o.get('allocation_info', {}).get('role', '-'),
              ','.join(sorted(set(r.get('role', '-') for r in rs))),
              ','.join(sorted(set(r.get('allocation_info', {}).get('role', '-') for r in rs))))
PY
}

# A plain framework: role "*" on each resource, no allocation_info, as in
# the recorded offers.
subscribe plain '{"user":"root","name":"plain"}' || fail "subscribe plain"
wait_for "$STREAM" '^OFFERS' 5 || fail "plain: offers"
want=$(offers "$CAPTURES/scheduler/json-decline-revive/a_json_subscribe.body.recordio" | awk '{print $3, $4, $5}' | sort -u)
check "recorded offers: no allocation_info, role \"*\"" test "$want" = '- * -'
check "plain: the same as recorded" test "$(offers "$STREAM" | awk '{print $3, $4, $5}' | sort -u)" = "$want"
fwcall '"type":"TEARDOWN"' >/dev/null

# RESERVATION_REFINEMENT: no deprecated role field.
subscribe refine '{"user":"root","name":"refine","capabilities":[{"type":"RESERVATION_REFINEMENT"}]}' || fail "subscribe refine"
wait_for "$STREAM" '^OFFERS' 5 || fail "refine: offers"
check "RESERVATION_REFINEMENT: resources without role, no allocation_info" test "$(offers "$STREAM" | awk '{print $3, $4, $5}' | sort -u)" = '- - -'
fwcall '"type":"TEARDOWN"' >/dev/null

# MULTI_ROLE with roles a and b: each offer is allocated to one of them.
subscribe multi "{\"user\":\"root\",\"name\":\"multi\",\"roles\":[\"a\",\"b\"],$MR}" || fail "subscribe multi"
wait_for "$STREAM" '^OFFERS' 5 || fail "multi: offers"
sleep 0.3
offers "$STREAM" >"$TMP/multi.offers"
check "MULTI_ROLE: offer and resources allocated to the same role, role \"*\" kept" \
    bash -c "awk '{ if (!((\$3==\"a\" || \$3==\"b\") && \$4==\"*\" && \$5==\$3)) bad=1 } END { exit bad }' '$TMP/multi.offers'"
check "MULTI_ROLE: both roles get offers (two agents)" test "$(awk '{print $3}' "$TMP/multi.offers" | sort -u | tr '\n' ' ')" = "a b "
read -r O1 A1 R1 _ < <(head -1 "$TMP/multi.offers")
read -r O2 A2 R2 _ < <(awk -v a="$A1" '$2!=a' "$TMP/multi.offers" | head -1)
other() { [ "$1" = a ] && echo b || echo a; }
res() { # res ROLE|-: cpus and mem, allocated to ROLE (- : none named)
    local ai=""
    [ "$1" != - ] && ai=",\"allocation_info\":{\"role\":\"$1\"}"
    echo "[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1}$ai},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":32}$ai}]"
}
task() { # task ID AGENT RESOURCES
    echo "{\"name\":\"$1\",\"task_id\":{\"value\":\"$1\"},\"agent_id\":{\"value\":\"$2\"},\"command\":{\"value\":\"sleep 30\"},\"resources\":$3}"
}
mixed="[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1},\"allocation_info\":{\"role\":\"$R1\"}},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":32},\"allocation_info\":{\"role\":\"$(other "$R1")\"}}]"
check "ACCEPT on the first agent: 202" test "$(fwcall "\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$O1\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[$(task named "$A1" "$(res "$R1")"),$(task unnamed "$A1" "$(res -)"),$(task foreign "$A1" "$(res "$(other "$R1")")"),$(task mixed "$A1" "$mixed")]}}],\"filters\":{\"refuse_seconds\":60}}")" = 202
check "resources naming the offer's role: launched" wait_for "$STREAM" "^UPDATE named TASK_STARTING" 5
check "resources naming no role: launched (the offer's role injected)" wait_for "$STREAM" "^UPDATE unnamed TASK_STARTING" 5
check "resources of another role: TASK_ERROR, they do not fit" wait_for "$STREAM" '^UPDATE foreign TASK_ERROR - SOURCE_MASTER REASON_TASK_INVALID "Total resources .* required by task and its executor is more than available' 5
check "resources of two roles: TASK_ERROR" wait_for "$STREAM" "^UPDATE mixed TASK_ERROR - SOURCE_MASTER REASON_TASK_INVALID \"Invalid task resources: The resources have multiple allocation roles \\('$(other "$R1")' and '$R1'\\) but only one allocation role is allowed\"" 5
# offers of two roles in one ACCEPT (validateAllocationRole) when the
# second agent's offer has the other role
if [ "$R2" != "$R1" ] && [ -n "$O2" ]; then
    fwcall "\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$O2\"},{\"value\":\"$O2\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[$(task dup "$A2" "$(res -)")]}}]}" >/dev/null
    check "the same offer twice: TASK_LOST 'Duplicate offer'" wait_for "$STREAM" "^UPDATE dup TASK_LOST - SOURCE_MASTER REASON_INVALID_OFFERS \"Task launched with invalid offers: Duplicate offer $O2 in offer list\"" 5
else
    fail "a second offer of the other role ($R1/$R2, '$O2')"
fi
state=$(curl -s "$base/master/state")
check "/master/state: roles [a, b], no role" test "$(python3 -c 'import json,sys; f=json.loads(sys.argv[1])["frameworks"][0]; print(f.get("roles"), "role" in f)' "$state")" = "['a', 'b'] False"
check "/master/state: the task's role is the offer's" test "$(python3 -c 'import json,sys; f=json.loads(sys.argv[1])["frameworks"][0]; print(sorted({t["role"] for t in f["tasks"]}))' "$state")" = "['$R1']"
fwcall '"type":"TEARDOWN"' >/dev/null

# MULTI_ROLE without any role: subscribed, never offered anything.
subscribe none "{\"user\":\"root\",\"name\":\"none\",$MR}" || fail "subscribe none"
sleep 0.8
check "MULTI_ROLE without roles: no offers" test "$(events "$STREAM" | grep -c '^OFFERS')" = 0

kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
