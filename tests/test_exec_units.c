/* Unit tests of the executor's pure pieces: Mesos duration text, the
 * environment it reads (with the reconnection settings' ranges), the exit status mapping, the unacknowledged
 * update bookkeeping (ack, resend schedule, restart) and the launch spec
 * built from a TaskInfo (shell/argv, environment overlay, readiness), and
 * the readiness probe's command runs on a real libuv loop, and the task
 * guard (this binary re-run with --kmesos-guard, as kmesos-executor is). */
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "exec/exec_config.h"
#include "exec/exec_duration.h"
#include "exec/exec_guard.h"
#include "codec/pb.h"
#include "codec/uuid.h"
#include "exec/exec_proc.h"
#include "exec/exec_ready.h"
#include "exec/exec_spec.h"
#include "exec/exec_status.h"
#include "exec/exec_updates.h"
#include "testlib.h"

#define SEC INT64_C(1000000000)

static void test_duration_units(void)
{
    int64_t ns = -1;
    CHECK_INT(kmesos_exec_duration_parse("5secs", &ns), 0);
    CHECK_INT(ns, 5 * SEC);
    CHECK_INT(kmesos_exec_duration_parse("500ms", &ns), 0);
    CHECK_INT(ns, SEC / 2);
    CHECK_INT(kmesos_exec_duration_parse("1.5mins", &ns), 0);
    CHECK_INT(ns, 90 * SEC);
    CHECK_INT(kmesos_exec_duration_parse("2hrs", &ns), 0);
    CHECK_INT(ns, 7200 * SEC);
    CHECK_INT(kmesos_exec_duration_parse("1days", &ns), 0);
    CHECK_INT(ns, 86400 * SEC);
    CHECK_INT(kmesos_exec_duration_parse("1weeks", &ns), 0);
    CHECK_INT(ns, 604800 * SEC);
    CHECK_INT(kmesos_exec_duration_parse("10us", &ns), 0);
    CHECK_INT(ns, 10000);
    CHECK_INT(kmesos_exec_duration_parse("7ns", &ns), 0);
    CHECK_INT(ns, 7);
    CHECK_INT(kmesos_exec_duration_parse("3", &ns), 0);
    CHECK_INT(ns, 3 * SEC);
    CHECK_INT(kmesos_exec_duration_parse("15m", &ns), 0);
    CHECK_INT(ns, 900 * SEC);
}

static void test_duration_refuses_garbage(void)
{
    int64_t ns = 42;
    const char *bad[] = {"", "secs", "5 secs", "-1secs", "5parsecs", "nan", "inf", " 5secs",
                         "5secs ", "1e30weeks", "0x10secs", "0x1p4", "+5secs", "infsecs",
                         "1e400", "-0.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(kmesos_exec_duration_parse(bad[i], &ns), -1);
    CHECK_INT(kmesos_exec_duration_parse(NULL, &ns), -1);
    CHECK_INT(ns, 42);
}

/* ---- config ----------------------------------------------------------------- */

static const char *table_get(void *arg, const char *name)
{
    const char *const *kv = arg;
    for (; *kv; kv += 2)
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    return NULL;
}

static void test_config_from_agent_environment(void)
{
    /* values of executor-kill/x1_exec/environment.txt */
    const char *env[] = {
        "MESOS_AGENT_ENDPOINT", "127.0.0.1:5051",
        "MESOS_FRAMEWORK_ID", "79cddc2b-d70b-4e52-b13a-328e10bbb5fc-0000",
        "MESOS_EXECUTOR_ID", "capexec-1",
        "MESOS_DIRECTORY", "/srv/dir",
        "MESOS_SANDBOX", "/srv/sandbox",
        "MESOS_CHECKPOINT", "0",
        "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "5secs",
        NULL};
    kmesos_exec_config c;
    char err[256] = "";
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)env, err, sizeof err), 0);
    CHECK_STR(c.agent_url, "http://127.0.0.1:5051/api/v1/executor");
    CHECK_STR(c.framework_id, "79cddc2b-d70b-4e52-b13a-328e10bbb5fc-0000");
    CHECK_STR(c.executor_id, "capexec-1");
    CHECK_STR(c.sandbox, "/srv/sandbox");
    CHECK_INT(c.checkpoint, 0);
    CHECK_INT(c.shutdown_grace_ns, 5 * SEC);
    CHECK_INT(c.recovery_ns, 15 * 60 * SEC);
    CHECK_INT(c.backoff_max_ns, 2 * SEC);
    kmesos_exec_config_free(&c);
}

/* A checkpointing framework's executor gets both variables, in stout's
 * format (src/slave/slave.cpp, executorEnvironment: MESOS_RECOVERY_TIMEOUT
 * = recovery_timeout, MESOS_SUBSCRIPTION_BACKOFF_MAX =
 * executor_reregistration_timeout). Without checkpointing Mesos' library
 * reads neither (src/executor/executor.cpp), and nor do we. */
