#!/usr/bin/env bash
# End to end of GET /metrics (issue 14, point 6) with kmesos-local and
# kmesos-scheduler: the Prometheus client library's own parser
# (tests/e2e/lib/prom.py, Debian python3-prometheus-client) reads the
# exposition while figures move:
#  - a task that can never fit keeps offers coming and being declined:
#    offers received and declined grow between two scrapes;
#  - a gate policy answering "wait" shows as verdicts by policy and
#    reason class; a broken reload counts as a reload error, a good one
#    as a reload, after which the task launches (tasks by phase, the
#    decide latency histogram);
#  - the status page (headless chromium) shows the waiting task's reason
#    and the gate's answers by reason;
#  - /metrics and the status page at / need no token (read-only GETs,
#    like /api/status) while a POST still does.
source "$(dirname "$0")/lib.sh"

# Debian's python3 has the parser; a python3 first on PATH may not
PROM_PY=/usr/bin/python3
prom() { "$PROM_PY" "$KMESOS_SRC/tests/e2e/lib/prom.py" "$M" "$@"; }

MASTER=$(free_port); API=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 2 \
  --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
S="http://127.0.0.1:$API/api"
M="http://127.0.0.1:$API/metrics"

GATE="$E2E_TMP/gate.lua"
write_gate() {
  cat >"$GATE" <<LUA
return { name = "gate", evaluate = function(offer, task, ctx)
  if task.name ~= "gated" or "$1" == "open" then return "accept" end
  return "wait", "gate is $1 for " .. task.id
end }
LUA
}
write_gate closed
echo secret-token >"$E2E_TMP/token"
start sched "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --api-token-file "$E2E_TMP/token" --state "file:$E2E_TMP/state.json" --policy "$GATE" \
  --workload 'name=gated cmd="sleep 300"' \
  --workload 'name=huge cmd="sleep 300" cpus=1000'
SCHED_PID=$LAST_PID
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }

check "GET /metrics parses with prometheus_client (Content-Type 0.0.4, kmesos_ names, _total counters, cumulative buckets)" \
  prom check
received1=$(prom value kmesos_offers_received_total)
declined1=$(prom value kmesos_offers_declined_total)
sleep 2
received2=$(prom value kmesos_offers_received_total)
declined2=$(prom value kmesos_offers_declined_total)
echo "# offers received $received1 -> $received2, declined $declined1 -> $declined2"
check "offers received grows" [ "$received2" -gt "$received1" ]
check "offers declined grows" [ "$declined2" -gt "$declined1" ]
check "the gate's waits are counted by policy and reason class" \
  wait_for 5 bash -c "[ \"\$($PROM_PY $KMESOS_SRC/tests/e2e/lib/prom.py $M value \
    kmesos_policy_verdicts_total policy=gate verdict=wait 'reason=gate is closed for gated') \" -gt 0 ]"
check "policy evaluations by verdict (wait)" [ "$(prom value kmesos_policy_evaluations_total verdict=wait)" -gt 0 ]
check "tasks by workload and phase: gated pending" \
  [ "$(prom value kmesos_tasks workload=gated phase=pending)" = 1 ]
check "no launch yet: decide latency count 0" [ "$(prom value kmesos_decide_latency_seconds_count)" = 0 ]

# the status page shows the waiting task's reason and the gate's answers
# by reason (read from /metrics by its script), in a headless browser
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$E2E_TMP/chrome" --virtual-time-budget=5000 --dump-dom \
    "http://127.0.0.1:$API/" >"$E2E_TMP/page.html" 2>"$E2E_TMP/chrome.log"
  check "the status page shows the waiting task and why" \
    grep -q '<td>gated-0-[0-9]*</td><td>gated</td><td>gate is closed for gated-0-[0-9]*</td>' "$E2E_TMP/page.html"
  check "the status page shows the gate's waits by reason" \
    grep -q '<td>gate</td><td>wait</td><td>gate is closed for gated</td><td>[1-9][0-9]*</td>' "$E2E_TMP/page.html"
else
  not_ok "chromium is installed (scripts/install-deps.sh)"
fi

printf 'return { name = "gate", evaluate = function( \n' >"$GATE"
kill -HUP "$SCHED_PID"
check "a failed reload counts as a reload error" \
  wait_for 5 bash -c "[ \"\$($PROM_PY $KMESOS_SRC/tests/e2e/lib/prom.py $M value kmesos_policy_reload_errors_total)\" = 1 ]"
write_gate open
kill -HUP "$SCHED_PID"
check "a good reload counts as a reload" \
  wait_for 5 bash -c "[ \"\$($PROM_PY $KMESOS_SRC/tests/e2e/lib/prom.py $M value kmesos_policy_reloads_total)\" = 1 ]"
check "then the task launches: tasks{gated,active} 1" \
  wait_for 10 bash -c "[ \"\$($PROM_PY $KMESOS_SRC/tests/e2e/lib/prom.py $M value kmesos_tasks workload=gated phase=active)\" = 1 ]"
check "the launch is in the decide latency histogram" \
  [ "$(prom value kmesos_decide_latency_seconds_count)" = 1 ]
check "offers accepted counts it" [ "$(prom value kmesos_offers_accepted_total)" -ge 1 ]
check "session subscribes counted, no reconnect" \
  [ "$(prom value kmesos_session_subscribes_total)/$(prom value kmesos_session_reconnects_total)" = 1/0 ]
check "still well formed after all that" prom check
prom value kmesos_policy_verdicts_total policy=gate verdict=wait | sed 's/^/# gate waits counted: /'

code() { curl -sS -o /dev/null -w '%{http_code} %{content_type}' "$@"; }
check "GET /metrics needs no token (read-only, as GET /api/status)" \
  [ "$(code "$M" | cut -c1-3)" = 200 ]
check "GET / serves the status page as HTML without a token" \
  [ "$(code "http://127.0.0.1:$API/")" = "200 text/html; charset=utf-8" ]
check "a POST still needs the token" [ "$(code -X POST "$S/teardown" | cut -c1-3)" = 401 ]
check "POST /metrics is refused" [ "$(code -X POST -H 'Authorization: Bearer secret-token' "$M" | cut -c1-3)" = 404 ]
finish
