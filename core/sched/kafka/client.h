/* client: one Kafka client task as the operator configured it: a
 * producer or a consumer (workload kinds "producer" and "consumer"), a
 * node (node.h: id, active, failures, host) with its settings
 * (resources, topic, options, an optional user command). Without a user
 * command it
 * runs Kafka's perf tool through kafka-client.sh; the options are then
 * the tool's settings (checked here, docs/api.md "Producers and
 * consumers") plus client properties (names with a '.'). Everything is
 * validated before anything is applied, so a bad request changes no
 * client. */
#ifndef KMESOS_CLIENT_H
#define KMESOS_CLIENT_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sched/kafka/node.h"
#include "sched/kafka/settings.h"

/* A client's kind: a producer or a consumer (the node kinds below the
 * broker's). */
typedef kmesos_kafka_kind kmesos_client_kind;
#define KMESOS_CLIENT_PRODUCER KMESOS_KAFKA_PRODUCER
#define KMESOS_CLIENT_CONSUMER KMESOS_KAFKA_CONSUMER

/* What add/update set. Strings are malloc'd ("" when empty). The
 * lifecycle settings (heap, jvm_options, constraints, failover) are the
 * brokers' (broker.h), checked by the same code (settings.h); a
 * broker's port, data_dir and stickiness_period have no meaning for a
 * client and are refused by name (kmesos_client_param_refused). */
typedef struct kmesos_client_settings {
    double cpus;
    double mem;      /* MB */
    double heap;     /* MB; 0: "auto", half of mem (at least 64 MB) */
    char *topic;     /* required */
    char *options;   /* k=v,k=v: perf tool settings and client properties */
    char *command;   /* "": Kafka's perf tool */
    char *jvm_options;          /* KAFKA_JVM_OPTIONS */
    char *constraints;          /* ATTR=OP;... as the constraints policy reads */
    double failover_delay_s;    /* relaunch delay after a failure, doubling */
    double failover_max_delay_s;
    int failover_max_tries;     /* 0: no limit */
} kmesos_client_settings;

/* A client; node.active means wanted: it runs until it exits 0 or is
 * stopped. */
typedef struct kmesos_client {
    kmesos_kafka_node node; /* first: a pointer to either is one to both */
    kmesos_client_settings set;
    uint64_t running_since_ms; /* its task's last TASK_RUNNING (not saved) */
} kmesos_client;

/* The settings rows (settings.h). */
extern const kmesos_ks_schema kmesos_client_schema;

/* The client a node is, or NULL when it is a broker's. */
kmesos_client *kmesos_client_of(const kmesos_kafka_node *n);

/* Parses a kind name ("producer", "consumer"). 0, or -1 when it is
 * neither. */
int kmesos_client_kind_parse(const char *name, kmesos_client_kind *out);

/* Defaults: 0.5 cpus, 512 MB, heap auto, no topic, no options, no
 * command, no constraints, failover 1m doubling up to 10m without limit. */
int kmesos_client_settings_defaults(kmesos_client_settings *s);
void kmesos_client_settings_free(kmesos_client_settings *s);

kmesos_client *kmesos_client_new(kmesos_client_kind kind, int id);
void kmesos_client_destroy(kmesos_client *c);

/* 1 when name is a parameter add/update take. */
int kmesos_client_param_known(const char *name);
/* Why a broker-only parameter (port, data_dir, stickiness_period) does
 * not apply to a client of this kind ("port: brokers only: ..."), or
 * NULL for any other name. */
const char *kmesos_client_param_refused(kmesos_client_kind kind, const char *name, char *buf,
                                        size_t len);
/* The JVM heap in MB: heap, or half of mem (at least 64) when auto. */
long kmesos_client_heap_mb(const kmesos_client_settings *s);
/* Applies one parameter. 0, or -1 with a message naming the field. */
int kmesos_client_param_set(kmesos_client_settings *s, const char *name, const char *value,
                            char *err, size_t errlen);
/* Checks the whole: a topic is set; heap below mem and failover max
 * delay not below the delay (as for brokers); without a command, every
 * option is a setting of the kind's perf tool or a property. 0, or -1 with the field
 * in *field and a message. */
int kmesos_client_settings_check(kmesos_client_kind kind, const kmesos_client_settings *s,
                                 const char **field, char *err, size_t errlen);

/* The perf tool's arguments after "kafka-client.sh producer|consumer",
 * each shell-quoted, as one string (malloc'd; NULL on no memory). The
 * settings must have passed kmesos_client_settings_check. */
char *kmesos_client_tool_args(kmesos_client_kind kind, const kmesos_client_settings *s);
/* 'text' for sh (malloc'd). */
char *kmesos_client_shell_quote(const char *text);

/* State entries. Entries saved before the lifecycle settings existed
 * load with their defaults. */
json_t *kmesos_client_state_json(const kmesos_client *c);
kmesos_client *kmesos_client_from_state(json_t *j, char *err, size_t errlen);

#endif
