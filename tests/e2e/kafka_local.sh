#!/usr/bin/env bash
# End to end: a real 3-broker Kafka cluster run by kmesos-scheduler on
# kmesos-local (3 agents with hosts 127.0.0.1..3 and their own port ranges,
# since they share this machine). Everything goes through the REST API
# with curl: bad requests answer 400 naming the field and change nothing;
# broker add 0..2 + start *; the controller quorum forms (3 voters, their
# hosts and controller ports recorded), all three brokers reach
# TASK_RUNNING (= client port answers and bin/kafka-ready.sh passes);
# /api/status lists the bootstrap servers; a topic with replication factor
# 3 is created with scripts/kafka-client.sh; kcat produces 1,000 messages
# (acks=all) and consumes all 1,000; a running broker cannot be removed;
# stop kills broker 2 and keeps it stopped, start brings it back on the
# same host and port with its data (not formatted again), TASK_RUNNING only
# once back in sync (KMESOS_READY_COMMAND = bin/kafka-ready.sh: its RUNNING
# message says so and every ISR is already complete then); a scheduler
# kill -9 + restart on the same state re-subscribes and launches nothing;
# kill -9 of broker 1's JVM: TASK_FAILED, relaunched after its 1 s failover
# delay on the same agent, back in every ISR, all 1,000 messages still there;
# the agents' /files/read (like a Mesos agent's) and GET /api/broker/log +
# kmesos broker log read a broker's stdout/stderr tail.
# The launch uses --fetch-mode local (absolute paths) unless kmesos-local
# has a fetcher (then uri); the scheduler's GET /files/<name> is checked
# on its own. Prints "metric:" timing lines and "N passed, N failed".
# Skips (exit 0) only when KMESOS_SKIP_KAFKA=1 and no Kafka cache exists.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

N_MSG=1000
TOPIC=e2e
. "$(dirname "$0")/lib/kafka_prelude.sh"
check "the Kafka tarball is in the cache" test -f "$DIST"

# --- local cluster: 3 agents, distinct hosts and port ranges --------------------
. "$(dirname "$0")/lib/kafka_cluster.sh"
kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }

count_brokers() { json "$S/broker/list" 'len(j["brokers"])'; }

# --- bad input: 400 naming the field, nothing changes ---------------------------
SMALL='cpus=0.5&mem=1024&heap=256&failover_delay=2s&failover_max_delay=10s&jvm_options=-Dkmesos.e2e=1'
check "negative cpus -> 400 field cpus" bad add "broker=0&cpus=-1" cpus
check "non-numeric mem -> 400 field mem" bad add "broker=0&mem=lots" mem
check "unknown parameter -> 400 naming it" bad add "broker=0&colour=red" colour
check "bad id expression -> 400 field broker" bad add "broker=0..x" broker
check "constraints that do not parse -> 400 field constraints" bad add "broker=0&constraints=hostname=sometimes" constraints
check "unknown broker id -> 400 field broker" bad start "broker=7" broker
check "heap above mem -> 400 field heap" bad add "broker=0&mem=256&heap=512" heap
check "state unchanged: no broker exists" [ "$(count_brokers)" = 0 ]

# --- add + start -----------------------------------------------------------------
out=$(post add "broker=0..2&$SMALL&options=num.partitions=3,default.replication.factor=3,min.insync.replicas=2,group.initial.rebalance.delay.ms=0")
check "broker add 0..2 -> 200 with 3 brokers" [ "${out%% *}" = 200 ]
check "adding an existing id -> 400" bad add "broker=1" broker
check "list shows 3 inactive brokers with their settings" jtrue "$S/broker/list" \
  'len(j["brokers"])==3 and not any(b["active"] for b in j["brokers"]) and j["brokers"][0]["heap"]==256 and j["brokers"][0]["port"]=="auto" and j["brokers"][0]["failover"]["delay"]=="2s"'
t_start=$(now)
out=$(post start "broker=*")
check "broker start * -> 200" [ "${out%% *}" = 200 ]
all_running='len([b for b in j["brokers"] if b["task"] and b["task"]["state"]=="TASK_RUNNING"])==3'
if wait_for 120 jtrue "$S/broker/list" "$all_running"; then
  ok "all three brokers TASK_RUNNING"
else
  not_ok "all three brokers TASK_RUNNING"
  json "$S/broker/list" 'j' || true
  finish; exit 1
fi
echo "metric: broker_start_to_3_running_s=$(since "$t_start")"
check "the quorum has 3 voters on 3 distinct hosts" jtrue "$S/status" \
  'len(set(v.split("@")[1].split(":")[0] for v in j["kafka"]["controller_quorum_voters"].split(",")))==3'
