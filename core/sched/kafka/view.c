/* view: the API's JSON of brokers and clients (view.h). A broker shows
 * its settings (durations as text, the data dir it uses, "auto" for an
 * automatic port), its role in the controller quorum ("broker,controller"
 * for a voter, "broker" once the quorum formed, "pending quorum" before),
 * its controller host and port, what was learnt, and its task with the
 * endpoint it serves on. A client shows its settings, the heap it gets,
 * the hosts it prefers now and its task. */
#include "sched/kafka/view.h"

#include <stdio.h>
#include <stdlib.h>

/* The broker's task with its endpoint, or null. */
static json_t *view_task_json(const kmesos_task *t, const kmesos_broker *b)
{
    if (!t)
        return json_null();
    char endpoint[300] = "";
    kmesos_kafka_endpoint_of(b, t, endpoint, sizeof endpoint);
    return kmesos_task_json(t, endpoint);
}

static json_t *view_broker_json(const kmesos_kafka *k, const kmesos_broker *b);

/* "host:port" of a TLS listener of the broker's last launch, or null. */
static json_t *view_endpoint(const kmesos_broker *b, int port)
{
    const char *host = *b->set.advertised_host ? b->set.advertised_host : b->node.host;
    if (!port || !host)
        return json_null();
    char text[320];
    snprintf(text, sizeof text, "%s:%d", host, port);
    return json_string(text);
}

/* The rack of the agent the broker runs or last ran on (its broker.rack
 * at that launch, from --rack-attribute), or null. */
static json_t *view_rack(const kmesos_kafka *k, const kmesos_broker *b)
{
    const kmesos_topology *t = &k->sched->topology;
    const kmesos_task *task = kmesos_kafka_task(k, &b->node);
    const char *rack = kmesos_topology_rack_of_agent(t, task && task->agent_id ? task->agent_id
                                                                                : b->agent_id);
    if (!rack)
        rack = kmesos_topology_rack_of_host(t, b->node.host);
    return rack ? json_string(rack) : json_null();
}

/* A broker's settings and task, with its TLS settings under "tls" (ports
 * 0: none, -1: auto) and the SSL and SASL_SSL endpoints of its last
 * launch, and its reserved volume under "volume" (null: none; "error":
 * the master's refusal). */
json_t *kmesos_kafka_broker_json(const kmesos_kafka *k, const kmesos_broker *b)
{
    json_t *j = view_broker_json(k, b), *tls = kmesos_broker_tls_json(&b->set);
    if (!j || !tls ||
        json_object_set_new(tls, "ssl_endpoint", view_endpoint(b, b->ssl_port_used)) != 0 ||
        json_object_set_new(tls, "sasl_endpoint", view_endpoint(b, b->sasl_port_used)) != 0) {
        json_decref(j);
        json_decref(tls);
        return NULL;
    }
    json_t *vol = b->vol.agent_id ? kmesos_kvol_json(&b->vol) : json_null();
    if (json_object_set_new(j, "tls", tls) != 0 || /* each is released either way */
        json_object_set_new(j, "reserve", json_boolean(kmesos_broker_reserves(&b->set))) != 0 ||
        json_object_set_new(j, "volume_size", json_real(b->set.volume_size)) != 0 ||
        json_object_set_new(j, "volume", vol) != 0 ||
        json_object_set_new(j, "rack", view_rack(k, b)) != 0 ||
        json_object_set_new(j, "role", json_string(b->set.role)) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *view_broker_json(const kmesos_kafka *k, const kmesos_broker *b)
{
    const kmesos_broker_settings *s = &b->set;
    char delay[32], max_delay[32], period[32], dir[1024];
    kmesos_broker_duration_text(s->failover_delay_s, delay, sizeof delay);
    kmesos_broker_duration_text(s->failover_max_delay_s, max_delay, sizeof max_delay);
    kmesos_broker_duration_text(s->stickiness_period_s, period, sizeof period);
    kmesos_kafka_data_dir(k, b, dir, sizeof dir);
    const kmesos_task *t = kmesos_kafka_task(k, &b->node);
    const kmesos_voter *v = kmesos_kafka_voter(k, b->node.id);
    return json_pack(
        "{s:i, s:b, s:f, s:f, s:f, s:o, s:s, s:s, s:s, s:s, s:s,"
        " s:{s:s, s:s, s:o, s:i}, s:{s:s, s:s?, s:s?}, s:o, s:o, s:s?}",
        "id", b->node.id, "active", b->node.active, "cpus", s->cpus, "mem", s->mem, "heap",
        s->heap, "port", s->port ? json_integer(s->port) : json_string("auto"), "options",
        s->options, "jvm_options", s->jvm_options, "constraints", s->constraints, "data_dir",
        dir, "role", v ? "broker,controller" : k->n_voters ? "broker" : "pending quorum",
        "failover", "delay", delay, "max_delay", max_delay, "max_tries",
        s->failover_max_tries ? json_integer(s->failover_max_tries) : json_null(), "failures",
        b->node.failures, "stickiness", "period", period, "hostname", b->node.host, "agent_id",
        b->agent_id, "task", view_task_json(t, b), "controller",
        v ? json_pack("{s:s, s:s?, s:i}", "host", v->host, "agent_id", v->agent_id, "port",
                      v->port)
          : json_null(),
        "last_failure", b->node.last_failure);
}

json_t *kmesos_kafka_client_json(const kmesos_kafka *k, const kmesos_client *c)
{
    const kmesos_client_settings *s = &c->set;
    const kmesos_task *t = kmesos_kafka_task(k, &c->node);
    const kmesos_workload *w = t ? t->workload : NULL;
    char delay[32], max_delay[32];
    kmesos_broker_duration_text(s->failover_delay_s, delay, sizeof delay);
    kmesos_broker_duration_text(s->failover_max_delay_s, max_delay, sizeof max_delay);
    json_t *prefer = json_array();
    for (size_t i = 0; prefer && w && i < w->n_prefer_hosts; i++)
        json_array_append_new(prefer, json_string(w->prefer_hosts[i]));
    return json_pack("{s:i, s:s, s:b, s:f, s:f, s:f, s:b, s:s, s:s, s:s?, s:s, s:s,"
                     " s:{s:s, s:s, s:o, s:i}, s:i, s:o, s:o, s:s?, s:s?}",
                     "id", c->node.id, "kind", kmesos_kafka_kind_name(c->node.kind), "active",
                     c->node.active, "cpus", s->cpus, "mem", s->mem, "heap",
                     (double)kmesos_client_heap_mb(s), "heap_auto", s->heap <= 0, "topic",
                     s->topic, "options", s->options, "command",
                     *s->command ? s->command : NULL, "jvm_options", s->jvm_options,
                     "constraints", s->constraints, "failover", "delay", delay, "max_delay",
                     max_delay, "max_tries",
                     s->failover_max_tries ? json_integer(s->failover_max_tries) : json_null(),
                     "failures", c->node.failures, /* in failover, then at the top */
                     "failures", c->node.failures, "prefer_hosts", prefer, "task",
                     kmesos_task_json(t, NULL), "hostname", c->node.host, "last_failure",
                     c->node.last_failure);
}
