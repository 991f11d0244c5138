/* Tests of the brokers' TLS and SASL settings (docs/kafka.md "TLS and
 * SASL"): each value is checked like the other settings (form, UTF-8,
 * size) and a TLS listener without its keystore, truststore or secrets
 * file is refused with 400 naming the field, leaving every broker as it
 * was; the TaskInfo fetches the three files as URIs, names them and the
 * listener ports in the environment and carries no password; the
 * advertised host replaces the agent's; the settings round-trip through
 * the state file, and a saved entry with a bad TLS value is refused. */
#include <stdlib.h>
#include <unistd.h>

#include "codec/pb.h"
#include "sched/kafka/kafka.h"
#include "sched/state/state.h"
#include "kafka_world.h"
#include "testlib.h"

#define TLS_FILES                                                                  \
    "ssl_keystore=file:///etc/kafka/broker.p12&ssl_truststore=http://ca/trust.p12" \
    "&ssl_secrets=/etc/kafka/secrets.properties"

static const char *field_of(json_t *body)
{
    return json_string_value(json_object_get(body, "field"));
}

/* The answer to form is 400 naming field. */
static void refused(kafka_world *w, const char *cmd, const char *form, const char *field)
{
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(w, "POST", cmd, form, &body), 400);
    CHECK_STR(field_of(body), field);
    json_decref(body);
}

static void test_tls_values_are_checked(void)
{
    kafka_world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    refused(&w, "add", "broker=0&ssl_port=99999&" TLS_FILES, "ssl_port");
    refused(&w, "add", "broker=0&ssl_port=-5&" TLS_FILES, "ssl_port");
    refused(&w, "add", "broker=0&sasl_port=x&" TLS_FILES, "sasl_port");
    refused(&w, "add", "broker=0&ssl_keystore=a%20b", "ssl_keystore");
    refused(&w, "add", "broker=0&ssl_keystore=relative/path.p12", "ssl_keystore");
    refused(&w, "add", "broker=0&ssl_keystore=http://host/dir/", "ssl_keystore");
    refused(&w, "add", "broker=0&ssl_secrets=ht%0Atp://x/y", "ssl_secrets");
    refused(&w, "add", "broker=0&inter_broker_protocol=TLS", "inter_broker_protocol");
    refused(&w, "add", "broker=0&inter_broker_protocol=", "inter_broker_protocol");
    refused(&w, "add", "broker=0&sasl_mechanism=PLAIN", "sasl_mechanism");
    refused(&w, "add", "broker=0&sasl_mechanism=SCRAM-SHA", "sasl_mechanism");
    refused(&w, "add", "broker=0&advertised_host=a%20b", "advertised_host");
    refused(&w, "add", "broker=0&advertised_host=-x", "advertised_host");
    refused(&w, "add", "broker=0&advertised_host=::1", "advertised_host");
    char *long_uri = malloc(KMESOS_KS_URI_MAX + 64);
    snprintf(long_uri, KMESOS_KS_URI_MAX + 64, "broker=0&ssl_keystore=/%0*d", KMESOS_KS_URI_MAX,
             0);
    refused(&w, "add", long_uri, "ssl_keystore");
    free(long_uri);
    CHECK_INT(kmesos_kafka_count(&w.k, KMESOS_KAFKA_BROKER), 0);
    kafka_world_teardown(&w);
    /* not UTF-8 (the API's form parser refuses it before; the setter too) */
    kmesos_broker_settings s;
    char err[256];
    CHECK_INT(kmesos_broker_settings_defaults(&s), 0);
    CHECK_INT(kmesos_broker_param_set(&s, "ssl_truststore", "/tr\xc3\x28", err, sizeof err), -1);
    CHECK_STR(err, "ssl_truststore: not valid UTF-8");
    CHECK_INT(kmesos_broker_param_set(&s, "advertised_host", "h\xff", err, sizeof err), -1);
    CHECK_STR(err, "advertised_host: not valid UTF-8");
    CHECK_INT(kmesos_broker_param_set(&s, "ssl_port", "auto", err, sizeof err), 0);
    CHECK_INT(s.ssl_port, -1);
    CHECK_INT(kmesos_broker_param_set(&s, "ssl_port", "none", err, sizeof err), 0);
    CHECK_INT(s.ssl_port, 0);
    kmesos_broker_settings_free(&s);
}

