#!/usr/bin/env bash
# End to end (issue 14, movable controllers): a 3-broker cluster whose
# KRaft quorum is dynamic (KIP-853: formatted with --initial-controllers,
# nodes find it through controller.quorum.bootstrap.servers), run by
# kmesos-scheduler on kmesos-local with 4 agents (hosts 127.0.0.1..4; the
# three voters take three of them). A topic with replication factor 3
# (min.insync.replicas=2) takes messages from a kcat producer (acks=all)
# in the background throughout. Voter 0's agent is removed for good, and
# its data dir with it (the agents share this machine's disk): the broker waits for its host (--kafka-voter-move-after 15s), then moves to
# the fourth agent with a new controller port and a fresh metadata dir;
# there it joins the quorum as an observer, removes its old self (same id,
# old directory id) and adds itself (kafka-metadata-quorum
# remove-controller, add-controller; kafka-broker.sh). Checked: the
# quorum's voters are 0, 1 and 2 again, voter 0 with its new endpoint and
# a new directory id; the quorum had a leader and at least 2 voters at
# every poll (every 2 s) through the move; the producer's every message
# was acknowledged and all of them can be read; all partitions are fully
# replicated again. Prints "metric:" lines (voter loss to new voter, and
# to all RUNNING). Skips (exit 0) only when KMESOS_SKIP_KAFKA=1 and no
# Kafka cache exists.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

TOPIC=votermove
PARTITIONS=3
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

export KAFKA_AGENTS='[{"hostname":"127.0.0.1"},{"hostname":"127.0.0.2"},{"hostname":"127.0.0.3"},{"hostname":"127.0.0.4"}]'
kafka_local_cluster --agent-removal-delay 1s || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1 --unreachable-grace 3s --kafka-voter-move-after 15s
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
SLOG=$E2E_TMP/sched1.log

check "broker add 0..2 -> 200" \
  [ "$(post add 'broker=0..2&cpus=0.5&mem=1024&heap=256&failover_delay=1s' | cut -c1-3)" = 200 ]
check "broker start * -> 200" [ "$(post start 'broker=*' | cut -c1-3)" = 200 ]
if ! wait_for 150 settled; then
  not_ok "the three brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
ok "the three brokers TASK_RUNNING"
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS

# quorum_status: kafka-metadata-quorum describe --status, through the brokers
quorum_status() { "$SCRIPTS/kafka-client.sh" quorum describe --status 2>/dev/null; }
# voters_json: the CurrentVoters list as JSON
voters_json() { quorum_status | sed -n 's/^CurrentVoters:[[:space:]]*//p'; }
V0=$(voters_json)
echo "# voters: $V0"
check "the quorum is dynamic: voters 0, 1, 2 with directory ids" python3 -c "
import json, sys
v = json.loads(sys.argv[1]); sys.exit(sorted(x['id'] for x in v) != [0, 1, 2] or not all(len(x.get('directoryId', '')) == 22 for x in v))" "$V0"
OLD_DIR=$(python3 -c "import json,sys; print([x['directoryId'] for x in json.loads(sys.argv[1]) if x['id']==0][0])" "$V0" 2>/dev/null)
AG0=$(b 0 "j['task']['agent_id']"); H0=$(b 0 "j['task']['hostname']")
check "the state records the voters' directory ids" \
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not all(v.get('dir_id') for v in s['kafka']['voters']))" "$E2E_TMP/state.json"

check "topic $TOPIC (3 partitions, RF 3, min.insync.replicas=2)" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 3 --replication-factor 3 \
  --config min.insync.replicas=2
# the producer: one message every 20 ms, acks=all, until told to stop
: >"$E2E_TMP/produced"
(
  i=0
  while [ ! -e "$E2E_TMP/stop-producing" ]; do
    i=$((i + 1)); echo "k$i:msg-$i"; echo "$i" >"$E2E_TMP/produced"; sleep 0.02
  done
) | kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -K: -X acks=all -X linger.ms=5 \
      -X message.timeout.ms=120000 2>>"$E2E_TMP/kcat.log" &
PRODUCER=$!
# the quorum watch: leader and voters every 2 s
(
  while [ ! -e "$E2E_TMP/stop-watching" ]; do
    s=$(quorum_status)
    echo "$(date +%s) leader=$(sed -n 's/^LeaderId:[[:space:]]*//p' <<<"$s") voters=$(sed -n 's/^CurrentVoters:[[:space:]]*//p' <<<"$s" | grep -o '"id":' | wc -l)"
    sleep 2
  done
) >"$E2E_TMP/quorum-watch.log" 2>&1 &
WATCH=$!
sleep 3

