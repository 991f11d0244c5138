#!/usr/bin/env bash
# End to end (issue 13, volumes): a Kafka broker on reserved resources and
# a persistent volume, run by kmesos-scheduler (--framework-role kafka)
# on kmesos-local with 3 agents. Broker 0 is a plain broker (the one
# controller quorum voter); broker 1 has reserve=true: its first launch
# reserves its cpus, mem and a 512 MB volume on its agent (RESERVE and
# CREATE in the ACCEPT) and keeps its log dir there. A topic on broker 1
# alone takes N messages; its JVM is killed with SIGKILL; it comes back on
# the same agent and volume, without new operations, and still holds the
# N messages. `kmesos broker remove 1 --purge --force` then destroys the volume
# and unreserves its resources: /master/state shows no reservation left.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

TOPIC=volumes
PARTITIONS=1
N=500
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1 --framework-role kafka --principal kafka-e2e --kafka-quorum 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
SLOG=$E2E_TMP/sched1.log
M="http://127.0.0.1:$MASTER"
KM=("$KMESOS_BIN/kmesos" --api "http://127.0.0.1:$API")

# reserved_resources of every agent in /master/state, as one JSON line
reserved() { json "$M/master/state" 'json.dumps([s["reserved_resources"] for s in j["slaves"]])'; }
two_running='len([x for x in j["brokers"] if x["task"] and x["task"]["state"]=="TASK_RUNNING"])==2'

check "broker add 0 (plain) -> 200" \
  [ "$(post add 'broker=0&cpus=0.5&mem=1024&heap=256' | cut -c1-3)" = 200 ]
check "broker add 1 --reserve true --volume-size 512 (the CLI)" \
  "${KM[@]}" broker add 1 --cpus 0.5 --mem 1024 --heap 256 --reserve true --volume-size 512 \
  --failover-delay 1s
check "broker start * -> 200" [ "$(post start 'broker=*' | cut -c1-3)" = 200 ]
if ! wait_for 150 jtrue "$S/broker/list" "$two_running"; then
  not_ok "both brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
ok "both brokers TASK_RUNNING"
T1=$(b 1 "j['task']['id']"); AG1=$(b 1 "j['task']['agent_id']")
PID1=$(b 1 "j['volume']['persistence_id']")
echo "# broker 1: task $T1 on agent $AG1, volume $PID1"
check "broker 1's volume is on its agent" [ "$(b 1 "j['volume']['agent_id']")" = "$AG1" ]
check "the scheduler sent RESERVE and CREATE once" [ "$(grep -c "broker 1: RESERVE" "$SLOG")" = 1 ]
check "/master/state: kafka reserves 0.5 cpus, 1024 MB mem, 512 MB disk on broker 1's agent" \
  python3 -c "
import json, sys, urllib.request
st = json.load(urllib.request.urlopen(sys.argv[1] + '/master/state'))
a = [s for s in st['slaves'] if s['id'] == sys.argv[2]][0]['reserved_resources'].get('kafka', {})
sys.exit(not (a.get('cpus') == 0.5 and a.get('mem') == 1024 and a.get('disk') == 512))" \
  "$M" "$AG1"
VOLDIR=$(find "$E2E_TMP/agents" -type d -path "*/volumes/roles/kafka/$PID1" | head -n 1)
check "the volume's folder exists on the agent" [ -n "$VOLDIR" ]

BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
check "topic '$TOPIC' on broker 1 alone" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --replica-assignment 1
produce 1 "$N"
check "kcat produced $N messages with acks=all" [ "$?" = 0 ]
check "the partition's log is in the volume" \
  wait_for 10 sh -c "ls '$VOLDIR' | grep -q '^$TOPIC-0\$'"

J1=$(broker_jvm "$T1")
check "broker 1's JVM found" [ -n "$J1" ]
kill -9 "${J1:-0}" 2>/dev/null
back() { jtrue "$S/broker/list?broker=1" \
  "j['brokers'][0]['task']['state']=='TASK_RUNNING' and j['brokers'][0]['task']['id']!='$T1'"; }
check "broker 1 is relaunched and RUNNING again" wait_for 120 back
check "  ... on the same agent" [ "$(b 1 "j['task']['agent_id']")" = "$AG1" ]
check "  ... with the same volume" [ "$(b 1 "j['volume']['persistence_id']")" = "$PID1" ]
check "  ... without a new RESERVE or CREATE" [ "$(grep -c "broker 1: RESERVE" "$SLOG")" = 1 ]
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
all_back() { [ "$(consume_count "$BOOTSTRAP")" = "$N" ]; }
check "its $N messages are still there (consumed from the volume)" wait_for 60 all_back

out=$(post stop 'broker=1')
check "broker stop 1 -> 200" [ "${out%% *}" = 200 ]
check "broker 1's task ends KILLED" wait_for 60 jtrue "$S/broker/list?broker=1" \
  'j["brokers"][0]["task"]["state"]=="TASK_KILLED"'
# --force: broker 1 holds the topic's only replica (broker 0 still runs,
# so without it remove would try to drain broker 1 first, and refuse:
# no running broker has a copy)
check "broker remove 1 --purge --force (the CLI)" "${KM[@]}" broker remove 1 --purge --force
no_reservation() { [ "$(reserved)" = "[{}, {}, {}]" ]; }
check "/master/state: no reservation left (slaves[].reserved_resources == {})" \
  wait_for 60 no_reservation
echo "# reserved_resources: $(reserved)"
check "the volume's folder is gone" wait_for 10 sh -c "[ ! -e '$VOLDIR' ]"
check "the scheduler logged DESTROY and UNRESERVE" grep -q "DESTROY volume $PID1" "$SLOG"

stop_all_brokers
echo "metric: test_duration_s=$(since "$T_START")"
finish
