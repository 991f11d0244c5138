/* check: `kmesos-scheduler --check-policy [FILE...]`, a dry run of a
 * policy chain (without FILE: the default chain, from the policies folder
 * the scheduler would use). It loads the chain exactly as the scheduler
 * would (same host, options, budget), reports what loaded, and when given JSON input
 * evaluates every pair and prints one line per pair:
 *   offer=ID task=ID verdict=wait policy=delay refuse_seconds=- reason="..."
 * Input is {"offers":[...],"tasks":[...],"ctx":{...}} (every offer against
 * every task) or one {"offer","task","ctx"} case or a list of them (the
 * chain.lua form). Exit codes: 0 all good, 1 the chain does not load or a
 * pair failed (a policy raised, ran out of budget or returned garbage),
 * 2 bad usage, a missing policy file or unreadable input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/num.h"
#include "sched/policy/policy.h"
#include "sched/policy/lua.h"

#define MAX_FILES 64

typedef struct check_args {
    const char *files[MAX_FILES];
    char defaults[2][1100]; /* the default chain, when no file is given */
    size_t n_files;
    const char *options;
    const char *input;
    uint64_t budget;
    int jit;
    int check_seen;
} check_args;

static int usage(const char *msg)
{
    fprintf(stderr,
            "check-policy: %s\n"
            "usage: kmesos-scheduler --check-policy [FILE...] [--policy FILE]...\n"
            "         [--policy-options JSON|FILE] [--input FILE|-] [--policy-budget N]"
            " [--policy-jit]\n",
            msg);
    return 2;
}

static int add_file(check_args *a, const char *f)
{
    if (a->n_files == MAX_FILES)
        return -1;
    a->files[a->n_files++] = f;
    return 0;
}

/* Takes the value of a flag ("--flag V" or "--flag=V"). */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int parse_args(int argc, char **argv, check_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--check-policy") == 0) {
            a->check_seen = 1;
            while (i + 1 < argc && argv[i + 1][0] != '-')
                if (add_file(a, argv[++i]) != 0)
                    return usage("too many policy files");
        } else if (strncmp(argv[i], "--check-policy=", 15) == 0) {
            a->check_seen = 1;
            if (add_file(a, argv[i] + 15) != 0)
                return usage("too many policy files");
        } else if ((v = flag_value(argc, argv, &i, "--policy-options"))) {
            a->options = v;
        } else if ((v = flag_value(argc, argv, &i, "--policy-budget"))) {
            long long budget;
            if (kmesos_num_int(v, 1, 1000000000000LL, &budget) != KMESOS_NUM_OK)
                return usage("--policy-budget wants a whole number from 1 to 1e12");
            a->budget = (unsigned long long)budget;
        } else if (strcmp(argv[i], "--policy-jit") == 0) {
            a->jit = 1;
        } else if ((v = flag_value(argc, argv, &i, "--input"))) {
            a->input = v;
        } else if ((v = flag_value(argc, argv, &i, "--policy"))) {
            if (add_file(a, v) != 0)
                return usage("too many policy files");
        }
    }
    if (!a->check_seen)
        return usage("--check-policy missing");
    return 0;
}

/* No file given: the scheduler's default chain, found as it finds it. */
static int default_chain(check_args *a, const char *argv0)
{
    char dir[1024];
    if (kmesos_policy_find_dir(argv0, dir, sizeof dir) != 0) {
        fprintf(stderr, "check-policy: no policy file given and no policies folder found "
                        "(set KMESOS_POLICY_DIR)\n");
        return -1;
    }
    kmesos_policy_default_chain(dir, a->defaults[0], a->defaults[1], sizeof a->defaults[0]);
    a->files[0] = a->defaults[0];
    a->files[1] = a->defaults[1];
    a->n_files = 2;
    return 0;
}

static int files_exist(const check_args *a)
{
    for (size_t i = 0; i < a->n_files; i++) {
        if (access(a->files[i], R_OK) != 0) {
            fprintf(stderr, "check-policy: %s: %s\n", a->files[i], strerror(errno));
            return -1;
        }
    }
    return 0;
}