check "the cluster id (22 chars) and the voters are kept in the state file" \
  python3 -c "import json; s=json.load(open('$E2E_TMP/state.json'))['kafka']; assert len(s['cluster_id'])==22 and len(s['voters'])==3 and len(s['brokers'])==3"
BOOTSTRAP=$(json "$S/status" 'j["bootstrap_servers"]')
echo "# bootstrap servers: $BOOTSTRAP"
check "status lists 3 bootstrap servers" [ "$(echo "$BOOTSTRAP" | tr ',' '\n' | wc -l)" = 3 ]
check "broker data dirs live outside the sandbox" test -f "$E2E_TMP/data/broker-0/meta.properties"

# --- topic, produce, consume ----------------------------------------------------------
export KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP KAFKA_LIBS
t=$(now)
check "kafka-client.sh topics creates '$TOPIC' with replication factor 3" \
  "$SCRIPTS/kafka-client.sh" topics --create --topic "$TOPIC" --partitions 3 --replication-factor 3
echo "metric: topic_create_s=$(since "$t")"
check "every partition has 3 in-sync replicas" wait_for 30 full_isr
t=$(now)
produce 1 "$N_MSG"
check "kcat produced $N_MSG messages with acks=all" [ "$?" = 0 ]
echo "metric: produce_${N_MSG}_s=$(since "$t")"
t=$(now)
got=$(consume_count "$BOOTSTRAP")
echo "metric: consume_${N_MSG}_s=$(since "$t")"
check "kcat consumed all $N_MSG messages (got $got)" [ "$got" = "$N_MSG" ]

# --- lifecycle ----------------------------------------------------------------------------
check "removing an active broker is refused" bad remove "broker=0" broker
grep -q "active: stop it first" "$E2E_TMP/body.json" && ok "the refusal says to stop it first" ||
  not_ok "the refusal says to stop it first"
HOST2=$(json "$S/broker/list?broker=2" 'j["brokers"][0]["task"]["hostname"]')
EP2=$(json "$S/broker/list?broker=2" 'j["brokers"][0]["task"]["endpoint"]')
META2=$(md5sum <"$E2E_TMP/data/broker-2/meta.properties")
out=$(post stop "broker=2")
check "broker stop 2 -> 200" [ "${out%% *}" = 200 ]
check "broker 2 is killed and stays stopped" wait_for 30 jtrue "$S/broker/list?broker=2" \
  'not j["brokers"][0]["active"] and j["brokers"][0]["task"]["state"]=="TASK_KILLED"'
t=$(now)
out=$(post start "broker=2")
check "broker start 2 -> 200" [ "${out%% *}" = 200 ]
check "broker 2 is RUNNING again" wait_for 90 jtrue "$S/broker/list?broker=2" \
  'j["brokers"][0]["task"]["state"]=="TASK_RUNNING"'
# Readiness is KMESOS_READY_COMMAND = bin/kafka-ready.sh: RUNNING means in sync.
full_isr && isr_at_running=yes || isr_at_running=no
check "every partition already has 3 in-sync replicas when broker 2 is RUNNING" [ "$isr_at_running" = yes ]
TASK2=$(json "$S/broker/list?broker=2" 'j["brokers"][0]["task"]["id"]')
AGENT2=$(json "http://127.0.0.1:$MASTER/master/state" "[s['pid'].split('@')[1] for s in j['slaves'] if s['hostname']=='$HOST2'][0]")
SANDBOX2=$(json "http://$AGENT2/state" \
  "[e['directory'] for f in j['frameworks'] for e in f['executors'] if e['id']=='$TASK2'][0]")
running_msg() { grep -h "task $TASK2: TASK_RUNNING: " "$SANDBOX2/stderr" "$SANDBOX2/stdout" 2>/dev/null | tail -n 1; }
echo "# broker 2's RUNNING: $(running_msg | sed -e 's/.*TASK_RUNNING: //' -e 's/ (uuid [0-9a-f]*)$//')"
check "broker 2's TASK_RUNNING message says it is registered and in sync" \
  grep -q "TASK_RUNNING: ready: node 2 is registered and in sync" <<< "$(running_msg)"
echo "metric: broker_restart_to_running_s=$(since "$t")"
check "broker 2 came back on its host and endpoint ($EP2)" jtrue "$S/broker/list?broker=2" \
  "j['brokers'][0]['task']['hostname']=='$HOST2' and j['brokers'][0]['task']['endpoint']=='$EP2'"
check "broker 2 kept its data (meta.properties unchanged)" \
  [ "$(md5sum <"$E2E_TMP/data/broker-2/meta.properties")" = "$META2" ]
