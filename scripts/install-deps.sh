#!/usr/bin/env bash
# Installs the Debian packages kafka-mesos builds, tests and runs with.
# Idempotent; uses sudo only when not root. Set KMESOS_SKIP_APT=1 to skip.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libuv1-dev libcurl4-openssl-dev libprotobuf-c-dev protobuf-c-compiler
  libjansson-dev libmicrohttpd-dev uthash-dev
  libluajit-5.1-dev luajit lua-cjson lua-busted
  curl python3 procps kcat openjdk-17-jre-headless maven
  # --state zk:...: the ZooKeeper C client (multi-threaded flavour, no
  # pkg-config file; CMake finds it with find_library), and the server
  # jar + zkCli.sh that tests/e2e/state_zk.sh runs standalone on a
  # loopback port (`zookeeper`, not `zookeeperd`, which only adds a
  # system service on port 2181)
  libzookeeper-mt-dev zookeeper
  # topics (kmesos topic ..., /api/topic/...): librdkafka's Admin API
  librdkafka-dev
  # the admin API's HTTPS (--api-cert): Debian's libmicrohttpd is built
  # with GnuTLS; tests/e2e/api_tls.sh makes a self-signed certificate with
  # the openssl command
  openssl
  # the sanitizer build (scripts/build.sh, KMESOS_SANITIZE=1): clang and its
  # runtimes (address, undefined, float-cast-overflow, leak, and libFuzzer for
  # tests/fuzz and scripts/fuzz.sh)
  clang libclang-rt-14-dev
  # the package (scripts/package.sh: man pages from --help, CPack's
  # dpkg-shlibdeps) and its install test on a fresh Debian 12 root
  # (tests/package/deb_install.sh)
  help2man dpkg-dev debootstrap
  # the peer-client tests (tests/peers/setup.sh, tests/e2e/peer_*.sh):
  # pymesos goes into a venv and http-parser's C extension is compiled
  python3-venv python3-dev
  # GET /metrics read by a real Prometheus parser (tests/e2e/metrics_local.sh)
  # and the status page in a headless browser (tests/e2e/kafka_status_page.sh)
  python3-prometheus-client chromium
)
# ... and Go for mesos-go (go.mod says go 1.19): Debian's golang-go only
# when there is no Go already (/usr/local/go from go.dev, or one on PATH)
if [ ! -x /usr/local/go/bin/go ] && ! command -v go >/dev/null; then
  packages+=(golang-go)
fi

[ "${KMESOS_SKIP_APT:-0}" = 1 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
