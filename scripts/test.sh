#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, builds the pinned
# third-party Mesos clients (tests/peers/setup.sh), runs CTest (unit and
# end-to-end tests over loopback), the busted policy specs, the Debian
# package's install test (KMESOS_SKIP_PACKAGE=1 skips it), and the same
# CTest suite again under ASan+UBSan from a build folder outside the
# tree, then the fuzz smoke run
# (scripts/fuzz.sh, 30 s per target). Between the two CTest passes, the
# fault soak's short form (scripts/soak.sh --faults 10; KMESOS_SKIP_SOAK=1
# skips it). An end-to-end test that fails is run once more (--repeat
# until-pass:2): they drive real processes with timeouts on a 2-core
# machine; a failure that repeats fails the run, and the first failure
# stays in the output.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# the third-party Mesos clients of tests/e2e/peer_*.sh (pymesos, mesos-go),
# pinned, into build/peers; a missing toolchain fails here
echo "== peer clients (tests/peers/setup.sh)"
tests/peers/setup.sh build
echo "== CTest"
ctest --test-dir build --output-on-failure -j2 --repeat until-pass:2
echo "== busted (LuaJIT)"
busted
if [ "${KMESOS_SKIP_SOAK:-0}" != 1 ]; then
  # the soak's short form (docs/soak.md): 10 seeded faults against 3 real
  # brokers, each followed by the invariant checks; about 5 minutes
  echo "== fault soak, short form (10 faults, seed ${KMESOS_SOAK_SEED:-11})"
  scripts/soak.sh --faults 10 --seed "${KMESOS_SOAK_SEED:-11}" --report build/soak-report.json
fi
if [ "${KMESOS_SKIP_PACKAGE:-0}" != 1 ]; then
  # the Debian package (scripts/package.sh) installed with apt-get on a
  # fresh Debian 12 root made by debootstrap, and run there
  echo "== Debian package on a fresh Debian 12 root"
  tests/package/deb_install.sh
fi
if [ "${KMESOS_SKIP_ASAN:-0}" != 1 ]; then
  # built outside the source tree, so this pass also shows that a build
  # folder anywhere works, tests included
  # (one per source tree: a CMake build folder belongs to one tree)
  asan_dir=${KMESOS_ASAN_BUILD:-${TMPDIR:-/tmp}/kafka-mesos-build-asan-$(pwd | cksum | cut -d' ' -f1)}
  echo "== CTest under ASan+UBSan+float-cast-overflow (clang when installed), in $asan_dir"
  KMESOS_SANITIZE=1 KMESOS_BUILD_DIR=$asan_dir scripts/build.sh
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$asan_dir" --output-on-failure -j2 --repeat until-pass:2
fi
if [ "${KMESOS_SKIP_FUZZ:-0}" != 1 ]; then
  # the libFuzzer targets of tests/fuzz, each for a short smoke time (their
  # committed reproducers first), two at a time on the 2 cores; a finding
  # fails the run and prints its reproducer
  echo "== fuzz smoke (libFuzzer, ${KMESOS_FUZZ_SMOKE_S:-30} s per target)"
  KMESOS_FUZZ_JOBS=2 scripts/fuzz.sh "${KMESOS_FUZZ_SMOKE_S:-30}"
fi