check "every partition is back to 3 in-sync replicas" wait_for 60 full_isr
got=$(consume_count "$BOOTSTRAP")
check "still $N_MSG messages after the stop/start (got $got)" [ "$got" = "$N_MSG" ]

# --- scheduler kill -9: same framework, no duplicate ---------------------------------------
FWID=$(json "$S/status" 'j["framework_id"]')
kill -KILL "$SCHED_PID"; wait "$SCHED_PID" 2>/dev/null
kafka_scheduler 2
check "the restarted scheduler re-subscribes as the same framework" \
  wait_for 15 jtrue "$S/status" "j['subscribed'] and j['framework_id']=='$FWID'"
check "reconciliation finds the three brokers running" wait_for 15 jtrue "$S/broker/list" "$all_running"
sleep 2
check "no broker was launched again" jtrue "$S/status" 'j["counters"]["tasks_launched"]==0'
check "the master has exactly 3 live broker tasks" jtrue "http://127.0.0.1:$MASTER/master/state" \
  'sum(1 for f in j["frameworks"] for t in f["tasks"] if t["state"]=="TASK_RUNNING")==3'

# --- broker log: the agent's /files/read and GET /api/broker/log ------------------------------
AGENT0=$(json "http://127.0.0.1:$MASTER/master/state" '[s["pid"].split("@")[1] for s in j["slaves"] if s["hostname"]=="127.0.0.1"][0]')
TASK0=$(json "$S/broker/list?broker=0" 'j["brokers"][0]["task"]["id"]')
SANDBOX0=$(json "http://$AGENT0/state" \
  "[e['directory'] for f in j['frameworks'] for e in f['executors'] if e['id']=='$TASK0'][0]")
OUT0=$SANDBOX0/$TASK0.stdout  # kmesos-executor: the broker's output
files_read() { curl -sS -o "$E2E_TMP/files.json" -w '%{http_code}' "http://$AGENT0/files/read?$1"; }
check "agent /files/read offset=-1 -> 200" [ "$(files_read "path=$OUT0&offset=-1")" = 200 ]
python3 -c "import json,os; j=json.load(open('$E2E_TMP/files.json')); assert j['data']=='' and 0 < j['offset'] <= os.path.getsize('$OUT0')" &&
  ok "  ... answers the size of stdout" || not_ok "  ... answers the size of stdout"
check "agent /files/read offset=0&length=10 answers 10 bytes" \
  [ "$(files_read "path=$OUT0&offset=0&length=10")" = 200 ]
python3 -c "import json; j=json.load(open('$E2E_TMP/files.json')); assert len(j['data'])==10 and j['offset']==0" &&
  ok "  ... data of 10 bytes at offset 0" || not_ok "  ... data of 10 bytes at offset 0"
check "agent /files/read outside the work dir -> 404" [ "$(files_read "path=/etc/passwd&offset=0")" = 404 ]
check "agent /files/read with .. out of the work dir -> 404" \
  [ "$(files_read "path=$SANDBOX0/../../../../../../../../etc/passwd&offset=0")" = 404 ]
check "agent /files/read of a directory -> 400" [ "$(files_read "path=$SANDBOX0&offset=0")" = 400 ]
check "agent /files/read without path -> 400" [ "$(files_read "offset=0")" = 400 ]
check "agent /files/read with a bad offset -> 400" [ "$(files_read "path=$OUT0&offset=x")" = 400 ]
check "agent /files/browse lists the sandbox's files" jtrue "http://$AGENT0/files/browse?path=$SANDBOX0" \
  "{'stdout','stderr','$TASK0.stdout'} <= {e['path'].rsplit('/',1)[1] for e in j}"
blog() { curl -sS -o "$E2E_TMP/log.json" -w '%{http_code}' "$S/broker/log?$1"; }
t=$(now)
check "GET /api/broker/log?broker=0&lines=5 -> 200" [ "$(blog "broker=0&lines=5")" = 200 ]
echo "metric: broker_log_s=$(since "$t")"
check "  ... 5 lines of broker 0's stdout, the file's last ones" python3 - "$E2E_TMP/log.json" "$OUT0" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
tail = open(sys.argv[2], errors="replace").read().rstrip("\n").split("\n")[-200:]
assert j["broker"] == 0 and j["name"] == "stdout" and len(j["lines"]) == 5, j
assert all(l in tail for l in j["lines"]), (j["lines"], tail)
PY
check "GET /api/broker/log name=stderr -> 200 with lines" \
  [ "$(blog "broker=1&name=stderr&lines=3")" = 200 ]
