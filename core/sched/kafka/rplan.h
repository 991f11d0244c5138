/* rplan: the data of a partition reassignment, as Kafka's own tools
 * print it (kafka-reassign-partitions, kafka-log-dirs, kafka-topics), with
 * no I/O: parsing their output, the moves between a current and a
 * proposed assignment, the checks before a move (enough target brokers
 * for every partition's replication factor), the partitions a broker
 * holds, the JSON of a plan for --execute, and progress from --verify.
 * rebalance.c runs the tools and feeds their output here. */
#ifndef KMESOS_KAFKA_RPLAN_H
#define KMESOS_KAFKA_RPLAN_H
#include <stddef.h>
#include <stdint.h>

typedef struct kmesos_rplan_part {
    char *topic;
    int partition;
    int *replicas;
    size_t n;
    int64_t size; /* bytes of its largest replica (log-dirs), 0: unknown */
    int done;     /* --verify said the reassignment completed */
    int added;    /* replicas a move adds (kmesos_rplan_moves) */
} kmesos_rplan_part;

/* An assignment: {"version":1,"partitions":[{"topic","partition","replicas"}]}. */
typedef struct kmesos_rplan {
    kmesos_rplan_part *parts;
    size_t n;
} kmesos_rplan;

void kmesos_rplan_free(kmesos_rplan *p);
/* Parses one assignment JSON text. 0, or -1 with err. */
int kmesos_rplan_parse(const char *json, kmesos_rplan *out, char *err, size_t errlen);
/* Parses --generate's output: the JSON line after "Current partition
 * replica assignment" and the one after "Proposed partition reassignment
 * configuration". 0, or -1 with err (both left empty). */
int kmesos_rplan_parse_generate(const char *text, kmesos_rplan *current, kmesos_rplan *proposed,
                                char *err, size_t errlen);
/* The partitions of proposed whose replica list differs from current's
 * (in order: the preferred leader counts). 0 or -1 (no memory). */
int kmesos_rplan_moves(const kmesos_rplan *current, const kmesos_rplan *proposed,
                       kmesos_rplan *out);
/* The moves that take every replica on a broker of drain[] (nd) to one of
 * targets[] (nt) that the partition lacks, the least loaded first, the
 * replica's place in the list kept. -1 with err naming the partitions
 * held when the targets are too few for one, or naming those with no
 * replica on a target (no running copy to move from); 0 otherwise. */
int kmesos_rplan_drain(const kmesos_rplan *current, const int *drain, size_t nd,
                       const int *targets, size_t nt, kmesos_rplan *out, char *err,
                       size_t errlen);
/* The plan as the JSON --execute and --verify read (malloc'd, or NULL). */
char *kmesos_rplan_json(const kmesos_rplan *p);
/* 0 when every partition of p can keep its replication factor on n
 * target brokers; else -1 and err names the partition. */
int kmesos_rplan_check_rf(const kmesos_rplan *p, size_t n_brokers, char *err, size_t errlen);
/* The partitions of p with a replica on broker, as "topic-p,..." into
 * out (cut to len); the count. */
size_t kmesos_rplan_held(const kmesos_rplan *p, int broker, char *out, size_t len);
/* Topic names of kafka-topics --list (one a line) that match (match(arg,
 * name) != 0; NULL: all), as the topics JSON of --generate (malloc'd).
 * *n: how many. NULL on no memory. */
char *kmesos_rplan_topics_json(const char *list, int (*match)(void *, const char *), void *arg,
                               size_t *n);
/* Sets each part's size from kafka-log-dirs --describe's output (the
 * largest replica; future replicas ignored). 0, or -1 with err. */
int kmesos_rplan_sizes(const char *text, kmesos_rplan *p, char *err, size_t errlen);
/* Marks parts done from --verify's output ("Reassignment of partition
 * T-P is completed.", or "There is no active reassignment of partition
 * T-P"). The number of parts done. */
size_t kmesos_rplan_verify(const char *text, kmesos_rplan *p);
/* Sums over the parts, size times replicas added: the bytes to copy in
 * all, and in the done ones. */
void kmesos_rplan_bytes(const kmesos_rplan *p, int64_t *total, int64_t *done);

#endif
