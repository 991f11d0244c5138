#!/usr/bin/env bash
# api_tls.sh: the admin API over HTTPS (--api-cert/--api-key, libmicrohttpd
# with GnuTLS) with a self-signed certificate made here by openssl: curl
# with --cacert gets /api/status, plain HTTP to the port gets no answer,
# a client without the CA refuses the certificate, the CLI works with
# --api https://... --cacert (and fails without it), the token still
# applies and an https Origin of the API itself passes while its http
# form gets 403; bad certificate files refuse to start.
source "$(dirname "$0")/lib.sh"

K="$KMESOS_BIN/kmesos"
SCHED="$KMESOS_BIN/kmesos-scheduler"
if ! command -v openssl >/dev/null; then
  not_ok "openssl is installed (scripts/install-deps.sh)"; finish; exit
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" 2>"$E2E_TMP/openssl.log" \
  || { not_ok "openssl made a certificate ($(cat "$E2E_TMP/openssl.log"))"; finish; exit; }
TOKEN=tls-$RANDOM$RANDOM
printf '%s\n' "$TOKEN" >"$E2E_TMP/token"

P=$(free_port)
timeout 10 "$SCHED" --master 127.0.0.1:1 --state "file:$E2E_TMP/r.json" --api "127.0.0.1:$P" \
  --api-cert "$E2E_TMP/none.pem" --api-key "$E2E_TMP/key.pem" >"$E2E_TMP/r.out" 2>&1
check "a missing --api-cert file refuses to start (exit 2, naming it)" \
  bash -c "[ $? = 2 ] && grep -q -- '--api-cert' '$E2E_TMP/r.out'"
timeout 10 "$SCHED" --master 127.0.0.1:1 --state "file:$E2E_TMP/r.json" --api "127.0.0.1:$P" \
  --api-cert "$E2E_TMP/token" --api-key "$E2E_TMP/token" >"$E2E_TMP/r.out" 2>&1
check "a certificate that is not PEM refuses to start (exit 2, saying so)" \
  bash -c "[ $? = 2 ] && grep -q 'certificate or key' '$E2E_TMP/r.out'"

MASTER=$(free_port); API=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 1 \
  --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
start sched "$SCHED" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --api-cert "$E2E_TMP/cert.pem" --api-key "$E2E_TMP/key.pem" \
  --api-token-file "$E2E_TMP/token" --state "file:$E2E_TMP/state.json" \
  --workload 'name=svc cmd="sleep 300" cpus=0.1 mem=16 instances=1'
S="https://127.0.0.1:$API/api"
CA=(--cacert "$E2E_TMP/cert.pem")
wait_for 20 bash -c "curl -fsS --cacert '$E2E_TMP/cert.pem' '$S/status' | grep -q '\"subscribed\": true'" \
  || echo "# the scheduler did not subscribe"
code() { curl -s -o "$E2E_TMP/body" -w '%{http_code}' --max-time 5 "$@"; }

check "GET /api/status over HTTPS with the CA" [ "$(code "${CA[@]}" "$S/status")" = 200 ]
check "plain HTTP to the HTTPS port gets no answer" \
  bash -c "! curl -fs --max-time 3 -o /dev/null http://127.0.0.1:$API/api/status"
check "a client without the CA refuses the certificate" \
  bash -c "! curl -fs --max-time 3 -o /dev/null $S/status"
check "a change without the token: 401 over HTTPS too" \
  [ "$(code "${CA[@]}" -X POST "$S/tasks/kill?id=nope")" = 401 ]
check "the https Origin of the API passes" \
  [ "$(code "${CA[@]}" -X POST -H "Origin: https://127.0.0.1:$API" \
       -H "Authorization: Bearer $TOKEN" "$S/tasks/kill?id=nope")" = 404 ]
check "its http form is another origin: 403" \
  [ "$(code "${CA[@]}" -X POST -H "Origin: http://127.0.0.1:$API" \
       -H "Authorization: Bearer $TOKEN" "$S/tasks/kill?id=nope")" = 403 ]

"$K" --api "https://127.0.0.1:$API" --cacert "$E2E_TMP/cert.pem" status >"$E2E_TMP/cli.out" 2>&1
check "kmesos --api https://... --cacert FILE status" \
  bash -c "[ $? = 0 ] && grep -q 'framework id' '$E2E_TMP/cli.out'"
"$K" --api "https://127.0.0.1:$API" status >"$E2E_TMP/cli.out" 2>&1
check "kmesos without --cacert refuses the self-signed certificate (exit 1)" \
  bash -c "[ $? = 1 ] && grep -q 'cannot reach' '$E2E_TMP/cli.out'"
finish
