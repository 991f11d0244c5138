/* test_cli: the kmesos CLI without a scheduler: id expressions, value
 * checks and their messages, argument parsing (global options anywhere,
 * help, every usage error naming its argument), base URLs and query
 * strings (escaping), request URLs for each workload, table and view
 * rendering from sample answers, and whole runs that stop before the
 * network (usage errors, help) or find nobody listening. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cli/cli_args.h"
#include "codec/idexpr.h"
#include "cli/cli_run.h"
#include "cli/cli_spec.h"
#include "cli/cli_table.h"
#include "cli/cli_url.h"
#include "cli/cli_value.h"
#include "cli/cli_view.h"
#include "cli/cli_wait.h"
#include "testlib.h"

#define MAX_ARGV 32

/* Like CHECK_STR, for texts longer than its message buffer. */
static int same_text(const char *got, const char *want)
{
    if (got && want && strcmp(got, want) == 0)
        return 1;
    fprintf(stderr, "  got:  [%s]\n  want: [%s]\n", got ? got : "(null)", want ? want : "(null)");
    return 0;
}
#define CHECK_TEXT(got, want) CHECK(same_text((got), (want)))

/* Splits a command line on blanks into argv (argv[0] = "kmesos"); the
 * words live in buf. No quoting: tests with blanks in values build argv
 * by hand. */
static int split(char *buf, size_t len, const char *line, char **argv)
{
    snprintf(buf, len, "%s", line);
    int argc = 0;
    argv[argc++] = "kmesos";
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && argc < MAX_ARGV - 1;
         w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    argv[argc] = NULL;
    return argc;
}

static int parse(kmesos_cli_args *a, const char *line)
{
    static char buf[1024];
    char *argv[MAX_ARGV];
    int argc = split(buf, sizeof buf, line, argv);
    return kmesos_cli_args_parse(a, argc, argv);
}

static int contains(const char *haystack, const char *needle)
{
    return haystack && strstr(haystack, needle) != NULL;
}

/* --- id expressions ----------------------------------------------------- */

static void test_expr_valid(void)
{
    const char *ok[] = {"0", "0,2", "0..4", "*", "1,3..5,9", "7..7", "123456789"};
    char err[256];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        err[0] = 0;
        CHECK_INT(kmesos_idexpr_check(ok[i], KMESOS_IDEXPR_MAX_ID, err, sizeof err), 0);
    }
}

static void test_expr_invalid(void)
{
    static const struct {
        const char *expr, *why;
    } bad[] = {
        {"", "empty"},
        {"a", "'a' is not an id"},
        {"0..", "'0..' is not an id"},
        {"..4", "'..4' is not an id"},
        {"4..0", "runs backwards (write 0..4)"},
        {"0,,2", "empty item"},
        {"0,", "empty item"},
        {"*,1", "'*' is not an id"},
        {"-1", "'-1' is not an id"},
        {" 0", "' 0' is not an id"},
        {"1234567890", "is not an id"},
        {"0...4", "is not an id"},
    };
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK_INT(kmesos_idexpr_check(bad[i].expr, KMESOS_IDEXPR_MAX_ID, err, sizeof err), -1);
        if (!contains(err, bad[i].why))
            fprintf(stderr, "  expr '%s': %s\n", bad[i].expr, err);
        CHECK(contains(err, bad[i].why));
    }
}

/* --- values ------------------------------------------------------------- */

typedef struct value_case {
    kmesos_cli_kind kind;
    const char *text;
    int ok;
} value_case;

