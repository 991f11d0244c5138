/* Tests of the executor core against the real agent's event stream of
 * tests/data/mesos-captures/executor-kill/x1_exec/subscribe.body.bin
 * (SUBSCRIBED, LAUNCH, ACKNOWLEDGED, KILL, ACKNOWLEDGED, SHUTDOWN), fed
 * through the RecordIO decoder into kmesos_exec_core_on_record with a
 * fake io that records calls, spawns and kills and hands out the uuids
 * the real agent acknowledged. Also: the same stream with a command in
 * the LAUNCH (the full STARTING/RUNNING/KILLED cycle), malformed events,
 * re-subscribe with unacknowledged tasks and updates, LAUNCH_GROUP,
 * readiness and SHUTDOWN grace, and a teardown whose updates the agent
 * never acknowledges (the executor exits without waiting). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "codec/protocol.h"
#include "codec/recordio.h"
#include "exec/exec_core.h"
#include "codec/pb.h"
#include "codec/uuid.h"
#include "testlib.h"

#define SEC INT64_C(1000000000)
#define CAPTURE KMESOS_TEST_DATA "/mesos-captures/executor-kill/x1_exec/subscribe.body.bin"
#define MAX_CALLS 32

/* The uuids of the two updates the real agent acknowledged in the capture. */
static const uint8_t UUID_RUNNING[16] = {0x79, 0x28, 0x78, 0xc7, 0xc0, 0x85, 0x49, 0xb0,
                                         0xbf, 0x2c, 0x03, 0x42, 0x0f, 0x4c, 0x2c, 0xfe};
static const uint8_t UUID_KILLED[16] = {0x09, 0xbc, 0x65, 0x0c, 0x3a, 0x0a, 0x49, 0x86,
                                        0xb9, 0x41, 0x93, 0xb2, 0x8a, 0xca, 0xe1, 0x8a};

typedef struct fake_io {
    Mesos__V1__Executor__Call *calls[MAX_CALLS];
    int ncalls;
    int spawns;
    char *spawn_cmd;
    char *spawn_foo;
    int spawn_ready_port;
    int kills;
    int64_t kill_grace;
    const uint8_t *uuids[8];
    int nuuids, next_uuid;
    int64_t now_ms;
    int exit_code; /* -1 until exit */
    int exits;
} fake_io;

static int fake_send(void *arg, const Mesos__V1__Executor__Call *call)
{
    fake_io *f = arg;
    if (f->ncalls < MAX_CALLS)
        f->calls[f->ncalls++] = (Mesos__V1__Executor__Call *)kmesos_pb_dup(&call->base);
    return 0;
}

static int fake_spawn(void *arg, kmesos_exec_task *t, const kmesos_exec_spec *spec, char *err,
                      size_t errlen)
{
    fake_io *f = arg;
    (void)err;
    (void)errlen;
    f->spawns++;
    free(f->spawn_cmd);
    free(f->spawn_foo);
    f->spawn_cmd = strdup(spec->argv[2] ? spec->argv[2] : spec->argv[0]);
    const char *foo = kmesos_exec_spec_getenv(spec->env, "FOO");
    f->spawn_foo = foo ? strdup(foo) : NULL;
    f->spawn_ready_port = spec->ready_port;
    t->proc = f;
    return 0;
}

static void fake_kill(void *arg, kmesos_exec_task *t, int64_t grace_ns)
{
    fake_io *f = arg;
    (void)t;
    f->kills++;
    f->kill_grace = grace_ns;
}

static int fake_uuid(void *arg, uint8_t out[16])
{
    fake_io *f = arg;
    if (f->next_uuid < f->nuuids)
        memcpy(out, f->uuids[f->next_uuid], 16);
    else
        memset(out, 0xa0 + f->next_uuid, 16);
    f->next_uuid++;
    return 0;
}

static double fake_wall(void *arg)
{
    (void)arg;
    return 1795588638.5;
}

static int64_t fake_mono(void *arg)
{
    return ((fake_io *)arg)->now_ms;
}

static void fake_exit(void *arg, int code)
{
    fake_io *f = arg;
    f->exit_code = code;
    f->exits++;
}

static void fake_free(fake_io *f)
{
    for (int i = 0; i < f->ncalls; i++)
        protobuf_c_message_free_unpacked(&f->calls[i]->base, NULL);
    free(f->spawn_cmd);
    free(f->spawn_foo);
}

