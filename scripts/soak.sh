#!/usr/bin/env bash
# Fault soak (docs/soak.md): kmesos-local with 4 agents, kmesos-scheduler,
# 3 real Kafka brokers, a kcat producer with acks=all, and N seeded random
# faults, each followed by the invariant checks. Exit 0 only with 0
# violations.
#   scripts/soak.sh [--faults N] [--seed S] [--minutes M] [--report FILE] [--keep] ...
# Needs a build (scripts/build.sh), kcat, java, prlimit and the Kafka cache
# (scripts/fetch-kafka.sh fetches it). Takes the Kafka tests' lock.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 tests/soak/soak.py "$@"
