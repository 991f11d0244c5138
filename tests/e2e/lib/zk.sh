# A real ZooKeeper server for the end-to-end tests (sourced after lib.sh).
# Debian's `zookeeper` package (installed by scripts/install-deps.sh)
# ships the server jar and zkCli.sh; the server runs standalone as this
# user, on a free loopback port, with its own config and dataDir under
# $E2E_TMP: no systemd, no root, no port 2181.
ZK_JAR=${ZK_JAR:-/usr/share/java/zookeeper.jar}
ZK_CLI=${ZK_CLI:-/usr/share/zookeeper/bin/zkCli.sh}

zk_available() { [ -r "$ZK_JAR" ] && [ -x "$ZK_CLI" ] && command -v java >/dev/null; }

zk_ruok() {
  python3 -c "import socket,sys
s=socket.create_connection(('127.0.0.1',$ZK_PORT),timeout=2); s.sendall(b'ruok')
sys.exit(0 if s.recv(8)==b'imok' else 1)"
}

# zk_start DIR [PORT]: starts the server (data in DIR), waits until it
# answers; sets ZK_PORT and ZK_PID.
zk_start() {
  local dir=$1
  ZK_PORT=${2:-$(free_port)}
  mkdir -p "$dir/data"
  cat >"$dir/zoo.cfg" <<CFG
tickTime=500
dataDir=$dir/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok
CFG
  start "zookeeper-$ZK_PORT" java -Xmx256m -cp "$ZK_JAR" -Dzookeeper.log.dir="$dir" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg"
  ZK_PID=$LAST_PID
  wait_for 30 zk_ruok
}

zk_stop() { kill -TERM "$ZK_PID" 2>/dev/null; wait "$ZK_PID" 2>/dev/null; }

# zk_cli CMD...: one zkCli.sh command against the test server.
zk_cli() { "$ZK_CLI" -server "127.0.0.1:$ZK_PORT" "$@" 2>&1; }

# zk_get PATH: the znode's data (zkCli prints it after its connection
# event line; the data may span lines).
zk_get() {
  "$ZK_CLI" -server "127.0.0.1:$ZK_PORT" get "$1" 2>/dev/null |
    awk 'found { print } /^WatchedEvent state:SyncConnected/ { found = 1 }'
}
