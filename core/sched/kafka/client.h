/* client: one Kafka client task as the operator configured it: a
 * producer or a consumer (workload kinds "producer" and "consumer"). Its
 * settings (resources, topic, options, an optional user command), whether
 * it is wanted (active) and what the scheduler learnt (consecutive
 * failures, last failure, the host it ran on). Without a user command it
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

typedef enum kmesos_client_kind {
    KMESOS_CLIENT_PRODUCER = 0,
    KMESOS_CLIENT_CONSUMER = 1,
} kmesos_client_kind;

/* What add/update set. Strings are malloc'd ("" when empty). The
 * lifecycle settings (heap, jvm_options, constraints, failover) are the
 * brokers' (broker.h), checked by the same code (kafka_settings.h); a
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

typedef struct kmesos_client {
    kmesos_client_kind kind;
    int id;
    int active;         /* wanted: runs until it exits 0 or is stopped */
    kmesos_client_settings set;
    int failures;       /* consecutive failures (mirror of the task) */
    char *last_failure; /* NULL: none */
    char *host;         /* where it last ran */
    uint64_t running_since_ms; /* its task's last TASK_RUNNING (not saved) */
    int refresh_due;    /* rebuild its workload after the event */
} kmesos_client;

/* "producer" or "consumer". */
const char *kmesos_client_kind_name(kmesos_client_kind kind);
/* Parses a kind name. 0, or -1 when it is neither. */
int kmesos_client_kind_parse(const char *name, kmesos_client_kind *out);

/* Defaults: 0.5 cpus, 512 MB, heap auto, no topic, no options, no
 * command, no constraints, failover 1m doubling up to 10m without limit. */
int kmesos_client_settings_defaults(kmesos_client_settings *s);
int kmesos_client_settings_copy(kmesos_client_settings *dst, const kmesos_client_settings *src);
void kmesos_client_settings_free(kmesos_client_settings *s);

kmesos_client *kmesos_client_new(kmesos_client_kind kind, int id);
void kmesos_client_destroy(kmesos_client *c);

/* The parameter names add/update take (NULL-terminated). */
extern const char *const kmesos_client_params[];
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
