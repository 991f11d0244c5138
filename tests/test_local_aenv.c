/* test_local_aenv: the executor environment of kmesos-local's agents.
 * Durations are written as stout's Duration prints them ("2secs",
 * "15mins", "1500ms"; src/slave/slave.cpp stringifies the flags that
 * way), seconds-to-nanoseconds conversion refuses NaN, negatives and
 * overflow, and MESOS_RECOVERY_TIMEOUT / MESOS_SUBSCRIPTION_BACKOFF_MAX
 * are set only for a checkpointing framework, with the agent's
 * recovery_timeout and executor_reregistration_timeout (reference:
 * executorEnvironment in src/slave/slave.cpp and the defaults of
 * --recovery_timeout and --executor_reregistration_timeout:
 * RECOVERY_TIMEOUT and EXECUTOR_REREGISTRATION_TIMEOUT in
 * src/slave/constants.hpp), for custom executors and for the command
 * executor's tasks alike (the real agent launches both through
 * executorEnvironment; mesos-go's executor will not start without them
 * when checkpointing). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "local/agent/aenv.h"
#include "local/agent/internal.h"
#include "local/util.h"
#include "testlib.h"

#define S INT64_C(1000000000)

static void check_duration(int64_t ns, const char *want)
{
    char *got = klocal_aenv_duration(ns);
    CHECK_STR(got, want);
    free(got);
}

static void test_duration_like_stout(void)
{
    check_duration(2 * S, "2secs");
    check_duration(5 * S, "5secs");
    check_duration(900 * S, "15mins");
    check_duration(15 * S, "15secs");
    check_duration(3 * S / 2, "1500ms");
    check_duration(S / 2, "500ms");
    check_duration(90 * S, "90secs");
    check_duration(36 * 3600 * S, "36hrs");
    check_duration(86400 * S, "1days");
    check_duration(10 * 86400 * S, "10days");
    check_duration(7 * 86400 * S, "1weeks");
    check_duration(1500000, "1500us");
    check_duration(1000, "1us");
    check_duration(1001, "1001ns");
    check_duration(0, "0ns");
    check_duration(-5 * S, "-5secs");
    check_duration(1234567, "1.234567ms"); /* not whole in us either: fraction of ms */
    char *min = klocal_aenv_duration(INT64_MIN);
    CHECK(min && min[0] == '-');
    free(min);
}

static void test_seconds_to_ns(void)
{
    CHECK_INT(klocal_aenv_ns(2.0), 2 * S);
    CHECK_INT(klocal_aenv_ns(0.0015), 1500000);
    CHECK_INT(klocal_aenv_ns(0), 0);
    CHECK_INT(klocal_aenv_ns(-1), 0);
    CHECK_INT(klocal_aenv_ns(NAN), 0);
    CHECK_INT(klocal_aenv_ns(1e30), INT64_MAX);
    CHECK_INT(klocal_aenv_ns(INFINITY), INT64_MAX);
}

/* A scheduler's grace periods (issue 11): a negative shutdown_grace_period
 * once reached a timer as a negative double converted to uint64_t. */
static void test_grace_from_a_scheduler_is_bounded(void)
{
    Mesos__V1__DurationInfo d = MESOS__V1__DURATION_INFO__INIT;
    d.nanoseconds = -5 * S;
    CHECK(klocal_aenv_grace_s(&d, 3) == 0);
    d.nanoseconds = INT64_MIN;
    CHECK(klocal_aenv_grace_s(&d, 3) == 0);
    d.nanoseconds = INT64_MAX;
    CHECK(klocal_aenv_grace_s(&d, 3) == KMESOS_NUM_DURATION_MAX_S);
    d.nanoseconds = 2 * S;
    CHECK(klocal_aenv_grace_s(&d, 3) == 2.0);
    CHECK(klocal_aenv_grace_s(NULL, 3) == 3.0);
}