static void test_config_reconnection(void)
{
    kmesos_exec_config c;
    char err[256] = "";
    const char *ck[] = {"MESOS_AGENT_ENDPOINT", "h:1", "MESOS_EXECUTOR_ID", "e",
                        "MESOS_FRAMEWORK_ID", "f", "MESOS_CHECKPOINT", "1",
                        "MESOS_RECOVERY_TIMEOUT", "15mins",
                        "MESOS_SUBSCRIPTION_BACKOFF_MAX", "2secs", NULL};
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)ck, err, sizeof err), 0);
    CHECK_INT(c.checkpoint, 1);
    CHECK_INT(c.recovery_ns, 900 * SEC);
    CHECK_INT(c.backoff_max_ns, 2 * SEC);
    kmesos_exec_config_free(&c);
    /* values in range: 500ms, and a recovery of 0 (give up at the loss) */
    const char *ok[] = {"MESOS_AGENT_ENDPOINT", "h:1", "MESOS_EXECUTOR_ID", "e",
                        "MESOS_FRAMEWORK_ID", "f", "MESOS_CHECKPOINT", "1",
                        "MESOS_RECOVERY_TIMEOUT", "0ns",
                        "MESOS_SUBSCRIPTION_BACKOFF_MAX", "500ms", NULL};
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)ok, err, sizeof err), 0);
    CHECK_INT(c.recovery_ns, 0);
    CHECK_INT(c.backoff_max_ns, SEC / 2);
    kmesos_exec_config_free(&c);
    /* out of range or not a duration: refused, naming the variable */
    const char *bad[][2] = {{"MESOS_SUBSCRIPTION_BACKOFF_MAX", "0secs"},
                            {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "999us"},
                            {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "61mins"},
                            {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "2 secs"},
                            {"MESOS_SUBSCRIPTION_BACKOFF_MAX", "-1secs"},
                            {"MESOS_RECOVERY_TIMEOUT", "366days"},
                            {"MESOS_RECOVERY_TIMEOUT", "1e30weeks"},
                            {"MESOS_RECOVERY_TIMEOUT", "soon"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *env[] = {"MESOS_AGENT_ENDPOINT", "h:1", "MESOS_EXECUTOR_ID", "e",
                             "MESOS_FRAMEWORK_ID", "f", "MESOS_CHECKPOINT", "1",
                             bad[i][0], bad[i][1], NULL};
        err[0] = 0;
        CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)env, err, sizeof err), -1);
        CHECK(strstr(err, bad[i][0]) != NULL);
    }
    /* the edges themselves are accepted */
    const char *edge[] = {"MESOS_AGENT_ENDPOINT", "h:1", "MESOS_EXECUTOR_ID", "e",
                          "MESOS_FRAMEWORK_ID", "f", "MESOS_CHECKPOINT", "1",
                          "MESOS_RECOVERY_TIMEOUT", "365days",
                          "MESOS_SUBSCRIPTION_BACKOFF_MAX", "1ms", NULL};
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)edge, err, sizeof err), 0);
    CHECK_INT(c.backoff_max_ns, 1000000);
    CHECK_INT(c.recovery_ns, 365 * 86400 * SEC);
    kmesos_exec_config_free(&c);
    /* no checkpointing: both ignored, even when bad */
    const char *nock[] = {"MESOS_AGENT_ENDPOINT", "h:1", "MESOS_EXECUTOR_ID", "e",
                          "MESOS_FRAMEWORK_ID", "f", "MESOS_CHECKPOINT", "0",
                          "MESOS_RECOVERY_TIMEOUT", "soon",
                          "MESOS_SUBSCRIPTION_BACKOFF_MAX", "0secs", NULL};
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)nock, err, sizeof err), 0);
    CHECK_INT(c.checkpoint, 0);
    CHECK_INT(c.backoff_max_ns, 2 * SEC);
    kmesos_exec_config_free(&c);
    CHECK(strstr(kmesos_exec_config_help(), "MESOS_SUBSCRIPTION_BACKOFF_MAX") != NULL);
}

