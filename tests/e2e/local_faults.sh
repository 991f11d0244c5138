#!/usr/bin/env bash
# local_faults.sh: kmesos-local's allocator and fault controls: agents on
# different racks, DECLINE filters, SUPPRESS/REVIVE, agent removal
# (RESCIND, TASK_LOST with REASON_AGENT_REMOVED, FAILURE), a cut stream and
# a re-SUBSCRIBE that keeps the framework and its tasks, a heartbeat stall,
# and a failover timeout that kills the tasks of a vanished framework.
source "$(dirname "$0")/lib/local_lib.sh"

lib_start faults --agents 2 --agent-attributes 'rack:r1,r2;zone:z1' \
    --allocation-interval 200ms --heartbeat-interval 300ms || { fail start; finish; }
base=http://127.0.0.1:$PORT
check "racks cycle over agents" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
assert sorted(a['attributes']['rack'] for a in s['slaves']) == ['r1','r2'], s['slaves']"
subscribe s1 '{"user":"root","name":"faults","failover_timeout":60}' || fail subscribe
check "offers from both agents" wait_for "$STREAM" 'S1 ' 5
A0=$(events "$STREAM" | awk '/^OFFERS/ && $3 ~ /-S0$/ {print $3; exit}')
A1=$(events "$STREAM" | awk '/^OFFERS/ && $3 ~ /-S1$/ {print $3; exit}')
last_offer() { events "$STREAM" | awk -v a="$1" '$1=="OFFERS" && $3==a {o=$2} END{print o}'; }
n_offers() { events "$STREAM" | awk -v a="$1" '$1=="OFFERS" && $3==a' | wc -l; }
uuid_of() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s {print $4; exit}'; }
ack() { call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"$3\"},\"task_id\":{\"value\":\"$1\"},\"uuid\":\"$2\"}}" >/dev/null; }
fwcall() { call "{\"framework_id\":{\"value\":\"$FW\"},$1}"; }

# DECLINE with refuse_seconds=2 on agent 0
n=$(n_offers "$A0")
fwcall "\"type\":\"DECLINE\",\"decline\":{\"offer_ids\":[{\"value\":\"$(last_offer "$A0")\"}],\"filters\":{\"refuse_seconds\":2}}" >/dev/null
sleep 1.2
check "no offer for a declined agent during refuse_seconds" test "$(n_offers "$A0")" -eq "$n"
for i in $(seq 40); do [ "$(n_offers "$A0")" -gt "$n" ] && break; sleep 0.1; done
check "... within ~2.5 s" test "$(n_offers "$A0")" -gt "$n"

# launch a long task on agent 1
fwcall "\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$(last_offer "$A1")\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"l\",\"task_id\":{\"value\":\"long\"},\"agent_id\":{\"value\":\"$A1\"},\"command\":{\"value\":\"sleep 60.4321\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.5}}]}]}}],\"filters\":{\"refuse_seconds\":0.1}}" >/dev/null
wait_for "$STREAM" '^UPDATE long TASK_STARTING' 5 && ack long "$(uuid_of long TASK_STARTING)" "$A1"
check "task running on agent 1" wait_for "$STREAM" '^UPDATE long TASK_RUNNING' 5
ack long "$(uuid_of long TASK_RUNNING)" "$A1"

# SUPPRESS / REVIVE: decline what is outstanding for long, suppress, revive
for o in $(events "$STREAM" | awk '$1=="OFFERS"{print $2}'); do
    fwcall "\"type\":\"DECLINE\",\"decline\":{\"offer_ids\":[{\"value\":\"$o\"}],\"filters\":{\"refuse_seconds\":60}}" >/dev/null
done
fwcall '"type":"SUPPRESS"' >/dev/null
sleep 0.3
n=$(events "$STREAM" | grep -c '^OFFERS')
sleep 1
check "SUPPRESS: no new offers" test "$(events "$STREAM" | grep -c '^OFFERS')" -eq "$n"
fwcall '"type":"REVIVE"' >/dev/null
sleep 0.3
check "REVIVE: offers at once" test "$(events "$STREAM" | grep -c '^OFFERS')" -gt "$n"