static void test_values(void)
{
    static const value_case cases[] = {
        {KMESOS_CLI_NUMBER, "1", 1},        {KMESOS_CLI_NUMBER, "0.5", 1},
        {KMESOS_CLI_NUMBER, "0", 1},        {KMESOS_CLI_NUMBER, "-1", 0},
        {KMESOS_CLI_NUMBER, "abc", 0},      {KMESOS_CLI_NUMBER, "1e3", 0},
        {KMESOS_CLI_NUMBER, "nan", 0},      {KMESOS_CLI_NUMBER, "1.", 0},
        {KMESOS_CLI_NUMBER, ".5", 0},       {KMESOS_CLI_NUMBER, "", 0},
        {KMESOS_CLI_COUNT, "2048", 1},      {KMESOS_CLI_COUNT, "0", 1},
        {KMESOS_CLI_COUNT, "-5", 0},        {KMESOS_CLI_COUNT, "1.5", 0},
        {KMESOS_CLI_COUNT, "10GB", 0},      {KMESOS_CLI_COUNT, "", 0},
        {KMESOS_CLI_PORT, "auto", 1},       {KMESOS_CLI_PORT, "9092", 1},
        {KMESOS_CLI_PORT, "65535", 1},      {KMESOS_CLI_PORT, "0", 0},
        {KMESOS_CLI_PORT, "70000", 0},      {KMESOS_CLI_PORT, "31000..31100", 0},
        {KMESOS_CLI_PORT, "any", 0},        {KMESOS_CLI_TRIES, "3", 1},
        {KMESOS_CLI_TRIES, "none", 1},      {KMESOS_CLI_TRIES, "0", 0},
        {KMESOS_CLI_TRIES, "-1", 0},        {KMESOS_CLI_TRIES, "", 0},
        {KMESOS_CLI_DURATION, "30s", 1},    {KMESOS_CLI_DURATION, "5m", 1},
        {KMESOS_CLI_DURATION, "2h", 1},     {KMESOS_CLI_DURATION, "7d", 1},
        {KMESOS_CLI_DURATION, "500ms", 1},  {KMESOS_CLI_DURATION, "1.5h", 1},
        {KMESOS_CLI_DURATION, "1w", 1},     {KMESOS_CLI_DURATION, "0s", 1},
        {KMESOS_CLI_DURATION, "5", 0},      {KMESOS_CLI_DURATION, "5x", 0},
        {KMESOS_CLI_DURATION, "-5s", 0},    {KMESOS_CLI_DURATION, "s", 0},
        {KMESOS_CLI_DURATION, "1.h", 0},    {KMESOS_CLI_DURATION, "5 m", 0},
        {KMESOS_CLI_DURATION, "", 0},       {KMESOS_CLI_KV_LIST, "a=1,b.c=2", 1},
        {KMESOS_CLI_KV_LIST, "", 1},        {KMESOS_CLI_KV_LIST, "a=", 1},
        {KMESOS_CLI_KV_LIST, "log.dirs=/a,/b", 1}, /* continuation, as Kafka reads it */
        {KMESOS_CLI_KV_LIST, "a", 0},       {KMESOS_CLI_KV_LIST, "=1", 0},
        {KMESOS_CLI_KV_LIST, "a,b=1", 0},   {KMESOS_CLI_KV_LIST, "a=1\nb=2", 0},
        {KMESOS_CLI_CONSTRAINTS, "hostname=unique;rack=like:r[12]", 1},
        {KMESOS_CLI_CONSTRAINTS, "rack=groupBy:3;zone=cluster:a;h=unlike:x.{1,3}", 1},
        {KMESOS_CLI_CONSTRAINTS, "rack=groupBy;h=cluster;", 1},
        {KMESOS_CLI_CONSTRAINTS, "", 1},
        {KMESOS_CLI_CONSTRAINTS, "hostname", 0},
        {KMESOS_CLI_CONSTRAINTS, "hostname=unique,rack=like:r1", 0}, /* ',' is not the separator */
        {KMESOS_CLI_CONSTRAINTS, "rack=bogus", 0},
        {KMESOS_CLI_CONSTRAINTS, "rack=groupBy:x", 0},
        {KMESOS_CLI_CONSTRAINTS, "rack=groupBy:0", 0},
        {KMESOS_CLI_CONSTRAINTS, "rack=like:", 0},
        {KMESOS_CLI_CONSTRAINTS, "h=unique:1", 0},
        {KMESOS_CLI_CONSTRAINTS, "=unique", 0},
        {KMESOS_CLI_TOPIC, "events.v1_a-b", 1}, {KMESOS_CLI_TOPIC, "", 0},
        {KMESOS_CLI_TOPIC, "a b", 0},       {KMESOS_CLI_TOPIC, "..", 0},
        {KMESOS_CLI_PATH, "/var/lib/kafka", 1}, {KMESOS_CLI_PATH, "/a,/b", 1},
        {KMESOS_CLI_PATH, "", 1},           {KMESOS_CLI_PATH, "data", 0},
        {KMESOS_CLI_PATH, "/a,b", 0},       {KMESOS_CLI_PATH, "/a b", 0},
        {KMESOS_CLI_TEXT, "", 1},           {KMESOS_CLI_TEXT, "-XX:+UseG1GC -Xss1m", 1},
    };
    char err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = 0;
        int rc = kmesos_cli_value_check(cases[i].kind, cases[i].text, err, sizeof err);
        if ((rc == 0) != cases[i].ok)
            fprintf(stderr, "  kind %d '%s': rc %d (%s)\n", (int)cases[i].kind, cases[i].text, rc,
                    err);
        CHECK_INT(rc == 0, cases[i].ok);
        CHECK(cases[i].ok || strlen(err) > 10);
    }
}

static void test_duration_ms(void)
{
    long long ms = -1;
    CHECK_INT(kmesos_cli_value_duration_ms("30s", &ms), 0);
    CHECK_INT(ms, 30000);
    CHECK_INT(kmesos_cli_value_duration_ms("7d", &ms), 0);
    CHECK_INT(ms, 7LL * 86400 * 1000);
    CHECK_INT(kmesos_cli_value_duration_ms("250ms", &ms), 0);
    CHECK_INT(ms, 250);
    CHECK_INT(kmesos_cli_value_duration_ms("1.5h", &ms), 0);
    CHECK_INT(ms, 5400000);
    CHECK_INT(kmesos_cli_value_duration_ms("9999999999d", &ms), -1);
}

/* --- argument parsing --------------------------------------------------- */

static const char *setting(const kmesos_cli_args *a, const char *flag)
{
    for (size_t i = 0; i < a->nsettings; i++)
        if (strcmp(a->settings[i].option->flag, flag) == 0)
            return a->settings[i].value;
    return NULL;
}