static void test_config_errors_and_defaults(void)
{
    kmesos_exec_config c;
    char err[256] = "";
    const char *missing[] = {"MESOS_AGENT_ENDPOINT", "h:1", "MESOS_EXECUTOR_ID", "e", NULL};
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)missing, err, sizeof err), -1);
    CHECK(strstr(err, "MESOS_FRAMEWORK_ID") != NULL);
    const char *bad[] = {"MESOS_AGENT_ENDPOINT", "h:1", "MESOS_EXECUTOR_ID", "e",
                         "MESOS_FRAMEWORK_ID", "f", "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                         "soon", NULL};
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)bad, err, sizeof err), -1);
    CHECK(strstr(err, "soon") != NULL);
    const char *ok[] = {"MESOS_AGENT_ENDPOINT", "http://h:1/", "MESOS_EXECUTOR_ID", "e",
                        "MESOS_FRAMEWORK_ID", "f", "MESOS_DIRECTORY", "/d",
                        "MESOS_CHECKPOINT", "1", "MESOS_RECOVERY_TIMEOUT", "30secs", NULL};
    CHECK_INT(kmesos_exec_config_load(&c, table_get, (void *)ok, err, sizeof err), 0);
    CHECK_STR(c.agent_url, "http://h:1/api/v1/executor");
    CHECK_STR(c.sandbox, "/d");
    CHECK_INT(c.checkpoint, 1);
    CHECK_INT(c.shutdown_grace_ns, 5 * SEC);
    CHECK_INT(c.recovery_ns, 30 * SEC);
    kmesos_exec_config_free(&c);
    CHECK(strstr(kmesos_exec_config_help(), "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD") != NULL);
}

/* ---- exit status mapping ----------------------------------------------------- */

