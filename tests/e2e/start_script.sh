#!/usr/bin/env bash
# The start script and the scheduler on bad and good --policy files:
# a missing file exits 2 with a message naming it (script and scheduler),
# a file that does not load is refused before start with file:line, and a
# good chain starts the scheduler with the other flags passed through.
source "$(dirname "$0")/lib.sh"
START="$KMESOS_SRC/scripts/kafka-mesos-scheduler-start.sh"
export KMESOS_BIN

code_and_err() { "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; echo $?; }

rc=$(code_and_err "$START" --policy "$E2E_TMP/missing.lua" --api off)
check "start script: missing policy file exits 2" test "$rc" = 2
check "start script: the message names the file" grep -q "missing.lua" "$E2E_TMP/err"

rc=$(code_and_err "$KMESOS_BIN/kmesos-scheduler" --policy "$E2E_TMP/missing.lua" --api off)
check "scheduler: missing policy file exits 2" test "$rc" = 2
check "scheduler: the message names the file" grep -q "missing.lua" "$E2E_TMP/err"

printf 'return { name = "broken", evaluate = function(\n' >"$E2E_TMP/broken.lua"
rc=$(code_and_err "$START" --policy "$E2E_TMP/broken.lua" --api off)
check "start script: a policy that does not load is refused" test "$rc" != 0
check "start script: the error gives file and line" grep -q "broken.lua:[0-9]" "$E2E_TMP/err"

printf 'return { evaluate = function() return "accept" end }\n' >"$E2E_TMP/ok.lua"
rc=$(code_and_err "$START" --policy "$E2E_TMP/ok.lua" --help)
check "start script: a good chain starts the scheduler with the flags passed through" \
  test "$rc" = 0
check "the scheduler got --help" grep -q "Usage: kmesos-scheduler" "$E2E_TMP/out"

rc=$(code_and_err "$KMESOS_BIN/kmesos-scheduler" --bogus-flag)
check "scheduler: a bad flag exits 2 with the usage" test "$rc" = 2
check "scheduler: the message names the flag" grep -q -- "--bogus-flag" "$E2E_TMP/err"
rc=$(code_and_err "$KMESOS_BIN/kmesos-local" --agents nine)
check "kmesos-local: a bad flag value exits 2" test "$rc" = 2
# --help documents every long option each program accepts
undocumented() { # undocumented BINARY SOURCE
  local flag missing=""
  for flag in $(grep -o '{"[a-z-]*", \(required\|no\)_argument' "$2" | cut -d'"' -f2); do
    "$1" --help 2>&1 | grep -q -- "--$flag" || missing="$missing $flag"
  done
  echo "$missing"
}
check "kmesos-scheduler --help documents every flag" \
  test -z "$(undocumented "$KMESOS_BIN/kmesos-scheduler" "$KMESOS_SRC/core/sched/options.c")"
check "kmesos-local --help documents every flag" \
  test -z "$(undocumented "$KMESOS_BIN/kmesos-local" "$KMESOS_SRC/core/local/config.c")"
check "the flag list was found" \
  test "$(grep -c '_argument, ' "$KMESOS_SRC/core/sched/options.c")" -gt 10
finish
