#!/usr/bin/env bash
# End to end: the broker log (GET /api/broker/log) when kmesos-local runs
# with --credentials, so that its master's /master/state and its agents'
# read-only endpoints (/state, /files/read, /files/browse) want them, as a
# Mesos master and agents with --authenticate_http_readonly do (realms
# mesos-master-readonly and mesos-agent-readonly; src/slave/constants.hpp).
# kmesos-scheduler runs with --principal/--secret-file: the broker log
# reads the master's state, the agent's state and the file with those
# credentials (to the master it subscribed to and the agent that master
# names only), and answers 200 with the file's tail. One broker.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"

CREDS=$KMESOS_SRC/tests/data/mesos-captures/scheduler/auth/master-credentials.json
printf 's3cret' >"$E2E_TMP/secret"
MASTER=$(free_port); API=$(free_port)
base=$((20000 + (RANDOM % 100) * 100))
echo "{\"agents\":[{\"hostname\":\"127.0.0.1\",\"attributes\":\"rack:r1\",\"resources\":\"cpus:2;mem:2048;disk:10000;ports:[$base-$((base + 19))]\"}]}" >"$E2E_TMP/agents.json"
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agent-config "$E2E_TMP/agents.json" \
  --allocation-interval 200ms --work-dir "$E2E_TMP/agents" --credentials "$CREDS"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/health" -o /dev/null || { not_ok "kmesos-local is up"; finish; exit 1; }
MODE=local
"$KMESOS_BIN/kmesos-local" --help 2>&1 | grep -qi fetch && MODE=uri
S="http://127.0.0.1:$API/api"
kafka_scheduler 1 --principal kafka --secret-file "$E2E_TMP/secret"
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
ok "the scheduler subscribed with its credentials"

out=$(post add "broker=0&cpus=0.5&mem=1024&heap=256")
check "broker add 0 -> 200" [ "${out%% *}" = 200 ]
out=$(post start "broker=0")
check "broker start 0 -> 200" [ "${out%% *}" = 200 ]
wait_for 60 jtrue "$S/broker/list" 'j["brokers"][0]["task"] and j["brokers"][0]["task"]["state"] in ("TASK_STARTING","TASK_RUNNING")' ||
  not_ok "broker 0 launched"

M="http://127.0.0.1:$MASTER"
code() { curl -s -o "$E2E_TMP/out" -D "$E2E_TMP/h" -w '%{http_code}' "$@"; }
AGENT0=$(curl -s -u kafka:s3cret "$M/master/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["slaves"][0]["pid"].split("@")[1])')
check "the agent's /state without credentials: 401" [ "$(code "http://$AGENT0/state")" = 401 ]
check "  ... realm mesos-agent-readonly" grep -q 'WWW-Authenticate: Basic realm="mesos-agent-readonly"' "$E2E_TMP/h"
check "the agent's /files/read without credentials: 401" [ "$(code "http://$AGENT0/files/read?path=/&offset=0")" = 401 ]
check "the agent's /files/browse.json with a wrong secret: 401" [ "$(code -u kafka:nope "http://$AGENT0/files/browse.json?path=/")" = 401 ]
check "the agent's /files/download without credentials: 401" [ "$(code "http://$AGENT0/files/download?path=/x")" = 401 ]
check "the agent's /slave(1)/state with the credentials: 200" [ "$(code -u kafka:s3cret "http://$AGENT0/slave(1)/state")" = 200 ]
check "the agent's executor API stays open (no 401)" [ "$(code -X POST "http://$AGENT0/api/v1/executor")" != 401 ]

blog() { curl -sS -o "$E2E_TMP/log.json" -w '%{http_code}' "$S/broker/log?$1"; }
wait_for 30 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$S/broker/log?broker=0&lines=5')\" = 200 ]"
check "GET /api/broker/log?broker=0 -> 200 through the guarded master and agent" [ "$(blog "broker=0&lines=5")" = 200 ]
# the broker writes its first stdout line a moment after its task starts
has_lines() {
  [ "$(blog "broker=0&lines=5")" = 200 ] &&
    python3 -c "import json; j=json.load(open('$E2E_TMP/log.json')); assert j['broker']==0 and j['name']=='stdout' and 0<len(j['lines'])<=5, j"
}
check "  ... broker 0's stdout, with lines" wait_for 30 has_lines
finish