static void test_exit_mapping(void)
{
    char msg[128];
    CHECK_INT(kmesos_exec_status_exit(0, 0, 0, NULL, msg, sizeof msg),
              MESOS__V1__TASK_STATE__TASK_FINISHED);
    CHECK_STR(msg, "exited with status 0");
    CHECK_INT(kmesos_exec_status_exit(3, 0, 0, NULL, msg, sizeof msg),
              MESOS__V1__TASK_STATE__TASK_FAILED);
    CHECK_STR(msg, "exited with status 3");
    CHECK_INT(kmesos_exec_status_exit(0, 9, 0, NULL, msg, sizeof msg),
              MESOS__V1__TASK_STATE__TASK_FAILED);
    CHECK_STR(msg, "killed by signal 9 (SIGKILL)");
    CHECK_INT(kmesos_exec_status_exit(0, 15, 1, NULL, msg, sizeof msg),
              MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_STR(msg, "killed on request (killed by signal 15 (SIGTERM))");
    CHECK_INT(kmesos_exec_status_exit(0, 0, 1, NULL, msg, sizeof msg),
              MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(kmesos_exec_status_exit(0, 15, 1, "not ready in time", msg, sizeof msg),
              MESOS__V1__TASK_STATE__TASK_FAILED);
    CHECK_STR(msg, "not ready in time");
    CHECK(kmesos_exec_status_terminal(MESOS__V1__TASK_STATE__TASK_KILLED));
    CHECK(!kmesos_exec_status_terminal(MESOS__V1__TASK_STATE__TASK_RUNNING));
    CHECK(!kmesos_exec_status_terminal(MESOS__V1__TASK_STATE__TASK_STARTING));
}

/* ---- updates ----------------------------------------------------------------- */

static void make_status(Mesos__V1__TaskStatus *st, Mesos__V1__TaskID *tid, const char *task,
                        Mesos__V1__TaskState state, uint8_t *uuid, uint8_t fill)
{
    mesos__v1__task_status__init(st);
    mesos__v1__task_id__init(tid);
    tid->value = (char *)task;
    st->task_id = tid;
    st->state = state;
    memset(uuid, fill, 16);
    st->has_uuid = 1;
    st->uuid.data = uuid;
    st->uuid.len = 16;
}

typedef struct resent {
    int n;
    uint8_t last;
} resent;

static void on_resend(void *arg, const Mesos__V1__TaskStatus *st)
{
    resent *r = arg;
    r->n++;
    r->last = st->uuid.data[0];
}

static void test_updates_ack_and_order(void)
{
    kmesos_exec_updates u;
    kmesos_exec_updates_init(&u, 10000, 60000);
    Mesos__V1__TaskStatus st;
    Mesos__V1__TaskID tid;
    uint8_t a[16], b[16], c[16];
    make_status(&st, &tid, "t1", MESOS__V1__TASK_STATE__TASK_STARTING, a, 1);
    CHECK(kmesos_exec_updates_add(&u, &st, 0) != NULL);
    make_status(&st, &tid, "t1", MESOS__V1__TASK_STATE__TASK_RUNNING, b, 2);
    CHECK(kmesos_exec_updates_add(&u, &st, 0) != NULL);
    make_status(&st, &tid, "t2", MESOS__V1__TASK_STATE__TASK_FINISHED, c, 3);
    const Mesos__V1__TaskStatus *kept = kmesos_exec_updates_add(&u, &st, 0);
    CHECK(kept != NULL && kept != &st && kept->uuid.data != c);
    memset(c, 0, sizeof c); /* the copy does not alias the caller's bytes */
    CHECK_INT(u.count, 3);
    CHECK_INT(kmesos_exec_updates_of_task(&u, "t1"), 2);
    Mesos__V1__TaskState state = 0;
    CHECK_INT(kmesos_exec_updates_ack(&u, b, 16, &state), 1);
    CHECK_INT(state, MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(kmesos_exec_updates_ack(&u, b, 16, &state), 0); /* twice: unknown */
    CHECK_INT(kmesos_exec_updates_ack(&u, b, 15, NULL), 0);
    uint8_t three[16];
    memset(three, 3, sizeof three);
    CHECK_INT(kmesos_exec_updates_ack(&u, three, 16, NULL), 1); /* the tail */
    CHECK_INT(u.count, 1);
    CHECK(u.head == u.tail && u.head->status->uuid.data[0] == 1);
    make_status(&st, &tid, "t3", MESOS__V1__TASK_STATE__TASK_RUNNING, c, 4);
    kmesos_exec_updates_add(&u, &st, 0); /* appended after the new tail */
    CHECK(u.head->next == u.tail && u.tail->status->uuid.data[0] == 4);
    st.has_uuid = 0;
    CHECK(kmesos_exec_updates_add(&u, &st, 0) == NULL); /* no uuid: nothing to ack */
    kmesos_exec_updates_free(&u);
    CHECK_INT(u.count, 0);
}

static void test_updates_resend_schedule(void)
{
    kmesos_exec_updates u;
    kmesos_exec_updates_init(&u, 10000, 60000);
    Mesos__V1__TaskStatus st;
    Mesos__V1__TaskID tid;
    uint8_t a[16];
    make_status(&st, &tid, "t1", MESOS__V1__TASK_STATE__TASK_RUNNING, a, 7);
    kmesos_exec_updates_add(&u, &st, 1000);
    resent r = {0};
    /* due at 11 s, then +20, +40, +60, +60 */
    const int64_t times[] = {10999, 11000, 30999, 31000, 71000, 131000, 191000};
    const int expect[] = {0, 1, 1, 2, 3, 4, 5};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        kmesos_exec_updates_resend_due(&u, times[i], on_resend, &r);
        CHECK_INT(r.n, expect[i]);
    }
    CHECK_INT(r.last, 7);
    CHECK_INT(u.head->interval_ms, 60000);
    kmesos_exec_updates_restart(&u, 200000);
    CHECK_INT(u.head->interval_ms, 10000);
    CHECK_INT(kmesos_exec_updates_resend_due(&u, 209999, on_resend, &r), 0);
    CHECK_INT(kmesos_exec_updates_resend_due(&u, 210000, on_resend, &r), 1);
    kmesos_exec_updates_free(&u);
}

/* ---- spec --------------------------------------------------------------------- */

typedef struct task_fixture {
    Mesos__V1__TaskInfo task;
    Mesos__V1__TaskID tid;
    Mesos__V1__CommandInfo cmd;
    Mesos__V1__Environment env;
    Mesos__V1__Environment__Variable vars[3];
    Mesos__V1__Environment__Variable *pvars[3];
    Mesos__V1__KillPolicy kp;
    Mesos__V1__DurationInfo grace;
} task_fixture;

static void fixture_init(task_fixture *f, const char *id, const char *value)
{
    memset(f, 0, sizeof *f);
    mesos__v1__task_info__init(&f->task);
    mesos__v1__task_id__init(&f->tid);
    mesos__v1__command_info__init(&f->cmd);
    mesos__v1__environment__init(&f->env);
    f->tid.value = (char *)id;
    f->task.task_id = &f->tid;
    f->task.name = (char *)"n";
    f->cmd.value = (char *)value;
    f->task.command = &f->cmd;
}

static void fixture_var(task_fixture *f, const char *name, const char *value)
{
    size_t i = f->env.n_variables++;
    mesos__v1__environment__variable__init(&f->vars[i]);
    f->vars[i].name = (char *)name;
    f->vars[i].value = (char *)value;
    f->pvars[i] = &f->vars[i];
    f->env.variables = f->pvars;
    f->cmd.environment = &f->env;
}

static void test_spec_shell_and_env(void)
{
    task_fixture f;
    fixture_init(&f, "broker/0", "echo hi; sleep 1");
    fixture_var(&f, "FOO", "task");
    fixture_var(&f, "KMESOS_READY_PORT", "9092");
    char *base[] = {"PATH=/bin", "FOO=executor", "BAR=1", "junk", NULL};
    kmesos_exec_spec s;
    char err[256];
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, base, "/sb", 5 * SEC, err, sizeof err), 0);
    CHECK_STR(s.file, "/bin/sh");
    CHECK_STR(s.argv[0], "/bin/sh");
    CHECK_STR(s.argv[1], "-c");
    CHECK_STR(s.argv[2], "echo hi; sleep 1");
    CHECK(s.argv[3] == NULL);
    CHECK_STR(kmesos_exec_spec_getenv(s.env, "FOO"), "task");
    CHECK_STR(kmesos_exec_spec_getenv(s.env, "BAR"), "1");
    CHECK_STR(kmesos_exec_spec_getenv(s.env, "PATH"), "/bin");
    CHECK(kmesos_exec_spec_getenv(s.env, "junk") == NULL);
    CHECK_STR(s.cwd, "/sb");
    CHECK_STR(s.stdout_path, "/sb/broker_0.stdout");
    CHECK_STR(s.stderr_path, "/sb/broker_0.stderr");
    CHECK_INT(s.ready_port, 9092);
    CHECK_STR(s.ready_host, "127.0.0.1");
    CHECK(s.ready_timeout_s == 120.0);
    CHECK_INT(s.grace_ns, 5 * SEC);
    kmesos_exec_spec_free(&s);
}

