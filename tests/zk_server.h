/* zk_server: a real ZooKeeper server for unit tests (Debian's zookeeper
 * package, run standalone on a free loopback port, data in a temporary
 * folder), and a free-port helper. */
#ifndef KMESOS_TEST_ZK_SERVER_H
#define KMESOS_TEST_ZK_SERVER_H
#include <sys/types.h>

#define ZK_SERVER_JAR "/usr/share/java/zookeeper.jar"

typedef struct zk_server {
    pid_t pid;
    int port;
    char dir[64];
} zk_server;

/* A loopback TCP port nothing listens on right now. */
int zk_server_free_port(void);
/* Starts the server and waits until it answers "ruok" (30 s at most).
 * 0, or -1 when it cannot (no package, no java): print a SKIP then. */
int zk_server_start(zk_server *s);
/* Kills the server and removes its folder. Safe when start failed. */
void zk_server_stop(zk_server *s);

#endif