typedef struct harness {
    fake_io f;
    kmesos_exec_config cfg;
    kmesos_exec_core core;
} harness;

static char *base_env[] = {"PATH=/usr/bin:/bin", "FOO=executor", NULL};

static void harness_init(harness *h)
{
    memset(h, 0, sizeof *h);
    h->f.exit_code = -1;
    h->f.now_ms = 1000;
    h->cfg.agent_url = "http://127.0.0.1:5051/api/v1/executor";
    h->cfg.framework_id = "79cddc2b-d70b-4e52-b13a-328e10bbb5fc-0000";
    h->cfg.executor_id = "capexec-1";
    h->cfg.sandbox = "/tmp";
    h->cfg.shutdown_grace_ns = 5 * SEC;
    h->cfg.recovery_ns = 900 * SEC;
    kmesos_exec_io io = {&h->f, fake_send, fake_spawn, fake_kill, fake_uuid,
                         fake_wall, fake_mono, fake_exit};
    kmesos_exec_core_init(&h->core, &h->cfg, base_env, &io);
}

static void harness_free(harness *h)
{
    kmesos_exec_core_free(&h->core);
    fake_free(&h->f);
}

static const Mesos__V1__TaskStatus *call_status(const harness *h, int i)
{
    if (i >= h->f.ncalls || !h->f.calls[i]->update)
        return NULL;
    return h->f.calls[i]->update->status;
}

/* ---- records of the capture ------------------------------------------------ */

typedef struct records {
    uint8_t *rec[16];
    size_t len[16];
    int n;
} records;

static int collect(void *arg, const uint8_t *rec, size_t len)
{
    records *r = arg;
    if (r->n >= 16)
        return 1;
    r->rec[r->n] = malloc(len ? len : 1);
    memcpy(r->rec[r->n], rec, len);
    r->len[r->n++] = len;
    return 0;
}

static void records_load(records *r)
{
    memset(r, 0, sizeof *r);
    size_t len = 0;
    unsigned char *body = testlib_read_file(CAPTURE, &len);
    CHECK(body != NULL);
    if (!body)
        return;
    kmesos_recordio rio;
    kmesos_recordio_init(&rio, KMESOS_RECORDIO_DEFAULT_MAX);
    CHECK_INT(kmesos_recordio_feed(&rio, body, len, collect, r), 0);
    CHECK(!kmesos_recordio_partial(&rio));
    kmesos_recordio_free(&rio);
    free(body);
}

static void records_free(records *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->rec[i]);
}

static int feed(harness *h, const records *r, int i)
{
    return kmesos_exec_core_on_record(&h->core, r->rec[i], r->len[i]);
}

