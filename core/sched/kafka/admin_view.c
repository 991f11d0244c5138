/* admin_view: librdkafka's metadata and admin results as JSON, and
 * Kafka's error codes as HTTP answers (admin_view.h). Topics are listed
 * sorted by name, each with its partitions' leaders, replicas and
 * in-sync replicas, and counts of under-replicated (fewer in-sync
 * replicas than replicas) and offline (no leader) partitions, which the
 * summary adds up over the cluster. A topic's configs are the ones set on
 * it (source DYNAMIC_TOPIC_CONFIG); AlterConfigs replaces that whole set,
 * so an update sends them merged with the asked ones. */
#include "sched/kafka/admin_view.h"

#include <stdlib.h>
#include <string.h>

json_t *kmesos_kadmin_view_error(const char *field, const char *msg)
{
    return field ? json_pack("{s:s, s:s}", "error", msg, "field", field)
                 : json_pack("{s:s}", "error", msg);
}

unsigned kmesos_kadmin_view_status(rd_kafka_resp_err_t err, const char *fallback,
                                   const char **field)
{
    *field = fallback;
    switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: *field = "topic"; return 404;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_DELETION_DISABLED: *field = "topic"; return 400;
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS: *field = "partitions"; return 400;
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT: *field = "replication_factor"; return 400;
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION: *field = "options"; return 400;
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT: *field = NULL; return 504;
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER: *field = NULL; return 503;
    default: return 400;
    }
}

static int view_by_name(const void *x, const void *y)
{
    const rd_kafka_metadata_topic_t *const *a = x, *const *b = y;
    return strcmp((*a)->topic, (*b)->topic);
}

static json_t *view_ids(const int32_t *ids, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

static json_t *view_topic(const rd_kafka_metadata_topic_t *t)
{
    json_t *parts = json_array();
    long under = 0, offline = 0;
    for (int i = 0; parts && i < t->partition_cnt; i++) {
        const rd_kafka_metadata_partition_t *p = &t->partitions[i];
        under += p->isr_cnt < p->replica_cnt;
        offline += p->leader < 0;
        json_array_append_new(parts, json_pack("{s:i, s:i, s:o, s:o}", "partition", (int)p->id,
                                               "leader", (int)p->leader, "replicas",
                                               view_ids(p->replicas, p->replica_cnt), "isr",
                                               view_ids(p->isrs, p->isr_cnt)));
    }
    return json_pack("{s:s, s:i, s:i, s:I, s:I, s:o}", "name", t->topic, "partitions",
                     t->partition_cnt, "replication_factor",
                     t->partition_cnt ? t->partitions[0].replica_cnt : 0, "under_replicated",
                     (json_int_t)under, "offline", (json_int_t)offline, "assignment",
                     parts ? parts : json_array());
}

static const rd_kafka_metadata_topic_t *view_find(const rd_kafka_metadata_t *md, const char *name)
{
    for (int i = 0; md && name && i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, name) == 0 &&
            md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            return &md->topics[i];
    return NULL;
}

json_t *kmesos_kadmin_view_topics(const rd_kafka_metadata_t *md, const char *name)
{
    json_t *arr = json_array();
    if (!arr || !md || md->topic_cnt <= 0)
        return arr;
    const rd_kafka_metadata_topic_t **sorted = calloc((size_t)md->topic_cnt, sizeof *sorted);
    size_t n = 0;
    for (int i = 0; sorted && i < md->topic_cnt; i++)
        if (md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
            (!name || strcmp(md->topics[i].topic, name) == 0))
            sorted[n++] = &md->topics[i];
    if (n)
        qsort(sorted, n, sizeof *sorted, view_by_name);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, view_topic(sorted[i]));
    free(sorted);
    return arr;
}

int kmesos_kadmin_view_partitions(const rd_kafka_metadata_t *md, const char *name)
{
    const rd_kafka_metadata_topic_t *t = view_find(md, name);
    return t ? t->partition_cnt : -1;
}

int kmesos_kadmin_view_settled(const rd_kafka_metadata_t *md, const char *name, int gone,
                               int partitions)
{
    const rd_kafka_metadata_topic_t *t = view_find(md, name);
    if (gone || !t)
        return gone && !t;
    if (t->err || t->partition_cnt == 0 || t->partition_cnt < partitions)
        return 0;
    for (int i = 0; i < t->partition_cnt; i++)
        if (t->partitions[i].leader < 0)
            return 0;
    return 1;
}