static void test_tls_needs_its_files(void)
{
    kafka_world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    /* add: each missing file is named */
    refused(&w, "add", "broker=0&ssl_port=9093", "ssl_keystore");
    refused(&w, "add", "broker=0&sasl_port=auto&ssl_keystore=/k.p12", "ssl_truststore");
    refused(&w, "add", "broker=0&ssl_port=9093&ssl_keystore=/k.p12&ssl_truststore=/t.p12",
            "ssl_secrets");
    refused(&w, "add", "broker=0&inter_broker_protocol=SSL", "ssl_keystore");
    refused(&w, "add", "broker=0&inter_broker_protocol=SSL&" TLS_FILES, "inter_broker_protocol");
    refused(&w, "add", "broker=0&inter_broker_protocol=SASL_SSL&ssl_port=9093&" TLS_FILES,
            "inter_broker_protocol");
    refused(&w, "add", "broker=0&port=9093&ssl_port=9093&" TLS_FILES, "ssl_port");
    refused(&w, "add", "broker=0&ssl_port=9093&sasl_port=9093&" TLS_FILES, "sasl_port");
    refused(&w, "add", "broker=0&ssl_port=9093&ssl_keystore=/a/s.p12&ssl_truststore=/b/s.p12"
            "&ssl_secrets=/c/x", "ssl_truststore"); /* the same sandbox file name */
    refused(&w, "add", "broker=0&ssl_port=9093&ssl_keystore=/a/server.properties"
            "&ssl_truststore=/t&ssl_secrets=/s", "ssl_keystore");
    CHECK_INT(kmesos_kafka_count(&w.k, KMESOS_KAFKA_BROKER), 0);
    /* update: refused, and nothing changes (cpus was asked too) */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "add", "broker=0,1&cpus=0.5&mem=1024&heap=256"),
              200);
    refused(&w, "update", "broker=0,1&cpus=2&ssl_port=9093", "ssl_keystore");
    refused(&w, "update", "broker=0,1&cpus=2&ssl_port=9093&ssl_keystore=/k.p12", "ssl_truststore");
    kmesos_broker *b0 = kmesos_kafka_broker(&w.k, 0);
    CHECK(b0->set.cpus == 0.5 && b0->set.ssl_port == 0 && !*b0->set.ssl_keystore);
    /* all three files: fine, then taking one away is refused */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "update",
                                   "broker=0,1&ssl_port=9093&sasl_port=auto&" TLS_FILES), 200);
    refused(&w, "update", "broker=1&ssl_secrets=", "ssl_secrets");
    CHECK_STR(kmesos_kafka_broker(&w.k, 1)->set.ssl_secrets, "/etc/kafka/secrets.properties");
    /* and the listeners off again, files kept: fine */
    CHECK_INT(kafka_world_api_drop(&w, "POST", "update", "broker=1&ssl_port=none&sasl_port="),
              200);
    CHECK_INT(kmesos_kafka_broker(&w.k, 1)->set.sasl_port, 0);
    kafka_world_teardown(&w);
}