static void test_spec_argv_grace_and_errors(void)
{
    task_fixture f;
    fixture_init(&f, "t", "/usr/bin/env");
    char *args[] = {"env", "-i"};
    f.cmd.has_shell = 1;
    f.cmd.shell = 0;
    f.cmd.arguments = args;
    f.cmd.n_arguments = 2;
    mesos__v1__kill_policy__init(&f.kp);
    mesos__v1__duration_info__init(&f.grace);
    f.grace.nanoseconds = 2 * SEC;
    f.kp.grace_period = &f.grace;
    f.task.kill_policy = &f.kp;
    char *base[] = {"KMESOS_READY_PORT=80", "KMESOS_READY_TIMEOUT=2.5", NULL};
    kmesos_exec_spec s;
    char err[256];
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, base, "/sb", 5 * SEC, err, sizeof err), 0);
    CHECK_STR(s.file, "/usr/bin/env");
    CHECK_STR(s.argv[0], "env");
    CHECK_STR(s.argv[1], "-i");
    CHECK(s.argv[2] == NULL);
    CHECK_INT(s.ready_port, 80); /* from the executor's own environment */
    CHECK(s.ready_timeout_s == 2.5);
    CHECK_INT(s.grace_ns, 2 * SEC);
    kmesos_exec_spec_free(&s);

    f.cmd.n_arguments = 0; /* no arguments: argv = { value } */
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, NULL, "/sb", 5 * SEC, err, sizeof err), 0);
    CHECK_STR(s.argv[0], "/usr/bin/env");
    CHECK(s.argv[1] == NULL);
    kmesos_exec_spec_free(&s);

    fixture_var(&f, "KMESOS_READY_PORT", "99999");
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, NULL, "/sb", 5 * SEC, err, sizeof err), -1);
    CHECK(strstr(err, "KMESOS_READY_PORT") != NULL);
    f.task.command = NULL;
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, NULL, "/sb", 5 * SEC, err, sizeof err), -1);
    CHECK(strstr(err, "no command") != NULL);
}


static void test_spec_ready_command(void)
{
    task_fixture f;
    fixture_init(&f, "t", "sleep 1");
    fixture_var(&f, "KMESOS_READY_COMMAND", "./kafka-ready.sh");
    kmesos_exec_spec s;
    char err[256];
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, NULL, "/sb", 5 * SEC, err, sizeof err), 0);
    CHECK_STR(s.ready_command, "./kafka-ready.sh");
    CHECK(s.ready_interval_s == 2.0);
    CHECK_INT(s.ready_port, 0);
    kmesos_exec_spec_free(&s);

    char *base[] = {"KMESOS_READY_INTERVAL=0.5", NULL};
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, base, "/sb", 5 * SEC, err, sizeof err), 0);
    CHECK(s.ready_interval_s == 0.5);
    kmesos_exec_spec_free(&s);

    char *bad[] = {"KMESOS_READY_INTERVAL=soon", NULL};
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, bad, "/sb", 5 * SEC, err, sizeof err), -1);
    CHECK(strstr(err, "KMESOS_READY_INTERVAL 'soon'") != NULL);

    fixture_init(&f, "t", "sleep 1"); /* no readiness at all */
    CHECK_INT(kmesos_exec_spec_build(&s, &f.task, NULL, "/sb", 5 * SEC, err, sizeof err), 0);
    CHECK(s.ready_command == NULL);
    kmesos_exec_spec_free(&s);
}

/* ---- the readiness command on a real loop -------------------------------- */

typedef struct ready_result {
    int calls, ok;
    char what[200];
} ready_result;

static void ready_cb(void *arg, int ok, const char *what)
{
    ready_result *r = arg;
    r->calls++;
    r->ok = ok;
    snprintf(r->what, sizeof r->what, "%s", what);
}

/* Runs a probe until it reports (or stop_after_ms, then stops it) and
 * the loop has nothing left. */
