#!/usr/bin/env bash
# api_security.sh: the admin API's locks (issue 11, item 3) against a live
# scheduler on kmesos-local, with the README's real-cluster flags: the
# admin API on 127.0.0.1 with --api-token-file, /files on a listener of its
# own on every address (--files-listen 0.0.0.0:PORT --files-url
# http://$(hostname -f):PORT), reached through another address of this
# host when it has one. Checks:
# start refusals (no token off loopback, a missing or empty token file);
# a form POST from another page (Origin: http://evil.example) and a
# rebound Host get 403 and change nothing; changes without or with a
# wrong token get 401 with WWW-Authenticate: Bearer, reads need none; the
# CLI sends the token from $KMESOS_API_TOKEN or --token-file; the files
# listener serves /files only (no admin route there), the admin port is
# not on that address, and an agent fetches the executor and the tarball
# from it for a broker.
source "$(dirname "$0")/lib.sh"

K="$KMESOS_BIN/kmesos"
SCHED="$KMESOS_BIN/kmesos-scheduler"
# another address of this host to reach the files listener by, else 127.0.0.2
FILES_IP=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | grep -v '^127\.' | head -1)
FILES_IP=${FILES_IP:-127.0.0.2}
echo "# files listener address: $FILES_IP"

TOKEN=tok-$RANDOM-$RANDOM-$RANDOM
printf '%s\n' "$TOKEN" >"$E2E_TMP/token"
: >"$E2E_TMP/empty"
mkdir -p "$E2E_TMP/dist/kafka-9.9.9/bin"
printf '#!/bin/sh\nexit 1\n' >"$E2E_TMP/dist/kafka-9.9.9/bin/kafka-server-start.sh"
tar -C "$E2E_TMP/dist" -czf "$E2E_TMP/kafka-9.9.9.tgz" kafka-9.9.9

# --- refusals at start -------------------------------------------------------------
# refused WHAT TEXT ARGS...: the scheduler exits 2 at once saying TEXT.
refused() {
  local what=$1 text=$2; shift 2
  timeout 10 "$SCHED" --master 127.0.0.1:1 --state "file:$E2E_TMP/refused.json" "$@" \
    >"$E2E_TMP/refused.out" 2>&1
  local rc=$?
  if [ "$rc" = 2 ] && grep -qF -- "$text" "$E2E_TMP/refused.out"; then ok "$what"
  else not_ok "$what (exit $rc: $(head -c 300 "$E2E_TMP/refused.out"))"; fi
}
P=$(free_port)
refused "--api off loopback without a token refuses to start" "--api-token-file" \
  --api "0.0.0.0:$P"
refused "a missing --api-token-file refuses to start" "No such file" \
  --api "127.0.0.1:$P" --api-token-file "$E2E_TMP/none"
refused "an empty --api-token-file refuses to start" "empty" \
  --api "127.0.0.1:$P" --api-token-file "$E2E_TMP/empty"
refused "--api-cert without --api-key is a usage error" "needs --api-key" \
  --api "127.0.0.1:$P" --api-cert "$E2E_TMP/token"

# --- the cluster and the scheduler with the README's flags ---------------------------
MASTER=$(free_port); API=$(free_port); FPORT=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 1 \
  --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
start sched "$SCHED" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --api-token-file "$E2E_TMP/token" --files-listen "0.0.0.0:$FPORT" \
  --files-url "http://$(hostname -f):$FPORT" \
  --state "file:$E2E_TMP/state.json" --executor "$KMESOS_BIN/kmesos-executor" \
  --kafka-dist "$E2E_TMP/kafka-9.9.9.tgz" --fetch-mode uri --kafka-data-root "$E2E_TMP/data"
S="http://127.0.0.1:$API/api"
wait_for 20 jtrue "$S/status" 'j["subscribed"]' || echo "# the scheduler did not subscribe"
FWID=$(json "$S/status" 'j["framework_id"]')

# code METHOD URL [CURL ARGS...]: prints the HTTP status.
code() {
  local m=$1 u=$2; shift 2
  curl -s -o "$E2E_TMP/body" -D "$E2E_TMP/headers" -w '%{http_code}' -X "$m" --max-time 5 "$@" "$u"
}
expect_code() { # expect_code WHAT WANT METHOD URL [CURL ARGS...]
  local what=$1 want=$2; shift 2
  local got; got=$(code "$@")
  if [ "$got" = "$want" ]; then ok "$what"; else not_ok "$what (got $got: $(head -c 200 "$E2E_TMP/body"))"; fi
}
still_up() {
  jtrue "$S/status" "j['subscribed'] and j['framework_id']=='$FWID'"
}

