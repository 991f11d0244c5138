/* fuzz_local: kmesos-local's input surfaces. Byte 0 picks one; the rest
 * is the input:
 *  0  a scheduler Call in protobuf, 1 in JSON: decoded as the master
 *     decodes a POST body, then checked by klocal_mcall_validate (Mesos'
 *     validation::scheduler::call::validate) and, for a valid SUBSCRIBE,
 *     its FrameworkInfo by klocal_mroles_validate (roles, failover
 *     timeout);
 *  2  an executor Call in protobuf, 3 in JSON: decoded, re-encoded, and
 *     the encoding must decode again;
 *  4  the --agent-config file, 5 the --credentials file: written to a
 *     temporary file and read by klocal_config_parse;
 *  6  a command line, one argument per line.
 * The file is created once per process and removed at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/buf.h"
#include "codec/protocol.h"
#include "fuzz_common.h"
#include "local/config.h"
#include "local/master/internal.h"

#define FUZZ_MAX_ARGS 32

typedef struct fuzz_ctx {
    char path[256];
} fuzz_ctx;

static fuzz_ctx *ctx;

static void remove_file(void)
{
    if (ctx) {
        unlink(ctx->path);
        free(ctx);
        ctx = NULL;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    ctx = calloc(1, sizeof *ctx);
    const char *tmp = getenv("TMPDIR");
    if (!ctx)
        abort();
    snprintf(ctx->path, sizeof ctx->path, "%s/kmesos-fuzz-local-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(ctx->path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(remove_file);
    return 0;
}

static void sched_call(const uint8_t *data, size_t size, kmesos_content_type ct)
{
    char err[256];
    ProtobufCMessage *m = kmesos_protocol_decode(&mesos__v1__scheduler__call__descriptor, ct,
                                                 data, size, err, sizeof err);
    if (!m)
        return;
    const Mesos__V1__Scheduler__Call *c = (const Mesos__V1__Scheduler__Call *)m;
    char why[600];
    if (!klocal_mcall_validate(c) && c->type == MESOS__V1__SCHEDULER__CALL__TYPE__SUBSCRIBE)
        klocal_mroles_validate(c->subscribe->framework_info, why, sizeof why);
    protobuf_c_message_free_unpacked(m, NULL);
}

static void exec_call(const uint8_t *data, size_t size, kmesos_content_type ct)
{
    char err[256];
    ProtobufCMessage *m = kmesos_protocol_decode(&mesos__v1__executor__call__descriptor, ct,
                                                 data, size, err, sizeof err);
    if (!m)
        return;
    kmesos_buf out;
    kmesos_buf_init(&out);
    if (kmesos_protocol_encode(m, ct, &out) != 0)
        fuzz_fail("a decoded executor call does not encode", NULL);
    ProtobufCMessage *again = kmesos_protocol_decode(m->descriptor, ct, out.data, out.len, err,
                                                     sizeof err);
    if (!again)
        fuzz_fail("a re-encoded executor call does not decode", err);
    protobuf_c_message_free_unpacked(again, NULL);
    protobuf_c_message_free_unpacked(m, NULL);
    kmesos_buf_free(&out);
}

static void parse_args(int argc, char **argv)
{
    klocal_config c;
    char err[512];
    memset(&c, 0, sizeof c);
    klocal_config_parse(&c, argc, argv, err, sizeof err);
    klocal_config_free(&c);
}

static void config_file(const uint8_t *data, size_t size, const char *flag)
{
    FILE *f = fopen(ctx->path, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fuzz_fail("cannot write the config file", ctx->path);
    char prog[] = "kmesos-local", opt[64];
    snprintf(opt, sizeof opt, "%s", flag);
    char *argv[] = {prog, opt, ctx->path, NULL};
    parse_args(3, argv);
}

static void command_line(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    if (!text)
        return;
    char prog[] = "kmesos-local";
    char *argv[FUZZ_MAX_ARGS + 2] = {prog};
    int argc = 1;
    char *line = text, *rest;
    while (*line && argc <= FUZZ_MAX_ARGS) {
        argv[argc++] = fuzz_split_line(line, &rest);
        line = rest;
    }
    argv[argc] = NULL;
    parse_args(argc, argv);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    switch (data[0] % 7) {
    case 0: sched_call(in, n, KMESOS_CT_PROTOBUF); break;
    case 1: sched_call(in, n, KMESOS_CT_JSON); break;
    case 2: exec_call(in, n, KMESOS_CT_PROTOBUF); break;
    case 3: exec_call(in, n, KMESOS_CT_JSON); break;
    case 4: config_file(in, n, "--agent-config"); break;
    case 5: config_file(in, n, "--credentials"); break;
    default: command_line(in, n); break;
    }
    return 0;
}
