/* test_cli_wait: `kmesos broker start|restart EXPR --wait[=DUR]` without a
 * scheduler: the flag's parsing and where it is refused, the counting of
 * list answers (start: running; restart: running again under a new task,
 * those not running before left out), and the progress output on a
 * terminal (one line rewritten) and elsewhere (a line per change). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_args.h"
#include "cli/cli_wait.h"
#include "testlib.h"

static int parse(kmesos_cli_args *a, const char *line)
{
    char buf[512], *argv[16] = {"kmesos"};
    int argc = 1;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
        argv[argc++] = w;
    return kmesos_cli_args_parse(a, argc, argv);
}

static void test_args(void)
{
    kmesos_cli_args a;
    CHECK_INT(parse(&a, "broker start 0..2 --wait"), 0);
    CHECK(a.wait);
    CHECK(a.wait_s == KMESOS_CLI_WAIT_DEFAULT_S);
    CHECK_INT(parse(&a, "broker restart * --wait=90s"), 0);
    CHECK(a.wait && a.wait_s == 90);
    CHECK_INT(parse(&a, "broker start 1"), 0);
    CHECK(!a.wait);
    CHECK_INT(parse(&a, "broker start 1 --wait=soon"), -1);
    CHECK(strstr(a.error, "--wait=DUR: 'soon'") != NULL);
    CHECK_INT(parse(&a, "broker start 1 --wait=0s"), -1);
    CHECK_INT(parse(&a, "broker stop 1 --wait"), -1);
    CHECK_STR(a.error, "broker stop: --wait goes with start, restart and rebalance only");
    CHECK_INT(parse(&a, "status --wait"), -1);
    CHECK_INT(parse(&a, "producer start 0 --wait"), 0);
    CHECK_INT(parse(&a, "help broker start --wait"), 0); /* help: nothing is sent */
}

static json_t *answer(void)
{
    return json_loads("{\"brokers\": ["
                      "{\"id\": 0, \"task\": {\"id\": \"b-0-1\", \"state\": \"TASK_RUNNING\"}},"
                      "{\"id\": 1, \"task\": {\"id\": \"b-1-2\", \"state\": \"TASK_STARTING\"}},"
                      "{\"id\": 2, \"task\": null},"
                      "{\"id\": 3, \"task\": {\"id\": \"b-3-9\", \"state\": \"TASK_RUNNING\"}}]}",
                      0, NULL);
}

static void test_count_start(void)
{
    json_t *j = answer();
    kmesos_cli_wait_count c;
    kmesos_cli_wait_count_of(j, "brokers", NULL, &c);
    CHECK_INT((int)c.total, 4);
    CHECK_INT((int)c.done, 2);
    CHECK_STR(c.missing, "1,2");
    json_decref(j);
}

static void test_count_restart(void)
{
    json_t *j = answer();
    json_t *before = kmesos_cli_wait_snapshot(j, "brokers");
    CHECK_INT((int)json_object_size(before), 2); /* 0 and 3 ran */
    kmesos_cli_wait_count c;
    kmesos_cli_wait_count_of(j, "brokers", before, &c);
    CHECK_INT((int)c.total, 2);
    CHECK_INT((int)c.done, 0); /* the same tasks: not restarted yet */
    CHECK_STR(c.missing, "0,3");
    /* broker 0 runs again under a new task; 3 is being restarted */
    json_t *after = json_loads(
        "{\"brokers\": [{\"id\": 0, \"task\": {\"id\": \"b-0-5\", \"state\": \"TASK_RUNNING\"}},"
        "{\"id\": 1, \"task\": {\"id\": \"b-1-6\", \"state\": \"TASK_RUNNING\"}},"
        "{\"id\": 3, \"task\": {\"id\": \"b-3-10\", \"state\": \"TASK_STAGING\"}}]}",
        0, NULL);
    kmesos_cli_wait_count_of(after, "brokers", before, &c);
    CHECK_INT((int)c.total, 2);
    CHECK_INT((int)c.done, 1);
    CHECK_STR(c.missing, "3");
    json_decref(after);
    json_decref(before);
    json_decref(j);
}

static char *progress(int tty)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    char last[160] = "";
    kmesos_cli_wait_count c = {3, 1, ""};
    kmesos_cli_wait_progress(out, tty, "brokers", 0, &c, last, sizeof last);
    kmesos_cli_wait_progress(out, tty, "brokers", 0, &c, last, sizeof last);
    c.done = 2;
    kmesos_cli_wait_progress(out, tty, "brokers", 0, &c, last, sizeof last);
    fclose(out);
    return text;
}

static void test_progress(void)
{
    char *plain = progress(0), *tty = progress(1);
    CHECK_STR(plain, "brokers running: 1/3\nbrokers running: 2/3\n");
    CHECK_STR(tty, "\rbrokers running: 1/3\033[K\rbrokers running: 1/3\033[K"
                    "\rbrokers running: 2/3\033[K");
    free(plain);
    free(tty);
}

int main(void)
{
    RUN_TEST(test_args);
    RUN_TEST(test_count_start);
    RUN_TEST(test_count_restart);
    RUN_TEST(test_progress);
    return testlib_finish();
}
