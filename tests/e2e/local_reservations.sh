#!/usr/bin/env bash
# local_reservations.sh: dynamic reservations and persistent volumes in
# kmesos-local (RESERVE, UNRESERVE, CREATE, DESTROY), checked against what
# a Mesos 1.12 master does (no capture holds these; the apache/mesos
# source does): src/master/validation.cpp, operation::validate for each
# operation and resource::validate's DiskInfo rules, with their messages;
# src/master/master.cpp, Master::_accept (operations applied in order on
# what the offers left; a refused one dropped, an OPERATION_ERROR only
# when it has an id) and Master::drop; docs/reservation.md and
# docs/persistent-volume.md (reserved resources offered to their role only,
# a volume outlives its tasks, DESTROY refuses a volume in use);
# src/master/readonly_handler.cpp (reserved_resources and
# unreserved_resources of /master/state). The steps are in
# lib/reservations_check.py.
source "$(dirname "$0")/lib/local_lib.sh"

lib_start rsv --agents 1 --allocation-interval 200ms \
    --agent-resources 'cpus:2;mem:2048;disk:4096;ports:[31000-31100]' || { fail start; finish; }
out=$TMP/check.out
python3 "$E2E_PYLIB/reservations_check.py" "127.0.0.1:$PORT" "$TMP/work-rsv" >"$out" 2>&1
rc=$?
cat "$out"
PASSED=$((PASSED + $(grep -c '^ok - ' "$out")))
FAILED=$((FAILED + $(grep -c '^FAIL - ' "$out")))
[ "$rc" -eq 0 ] || [ "$FAILED" -gt 0 ] || fail "reservations_check.py exited $rc"
finish