static void ready_run(kmesos_exec_ready_opts *o, ready_result *res, uint64_t stop_after_ms)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[256];
    memset(res, 0, sizeof *res);
    kmesos_exec_ready *r = kmesos_exec_ready_start(&loop, o, ready_cb, res, err, sizeof err);
    CHECK(r != NULL);
    if (!r) {
        uv_loop_close(&loop);
        return;
    }
    uint64_t end = uv_now(&loop) + stop_after_ms;
    while (res->calls == 0 && uv_now(&loop) < end)
        uv_run(&loop, UV_RUN_ONCE);
    kmesos_exec_ready_stop(r);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&loop), 0);
}

static void test_ready_command_live(void)
{
    char dir[] = "/tmp/kmesos-ready-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *env[] = {"PATH=/usr/bin:/bin", "WHO=node 7", NULL};
    kmesos_exec_ready_opts o = {"127.0.0.1", 0, "echo starting; echo \"$WHO in sync\" >&2",
                                env,         dir, 0.1, 5.0};
    ready_result res;
    ready_run(&o, &res, 10000);
    CHECK_INT(res.calls, 1);
    CHECK_INT(res.ok, 1);
    CHECK_STR(res.what, "ready: node 7 in sync"); /* last line, stderr too, task env */

    /* fails twice, then succeeds; runs in cwd */
    o.command = "echo x >> runs; n=$(wc -l < runs); echo \"run $n\"; [ $n -ge 3 ]";
    ready_run(&o, &res, 10000);
    CHECK_INT(res.ok, 1);
    CHECK_STR(res.what, "ready: run 3");

    /* never succeeds: the last output names why */
    o.command = "printf 'partition 0 lacks node 7'; exit 1";
    o.timeout_s = 0.8;
    ready_run(&o, &res, 10000);
    CHECK_INT(res.calls, 1);
    CHECK_INT(res.ok, 0);
    CHECK_STR(res.what, "not ready in time: partition 0 lacks node 7");

    /* no output and a non-zero exit */
    o.command = "exit 3";
    ready_run(&o, &res, 10000);
    CHECK_STR(res.what, "not ready in time: the readiness command exited 3");

    /* a run still going at the deadline is killed */
    o.command = "sleep 30";
    ready_run(&o, &res, 10000);
    CHECK_INT(res.ok, 0);
    CHECK_STR(res.what, "not ready in time: the readiness command did not finish once");

    /* stopped while a run is going: no callback, nothing left behind */
    o.timeout_s = 30;
    ready_run(&o, &res, 300);
    CHECK_INT(res.calls, 0);

    /* with a port that never opens the command never runs */
    uv_loop_t l;
    uv_loop_init(&l);
    uv_tcp_t t;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_init(&l, &t);
    uv_tcp_bind(&t, (const struct sockaddr *)&a, 0);
    struct sockaddr_storage got;
    int len = sizeof got;
    uv_tcp_getsockname(&t, (struct sockaddr *)&got, &len);
    int port = ntohs(((struct sockaddr_in *)&got)->sin_port);
    uv_close((uv_handle_t *)&t, NULL); /* free port, nothing listens */
    uv_run(&l, UV_RUN_DEFAULT);
    uv_loop_close(&l);
    o.port = port;
    o.command = "echo ran > ran";
    o.timeout_s = 0.8;
    ready_run(&o, &res, 10000);
    CHECK_INT(res.ok, 0);
    CHECK(strstr(res.what, "nothing accepted connections") != NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/ran", dir);
    CHECK(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "%s/runs", dir);
    unlink(path);
    rmdir(dir);
}

typedef struct drain_result {
    int ended;
    int64_t status;
    int signal;
    int file_at_end; /* the trap's file existed when the end was reported */
    char file[128];
} drain_result;

static void drain_on_exit(void *arg, void *owner, int64_t status, int sig)
{
    (void)owner;
    drain_result *r = arg;
    r->ended = 1;
    r->status = status;
    r->signal = sig;
    r->file_at_end = access(r->file, F_OK) == 0;
}

static void drain_on_ready(void *arg, void *owner, int ok, const char *what)
{
    (void)arg, (void)owner, (void)ok, (void)what;
}

static void drain_kill(uv_timer_t *t)
{
    kmesos_exec_proc_kill(t->data, 5000000000LL); /* 5 s grace */
}

/* A kill of a shell whose child handles SIGTERM slowly (a JVM in its
 * controlled shutdown): the shell dies at once, but the task ends only
 * when the child has finished, within the grace period, not by SIGKILL. */
static void test_kill_waits_for_the_group(void)
{
    char dir[] = "/tmp/kmesos-drain-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    drain_result r = {0};
    snprintf(r.file, sizeof r.file, "%s/done", dir);
    char script[512], out[160], err_path[160];
    snprintf(script, sizeof script,
             "sh -c 'trap \"sleep 1; echo bye > %s; exit 0\" TERM; sleep 30 & wait' & sleep 30",
             r.file);
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    char *argv[] = {"/bin/sh", "-c", script, NULL}, *env[] = {"PATH=/usr/bin:/bin", NULL};
    kmesos_exec_spec spec = {0};
    spec.file = "/bin/sh";
    spec.argv = argv;
    spec.env = env;
    spec.cwd = dir;
    spec.stdout_path = out;
    spec.stderr_path = err_path;
    uv_loop_t loop;
    uv_loop_init(&loop);
    kmesos_exec_proc_cbs cbs = {drain_on_ready, drain_on_exit, &r};
    char err[256];
    kmesos_exec_proc *p = kmesos_exec_proc_spawn(&loop, &spec, &cbs, NULL, err, sizeof err);
    CHECK(p != NULL);
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    t.data = p;
    if (p)
        uv_timer_start(&t, drain_kill, 300, 0); /* once the trap is set */
    uint64_t start = uv_hrtime();
    while (p && !r.ended && uv_hrtime() - start < 10000000000ULL)
        uv_run(&loop, UV_RUN_ONCE);
    CHECK_INT(r.ended, 1);
    CHECK_INT(r.file_at_end, 1); /* the child finished its shutdown first */
    CHECK_INT(r.signal, SIGTERM); /* the shell's own end is what is reported */
    double took = (double)(uv_hrtime() - start) / 1e9;
    CHECK(took > 1.0 && took < 4.0); /* the child's 1 s, not the 5 s grace */
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    unlink(r.file);
    unlink(out);
    unlink(err_path);
    rmdir(dir);
}

/* ---- hostile numbers (issue 11) ------------------------------------------ */

/* Readiness numbers from the task's environment go through codec/num:
 * inf, hex, blanks and signs are refused with the variable's name. */
static void test_spec_ready_refuses_hostile_numbers(void)
{
    static const char *const bad[] = {"KMESOS_READY_TIMEOUT=inf", "KMESOS_READY_TIMEOUT=1e400",
                                      "KMESOS_READY_TIMEOUT=0x10", "KMESOS_READY_TIMEOUT= 5",
                                      "KMESOS_READY_INTERVAL=+1", "KMESOS_READY_INTERVAL=nan",
                                      "KMESOS_READY_PORT=0x50", "KMESOS_READY_PORT=+80"};
    task_fixture f;
    fixture_init(&f, "t", "sleep 1");
    fixture_var(&f, "KMESOS_READY_COMMAND", "true");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *env[] = {(char *)bad[i], NULL};
        kmesos_exec_spec s;
        char err[256] = "";
        int rc = kmesos_exec_spec_build(&s, &f.task, env, "/sb", 5 * SEC, err, sizeof err);
        CHECK_INT(rc, -1);
        if (rc == 0)
            kmesos_exec_spec_free(&s);
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(strchr(bad[i], '=') - bad[i]), bad[i]);
        CHECK(strstr(err, name) != NULL);
    }
}

