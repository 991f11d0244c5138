#!/usr/bin/env bash
# Configures and builds into ./build (or $KMESOS_BUILD_DIR).
# KMESOS_SANITIZE=1 builds with ASan+UBSan (+ float-cast-overflow), with
# clang when it is installed, into ./build-asan.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${KMESOS_SANITIZE:-0}" = 1 ]; then
  dir=${KMESOS_BUILD_DIR:-build-asan}
  # clang's sanitizers (address, undefined, float-cast-overflow) when clang
  # is installed (scripts/install-deps.sh installs it), else gcc's
  cc=${CC:-$(command -v clang || command -v cc)}
  CC=$cc cmake -S . -B "$dir" -G Ninja -DKMESOS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
else
  dir=${KMESOS_BUILD_DIR:-build}
  cmake -S . -B "$dir" -G Ninja >/dev/null
fi
ninja -C "$dir"
