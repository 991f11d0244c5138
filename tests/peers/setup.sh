#!/usr/bin/env bash
# setup.sh [BUILD_DIR]: builds the third-party Mesos clients that the peer
# tests (tests/e2e/peer_*.sh) and the storm benchmark (bench/) run, all
# pinned, into BUILD_DIR/peers (default ./build/peers):
#   venv/                a Python venv with pymesos 0.3.15 (requirements.txt);
#                        http-parser 0.9.0 is built from its sdist after
#                        regenerating parser.c with Cython 0.29 (the shipped
#                        C file does not compile against Python 3.11)
#   bin/example-scheduler, bin/example-executor
#                        mesos-go v0.0.11's api/v1 examples (go.mod, go.sum)
#   bin/mesosgo-lifecycle, pymesos-lifecycle
#                        our life-cycle programs (go/mesosgo-lifecycle, py/lifecycle.py)
#   mesosgo-storm, pymesos-storm
#                        the storm programs (go/mesosgo-storm, py/storm.py)
#   librdkafka/librdkafka.so.1
#                        librdkafka 2.6.1 from confluent-kafka's wheel
#                        (librdkafka-requirements.txt): Debian 12's kcat runs
#                        on it for SCRAM with Kafka 4 (tests/e2e/kafka_tls.sh)
# The Go module download and build caches and the venv stay in BUILD_DIR, so
# a second run only checks them. Needs python3 (venv module, headers), a C
# compiler and Go >= 1.19 ($GO, else /usr/local/go/bin/go, else go on PATH);
# a missing one is an error, not a skip. Network: PyPI and the Go module
# proxy, the first time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(mkdir -p "${1:-build}" && cd "${1:-build}" && pwd)
out=$build/peers
started=$(date +%s)
die() { echo "tests/peers/setup.sh: $*" >&2; exit 1; }

# --- toolchains
py=${PYTHON:-python3}
command -v "$py" >/dev/null || die "python3 not found (Debian: apt-get install python3)"
"$py" -c 'import venv, ensurepip' 2>/dev/null ||
  die "$py has no venv/ensurepip module (Debian: apt-get install python3-venv)"
inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
[ -f "$inc/Python.h" ] || die "no Python.h in $inc (Debian: apt-get install python3-dev)"
command -v cc >/dev/null || die "no C compiler (Debian: apt-get install build-essential)"
go=${GO:-}
if [ -z "$go" ]; then
  if [ -x /usr/local/go/bin/go ]; then go=/usr/local/go/bin/go
  elif command -v go >/dev/null; then go=$(command -v go)
  else die "Go not found: install Go >= 1.19 (https://go.dev/dl, or Debian: apt-get install golang-go), or set GO=/path/to/go"
  fi
fi
"$go" version >/dev/null || die "$go does not run"
mkdir -p "$out/bin"

# --- pymesos in a venv, rebuilt when a pin changes
venv=$out/venv
stamp=$(cat "$here/requirements.txt" "$here/build-requirements.txt" | sha256sum | cut -c1-16)-$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "peers: pymesos venv ($py)"
  rm -rf "$venv" "$out/src"
  "$py" -m venv "$venv"
  pip=("$venv/bin/python" -m pip -q --disable-pip-version-check --no-input)
  "${pip[@]}" install -r "$here/build-requirements.txt"
  mkdir -p "$out/src"
  "${pip[@]}" download --no-deps --no-binary :all: -d "$out/src" "$(grep -E '^http-parser==' "$here/requirements.txt")"
  tar -xzf "$out/src"/http-parser-*.tar.gz -C "$out/src"
  hp=$(echo "$out/src"/http-parser-*/)
  rm -f "$hp/http_parser/parser.c" "$hp"/http_parser/*.so
  "$venv/bin/cython" "$hp/http_parser/parser.pyx" -o "$hp/http_parser/parser.c" \
    >"$out/src/cython.log" 2>&1 ||
    { cat "$out/src/cython.log" >&2; die "Cython could not regenerate http-parser's parser.c"; }
  "${pip[@]}" install --no-build-isolation "$hp"
  "${pip[@]}" install --no-build-isolation -r "$here/requirements.txt"
  (cd / && "$venv/bin/python" -c 'import pymesos, http_parser.parser') ||
    die "pymesos or http-parser's C extension does not import"
  echo "$stamp" >"$venv/.stamp"
fi
for prog in storm lifecycle; do
  printf '#!/bin/sh\n# pymesos %s (tests/peers/py/%s.py) in the peers venv\nexec "%s" "%s" "$@"\n' \
    "$prog" "$prog" "$venv/bin/python" "$here/py/$prog.py" >"$out/pymesos-$prog"
  chmod +x "$out/pymesos-$prog"
done

# --- librdkafka >= 2.6.1 for kcat's SCRAM test, from the pinned wheel
rdk=$out/librdkafka
rstamp=$(sha256sum "$here/librdkafka-requirements.txt" | cut -c1-16)
if [ "$(cat "$rdk/.stamp" 2>/dev/null)" != "$rstamp" ]; then
  echo "peers: librdkafka ($(grep -E '^confluent-kafka==' "$here/librdkafka-requirements.txt"))"
  rm -rf "$rdk" && mkdir -p "$rdk/wheel"
  "$venv/bin/python" -m pip -q --disable-pip-version-check --no-input download --no-deps \
    --only-binary :all: -d "$rdk/wheel" -r "$here/librdkafka-requirements.txt" ||
    die "could not download confluent-kafka's wheel from PyPI"
  "$venv/bin/python" - "$rdk" <<'PY' || die "no librdkafka.so.1 in confluent-kafka's wheel"
import glob, os, sys, zipfile
out = sys.argv[1]
whl = glob.glob(os.path.join(out, "wheel", "*.whl"))[0]
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if os.path.basename(n).startswith("librdkafka") and ".so" in n]
    if len(names) != 1:
        sys.exit("expected one librdkafka in %s, found %r" % (whl, names))
    with z.open(names[0]) as src, open(os.path.join(out, "librdkafka.so.1"), "wb") as dst:
        dst.write(src.read())
PY
  rm -rf "$rdk/wheel"
  v=$(LD_LIBRARY_PATH=$rdk kcat -V 2>/dev/null | sed -n 's/.*librdkafka \([0-9.]*\).*/\1/p')
  [ -n "$v" ] || die "kcat does not run on $rdk/librdkafka.so.1 (is kcat installed?)"
  echo "$rstamp" >"$rdk/.stamp"
fi

# --- mesos-go: the pinned modules of go.mod/go.sum, caches under BUILD_DIR
echo "peers: mesos-go ($("$go" version | cut -d' ' -f3))"
export GOMODCACHE=$out/gomod GOCACHE=$out/gocache GOPATH=$out/gopath
export GOFLAGS="-mod=readonly -modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
# one go build for the four programs: the compiles and links share the cores
(cd "$here" &&
  "$go" build -o "$out/bin/" github.com/mesos/mesos-go/api/v1/cmd/example-scheduler \
    github.com/mesos/mesos-go/api/v1/cmd/example-executor ./go/mesosgo-lifecycle ./go/mesosgo-storm) ||
  die "go build failed"
ln -f "$out/bin/mesosgo-storm" "$out/mesosgo-storm"
echo "peers: ready in $out ($(( $(date +%s) - started )) s)"
