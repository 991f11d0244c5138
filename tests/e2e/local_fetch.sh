#!/usr/bin/env bash
# local_fetch.sh: the Mesos fetcher of kmesos-local, checked against the
# fetcher capture of a real Mesos 1.12 agent: CommandInfo URIs served by a
# python3 http.server (a .tar.gz extracted into the sandbox root and kept,
# a script marked executable -> 0755), a file:// URI with output_file, a
# .zip; the task uses the fetched files; a 404 URI -> TASK_FAILED,
# SOURCE_AGENT, REASON_CONTAINER_LAUNCH_FAILED with the agent's message and
# no TASK_STARTING; the fetcher's log in the sandbox stderr; a KILL while
# curl hangs kills it and answers TASK_KILLED; ExecutorInfo URIs fetched
# before the executor starts (and a failing one -> TASK_FAILED + FAILURE).
source "$(dirname "$0")/lib/local_lib.sh"
PYEXEC=$KMESOS_SRC/tests/e2e/lib/pyexec.py

# --- the files to serve ---------------------------------------------------
WWW=$TMP/www
mkdir -p "$WWW/src/bundle" "$TMP/local" "$WWW/src/zipped"
echo "hello from bundle data" >"$WWW/src/bundle/data.txt"
printf '#!/bin/sh\necho inner\n' >"$WWW/src/bundle/inner.sh"
tar -C "$WWW/src" -czf "$WWW/bundle.tar.gz" bundle
printf '#!/bin/sh\necho "hello.sh executed from sandbox $MESOS_SANDBOX"\n' >"$WWW/hello.sh"
echo "zipped content" >"$WWW/src/zipped/z.txt"
(cd "$WWW/src" && zip -qr "$WWW/z.zip" zipped)
echo "local file content" >"$TMP/local/conf.txt"

HPORT=$(free_port)
python3 -m http.server "$HPORT" --bind 127.0.0.1 --directory "$WWW" >"$TMP/http.log" 2>&1 &
PIDS+=("$!")
# a server that accepts connections and never answers: curl hangs in it
SPORT=$(free_port)
python3 -c "
import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8); conns = []
while True:
    c, _ = s.accept(); conns.append(c)" "$SPORT" >/dev/null 2>&1 &
PIDS+=("$!")
for i in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$HPORT/hello.sh" >/dev/null 2>&1 && break
    sleep 0.05
done
URL=http://127.0.0.1:$HPORT

lib_start fetch --allocation-interval 200ms || { fail "start"; finish; }
subscribe s1 || fail "subscribe"
wait_for "$STREAM" '^OFFERS' 5 || fail "offer"
read -r _ OFFER AGENT _ < <(events "$STREAM" | grep '^OFFERS' | head -1)