static void test_args_broker_add(void)
{
    kmesos_cli_args a;
    CHECK_INT(parse(&a, "broker add 0..2 --cpus 1 --mem=2048 --heap 1024 --port auto "
                        "--failover-delay 30s --stickiness-period 10m --data-dir /srv/kafka"),
              0);
    CHECK_TEXT(a.resource->name, "broker");
    CHECK_TEXT(a.verb->name, "add");
    CHECK_TEXT(a.expr, "0..2");
    CHECK_INT(a.nsettings, 7);
    CHECK_TEXT(setting(&a, "cpus"), "1");
    CHECK_TEXT(setting(&a, "mem"), "2048");
    CHECK_TEXT(setting(&a, "failover-delay"), "30s");
    CHECK_TEXT(setting(&a, "data-dir"), "/srv/kafka");
    CHECK(!a.json && !a.help && !a.api);
    int rc = parse(&a, "broker update 0 --ssl-port auto --sasl-port 9094 --ssl-keystore "
                       "file:///k.p12 --ssl-truststore /t.p12 --ssl-secrets /s "
                       "--inter-broker-protocol SSL --sasl-mechanism SCRAM-SHA-256 "
                       "--advertised-host kafka0.example.com");
    CHECK_INT(rc, 0);
    CHECK_INT(a.nsettings, 8);
    CHECK_TEXT(a.settings[0].option->param, "ssl_port");
    CHECK_TEXT(setting(&a, "ssl-keystore"), "file:///k.p12");
    CHECK_TEXT(setting(&a, "advertised-host"), "kafka0.example.com");
    CHECK_TEXT(setting(&a, "inter-broker-protocol"), "SSL");
}

static void test_args_globals_anywhere(void)
{
    kmesos_cli_args a;
    CHECK_INT(parse(&a, "--api http://h:1 broker list --json"), 0);
    CHECK_TEXT(a.api, "http://h:1");
    CHECK(a.json);
    CHECK(a.expr == NULL);
    CHECK_INT(parse(&a, "status --api=h:2"), 0);
    CHECK_TEXT(a.api, "h:2");
    CHECK_TEXT(a.command->name, "status");
    CHECK_INT(parse(&a, "broker --json remove 3 --api x:1"), 0);
    CHECK_TEXT(a.verb->name, "remove");
    CHECK_TEXT(a.expr, "3");
}

static void test_args_value_with_dash(void)
{
    char *argv[] = {"kmesos", "broker", "update", "*", "--jvm-options", "-Xss1m -XX:+UseG1GC",
                    "--options", "", NULL};
    kmesos_cli_args a;
    CHECK_INT(kmesos_cli_args_parse(&a, 8, argv), 0);
    CHECK_TEXT(setting(&a, "jvm-options"), "-Xss1m -XX:+UseG1GC");
    CHECK_TEXT(setting(&a, "options"), "");
    CHECK_TEXT(a.expr, "*");
    /* a value is taken as it is, even when it looks like a flag */
    char *argv2[] = {"kmesos", "broker", "add", "0", "--jvm-options", "--json", NULL};
    CHECK_INT(kmesos_cli_args_parse(&a, 6, argv2), 0);
    CHECK_TEXT(setting(&a, "jvm-options"), "--json");
    CHECK(!a.json);
    /* after "--" everything is a word */
    CHECK_INT(parse(&a, "broker list -- 0,1"), 0);
    CHECK_TEXT(a.expr, "0,1");
    CHECK_INT(parse(&a, "broker list -- --json"), -1);
    CHECK(contains(a.error, "bad id expression '--json'"));
}

static void test_args_clients_table_driven(void)
{
    kmesos_cli_args a;
    CHECK_INT(parse(&a, "producer add 0 --topic events --cpus 0.5 --command run"), 0);
    CHECK_TEXT(a.resource->path, "/api/producer");
    CHECK_TEXT(setting(&a, "topic"), "events");
    CHECK_INT(parse(&a, "consumer list"), 0);
    CHECK_TEXT(a.resource->plural, "consumers");
    CHECK_INT(parse(&a, "producer add 0 --topic t --heap 512 --jvm-options -Xss1m "
                        "--constraints rack=like:r1 --failover-delay 5s "
                        "--failover-max-delay 1m --failover-max-tries none"), 0);
    CHECK_TEXT(setting(&a, "heap"), "512");
    CHECK_TEXT(setting(&a, "jvm-options"), "-Xss1m");
    CHECK_TEXT(setting(&a, "constraints"), "rack=like:r1");
    CHECK_TEXT(setting(&a, "failover-delay"), "5s");
    CHECK_TEXT(setting(&a, "failover-max-delay"), "1m");
    CHECK_TEXT(setting(&a, "failover-max-tries"), "none");
    CHECK_INT(parse(&a, "consumer update 0 --failover-delay soon"), -1);
    CHECK(contains(a.error, "--failover-delay 'soon'"));
    CHECK_INT(parse(&a, "consumer update 0 --constraints rack"), -1);
    CHECK(contains(a.error, "--constraints 'rack'"));
    CHECK_INT(parse(&a, "producer add 0 --port 9092"), -1);
    CHECK(strcmp(a.error, "producer add: --port is a broker-only option (a producer has no "
                          "port, data dir or stickiness)") == 0);
    CHECK_INT(parse(&a, "consumer update 0 --stickiness-period 1m"), -1);
    CHECK(contains(a.error, "--stickiness-period is a broker-only option"));
    CHECK_INT(parse(&a, "producer add 0 --colour red"), -1);
    CHECK(strcmp(a.error, "producer add: unknown option --colour") == 0);
    CHECK_INT(parse(&a, "broker add 0 --topic t"), -1);
    CHECK(strcmp(a.error, "broker add: unknown option --topic") == 0);
}

