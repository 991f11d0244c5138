#!/usr/bin/env bash
# api_slowloris.sh: idle connections cannot starve the scheduler (issue
# 11: 1,100 idle connections at a 1024-fd limit once failed a state save).
# 600 connections from 127.0.0.2 each send half a request and then
# nothing. While they hang: the API still answers a client on 127.0.0.1
# (at most 64 connections per client address, 256 in all), the
# scheduler holds no more than that many sockets, and a change through
# the API is saved in the state file. After the idle timeout (30 s) the
# server has closed the connections it kept. Then a 1 MB form body with
# 100,000 distinct names is refused at once ("too many parameters") and
# the API answers right after.
source "$(dirname "$0")/lib.sh"

MASTER=$(free_port); API=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 1 \
  --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
start sched "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" \
  --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json" \
  --executor "$KMESOS_BIN/kmesos-executor" --kafka-dist "$E2E_TMP/none.tgz" --fetch-mode local \
  --workload 'name=svc cmd="sleep 300" cpus=0.1 mem=16 instances=1'
SCHED_PID=$LAST_PID
S="http://127.0.0.1:$API/api"
wait_for 20 jtrue "$S/tasks" '[t for t in j if t["state"]=="TASK_RUNNING"]' \
  || echo "# the task did not run"

# 600 half requests from 127.0.0.2; prints "open N" once they are made,
# with how many the server closed at once (beyond its per-address cap),
# then, after 34 s, "closed N": how many it has closed by then.
python3 - "$API" >"$E2E_TMP/loris.out" 2>&1 <<'PY' &
import resource, select, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (2048, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
port = int(sys.argv[1]); socks = []
for i in range(600):
    s = socket.socket(); s.setblocking(False); s.bind(("127.0.0.2", 0))
    s.connect_ex(("127.0.0.1", port)); socks.append(s)
time.sleep(0.5)
for s in socks:
    try: s.send(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    except OSError: pass
def closed():
    n = 0
    for s in socks:
        try:
            r, _, _ = select.select([s], [], [], 0)
            if r and s.recv(1, socket.MSG_PEEK) == b"": n += 1
        except OSError: n += 1
    return n
time.sleep(2)
print("open", len(socks), "closed_at_once", closed(), flush=True)
time.sleep(32)
print("closed", closed(), flush=True)
PY
LORIS=$!
E2E_PIDS+=("$LORIS")
wait_for 10 grep -q '^open' "$E2E_TMP/loris.out" || echo "# the idle connections were not made"
T0=$(date +%s.%N)
check "GET /api/status answers while 600 idle connections hang" \
  curl -fsS --max-time 3 -o /dev/null "$S/status"
T1=$(date +%s.%N)
echo "# answered in $(python3 -c "print(round($T1-$T0,3))") s"
SOCKS=$(ls -l /proc/$SCHED_PID/fd 2>/dev/null | grep -c socket)
echo "# scheduler sockets: $SOCKS"
check "the scheduler holds at most 64 of them (+ its own sockets)" [ "$SOCKS" -lt 100 ]
ID=$(json "$S/tasks" '[t["id"] for t in j if t["state"]=="TASK_RUNNING"][0]')
check "a kill through the API works during the attack" \
  curl -fsS --max-time 3 -o /dev/null -X POST "$S/tasks/kill?id=$ID"
check "... and is saved in the state file" \
  wait_for 10 grep -q '"phase": *"stopped"' "$E2E_TMP/state.json"
wait $LORIS 2>/dev/null
cat "$E2E_TMP/loris.out" | sed 's/^/# /'
CLOSED=$(awk '$1=="closed"{print $2}' "$E2E_TMP/loris.out")
AT_ONCE=$(awk '$1=="open"{print $4}' "$E2E_TMP/loris.out")
check "the server kept some idle connections open at first (closed ${AT_ONCE:-?} at once)" \
  [ "${AT_ONCE:-600}" -lt 600 ]
check "the server closed every idle connection by its timeout (closed ${CLOSED:-?} of 600)" \
  [ "${CLOSED:-0}" = 600 ]

# a 1 MB form body of 100,000 distinct names: refused at once
python3 -c "print('&'.join('p%d=1' % i for i in range(100000)), end='')" >"$E2E_TMP/big.form"
T0=$(date +%s.%N)
CODE=$(curl -s -o "$E2E_TMP/body" -w '%{http_code}' --max-time 10 -X POST \
  -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$E2E_TMP/big.form" \
  "$S/broker/add?broker=0")
T1=$(date +%s.%N)
SECS=$(python3 -c "print(round($T1-$T0,3))")
check "100,000 form parameters: 400 too many parameters in ${SECS} s (< 2 s)" \
  bash -c "[ '$CODE' = 400 ] && grep -q 'too many parameters' '$E2E_TMP/body' && python3 -c 'import sys; sys.exit(0 if $SECS < 2 else 1)'"
check "... and the API answers right after" curl -fsS --max-time 2 -o /dev/null "$S/status"
finish
