#!/usr/bin/env bash
# cli_redirect.sh: the kmesos CLI follows a standby scheduler's 307 to the
# leader (--ha) with the same method, and guards its token on the way.
# Tiny HTTP servers stand in for the schedulers and record the method and
# the Authorization header they got: a standby on 127.0.0.1 redirects to a
# leader on the same host (another port): the POST arrives as a POST with
# the token; a standby redirecting to the leader on another host
# (127.0.0.2): the request arrives there without the token; a 307 from
# http to https is not followed (exit 1 saying so); a redirect loop stops
# after 3 hops (exit 1 with the last 307).
source "$(dirname "$0")/lib.sh"

K="$KMESOS_BIN/kmesos"
PS=$(free_port); PL=$(free_port); PO=$(free_port); PH=$(free_port); PX=$(free_port)
python3 - "$PS" "$PL" "$PO" "$PH" "$PX" "$E2E_TMP/seen.log" >"$E2E_TMP/servers.log" 2>&1 <<'PY' &
import http.server, json, sys, threading
ps, pl, po, ph, px = map(int, sys.argv[1:6]); log = sys.argv[6]
def handler(name, target):
    class H(http.server.BaseHTTPRequestHandler):
        def answer(self):
            with open(log, "a") as f:
                f.write("%s %s %s %s\n" % (name, self.command, self.path.split("?")[0],
                        "token" if self.headers.get("Authorization") == "Bearer T0k" else
                        "other" if self.headers.get("Authorization") else "none"))
            if target:
                self.send_response(307)
                self.send_header("Location", target + self.path)
                body = b""
            else:
                self.send_response(200)
                body = json.dumps({"brokers": []}).encode()
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body))); self.end_headers()
            self.wfile.write(body)
        do_GET = do_POST = answer
        def log_message(self, *a): pass
    return H
servers = [("standby", "127.0.0.1", ps, "http://127.0.0.1:%d" % pl),
           ("leader", "127.0.0.1", pl, None),
           ("standby2", "127.0.0.1", po, "http://127.0.0.2:%d" % pl),
           ("leader2", "127.0.0.2", pl, None),
           ("tohttps", "127.0.0.1", ph, "https://127.0.0.1:%d" % pl),
           ("loop", "127.0.0.1", px, "http://127.0.0.1:%d" % px)]
for name, ip, port, target in servers:
    s = http.server.ThreadingHTTPServer((ip, port), handler(name, target))
    threading.Thread(target=s.serve_forever, daemon=True).start()
threading.Event().wait()
PY
E2E_PIDS+=("$!")
wait_for 5 bash -c "echo > /dev/tcp/127.0.0.1/$PX" 2>/dev/null
cli() { : >"$E2E_TMP/seen.log"; KMESOS_API_TOKEN=T0k "$K" "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; RC=$?; }

cli --api "127.0.0.1:$PS" broker stop 0
check "a 307 to the leader on the same host is followed: exit 0" [ "$RC" = 0 ]
check "... the standby got the POST with the token" grep -q "^standby POST /api/broker/stop token" "$E2E_TMP/seen.log"
check "... and the leader too (same method, same path, the token)" \
  grep -q "^leader POST /api/broker/stop token" "$E2E_TMP/seen.log"

cli --api "127.0.0.1:$PO" broker list
check "a 307 to another host is followed" grep -q "^leader2 GET /api/broker/list" "$E2E_TMP/seen.log"
check "... without the token" grep -q "^leader2 GET /api/broker/list none" "$E2E_TMP/seen.log"

cli --api "127.0.0.1:$PH" broker stop 0
check "a 307 from http to https is not followed: exit 1 saying so" \
  bash -c "[ $RC = 1 ] && grep -q 'another scheme' '$E2E_TMP/err'"
check "... nothing reached the target" bash -c "! grep -q '^leader ' '$E2E_TMP/seen.log'"

cli --api "127.0.0.1:$PX" status
check "a redirect loop ends after 4 requests (3 hops): exit 1" \
  bash -c "[ $RC = 1 ] && [ \$(grep -c '^loop ' '$E2E_TMP/seen.log') = 4 ]"
finish
