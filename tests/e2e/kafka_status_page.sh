#!/usr/bin/env bash
# End to end (issue 14, point 7): the status page at GET / in a real
# headless browser (Debian chromium) over a 3-broker Kafka cluster run by
# kmesos-scheduler on kmesos-local (agents 127.0.0.1..3 in racks r1..r3).
# Once the three brokers run, chromium loads the page, runs its script
# (--virtual-time-budget) and dumps the DOM: the broker table has the
# three brokers, running, each with its host, rack and endpoint; the
# framework, session and policy sections are filled and no refresh
# failed. The brokers are started and then restarted (rolling) with the
# CLI's --wait (issue 14, point 8): it returns once all run (again) and
# prints plain progress lines when its output is not a terminal. A screenshot is kept: status_page.png in the test's log folder
# ($E2E_TMP, kept on failure or with E2E_KEEP=1) and, since that folder is
# removed after a pass, also in $KMESOS_BIN/Testing/e2e/kafka_status_page/.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

TOPIC=status
. "$(dirname "$0")/lib/kafka_prelude.sh"
. "$(dirname "$0")/lib/kafka_cluster.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
  { not_ok "chromium is installed (scripts/install-deps.sh)"; finish; exit 1; }

kafka_local_cluster || { not_ok "kmesos-local is up"; finish; exit 1; }
kafka_scheduler 1
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || { not_ok "scheduler subscribed"; finish; exit 1; }
PAGE="http://127.0.0.1:$API/"

# chromium ARGS...: headless, as root too (--no-sandbox), its own profile
chrome() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$E2E_TMP/chrome" --virtual-time-budget=8000 "$@" 2>>"$E2E_TMP/chrome.log"
}

check "the page loads before any broker exists: 'no brokers'" \
  bash -c "$(declare -f chrome); CHROMIUM=$CHROMIUM E2E_TMP=$E2E_TMP chrome --dump-dom '$PAGE' | grep -q '>no brokers<'"

SMALL='cpus=0.5&mem=1024&heap=256&options=num.partitions=3,default.replication.factor=3'
check "broker add 0..2 -> 200" [ "$(post add "broker=0..2&$SMALL" | cut -c1-3)" = 200 ]
KM=("$KMESOS_BIN/kmesos" --api "http://127.0.0.1:$API")
# km_to FILE ARGS...: the CLI with its output (not a terminal) in FILE
km_to() { local f=$1; shift; "${KM[@]}" "$@" >"$f" 2>&1; }
# issue 14, point 8: the CLI waits, with plain progress lines when not on a terminal
t0=$(now)
check "kmesos broker start '*' --wait=240s exits 0 once all run" \
  km_to "$E2E_TMP/start_wait.out" broker start '*' --wait=240s
sed 's/^/# start --wait: /' "$E2E_TMP/start_wait.out"
echo "metric: start --wait took $(since "$t0") s"
three_running='len([b for b in j["brokers"] if b["task"] and b["task"]["state"]=="TASK_RUNNING"])==3'
check "three brokers TASK_RUNNING when it returns" jtrue "$S/broker/list" "$three_running"
check "its progress: plain lines 'brokers running: N/3' ending at 3/3, then the summary" \
  bash -c "grep -q '^brokers running: [0-2]/3$' '$E2E_TMP/start_wait.out' &&
    grep -q '^brokers running: 3/3$' '$E2E_TMP/start_wait.out' &&
    tail -n 1 '$E2E_TMP/start_wait.out' | grep -q '^3 brokers running after [0-9]* s$' &&
    ! grep -q \$'\r' '$E2E_TMP/start_wait.out'"
jtrue "$S/broker/list" "$three_running" || { finish; exit 1; }
tasks_before=$(json "$S/broker/list" '",".join(sorted(b["task"]["id"] for b in j["brokers"]))')
t0=$(now)
check "kmesos broker restart '*' --wait=300s exits 0 once all run again" \
  km_to "$E2E_TMP/restart_wait.out" broker restart '*' --wait=300s
