/* broker: one Kafka broker as the operator configured it (kind "broker"):
 * a node (node.h: id, active, failures, host) with its settings
 * (resources, heap, client port, server properties, JVM options,
 * constraints, failover and stickiness, data dir) and what the scheduler
 * learnt of it beyond the node's (agent, since when it is down, the
 * ports of its last launch). Also
 * the broker id expressions of the API ("0", "0,2", "0..4", "*") and the
 * parameters that change settings, validated before anything is applied
 * so that a bad request leaves every broker unchanged. */
#ifndef KMESOS_BROKER_H
#define KMESOS_BROKER_H
#include <stddef.h>

#include <jansson.h>

#include "sched/kafka/node.h"
#include "sched/kafka/settings.h"
#include "sched/kafka/volume.h"

#define KMESOS_BROKER_MAX_IDS 1000

/* What add/update set. Strings are malloc'd ("" when empty). */
typedef struct kmesos_broker_settings {
    double cpus;
    double mem;            /* MB */
    double heap;           /* MB, -Xms/-Xmx */
    int port;              /* client port; 0: any port of the offer */
    char *options;         /* server properties k=v,k=v */
    char *jvm_options;
    char *constraints;     /* ATTR=OP;... as the constraints policy reads */
    char *data_dir;        /* "": <data root>/broker-<id> */
    double failover_delay_s;
    double failover_max_delay_s;
    int failover_max_tries; /* 0: no limit */
    double stickiness_period_s;
    /* TLS and SASL (docs/kafka.md "TLS and SASL"): listener ports (0: none,
     * -1: any offered port), the fetcher URIs of the keystore, truststore
     * and secrets file (passwords, SCRAM users), the inter-broker protocol
     * and the SCRAM mechanism; the host advertised instead of the agent's. */
    int ssl_port;
    int sasl_port;
    char *ssl_keystore;
    char *ssl_truststore;
    char *ssl_secrets;
    char *inter_broker_protocol; /* PLAINTEXT, SSL or SASL_SSL */
    char *sasl_mechanism;        /* SCRAM-SHA-256 or SCRAM-SHA-512 */
    char *advertised_host;       /* "": the agent's host name */
    /* docs/kafka.md "Reserved resources and persistent volumes": "true":
     * cpus, mem and a volume of volume_size MB reserved for the
     * framework's role on the first agent it runs on, its data there */
    char *reserve;               /* "true" or "false" */
    double volume_size;          /* MB */
    /* docs/kafka.md "Dedicated controllers": "combined" (a voter runs
     * broker and controller, the others broker), "controller" (a
     * dedicated controller: only ever a voter, process.roles=controller,
     * no client listener) or "broker" (never a voter) */
    char *role;
} kmesos_broker_settings;

typedef struct kmesos_broker {
    kmesos_kafka_node node; /* first: a pointer to either is one to both */
    kmesos_broker_settings set;
    /* where it last ran: the agent (the host is the node's), since when
     * it is not running (epoch s, 0 while running or never ran) */
    char *agent_id;
    double stopped_at_s;
    int client_port;           /* of its last launch (endpoint) */
    int controller_port;       /* of its last launch, 0: not a voter */
    int ssl_port_used;         /* SSL and SASL_SSL ports of its last launch */
    int sasl_port_used;        /* (0: none; not saved) */
    kmesos_kvol vol;           /* its reservation and volume (reserve=true) */
} kmesos_broker;

/* 1 when the broker's settings ask for a reserved volume. */
int kmesos_broker_reserves(const kmesos_broker_settings *s);
/* 1 for a dedicated controller (role "controller"). */
int kmesos_broker_is_controller(const kmesos_broker_settings *s);
/* 1 when it may be a quorum voter (role "combined" or "controller"). */
int kmesos_broker_may_vote(const kmesos_broker_settings *s);

/* The settings rows (settings.h). */
extern const kmesos_ks_schema kmesos_broker_schema;

/* The broker a node is, or NULL when it is a client's. */
kmesos_broker *kmesos_broker_of(const kmesos_kafka_node *n);

/* Settings defaults: 1 cpu, 2048 MB, heap 1024 MB, port auto, failover
 * 1m doubling up to 10m without limit, stickiness 10m. 0 or -1. */
int kmesos_broker_settings_defaults(kmesos_broker_settings *s);
void kmesos_broker_settings_free(kmesos_broker_settings *s);

/* A new inactive broker with default settings. NULL on no memory. */
kmesos_broker *kmesos_broker_new(int id);
void kmesos_broker_destroy(kmesos_broker *b);

/* 1 when name is a parameter add/update take. */
int kmesos_broker_param_known(const char *name);
/* Applies one parameter to s. 0, or -1 with a message naming the field. */
int kmesos_broker_param_set(kmesos_broker_settings *s, const char *name, const char *value,
                            char *err, size_t errlen);
/* Checks the settings as a whole (heap below mem). 0, or -1 with the
 * field name in *field and a message. */
int kmesos_broker_settings_check(const kmesos_broker_settings *s, const char **field, char *err,
                                 size_t errlen);

/* The TLS settings as JSON (the state entry's and the API's: no
 * passwords are among them). NULL on no memory. */
json_t *kmesos_broker_tls_json(const kmesos_broker_settings *s);
/* The sandbox file name the Mesos fetcher gives uri (after its last '/'). */
const char *kmesos_broker_uri_file(const char *uri);

/* Parses an id expression. known: the existing ids (sorted or not); "*"
 * means all of them. With must_exist, an id not in known is an error.
 * Out: a sorted list without duplicates (free it). 0, or -1 with err. */
int kmesos_broker_ids_parse(const char *expr, const int *known, size_t n_known, int must_exist,
                            int **out, size_t *n_out, char *err, size_t errlen);

/* "90s" -> "1m30s" style text of a duration (largest units, e.g. "10m",
 * "1h", "1m30s", "500ms"). */
void kmesos_broker_duration_text(double seconds, char *out, size_t len);

/* Settings and learnt fields as saved in the state file. */
json_t *kmesos_broker_state_json(const kmesos_broker *b);
/* The inverse; NULL with err on a bad entry. */
kmesos_broker *kmesos_broker_from_state(json_t *j, char *err, size_t errlen);

#endif