/* Replaces record i (the LAUNCH) by the same event with a command. */
static void add_command(records *r, int i, const char *value, const char *env_name,
                        const char *env_value)
{
    char err[128];
    Mesos__V1__Executor__Event *ev = (Mesos__V1__Executor__Event *)kmesos_protocol_decode(
        &mesos__v1__executor__event__descriptor, KMESOS_CT_PROTOBUF, r->rec[i], r->len[i], err,
        sizeof err);
    CHECK(ev && ev->launch && !ev->launch->task->command);
    if (!ev)
        return;
    Mesos__V1__CommandInfo cmd = MESOS__V1__COMMAND_INFO__INIT;
    Mesos__V1__Environment env = MESOS__V1__ENVIRONMENT__INIT;
    Mesos__V1__Environment__Variable var = MESOS__V1__ENVIRONMENT__VARIABLE__INIT;
    Mesos__V1__Environment__Variable *vars[] = {&var};
    var.name = (char *)env_name;
    var.value = (char *)env_value;
    env.n_variables = 1;
    env.variables = vars;
    cmd.value = (char *)value;
    cmd.environment = &env;
    ev->launch->task->command = &cmd;
    kmesos_buf out;
    kmesos_buf_init(&out);
    CHECK_INT(kmesos_protocol_encode(&ev->base, KMESOS_CT_PROTOBUF, &out), 0);
    ev->launch->task->command = NULL; /* not the decoder's to free */
    protobuf_c_message_free_unpacked(&ev->base, NULL);
    free(r->rec[i]);
    r->rec[i] = out.data;
    r->len[i] = out.len;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_capture_as_recorded(void)
{
    records r;
    records_load(&r);
    CHECK_INT(r.n, 6);
    harness h;
    harness_init(&h);
    h.f.uuids[0] = UUID_RUNNING;
    h.f.nuuids = 1;
    CHECK_INT(feed(&h, &r, 0), 0); /* SUBSCRIBED */
    CHECK(h.core.subscribed);
    CHECK_STR(h.core.agent_id, "79cddc2b-d70b-4e52-b13a-328e10bbb5fc-S0");
    CHECK_INT(feed(&h, &r, 1), 0); /* LAUNCH of a task without a command */
    CHECK_INT(h.f.spawns, 0);
    CHECK_INT(h.f.ncalls, 1);
    const Mesos__V1__TaskStatus *st = call_status(&h, 0);
    CHECK(st != NULL);
    if (st) {
        CHECK_INT(h.f.calls[0]->type, MESOS__V1__EXECUTOR__CALL__TYPE__UPDATE);
        CHECK_STR(h.f.calls[0]->executor_id->value, "capexec-1");
        CHECK_STR(h.f.calls[0]->framework_id->value, "79cddc2b-d70b-4e52-b13a-328e10bbb5fc-0000");
        CHECK_STR(st->task_id->value, "capexec-task-1");
        CHECK_INT(st->state, MESOS__V1__TASK_STATE__TASK_FAILED);
        CHECK(strstr(st->message, "no command") != NULL);
        CHECK_INT(st->source, MESOS__V1__TASK_STATUS__SOURCE__SOURCE_EXECUTOR);
        CHECK_INT(st->reason, MESOS__V1__TASK_STATUS__REASON__REASON_TASK_INVALID);
        CHECK_STR(st->agent_id->value, "79cddc2b-d70b-4e52-b13a-328e10bbb5fc-S0");
        CHECK_STR(st->executor_id->value, "capexec-1");
        CHECK(st->has_timestamp && st->timestamp == 1795588638.5);
        CHECK(st->has_uuid && st->uuid.len == 16 && memcmp(st->uuid.data, UUID_RUNNING, 16) == 0);
    }
    CHECK_INT(h.f.exits, 0);
    CHECK_INT(feed(&h, &r, 2), 0); /* ACKNOWLEDGED: that was the only task */
    CHECK_INT(h.core.updates.count, 0);
    CHECK_INT(h.f.exits, 1);
    CHECK_INT(h.f.exit_code, 0);
    for (int i = 3; i < r.n; i++)  /* KILL of the ended task, ACK, SHUTDOWN */
        CHECK_INT(feed(&h, &r, i), 0);
    CHECK_INT(h.f.kills, 0);
    CHECK_INT(h.f.exits, 1);
    CHECK_INT(h.f.ncalls, 1);
    harness_free(&h);
    records_free(&r);
}

static void test_capture_with_command_full_cycle(void)
{
    records r;
    records_load(&r);
    add_command(&r, 1, "sleep 30", "FOO", "task");
    harness h;
    harness_init(&h);
    static const uint8_t starting[16] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
                                         0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
    h.f.uuids[0] = starting;
    h.f.uuids[1] = UUID_RUNNING;
    h.f.uuids[2] = UUID_KILLED;
    h.f.nuuids = 3;
    CHECK_INT(feed(&h, &r, 0), 0);
    CHECK_INT(feed(&h, &r, 1), 0);
    CHECK_INT(h.f.spawns, 1);
    CHECK_STR(h.f.spawn_cmd, "sleep 30");
    CHECK_STR(h.f.spawn_foo, "task"); /* the task's variable wins over the executor's */
    CHECK_INT(h.f.ncalls, 2);
    CHECK_INT(call_status(&h, 0)->state, MESOS__V1__TASK_STATE__TASK_STARTING);
    CHECK_INT(call_status(&h, 1)->state, MESOS__V1__TASK_STATE__TASK_RUNNING);
    CHECK_INT(h.core.updates.count, 2);
    kmesos_exec_task *t = kmesos_exec_core_find(&h.core, "capexec-task-1");
    CHECK(t && t->running && !t->acked);
    CHECK_INT(feed(&h, &r, 2), 0); /* ACK of TASK_RUNNING */
    CHECK_INT(h.core.updates.count, 1);
    CHECK(t && t->acked);
    CHECK_INT(feed(&h, &r, 3), 0); /* KILL, no kill policy: the shutdown grace */
    CHECK_INT(h.f.kills, 1);
    CHECK_INT(h.f.kill_grace, 5 * SEC);
    if (t)
        kmesos_exec_core_task_exited(&h.core, t, 0, SIGTERM);
    CHECK_INT(h.f.ncalls, 3);
    const Mesos__V1__TaskStatus *st = call_status(&h, 2);
    CHECK(st && st->state == MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK(st && memcmp(st->uuid.data, UUID_KILLED, 16) == 0);
    CHECK(st && strstr(st->message, "killed on request") != NULL);
    CHECK_INT(feed(&h, &r, 4), 0); /* ACK of TASK_KILLED; STARTING is still out */
    CHECK_INT(h.core.updates.count, 1);
    CHECK_INT(h.f.exits, 0);
    /* the STARTING update is resent 10 s after it was made */
    h.f.now_ms += 9999;
    kmesos_exec_core_tick(&h.core);
    CHECK_INT(h.f.ncalls, 3);
    h.f.now_ms += 1;
    kmesos_exec_core_tick(&h.core);
    CHECK_INT(h.f.ncalls, 4);
    CHECK(call_status(&h, 3) && memcmp(call_status(&h, 3)->uuid.data, starting, 16) == 0);
    CHECK_INT(feed(&h, &r, 5), 0); /* SHUTDOWN: nothing runs; no wait for the last ack */
    CHECK_INT(h.f.exits, 1);
    CHECK_INT(h.f.exit_code, 0);
    CHECK_INT(h.core.updates.count, 1);
    harness_free(&h);
    records_free(&r);
}

static Mesos__V1__Executor__Call *decode_call(const kmesos_buf *b)
{
    char err[128];
    return (Mesos__V1__Executor__Call *)kmesos_protocol_decode(
        &mesos__v1__executor__call__descriptor, KMESOS_CT_PROTOBUF, b->data, b->len, err,
        sizeof err);
}

static void test_resubscribe_hands_over_unacknowledged(void)
{
    records r;
    records_load(&r);
    add_command(&r, 1, "true", "FOO", "x");
    harness h;
    harness_init(&h);
    kmesos_buf b;
    kmesos_buf_init(&b);
    CHECK_INT(kmesos_exec_core_encode_subscribe(&h.core, &b), 0);
    Mesos__V1__Executor__Call *c = decode_call(&b);
    CHECK(c && c->type == MESOS__V1__EXECUTOR__CALL__TYPE__SUBSCRIBE && c->subscribe);
    CHECK(c && c->subscribe && c->subscribe->n_unacknowledged_tasks == 0 &&
          c->subscribe->n_unacknowledged_updates == 0);
    CHECK(c && strcmp(c->executor_id->value, "capexec-1") == 0);
    if (c)
        protobuf_c_message_free_unpacked(&c->base, NULL);
    feed(&h, &r, 0);
    feed(&h, &r, 1);
    CHECK_INT(h.f.ncalls, 2);
    kmesos_exec_core_disconnected(&h.core); /* agent restart */
    kmesos_exec_task *t = kmesos_exec_core_find(&h.core, "capexec-task-1");
    if (t)
        kmesos_exec_core_task_exited(&h.core, t, 0, 0);
    CHECK_INT(h.f.ncalls, 2); /* TASK_FINISHED is queued, not sent */
    CHECK_INT(h.core.updates.count, 3);
    h.f.now_ms += 60000;
    kmesos_exec_core_tick(&h.core); /* no resend while not subscribed */
    CHECK_INT(h.f.ncalls, 2);
    kmesos_buf_reset(&b);
    CHECK_INT(kmesos_exec_core_encode_subscribe(&h.core, &b), 0);
    c = decode_call(&b);
    CHECK(c && c->subscribe);
    if (c && c->subscribe) {
        CHECK_INT(c->subscribe->n_unacknowledged_tasks, 1);
        CHECK_STR(c->subscribe->unacknowledged_tasks[0]->task_id->value, "capexec-task-1");
        CHECK_STR(c->subscribe->unacknowledged_tasks[0]->command->value, "true");
        CHECK_INT(c->subscribe->n_unacknowledged_updates, 3);
        CHECK_INT(c->subscribe->unacknowledged_updates[0]->status->state,
                  MESOS__V1__TASK_STATE__TASK_STARTING);
        CHECK_INT(c->subscribe->unacknowledged_updates[2]->status->state,
                  MESOS__V1__TASK_STATE__TASK_FINISHED);
        CHECK_STR(c->subscribe->unacknowledged_updates[2]->status->message,
                  "exited with status 0");
    }
    if (c)
        protobuf_c_message_free_unpacked(&c->base, NULL);
    CHECK_INT(feed(&h, &r, 0), 0); /* re-SUBSCRIBED */
    CHECK_INT(h.core.subscriptions, 2);
    h.f.now_ms += 9999;
    kmesos_exec_core_tick(&h.core); /* schedules restarted at re-subscribe */
    CHECK_INT(h.f.ncalls, 2);
    /* acknowledge all three */
    for (kmesos_exec_update *e = h.core.updates.head; e; e = h.core.updates.head) {
        Mesos__V1__Executor__Event ev = MESOS__V1__EXECUTOR__EVENT__INIT;
        Mesos__V1__Executor__Event__Acknowledged ack =
            MESOS__V1__EXECUTOR__EVENT__ACKNOWLEDGED__INIT;
        Mesos__V1__TaskID tid = MESOS__V1__TASK_ID__INIT;
        uint8_t uuid[16];
        memcpy(uuid, e->status->uuid.data, 16);
        tid.value = (char *)"capexec-task-1";
        ack.task_id = &tid;
        ack.uuid.data = uuid;
        ack.uuid.len = 16;
        ev.has_type = 1;
        ev.type = MESOS__V1__EXECUTOR__EVENT__TYPE__ACKNOWLEDGED;
        ev.acknowledged = &ack;
        CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), 0);
    }
    CHECK_INT(h.f.exits, 1);
    CHECK_INT(h.f.exit_code, 0);
    kmesos_buf_free(&b);
    harness_free(&h);
    records_free(&r);
}

