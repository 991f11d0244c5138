/* fuzz_exec_events: the executor's state machine (exec/exec_core) fed an
 * agent's event stream. The input is a RecordIO stream of protobuf
 * executor Events, as the agent sends it; each record goes to
 * kmesos_exec_core_on_record (a record it refuses ends the stream, as
 * the real executor drops it), then the clock moves and the core ticks.
 * The io is a quiet fake: calls are dropped, processes are "started"
 * and never end. */
#include <stdlib.h>
#include <string.h>

#include "codec/recordio.h"
#include "exec/exec_core.h"
#include "fuzz_common.h"

#define FUZZ_MAX_RECORD (1 << 16)

typedef struct fuzz_exec {
    kmesos_exec_config cfg;
    kmesos_exec_core core;
    int64_t now_ms;
} fuzz_exec;

static int quiet_send(void *arg, const Mesos__V1__Executor__Call *call)
{
    (void)arg;
    (void)call;
    return 0;
}

static int quiet_spawn(void *arg, kmesos_exec_task *t, const kmesos_exec_spec *spec, char *err,
                       size_t errlen)
{
    (void)spec;
    (void)err;
    (void)errlen;
    t->proc = arg;
    return 0;
}

static void quiet_kill(void *arg, kmesos_exec_task *t, int64_t grace_ns)
{
    (void)arg;
    (void)t;
    (void)grace_ns;
}

static int quiet_uuid(void *arg, uint8_t out[16])
{
    (void)arg;
    memset(out, 0x5a, 16);
    return 0;
}

static double quiet_wall(void *arg)
{
    (void)arg;
    return 1795588638.5;
}

static int64_t quiet_mono(void *arg)
{
    return ((fuzz_exec *)arg)->now_ms;
}

static void quiet_exit(void *arg, int code)
{
    (void)arg;
    (void)code;
}

static int on_record(void *arg, const uint8_t *rec, size_t len)
{
    fuzz_exec *fx = arg;
    if (kmesos_exec_core_on_record(&fx->core, rec, len) != 0)
        return 1;
    fx->now_ms += 1000;
    kmesos_exec_core_tick(&fx->core);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *base_env[] = {"PATH=/usr/bin:/bin", NULL};
    fuzz_exec fx;
    memset(&fx, 0, sizeof fx);
    fx.now_ms = 1000;
    fx.cfg.agent_url = "http://127.0.0.1:5051/api/v1/executor";
    fx.cfg.framework_id = "fw-fuzz";
    fx.cfg.executor_id = "exec-fuzz";
    fx.cfg.sandbox = "/nonexistent-fuzz-sandbox";
    fx.cfg.shutdown_grace_ns = 5 * INT64_C(1000000000);
    fx.cfg.recovery_ns = 900 * INT64_C(1000000000);
    kmesos_exec_io io = {&fx, quiet_send, quiet_spawn, quiet_kill, quiet_uuid,
                         quiet_wall, quiet_mono, quiet_exit};
    kmesos_exec_core_init(&fx.core, &fx.cfg, base_env, &io);
    kmesos_recordio r;
    kmesos_recordio_init(&r, FUZZ_MAX_RECORD);
    kmesos_recordio_feed(&r, data, size, on_record, &fx);
    kmesos_recordio_free(&r);
    kmesos_exec_core_disconnected(&fx.core);
    kmesos_exec_core_shutdown(&fx.core, "fuzz input ended");
    kmesos_exec_core_free(&fx.core);
    return 0;
}
