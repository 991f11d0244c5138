#!/usr/bin/env bash
# local_shared_listener.sh: the executor and fetch end-to-end tests again
# with every agent on the shared agent listener (--agent-listeners 0):
# kmesos-executor finds its agent through MESOS_AGENT_ENDPOINT (calls
# routed by framework and executor id), command tasks and fetched URIs
# run in their sandboxes, and /files/read is served for each agent's
# sandbox (routed by the path asked for). Then: a shared agent's restart
# keeps the port (other agents are served) and answers 503 until it is
# back; an unknown path on the shared port says how to ask.
DIR=$(dirname "$0")
rc=0
for t in exec_local.sh local_executor.sh local_fetch.sh; do
    echo "# $t with --agent-listeners 0"
    LOCAL_EXTRA="--agent-listeners 0" KLOCAL_EXTRA="--agent-listeners 0" bash "$DIR/$t" || rc=1
done

source "$DIR/lib/local_lib.sh"
lib_start shared --agents 2 --agent-listeners 0 || { fail start; finish; }
base=http://127.0.0.1:$PORT
SP=$(curl -s "$base/local/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["shared_agent_port"])')
code() { curl -s -o "$TMP/body" -w '%{http_code}' "http://127.0.0.1:$SP$1"; }
check "both agents on port $SP: /slave(1)/state and /slave(2)/state" \
    test "$(code '/slave(1)/state')$(code '/slave(2)/state')" = 200200
check "restart of agent 1 (down 2s) answered 200" \
    test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/local/agents/1/restart?down=2s")" = 200
check "while down, /slave(2)/state answers 503" test "$(code '/slave(2)/state')" = 503
check "... 'Agent is restarting'" grep -q "Agent is restarting" "$TMP/body"
check "... and agent 0 is still served" test "$(code '/slave(1)/state')" = 200
sleep 2.5
check "back after the down time: /slave(2)/state answers 200" test "$(code '/slave(2)/state')" = 200
check "an unknown path on the shared port: 404 saying how to ask" \
    sh -c "test \"\$(curl -s -o '$TMP/body' -w '%{http_code}' http://127.0.0.1:$SP/state)\" = 404 && grep -q 'slave(N)/state' '$TMP/body'"
[ "$rc" = 0 ] || fail "one of the scripts above failed"
finish
