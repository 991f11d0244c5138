/* zkurl: the one parser of ZooKeeper URLs,
 * `zk://[user:pass@]host:port[,host:port...]/path`, for every module that
 * takes one (--master, --state, --ha, kmesos-local's masters). */
#ifndef KMESOS_ZKURL_H
#define KMESOS_ZKURL_H
#include <stddef.h>

typedef struct kmesos_zkurl {
    char *hosts; /* "host:port,host:port", as zookeeper_init takes it */
    char *path;  /* "/a/b": absolute, no trailing '/', no empty or dot parts */
    char *user;  /* digest credentials, or both NULL */
    char *pass;
} kmesos_zkurl;

/* Parses url into u (all fields owned). 0, or -1 with a message in err
 * naming the URL and what is wrong; u is then all NULL. */
int kmesos_zkurl_parse(const char *url, kmesos_zkurl *u, char *err, size_t errlen);
/* Checks a znode path alone (the rules above). 0, or -1 with err. */
int kmesos_zkurl_check_path(const char *path, char *err, size_t errlen);
/* Checks a server list alone: host:port[,host:port...], ports 1-65535. */
int kmesos_zkurl_check_hosts(const char *hosts, char *err, size_t errlen);
void kmesos_zkurl_free(kmesos_zkurl *u);

#endif
