#!/usr/bin/env bash
# End to end: producer and consumer tasks launched through the REST API
# (and the kmesos CLI) move messages through a real 3-broker Kafka cluster
# run by kmesos-scheduler on kmesos-local (3 agents, hosts 127.0.0.1..3).
# Bad requests answer 400 naming the field and change nothing (missing
# topic, unknown option, unknown id); a producer started while no broker
# runs waits with a waiting reason; broker add 0..2 + start; a topic with
# replication factor 3; `kmesos producer add 0 --topic t --options
# num-records=2000` + start -> TASK_FINISHED (the perf producer, run by
# kmesos-executor from the fetched Kafka tarball with
# KAFKA_BOOTSTRAP_SERVERS); consumer add 0 --options num-records=2000 +
# start -> TASK_FINISHED; kcat counts >= 2000 messages in the topic; the
# clients preferred the brokers' hosts (task.prefer.hosts); a client with
# constraints=hostname=like:127.0.0.3 runs there; a client that keeps
# failing is relaunched after its failover delay and deactivated after
# failover_max_tries; bad constraints/failover values and broker-only
# settings answer 400 naming the field. Prints
# "metric:" lines and "N passed, N failed". Skips (exit 0) only when
# KMESOS_SKIP_KAFKA=1 and no Kafka cache exists.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

N_MSG=2000
TOPIC=clients
. "$(dirname "$0")/lib/kafka_prelude.sh"

# --- local cluster: 3 agents, distinct hosts and port ranges --------------------
. "$(dirname "$0")/lib/kafka_cluster.sh"
kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
KM=("$KMESOS_BIN/kmesos" --api "http://127.0.0.1:$API")