static json_t *read_input(const char *input)
{
    json_error_t e;
    json_t *j = strcmp(input, "-") == 0 ? json_loadf(stdin, 0, &e)
                                         : json_load_file(input, 0, &e);
    if (!j)
        fprintf(stderr, "check-policy: %s: %s (line %d)\n",
                strcmp(input, "-") == 0 ? "stdin" : input, e.text, e.line);
    return j;
}

static const char *id_of(const json_t *o, char *buf, size_t len, size_t index)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    if (id)
        return id;
    snprintf(buf, len, "#%zu", index + 1);
    return buf;
}

static void print_line(const json_t *offer, size_t oi, const json_t *task, size_t ti,
                       const kmesos_verdict *v, const char *policy)
{
    char ob[32], tb[32], refuse[32] = "-";
    if (v->refuse_seconds >= 0)
        snprintf(refuse, sizeof refuse, "%g", v->refuse_seconds);
    printf("offer=%s task=%s verdict=%s policy=%s refuse_seconds=%s reason=\"",
           id_of(offer, ob, sizeof ob, oi), id_of(task, tb, sizeof tb, ti),
           kmesos_verdict_name(v->kind), policy ? policy : "-", refuse);
    for (const char *c = v->reason; *c; c++)
        printf(*c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
    printf("\"\n");
}

static int one_pair(kmesos_policy *p, const json_t *offer, size_t oi, const json_t *task,
                    size_t ti, const json_t *ctx)
{
    kmesos_verdict v;
    const char *policy = NULL;
    int rc = kmesos_policy_eval_json(p, offer, task, ctx, &v, &policy);
    print_line(offer, oi, task, ti, &v, policy);
    return rc;
}

static int run_cases(kmesos_policy *p, const json_t *cases)
{
    int failed = 0;
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        json_t *offer = json_object_get(c, "offer"), *task = json_object_get(c, "task");
        json_t *empty = json_object();
        failed |= one_pair(p, offer ? offer : empty, i, task ? task : empty, i,
                           json_object_get(c, "ctx")) != 0;
        json_decref(empty);
    }
    return failed;
}

static int run_cross(kmesos_policy *p, const json_t *offers, const json_t *tasks,
                     const json_t *ctx)
{
    int failed = 0;
    size_t oi, ti;
    json_t *o, *t;
    json_array_foreach(offers, oi, o) {
        json_array_foreach(tasks, ti, t) failed |= one_pair(p, o, oi, t, ti, ctx) != 0;
    }
    return failed;
}

static int evaluate_input(kmesos_policy *p, json_t *in)
{
    json_t *offers = json_object_get(in, "offers"), *tasks = json_object_get(in, "tasks");
    if (json_is_array(offers) || json_is_array(tasks)) {
        if (!json_is_array(offers) || !json_is_array(tasks)) {
            fprintf(stderr, "check-policy: input needs both \"offers\" and \"tasks\" arrays\n");
            return 2;
        }
        return run_cross(p, offers, tasks, json_object_get(in, "ctx")) ? 1 : 0;
    }
    if (json_is_object(in)) {
        json_t *list = json_array();
        json_array_append(list, in);
        int failed = run_cases(p, list);
        json_decref(list);
        return failed ? 1 : 0;
    }
    if (json_is_array(in))
        return run_cases(p, in) ? 1 : 0;
    fprintf(stderr, "check-policy: input must be a JSON object or array\n");
    return 2;
}

int kmesos_policy_check_main(int argc, char **argv)
{
    check_args a;
    if (parse_args(argc, argv, &a) != 0)
        return 2;
    if (a.n_files == 0 && default_chain(&a, argv[0]) != 0)
        return 2;
    if (files_exist(&a) != 0)
        return 2;
    kmesos_policy_config cfg = {a.files, a.n_files, a.options, a.budget, a.jit, NULL};
    char err[512];
    kmesos_policy *p = kmesos_policy_new(&cfg, err, sizeof err);
    if (!p) {
        fprintf(stderr, "check-policy: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < kmesos_policy_count(p); i++)
        fprintf(stderr, "check-policy: loaded %s (%s)\n", kmesos_policy_name(p, i),
                kmesos_policy_path(p, i));
    int rc = 0;
    if (a.input) {
        json_t *in = read_input(a.input);
        rc = in ? evaluate_input(p, in) : 2;
        json_decref(in);
    }
    kmesos_policy_free(p);
    return rc;
}
