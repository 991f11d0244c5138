#!/usr/bin/env bash
# Benchmark over loopback (prints numbers; not part of the tests):
# kmesos-local with 3 agents + kmesos-scheduler with N tiny command tasks.
# Prints the time from start to all N RUNNING, the scheduler's time from
# an OFFERS event to its ACCEPT call (from its debug log), and the API
# counters. Usage: bench/loopback.sh [N] (default 60); needs ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-60}
source tests/e2e/lib.sh
KMESOS_BIN=$PWD/build
MASTER=$(free_port); API=$(free_port)
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agents 3 \
  --allocation-interval 100ms --work-dir "$E2E_TMP/agents" \
  --agent-resources 'cpus:64;mem:65536;disk:1000;ports:[31000-32000]'
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
t0=$(date +%s.%N)
start sched "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" --api "127.0.0.1:$API" \
  --state "file:$E2E_TMP/state.json" --log-level debug \
  --workload "name=tiny cmd=\"sleep 600\" cpus=0.01 mem=1 instances=$N"
S="http://127.0.0.1:$API/api"
wait_for 60 jtrue "$S/tasks" "len([t for t in j if t['state']=='TASK_RUNNING'])==$N"
t1=$(date +%s.%N)
echo "tasks: $N"
python3 -c "print('start to all RUNNING: %.3f s' % ($t1-$t0))"
python3 - "$E2E_TMP/sched.log" <<'PY'
import re, sys
def ms(line):
    h, m, s = line[:12].split(':')
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000
offer_at, gaps = None, []
for line in open(sys.argv[1]):
    if 'session: event OFFERS' in line:
        offer_at = ms(line)
    elif 'ACCEPT call queued' in line and offer_at is not None:
        gaps.append(ms(line) - offer_at)
        offer_at = None
if gaps:
    print('OFFERS event -> ACCEPT queued: n=%d avg=%.2f ms max=%.2f ms (log clock: 1 ms resolution)'
          % (len(gaps), sum(gaps) / len(gaps), max(gaps)))
PY
json "$S/status" "'counters: ' + ', '.join('%s=%s' % kv for kv in sorted(j['counters'].items()))"
E2E_PASSED=1
finish >/dev/null