static void test_malformed_events(void)
{
    records r;
    records_load(&r);
    harness h;
    harness_init(&h);
    CHECK_INT(feed(&h, &r, 1), -1); /* LAUNCH before SUBSCRIBED */
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0x01};
    CHECK_INT(kmesos_exec_core_on_record(&h.core, garbage, sizeof garbage), -1);
    CHECK_INT(feed(&h, &r, 0), 0);
    Mesos__V1__Executor__Event ev = MESOS__V1__EXECUTOR__EVENT__INIT;
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), -1); /* no type */
    ev.has_type = 1;
    ev.type = MESOS__V1__EXECUTOR__EVENT__TYPE__LAUNCH; /* no launch part */
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), -1);
    ev.type = (Mesos__V1__Executor__Event__Type)99; /* unknown: skipped */
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), 0);
    ev.type = MESOS__V1__EXECUTOR__EVENT__TYPE__HEARTBEAT;
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), 0);
    CHECK_INT(r.len[2] > 4, 1);
    CHECK_INT(kmesos_exec_core_on_record(&h.core, r.rec[2], r.len[2] - 4), -1); /* cut */
    CHECK_INT(h.f.ncalls, 0);
    CHECK_INT(h.f.exits, 0);
    harness_free(&h);
    records_free(&r);
}

