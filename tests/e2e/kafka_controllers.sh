#!/usr/bin/env bash
# End to end (issue 14, dedicated controllers): kmesos-scheduler on
# kmesos-local (3 agents, hosts 127.0.0.1..3) runs three dedicated KRaft
# controllers (`kmesos broker add 0..2 --role controller`) and two brokers
# (3, 4). Checked: the controllers are the quorum's voters (dynamic quorum,
# process.roles=controller, no client listener) and the brokers its
# observers; Kafka's metadata lists brokers 3 and 4 only; `/api/status`
# bootstrap servers name the brokers alone; `kmesos broker list` shows the
# roles; a topic with replication factor 2 takes 200 messages with
# acks=all that can all be read; a controller with an SSL port is refused
# naming role. Skips (exit 0) only when KMESOS_SKIP_KAFKA=1 and no Kafka
# cache exists.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

TOPIC=controllers
PARTITIONS=2
N=200
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
KM=("$KMESOS_BIN/kmesos" --api "http://127.0.0.1:$API")

check "a controller with an SSL port -> 400 naming role" bad add 'broker=9&role=controller&ssl_port=auto' role
check "kmesos broker add 0..2 --role controller" \
  "${KM[@]}" broker add 0..2 --role controller --cpus 0.25 --mem 512 --heap 256
check "kmesos broker add 3..4 (brokers)" "${KM[@]}" broker add 3..4 --cpus 0.5 --mem 1024 --heap 256
check "kmesos broker start '*'" "${KM[@]}" broker start '*'
five='len([x for x in j["brokers"] if x["task"] and x["task"]["state"]=="TASK_RUNNING"])==5'
if ! wait_for 180 jtrue "$S/broker/list" "$five"; then
  not_ok "the five nodes TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
ok "the five nodes TASK_RUNNING"
echo "metric: start_to_5_running_s=$(since "$T_START")"
check "broker list: roles controller x3, combined x2" jtrue "$S/broker/list" \
  'sorted(b["role"] for b in j["brokers"]) == ["combined", "combined", "controller", "controller", "controller"]'
"${KM[@]}" broker list >"$E2E_TMP/list.txt" 2>&1
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
echo "# bootstrap servers: $BOOTSTRAP"
check "the bootstrap servers are the two brokers' endpoints" \
  bash -c '[ "$(tr "," "\n" <<<"$1" | wc -l)" = 2 ]' _ "$BOOTSTRAP"
check "the state's voters are 0, 1, 2" python3 -c "
import json, sys
s = json.load(open(sys.argv[1])); sys.exit(sorted(v['id'] for v in s['kafka']['voters']) != [0, 1, 2])" \
  "$E2E_TMP/state.json"
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
STATUS=$("$SCRIPTS/kafka-client.sh" quorum describe --status 2>/dev/null)
echo "$STATUS" | sed -n 's/^\(LeaderId\|CurrentVoters\|CurrentObservers\):/# &/p'
check "the quorum's voters are the controllers 0, 1, 2 and its observers the brokers 3, 4" \
  python3 -c "
import json, sys
f = dict(l.split(':', 1) for l in sys.argv[1].splitlines() if ':' in l)
v = sorted(x['id'] for x in json.loads(f['CurrentVoters']))
o = sorted(x['id'] for x in json.loads(f['CurrentObservers']))
sys.exit(v != [0, 1, 2] or o != [3, 4])" "$STATUS"
check "Kafka's metadata lists brokers 3 and 4 only" \
  bash -c '[ "$(kcat -L -b "$1" -J 2>/dev/null | python3 -c "import json,sys; print(sorted(b[\"id\"] for b in json.load(sys.stdin)[\"brokers\"]))")" = "[3, 4]" ]' _ "$BOOTSTRAP"
check "a controller's sandbox has process.roles=controller and no client listener" \
  bash -c 'f=$(find "$1/agents" -path "*/executors/broker-0-*/server.properties" | head -n 1); grep -qx "process.roles=controller" "$f" && ! grep -q "PLAINTEXT://" "$f"' _ "$E2E_TMP"
check "topic $TOPIC (2 partitions, replication factor 2)" \
  "${KM[@]}" topic add "$TOPIC" --partitions 2 --replication-factor 2
produce 1 "$N"
check "kcat produced $N messages with acks=all" [ "$?" = 0 ]
check "all $N can be read" wait_for 30 bash -c "[ \"\$(kcat -C -b '$BOOTSTRAP' -t '$TOPIC' -o beginning -e -q -f '%k\n' 2>/dev/null | sort -u | wc -l)\" = '$N' ]"
finish
