# Shared setup of the Kafka end-to-end tests that run brokers under
# kmesos-scheduler on kmesos-local (sourced after lib.sh and
# kafka_prelude.sh): the local cluster of 3 agents, the scheduler, the
# REST and topic helpers. Topic helpers use $BOOTSTRAP and $TOPIC.

# kafka_local_cluster [FLAGS...]: starts kmesos-local with 3 agents on
# hosts 127.0.0.1..3, each with its own 20 ports (they share this
# machine) and rack r1..r3, plus FLAGS. KAFKA_AGENTS (a JSON list of
# {hostname, attributes}) replaces that layout; each agent still gets
# its own 20 ports. Sets MASTER (its port), LOCAL_PID,
# MODE (uri when kmesos-local has a fetcher, else local), API and S (the
# scheduler's API port and base URL, for kafka_scheduler). 1 when it does
# not come up.
kafka_local_cluster() {
  MASTER=$(free_port); API=$(free_port)
  local base=$((20000 + (RANDOM % 100) * 100))
  KAFKA_AGENTS=${KAFKA_AGENTS:-} python3 - "$base" >"$E2E_TMP/agents.json" <<'PY'
import json, os, sys
b = int(sys.argv[1])
layout = json.loads(os.environ["KAFKA_AGENTS"] or "null") or [
    {"hostname": f"127.0.0.{i + 1}", "attributes": f"rack:r{i + 1}"} for i in range(3)]
print(json.dumps({"agents": [
    dict(a, resources=f"cpus:2;mem:2048;disk:10000;ports:[{b + 20 * i}-{b + 20 * i + 19}]")
    for i, a in enumerate(layout)]}))
PY
  start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agent-config "$E2E_TMP/agents.json" \
    --allocation-interval 200ms --work-dir "$E2E_TMP/agents" --kill-grace-period 10s "$@"
  LOCAL_PID=$LAST_PID
  MODE=local
  "$KMESOS_BIN/kmesos-local" --help 2>&1 | grep -qi fetch && MODE=uri
  echo "# fetch mode: $MODE"
  S="http://127.0.0.1:$API/api"
  wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
}

# kafka_scheduler N [FLAGS...]: starts kmesos-scheduler on that cluster
# (log $E2E_TMP/schedN.log at debug level, state file, broker data under
# $E2E_TMP/data, offers held up to 30 s), plus FLAGS. Sets SCHED_PID.
kafka_scheduler() {
  local n=$1; shift
  start "sched$n" "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" \
    --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" --log-level debug \
    --executor "$KMESOS_BIN/kmesos-executor" --kafka-dist "$DIST" --fetch-mode "$MODE" \
    --kafka-data-root "$E2E_TMP/data" --offer-hold 30s "$@"
  SCHED_PID=$LAST_PID
}

# post CMD FORM: POSTs /api/broker/CMD with an x-www-form-urlencoded body
# (the CLI's way; GET list uses the query string); prints "STATUS BODY".
post() {
  curl -sS -o "$E2E_TMP/body.json" -w '%{http_code}' -d "$2" "$S/broker/$1"
  printf ' '; tr -d '\n' <"$E2E_TMP/body.json"
}

# full_isr: every partition of $TOPIC (${PARTITIONS:-3}) has 3 in-sync replicas.
full_isr() {
  kcat -L -b "$BOOTSTRAP" -t "$TOPIC" -m 2 2>/dev/null | awk -v want="${PARTITIONS:-3}" '
    /partition [0-9]+,/ { n++; sub(/.*isrs: /, ""); if (split($0, a, ",") == 3) full++ }
    END { exit !(n == want && full == want) }'
}

# produce FROM TO: kcat produces keys kFROM..kTO (value msg-N) to $TOPIC
# with acks=all; its status is kcat's (non-zero if one was not acknowledged).
produce() {
  seq "$1" "$2" | sed 's/.*/k&:msg-&/' |
    kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -K: -X acks=all -X linger.ms=5 2>>"$E2E_TMP/kcat.log"
}

# consume_count BOOTSTRAP: how many distinct messages $TOPIC holds.
consume_count() {
  kcat -C -b "$1" -t "$TOPIC" -o beginning -e -q -f '%k %s\n' 2>>"$E2E_TMP/kcat.log" | sort -u | wc -l
}

# broker_jvm TASK_ID: the pid of that broker task's JVM (kafka-broker.sh
# passes -Dkafka.logs.dir=<sandbox>; the sandbox path names the executor,
# whose id is the task id).
broker_jvm() {
  pgrep -f "kafka.logs.dir=$E2E_TMP/agents/[^ ]*/executors/$1/" | head -n 1
}

# b N EXPR: the Python expression EXPR (j = broker N's JSON) of broker N.
b() { json "$S/broker/list?broker=$1" "(lambda j: $2)(j['brokers'][0])"; }
# The three brokers' tasks all TASK_RUNNING (a jtrue expression on broker/list).
all_running='len([x for x in j["brokers"] if x["task"] and x["task"]["state"]=="TASK_RUNNING"])==3'
# settled: the three brokers run and nothing waits for an offer.
settled() { jtrue "$S/broker/list" "$all_running" && jtrue "$S/status" 'j["pending_tasks"]==0'; }
# snapshot: "task:jvm-pid " of brokers 0..2, one line (a relaunch changes it).
snapshot() {
  local n id
  for n in 0 1 2; do
    id=$(b "$n" "j['task']['id']")
    printf '%s:%s ' "$id" "$(broker_jvm "$id")"
  done
}
# stop_all_brokers: broker stop *, checked until every broker task is KILLED.
stop_all_brokers() {
  local out
  out=$(post stop "broker=*")
  check "broker stop * -> 200" [ "${out%% *}" = 200 ]
  check "every broker task ends KILLED" wait_for 60 jtrue "$S/broker/list" \
    'all(x["task"]["state"]=="TASK_KILLED" for x in j["brokers"])'
}
# bad CMD FORM FIELD: the broker API answers 400 naming FIELD.
bad() {
  local out; out=$(post "$1" "$2")
  [ "${out%% *}" = 400 ] && python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(j['field']!=sys.argv[2] or not j['error'])" "${out#* }" "$3"
}

# acks_producer MESSAGE_TIMEOUT_MS: one long-lived kcat producer (acks=all,
# linger 0, each message retried by librdkafka for up to the timeout) fed
# one message about every 0.1 s until $E2E_TMP/stop exists; with -v -v kcat
# reports every delivery ("Message delivered to partition ...") or failure
# ("Delivery failed ...") on stderr, written to $E2E_TMP/acks.txt with the
# time of each line. The count sent goes to $E2E_TMP/sent.txt when the feed
# ends. Run it in the background.
acks_feed() {
  local i=0
  while [ ! -e "$E2E_TMP/stop" ]; do
    i=$((i + 1)); echo "k$i:msg-$i"; sleep 0.1
  done
  echo "$i" >"$E2E_TMP/sent.txt"
}
acks_stamp() { local line; while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done; }
acks_producer() {
  acks_feed | kcat -P -v -v -b "$BOOTSTRAP" -t "$TOPIC" -K: -X acks=all -X linger.ms=0 \
    -X message.timeout.ms="$1" -X reconnect.backoff.max.ms=1000 2>&1 >/dev/null |
    acks_stamp >"$E2E_TMP/acks.txt"
}
