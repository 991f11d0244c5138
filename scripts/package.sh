#!/usr/bin/env bash
# Builds the Debian package: a Release build with prefix /usr into
# ./build-pkg (or $KMESOS_PKG_BUILD), then `cpack -G DEB`. Prints the
# .deb's path on its last line. Install it with
#   sudo apt-get install ./build-pkg/kafka-mesos_<version>_<arch>.deb
# (tests/package/deb_install.sh does that on a fresh Debian 12 root).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${KMESOS_PKG_BUILD:-build-pkg}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
ninja -C "$dir" >/dev/null
rm -f "$dir"/kafka-mesos_*.deb
(cd "$dir" && cpack -G DEB >cpack.log 2>&1) || { cat "$dir/cpack.log" >&2; exit 1; }
deb=$(ls "$dir"/kafka-mesos_*.deb)
echo "$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
