#!/usr/bin/env bash
# kafka-mesos-scheduler-start.sh: start kmesos-scheduler with a policy chain.
#
#   scripts/kafka-mesos-scheduler-start.sh [--policy FILE]... [--policy-options JSON|FILE] [OTHER FLAGS]...
#
# --policy FILE (repeatable, in chain order; also --policy=FILE): every file must exist (else a
# clear message and exit 2) and the whole chain must load: it is dry-run first with
# `kmesos-scheduler --check-policy FILE... [--policy-options ...]` (exit 1 when a policy does not
# load). Without --policy the scheduler uses its default chain (constraints.lua, delay.lua).
# Every other flag (--master, --state, --api, ...) is passed through unchanged, then the script
# execs kmesos-scheduler with the --policy flags followed by the rest.
# The binary: $KMESOS_BIN/kmesos-scheduler if KMESOS_BIN is set (a directory or the binary
# itself), else ./build/kmesos-scheduler, else kmesos-scheduler on PATH.
set -euo pipefail

die() { echo "kafka-mesos-scheduler-start: $*" >&2; exit 2; }

find_bin() {
  if [[ -n "${KMESOS_BIN:-}" ]]; then
    if [[ -d "$KMESOS_BIN" ]]; then echo "$KMESOS_BIN/kmesos-scheduler"; else echo "$KMESOS_BIN"; fi
  elif [[ -x ./build/kmesos-scheduler ]]; then
    echo ./build/kmesos-scheduler
  else
    command -v kmesos-scheduler || echo kmesos-scheduler
  fi
}

policies=()
options=()
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --policy)
      [[ $# -ge 2 ]] || die "--policy needs a FILE"
      policies+=("$2"); shift 2 ;;
    --policy=*)
      policies+=("${1#--policy=}"); shift ;;
    --policy-options)
      [[ $# -ge 2 ]] || die "--policy-options needs a JSON object or a FILE"
      options=(--policy-options "$2"); shift 2 ;;
    --policy-options=*)
      options=(--policy-options "${1#--policy-options=}"); shift ;;
    *)
      rest+=("$1"); shift ;;
  esac
done

for f in "${policies[@]+"${policies[@]}"}"; do
  [[ -e "$f" ]] || die "policy file not found: $f"
  [[ -f "$f" && -r "$f" ]] || die "policy file not readable: $f"
done
if [[ ${#options[@]} -gt 0 && "${options[1]}" != \{* && ! -r "${options[1]}" ]]; then
  die "policy options file not found: ${options[1]}"
fi

bin="$(find_bin)"
[[ -x "$bin" ]] || die "kmesos-scheduler not found (looked at ${bin}); set KMESOS_BIN"

if [[ ${#policies[@]} -gt 0 ]]; then
  if ! "$bin" --check-policy "${policies[@]}" "${options[@]+"${options[@]}"}"; then
    echo "kafka-mesos-scheduler-start: the policy chain does not load (see above)" >&2
    exit 1
  fi
fi

args=()
for f in "${policies[@]+"${policies[@]}"}"; do args+=(--policy "$f"); done
exec "$bin" "${args[@]+"${args[@]}"}" "${options[@]+"${options[@]}"}" "${rest[@]+"${rest[@]}"}"