static void test_tls_list_and_task_info(void)
{
    kafka_world w;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    unsigned added = kafka_world_api_drop(&w, "POST", "add",
                                          "broker=0..2&cpus=0.5&mem=1024&heap=256&port=31001"
                                          "&ssl_port=31002&sasl_port=auto"
                                          "&inter_broker_protocol=SASL_SSL"
                                          "&sasl_mechanism=SCRAM-SHA-256"
                                          "&advertised_host=kafka0.example.com&" TLS_FILES);
    CHECK_INT(added, 200);
    CHECK_INT(kafka_world_api_drop(&w, "POST", "start", "broker=*"), 200);
    const char *ids[] = {"o1", "o2", "o3"};
    kafka_world_feed_offers(&w, ids, KAFKA_WORLD_HOSTS, 3, 2, 4096);
    json_t *body = NULL;
    CHECK_INT(kafka_world_api(&w, "GET", "list", "broker=0", &body), 200);
    json_t *tls = json_object_get(json_array_get(json_object_get(body, "brokers"), 0), "tls");
    CHECK_INT(json_integer_value(json_object_get(tls, "ssl_port")), 31002);
    CHECK(json_integer_value(json_object_get(tls, "sasl_port")) == -1);
    CHECK_STR(json_string_value(json_object_get(tls, "ssl_secrets")),
              "/etc/kafka/secrets.properties");
    CHECK_STR(json_string_value(json_object_get(tls, "advertised_host")), "kafka0.example.com");
    CHECK(json_is_string(json_object_get(tls, "ssl_endpoint")) &&
          strcmp(json_string_value(json_object_get(tls, "ssl_endpoint")),
                 "kafka0.example.com:31002") == 0);
    CHECK(json_is_string(json_object_get(tls, "sasl_endpoint")));
    json_decref(body);
    Mesos__V1__TaskInfo *ti = kafka_world_broker_launched(&w, 0);
    CHECK(ti && ti->executor);
    if (!ti || !ti->executor) {
        kafka_world_teardown(&w);
        return;
    }
    Mesos__V1__CommandInfo *cmd = ti->executor->command;
    CHECK_INT(cmd->n_uris, 5); /* executor, tarball, keystore, truststore, secrets */
    CHECK_STR(cmd->uris[2]->value, "file:///etc/kafka/broker.p12");
    CHECK(!cmd->uris[2]->executable && !cmd->uris[2]->extract);
    CHECK_STR(cmd->uris[3]->value, "http://ca/trust.p12");
    CHECK_STR(cmd->uris[4]->value, "/etc/kafka/secrets.properties");
    CHECK_STR(kafka_world_env(ti, "KAFKA_SSL_KEYSTORE"), "broker.p12");
    CHECK_STR(kafka_world_env(ti, "KAFKA_SSL_TRUSTSTORE"), "trust.p12");
    CHECK_STR(kafka_world_env(ti, "KAFKA_SSL_SECRETS"), "secrets.properties");
    CHECK_STR(kafka_world_env(ti, "KAFKA_PORT"), "31001");
    CHECK_STR(kafka_world_env(ti, "KAFKA_SSL_PORT"), "31002");
    const char *sasl = kafka_world_env(ti, "KAFKA_SASL_PORT");
    CHECK(sasl && atoi(sasl) >= 31000 && atoi(sasl) <= 31010 && strcmp(sasl, "31001") != 0 &&
          strcmp(sasl, "31002") != 0);
    CHECK_STR(kafka_world_env(ti, "KAFKA_INTER_BROKER_PROTOCOL"), "SASL_SSL");
    CHECK_STR(kafka_world_env(ti, "KAFKA_SASL_MECHANISM"), "SCRAM-SHA-256");
    CHECK_STR(kafka_world_env(ti, "KAFKA_HOST"), "kafka0.example.com");
    /* the client, SSL, SASL_SSL and controller ports are the task's */
    size_t nports = 0;
    for (size_t i = 0; i < ti->n_resources; i++)
        if (strcmp(ti->resources[i]->name, "ports") == 0)
            for (size_t r = 0; r < ti->resources[i]->ranges->n_range; r++)
                nports += ti->resources[i]->ranges->range[r]->end -
                          ti->resources[i]->ranges->range[r]->begin + 1;
    CHECK_INT(nports, 4);
    /* a fixed TLS port outside every offered range is refused by name */
    refused(&w, "update", "broker=1&ssl_port=8443", "ssl_port");
    refused(&w, "update", "broker=1&sasl_port=8444", "sasl_port");
    CHECK_INT(kmesos_kafka_broker(&w.k, 1)->set.ssl_port, 31002);
    /* no variable carries a password-like name */
    Mesos__V1__Environment *env = cmd->environment;
    for (size_t i = 0; i < env->n_variables; i++)
        CHECK(!strstr(env->variables[i]->name, "PASSWORD"));
    kafka_world_teardown(&w);
}

