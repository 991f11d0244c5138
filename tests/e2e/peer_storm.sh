#!/usr/bin/env bash
# peer_storm.sh: the two storm programs of the benchmark (bench/) keep
# their interface (tests/peers/setup.sh builds them): pymesos-storm and
# mesosgo-storm, each run as PROG --master HOST:PORT --tasks N --cmd CMD
# --name NAME against kmesos-local with 4 agents, pack N small tasks into
# an offer (all 40 fit in one agent's offer), print one JSON line
# {"event":"all_running","tasks":N,"seconds":S} once /master/state shows
# all N RUNNING, keep running and declining the other offers, and on
# SIGTERM tear down (framework among
# completed_frameworks, no task process left) and exit 0.
source "$(dirname "$0")/lib/local_lib.sh"
source "$(dirname "$0")/lib/peers.sh"
N=40

# fw_tasks NAME STATE: how many of framework NAME's tasks are in STATE,
# then how many agents they are on.
fw_tasks() {
    curl -fsS "http://127.0.0.1:$PORT/master/state" | python3 -c "
import json, sys
j = json.load(sys.stdin)
ts = [t for f in j['frameworks'] if f['name'] == '$1' for t in f['tasks'] if t['state'] == '$2']
print(len(ts), len({t['slave_id'] for t in ts}))"
}

# fw_offers NAME: the ids of the offers framework NAME holds.
fw_offers() {
    curl -fsS "http://127.0.0.1:$PORT/master/state" | python3 -c "
import json, sys
j = json.load(sys.stdin)
print(' '.join(o['id'] for f in j['frameworks'] if f['name'] == '$1' for o in f.get('offers', [])))"
}

storm() { # storm PROG
    local prog=$1 name=$1-$$ sleep=$((80000 + RANDOM % 9000)) i line
    "$PEERS/$prog" --master "127.0.0.1:$PORT" --tasks "$N" --cmd "sleep $sleep" --name "$name" \
        >"$TMP/$prog.out" 2>"$TMP/$prog.err" &
    local pid=$!
    PIDS+=("$pid")
    for i in $(seq 600); do
        line=$(grep -m1 '"all_running"' "$TMP/$prog.out") && break
        sleep 0.1
    done
    check "$prog: prints the all_running line ($line)" python3 -c "
import json, sys
e = json.loads(sys.argv[1])
sys.exit(not (e['event'] == 'all_running' and e['tasks'] == $N and 0 < e['seconds'] < 60))" "$line"
    read -r running agents < <(fw_tasks "$name" TASK_RUNNING)
    check "$prog: /master/state has its $N tasks RUNNING (got $running)" test "$running" = "$N"
    check "$prog: packed into one offer: all on one agent (got $agents)" test "$agents" = 1
    # declining: offers outstanding now are gone 1 s later (a program that
    # held them would keep the same ones; kmesos-local re-offers every 200 ms)
    local before after
    before=$(fw_offers "$name"); sleep 1; after=$(fw_offers "$name")
    check "$prog: declines the offers it does not use (outstanding: '$before', then '$after')" \
        python3 -c "import sys; sys.exit(bool(set(sys.argv[1].split()) & set(sys.argv[2].split())))" "$before" "$after"
    sleep 1
    check "$prog: keeps running after all_running" kill -0 "$pid"
    kill -TERM "$pid"
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pid"
    check "$prog: SIGTERM, exit 0" test $? -eq 0
    check "$prog: the framework was torn down (in completed_frameworks)" bash -c "curl -fsS http://127.0.0.1:$PORT/master/state | python3 -c \"
import json, sys
j = json.load(sys.stdin)
sys.exit(not any(f['name'] == '$name' for f in j['completed_frameworks']))\""
    check "$prog: no task process left" gone "sleep $sleep"
}

lib_start storm --agents 4 --allocation-interval 200ms || { fail start; finish; }
storm pymesos-storm
storm mesosgo-storm
local_stop
peer_dump
finish
