#!/usr/bin/env bash
# local_shared_listener.sh: the executor and fetch end-to-end tests again
# with every agent on the shared agent listener (--agent-listeners 0):
# kmesos-executor finds its agent through MESOS_AGENT_ENDPOINT (calls
# routed by framework and executor id), command tasks and fetched URIs
# run in their sandboxes, and /files/read is served for each agent's
# sandbox (routed by the path asked for).
DIR=$(dirname "$0")
rc=0
for t in exec_local.sh local_executor.sh local_fetch.sh; do
    echo "# $t with --agent-listeners 0"
    LOCAL_EXTRA="--agent-listeners 0" KLOCAL_EXTRA="--agent-listeners 0" bash "$DIR/$t" || rc=1
done
exit $rc