# post KIND CMD FORM: POSTs /api/KIND/CMD with a form body; prints "STATUS BODY".
post() {
  curl -sS -o "$E2E_TMP/body.json" -w '%{http_code}' -d "$3" "$S/$1/$2"
  printf ' '; tr -d '\n' <"$E2E_TMP/body.json"
}
# bad KIND CMD FORM FIELD: the answer is 400 naming FIELD.
bad() {
  local out; out=$(post "$1" "$2" "$3")
  [ "${out%% *}" = 400 ] && python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(j['field']!=sys.argv[2] or not j['error'])" "${out#* }" "$4"
}
count() { json "$S/$1/list" "len(j['$1s'])"; }

# --- bad input: 400 naming the field, nothing changes ---------------------------
check "producer add without a topic -> 400 field topic" bad producer add "producer=0" topic
check "an unknown perf option -> 400 field options" bad producer add "producer=0&topic=t&options=colour=red" options
grep -q "unknown producer option 'colour'" "$E2E_TMP/body.json" && ok "the error names the option" ||
  not_ok "the error names the option"
check "a bad option value -> 400 field options" bad consumer add "consumer=0&topic=t&options=num-records=many" options
check "an unknown parameter -> 400 naming it" bad consumer add "consumer=0&topic=t&colour=red" colour
check "a broker-only setting (port) -> 400 field port" bad consumer add "consumer=0&topic=t&port=9092" port
grep -q "broker-only" "$E2E_TMP/body.json" && ok "the error says port is broker-only" ||
  not_ok "the error says port is broker-only"
check "data_dir for a producer -> 400 field data_dir" bad producer add "producer=0&topic=t&data_dir=/x" data_dir
check "a bad constraint -> 400 field constraints" bad producer add "producer=0&topic=t&constraints=hostname=sometimes" constraints
check "a bad failover delay -> 400 field failover_delay" bad producer add "producer=0&topic=t&failover_delay=0s" failover_delay
check "max delay below the delay -> 400 field failover_max_delay" bad consumer add "consumer=0&topic=t&failover_delay=1m&failover_max_delay=1s" failover_max_delay
check "failover_max_tries=0 -> 400 field failover_max_tries" bad consumer add "consumer=0&topic=t&failover_max_tries=0" failover_max_tries
check "heap not below mem -> 400 field heap" bad producer add "producer=0&topic=t&mem=256&heap=256" heap
check "a bad topic name -> 400 field topic" bad producer add "producer=0&topic=a/b" topic
check "negative cpus -> 400 field cpus" bad producer add "producer=0&topic=t&cpus=-1" cpus
check "an unknown producer id -> 400 field producer" bad producer start "producer=7" producer
grep -q "unknown producer id 7" "$E2E_TMP/body.json" && ok "the error says 'unknown producer id 7'" ||
  not_ok "the error says 'unknown producer id 7'"
check "a bad id expression -> 400 field consumer" bad consumer add "consumer=3..1&topic=t" consumer
check "state unchanged: no producer, no consumer" [ "$(count producer)$(count consumer)" = 00 ]
cli_err=$("${KM[@]}" producer add 0 --topic t --options colour=red 2>&1 >/dev/null); cli_rc=$?
check "the CLI prints the 400 naming the field and exits 1" \
  bash -c '[ "$1" = 1 ] && grep -q "field .options." <<<"$2"' _ "$cli_rc" "$cli_err"

# --- a client waits while no broker runs ---------------------------------------------
out=$(post producer add "producer=9&topic=$TOPIC&cpus=0.1&mem=128")
check "producer add 9 -> 200" [ "${out%% *}" = 200 ]
post producer start "producer=9" >/dev/null
check "producer 9 waits for a RUNNING broker, with the reason" wait_for 15 jtrue "$S/producer/list?producer=9" \
  '"waiting for a RUNNING broker" in (j["producers"][0]["task"]["waiting_reason"] or "")'
post producer stop "producer=9" >/dev/null
out=$(post producer remove "producer=9")
check "a stopped producer can be removed" [ "${out%% *}" = 200 ]

# --- brokers ------------------------------------------------------------------------------
SMALL='cpus=0.5&mem=1024&heap=256&failover_delay=2s&failover_max_delay=10s'
out=$(post broker add "broker=0..2&$SMALL&options=num.partitions=3,default.replication.factor=3,min.insync.replicas=2,group.initial.rebalance.delay.ms=0")
check "broker add 0..2 -> 200" [ "${out%% *}" = 200 ]
post broker start "broker=*" >/dev/null
all_running='len([b for b in j["brokers"] if b["task"] and b["task"]["state"]=="TASK_RUNNING"])==3'
if wait_for 120 jtrue "$S/broker/list" "$all_running"; then
  ok "all three brokers TASK_RUNNING"
else
  not_ok "all three brokers TASK_RUNNING"; json "$S/broker/list" 'j' || true; finish; exit 1
fi
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
echo "# bootstrap servers: $BOOTSTRAP"
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
check "kafka-client.sh topics creates '$TOPIC' with replication factor 3" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 3 --replication-factor 3

# --- producer through the CLI ---------------------------------------------------------------
check "kmesos producer add 0 (CLI) -> exit 0" "${KM[@]}" producer add 0 --topic "$TOPIC" \
  --cpus 0.5 --mem 384 --options "num-records=$N_MSG,record-size=100,acks=all"
check "producer 0 has the topic and options" jtrue "$S/producer/list?producer=0" \
  "j['producers'][0]['topic']=='$TOPIC' and 'num-records=$N_MSG' in j['producers'][0]['options'] and not j['producers'][0]['active']"
t=$(now)
check "kmesos producer start 0 (CLI) -> exit 0" "${KM[@]}" producer start 0
if wait_for 90 jtrue "$S/producer/list" 'j["producers"][0]["task"]["state"]=="TASK_FINISHED"'; then
  ok "producer 0 ends TASK_FINISHED"
else
  not_ok "producer 0 ends TASK_FINISHED"; json "$S/producer/list" 'j' || true
fi
echo "metric: producer_start_to_finished_${N_MSG}_s=$(since "$t")"
check "the producer task preferred the brokers' hosts" jtrue "$S/producer/list" \
  'sorted(j["producers"][0]["prefer_hosts"])==["127.0.0.1","127.0.0.2","127.0.0.3"]'
check "a finished producer is done (phase done, not relaunched)" jtrue "$S/producer/list" \
  'j["producers"][0]["task"]["phase"]=="done" and j["producers"][0]["failures"]==0'

# --- consumer through the API ----------------------------------------------------------------
out=$(post consumer add "consumer=0&topic=$TOPIC&cpus=0.5&mem=384&options=num-records=$N_MSG,timeout=60000")
check "consumer add 0 -> 200" [ "${out%% *}" = 200 ]
t=$(now)
out=$(post consumer start "consumer=0")
check "consumer start 0 -> 200" [ "${out%% *}" = 200 ]
if wait_for 90 jtrue "$S/consumer/list" 'j["consumers"][0]["task"]["state"]=="TASK_FINISHED"'; then
  ok "consumer 0 ends TASK_FINISHED (it read $N_MSG messages)"
else
  not_ok "consumer 0 ends TASK_FINISHED"; json "$S/consumer/list" 'j' || true
fi
echo "metric: consumer_start_to_finished_${N_MSG}_s=$(since "$t")"
got=$(kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -o beginning -e -q -f 'x\n' 2>>"$E2E_TMP/kcat.log" | wc -l)
check "kcat finds >= $N_MSG messages in '$TOPIC' (got $got)" [ "$got" -ge "$N_MSG" ]
check "the CLI lists the consumer" bash -c '"$@" consumer list | grep -q TASK_FINISHED' _ "${KM[@]}"
check "producers and consumers are kept in the state file" \
  python3 -c "import json; c=json.load(open('$E2E_TMP/state.json'))['kafka']['clients']; assert sorted((x['kind'], x['id']) for x in c)==[('consumer',0),('producer',0)]"
out=$(post producer remove "producer=0")
check "a finished producer can be removed" [ "${out%% *}" = 200 ]

# --- constraints steer a client; a failing client fails over, then is deactivated ---
out=$(post producer add "producer=5&topic=$TOPIC&cpus=0.1&mem=128&command=sleep 3&constraints=hostname=like:127.0.0.3&failover_delay=1s&failover_max_delay=2s")
check "producer add 5 with constraints hostname=like:127.0.0.3 -> 200" [ "${out%% *}" = 200 ]
check "producer 5 lists its constraints and failover" jtrue "$S/producer/list?producer=5" \
  'j["producers"][0]["constraints"]=="hostname=like:127.0.0.3" and j["producers"][0]["failover"]["delay"]=="1s"'
post producer start "producer=5" >/dev/null
check "producer 5 runs on 127.0.0.3, where its constraint says" wait_for 60 jtrue "$S/producer/list?producer=5" \
  'j["producers"][0]["task"]["hostname"]=="127.0.0.3" and j["producers"][0]["task"]["state"] in ("TASK_RUNNING","TASK_FINISHED")'
check "kmesos consumer add 6 with failover options (CLI) -> exit 0" "${KM[@]}" consumer add 6 --topic "$TOPIC" \
  --cpus 0.1 --mem 128 --command "exit 1" --failover-delay 1s --failover-max-delay 2s --failover-max-tries 2
"${KM[@]}" consumer start 6 >/dev/null
check "consumer 6 fails twice and is deactivated with the reason" wait_for 60 jtrue "$S/consumer/list?consumer=6" \
  'not j["consumers"][0]["active"] and "deactivated after 2 consecutive failures" in (j["consumers"][0]["last_failure"] or "")'
check "clients' lifecycle settings are kept in the state file" \
  python3 -c "import json; c={(x['kind'],x['id']):x for x in json.load(open('$E2E_TMP/state.json'))['kafka']['clients']}; assert c[('producer',5)]['constraints']=='hostname=like:127.0.0.3' and c[('consumer',6)]['failover_max_tries']==2"
echo "metric: test_duration_s=$(since "$T_START")"
finish
