#!/usr/bin/env bash
# topology_local.sh: the scheduler learns the cluster's shape from the master's
# operator API (POST /api/v1 GET_AGENTS), in both content types, and a policy
# sees the rack of a host that has never offered to it (issue 9, point 3).
#
# kmesos-local runs 6 agents: node01..node06 in racks r1 r1 r2 r2 r3 r3 (zones
# z1 z1 z1 z2 z2 z2). node06 has exactly 1 cpu and 128 MB. A first framework
# ("hog") runs a long task of 1 cpu and 128 MB pinned to node06
# (constraints="hostname=like:node06"), so node06 has nothing left to offer:
# kmesos-local offers an agent only when its free resources reach Mesos'
# minimum (0.01 cpus or 32 MB), as a real master does. Every framework started
# after that has never had an offer from node06: its topology can come from
# GET_AGENTS only. (The probe policy below also lists the hosts it has seen
# in offers, and the test checks node06 is not among them.)
#
#  1. Probe schedulers (--content-type protobuf, then json; then protobuf with
#     --rack-attribute zone): GET /api/topology lists all 6 agents with hostname
#     and rack soon after subscribe, node06 too; a probe policy that answers
#     "wait" with ctx.cluster.rack_of_host["node06"] / rack_of_agent[<node06's
#     id>] in its reason shows r3 as the waiting reason of a task. Each content
#     type is both sent and expected back (Content-Type and Accept), so a
#     topology that lists node06 means the answer decoded in that type.
#  2. delay.lua uses it: with the default chain (node_wait_s=1, rack_wait_s=60),
#     a task preferring the busy node06 launches rack-local on node05 (r3) after
#     about 1 s, not off-rack after 61 s (before GET_AGENTS the rack of a host
#     that never offered was unknown, so the rack step was skipped).
#  3. A removed agent leaves the topology.
source "$(dirname "$0")/lib.sh"

MASTER=$(free_port); MID=e2e-topo
python3 - "$E2E_TMP/agents.json" <<'PY'
import json, sys
racks = ["r1", "r1", "r2", "r2", "r3", "r3"]
zones = ["z1", "z1", "z1", "z2", "z2", "z2"]
agents = [{"hostname": "node%02d" % (i + 1),
           "resources": "cpus:2;mem:1024;disk:1000;ports:[31000-31009]",
           "attributes": "rack:%s;zone:%s" % (racks[i], zones[i])} for i in range(6)]
agents[5]["resources"] = "cpus:1;mem:128"
json.dump({"agents": agents}, open(sys.argv[1], "w"))
PY
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --master-id "$MID" \
  --agent-config "$E2E_TMP/agents.json" --allocation-interval 200ms \
  --work-dir "$E2E_TMP/agents" --kill-grace-period 1s
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
NODE06=$MID-S5

# 0. the hog takes all of node06
HOG_API=$(free_port)
start hog "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$HOG_API" \
  --state "file:$E2E_TMP/hog.json" --framework-name hog \
  --workload 'name=hog cmd="sleep 600" cpus=1 mem=128 constraints="hostname=like:node06"'
check "the hog's task runs on node06" \
  wait_for 15 jtrue "http://127.0.0.1:$HOG_API/api/tasks" \
  "j[0]['hostname'] == 'node06' and j[0]['state'] == 'TASK_RUNNING'"
check "node06 has nothing left to offer" \
  jtrue "http://127.0.0.1:$MASTER/master/state" \
  "[s for s in j['slaves'] if s['hostname'] == 'node06' and s['used_resources']['cpus'] == 1 and s['used_resources']['mem'] == 128]"