RES='[{"name":"cpus","type":"SCALAR","scalar":{"value":0.1}},{"name":"mem","type":"SCALAR","scalar":{"value":32}}]'
uuid_of() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s {print $4; exit}'; }
count() { events "$STREAM" | awk -v t="$1" -v s="$2" '$1=="UPDATE" && $2==t && $3==s' | wc -l; }
ack() { call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"$AGENT\"},\"task_id\":{\"value\":\"$1\"},\"uuid\":\"$(uuid_of "$1" "$2")\"}}" >/dev/null; }
# wait_ack TASK STATE [SECONDS]: waits for the update and acknowledges it
wait_ack() { wait_for "$STREAM" "^UPDATE $1 $2 " "${3:-5}" && ack "$1" "$2"; }
task() { # task ID COMMAND_JSON
    echo "{\"name\":\"$1\",\"task_id\":{\"value\":\"$1\"},\"agent_id\":{\"value\":\"$AGENT\"},\"command\":$2,\"resources\":$RES}"
}
launch() { # launch OFFER TASK_JSON...
    local offer=$1; shift
    local tasks; tasks=$(IFS=,; echo "$*")
    call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$offer\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[$tasks]}}],\"filters\":{\"refuse_seconds\":1}}}"
}
last_offer() { events "$STREAM" | awk '/^OFFERS/{o=$2} END{print o}'; }
sandbox_of() { ls -d "$TMP"/work-fetch/slaves/*/frameworks/*/executors/"$1"/runs/* 2>/dev/null | head -1; }

# --- a task using fetched files, and a 404 ----------------------------------
OK_CMD="{\"shell\":true,\"value\":\"echo '== sandbox after fetch'; ls -laR .; ./hello.sh; cat bundle/data.txt; cat conf/renamed.txt; cat zipped/z.txt; sleep 1\",\"uris\":[{\"value\":\"$URL/bundle.tar.gz\",\"executable\":false,\"extract\":true,\"cache\":false},{\"value\":\"$URL/hello.sh\",\"executable\":true,\"extract\":false,\"cache\":false},{\"value\":\"file://$TMP/local/conf.txt\",\"output_file\":\"conf/renamed.txt\"},{\"value\":\"$URL/z.zip\"}]}"
BAD_CMD="{\"shell\":true,\"value\":\"echo should-not-run\",\"uris\":[{\"value\":\"$URL/missing.tar.gz\",\"executable\":false,\"extract\":true,\"cache\":false}]}"
check "ACCEPT with URIs answers 202" test "$(launch "$OFFER" "$(task fetch-ok "$OK_CMD")" "$(task fetch-bad "$BAD_CMD")")" = 202

check "404: TASK_FAILED, SOURCE_AGENT, REASON_CONTAINER_LAUNCH_FAILED, the agent's message" \
    wait_for "$STREAM" "^UPDATE fetch-bad TASK_FAILED [A-Za-z0-9+/=]{24} SOURCE_AGENT REASON_CONTAINER_LAUNCH_FAILED \"Failed to launch container: Failed to fetch all URIs for container '[0-9a-f-]{36}': exited with status 1\"" 10
ack fetch-bad TASK_FAILED
BAD=$(sandbox_of fetch-bad)
check "404: the container id in the message is the sandbox's run" wait_for "$STREAM" "container '$(basename "$BAD")'" 1
check "404: no TASK_STARTING (the task never started)" test "$(count fetch-bad TASK_STARTING)" -eq 0
check "404: fetcher stderr ends with the EXIT line" \
    grep -q "^E[0-9]\{8\} [0-9:.]\{15\} *[0-9]* fetcher.cpp:615\] EXIT with status 1: Failed to fetch '$URL/missing.tar.gz': Error downloading resource, received HTTP return code 404$" "$BAD/stderr"
check "404: fetcher stdout is empty" test -f "$BAD/stdout" -a ! -s "$BAD/stdout"
check "404: the command never ran" bash -c "! grep -rqs should-not-run '$BAD'"
check "404: the response body is kept like the real agent" test -f "$BAD/missing.tar.gz"

check "fetch-ok: TASK_STARTING" wait_ack fetch-ok TASK_STARTING 10
check "fetch-ok: TASK_RUNNING" wait_ack fetch-ok TASK_RUNNING 5
check "fetch-ok: TASK_FINISHED (the command used the fetched files)" \
    wait_for "$STREAM" '^UPDATE fetch-ok TASK_FINISHED .*"Command exited with status 0"' 10
ack fetch-ok TASK_FINISHED
OK=$(sandbox_of fetch-ok)
check "archive kept in the sandbox" test -f "$OK/bundle.tar.gz"
check "archive extracted into the sandbox root (bundle/data.txt)" test -f "$OK/bundle/data.txt" -a -f "$OK/bundle/inner.sh"
check "archive itself not executable" test ! -x "$OK/bundle.tar.gz"
check "executable URI has mode 0755" test "$(stat -c %a "$OK/hello.sh")" = 755
check "file:// URI copied to output_file (folder created)" grep -qx "local file content" "$OK/conf/renamed.txt"
check "zip extracted, archive kept" test -f "$OK/zipped/z.txt" -a -f "$OK/z.zip"
check "task output: hello.sh ran in the sandbox" grep -q "^hello.sh executed from sandbox $OK$" "$OK/stdout"
check "task output: bundle data, local file, zip" bash -c "grep -qx 'hello from bundle data' '$OK/stdout' && grep -qx 'local file content' '$OK/stdout' && grep -qx 'zipped content' '$OK/stdout'"
check "stdout: the task's output only" test "$(head -1 "$OK/stdout")" = "== sandbox after fetch"
check "stderr: glog 'Fetcher Info' first" grep -q "^I[0-9]\{8\} [0-9:.]\{15\} *[0-9]* fetcher.cpp:562\] Fetcher Info: {\"cache_directory\":" <(head -1 "$OK/stderr")
check "Fetcher Info: items in order, BYPASS_CACHE, sandbox, stall timeout" python3 -c "
import json, sys
line = open(sys.argv[1]).readline()
info = json.loads(line.split('Fetcher Info: ', 1)[1])
assert [i['uri']['value'] for i in info['items']] == [sys.argv[2] + '/bundle.tar.gz', sys.argv[2] + '/hello.sh', 'file://' + sys.argv[4] + '/local/conf.txt', sys.argv[2] + '/z.zip'], info
assert all(i['action'] == 'BYPASS_CACHE' for i in info['items'])
assert info['items'][1]['uri']['executable'] is True and info['items'][0]['uri']['extract'] is True
assert info['items'][2]['uri']['output_file'] == 'conf/renamed.txt'
assert info['sandbox_directory'] == sys.argv[3] and info['stall_timeout'] == {'nanoseconds': 60000000000}
" "$OK/stderr" "$URL" "$OK" "$TMP"
check "stderr: Fetching / directly / Downloading / Fetched lines like the capture" bash -c "
grep -q \"fetcher.cpp:459\] Fetching URI '$URL/bundle.tar.gz'\$\" '$OK/stderr' &&
grep -q \"fetcher.cpp:290\] Fetching '$URL/bundle.tar.gz' directly into the sandbox directory\$\" '$OK/stderr' &&
grep -q \"fetcher.cpp:175\] Downloading resource from '$URL/hello.sh' to '$OK/hello.sh'\$\" '$OK/stderr' &&
grep -q \"fetcher.cpp:618\] Fetched '$URL/hello.sh' to '$OK/hello.sh'\$\" '$OK/stderr' &&
grep -q \"fetcher.cpp:618\] Fetched 'file://$TMP/local/conf.txt' to '$OK/conf/renamed.txt'\$\" '$OK/stderr' &&
grep -q \"fetcher.cpp:623\] Successfully fetched all URIs into '$OK'\$\" '$OK/stderr'"

# --- file:// failures --------------------------------------------------------
sleep 0.5
MISS_CMD="{\"value\":\"true\",\"uris\":[{\"value\":\"file://$TMP/local/conf.txt\"},{\"value\":\"file://$TMP/local/nope.txt\"}]}"
launch "$(last_offer)" "$(task fetch-miss "$MISS_CMD")" >/dev/null
check "missing file://: TASK_FAILED REASON_CONTAINER_LAUNCH_FAILED" \
    wait_for "$STREAM" "^UPDATE fetch-miss TASK_FAILED .* SOURCE_AGENT REASON_CONTAINER_LAUNCH_FAILED \"Failed to launch container: Failed to fetch all URIs" 10
ack fetch-miss TASK_FAILED
MISS=$(sandbox_of fetch-miss)
check "missing file://: first URI fetched, then the cp failure logged" bash -c "
grep -q \"Fetched 'file://$TMP/local/conf.txt'\" '$MISS/stderr' &&
grep -q \"EXIT with status 1: Failed to fetch 'file://$TMP/local/nope.txt': cp failed with status: 256\" '$MISS/stderr'"

# --- KILL while fetching -------------------------------------------------------
sleep 0.5
SLOW_CMD="{\"value\":\"echo should-not-run\",\"uris\":[{\"value\":\"$URL/hello.sh\",\"executable\":true},{\"value\":\"http://127.0.0.1:$SPORT/slow.tar.gz\"}]}"
launch "$(last_offer)" "$(task fetch-slow "$SLOW_CMD")" >/dev/null
check "a hanging download: curl runs" bash -c "for i in \$(seq 100); do pgrep -f '^curl .*127.0.0.1:$SPORT/slow' >/dev/null && exit 0; sleep 0.05; done; exit 1"
check "no TASK_STARTING while fetching" test "$(count fetch-slow TASK_STARTING)" -eq 0
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"KILL\",\"kill\":{\"task_id\":{\"value\":\"fetch-slow\"},\"agent_id\":{\"value\":\"$AGENT\"}}}" >/dev/null
check "KILL while fetching: TASK_KILLED, SOURCE_AGENT, REASON_TASK_KILLED_DURING_LAUNCH" \
    wait_for "$STREAM" '^UPDATE fetch-slow TASK_KILLED .* SOURCE_AGENT REASON_TASK_KILLED_DURING_LAUNCH' 5
ack fetch-slow TASK_KILLED
check "KILL while fetching: the curl child is gone" bash -c "for i in \$(seq 60); do pgrep -f '^curl .*127.0.0.1:$SPORT/slow' >/dev/null || exit 0; sleep 0.05; done; exit 1"
sleep 0.3
check "KILL while fetching: the task never ran" bash -c "! grep -rqs should-not-run '$(sandbox_of fetch-slow)'"
check "KILL while fetching: the executor is gone from the agent state" bash -c "
! curl -s http://127.0.0.1:$PORT/master/state | grep -q fetch-slow || python3 -c '
import json,sys,urllib.request
s=json.load(urllib.request.urlopen(\"http://127.0.0.1:$PORT/master/state\"))
assert not any(t[\"id\"]==\"fetch-slow\" for f in s[\"frameworks\"] for t in f.get(\"tasks\",[]))'"

# --- ExecutorInfo URIs -----------------------------------------------------------
# (the newest offer holds what the last task freed: executor + task share it)
RES='[{"name":"cpus","type":"SCALAR","scalar":{"value":0.05}},{"name":"mem","type":"SCALAR","scalar":{"value":16}}]'
sleep 0.5
EXEC="{\"executor_id\":{\"value\":\"fx1\"},\"name\":\"pyexec\",\"command\":{\"value\":\"python3 pyexec.py\",\"uris\":[{\"value\":\"file://$PYEXEC\",\"executable\":true},{\"value\":\"$URL/bundle.tar.gz\"}]},\"resources\":$RES}"
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$(last_offer)\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"xt\",\"task_id\":{\"value\":\"fxt1\"},\"agent_id\":{\"value\":\"$AGENT\"},\"executor\":$EXEC,\"resources\":$RES}]}}],\"filters\":{\"refuse_seconds\":1}}}" >/dev/null
check "executor URIs fetched, then the executor runs: TASK_RUNNING" \
    wait_for "$STREAM" '^UPDATE fxt1 TASK_RUNNING .* SOURCE_EXECUTOR - "pyexec: running"' 10
ack fxt1 TASK_RUNNING
FX=$(sandbox_of fx1)
check "executor sandbox: fetched executable and extracted archive" bash -c "test -x '$FX/pyexec.py' && test -f '$FX/bundle/data.txt'"
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"SHUTDOWN\",\"shutdown\":{\"executor_id\":{\"value\":\"fx1\"},\"agent_id\":{\"value\":\"$AGENT\"}}}" >/dev/null
wait_for "$STREAM" "^FAILURE $AGENT fx1" 8
sleep 0.5
EXEC_BAD="{\"executor_id\":{\"value\":\"fx2\"},\"name\":\"pyexec\",\"command\":{\"value\":\"python3 pyexec.py\",\"uris\":[{\"value\":\"$URL/nothing-here.sh\"}]},\"resources\":$RES}"
call "{\"framework_id\":{\"value\":\"$FW\"},\"type\":\"ACCEPT\",\"accept\":{\"offer_ids\":[{\"value\":\"$(last_offer)\"}],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"xt\",\"task_id\":{\"value\":\"fxt2\"},\"agent_id\":{\"value\":\"$AGENT\"},\"executor\":$EXEC_BAD,\"resources\":$RES}]}}],\"filters\":{\"refuse_seconds\":1}}}" >/dev/null
check "executor URI 404: TASK_FAILED REASON_CONTAINER_LAUNCH_FAILED" \
    wait_for "$STREAM" "^UPDATE fxt2 TASK_FAILED .* SOURCE_AGENT REASON_CONTAINER_LAUNCH_FAILED \"Failed to launch container: Failed to fetch all URIs for container" 10
check "executor URI 404: FAILURE for the executor" wait_for "$STREAM" "^FAILURE $AGENT fx2" 5
ack fxt2 TASK_FAILED

# --- invalid URI -----------------------------------------------------------------
sleep 0.5
launch "$(last_offer)" "$(task fetch-inv "{\"value\":\"true\",\"uris\":[{\"value\":\"http://127.0.0.1:$HPORT\"}]}")" >/dev/null
check "URI without a path: 'Could not fetch: Malformed URI'" \
    wait_for "$STREAM" "^UPDATE fetch-inv TASK_FAILED .* REASON_CONTAINER_LAUNCH_FAILED \"Failed to launch container: Could not fetch: Malformed URI \\(missing path\\): http://127.0.0.1:$HPORT\"" 5

kill -TERM "$LOCAL_PID"
wait "$LOCAL_PID"
check "SIGTERM: clean exit 0" test $? -eq 0
check "no sanitizer report" bash -c "! grep -q 'Sanitizer' '$LOG'"
finish