/* An infinite timeout or interval reaching the probe directly is cut, not
 * converted out of range (float-cast-overflow in the sanitizer build). */
static void test_ready_infinite_numbers_are_bounded(void)
{
    char *env[] = {"PATH=/usr/bin:/bin", NULL};
    kmesos_exec_ready_opts o = {"127.0.0.1", 0, "true", env, "/", INFINITY, INFINITY};
    ready_result res;
    ready_run(&o, &res, 10000);
    CHECK_INT(res.calls, 1);
    CHECK_INT(res.ok, 1);
}

static void proc_kill_max(uv_timer_t *t)
{
    kmesos_exec_proc_kill(t->data, INT64_MAX); /* once overflowed when rounded up */
}

/* The largest grace period a KillPolicy can carry: SIGTERM now, and the
 * process (which obeys it) ends by it. */
static void test_kill_with_the_largest_grace(void)
{
    char *argv[] = {"/bin/sleep", "30", NULL}, *env[] = {"PATH=/usr/bin:/bin", NULL};
    kmesos_exec_spec spec = {0};
    spec.file = "/bin/sleep";
    spec.argv = argv;
    spec.env = env;
    spec.cwd = "/";
    spec.stdout_path = "/dev/null";
    spec.stderr_path = "/dev/null";
    drain_result r = {0};
    uv_loop_t loop;
    uv_loop_init(&loop);
    kmesos_exec_proc_cbs cbs = {drain_on_ready, drain_on_exit, &r};
    char err[256];
    kmesos_exec_proc *p = kmesos_exec_proc_spawn(&loop, &spec, &cbs, NULL, err, sizeof err);
    CHECK(p != NULL);
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    t.data = p;
    if (p)
        uv_timer_start(&t, proc_kill_max, 100, 0);
    uint64_t start = uv_hrtime();
    while (p && !r.ended && uv_hrtime() - start < 10000000000ULL)
        uv_run(&loop, UV_RUN_ONCE);
    CHECK_INT(r.ended, 1);
    CHECK_INT(r.signal, SIGTERM);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
}