python3 -c "import json; j=json.load(open('$E2E_TMP/log.json')); assert j['name']=='stderr' and j['broker']==1 and 0<len(j['lines'])<=3" &&
  ok "  ... of broker 1's stderr" || not_ok "  ... of broker 1's stderr"
blog_bad() { [ "$(blog "$1")" = 400 ] && python3 -c "import json; assert json.load(open('$E2E_TMP/log.json'))['field']=='$2'"; }
check "broker log of an unknown broker -> 400 field broker" blog_bad "broker=9" broker
check "broker log name=foo -> 400 field name" blog_bad "broker=0&name=foo" name
check "broker log lines=0 -> 400 field lines" blog_bad "broker=0&lines=0" lines
check "broker log with an unknown parameter -> 400 naming it" blog_bad "broker=0&colour=red" colour
check "kmesos broker log 0 --lines 4 prints 4 lines" \
  [ "$("$KMESOS_BIN/kmesos" --api "127.0.0.1:$API" broker log 0 --lines 4 | wc -l)" = 4 ]

# --- kill -9 one broker's JVM: failover on the same agent, no acked message lost ----------
# Broker 1 gets a 1 s failover delay; its java process is found by its
# sandbox (broker_jvm).
out=$(post update "broker=1&failover_delay=1s")
check "broker update 1 failover_delay=1s -> 200" [ "${out%% *}" = 200 ]
b1() { json "$S/broker/list?broker=1" "j['brokers'][0]$1"; }
TASK1=$(b1 "['task']['id']"); AGENT1=$(b1 "['task']['agent_id']"); EP1=$(b1 "['task']['endpoint']")
FAIL1=$(b1 "['failover']['failures']")
JPID=$(broker_jvm "$TASK1")
check "found broker 1's JVM (task $TASK1, pid ${JPID:-none})" [ -n "$JPID" ]
t_kill=$(now)
kill -KILL "${JPID:-0}" 2>/dev/null
check "the scheduler sees broker 1's task TASK_FAILED" wait_for 30 jtrue "$S/broker/list?broker=1" \
  "(j['brokers'][0]['last_failure'] or '').startswith('TASK_FAILED') and j['brokers'][0]['failover']['failures']==$FAIL1+1"
echo "metric: jvm_kill_to_task_failed_s=$(since "$t_kill")"
echo "# last failure: $(b1 "['last_failure']")"
check "broker 1 is relaunched with a new task and is TASK_RUNNING" wait_for 90 jtrue "$S/broker/list?broker=1" \
  "j['brokers'][0]['task']['state']=='TASK_RUNNING' and j['brokers'][0]['task']['id']!='$TASK1'"
echo "metric: jvm_kill_to_running_s=$(since "$t_kill")"
check "broker 1 came back on the same agent ($AGENT1) and endpoint ($EP1)" jtrue "$S/broker/list?broker=1" \
  "j['brokers'][0]['task']['agent_id']=='$AGENT1' and j['brokers'][0]['task']['endpoint']=='$EP1'"
check "every partition is back to 3 in-sync replicas after the kill" wait_for 60 full_isr
echo "metric: jvm_kill_to_full_isr_s=$(since "$t_kill")"
got=$(consume_count "$BOOTSTRAP")
check "no acknowledged message lost: still $N_MSG messages after the kill (got $got)" [ "$got" = "$N_MSG" ]

# --- the files the fetcher gets (uri mode), served by a second scheduler ------------------
FAPI=$(free_port)
start files "$KMESOS_BIN/kmesos-scheduler" --master 127.0.0.1:1 --api "127.0.0.1:$FAPI" \
  --state "file:$E2E_TMP/files-state.json" --executor "$KMESOS_BIN/kmesos-executor" \
  --kafka-dist "$DIST" --fetch-mode uri
wait_for 10 curl -fsS "http://127.0.0.1:$FAPI/api/status" -o /dev/null
same_file() { [ "$(curl -fsS "http://127.0.0.1:$FAPI/files/$1" | md5sum)" = "$(md5sum <"$2")" ]; }
check "GET /files/kmesos-executor serves the executor" same_file kmesos-executor "$KMESOS_BIN/kmesos-executor"
check "GET /files/$(basename "$DIST") serves the tarball" same_file "$(basename "$DIST")" "$DIST"
check "GET /files/other is 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FAPI/files/other")" = 404 ]

# --- clean up: stop every broker through the API ----------------------------------------------
stop_all_brokers
out=$(post remove "broker=0..2")
check "brokers that are voters cannot be removed (static quorum)" [ "${out%% *}" = 400 ]
echo "metric: test_duration_s=$(since "$T_START")"
finish