static const char *env_get(const klocal_proc_env *env, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < env->n; i++)
        if (strncmp(env->vars[i], name, len) == 0 && env->vars[i][len] == '=')
            return env->vars[i] + len + 1;
    return NULL;
}

static void test_environment_by_checkpointing(void)
{
    klocal_agent a = {.id = "A-S0", .ip = "127.0.0.1", .pid = "slave(1)@127.0.0.1:5051",
                      .port = 5051, .executor_grace = 5.0, .reregistration = 2.0,
                      .recovery_timeout = 900.0};
    /* the initialiser names the deprecated role field's default (clang) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    Mesos__V1__FrameworkInfo fw = MESOS__V1__FRAMEWORK_INFO__INIT;
#pragma GCC diagnostic pop
    Mesos__V1__CommandInfo cmd = MESOS__V1__COMMAND_INFO__INIT;
    Mesos__V1__ExecutorInfo info = MESOS__V1__EXECUTOR_INFO__INIT;
    info.command = &cmd;
    klocal_aexec e = {.agent = &a, .fw_id = "F", .exec_id = "x1", .sandbox = "/s",
                      .info = &info, .fw_info = &fw, .container_id = "c"};
    klocal_proc_env env;
    klocal_proc_env_init(&env, 0);
    klocal_aenv_executor(&e, &env);
    CHECK_STR(env_get(&env, "MESOS_CHECKPOINT"), "0");
    CHECK(env_get(&env, "MESOS_RECOVERY_TIMEOUT") == NULL);
    CHECK(env_get(&env, "MESOS_SUBSCRIPTION_BACKOFF_MAX") == NULL);
    CHECK_STR(env_get(&env, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"), "5secs");
    CHECK_STR(env_get(&env, "MESOS_AGENT_ENDPOINT"), "127.0.0.1:5051");
    klocal_proc_env_free(&env);

    fw.has_checkpoint = 1;
    fw.checkpoint = 1;
    Mesos__V1__DurationInfo grace = MESOS__V1__DURATION_INFO__INIT;
    grace.nanoseconds = 30 * S; /* ExecutorInfo.shutdown_grace_period wins */
    info.shutdown_grace_period = &grace;
    klocal_proc_env_init(&env, 0);
    klocal_aenv_executor(&e, &env);
    CHECK_STR(env_get(&env, "MESOS_CHECKPOINT"), "1");
    CHECK_STR(env_get(&env, "MESOS_RECOVERY_TIMEOUT"), "15mins");
    CHECK_STR(env_get(&env, "MESOS_SUBSCRIPTION_BACKOFF_MAX"), "2secs");
    CHECK_STR(env_get(&env, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"), "30secs");
    klocal_proc_env_free(&env);

    /* a command task of a checkpointing framework: the same two */
    e.info = NULL;
    e.command = 1;
    klocal_proc_env_init(&env, 0);
    klocal_aenv_common(&e, &env);
    CHECK_STR(env_get(&env, "MESOS_CHECKPOINT"), "1");
    CHECK_STR(env_get(&env, "MESOS_RECOVERY_TIMEOUT"), "15mins");
    CHECK_STR(env_get(&env, "MESOS_SUBSCRIPTION_BACKOFF_MAX"), "2secs");
    klocal_proc_env_free(&env);
    fw.checkpoint = 0;
    klocal_proc_env_init(&env, 0);
    klocal_aenv_common(&e, &env);
    CHECK(env_get(&env, "MESOS_RECOVERY_TIMEOUT") == NULL);
    CHECK(env_get(&env, "MESOS_SUBSCRIPTION_BACKOFF_MAX") == NULL);
    klocal_proc_env_free(&env);
}

int main(void)
{
    RUN_TEST(test_duration_like_stout);
    RUN_TEST(test_seconds_to_ns);
    RUN_TEST(test_grace_from_a_scheduler_is_bounded);
    RUN_TEST(test_environment_by_checkpointing);
    return testlib_finish();
}