# --- Origin and Host -------------------------------------------------------------------
expect_code "a form POST from another page (Origin: http://evil.example) to /api/teardown: 403" \
  403 POST "$S/teardown" -H 'Origin: http://evil.example' \
  -H 'Content-Type: application/x-www-form-urlencoded' -H "Authorization: Bearer $TOKEN" -d x=1
check "... and the framework is still there" still_up
expect_code "a rebound Host (evil.example) gets 403, even with the token" \
  403 POST "$S/teardown" -H "Host: evil.example:$API" -H "Authorization: Bearer $TOKEN"
expect_code "a rebound Host gets 403 on reads too" 403 GET "$S/status" -H "Host: evil.example"
check "... and the framework is still there" still_up
expect_code "the API's own Origin is fine (GET /api/status)" \
  200 GET "$S/status" -H "Origin: http://127.0.0.1:$API"

# --- the token ---------------------------------------------------------------------------
expect_code "a change without the token: 401" 401 POST "$S/teardown"
check "... with WWW-Authenticate: Bearer" grep -qi '^WWW-Authenticate: Bearer' "$E2E_TMP/headers"
check "... and a JSON error naming the token" grep -q 'bearer token' "$E2E_TMP/body"
expect_code "a change with a wrong token: 401" 401 POST "$S/teardown" -H "Authorization: Bearer x$TOKEN"
expect_code "a change with the token's prefix: 401" 401 POST "$S/teardown" \
  -H "Authorization: Bearer ${TOKEN:0:8}"
check "... and the framework is still there" still_up
expect_code "reads need no token" 200 GET "$S/tasks"
expect_code "the right token passes the gate (unknown task: 404)" 404 POST "$S/tasks/kill?id=nope" \
  -H "Authorization: Bearer $TOKEN"

# --- the CLI -------------------------------------------------------------------------------
cli() { "$K" --api "127.0.0.1:$API" "$@" >"$E2E_TMP/cli.out" 2>"$E2E_TMP/cli.err"; RC=$?; }
KMESOS_API_TOKEN= cli broker add 0 --cpus 0.1 --mem 64 --heap 32
if [ "$RC" = 1 ] && grep -q KMESOS_API_TOKEN "$E2E_TMP/cli.err"; then ok "the CLI without a token exits 1 and says how to give one"
else not_ok "the CLI without a token (exit $RC: $(cat "$E2E_TMP/cli.err"))"; fi
check "... and nothing was added" jtrue "$S/broker/list" 'j["brokers"]==[]'
KMESOS_API_TOKEN=$TOKEN cli broker add 0 --cpus 0.1 --mem 64 --heap 32
check "the CLI sends \$KMESOS_API_TOKEN" [ "$RC" = 0 ]
cli --token-file "$E2E_TMP/token" broker start 0
check "the CLI sends the --token-file token" [ "$RC" = 0 ]
cli --token-file "$E2E_TMP/none" status
check "the CLI with a missing --token-file exits 2" [ "$RC" = 2 ]

# --- the files listener --------------------------------------------------------------------
F="http://$FILES_IP:$FPORT"
expect_code "the files listener serves /files/kmesos-executor" 200 GET "$F/files/kmesos-executor"
expect_code "... and the Kafka tarball" 200 GET "$F/files/kafka-9.9.9.tgz"
expect_code "the admin API serves /files too, under any Host name (no token)" 200 GET \
  "http://127.0.0.1:$API/files/kmesos-executor" -H "Host: agent-facing.example:$API"
expect_code "the files listener has no /api/status" 404 GET "$F/api/status"
expect_code "the files listener has no /api/teardown (even with the token)" 404 POST "$F/api/teardown" \
  -H "Authorization: Bearer $TOKEN"
expect_code "the files listener is read-only (POST /files/...: 405)" 405 POST "$F/files/kmesos-executor"
check "... and the framework is still there" still_up
check "the admin API is not on the files address" \
  bash -c "! curl -s --max-time 3 -o /dev/null http://$FILES_IP:$API/api/status"
check "the files listener is on (0.0.0.0)" grep -qF "files (only) on http://0.0.0.0:$FPORT/" \
  "$E2E_TMP/sched.log"
check "an agent fetched the executor from the files listener into the broker's sandbox" \
  wait_for 30 bash -c "find '$E2E_TMP/agents' -name kmesos-executor -path '*broker*' | grep -q ."
check "... and the tarball (extracted)" \
  wait_for 10 bash -c "find '$E2E_TMP/agents' -name kafka-server-start.sh | grep -q ."
finish