PROBE="$E2E_TMP/probe.lua"
cat >"$PROBE" <<LUA
-- waits forever; its reason shows what the policy sees of node06 and which
-- hosts have offered to this framework so far
return { name = "probe", evaluate = function(offer, task, ctx)
  local seen = ctx.state.seen or {}
  ctx.state.seen = seen
  seen[offer.hostname] = true
  local hosts = {}
  for h in pairs(seen) do hosts[#hosts + 1] = h end
  table.sort(hosts)
  local c = ctx.cluster
  return "wait", "node06 rack=" .. tostring(c.rack_of_host and c.rack_of_host["node06"])
    .. " agent rack=" .. tostring(c.rack_of_agent and c.rack_of_agent["$NODE06"])
    .. " offered=" .. table.concat(hosts, ",")
end }
LUA

# probe CONTENT_TYPE RACK_ATTRIBUTE EXPECTED_RACKS (of node01..node06)
probe() {
  local ct=$1 attr=$2 racks=$3 api; api=$(free_port)
  local S="http://127.0.0.1:$api/api" name="probe-$ct-$attr"
  start "$name" "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$api" \
    --state "file:$E2E_TMP/$name.json" --framework-name "$name" --content-type "$ct" \
    --rack-attribute "$attr" --policy "$PROBE" \
    --workload 'name=reader cmd="sleep 1" prefer_hosts=node06'
  local pid=$LAST_PID t0; t0=$(date +%s.%N)
  wait_for 10 jtrue "$S/status" "j['subscribed']"
  check "$ct: GET /api/topology lists the 6 agents with their $attr soon after subscribe" \
    wait_for 5 jtrue "$S/topology" \
    "j['rack_attribute'] == '$attr' and sorted((a['hostname'], a['rack']) for a in j['agents']) == list(zip(['node%02d' % i for i in range(1, 7)], '$racks'.split()))"
  echo "# $ct: topology complete $(python3 -c "print(round($(date +%s.%N) - $t0, 2))") s after start"
  check "$ct: node06 is listed under its agent id" \
    jtrue "$S/topology" "[a for a in j['agents'] if a['agent_id'] == '$NODE06' and a['hostname'] == 'node06']"
  if [ "$attr" = rack ]; then
    check "$ct: a policy sees node06's rack (r3) though node06 never offered" \
      wait_for 5 jtrue "$S/tasks" \
      "(j[0]['waiting_reason'] or '').startswith('node06 rack=r3 agent rack=r3 offered=node01,') and 'node06' not in j[0]['waiting_reason'].split('offered=')[1]"
    json "$S/tasks" "j[0]['waiting_reason']" | sed 's/^/# waiting reason: /'
  fi
  kill -TERM "$pid"; wait "$pid" 2>/dev/null
}
probe protobuf rack "r1 r1 r2 r2 r3 r3"
probe json rack "r1 r1 r2 r2 r3 r3"
probe protobuf zone "z1 z1 z1 z2 z2 z2"

# 2. delay.lua finds node06's rack
API=$(free_port); S="http://127.0.0.1:$API/api"
start delay "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --state "file:$E2E_TMP/delay.json" --framework-name delay \
  --policy-options '{"delay": {"node_wait_s": 1, "rack_wait_s": 60}}' \
  --workload 'name=reader cmd="sleep 600" prefer_hosts=node06'
t0=$(date +%s.%N)
check "a task preferring the busy node06 launches in its rack (node05)" \
  wait_for 15 jtrue "$S/tasks" "j[0]['phase'] != 'pending'"
echo "# it launched on $(json "$S/tasks" "j[0]['hostname']") after $(python3 -c "print(round($(date +%s.%N) - $t0, 2))") s (node_wait_s 1, rack_wait_s 60)"
check "  on node05" jtrue "$S/tasks" "j[0]['hostname'] == 'node05'"
check "  counted rack-local" \
  jtrue "$S/status" "j['locality']['rack_local'] == 1 and j['locality']['node_local'] + j['locality']['off_rack'] == 0"

# 3. an agent that goes away leaves the topology
curl -fsS -X POST "http://127.0.0.1:$MASTER/local/agents/$MID-S2/remove" -o /dev/null
check "a removed agent (node03) leaves the topology" \
  wait_for 5 jtrue "$S/topology" "len(j['agents']) == 5 and 'node03' not in [a['hostname'] for a in j['agents']]"
finish