static void test_launch_group_unsupported(void)
{
    records r;
    records_load(&r);
    harness h;
    harness_init(&h);
    feed(&h, &r, 0);
    Mesos__V1__TaskInfo ti[2];
    Mesos__V1__TaskInfo *pti[2] = {&ti[0], &ti[1]};
    Mesos__V1__TaskID tid[2];
    Mesos__V1__AgentID aid = MESOS__V1__AGENT_ID__INIT;
    aid.value = (char *)"a";
    for (int i = 0; i < 2; i++) {
        mesos__v1__task_info__init(&ti[i]);
        mesos__v1__task_id__init(&tid[i]);
        tid[i].value = (char *)(i ? "g2" : "g1");
        ti[i].task_id = &tid[i];
        ti[i].name = (char *)"g";
        ti[i].agent_id = &aid;
    }
    Mesos__V1__TaskGroupInfo g = MESOS__V1__TASK_GROUP_INFO__INIT;
    g.n_tasks = 2;
    g.tasks = pti;
    Mesos__V1__Executor__Event__LaunchGroup lg = MESOS__V1__EXECUTOR__EVENT__LAUNCH_GROUP__INIT;
    lg.task_group = &g;
    Mesos__V1__Executor__Event ev = MESOS__V1__EXECUTOR__EVENT__INIT;
    ev.has_type = 1;
    ev.type = MESOS__V1__EXECUTOR__EVENT__TYPE__LAUNCH_GROUP;
    ev.launch_group = &lg;
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), 0);
    CHECK_INT(h.f.spawns, 0);
    CHECK_INT(h.f.ncalls, 2);
    for (int i = 0; i < 2 && i < h.f.ncalls; i++) {
        CHECK_INT(call_status(&h, i)->state, MESOS__V1__TASK_STATE__TASK_FAILED);
        CHECK(strstr(call_status(&h, i)->message, "unsupported") != NULL);
    }
    harness_free(&h);
    records_free(&r);
}