typedef struct usage_case {
    const char *line;
    const char *error;
} usage_case;

static void test_args_usage_errors(void)
{
    static const usage_case cases[] = {
        {"", "missing the command"},
        {"frobnicate", "unknown command 'frobnicate'"},
        {"broker", "broker: missing the action"},
        {"broker frob 0", "broker: unknown action 'frob'"},
        {"broker add", "broker add: missing the ids"},
        {"broker add x..y", "broker add: bad id expression 'x..y'"},
        {"broker add 4..0", "broker add: bad id expression '4..0': range '4..0' runs backwards"},
        {"broker add 0 --cpus -1", "broker add: --cpus '-1': expected a non-negative number"},
        {"broker add 0 --mem lots", "broker add: --mem 'lots': expected a non-negative whole"},
        {"broker add 0 --port 99999", "broker add: --port '99999': expected auto"},
        {"broker add 0 --failover-max-tries 0",
         "--failover-max-tries '0': expected a whole number >= 1"},
        {"broker add 0 --failover-delay 5", "--failover-delay '5': expected a duration"},
        {"broker add 0 --failover-max-tries -3", "--failover-max-tries '-3'"},
        {"broker add 0 --options a", "--options 'a': expected key=value"},
        {"broker add 0 --constraints rack=near:1", "--constraints 'rack=near:1': expected attr=OP"},
        {"broker add 0 --data-dir data", "--data-dir 'data': expected an absolute path"},
        {"broker add 0 --cpus 1 --cpus 2", "broker add: --cpus given twice"},
        {"broker add 0 --bogus 1", "broker add: unknown option --bogus"},
        {"broker add 0 --cpus", "--cpus needs a value"},
        {"broker add 0 1", "broker add: unexpected argument '1'"},
        {"broker update 0", "broker update: nothing to change"},
        {"topic", "topic: missing the action (add, update, delete, list)"},
        {"topic add", "topic add: missing the topic's name"},
        {"topic add a/b", "topic add: bad topic name 'a/b'"},
        {"topic add t --partitions x", "topic add: --partitions 'x'"},
        {"topic add t --cpus 1", "topic add: unknown option --cpus"},
        {"topic update t", "topic update: nothing to change; give at least one option, e.g. "
                           "--partitions"},
        {"topic delete t --partitions 2", "topic delete: --partitions is an option of add and "
                                          "update only"},
        {"topic remove t", "topic: unknown action 'remove'"},
        {"broker list --mem 1", "broker list: --mem is an option of add, clone and update only"},
        {"broker start 0 --cpus 1", "broker start: --cpus is an option of add, clone and update only"},
        {"status now", "status: unexpected argument 'now'"},
        {"status --cpus 1", "status: unknown option --cpus"},
        {"help frob", "help: unknown command 'frob'"},
        {"help broker frob", "help: broker has no action 'frob'"},
        {"help status x", "help: status has no actions"},
        {"--api", "--api needs a value"},
        {"producer add 0 --topic bad/topic", "--topic 'bad/topic': expected a topic name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kmesos_cli_args a;
        int rc = parse(&a, cases[i].line);
        if (rc != -1 || !contains(a.error, cases[i].error))
            fprintf(stderr, "  '%s': rc %d, error '%s'\n", cases[i].line, rc, a.error);
        CHECK_INT(rc, -1);
        CHECK(contains(a.error, cases[i].error));
    }
}

static void test_args_help(void)
{
    kmesos_cli_args a;
    CHECK_INT(parse(&a, "broker add --help"), 0);
    CHECK(a.help && a.resource && a.verb && !a.expr);
    CHECK_INT(parse(&a, "help broker add"), 0);
    CHECK(a.help);
    CHECK_TEXT(a.verb->name, "add");
    CHECK_INT(parse(&a, "help"), 0);
    CHECK(a.help && !a.resource && !a.command);
    CHECK_INT(parse(&a, "-h"), 0);
    CHECK(a.help && !a.resource && !a.command);
    CHECK_INT(parse(&a, "status -h"), 0);
    CHECK(a.help);
    CHECK_TEXT(a.command->name, "status");
    CHECK_INT(parse(&a, "consumer --help"), 0);
    CHECK(a.help && a.resource && !a.verb);
    /* help does not excuse an unknown action */
    CHECK_INT(parse(&a, "broker frob --help"), -1);
}

/* --- URLs ----------------------------------------------------------------- */

static void check_base(const char *api, const char *want)
{
    char err[256] = "";
    char *base = kmesos_cli_url_base(api, err, sizeof err);
    CHECK_TEXT(base, want);
    free(base);
}

static void test_url_base(void)
{
    check_base("http://127.0.0.1:7000", "http://127.0.0.1:7000");
    check_base("127.0.0.1:7000", "http://127.0.0.1:7000");
    check_base("http://h:7000/", "http://h:7000");
    check_base("http://h:7000/api/", "http://h:7000");
    check_base("https://h", "https://h");
    const char *bad[] = {"", "ftp://h:1", "http://", "http://:7000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        char *base = kmesos_cli_url_base(bad[i], err, sizeof err);
        CHECK(base == NULL);
        CHECK(strlen(err) > 0);
        free(base);
    }
}

static void test_url_escaping(void)
{
    kmesos_cli_param params[] = {
        {"broker", "0..2"},
        {"jvm_options", "-Xss1m -XX:+UseG1GC"},
        {"options", "a=1,b=x&y"},
        {"constraints", "rack=like:r[12]"},
        {"data_dir", "/srv/kafka data"},
        {"x", ""},
    };
    char *url = kmesos_cli_url_build("http://h:1", "/api/broker/add", params, 6);
    CHECK_TEXT(url, "http://h:1/api/broker/add?broker=0..2&jvm_options=-Xss1m%20-XX%3A%2BUseG1GC"
                   "&options=a%3D1%2Cb%3Dx%26y&constraints=rack%3Dlike%3Ar%5B12%5D"
                   "&data_dir=%2Fsrv%2Fkafka%20data&x=");
    free(url);
    url = kmesos_cli_url_build("http://h:1", "/api/status", NULL, 0);
    CHECK_TEXT(url, "http://h:1/api/status");
    free(url);
}

static void check_request(const char *line, const char *method, const char *url)
{
    kmesos_cli_args a;
    CHECK_INT(parse(&a, line), 0);
    CHECK_TEXT(kmesos_cli_run_method(&a), method);
    char *got = kmesos_cli_run_url(&a, "http://h:1");
    CHECK_TEXT(got, url);
    free(got);
}

static void test_request_urls(void)
{
    check_request("broker list", "GET", "http://h:1/api/broker/list");
    check_request("broker list 0,2", "GET", "http://h:1/api/broker/list?broker=0%2C2");
    check_request("broker add 0..2 --cpus 0.5 --mem 256", "POST",
                  "http://h:1/api/broker/add?broker=0..2&cpus=0.5&mem=256");
    check_request("broker update * --failover-max-tries 3 --stickiness-period 1h", "POST",
                  "http://h:1/api/broker/update?broker=%2A&failover_max_tries=3"
                  "&stickiness_period=1h");
    check_request("broker remove 1", "POST", "http://h:1/api/broker/remove?broker=1");
    check_request("broker remove 4 --force", "POST",
                  "http://h:1/api/broker/remove?broker=4&force=true");
    check_request("broker rebalance * --topics ^t --throttle 1000", "POST",
                  "http://h:1/api/broker/rebalance?broker=%2A&topics=%5Et&throttle=1000");
    check_request("broker rebalance", "POST", "http://h:1/api/broker/rebalance");
    check_request("broker rebalance 0..4 --wait", "POST",
                  "http://h:1/api/broker/rebalance?broker=0..4");
    check_request("broker rebalance --cancel", "POST",
                  "http://h:1/api/broker/rebalance?cancel=true");
    check_request("broker start *", "POST", "http://h:1/api/broker/start?broker=%2A");
    check_request("broker stop 0", "POST", "http://h:1/api/broker/stop?broker=0");
    check_request("broker restart 0..1", "POST", "http://h:1/api/broker/restart?broker=0..1");
    check_request("producer add 0 --topic t", "POST",
                  "http://h:1/api/producer/add?producer=0&topic=t");
    check_request("consumer stop 1", "POST", "http://h:1/api/consumer/stop?consumer=1");
    check_request("topic list", "GET", "http://h:1/api/topic/list");
    check_request("topic list t.1", "GET", "http://h:1/api/topic/list?topic=t.1");
    check_request("topic add t --partitions 3 --replication-factor 2 --options "
                  "cleanup.policy=compact,delete",
                  "POST", "http://h:1/api/topic/add?topic=t&partitions=3&replication_factor=2"
                  "&options=cleanup.policy%3Dcompact%2Cdelete");
    check_request("topic update t --options retention.ms=", "POST",
                  "http://h:1/api/topic/update?topic=t&options=retention.ms%3D");
    check_request("topic delete t", "POST", "http://h:1/api/topic/delete?topic=t");
    check_request("status", "GET", "http://h:1/api/status");
    check_request("tasks", "GET", "http://h:1/api/tasks");
    check_request("policy", "GET", "http://h:1/api/policy");
}

/* --- rendering ---------------------------------------------------------- */

static const char *sample_brokers =
    "{\"brokers\":["
    "{\"id\":0,\"active\":true,\"rack\":\"r1\",\"cpus\":1,\"mem\":2048,\"heap\":1024,\"port\":\"auto\","
    "\"failover\":{\"delay\":\"1m\",\"max_delay\":\"10m\",\"max_tries\":null,\"failures\":0},"
    "\"task\":{\"id\":\"broker-0-1\",\"state\":\"TASK_RUNNING\",\"hostname\":\"node-a\","
    "\"endpoint\":\"node-a:9092\",\"agent_id\":\"S1\"},\"last_failure\":null},"
    "{\"id\":1,\"active\":false,\"cpus\":0.5,\"mem\":512,\"heap\":256,\"task\":null,"
    "\"last_failure\":\"TASK_FAILED: exited with 1\"},"
    "{\"id\":12,\"active\":true,\"cpus\":2,\"mem\":4096,\"heap\":2048,"
    "\"task\":{\"state\":\"TASK_STAGING\",\"hostname\":\"n\"},"
    "\"last_failure\":{\"message\":\"agent lost\",\"time\":\"t\"}}"
    "]}";

/* Runs view into a memory stream; returns the text (caller frees). */
static char *render(void (*view)(FILE *, const json_t *), const char *json_text)
{
    json_t *answer = json_loads(json_text, 0, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    view(f, answer);
    fclose(f);
    json_decref(answer);
    return text;
}

static void view_brokers(FILE *out, const json_t *answer)
{
    const kmesos_cli_resource *res = kmesos_cli_spec_resource("broker");
    CHECK_INT(kmesos_cli_view_answer(out, res, kmesos_cli_spec_verb(res, "list"), answer), 0);
}

static void view_started(FILE *out, const json_t *answer)
{
    const kmesos_cli_resource *res = kmesos_cli_spec_resource("broker");
    CHECK_INT(kmesos_cli_view_answer(out, res, kmesos_cli_spec_verb(res, "start"), answer), 0);
}

static void view_removed(FILE *out, const json_t *answer)
{
    const kmesos_cli_resource *res = kmesos_cli_spec_resource("broker");
    CHECK_INT(kmesos_cli_view_answer(out, res, kmesos_cli_spec_verb(res, "remove"), answer), 0);
}

static void view_restarting(FILE *out, const json_t *answer)
{
    const kmesos_cli_resource *res = kmesos_cli_spec_resource("broker");
    CHECK_INT(kmesos_cli_view_answer(out, res, kmesos_cli_spec_verb(res, "restart"), answer), 0);
}

static void test_view_broker_table(void)
{
    char *text = render(view_brokers, sample_brokers);
    CHECK_TEXT(text,
              "ID  ACTIVE  STATE         HOST    RACK  ENDPOINT     CPUS  MEM   HEAP  LAST FAILURE\n"
              "0   yes     TASK_RUNNING  node-a  r1    node-a:9092  1     2048  1024  -\n"
              "1   no      -             -       -     -            0.5   512   256   "
              "TASK_FAILED: exited with 1\n"
              "12  yes     TASK_STAGING  n       -     -            2     4096  2048  agent lost\n");
    free(text);
    text = render(view_brokers, "{\"brokers\":[]}");
    CHECK_TEXT(text, "no brokers\n");
    free(text);
    text = render(view_started, "{\"brokers\":[{\"id\":3,\"active\":true}]}");
    CHECK(contains(text, "brokers started:\nID  ACTIVE  STATE"));
    CHECK(contains(text, "\n3   yes     -"));
    free(text);
}

static void test_view_ids(void)
{
    char *text = render(view_removed, "{\"removed\":[0,2]}");
    CHECK_TEXT(text, "removed brokers: 0, 2\n");
    free(text);
    text = render(view_restarting, "{\"restarting\":[]}");
    CHECK_TEXT(text, "restarting brokers: none\n");
    free(text);
    text = render(view_removed, "{\"draining\":[4]}");
    CHECK_TEXT(text, "draining (removed when their partitions moved) brokers: 4\n");
    free(text);
    text = render(view_removed, "{\"rebalance\":{\"state\":\"moving\"}}");
    CHECK(contains(text, "\"state\": \"moving\""));
    free(text);
    const kmesos_cli_resource *res = kmesos_cli_spec_resource("broker");
    json_t *odd = json_pack("{s:i}", "ok", 1);
    CHECK_INT(kmesos_cli_view_answer(stdout, res, kmesos_cli_spec_verb(res, "list"), odd), -1);
    json_decref(odd);
}

static void test_view_cells(void)
{
    char buf[64];
    json_t *v = json_pack("{s:n, s:b, s:f, s:i, s:s, s:[s,s], s:{s:i}}", "null", "bool", 0,
                          "real", 0.25, "int", 42, "empty", "", "list", "a", "b", "obj", "k", 1);
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "null"), buf, sizeof buf), "-");
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "missing"), buf, sizeof buf), "-");
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "bool"), buf, sizeof buf), "no");
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "real"), buf, sizeof buf), "0.25");
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "int"), buf, sizeof buf), "42");
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "empty"), buf, sizeof buf), "-");
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "list"), buf, sizeof buf), "[\"a\",\"b\"]");
    CHECK_TEXT(kmesos_cli_view_cell(json_object_get(v, "obj"), buf, sizeof buf), "{\"k\":1}");
    CHECK(kmesos_cli_view_lookup(v, "obj.k") != NULL);
    CHECK(kmesos_cli_view_lookup(v, "obj.k.z") == NULL);
    CHECK(kmesos_cli_view_lookup(v, "int.x") == NULL);
    json_decref(v);
}