void kmesos_kadmin_view_summary(const rd_kafka_metadata_t *md, uint64_t now_ms,
                                kmesos_kadmin_summary *out)
{
    memset(out, 0, sizeof *out);
    out->known = 1;
    out->at_ms = now_ms;
    out->brokers = md->broker_cnt;
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        if (t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            continue;
        out->topics++;
        for (int p = 0; p < t->partition_cnt; p++) {
            out->partitions++;
            out->under_replicated += t->partitions[p].isr_cnt < t->partitions[p].replica_cnt;
            out->offline += t->partitions[p].leader < 0;
        }
    }
}

static rd_kafka_resp_err_t view_topic_results(const rd_kafka_topic_result_t **r, size_t n,
                                              const char *name, const char **text)
{
    for (size_t i = 0; name && i < n; i++)
        if (rd_kafka_topic_result_error(r[i])) {
            *text = rd_kafka_topic_result_error_string(r[i]);
            return rd_kafka_topic_result_error(r[i]);
        }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t view_resources(const rd_kafka_ConfigResource_t **r, size_t n,
                                          const char *name, const char **text)
{
    for (size_t i = 0; name && i < n; i++)
        if (rd_kafka_ConfigResource_error(r[i])) {
            *text = rd_kafka_ConfigResource_error_string(r[i]);
            return rd_kafka_ConfigResource_error(r[i]);
        }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t kmesos_kadmin_view_result(rd_kafka_event_t *ev, const char *name,
                                              const char **text)
{
    size_t n = 0;
    *text = NULL;
    switch (rd_kafka_event_type(ev)) {
    case RD_KAFKA_EVENT_CREATETOPICS_RESULT: {
        const rd_kafka_topic_result_t **r =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        return view_topic_results(r, n, name, text);
    }
    case RD_KAFKA_EVENT_DELETETOPICS_RESULT: {
        const rd_kafka_topic_result_t **r =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        return view_topic_results(r, n, name, text);
    }
    case RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT: {
        const rd_kafka_topic_result_t **r = rd_kafka_CreatePartitions_result_topics(
            rd_kafka_event_CreatePartitions_result(ev), &n);
        return view_topic_results(r, n, name, text);
    }
    case RD_KAFKA_EVENT_ALTERCONFIGS_RESULT: {
        const rd_kafka_ConfigResource_t **r =
            rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
        return view_resources(r, n, name, text);
    }
    case RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT: {
        const rd_kafka_ConfigResource_t **r = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(ev), &n);
        return view_resources(r, n, name, text);
    }
    default: *text = "unexpected answer"; return RD_KAFKA_RESP_ERR__FAIL;
    }
}

json_t *kmesos_kadmin_view_configs(rd_kafka_event_t *ev)
{
    size_t n = 0, cnt = 0;
    json_t *all = json_object();
    const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
    const rd_kafka_ConfigResource_t **r =
        res ? rd_kafka_DescribeConfigs_result_resources(res, &n) : NULL;
    for (size_t i = 0; all && r && i < n; i++) {
        json_t *one = json_object();
        const rd_kafka_ConfigEntry_t **e = rd_kafka_ConfigResource_configs(r[i], &cnt);
        for (size_t j = 0; one && j < cnt; j++) {
            if (rd_kafka_ConfigEntry_source(e[j]) != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
                continue;
            const char *v = rd_kafka_ConfigEntry_value(e[j]);
            json_object_set_new(one, rd_kafka_ConfigEntry_name(e[j]),
                                v ? json_string(v) : json_null());
        }
        if (one)
            json_object_set_new(all, rd_kafka_ConfigResource_name(r[i]), one);
    }
    return all;
}

void kmesos_kadmin_view_attach_configs(json_t *topics, const json_t *configs)
{
    size_t i;
    json_t *t;
    json_array_foreach(topics, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        json_t *c = name ? json_object_get(configs, name) : NULL;
        json_object_set_new(t, "configs", c ? json_deep_copy(c) : json_object());
    }
}

json_t *kmesos_kadmin_view_merge(const json_t *current, const json_t *asked)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)current, key, v)
        if (out && json_is_string(v)) /* a sensitive one (null) cannot be kept */
            json_object_set(out, key, v);
    json_object_foreach((json_t *)asked, key, v) {
        if (!out)
            break;
        if (*json_string_value(v))
            json_object_set(out, key, v);
        else
            json_object_del(out, key);
    }
    return out;
}