static void test_tls_state_round_trip(void)
{
    char path[] = "/tmp/kmesos-tls-state-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    kafka_world a, b;
    kmesos_state_doc da, db;
    char err[512];
    kafka_world_setup(&a, KMESOS_FETCH_URI);
    kafka_world_doc(&a, &da);
    CHECK_INT(kafka_world_api_drop(&a, "POST", "add",
                                   "broker=0&cpus=0.5&mem=1024&heap=256&ssl_port=9093"
                                   "&sasl_port=auto&inter_broker_protocol=SSL"
                                   "&advertised_host=k0.example&" TLS_FILES), 200);
    CHECK_INT(kafka_world_api_drop(&a, "POST", "add", "broker=1&cpus=0.5&mem=1024&heap=256"), 200);
    CHECK_INT(kmesos_state_save(path, &da, err, sizeof err), 0);
    kafka_world_setup(&b, KMESOS_FETCH_URI);
    kafka_world_doc(&b, &db);
    CHECK_INT(kmesos_state_load(path, &db, err, sizeof err), 0);
    char *text_a = kmesos_state_dump(&da), *text_b = kmesos_state_dump(&db);
    CHECK(text_a && text_b && strstr(text_a, "\"ssl_secrets\""));
    if (text_a && text_b)
        CHECK_STR(text_b, text_a);
    free(text_a);
    free(text_b);
    kmesos_broker *b0 = kmesos_kafka_broker(&b.k, 0), *b1 = kmesos_kafka_broker(&b.k, 1);
    CHECK(b0 && b0->set.ssl_port == 9093 && b0->set.sasl_port == -1);
    CHECK_STR(b0->set.ssl_truststore, "http://ca/trust.p12");
    CHECK_STR(b0->set.inter_broker_protocol, "SSL");
    CHECK_STR(b0->set.advertised_host, "k0.example");
    CHECK(b1 && b1->set.ssl_port == 0 && !*b1->set.ssl_keystore);
    CHECK_STR(b1->set.sasl_mechanism, "SCRAM-SHA-512");
    kafka_world_teardown(&b);
    kafka_world_teardown(&a);
    unlink(path);
}

/* Saved entries with a bad TLS value, or without its files, are refused
 * by name; one without the TLS fields (an older file) loads with the
 * defaults. */
static void test_tls_bad_saved_entries(void)
{
    static const char base[] =
        "{\"id\":0,\"active\":false,\"cpus\":1,\"mem\":1024,\"heap\":256,\"port\":0,"
        "\"options\":\"\",\"jvm_options\":\"\",\"constraints\":\"\",\"data_dir\":\"\","
        "\"failover_delay_s\":60,\"failover_max_delay_s\":600,\"failover_max_tries\":0,"
        "\"stickiness_period_s\":600%s}";
    const struct { const char *extra, *want; } cases[] = {
        {"", NULL},
        {",\"ssl_port\":70000", "ssl_port"},
        {",\"ssl_port\":\"9093\"", "bad broker entry"},
        {",\"sasl_mechanism\":\"PLAIN\"", "sasl_mechanism"},
        {",\"inter_broker_protocol\":\"SSL\"", "ssl_keystore"},
        {",\"ssl_port\":9093,\"ssl_keystore\":\"/k\",\"ssl_truststore\":\"/t\"", "ssl_secrets"},
        {",\"advertised_host\":\"a b\"", "advertised_host"},
        {",\"ssl_keystore\":\"/a\\nb\"", "ssl_keystore"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048], err[512] = "";
        snprintf(text, sizeof text, base, cases[i].extra);
        json_t *j = json_loads(text, 0, NULL);
        CHECK(j != NULL);
        kmesos_broker *b = j ? kmesos_broker_from_state(j, err, sizeof err) : NULL;
        if (!cases[i].want) {
            CHECK(b && b->set.ssl_port == 0 && strcmp(b->set.inter_broker_protocol,
                                                      "PLAINTEXT") == 0);
        } else {
            CHECK(b == NULL);
            CHECK(strstr(err, cases[i].want) != NULL);
            if (!strstr(err, cases[i].want))
                fprintf(stderr, "  case %zu: %s\n", i, err);
        }
        kmesos_broker_destroy(b);
        json_decref(j);
    }
}

int main(void)
{
    RUN_TEST(test_tls_values_are_checked);
    RUN_TEST(test_tls_needs_its_files);
    RUN_TEST(test_tls_list_and_task_info);
    RUN_TEST(test_tls_state_round_trip);
    RUN_TEST(test_tls_bad_saved_entries);
    return testlib_finish();
}