# agent removal
wait_for "$STREAM" "OFFERS .* $A1" 3
check "control: remove agent 1" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/local/agents/1/remove")" = 200
check "RESCIND of its offer" wait_for "$STREAM" "^RESCIND $(last_offer "$A1")" 3
check "TASK_LOST with REASON_AGENT_REMOVED" wait_for "$STREAM" '^UPDATE long TASK_LOST - SOURCE_MASTER REASON_AGENT_REMOVED' 3
check "FAILURE for the agent" wait_for "$STREAM" "^FAILURE $A1 -" 3
sleep 0.2
check "the task's process is gone" bash -c "! pgrep -f 'sleep 60[.]4321' >/dev/null"
# the removed agent's host comes back: a new agent id, same hostname,
# resources and attributes (rack r2, although index 2 alone would give r1)
check "control: add?like=99 -> 404" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/local/agents/add?like=99")" = 404
check "control: add?like=1 -> 200" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/local/agents/add?like=1")" = 200
check "the new agent has agent 1's hostname, resources and rack" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
a = {x['id']: x for x in s['slaves']}
old, new = a.get('$A1'), a['${A1%S1}S2']
assert new['attributes']['rack'] == 'r2' and new['hostname'] == (old or new)['hostname'], new
assert old is None or old['resources'] == new['resources'], (old, new)"
check "offers from the new agent" wait_for "$STREAM" "^OFFERS .* ${A1%S1}S2" 3

# heartbeat stall
# (a 6 s stall: counting parses the stream, which takes a while on a loaded
# machine; the window counted must end well inside the stall)
curl -s -X POST "$base/local/heartbeats/stall?seconds=6" >/dev/null
sleep 0.8 # let a heartbeat already on its way arrive before counting
n=$(events "$STREAM" | grep -c '^HEARTBEAT')
sleep 1.5
# unstalled, 1.5 s at a 300 ms interval is ~5 heartbeats; one record that
# was already on the wire when we counted may still land
check "stall: no HEARTBEAT" test "$(events "$STREAM" | grep -c '^HEARTBEAT')" -le "$((n + 1))"
sleep 5
check "stall over: HEARTBEATs again" test "$(events "$STREAM" | grep -c '^HEARTBEAT')" -gt "$n"

# cut stream, re-subscribe with the same framework id
OLDFW=$FW OLDSTREAM=$STREAM
check "control: cut the stream" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/local/stream/close")" = 200
check "the scheduler's connection ends" bash -c "for i in \$(seq 30); do kill -0 $SUB_PID 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
subscribe s2 '{"user":"root","name":"faults","failover_timeout":1}' "$OLDFW" || fail "re-subscribe"
check "re-SUBSCRIBE keeps the framework id" test "$FW" = "$OLDFW"
check "new stream id" test -n "$SID"
wait_for "$STREAM" "^OFFERS .* $A0" 3
fwcall "\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$(last_offer "$A0")\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"f\",\"task_id\":{\"value\":\"fo\"},\"agent_id\":{\"value\":\"$A0\"},\"command\":{\"value\":\"sleep 61.4321\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.5}}]}]}}]}" >/dev/null
check "task on agent 0 runs" wait_for "$STREAM" '^UPDATE fo TASK_STARTING' 5
# failover timeout 1 s: cut the stream and do not come back
curl -s -X POST "$base/local/stream/close" >/dev/null
sleep 2
check "failover timeout: framework removed" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
assert not s['frameworks'] and s['completed_frameworks'][0]['id']=='$FW'"
check "failover timeout: its task was killed" bash -c "! pgrep -f 'sleep 61[.]4321' >/dev/null"
subscribe s3 '{"user":"root","name":"faults"}' "$FW"
check "re-SUBSCRIBE of a removed framework: ERROR" wait_for "$STREAM" '^ERROR' 3

kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
