/* admin_view: the pure side of admin.c: librdkafka's metadata and admin
 * results as the API's JSON (docs/api.md "Topics"), Kafka's error codes
 * as HTTP statuses, the merge of a topic's configs for AlterConfigs, and
 * the health summary. No I/O; tests feed it metadata built by hand. */
#ifndef KMESOS_KAFKA_ADMIN_VIEW_H
#define KMESOS_KAFKA_ADMIN_VIEW_H
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdint.h>

/* Kafka's health as the last metadata showed it (for metrics). */
typedef struct kmesos_kadmin_summary {
    int known;                 /* 0: no metadata read yet */
    uint64_t at_ms;            /* when it was read (uv_now) */
    long brokers, topics, partitions;
    long under_replicated;     /* partitions with fewer in-sync replicas than replicas */
    long offline;              /* partitions without a leader */
} kmesos_kadmin_summary;

/* {"error": msg, "field": field} (field NULL: none). */
json_t *kmesos_kadmin_view_error(const char *field, const char *msg);
/* The HTTP status of a Kafka error and the field it is about (fallback
 * when the code does not say). */
unsigned kmesos_kadmin_view_status(rd_kafka_resp_err_t err, const char *fallback,
                                   const char **field);
/* The topics of md (name NULL: every topic) as TOPIC objects (admin.h),
 * sorted by name; "configs" is attached later. */
json_t *kmesos_kadmin_view_topics(const rd_kafka_metadata_t *md, const char *name);
/* The partition count of topic name in md, or -1 when md does not have it. */
int kmesos_kadmin_view_partitions(const rd_kafka_metadata_t *md, const char *name);
/* 1 when md shows the change: topic name gone (gone), or there with at
 * least partitions partitions (0: any), each with a leader. */
int kmesos_kadmin_view_settled(const rd_kafka_metadata_t *md, const char *name, int gone,
                               int partitions);
/* Counts of md into *out, read at now_ms. */
void kmesos_kadmin_view_summary(const rd_kafka_metadata_t *md, uint64_t now_ms,
                                kmesos_kadmin_summary *out);
/* The first error of an admin result event for topic name (a
 * CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs or
 * DescribeConfigs result), with Kafka's text in *text. */
rd_kafka_resp_err_t kmesos_kadmin_view_result(rd_kafka_event_t *ev, const char *name,
                                              const char **text);
/* {topic: {config: value}} of a DescribeConfigs result: the configs set
 * on the topic (DYNAMIC_TOPIC_CONFIG); a sensitive value is null. */
json_t *kmesos_kadmin_view_configs(rd_kafka_event_t *ev);
/* Sets "configs" of each topic from configs ({} when none). */
void kmesos_kadmin_view_attach_configs(json_t *topics, const json_t *configs);
/* current ({name: value} or NULL) with asked applied: an empty value
 * removes the name. New object, or NULL on no memory. */
json_t *kmesos_kadmin_view_merge(const json_t *current, const json_t *asked);

#endif
