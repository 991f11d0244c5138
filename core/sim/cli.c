/* cli: getopt_long over the flags below; numbers are checked for range,
 * repeatable flags are collected in order. */
#include "sim/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "sim/scenario.h"

void ksim_cli_usage(FILE *out)
{
    fputs("usage: kmesos-sim [OPTIONS] SCENARIO.json\n"
          "       kmesos-sim [OPTIONS] --replay TRACE.jsonl\n"
          "Runs the real scheduler core (offer book, placement, Lua policy chain, task\n"
          "registry) on a virtual clock against a modelled Mesos master and reports\n"
          "locality, waits, utilisation and offer use (docs/simulator.md).\n\n"
          "  --replay TRACE.jsonl     instead of a scenario: the cluster and jobs that a\n"
          "                           trace (kmesos-scheduler --trace) recorded, run\n"
          "                           again; the report adds what the trace recorded\n"
          "  --replay-duration S      with --replay: the duration of a task whose launch\n"
          "                           and end are not both in the trace (default 10)\n"
          "  --trace FILE             record the core's placement as JSON lines, as\n"
          "                           kmesos-scheduler --trace does (FILE is truncated;\n"
          "                           not with --sweep)\n"
          "  --policy FILE            a Lua policy, repeatable: the chain in order\n"
          "                           (default: the scenario's, else the shipped\n"
          "                           constraints.lua + delay.lua)\n"
          "  --option POLICY.KEY=VAL  a policy option, repeatable, over the scenario's\n"
          "                           (e.g. delay.node_wait_s=1); VAL is JSON or a string\n"
          "  --offer-hold S           the scheduler's --offer-hold in seconds\n"
          "  --decline-refuse S       the scheduler's --decline-refuse in seconds\n"
          "  --wait-refuse S          the scheduler's --wait-refuse in seconds (the\n"
          "                           refuse of an offer declined after only waits)\n"
          "  --mode MODE              shared | static_partition | framework_per_job\n"
          "                           (default: the scenario's)\n"
          "  --seed N                 the random seed (default: the scenario's)\n"
          "  --format text|json       the report on stdout (default text)\n"
          "  --json FILE              also write the JSON report to FILE\n"
          "  --sweep POLICY.KEY=V,..  one run per value, plus the baselines static\n"
          "                           partitioning and no delay (POLICY.node_wait_s=0,\n"
          "                           POLICY.rack_wait_s=0); prints a table\n"
          "  --plot FILE.svg          with --sweep: node-local % against the value\n"
          "  --log-level LEVEL        the core's log level: debug|info|warn|error\n"
          "                           (default error)\n"
          "  -h, --help               this text\n\n"
          "The speed (simulated tasks per second) is printed on stderr.\n"
          "Exit: 0 done; 1 a run did not finish by max_time_s or failed;\n"
          "2 bad usage, a bad scenario or a policy chain that does not load.\n",
          out);
}

enum { O_POLICY = 256, O_OPTION, O_HOLD, O_REFUSE, O_WAIT_REFUSE, O_SEED, O_MODE, O_FORMAT, O_JSON,
       O_SWEEP, O_PLOT, O_LOG, O_REPLAY, O_REPLAY_DUR, O_TRACE };

static const struct option LONG[] = {
    {"policy", required_argument, 0, O_POLICY},   {"option", required_argument, 0, O_OPTION},
    {"offer-hold", required_argument, 0, O_HOLD}, {"decline-refuse", required_argument, 0, O_REFUSE},
    {"wait-refuse", required_argument, 0, O_WAIT_REFUSE},
    {"seed", required_argument, 0, O_SEED},       {"mode", required_argument, 0, O_MODE},
    {"format", required_argument, 0, O_FORMAT},   {"json", required_argument, 0, O_JSON},
    {"sweep", required_argument, 0, O_SWEEP},     {"plot", required_argument, 0, O_PLOT},
    {"log-level", required_argument, 0, O_LOG},   {"help", no_argument, 0, 'h'},
    {"replay", required_argument, 0, O_REPLAY},   {"replay-duration", required_argument, 0,
                                                   O_REPLAY_DUR},
    {"trace", required_argument, 0, O_TRACE},
    {0, 0, 0, 0}};

static int bad(const char *flag, const char *v, const char *why)
{
    fprintf(stderr, "kmesos-sim: --%s '%s': %s\n\n", flag, v, why);
    ksim_cli_usage(stderr);
    return 2;
}