static void test_view_status(void)
{
    char *text = render(kmesos_cli_view_status,
                        "{\"framework_id\":\"fw-1\",\"subscribed\":true,\"pending_tasks\":0,"
                        "\"bootstrap_servers\":\"a:9092,b:9092\","
                        "\"session\":{\"state\":\"subscribed\",\"reconnects\":0},"
                        "\"tasks\":[{\"id\":\"t1\",\"workload\":\"svc\",\"phase\":\"active\","
                        "\"state\":\"TASK_RUNNING\",\"hostname\":\"h\",\"failures\":0},"
                        "{\"id\":\"b0\",\"workload\":\"broker-0\",\"phase\":\"active\","
                        "\"state\":\"TASK_FAILED\",\"hostname\":\"h\",\"endpoint\":\"h:9092\","
                        "\"failures\":1,\"last_failure\":\"exited with status 1\"}]}");
    CHECK(contains(text, "framework id        fw-1\n"));
    CHECK(contains(text, "subscribed          yes\n"));
    CHECK(contains(text, "bootstrap servers   a:9092,b:9092\n"));
    CHECK(contains(text, "session             state=subscribed reconnects=0\n"));
    CHECK(contains(text, "\nID  WORKLOAD  PHASE   STATE         HOST  ENDPOINT  FAILURES  WAITING  "
                         "LAST FAILURE\n"
                         "t1  svc       active  TASK_RUNNING  h     -         0         -        -\n"
                         "b0  broker-0  active  TASK_FAILED   h     h:9092    1         -        "
                         "exited with status 1\n"));
    free(text);
}

