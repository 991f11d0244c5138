/* config: the command line of kmesos-local (long options only), the
 * optional agent description file and the credentials file, validated
 * into one struct. Durations accept "500ms", "1s", "1secs", "2mins",
 * "1h", "7d" or a bare number of seconds. */
#ifndef KLOCAL_CONFIG_H
#define KLOCAL_CONFIG_H
#include <stddef.h>
#include <stdio.h>
#include "codec/zkurl.h"

typedef struct klocal_agent_spec {
    char *hostname;   /* NULL: the master's hostname */
    char *resources;  /* flag syntax */
    char *attributes; /* flag syntax, alternatives already allowed */
    int port;         /* 0: --agent-port + index, or any free port */
    char *work_dir;   /* NULL: --work-dir */
} klocal_agent_spec;

typedef struct klocal_credential {
    char *principal;
    char *secret;
} klocal_credential;

typedef struct klocal_config {
    const char *ip;
    const char *hostname;
    int port;
    size_t agents;
    const char *agent_resources;
    const char *agent_attributes;
    int agent_port;           /* first agent port, 0: ephemeral ports */
    size_t agent_listeners;   /* agents with a listener of their own (the first ones) */
    int shared_agent_port;    /* the others' shared listener (0: any free port) */
    size_t max_queued_launches; /* an ACCEPT queuing more starts is refused */
    klocal_agent_spec *specs; /* from --agent-config, or NULL */
    size_t nspecs;
    const char *work_dir;     /* NULL: /tmp/kmesos-local-<pid> */
    double allocation_interval;
    double heartbeat_interval;
    double offer_timeout;     /* 0: offers never time out */
    double update_retry;      /* first status update resend interval */
    double executor_grace;    /* executor shutdown grace period */
    double reregistration;    /* executor_reregistration_timeout: restart window */
    double recovery_timeout;  /* MESOS_RECOVERY_TIMEOUT of checkpointing executors */
    double kill_grace;        /* default task kill grace period */
    double agent_removal_delay; /* RESCIND -> TASK_LOST delay on removal */
    double agent_ping_timeout;  /* --agent_ping_timeout of a Mesos master */
    long max_agent_ping_timeouts; /* --max_agent_ping_timeouts */
    klocal_credential *creds; /* from --credentials, or NULL */
    size_t ncreds;
    const char *redirect_to;  /* host:port of the leader, or NULL */
    const char *master_id;    /* fixed master id, or NULL: random */
    kmesos_zkurl zk;          /* --zk: masters elected through ZooKeeper (hosts NULL: none) */
    int masters;              /* --masters: contenders on port, port+1, ... (1..3) */
    int registry_log;         /* --registry replicated_log: agents survive a master restart */
    int log_level;
} klocal_config;

/* Most agents (--agents, --agent-config entries). */
#define KLOCAL_MAX_AGENTS 10000

enum { KLOCAL_CONFIG_OK = 0, KLOCAL_CONFIG_HELP = 1, KLOCAL_CONFIG_ERROR = -1 };

/* Fills c from argv (strings point into argv or are owned by c). */
int klocal_config_parse(klocal_config *c, int argc, char **argv, char *err, size_t errlen);
void klocal_config_free(klocal_config *c);
void klocal_config_usage(FILE *f, const char *prog);
/* 0 and seconds, or -1. */
int klocal_config_duration(const char *text, double *secs);

#endif