sed 's/^/# restart --wait: /' "$E2E_TMP/restart_wait.out"
echo "metric: rolling restart --wait took $(since "$t0") s"
check "when it returns every broker runs under a new task" \
  jtrue "$S/broker/list" "$three_running and not set(b['task']['id'] for b in j['brokers']) & set('$tasks_before'.split(','))"
check "its progress counted 'running again' up to 3/3" \
  bash -c "grep -q '^brokers running again: 0/3$' '$E2E_TMP/restart_wait.out' &&
    tail -n 1 '$E2E_TMP/restart_wait.out' | grep -q '^3 brokers running again after'"
check "--wait on stop is a usage error (exit 2), nothing sent" \
  bash -c "'${KM[0]}' --api http://127.0.0.1:$API broker stop 0 --wait; [ \$? = 2 ]"

chrome --dump-dom "$PAGE" >"$E2E_TMP/page.html"
check "chromium dumped the page after its script ran" grep -q 'id="brokers"' "$E2E_TMP/page.html"
# the broker rows as (id, state, host, rack, endpoint), from the dumped DOM
python3 - "$E2E_TMP/page.html" >"$E2E_TMP/rows.json" <<'PY'
import json, sys
from html.parser import HTMLParser

class Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.row = [], None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-broker" in a:
            self.row = {"id": a["data-broker"], "state": a.get("data-state"), "cells": []}
        elif tag == "td" and self.row is not None:
            self.cell = ""
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
    def handle_endtag(self, tag):
        if tag == "td" and self.row is not None and self.cell is not None:
            self.row["cells"].append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

p = Rows()
p.feed(open(sys.argv[1]).read())
print(json.dumps(p.rows))
PY
sed 's/^/# broker rows in the DOM: /' "$E2E_TMP/rows.json"
rows() { python3 -c "import json,sys; j=json.load(open('$E2E_TMP/rows.json')); sys.exit(0 if ($1) else 1)"; }
check "the page shows the three brokers 0, 1, 2" rows 'sorted(r["id"] for r in j)==["0","1","2"]'
check "each is running" rows 'all(r["state"]=="running" and r["cells"][1]=="running" for r in j)'
check "on the three hosts 127.0.0.1..3" rows 'sorted(r["cells"][2] for r in j)==["127.0.0.1","127.0.0.2","127.0.0.3"]'
check "each host's rack (r1..r3, from the agents' attribute)" \
  rows 'all(r["cells"][3]=="r"+r["cells"][2].split(".")[-1] for r in j)'
check "each with its endpoint host:port, role and failures" rows 'all(r["cells"][4].startswith(r["cells"][2]+":") and r["cells"][5] and r["cells"][6]=="0" for r in j)'
check "the framework id is shown" grep -q "$(json "$S/status" 'j["framework_id"]')" "$E2E_TMP/page.html"
check "the session is shown subscribed" grep -q '<dt>state</dt><dd>subscribed</dd>' "$E2E_TMP/page.html"
check "the policy chain is listed" grep -q '<td>delay</td>' "$E2E_TMP/page.html"
check "the last refresh succeeded ('updated TIME', no error)" \
  grep -q 'id="updated" class="muted">updated ' "$E2E_TMP/page.html"

KEEP="$KMESOS_BIN/Testing/e2e/kafka_status_page"
mkdir -p "$KEEP"
chrome --screenshot="$E2E_TMP/status_page.png" --window-size=1280,1500 --hide-scrollbars "$PAGE" >/dev/null
check "a screenshot was taken (PNG)" \
  bash -c "head -c 8 '$E2E_TMP/status_page.png' | od -An -tx1 | grep -q '89 50 4e 47'"
cp "$E2E_TMP/status_page.png" "$KEEP/status_page.png" 2>/dev/null
echo "# screenshot: $KEEP/status_page.png"
finish