static void test_view_policy(void)
{
    char *text = render(kmesos_cli_view_policy, "{\"chain\":\"none\"}");
    CHECK_TEXT(text, "policy chain: none\n");
    free(text);
    text = render(kmesos_cli_view_policy,
                  "{\"chain\":[{\"name\":\"delay\",\"path\":\"p/delay.lua\"}],\"reloads\":2,"
                  "\"reload_error\":null}");
    CHECK_TEXT(text, "policy chain (in order):\n  1. delay  p/delay.lua\n"
                    "reloads             2\nreload error        -\n");
    free(text);
    text = render(kmesos_cli_view_tasks, "[]");
    CHECK_TEXT(text, "no tasks\n");
    free(text);
}

static void test_table(void)
{
    const char *headers[] = {"A", "LONG HEADER", "C"};
    kmesos_cli_table *t = kmesos_cli_table_new(headers, 3);
    const char *row1[] = {"wide cell", NULL, "end"};
    CHECK_INT(kmesos_cli_table_add(t, row1), 0);
    CHECK_INT(kmesos_cli_table_rows(t), 1);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    kmesos_cli_table_print(t, f);
    fclose(f);
    CHECK_TEXT(text, "A          LONG HEADER  C\nwide cell  -            end\n");
    free(text);
    kmesos_cli_table_free(t);
    CHECK(kmesos_cli_table_new(headers, 0) == NULL);
}

