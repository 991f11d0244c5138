#!/usr/bin/env bash
# sched_redirect_credentials.sh: the scheduler's Mesos credentials (basic
# auth, --principal/--secret-file) go only to the configured masters
# (issue 11: they went wherever a 307 pointed, another port included).
# Two tiny HTTP servers record the Authorization header of every request:
# A answers 307 to B (another port), B answers 503. Runs: --master A
# (B gets no credentials, and the log says why); --master A,B (B is
# configured: it gets them); --master A --master-redirect-credentials (B
# gets them: same scheme).
source "$(dirname "$0")/lib.sh"

printf 'sekret\n' >"$E2E_TMP/secret"
PA=$(free_port); PB=$(free_port)
python3 - "$PA" "$PB" "$E2E_TMP/seen.log" >"$E2E_TMP/servers.log" 2>&1 <<'PY' &
import http.server, sys, threading
pa, pb, log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def handler(name, redirect):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(n)
            with open(log, "a") as f:
                f.write("%s %s\n" % (name, "auth" if self.headers.get("Authorization") else "none"))
            if redirect:
                self.send_response(307)
                self.send_header("Location", "http://127.0.0.1:%d/api/v1/scheduler" % pb)
            else:
                self.send_response(503)
            self.send_header("Content-Length", "0"); self.end_headers()
        def log_message(self, *a): pass
    return H
for name, port, red in (("A", pa, True), ("B", pb, False)):
    s = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler(name, red))
    threading.Thread(target=s.serve_forever, daemon=True).start()
threading.Event().wait()
PY
E2E_PIDS+=("$!")
wait_for 5 bash -c "echo > /dev/tcp/127.0.0.1/$PB" 2>/dev/null

# run NAME ARGS...: the scheduler for 3 s against A with the credentials.
run() {
  local name=$1; shift
  : >"$E2E_TMP/seen.log"
  start "$name" "$KMESOS_BIN/kmesos-scheduler" --api off --state "file:$E2E_TMP/$name.json" \
    --principal fw --secret-file "$E2E_TMP/secret" "$@"
  local pid=$LAST_PID
  wait_for 10 grep -q '^B' "$E2E_TMP/seen.log"
  sleep 0.5
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  cp "$E2E_TMP/seen.log" "$E2E_TMP/$name.seen"
}

run only_a --master "127.0.0.1:$PA"
check "the configured master A gets the credentials" grep -q '^A auth' "$E2E_TMP/only_a.seen"
check "B (a 307 to another port) is asked without them" \
  bash -c "grep -q '^B none' '$E2E_TMP/only_a.seen' && ! grep -q '^B auth' '$E2E_TMP/only_a.seen'"
check "... and the log says why" grep -q 'not a configured master: no credentials' "$E2E_TMP/only_a.log"

run both --master "127.0.0.1:$PA,127.0.0.1:$PB"
check "with --master A,B the redirect to B carries them (B is configured)" \
  bash -c "grep -q '^B auth' '$E2E_TMP/both.seen' && ! grep -q '^B none' '$E2E_TMP/both.seen'"

run flag --master "127.0.0.1:$PA" --master-redirect-credentials
check "--master-redirect-credentials sends them to the same-scheme 307 target" \
  bash -c "grep -q '^B auth' '$E2E_TMP/flag.seen' && ! grep -q '^B none' '$E2E_TMP/flag.seen'"
finish