static int push(const char ***list, size_t *n, const char *v)
{
    const char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return 1;
    *list = grown;
    grown[(*n)++] = v;
    return 0;
}

static int seconds(const char *flag, const char *v, double *out)
{
    double d;
    if (kmesos_num_real(v, 0, 1e6, &d) != KMESOS_NUM_OK)
        return bad(flag, v, "expected seconds in [0, 1000000]");
    *out = d;
    return 0;
}

static int apply(ksim_cli *c, int opt, const char *v)
{
    long long seed;
    switch (opt) {
    case O_POLICY: return push(&c->policies, &c->n_policies, v);
    case O_OPTION:
        if (!strchr(v, '.') || !strchr(v, '=') || strchr(v, '=') < strchr(v, '.'))
            return bad("option", v, "expected POLICY.KEY=VALUE");
        return push(&c->options, &c->n_options, v);
    case O_HOLD: return seconds("offer-hold", v, &c->offer_hold_s);
    case O_REFUSE: return seconds("decline-refuse", v, &c->decline_refuse_s);
    case O_WAIT_REFUSE: return seconds("wait-refuse", v, &c->wait_refuse_s);
    case O_SEED:
        return kmesos_num_int(v, 0, 2147483647LL, &seed) == KMESOS_NUM_OK
                   ? (c->seed = seed, 0) : bad("seed", v, "expected an integer in [0, 2147483647]");
    case O_MODE:
        c->mode = ksim_mode_parse(v);
        return c->mode >= 0 ? 0 : bad("mode", v, "expected shared, static_partition or "
                                                 "framework_per_job");
    case O_FORMAT:
        if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
            return bad("format", v, "expected text or json");
        c->json_format = strcmp(v, "json") == 0;
        return 0;
    case O_JSON: c->json_path = v; return 0;
    case O_SWEEP:
        if (!strchr(v, '.') || !strchr(v, '=') || !strchr(v, '=')[1])
            return bad("sweep", v, "expected POLICY.KEY=V1,V2,...");
        c->sweep = v;
        return 0;
    case O_PLOT: c->plot = v; return 0;
    case O_LOG: c->log_level = v; return 0;
    case O_REPLAY: c->replay = v; return *v ? 0 : bad("replay", v, "expected a trace file");
    case O_REPLAY_DUR:
        if (seconds("replay-duration", v, &c->replay_dur_s) != 0)
            return 2;
        return c->replay_dur_s >= 0.001 ? 0 : bad("replay-duration", v, "expected seconds >= "
                                                                        "0.001");
    case O_TRACE: c->trace = v; return *v ? 0 : bad("trace", v, "expected a file");
    default: return 2;
    }
}

int ksim_cli_parse(int argc, char **argv, ksim_cli *c)
{
    memset(c, 0, sizeof *c);
    c->offer_hold_s = c->decline_refuse_s = c->wait_refuse_s = -1;
    c->seed = -1;
    c->mode = -1;
    c->log_level = "error";
    c->replay_dur_s = -1;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (opt == 'h') {
            c->help = 1;
            return 0;
        }
        if (opt == '?' || opt == ':') {
            fprintf(stderr, "kmesos-sim: bad or incomplete option '%s'\n\n", argv[optind - 1]);
            ksim_cli_usage(stderr);
            return 2;
        }
        int rc = apply(c, opt, optarg);
        if (rc != 0)
            return rc;
    }
    const char *why = NULL;
    if (c->replay && optind != argc)
        why = "--replay takes the place of the scenario file";
    else if (!c->replay && optind != argc - 1)
        why = optind < argc ? "one scenario file, please" : "no scenario file given";
    else if (c->plot && !c->sweep)
        why = "--plot needs --sweep";
    else if (c->trace && c->sweep)
        why = "--trace records one run: not with --sweep";
    else if (c->replay_dur_s >= 0 && !c->replay)
        why = "--replay-duration needs --replay";
    if (why) {
        fprintf(stderr, "kmesos-sim: %s\n\n", why);
        ksim_cli_usage(stderr);
        return 2;
    }
    c->scenario = c->replay ? NULL : argv[optind];
    return 0;
}

void ksim_cli_free(ksim_cli *c)
{
    free(c->policies);
    free(c->options);
    memset(c, 0, sizeof *c);
}