/* --- whole runs ----------------------------------------------------------- */

typedef struct run_result {
    int rc;
    char *out;
    char *err;
} run_result;

static run_result run_line(const char *line, const char *env_api)
{
    static char buf[1024];
    char *argv[MAX_ARGV];
    int argc = split(buf, sizeof buf, line, argv);
    run_result r = {0, NULL, NULL};
    size_t olen = 0, elen = 0;
    kmesos_cli_io io = {open_memstream(&r.out, &olen), open_memstream(&r.err, &elen), env_api, NULL};
    r.rc = kmesos_cli_run(&io, argc, argv);
    fclose(io.out);
    fclose(io.err);
    return r;
}

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

/* A loopback port nobody listens on (bound, then closed). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    bind(fd, (struct sockaddr *)&sa, sizeof sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    close(fd);
    return ntohs(sa.sin_port);
}

static void test_run_usage(void)
{
    run_result r = run_line("broker add 0 --mem -1", NULL);
    CHECK_INT(r.rc, KMESOS_CLI_EXIT_USAGE);
    CHECK_TEXT(r.out, "");
    CHECK(contains(r.err, "kmesos: broker add: --mem '-1'"));
    CHECK(contains(r.err, "Run 'kmesos help broker add' for usage."));
    run_free(&r);
    r = run_line("status", "ftp://nowhere");
    CHECK_INT(r.rc, KMESOS_CLI_EXIT_USAGE);
    CHECK(contains(r.err, "KMESOS_API 'ftp://nowhere'"));
    run_free(&r);
}

static void test_run_help(void)
{
    run_result r = run_line("help broker add", NULL);
    CHECK_INT(r.rc, 0);
    CHECK(contains(r.out, "Usage: kmesos broker add EXPR [OPTIONS]"));
    CHECK(contains(r.out, "--failover-max-delay DUR"));
    CHECK(contains(r.out, "Examples:\n  kmesos broker add 0..2"));
    CHECK(!contains(r.out, "kmesos broker start"));
    CHECK_TEXT(r.err, "");
    run_free(&r);
    r = run_line("--help", NULL);
    CHECK_INT(r.rc, 0);
    CHECK(contains(r.out, "  broker"));
    CHECK(contains(r.out, "  producer"));
    CHECK(contains(r.out, "  policy"));
    run_free(&r);
    /* every workload, action and command has help with an example */
    const kmesos_cli_resource *res;
    for (size_t i = 0; (res = kmesos_cli_spec_resource_at(i)); i++) {
        for (size_t v = 0; res->verbs[v]; v++) {
            char line[128];
            snprintf(line, sizeof line, "%s %s --help", res->name, res->verbs[v]);
            r = run_line(line, NULL);
            CHECK_INT(r.rc, 0);
            char example[128];
            snprintf(example, sizeof example, "  kmesos %s %s", res->name, res->verbs[v]);
            if (!contains(r.out, example))
                fprintf(stderr, "  no example in '%s'\n", line);
            CHECK(contains(r.out, example));
            run_free(&r);
        }
    }
    const kmesos_cli_command *cmd;
    for (size_t i = 0; (cmd = kmesos_cli_spec_command_at(i)); i++) {
        char line[64];
        snprintf(line, sizeof line, "help %s", cmd->name);
        r = run_line(line, NULL);
        CHECK_INT(r.rc, 0);
        CHECK(contains(r.out, "Examples:\n  kmesos"));
        run_free(&r);
    }
}

