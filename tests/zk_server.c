/* zk_server: starts Debian's ZooKeeper server jar with java as a child
 * process (tickTime 500 ms, so that sessions can be as short as 1 s),
 * polls it with the "ruok" four-letter word, and kills it at the end. */
#include "zk_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int zk_server_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static int ruok(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    char buf[8] = {0};
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && write(fd, "ruok", 4) == 4 &&
             read(fd, buf, 4) == 4 && memcmp(buf, "imok", 4) == 0;
    close(fd);
    return ok;
}

static int write_config(const zk_server *s, char *cfg, size_t len)
{
    snprintf(cfg, len, "%s/zoo.cfg", s->dir);
    FILE *f = fopen(cfg, "w");
    if (!f)
        return -1;
    fprintf(f, "tickTime=500\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n"
               "admin.enableServer=false\n4lw.commands.whitelist=ruok\n",
            s->dir, s->port);
    fclose(f);
    return 0;
}

int zk_server_start(zk_server *s)
{
    *s = (zk_server){.pid = -1};
    snprintf(s->dir, sizeof s->dir, "/tmp/kmesos-zk-XXXXXX");
    char cfg[128];
    if (access(ZK_SERVER_JAR, R_OK) != 0 || !mkdtemp(s->dir)) {
        s->dir[0] = '\0';
        return -1;
    }
    s->port = zk_server_free_port();
    if (write_config(s, cfg, sizeof cfg) != 0)
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execlp("java", "java", "-Xmx256m", "-cp", ZK_SERVER_JAR,
               "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 300 && s->pid > 0; i++) {
        if (ruok(s->port))
            return 0;
        usleep(100 * 1000);
    }
    return -1;
}

void zk_server_stop(zk_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = -1;
    if (!s->dir[0])
        return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", s->dir);
    s->dir[0] = '\0';
}
