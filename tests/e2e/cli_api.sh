#!/usr/bin/env bash
# End to end of the kmesos CLI against a live scheduler (kmesos-local with
# 2 agents + kmesos-scheduler, over loopback; no fake servers). Checks:
# status, tasks and policy agree with the REST API (tables and --json),
# $KMESOS_API and --api, help pages exit 0, bad usage exits 2 naming the
# argument and sends nothing, an unreachable API exits 1 saying so; and,
# when the scheduler serves /api/broker/* (else a "# skipped" line, not
# counted as passed), broker add/list/update/remove round trips with
# escaping, the scheduler's 4xx errors naming the field, and local
# validation leaving the state unchanged.
source "$(dirname "$0")/lib.sh"

K="$KMESOS_BIN/kmesos"
if [ ! -x "$K" ]; then
  not_ok "the kmesos binary is built ($K)"
  finish; exit
fi

MASTER=$(free_port); API=$(free_port); DEAD=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 2 \
  --agent-attributes 'rack:r1,r2' --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
S="http://127.0.0.1:$API/api"
start sched "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" \
  --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" \
  --workload 'name=svc cmd="sleep 300" cpus=0.2 mem=32 instances=2' \
  --workload 'name=bad cmd="exit 3" restart=never'
wait_for 20 jtrue "$S/tasks" \
  'len([t for t in j if t["workload"]=="svc" and t["state"]=="TASK_RUNNING"])==2 and [t for t in j if t["state"]=="TASK_FAILED"]' \
  || echo "# the scheduler did not reach two running tasks and one failed task"

# cli ARGS...: kmesos against the live API ("HOST:PORT" form); sets RC, OUT, ERR.
cli() {
  "$K" --api "127.0.0.1:$API" "$@" >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err"
  RC=$?
  OUT=$(cat "$E2E_TMP/cli.out"); ERR=$(cat "$E2E_TMP/cli.err")
}

# expect WHAT EXIT out|err TEXT ARGS...: kmesos ARGS exits EXIT and TEXT is in that stream.
expect() {
  local what=$1 rc=$2 stream=$3 text=$4; shift 4
  cli "$@"
  local got=$OUT; [ "$stream" = err ] && got=$ERR
  if [ "$RC" = "$rc" ] && grep -qF -- "$text" <<<"$got"; then
    ok "$what"
  else
    not_ok "$what (exit $RC; stdout: ${OUT:0:400}; stderr: ${ERR:0:400})"
  fi
}

# py EXPR: evaluates the Python expression EXPR of the JSON in $OUT (j).
py() {
  python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($1) else 1)" "$OUT"
}

# --- status, tasks, policy ------------------------------------------------
FWID=$(json "$S/status" 'j["framework_id"]')
expect "kmesos status shows the framework id" 0 out "framework id        $FWID" status
check "kmesos status shows the session and the task table" \
  grep -qE '^session +state=subscribed' <<<"$OUT"
check "kmesos status lists both running service tasks" \
  test "$(grep -cE '^svc-[0-9]+-[0-9]+ +svc +active +TASK_RUNNING' <<<"$OUT")" = 2
expect "kmesos status --json prints the API's JSON" 0 out "\"framework_id\": \"$FWID\"" status --json
check "kmesos status --json is the same framework" py "j['framework_id']=='$FWID' and j['subscribed']"

KMESOS_API="http://127.0.0.1:$API" "$K" tasks >"$E2E_TMP/tasks.out" 2>&1
check "kmesos tasks takes the API from \$KMESOS_API" test $? = 0
check "kmesos tasks shows the failed task and its failure" \
  grep -qE '^bad-[0-9]+-[0-9]+ +bad +done +TASK_FAILED .* 3' "$E2E_TMP/tasks.out"
check "kmesos tasks has the table header" \
  grep -qE '^ID +WORKLOAD +PHASE +STATE +HOST +ENDPOINT +FAILURES +WAITING +LAST FAILURE$' "$E2E_TMP/tasks.out"
cli tasks --json
API_TASKS=$(json "$S/tasks" 'len(j)')
check "kmesos tasks --json has every task the API has ($API_TASKS)" py "len(j)==$API_TASKS"

expect "kmesos policy shows the chain in order" 0 out "  1. constraints  " policy
check "kmesos policy shows the second policy and the counters" \
  bash -c 'grep -q "  2. delay  " <<<"$1" && grep -qE "^evaluations +[0-9]+" <<<"$1"' _ "$OUT"

# --- help and usage errors --------------------------------------------------
expect "kmesos help lists the commands" 0 out "Kafka brokers: add, change" help
expect "kmesos help broker add shows its options" 0 out "--failover-max-tries N" help broker add
expect "kmesos broker restart --help shows its example" 0 out "kmesos broker restart 0..2" \
  broker restart --help
