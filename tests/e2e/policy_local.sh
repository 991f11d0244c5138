#!/usr/bin/env bash
# End to end of the Lua policy chain with kmesos-local + kmesos-scheduler:
#  - delay.lua: a task that prefers an agent launches there at once; one
#    that prefers an agent that never offers waits node_wait_s+rack_wait_s
#    (shown as its waiting reason), then launches elsewhere;
#  - kill -HUP with a changed policy file changes decisions without a
#    restart; a broken file leaves the old chain working and says why.
source "$(dirname "$0")/lib.sh"

MASTER=$(free_port); API=$(free_port); MID=e2e-policy-master
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 2 --master-id "$MID" \
  --agent-attributes 'rack:r1,r2' --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
S="http://127.0.0.1:$API/api"

# 1. delay scheduling
start delay "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --state "file:$E2E_TMP/delay.json" --offer-hold 30s \
  --policy "$KMESOS_SRC/policies/delay.lua" \
  --policy-options '{"delay": {"node_wait_s": 2, "rack_wait_s": 2}}' \
  --workload "name=home cmd=\"sleep 300\" prefer_agents=$MID-S1" \
  --workload "name=away cmd=\"sleep 300\" prefer_agents=$MID-S7"
DELAY_PID=$LAST_PID
t0=$(date +%s.%N)
check "a task launches on its preferred agent at once" \
  wait_for 5 jtrue "$S/tasks" "[t for t in j if t['workload']=='home' and t['agent_id']=='$MID-S1']"
check "a task whose preferred agent never offers waits, with the reason shown" \
  jtrue "$S/tasks" "[t for t in j if t['workload']=='away' and t['phase']=='pending' and t['waiting_reason']]"
json "$S/tasks" "[t['waiting_reason'] for t in j if t['workload']=='away'][0]" | sed 's/^/# waiting reason: /'
check "after node_wait_s + rack_wait_s it launches elsewhere" \
  wait_for 10 jtrue "$S/tasks" "[t for t in j if t['workload']=='away' and t['phase']!='pending']"
waited=$(python3 -c "print(round($(date +%s.%N)-$t0,2))")
echo "# the waiting task launched after $waited s (node_wait_s + rack_wait_s = 4 s)"
check "it did not launch before the waits ran out" python3 -c "import sys; sys.exit(0 if $waited >= 3.5 else 1)"
kill -TERM "$DELAY_PID"; wait "$DELAY_PID" 2>/dev/null

# 2. hot reload
GATE="$E2E_TMP/gate.lua"
write_gate() {
  cat >"$GATE" <<LUA
return { name = "gate", evaluate = function(offer, task, ctx)
  if "$1" == "open" then return "accept" end
  return "wait", "gate is $1"
end }
LUA
}
write_gate closed
start reload "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --state "file:$E2E_TMP/reload.json" --offer-hold 30s --policy "$GATE" \
  --workload 'name=gated cmd="sleep 300"'
RELOAD_PID=$LAST_PID
check "a closed gate keeps the task waiting" \
  wait_for 10 jtrue "$S/tasks" "j[0]['phase']=='pending' and j[0]['waiting_reason']=='gate is closed'"
printf 'return { name = "gate", evaluate = function( \n' >"$GATE"
kill -HUP "$RELOAD_PID"
check "a broken policy file is refused, naming the file and line" \
  wait_for 5 jtrue "$S/policy" "j['reload_failures']==1 and '$GATE:' in (j['reload_error'] or '')"
sleep 1
check "the old chain keeps deciding after a failed reload" \
  jtrue "$S/tasks" "j[0]['phase']=='pending' and j[0]['waiting_reason']=='gate is closed'"
write_gate open
kill -HUP "$RELOAD_PID"
check "after SIGHUP with the gate open, the same process launches the task" \
  wait_for 10 jtrue "$S/tasks" "j[0]['phase']!='pending'"
check "the scheduler was not restarted" kill -0 "$RELOAD_PID"
check "the reload is counted with its duration" \
  jtrue "$S/policy" "j['reloads']>=1 and j['last_reload_ms']<100"
json "$S/policy" "'# reload took %.3f ms' % j['last_reload_ms']"
finish