static void test_readiness_and_shutdown_grace(void)
{
    records r;
    records_load(&r);
    add_command(&r, 1, "sleep 30", "KMESOS_READY_PORT", "31000");
    harness h;
    harness_init(&h);
    feed(&h, &r, 0);
    feed(&h, &r, 1);
    CHECK_INT(h.f.spawn_ready_port, 31000);
    CHECK_INT(h.f.ncalls, 1); /* TASK_STARTING only: not ready yet */
    kmesos_exec_task *t = kmesos_exec_core_find(&h.core, "capexec-task-1");
    CHECK(t != NULL);
    if (!t)
        return;
    kmesos_exec_core_task_ready(&h.core, t, "ready: 127.0.0.1:31000 accepts connections");
    CHECK_INT(h.f.ncalls, 2);
    CHECK_INT(call_status(&h, 1)->state, MESOS__V1__TASK_STATE__TASK_RUNNING);
    kmesos_exec_core_task_ready(&h.core, t, "again"); /* once only */
    CHECK_INT(h.f.ncalls, 2);
    kmesos_exec_core_shutdown(&h.core, "test");
    CHECK_INT(h.f.kills, 1);
    CHECK_INT(h.f.kill_grace, 4 * SEC); /* 5 s agent grace minus a second in hand */
    CHECK_INT(h.f.exits, 0); /* the task still runs */
    kmesos_exec_core_task_exited(&h.core, t, 143, 0);
    CHECK_INT(call_status(&h, 2)->state, MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(h.f.exits, 1); /* at once: no wait for acks */
    CHECK_INT(h.f.exit_code, 0);
    harness_free(&h);

    harness_init(&h); /* readiness timeout: TASK_FAILED, not TASK_KILLED */
    feed(&h, &r, 0);
    feed(&h, &r, 1);
    t = kmesos_exec_core_find(&h.core, "capexec-task-1");
    kmesos_exec_core_task_not_ready(&h.core, t, "not ready in time: nothing on 127.0.0.1:31000");
    CHECK_INT(h.f.kills, 1);
    kmesos_exec_core_task_exited(&h.core, t, 0, SIGTERM);
    CHECK_INT(call_status(&h, 1)->state, MESOS__V1__TASK_STATE__TASK_FAILED);
    CHECK(strncmp(call_status(&h, 1)->message, "not ready in time", 17) == 0);
    harness_free(&h);
    records_free(&r);

    records_load(&r); /* a readiness command alone also holds TASK_RUNNING back */
    add_command(&r, 1, "sleep 30", "KMESOS_READY_COMMAND", "./kafka-ready.sh");
    harness_init(&h);
    feed(&h, &r, 0);
    feed(&h, &r, 1);
    CHECK_INT(h.f.spawn_ready_port, 0);
    CHECK_INT(h.f.ncalls, 1); /* TASK_STARTING only */
    t = kmesos_exec_core_find(&h.core, "capexec-task-1");
    if (t)
        kmesos_exec_core_task_ready(&h.core, t, "ready: node 1 in sync");
    CHECK_INT(h.f.ncalls, 2);
    CHECK_STR(call_status(&h, 1)->message, "ready: node 1 in sync");
    harness_free(&h);
    records_free(&r);
}

static void test_kill_policy_and_give_up(void)
{
    records r;
    records_load(&r);
    add_command(&r, 1, "sleep 30", "FOO", "x");
    harness h;
    harness_init(&h);
    feed(&h, &r, 0);
    feed(&h, &r, 1);
    Mesos__V1__DurationInfo d = MESOS__V1__DURATION_INFO__INIT;
    d.nanoseconds = 1500000000;
    Mesos__V1__KillPolicy kp = MESOS__V1__KILL_POLICY__INIT;
    kp.grace_period = &d;
    Mesos__V1__TaskID tid = MESOS__V1__TASK_ID__INIT;
    tid.value = (char *)"capexec-task-1";
    Mesos__V1__Executor__Event__Kill k = MESOS__V1__EXECUTOR__EVENT__KILL__INIT;
    k.task_id = &tid;
    k.kill_policy = &kp;
    Mesos__V1__Executor__Event ev = MESOS__V1__EXECUTOR__EVENT__INIT;
    ev.has_type = 1;
    ev.type = MESOS__V1__EXECUTOR__EVENT__TYPE__KILL;
    ev.kill = &k;
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), 0);
    CHECK_INT(h.f.kill_grace, 1500000000);
    tid.value = (char *)"nope";
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), 0); /* unknown task: ignored */
    CHECK_INT(h.f.kills, 1);
    kmesos_exec_core_disconnected(&h.core);
    kmesos_exec_core_give_up(&h.core, "agent gone");
    CHECK_INT(h.f.exits, 0); /* the task still runs */
    kmesos_exec_core_task_exited(&h.core, kmesos_exec_core_find(&h.core, "capexec-task-1"), 0, 9);
    CHECK_INT(h.f.exits, 1);
    CHECK_INT(h.f.exit_code, 1);
    harness_free(&h);
    records_free(&r);
}