expect "a negative --mem is a usage error naming --mem" 2 err "broker add: --mem '-1'" \
  broker add 0 --mem -1
expect "a bad id expression is a usage error naming it" 2 err "bad id expression '2..0'" \
  broker start 2..0
expect "a bad duration is a usage error naming the option" 2 err "--failover-delay '10'" \
  broker update 0 --failover-delay 10
expect "an unknown option is a usage error naming it" 2 err "unknown option --colour" \
  broker list --colour red
expect "an unknown command is a usage error" 2 err "unknown command 'brokers'" brokers list
expect "a usage error points at the help page" 2 err "Run 'kmesos help producer add'" \
  producer add 0 --topic 'a b'

# --- unreachable API --------------------------------------------------------
"$K" --api "http://127.0.0.1:$DEAD" status >"$E2E_TMP/dead.out" 2>"$E2E_TMP/dead.err"
check "an unreachable API exits 1" test $? = 1
check "an unreachable API is named in the message" \
  grep -qF "cannot reach the scheduler API at http://127.0.0.1:$DEAD" "$E2E_TMP/dead.err"
KMESOS_API="127.0.0.1:$DEAD" "$K" broker list >/dev/null 2>&1
check "an unreachable \$KMESOS_API exits 1" test $? = 1

# --- brokers (only when the scheduler has the broker API) ------------------
code=$(curl -s -o /dev/null -w '%{http_code}' "$S/broker/list")
if [ "$code" = 404 ]; then
  echo "# skipped: broker API not present (GET /api/broker/list answers 404)"
  expect "kmesos broker list reports the missing endpoint and exits 1" 1 err \
    "does not serve http://127.0.0.1:$API/api/broker/list" broker list
  finish; exit
fi
cli broker list --json
check "kmesos broker list answers" test "$RC" = 0
ID=$(python3 -c "import json,sys; print(max([b['id'] for b in json.loads(sys.argv[1])['brokers']] + [89]) + 1)" "$OUT")
JVM='-XX:+UseG1GC -Dx=a&b=c'
expect "broker add $ID" 0 out "brokers added:" \
  broker add "$ID" --cpus 0.5 --mem 256 --heap 128 --options num.io.threads=4 --failover-delay 10s
cli broker list "$ID" --json
check "broker list $ID --json has the settings" \
  py "[b for b in j['brokers'] if b['id']==$ID and b['cpus']==0.5 and b['mem']==256 and b['heap']==128 and not b['active']]"
expect "broker list $ID shows the row" 0 out "$ID" broker list "$ID"
check "the row says inactive" grep -qE "^$ID +no " <<<"$OUT"
expect "broker update $ID" 0 out "brokers updated:" broker update "$ID" --mem 512 --jvm-options "$JVM"
cli broker list "$ID" --json
check "update changed mem and kept JVM options with '&', '=', '+' and blanks intact" \
  py "[b for b in j['brokers'] if b['id']==$ID and b['mem']==512 and b['jvm_options']=='''$JVM''']"
expect "adding $ID again is refused by the scheduler (exit 1, its message)" 1 err \
  "kmesos: broker add: " broker add "$ID"
expect "an unknown broker id is refused naming the field" 1 err "field 'broker'" \
  broker update 7777 --mem 512
expect "a heap larger than mem is refused naming the option" 1 err "field 'heap', option --heap" \
  broker update "$ID" --heap 4096
expect "local validation refuses --mem -5 before sending" 2 err "--mem '-5'" \
  broker update "$ID" --mem -5
cli broker list "$ID" --json
check "the refused updates left the broker unchanged" \
  py "[b for b in j['brokers'] if b['id']==$ID and b['mem']==512 and b['heap']==128]"
C1=$((ID + 1)); C2=$((ID + 2))
expect "broker clone $ID --to $C1..$C2 --mem 768" 0 out "brokers added" \
  broker clone "$ID" --to "$C1..$C2" --mem 768
cli broker list --json
check "the clones have the source's JVM options and heap, and the given mem" \
  py "len([b for b in j['brokers'] if b['id'] in ($C1, $C2) and b['mem']==768 and b['heap']==128 and b['jvm_options']=='''$JVM''']) == 2"
expect "a clone onto an existing id is refused naming the field" 1 err "field 'broker'" \
  broker clone "$ID" --to "$C1"
expect "a clone without --to is refused naming it" 1 err "field 'to'" broker clone "$ID"
expect "broker remove the clones" 0 out "removed brokers: $C1, $C2" broker remove "$C1..$C2"
expect "broker remove $ID" 0 out "removed brokers: $ID" broker remove "$ID"
cli broker list --json
check "the removed broker is gone" py "not [b for b in j['brokers'] if b['id']==$ID]"
finish
