/* options: the command line of kmesos-scheduler. Parses every flag into
 * one struct with defaults, validates values (durations such as 30s, 5m,
 * 2h, 7d, 1w; levels; addresses) and prints the usage. A bad flag gives
 * the usage on stderr with what was wrong and exit code 2. */
#ifndef KMESOS_OPTIONS_H
#define KMESOS_OPTIONS_H
#include <stddef.h>
#include <stdio.h>

#include "codec/num.h"

typedef struct kmesos_options {
    const char *master;
    const char *framework_name;
    const char *framework_role;
    double framework_timeout_s;
    const char *user;
    const char *principal;
    const char *secret_file;
    int master_redirect_credentials; /* credentials to any same-scheme 307 target */
    const char *state;
    const char *api;
    const char *api_token_file; /* --api-token-file: bearer token for changes */
    int api_insecure;           /* --api-insecure: allow no token off loopback */
    const char **api_hosts;     /* --api-host NAME, repeatable */
    size_t n_api_hosts;
    const char *api_cert;       /* --api-cert/--api-key: HTTPS */
    const char *api_key;
    const char *files_listen;   /* --files-listen IP:PORT: /files only */
    const char *log_level;
    double offer_hold_s;
    double wait_refuse_s;
    double decline_refuse_s;
    int no_suppress;            /* --no-suppress */
    const char *rack_attribute;
    const char *trace;          /* --trace FILE, or NULL */
    double unreachable_grace_s;
    const char *content_type;
    const char **workloads;     /* --workload SPEC, repeatable */
    size_t n_workloads;
    const char *workloads_file;
    const char **policies;      /* --policy FILE, repeatable */
    size_t n_policies;
    const char *policy_options;
    double policy_budget;       /* Lua instructions per call, 0: default */
    int policy_jit;
    const char *executor;       /* NULL: kmesos-executor next to the scheduler */
    const char *kafka_dist;     /* NULL: the fetch-kafka.sh cache tarball */
    const char *fetch_mode;     /* "uri" or "local" */
    const char *files_url;      /* NULL: the --files-listen, else --api address */
    const char *kafka_data_root;
    int kafka_quorum;           /* 0: min(3, brokers at the first start) */
    double kafka_voter_move_after_s; /* 0: voters never move */
    const char *ha;             /* --ha zk://...: leader election, or NULL */
    double ha_session_timeout_s; /* ZooKeeper session timeout of --ha */
    int show_help;
} kmesos_options;

/* 0: parsed; 2: bad usage (message printed to stderr with the usage). */
int kmesos_options_parse(int argc, char **argv, kmesos_options *o);
void kmesos_options_free(kmesos_options *o);
void kmesos_options_usage(FILE *out);

#endif