/* A framework's teardown as the real agent shows it (executor-teardown/
 * x2_exec: SUBSCRIBED, LAUNCH, ACKNOWLEDGED, SHUTDOWN, no KILL): the agent
 * never acknowledges the terminal update (Slave::statusUpdate ignores
 * updates of a terminating framework). The executor kills the task within
 * the agent's grace, sends TASK_KILLED and exits 0 as soon as the task
 * ended, without waiting for an ACKNOWLEDGED nor resending. */
static void test_teardown_does_not_wait_for_acks(void)
{
    records r;
    records_load(&r);
    add_command(&r, 1, "exec java -jar broker.jar", "FOO", "x");
    harness h;
    harness_init(&h);
    h.cfg.checkpoint = 1;
    feed(&h, &r, 0);
    feed(&h, &r, 1);
    CHECK_INT(feed(&h, &r, 2), 0); /* ACKNOWLEDGED of TASK_RUNNING (uuid of the capture) */
    Mesos__V1__Executor__Event ev = MESOS__V1__EXECUTOR__EVENT__INIT;
    ev.has_type = 1;
    ev.type = MESOS__V1__EXECUTOR__EVENT__TYPE__SHUTDOWN;
    CHECK_INT(kmesos_exec_core_on_event(&h.core, &ev), 0);
    CHECK_INT(h.f.kills, 1);
    CHECK_INT(h.f.kill_grace, 4 * SEC); /* ends before the agent's 5 s grace */
    int sent = h.f.ncalls;
    kmesos_exec_task *t = kmesos_exec_core_find(&h.core, "capexec-task-1");
    h.f.now_ms += 3900; /* a JVM that uses nearly all of its grace */
    if (t)
        kmesos_exec_core_task_exited(&h.core, t, 0, SIGTERM);
    CHECK_INT(h.f.ncalls, sent + 1);
    CHECK(call_status(&h, sent) &&
          call_status(&h, sent)->state == MESOS__V1__TASK_STATE__TASK_KILLED);
    CHECK_INT(h.f.exits, 1);
    CHECK_INT(h.f.exit_code, 0);
    CHECK(h.core.updates.count >= 1); /* left unacknowledged */
    h.f.now_ms += 60000;
    kmesos_exec_core_tick(&h.core); /* nothing more, whatever the clock says */
    CHECK_INT(h.f.exits, 1);
    harness_free(&h);
    records_free(&r);
}

int main(void)
{
    RUN_TEST(test_capture_as_recorded);
    RUN_TEST(test_capture_with_command_full_cycle);
    RUN_TEST(test_resubscribe_hands_over_unacknowledged);
    RUN_TEST(test_malformed_events);
    RUN_TEST(test_launch_group_unsupported);
    RUN_TEST(test_readiness_and_shutdown_grace);
    RUN_TEST(test_kill_policy_and_give_up);
    RUN_TEST(test_teardown_does_not_wait_for_acks);
    return testlib_finish();
}