# --- voter 0's agent is removed for good -----------------------------------------------------
t_loss=$(now)
check "POST /local/agents/$AG0/remove (voter 0 on $H0) -> 200" \
  [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MASTER/local/agents/$AG0/remove")" = 200 ]
# its disk goes with its host: all agents here share one file system, so
# broker 0's data dir (its metadata log, with its directory id) is removed
# once its JVM is gone
T0=$(b 0 "j['task']['id']")
check "broker 0's JVM is gone with its agent" wait_for 60 bash -c "[ -z \"\$(pgrep -f 'kafka.logs.dir=$E2E_TMP/agents/[^ ]*/executors/$T0/')\" ]"
rm -rf "$E2E_TMP/data/broker-0"
moved() { jtrue "$S/broker/list?broker=0" \
  "j['brokers'][0]['task']['state']=='TASK_RUNNING' and j['brokers'][0]['task']['hostname'] not in ('$H0',)"; }
check "broker 0 runs again on another host (after waiting 15 s for its own)" wait_for 180 moved
echo "metric: voter_loss_to_running_s=$(since "$t_loss")"
H0NEW=$(b 0 "j['task']['hostname']")
new_voter() {
  python3 -c "
import json, sys
v = json.loads(sys.argv[1]); z = [x for x in v if x['id'] == 0]
sys.exit(not (sorted(x['id'] for x in v) == [0, 1, 2] and z and z[0]['directoryId'] != sys.argv[2]
              and any(sys.argv[3] + ':' in e for e in z[0]['endpoints'])))" "$(voters_json)" "$OLD_DIR" "$H0NEW"
}
check "the quorum's voters are 0, 1, 2 again: voter 0 at $H0NEW with a new directory id" \
  wait_for 120 new_voter
echo "metric: voter_loss_to_new_voter_s=$(since "$t_loss")"
echo "# voters: $(voters_json)"
check "the scheduler logged the move" grep -q "voter 0: its host $H0 is gone; moving to $H0NEW" "$SLOG"
# the stderr files of broker 0's tasks (the executor writes TASK.stderr in the sandbox)
b0_stderr() { find "$E2E_TMP/agents" -path '*/executors/broker-0-*' -name 'broker-0-*.stderr' 2>/dev/null; }
check "the new voter logged its join (remove the old self, add itself)" \
  bash -c 'grep -qs "quorum: removing the old voter 0" "$@" && grep -qs "quorum: adding node 0" "$@"' _ $(b0_stderr)
sleep 4
touch "$E2E_TMP/stop-producing"
wait "$PRODUCER"
PRC=$?
touch "$E2E_TMP/stop-watching"
wait "$WATCH" 2>/dev/null
N=$(cat "$E2E_TMP/produced")
check "the producer (acks=all) had every one of its $N messages acknowledged" [ "$PRC" = 0 ]
check "the quorum had a leader and >= 2 voters at every poll through the move" \
  awk '{ split($2, l, "="); split($3, v, "="); if (l[2] == "" || l[2] < 0 || v[2] < 2) bad++ } END { exit bad || NR < 5 }' \
  "$E2E_TMP/quorum-watch.log"
echo "# quorum polls: $(wc -l <"$E2E_TMP/quorum-watch.log"), e.g. $(tail -n 1 "$E2E_TMP/quorum-watch.log")"
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
check "all $N messages can be read" wait_for 60 bash -c "[ \"\$(kcat -C -b '$BOOTSTRAP' -t '$TOPIC' -o beginning -e -q -f '%k\n' 2>/dev/null | sort -u | wc -l)\" -ge '$N' ]"
check "every partition has 3 in-sync replicas again" wait_for 120 full_isr
echo "metric: voter_loss_to_full_isr_s=$(since "$t_loss")"
if [ "$E2E_FAILED" != 0 ]; then
  echo "--- quorum watch"; cat "$E2E_TMP/quorum-watch.log"
  echo "--- scheduler (tail)"; tail -n 30 "$SLOG"
  for f in $(b0_stderr); do
    echo "--- ${f#"$E2E_TMP"/} (quorum lines)"; grep -a 'quorum\|ERROR' "$f" | tail -n 20
  done
fi
finish