static void test_run_unreachable(void)
{
    char api[64], line[128];
    snprintf(api, sizeof api, "http://127.0.0.1:%d", closed_port());
    snprintf(line, sizeof line, "--api %s broker list", api);
    run_result r = run_line(line, NULL);
    CHECK_INT(r.rc, KMESOS_CLI_EXIT_FAILED);
    char want[128];
    snprintf(want, sizeof want, "kmesos: cannot reach the scheduler API at %s: ", api);
    CHECK(contains(r.err, want));
    CHECK_TEXT(r.out, "");
    run_free(&r);
    r = run_line("status --json", api + 7); /* from $KMESOS_API, without the scheme */
    CHECK_INT(r.rc, KMESOS_CLI_EXIT_FAILED);
    CHECK(contains(r.err, want));
    run_free(&r);
}

/* rebalance --wait: the progress line, and when it ends. */
static void test_wait_line(void)
{
    char line[300];
    json_t *j = json_loads("{\"rebalance\":{\"state\":\"moving\",\"partitions\":7,"
                           "\"moved\":3,\"bytes\":20100000,\"bytes_moved\":12000000,"
                           "\"eta_s\":5.2}}", 0, NULL);
    CHECK_INT(kmesos_cli_wait_line(j, line, sizeof line), 0);
    CHECK_STR(line, "rebalance moving: 3/7 partitions, 12.0/20.1 MB, ETA 5s");
    json_decref(j);
    j = json_loads("{\"rebalance\":{\"state\":\"failed\",\"partitions\":0,\"moved\":0,"
                   "\"bytes\":0,\"bytes_moved\":0,\"eta_s\":-1,\"error\":\"no\"}}", 0, NULL);
    CHECK_INT(kmesos_cli_wait_line(j, line, sizeof line), 1);
    CHECK_STR(line, "rebalance failed: 0/0 partitions, 0.0/0.0 MB (no)");
    json_decref(j);
    j = json_loads("{\"brokers\":[]}", 0, NULL);
    CHECK_INT(kmesos_cli_wait_line(j, line, sizeof line), -1);
    json_decref(j);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN_TEST(test_wait_line);
    RUN_TEST(test_expr_valid);
    RUN_TEST(test_expr_invalid);
    RUN_TEST(test_values);
    RUN_TEST(test_duration_ms);
    RUN_TEST(test_args_broker_add);
    RUN_TEST(test_args_globals_anywhere);
    RUN_TEST(test_args_value_with_dash);
    RUN_TEST(test_args_clients_table_driven);
    RUN_TEST(test_args_usage_errors);
    RUN_TEST(test_args_help);
    RUN_TEST(test_url_base);
    RUN_TEST(test_url_escaping);
    RUN_TEST(test_request_urls);
    RUN_TEST(test_view_broker_table);
    RUN_TEST(test_view_ids);
    RUN_TEST(test_view_cells);
    RUN_TEST(test_view_status);
    RUN_TEST(test_view_policy);
    RUN_TEST(test_table);
    RUN_TEST(test_run_usage);
    RUN_TEST(test_run_help);
    RUN_TEST(test_run_unreachable);
    curl_global_cleanup();
    return testlib_finish();
}
