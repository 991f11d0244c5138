#!/usr/bin/env bash
# Installs the Debian package on a fresh Debian 12 root and runs it there:
# scripts/package.sh builds the .deb; debootstrap (minbase, bookworm) makes
# a clean root; apt-get installs the .deb in it with its dependencies from
# the Debian archive (so a missing Depends fails here); then, inside the
# root: every program answers --help, the man pages are installed, the
# installed scheduler finds its default policy chain under
# /usr/share/kafka-mesos/policies by itself (--check-policy, run from /),
# and the installed kmesos-local and kmesos-scheduler run a command task to
# TASK_RUNNING over loopback. Needs root (sudo otherwise) and the network.
# Env: KMESOS_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# KMESOS_PKG_ROOT (the root folder; default a new temporary folder, removed
# at the end unless E2E_KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

command -v debootstrap >/dev/null || { echo "deb_install: debootstrap is not installed (scripts/install-deps.sh)" >&2; exit 2; }
deb=$(scripts/package.sh | tail -n 1)
[ -f "$deb" ] || { echo "deb_install: no package built" >&2; exit 1; }
echo "# package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
top=${KMESOS_PKG_ROOT:-$(mktemp -d "${TMPDIR:-/tmp}/kmesos-debroot.XXXXXX")}
root=$top/root
in_root() { "${sudo_cmd[@]}" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }
# stops what this script started in the root (by the PIDs it wrote; a
# chroot shares the machine's processes, so never kill by name)
stop_started() {
  local f pid
  for f in "$root"/run/k/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && "${sudo_cmd[@]}" kill -TERM "$pid" 2>/dev/null
  done
  sleep 1
}
cleanup() {
  stop_started
  "${sudo_cmd[@]}" umount "$root/proc" 2>/dev/null || true
  if [ "${E2E_KEEP:-0}" != 1 ] && [ -z "${KMESOS_PKG_ROOT:-}" ]; then "${sudo_cmd[@]}" rm -rf "$top"; fi
}
trap cleanup EXIT

t0=$(date +%s)
if [ ! -x "$root/usr/bin/apt-get" ]; then
  "${sudo_cmd[@]}" debootstrap --variant=minbase bookworm "$root" \
    "${KMESOS_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$top/debootstrap.log" 2>&1 ||
    { tail -n 20 "$top/debootstrap.log"; echo "deb_install: debootstrap failed" >&2; exit 1; }
fi
echo "# fresh Debian 12 root in $(( $(date +%s) - t0 )) s"
"${sudo_cmd[@]}" mount -t proc proc "$root/proc"
"${sudo_cmd[@]}" cp "$deb" "$root/tmp/kafka-mesos.deb"
t0=$(date +%s)
if in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/kafka-mesos.deb' >"$top/apt.log" 2>&1; then
  ok "apt-get installs the .deb and its dependencies on a clean root ($(( $(date +%s) - t0 )) s)"
else
  tail -n 30 "$top/apt.log"; not_ok "apt-get installs the .deb on a clean root"
  echo "$passed passed, $failed failed"; exit 1
fi
for p in kmesos-scheduler kmesos-local kmesos-executor kmesos kmesos-sim; do
  check "$p --help (installed in /usr/bin)" in_root sh -c "$p --help | grep -q ."
  check "  ... and its man page" in_root test -s "/usr/share/man/man1/$p.1"
done
out=$(in_root sh -c 'cd / && kmesos-scheduler --check-policy' 2>&1 || true)
echo "$out" | sed 's/^/# /'
check "the installed scheduler finds its default chain in /usr/share/kafka-mesos/policies" \
  grep -q "loaded delay (/usr/share/kafka-mesos/policies/delay.lua)" <<<"$out"
check "the systemd unit example is installed" \
  in_root test -s /usr/share/doc/kafka-mesos/examples/kafka-mesos-scheduler.service

# the installed programs run a task: kmesos-local + kmesos-scheduler, loopback
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
M=$(port) A=$(port)
in_root sh -c "rm -rf /run/k && mkdir -p /run/k && cd /run/k && \
  { kmesos-local --port $M --agents 1 --work-dir /run/k/work >local.log 2>&1 & echo \$! >local.pid; } && \
  { kmesos-scheduler --master 127.0.0.1:$M --api 127.0.0.1:$A --state file:/run/k/state.json \
      --workload 'name=web cmd=\"sleep 600\" cpus=0.1 mem=16 instances=1' >sched.log 2>&1 & echo \$! >sched.pid; }"
running() { curl -fsS "http://127.0.0.1:$M/master/state" 2>/dev/null |
  python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(not any(t["state"]=="TASK_RUNNING" for f in j["frameworks"] for t in f["tasks"]))'; }
ran=0
for _ in $(seq 60); do running && { ran=1; break; }; sleep 0.5; done
if [ "$ran" = 1 ]; then ok "the installed kmesos-scheduler runs a task on the installed kmesos-local"
else not_ok "the installed kmesos-scheduler runs a task on the installed kmesos-local"
  "${sudo_cmd[@]}" tail -n 20 "$root/run/k/sched.log" "$root/run/k/local.log"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
