#!/usr/bin/env bash
# End to end of the command-workload API (POST /api/workload/add|update|
# remove, GET /api/workload/list) on kmesos-local + kmesos-scheduler: a job
# submitted with per-task preferred hosts (prefer_hosts_by_instance) runs
# each task on its own host; a bad spec, a duplicate name, an unknown name,
# a body with a NUL byte and a module's workload are refused with the
# field named and nothing changed; update shrinks the job (the surplus task
# is killed), remove kills the rest; the state file still loads after it.
source "$(dirname "$0")/lib.sh"

MASTER=$(free_port); API=$(free_port)
cat >"$E2E_TMP/agents.json" <<JSON
{"agents":[{"hostname":"hosta","attributes":"rack:r1"},{"hostname":"hostb","attributes":"rack:r1"},
 {"hostname":"hostc","attributes":"rack:r2"}]}
JSON
start local "$KMESOS_BIN/kmesos-local" --port "$MASTER" --agent-config "$E2E_TMP/agents.json" \
  --allocation-interval 200ms --work-dir "$E2E_TMP/agents"
wait_for 10 curl -fsS "http://127.0.0.1:$MASTER/master/state" -o /dev/null
S="http://127.0.0.1:$API/api"
start sched "$KMESOS_BIN/kmesos-scheduler" --master "127.0.0.1:$MASTER" \
  --api "127.0.0.1:$API" --state "file:$E2E_TMP/state.json"
wait_for 15 jtrue "$S/status" 'j["subscribed"]' || echo "# the scheduler did not subscribe"

post() { # post PATH BODY -> status code; body in $E2E_TMP/out
  curl -s -o "$E2E_TMP/out" -w '%{http_code}' -X POST --data-binary "$2" "$S/workload/$1"
}
out_is() { python3 -c "import json,sys; j=json.load(open('$E2E_TMP/out')); sys.exit(0 if ($1) else 1)"; }

check "add a job of 3 tasks, each preferring its own host -> 200" \
  [ "$(post add 'name=job cmd="sleep 300" cpus=0.1 mem=16 instances=3 prefer_hosts_by_instance="hostc;hosta;hostb"')" = 200 ]
check "  the answer describes it" out_is "j['name']=='job' and j['instances']==3"
check "every task runs on the host it prefers" wait_for 20 jtrue "$S/tasks" \
  "sorted((t['instance'], t['hostname']) for t in j if t['workload']=='job' and t['state']=='TASK_RUNNING') == [(0,'hostc'),(1,'hosta'),(2,'hostb')]"
check "they are counted node-local" jtrue "$S/status" 'j["locality"]["node_local"]==3'
check "list shows it" jtrue "$S/workload/list" "[w for w in j if w['name']=='job' and w['instances']==3 and not w['module']]"

check "a bad spec -> 400 naming the field" [ "$(post add 'name=x cmd=true cpus=lots')" = 400 ]
check "  ... and the parser's message" out_is "j['field']=='spec' and 'cpus' in j['error']"
check "a duplicate name -> 409" [ "$(post add 'name=job cmd=true')" = 409 ]
check "update of an unknown name -> 404" [ "$(post update 'name=nope cmd=true')" = 404 ]
printf 'name=y cmd=true\0instances=2' >"$E2E_TMP/nul"
code=$(curl -s -o "$E2E_TMP/out" -w '%{http_code}' -X POST --data-binary @"$E2E_TMP/nul" "$S/workload/add")
check "a body with a NUL byte -> 400" [ "$code" = 400 ]
check "an empty body -> 400" [ "$(post add '')" = 400 ]
check "nothing was added by the refused requests" jtrue "$S/workload/list" "[w['name'] for w in j]==['job']"
check "GET on add -> 404 (no such endpoint for GET)" \
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$S/workload/add")" = 404 ]

check "update to 2 instances -> 200" \
  [ "$(post update 'name=job cmd="sleep 300" cpus=0.1 mem=16 instances=2 prefer_hosts_by_instance="hostc;hosta"')" = 200 ]
check "the surplus task is killed, two keep running" wait_for 20 jtrue "$S/tasks" \
  "len([t for t in j if t['workload']=='job' and t['state']=='TASK_RUNNING'])==2 and [t['state'] for t in j if t['instance']==2]==['TASK_KILLED']"
check "remove of an unknown name -> 404" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$S/workload/remove?name=nope")" = 404 ]
check "remove -> 200" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$S/workload/remove?name=job")" = 200 ]
check "its tasks are gone from the scheduler" wait_for 10 jtrue "$S/tasks" "not [t for t in j if t['workload']=='job']"
check "and killed on the master" wait_for 20 jtrue "http://127.0.0.1:$MASTER/master/state" \
  'not [t for f in j["frameworks"] for t in f["tasks"] if t["state"]=="TASK_RUNNING"]'
check "the saved state is valid JSON" python3 -c "import json; json.load(open('$E2E_TMP/state.json'))"
finish
