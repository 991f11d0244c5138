#!/usr/bin/env bash
# End to end: rack awareness. kmesos-local runs 4 agents in 3 zones (the
# agent attribute "zone": z1, z1, z2, z3) and the scheduler runs with
# --rack-attribute zone; 4 brokers, one per agent (hostname=unique). Each
# broker's broker.rack (its server.properties) is its agent's zone, and
# broker list (API and kmesos broker list) shows it. A topic of 8
# partitions with replication factor 3 made with kmesos topic add has,
# in kcat's metadata, every partition's 3 replicas in 3 different zones
# (without racks, Kafka would put some partition's replicas on both z1
# brokers). Prints "N passed, N failed".
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/lib/kafka_prelude.sh"
check "the Kafka tarball is in the cache" test -f "$DIST"
. "$(dirname "$0")/lib/kafka_cluster.sh"
export KAFKA_AGENTS='[{"hostname": "127.0.0.1", "attributes": "zone:z1"},
  {"hostname": "127.0.0.2", "attributes": "zone:z1"},
  {"hostname": "127.0.0.3", "attributes": "zone:z2"},
  {"hostname": "127.0.0.4", "attributes": "zone:z3"}]'
kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1 --rack-attribute zone
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
KM=("$KMESOS_BIN/kmesos" --api "http://127.0.0.1:$API")

out=$(post add "broker=0..3&cpus=0.5&mem=1024&heap=256&constraints=hostname=unique&options=auto.create.topics.enable=false")
check "broker add 0..3 (hostname=unique) -> 200" [ "${out%% *}" = 200 ]
out=$(post start "broker=*")
running4='len([x for x in j["brokers"] if x["task"] and x["task"]["state"]=="TASK_RUNNING"])==4'
if wait_for 180 jtrue "$S/broker/list" "$running4"; then ok "four brokers TASK_RUNNING"; else
  not_ok "four brokers TASK_RUNNING"; json "$S/broker/list" j; finish; exit 1; fi
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')

# --- each broker's rack -------------------------------------------------------------------
check "broker list: racks z1, z1, z2, z3" jtrue "$S/broker/list" \
  'sorted(x["rack"] for x in j["brokers"])==["z1","z1","z2","z3"]'
json "$S/broker/list" '"\n".join("%d %s %s" % (x["id"], x["rack"], x["task"]["agent_id"]) for x in j["brokers"])' \
  >"$E2E_TMP/racks.txt"
sed 's/^/# broker rack agent: /' "$E2E_TMP/racks.txt"
props_rack() { # broker id -> broker.rack of its server.properties
  local task; task=$(b "$1" "j['task']['id']")
  find "$E2E_TMP/agents" -path "*/executors/$task/*" -name server.properties \
    -exec sed -n 's/^broker.rack=//p' {} + | head -n 1
}
for id in 0 1 2 3; do
  want=$(b "$id" "j['rack']")
  check "broker $id: server.properties has broker.rack=$want" [ "$(props_rack "$id")" = "$want" ]
done
"${KM[@]}" broker list >"$E2E_TMP/blist.txt" 2>&1
check "kmesos broker list has a RACK column with z1..z3" \
  bash -c 'grep -q RACK "$1" && grep -q " z2 " "$1" && grep -q " z3 " "$1"' _ "$E2E_TMP/blist.txt"

# --- a topic with replication factor 3: one replica per zone ---------------------------------
check "kmesos topic add spread --partitions 8 --replication-factor 3" \
  "${KM[@]}" topic add spread --partitions 8 --replication-factor 3
spread_ok() {
  kcat -L -J -b "$BOOTSTRAP" -m 5 2>/dev/null | python3 -c '
import json, sys
rack = {int(l.split()[0]): l.split()[1] for l in open(sys.argv[1])}
j = json.load(sys.stdin)
t = next(x for x in j["topics"] if x["topic"] == "spread")
bad = [p["partition"] for p in t["partitions"]
       if len(p["replicas"]) != 3 or len({rack[r["id"]] for r in p["replicas"]}) != 3]
print("# partitions:", len(t["partitions"]), "not spread over 3 zones:", bad)
sys.exit(len(t["partitions"]) != 8 or bool(bad))' "$E2E_TMP/racks.txt"
}
check "kcat: each of the 8 partitions has its 3 replicas in 3 zones" spread_ok

stop_all4() {
  local o; o=$(post stop "broker=*")
  check "broker stop * -> 200" [ "${o%% *}" = 200 ]
  check "every broker task ends KILLED" wait_for 60 jtrue "$S/broker/list" \
    'all(x["task"]["state"]=="TASK_KILLED" for x in j["brokers"])'
}
stop_all4
echo "metric: test_duration_s=$(since "$T_START")"
finish