static void test_uuid(void)
{
    uint8_t a[16], b[16];
    char hex[KMESOS_UUID_HEX];
    CHECK_INT(kmesos_uuid_random(a), 0);
    CHECK_INT(kmesos_uuid_random(b), 0);
    CHECK(memcmp(a, b, 16) != 0);
    CHECK_INT(a[6] >> 4, 4);
    const uint8_t known[16] = {0x79, 0x28, 0x78, 0xc7, 0xc0, 0x85, 0x49, 0xb0,
                               0xbf, 0x2c, 0x03, 0x42, 0x0f, 0x4c, 0x2c, 0xfe};
    CHECK_STR(kmesos_uuid_hex(known, 16, hex), "792878c7c08549b0bf2c03420f4c2cfe");
}

/* Runs `<this binary> --kmesos-guard <ppid> -- /bin/sh -c script` from
 * a child of ours (its own session, as the executor starts it); the
 * guard's wait status. */
static int guard_run(const char *script)
{
    char ppid[32];
    snprintf(ppid, sizeof ppid, "%ld", (long)getpid());
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        execl("/proc/self/exe", "guard", KMESOS_EXEC_GUARD_FLAG, ppid, "--", "/bin/sh", "-c",
              script, (char *)NULL);
        _exit(99);
    }
    int st = -1;
    waitpid(pid, &st, 0);
    return st;
}

static void test_guard_passes_the_end_on(void)
{
    int st = guard_run("exit 3");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
    st = guard_run("exit 0");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    st = guard_run("kill -TERM $$");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    /* SIGTERM to the group (the executor's kill): the guard outlives it
     * and ends as the task did */
    st = guard_run("kill -TERM 0; sleep 5");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", "guard", KMESOS_EXEC_GUARD_FLAG, "x", "--", "true", (char *)NULL);
        _exit(99);
    }
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2); /* bad usage */
}

/* 1 when pid is gone; orphans are ours to reap (we are a subreaper) */
static int guard_gone(pid_t pid)
{
    for (int i = 0; i < 100; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid || kill(pid, 0) != 0)
            return 1;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The executor dies (SIGKILL): the guard kills the task's whole group,
 * here a grandchild that the shell started without exec. */
static void test_guard_kills_the_group_when_orphaned(void)
{
    char dir[] = "/tmp/kmesos-guard-XXXXXX", file[64], script[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof file, "%s/pid", dir);
    snprintf(script, sizeof script, "sh -c 'echo $$ > %s.tmp; mv %s.tmp %s; exec sleep 30'; true",
             file, file, file);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t executor = fork();
    if (executor == 0) {
        guard_run(script);
        _exit(0);
    }
    long grandchild = 0;
    for (int i = 0; i < 200 && grandchild == 0; i++) {
        FILE *f = fopen(file, "r");
        if (f) {
            if (fscanf(f, "%ld", &grandchild) != 1)
                grandchild = 0;
            fclose(f);
        }
        struct timespec ts = {0, 25 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    CHECK(grandchild > 0);
    CHECK(grandchild > 0 && kill((pid_t)grandchild, 0) == 0);
    kill(executor, SIGKILL);
    waitpid(executor, NULL, 0);
    CHECK(grandchild > 0 && guard_gone((pid_t)grandchild));
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    unlink(file);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], KMESOS_EXEC_GUARD_FLAG) == 0)
        return kmesos_exec_guard_main(argc, argv);
    RUN_TEST(test_duration_units);
    RUN_TEST(test_duration_refuses_garbage);
    RUN_TEST(test_config_from_agent_environment);
    RUN_TEST(test_config_errors_and_defaults);
    RUN_TEST(test_config_reconnection);
    RUN_TEST(test_exit_mapping);
    RUN_TEST(test_updates_ack_and_order);
    RUN_TEST(test_updates_resend_schedule);
    RUN_TEST(test_spec_shell_and_env);
    RUN_TEST(test_spec_argv_grace_and_errors);
    RUN_TEST(test_spec_ready_command);
    RUN_TEST(test_ready_command_live);
    RUN_TEST(test_kill_waits_for_the_group);
    RUN_TEST(test_spec_ready_refuses_hostile_numbers);
    RUN_TEST(test_ready_infinite_numbers_are_bounded);
    RUN_TEST(test_kill_with_the_largest_grace);
    RUN_TEST(test_uuid);
    RUN_TEST(test_guard_passes_the_end_on);
    RUN_TEST(test_guard_kills_the_group_when_orphaned);
    return testlib_finish();
}
