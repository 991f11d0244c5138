#!/usr/bin/env bash
# local_shared_host.sh: two kmesos-local agents on one hostname (a real and
# supported Mesos setup: each agent its own id, port and work dir), declared
# in the agents file. Both are listed with that hostname (/local/agents,
# /master/state, GET_AGENTS) and offered with their own agent id and port;
# one task each, fetching a file:// URI, runs in a sandbox under its own
# agent's work dir; each agent's /files/read serves its own sandbox and
# not the other's; KILLs reach the right agent.
source "$(dirname "$0")/lib/local_lib.sh"

P1=$(free_port) P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done
mkdir -p "$TMP/wa" "$TMP/wb"
echo "fetched payload" >"$TMP/payload.txt"
cat >"$TMP/agents.json" <<EOF
{"agents":[{"hostname":"node-a.test","port":$P1,"work_dir":"$TMP/wa"},
           {"hostname":"node-a.test","port":$P2,"work_dir":"$TMP/wb"}]}
EOF
lib_start host --agent-config "$TMP/agents.json" --allocation-interval 200ms ||
    { fail start; finish; }
base=http://127.0.0.1:$PORT
fwcall() { call "{\"framework_id\":{\"value\":\"$FW\"},$1}"; }
uuid_of() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s {print $4; exit}'; }
ack() { fwcall "\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"$3\"},\"task_id\":{\"value\":\"$1\"},\"uuid\":\"$(uuid_of "$1" "$2")\"}" >/dev/null; }

check "/local/agents: two agents, one hostname, the ports asked for" python3 -c "
import json,urllib.request as u; a=json.load(u.urlopen('$base/local/agents'))
assert [(x['hostname'], x['port']) for x in a] == [('node-a.test', $P1), ('node-a.test', $P2)], a
assert a[0]['id'] != a[1]['id']"
A0=$(curl -s "$base/local/agents" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
A1=$(curl -s "$base/local/agents" | python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["id"])')
check "/master/state: both slaves on node-a.test" python3 -c "
import json,urllib.request as u; s=json.load(u.urlopen('$base/master/state'))
assert sorted((x['id'], x['hostname'], x['port']) for x in s['slaves']) == sorted([('$A0', 'node-a.test', $P1), ('$A1', 'node-a.test', $P2)]), s['slaves']"
check "GET_AGENTS: both agents" python3 -c "
import json,urllib.request as u
r=u.Request('$base/api/v1', data=b'{\"type\":\"GET_AGENTS\"}', headers={'Content-Type':'application/json','Accept':'application/json'})
a=json.load(u.urlopen(r))['get_agents']['agents']
assert sorted((x['agent_info']['id']['value'], x['agent_info']['hostname'], x['agent_info']['port']) for x in a) == sorted([('$A0', 'node-a.test', $P1), ('$A1', 'node-a.test', $P2)]), a"

subscribe s '{"user":"root","name":"shared-host"}' || fail subscribe
check "offers from both agents" wait_for "$STREAM" "^OFFERS .* $A1 " 5
wait_for "$STREAM" "^OFFERS .* $A0 " 5
check "each offer carries node-a.test and its agent's port" python3 -c "
import os, sys; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
offers = [o for e in events('$STREAM') if e['type'] == 'OFFERS' for o in e['offers']['offers']]
port={'$A0': $P1, '$A1': $P2}
assert offers and all(o['hostname'] == 'node-a.test' and o['url']['address']['hostname'] == 'node-a.test' and o['url']['address']['port'] == port[o['agent_id']['value']] for o in offers), offers"
offer_of() { events "$STREAM" | awk -v a="$1" '$1=="OFFERS" && $3==a {o=$2} END{print o}'; }
for i in 0 1; do
    agent=$([ "$i" = 0 ] && echo "$A0" || echo "$A1")
    fwcall "\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$(offer_of "$agent")\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"t$i\",\"task_id\":{\"value\":\"t$i\"},\"agent_id\":{\"value\":\"$agent\"},\"command\":{\"value\":\"cat payload.txt; echo on-$i; exec sleep 6$i.5\",\"uris\":[{\"value\":\"file://$TMP/payload.txt\"}]},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.5}}]}]}}],\"filters\":{\"refuse_seconds\":0.1}}" >/dev/null
done
for i in 0 1; do
    agent=$([ "$i" = 0 ] && echo "$A0" || echo "$A1")
    wait_for "$STREAM" "^UPDATE t$i TASK_STARTING" 5 && ack "t$i" TASK_STARTING "$agent"
    check "t$i runs on its agent" wait_for "$STREAM" "^UPDATE t$i TASK_RUNNING" 5
    ack "t$i" TASK_RUNNING "$agent"
done
check "the tasks' updates name their agents" python3 -c "
import os, sys; sys.path.insert(0, os.environ['E2E_PYLIB']); from recordio_json import events
seen = {e['update']['status']['task_id']['value']: e['update']['status']['agent_id']['value']
        for e in events('$STREAM') if e['type'] == 'UPDATE'}
assert seen == {'t0': '$A0', 't1': '$A1'}, seen"

# sandbox of task i (from its own agent's /state), on port P
sandbox() { curl -s "http://127.0.0.1:$2/state" | python3 -c "
import json,sys; s=json.load(sys.stdin)
print([x['directory'] for f in s['frameworks'] for x in f['executors'] if x['id'] == 't$1'][0])"; }
S0=$(sandbox 0 "$P1") S1=$(sandbox 1 "$P2")
check "t0's sandbox under agent 0's work dir" test "${S0#"$TMP/wa/slaves/$A0/frameworks/$FW/executors/t0/runs/"}" != "$S0"
check "t1's sandbox under agent 1's work dir" test "${S1#"$TMP/wb/slaves/$A1/frameworks/$FW/executors/t1/runs/"}" != "$S1"
check "each fetched its URI" bash -c "cmp -s '$TMP/payload.txt' '$S0/payload.txt' && cmp -s '$TMP/payload.txt' '$S1/payload.txt'"
check "/files/read on each agent serves its task's stdout" python3 -c "
import json,urllib.parse as p,urllib.request as u
for port, d, i in (($P1, '$S0', 0), ($P2, '$S1', 1)):
    r=json.load(u.urlopen('http://127.0.0.1:%d/files/read?path=%s&offset=0' % (port, p.quote(d + '/stdout'))))
    assert r['data'] == 'fetched payload\non-%d\n' % i, r"
check "an agent does not serve the other's sandbox (404)" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P1/files/read?path=$S1/stdout&offset=0")" = 404

fwcall "\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"t1\"},\"agent_id\":{\"value\":\"$A1\"}}" >/dev/null
check "KILL of t1: TASK_KILLED" wait_for "$STREAM" '^UPDATE t1 TASK_KILLED' 8
check "t0 still runs" bash -c "pgrep -f '^sleep 60[.]5\$' >/dev/null"
check "t1's process is gone" bash -c "! pgrep -f '^sleep 61[.]5\$'"

kill -TERM "$LOCAL_PID"; wait "$LOCAL_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
