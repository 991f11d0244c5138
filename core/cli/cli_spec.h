/* cli_spec: what the kmesos CLI knows, as data. Options (flag, query
 * parameter, value kind, help), the actions of a workload (add, update,
 * list, ...), the workloads themselves (broker, producer, consumer: their
 * endpoint, id parameter, options, table columns and examples) and the
 * plain commands (status, tasks, policy). Adding a workload or an option is
 * adding a row here; parsing, validation, help and rendering read these
 * tables and nothing else. */
#ifndef KMESOS_CLI_SPEC_H
#define KMESOS_CLI_SPEC_H
#include <stddef.h>

/* What an option's value must look like (checked by cli_value). */
typedef enum kmesos_cli_kind {
    KMESOS_CLI_NUMBER,      /* non-negative decimal: 1, 0.5 */
    KMESOS_CLI_COUNT,       /* non-negative integer: 0, 2048 */
    KMESOS_CLI_TRIES,       /* a whole number >= 1, or none */
    KMESOS_CLI_PORT,        /* auto or 1..65535 */
    KMESOS_CLI_DURATION,    /* number and unit: 500ms, 30s, 1.5h, 7d, 1w */
    KMESOS_CLI_KV_LIST,     /* k=v,k=v; empty clears */
    KMESOS_CLI_CONSTRAINTS, /* attr=like:RE;hostname=unique;...; empty clears */
    KMESOS_CLI_TOPIC,       /* a legal Kafka topic name */
    KMESOS_CLI_PATH,        /* absolute paths, comma separated; empty: default */
    KMESOS_CLI_TEXT,        /* anything, passed through */
} kmesos_cli_kind;

typedef struct kmesos_cli_option {
    const char *flag;    /* without the leading "--" */
    const char *param;   /* query parameter sent to the API */
    kmesos_cli_kind kind;
    const char *metavar; /* shown in help: --cpus N */
    const char *help;
} kmesos_cli_option;

/* A column of a workload table: header and a dotted path into the item. */
typedef struct kmesos_cli_column {
    const char *header;
    const char *path;
} kmesos_cli_column;

enum {
    KMESOS_CLI_VERB_EXPR_OPTIONAL = 1 << 0, /* list: no expression = all */
    KMESOS_CLI_VERB_TAKES_OPTIONS = 1 << 1, /* add, update */
    KMESOS_CLI_VERB_NEEDS_OPTION = 1 << 2,  /* update: at least one */
};

typedef struct kmesos_cli_verb {
    const char *name;    /* path segment too: /api/broker/<name> */
    const char *method;  /* GET or POST */
    unsigned flags;      /* KMESOS_CLI_VERB_* */
    const char *done;    /* heading printed over the answer, NULL for none */
    const char *ids_key; /* answer is {"<ids_key>":[ids]} instead of items */
    const char *summary;
    const char *const *options; /* its own options (log), NULL-terminated, or NULL */
    const char *lines_key;      /* answer is {"<lines_key>":["line",..]}: print them */
} kmesos_cli_verb;

typedef struct kmesos_cli_example {
    const char *verb; /* NULL: shown with the workload's help only */
    const char *line;
} kmesos_cli_example;

typedef struct kmesos_cli_resource {
    const char *name;     /* broker: the command word and the id parameter */
    const char *plural;   /* brokers: key of the item array in answers */
    const char *path;     /* /api/broker */
    const char *summary;
    const char *const *verbs;   /* NULL-terminated verb names */
    const char *const *options; /* NULL-terminated option flags (add, update) */
    const kmesos_cli_column *columns;
    size_t ncolumns;
    const kmesos_cli_example *examples;
    size_t nexamples;
    int named; /* 1: EXPR is one name (a topic), not ids */
    const char *const *summaries; /* per verb, in verbs' order; NULL: the verbs' own */
} kmesos_cli_resource;

/* A command without actions: one GET and a view of its answer (cli_view
 * knows how each command's answer looks). */
typedef struct kmesos_cli_command {
    const char *name;
    const char *path; /* NULL for help */
    const char *summary;
    const char *help;
    const kmesos_cli_example *examples;
    size_t nexamples;
} kmesos_cli_command;

const kmesos_cli_resource *kmesos_cli_spec_resource(const char *name);
const kmesos_cli_verb *kmesos_cli_spec_verb(const kmesos_cli_resource *res, const char *name);
const kmesos_cli_option *kmesos_cli_spec_option(const char *flag);
/* What verb does to res, for help. */
const char *kmesos_cli_spec_verb_summary(const kmesos_cli_resource *res,
                                         const kmesos_cli_verb *verb);
/* The option of res whose flag is flag; NULL when res does not take it. */
/* An option of the verb's own list (log: --name, --lines), or NULL. */
const kmesos_cli_option *kmesos_cli_spec_verb_option(const kmesos_cli_verb *verb,
                                                     const char *flag);
const kmesos_cli_option *kmesos_cli_spec_res_option(const kmesos_cli_resource *res,
                                                    const char *flag);
/* The option of res sent as query parameter param; NULL when none. */
const kmesos_cli_option *kmesos_cli_spec_res_param(const kmesos_cli_resource *res,
                                                   const char *param);
const kmesos_cli_command *kmesos_cli_spec_command(const char *name);

/* Iteration over the tables, for help: NULL past the end. */
const kmesos_cli_resource *kmesos_cli_spec_resource_at(size_t i);
const kmesos_cli_command *kmesos_cli_spec_command_at(size_t i);

#endif
