/* settings: what brokers (broker.h) and producers/consumers (client.h)
 * share about their settings and their lifecycle, written once:
 *   - a settings schema: each add/update parameter is a row (name, type,
 *     offset of its field in the kind's settings struct, what it expects,
 *     its default as text). Defaults, copy, free, the known-name check,
 *     the setters (each validating its text and naming the field in its
 *     message) and applying a request's parameters all read the rows, so
 *     a value is checked the same way for a broker and a client;
 *   - the checks of the settings as a whole (heap below mem, max delay
 *     not below delay);
 *   - the failover bookkeeping after a task ended (record the failure,
 *     deactivate after failover_max_tries failures in a row). */
#ifndef KMESOS_KAFKA_SETTINGS_H
#define KMESOS_KAFKA_SETTINGS_H
#include <stddef.h>

#include "sched/tasks.h"

typedef enum kmesos_ks_type {
    KMESOS_KS_NUMBER,      /* double > 0 */
    KMESOS_KS_NUMBER_AUTO, /* double > 0, or "auto" (stored as 0) */
    KMESOS_KS_PORT,        /* int: "auto" (0) or 1..65535 */
    KMESOS_KS_KV,          /* char *: "k=v,k=v" or "" */
    KMESOS_KS_LINE,        /* char *: one line */
    KMESOS_KS_CONSTRAINTS, /* char *: ATTR=OP;ATTR=OP (kmesos_workload_parse_constraints) */
    KMESOS_KS_DURATION,    /* double seconds > 0 */
    KMESOS_KS_DURATION0,   /* double seconds >= 0 */
    KMESOS_KS_TRIES,       /* int >= 1, or none/null/"" (0: no limit) */
    KMESOS_KS_DIRS,        /* char *: absolute paths, comma separated, or "" */
    KMESOS_KS_TOPIC,       /* char *: a Kafka topic name */
    KMESOS_KS_PORT_OFF,    /* int: "none"/"" (0, no listener), "auto" (-1) or 1..65535 */
    KMESOS_KS_URI,         /* char *: "" or a URI the Mesos fetcher gets (no spaces) */
    KMESOS_KS_HOST,        /* char *: "" or a host name or IPv4 address */
    KMESOS_KS_CHOICE,      /* char *: one of the '|'-separated words of its `what` */
} kmesos_ks_type;

typedef struct kmesos_ks_field {
    const char *name;   /* the API parameter */
    kmesos_ks_type type;
    size_t offset;      /* of the field in the settings struct */
    const char *what;   /* "a number > 0": the message says "expected <what>" */
    const char *dflt;   /* default, as text given to the setter; NULL: 0 or "" */
} kmesos_ks_field;

typedef struct kmesos_ks_schema {
    const kmesos_ks_field *fields;
    size_t n;
    size_t size; /* of the settings struct */
} kmesos_ks_schema;

/* Parameters of add/update: names and values side by side. */
typedef struct kmesos_kafka_params {
    const char *const *names;
    const char *const *values;
    size_t n;
} kmesos_kafka_params;

/* The rows every kind shares (lifecycle settings), for a kind's own
 * F(name, type, member, what, default) row macro. */
#define KMESOS_KS_LIFECYCLE_ROWS(F)                                                          \
    F("jvm_options", KMESOS_KS_LINE, jvm_options, "JVM options on one line", NULL),          \
        F("constraints", KMESOS_KS_CONSTRAINTS, constraints, "ATTR=OP;ATTR=OP", NULL),       \
        F("failover_delay", KMESOS_KS_DURATION, failover_delay_s,                            \
          "a duration > 0 such as 30s, 1m", "1m"),                                           \
        F("failover_max_delay", KMESOS_KS_DURATION, failover_max_delay_s,                    \
          "a duration > 0 such as 10m", "10m"),                                              \
        F("failover_max_tries", KMESOS_KS_TRIES, failover_max_tries,                         \
          "a number >= 1, or none", "none")

/* kmesos_str_set for a text setting, which is never NULL: "" for NULL. 0,
 * or -1 (out of memory, *dst unchanged). */
int kmesos_ks_set_text(char **dst, const char *v);
/* The largest cpus or MB value a setting takes. */
#define KMESOS_KS_NUMBER_MAX 1e9
/* The longest URI a setting takes. */
#define KMESOS_KS_URI_MAX 4096

/* 1 when v is a legal Kafka topic name: 1 to 249 letters, digits, '.',
 * '_' or '-', and not "." or "..". */
int kmesos_ks_topic_ok(const char *v);
/* A whole decimal integer within lo..hi into *out. 0, or -1. */
int kmesos_ks_integer(const char *v, long lo, long hi, int *out);

/* 1 when name is a parameter of the schema. */
int kmesos_ks_known(const kmesos_ks_schema *sc, const char *name);
/* Applies one parameter to settings s. 0, or -1 with a message naming the
 * field ("unknown parameter 'x'" for a name not in the schema). */
int kmesos_ks_set(const kmesos_ks_schema *sc, void *s, const char *name, const char *value,
                  char *err, size_t errlen);
/* Checks every field of s with the rules the setters apply (finite and
 * in range, text in UTF-8 and of its form), for settings that did not
 * come through a setter (a loaded state). 0, or -1 with a message that
 * starts with the field's name. */
int kmesos_ks_check(const kmesos_ks_schema *sc, const void *s, char *err, size_t errlen);
/* Zeroes s and applies every default. 0, or -1 (nothing left allocated). */
int kmesos_ks_defaults(const kmesos_ks_schema *sc, void *s);
/* A deep copy (the strings of the schema are duplicated). 0 or -1. */
int kmesos_ks_copy(const kmesos_ks_schema *sc, void *dst, const void *src);
/* dst = a copy of base with the parameters applied in order. 0, or -1
 * with a message and the bad parameter in *field (who, e.g. "broker",
 * when memory ran out); dst is then freed. */
int kmesos_ks_apply(const kmesos_ks_schema *sc, void *dst, const void *base,
                    const kmesos_kafka_params *p, const char *who, const char **field,
                    char *err, size_t errlen);
/* Frees the strings of the schema and sets them NULL. */
void kmesos_ks_free(const kmesos_ks_schema *sc, void *s);

/* The checks of the whole shared by brokers and clients: heap below mem
 * (heap 0 is "auto" and always fits) and failover_max_delay >=
 * failover_delay. 0, or -1 with the field in *field and a message. */
int kmesos_ks_check_common(double heap, double mem, double delay_s, double max_delay_s,
                           const char **field, char *err, size_t errlen);

/* Failover bookkeeping after the task of a broker or a client ended
 * (r = KMESOS_UPDATE_RELAUNCH or KMESOS_UPDATE_DONE). When the slot's
 * consecutive failures went up past *failures, the failure is recorded
 * ("STATE: message" in *last_failure); when the slot was given up after
 * max_tries failures in a row (its workload's max_failures), *active is
 * cleared and *last_failure says "deactivated after N consecutive
 * failures; last: ...". who ("broker 0", "producer 1") is for the log.
 * Returns 0 (no failure: finished, restarted, stopped), 1 (a failure,
 * relaunched later) or 2 (deactivated). */
int kmesos_ks_failover(const kmesos_task *t, int state, const char *message,
                       kmesos_update_result r, int max_tries, int *failures, char **last_failure,
                       int *active, const char *who);

#endif
