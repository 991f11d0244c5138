/* aenv: the executor environment of a simulated agent, after
 * Slave::executorEnvironment in src/slave/slave.cpp of Mesos 1.12: the
 * ids, sandbox and agent endpoint; MESOS_CHECKPOINT; the shutdown grace
 * period as Duration text (ExecutorInfo.shutdown_grace_period over the
 * agent's flag); and, only when the framework checkpoints,
 * MESOS_RECOVERY_TIMEOUT (the agent's recovery_timeout, 15mins by
 * default) and MESOS_SUBSCRIPTION_BACKOFF_MAX (its
 * executor_reregistration_timeout, 2secs by default), which an executor
 * uses to rejoin a restarted agent within its re-registration window.
 * Durations are written the way stout's operator<< writes them, so that
 * an executor reading them meets the text a real agent would give
 * ("2secs", "15mins", "1500ms"), with conversions from seconds checked
 * before any cast. */
#include "local/agent/aenv.h"

#include <math.h>
#include <stdlib.h>

#include "codec/num.h"
#include "local/util.h"

int64_t klocal_aenv_ns(double secs)
{
    if (!(secs > 0))
        return 0;
    double ns = secs * 1e9;
    if (!(ns < 9.2e18))
        return INT64_MAX;
    return (int64_t)llround(ns);
}

static const struct {
    const char *name;
    int64_t ns;
} aenv_units[] = {
    {"ns", 1},
    {"us", INT64_C(1000)},
    {"ms", INT64_C(1000000)},
    {"secs", INT64_C(1000000000)},
    {"mins", INT64_C(60000000000)},
    {"hrs", INT64_C(3600000000000)},
    {"days", INT64_C(86400000000000)},
    {"weeks", INT64_C(604800000000000)},
};

double klocal_aenv_grace_s(const Mesos__V1__DurationInfo *d, double fallback)
{
    double s = d ? (double)d->nanoseconds / 1e9 : fallback;
    return s < 0 ? 0 : s > KMESOS_NUM_DURATION_MAX_S ? KMESOS_NUM_DURATION_MAX_S : s;
}

char *klocal_aenv_duration(int64_t ns)
{
    const char *sign = ns < 0 ? "-" : "";
    uint64_t n = ns < 0 ? (uint64_t)(-(ns + 1)) + 1u : (uint64_t)ns;
    size_t i = sizeof aenv_units / sizeof aenv_units[0] - 1;
    while (i > 0 && n < (uint64_t)aenv_units[i].ns)
        i--;
    /* 1.5secs reads better as 1500ms: one unit down when whole there */
    if (i > 0 && n % (uint64_t)aenv_units[i].ns != 0 && n % (uint64_t)aenv_units[i - 1].ns == 0)
        i--;
    return klocal_util_xasprintf("%s%.15g%s", sign, (double)n / (double)aenv_units[i].ns,
                                 aenv_units[i].name);
}

static int aenv_checkpoint(const klocal_aexec *e)
{
    return e->fw_info->has_checkpoint && e->fw_info->checkpoint;
}

static void aenv_set_duration(klocal_proc_env *env, const char *name, int64_t ns)
{
    char *text = klocal_aenv_duration(ns);
    klocal_proc_env_set(env, name, text);
    free(text);
}

void klocal_aenv_common(const klocal_aexec *e, klocal_proc_env *env)
{
    const klocal_agent *a = e->agent;
    char *endpoint = klocal_util_xasprintf("%s:%d", a->ip, a->port);
    klocal_proc_env_set(env, "MESOS_AGENT_ENDPOINT", endpoint);
    klocal_proc_env_set(env, "MESOS_FRAMEWORK_ID", e->fw_id);
    klocal_proc_env_set(env, "MESOS_EXECUTOR_ID", e->exec_id);
    klocal_proc_env_set(env, "MESOS_DIRECTORY", e->sandbox);
    klocal_proc_env_set(env, "MESOS_SANDBOX", e->sandbox);
    klocal_proc_env_set(env, "MESOS_CHECKPOINT", aenv_checkpoint(e) ? "1" : "0");
    if (aenv_checkpoint(e)) {
        aenv_set_duration(env, "MESOS_RECOVERY_TIMEOUT", klocal_aenv_ns(a->recovery_timeout));
        aenv_set_duration(env, "MESOS_SUBSCRIPTION_BACKOFF_MAX",
                          klocal_aenv_ns(a->reregistration));
    }
    klocal_proc_env_set(env, "MESOS_SLAVE_ID", a->id);
    klocal_proc_env_set(env, "MESOS_SLAVE_PID", a->pid);
    klocal_proc_env_set(env, "MESOS_CONTAINER_ID", e->container_id);
    klocal_proc_env_set(env, "LIBPROCESS_IP", a->ip);
    klocal_proc_env_set(env, "LIBPROCESS_PORT", "0");
    free(endpoint);
}

void klocal_aenv_executor(const klocal_aexec *e, klocal_proc_env *env)
{
    const Mesos__V1__DurationInfo *grace = e->info->shutdown_grace_period;
    klocal_aenv_common(e, env);
    aenv_set_duration(env, "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD",
                      grace ? grace->nanoseconds : klocal_aenv_ns(e->agent->executor_grace));
    klocal_proc_env_set(env, "MESOS_HTTP_COMMAND_EXECUTOR", "0");
    if (e->info->command)
        klocal_aenv_command(env, e->info->command);
}

void klocal_aenv_command(klocal_proc_env *env, const Mesos__V1__CommandInfo *cmd)
{
    if (!cmd->environment)
        return;
    for (size_t i = 0; i < cmd->environment->n_variables; i++) {
        const Mesos__V1__Environment__Variable *v = cmd->environment->variables[i];
        klocal_proc_env_set(env, v->name, v->value ? v->value : "");
    }
}
