/* Tests of the Lua policy host: verdict mapping (accept / decline / wait,
 * reasons, refuse_seconds), the tables policies see, ctx.cluster counts
 * kept current within an OFFERS event, hot reload (success changes
 * decisions; a syntax error, a missing evaluate or an error at load keeps
 * the old chain and reports file:line; ctx.state survives), runtime error
 * isolation, the instruction budget, wrong return types, hooks,
 * --check-policy exit codes, every held offer answered exactly once
 * across a reload, and the hooks fed by the scheduler through its decider
 * (the scheduler core with a fake io). Policy files are
 * written to a temporary directory by the tests. */
#include <stdlib.h>
#include <unistd.h>

#include "codec/protocol.h"
#include "codec/pb.h"
#include "sched/policy/policy.h"
#include "sched/scheduler.h"
#include "fake_io.h"
#include "testlib.h"

#define POLICIES KMESOS_TEST_DATA "/../../policies"

static char tmpdir[256];

static kmesos_policy *host_of(const char *const *files, size_t n, const char *options,
                              char *err, size_t errlen)
{
    kmesos_policy_config cfg = {files, n, options, 0, 0, NULL};
    return kmesos_policy_new(&cfg, err, errlen);
}

static kmesos_policy *host1(const char *file)
{
    char err[512];
    const char *files[] = {file};
    kmesos_policy *p = host_of(files, 1, NULL, err, sizeof err);
    if (!p)
        fprintf(stderr, "  load failed: %s\n", err);
    return p;
}

/* Evaluates {task} against an empty offer through JSON. */
static int eval_kind(kmesos_policy *p, const char *task_json, kmesos_verdict *v)
{
    json_t *offer = json_pack("{s:s, s:s, s:s}", "id", "o1", "hostname", "h1", "agent_id", "a1");
    json_t *task = json_loads(task_json, 0, NULL);
    int rc = kmesos_policy_eval_json(p, offer, task, NULL, v, NULL);
    json_decref(offer);
    json_decref(task);
    return rc;
}

static const char VERDICTS[] =
    "return { name = 'verdicts', evaluate = function(offer, task, ctx)\n"
    "  if task.kind == 'a' then return 'accept' end\n"
    "  if task.kind == 'd' then return 'decline', 'no way', 30 end\n"
    "  if task.kind == 'w' then return 'wait', 'later' end\n"
    "  if task.kind == 'dn' then return 'decline' end\n"
    "  if task.kind == 'num' then return 42 end\n"
    "  if task.kind == 'maybe' then return 'maybe' end\n"
    "  if task.kind == 'badreason' then return 'decline', {} end\n"
    "  if task.kind == 'badrefuse' then return 'decline', 'r', 'soon' end\n"
    "  if task.kind == 'negrefuse' then return 'decline', 'r', -1 end\n"
    "  if task.kind == 'nothing' then return end\n"
    "  if task.kind == 'raise' then error('boom') end\n"
    "  if task.kind == 'raisetable' then error({}) end\n"
    "  if task.kind == 'loop' then while true do end end\n"
    "  if task.kind == 'forloop' then local x = 0 for i = 1, 1e15 do x = x + i end return x end\n"
    "  return 'accept'\n"
    "end }\n";

static void test_verdict_mapping(void)
{
    kmesos_policy *p = host1(testlib_write_file(tmpdir, "verdicts.lua", VERDICTS));
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_verdict v;
    CHECK_INT(eval_kind(p, "{\"kind\":\"a\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_ACCEPT);
    CHECK(v.refuse_seconds < 0);
    CHECK_INT(eval_kind(p, "{\"kind\":\"d\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_DECLINE);
    CHECK_STR(v.reason, "no way");
    CHECK(v.refuse_seconds == 30);
    CHECK_INT(eval_kind(p, "{\"kind\":\"w\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_WAIT);
    CHECK_STR(v.reason, "later");
    CHECK_INT(eval_kind(p, "{\"kind\":\"dn\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_DECLINE);
    CHECK_STR(v.reason, "");
    CHECK(v.refuse_seconds < 0);
    const kmesos_policy_stats *st = kmesos_policy_stats_get(p);
    CHECK_INT(st->evaluations, 4);
    CHECK_INT(st->accepts, 1);
    CHECK_INT(st->declines, 2);
    CHECK_INT(st->waits, 1);
    CHECK_INT(st->errors, 0);
    kmesos_policy_free(p);
}

static void test_wrong_return_types_decline_naming_the_file(void)
{
    const char *path = testlib_write_file(tmpdir, "verdicts.lua", VERDICTS);
    kmesos_policy *p = host1(path);
    CHECK(p != NULL);
    if (!p)
        return;
    static const char *const kinds[] = {"num", "maybe", "badreason", "badrefuse", "negrefuse",
                                        "nothing"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char task[64];
        kmesos_verdict v;
        snprintf(task, sizeof task, "{\"kind\":\"%s\"}", kinds[i]);
        CHECK_INT(eval_kind(p, task, &v), -1);
        CHECK_INT(v.kind, KMESOS_VERDICT_DECLINE);
        CHECK(strstr(v.reason, "policy verdicts (") != NULL);
        CHECK(strstr(v.reason, "verdicts.lua)") != NULL);
    }
    kmesos_verdict v;
    eval_kind(p, "{\"kind\":\"maybe\"}", &v);
    CHECK(strstr(v.reason, "invalid verdict 'maybe'") != NULL);
    eval_kind(p, "{\"kind\":\"num\"}", &v);
    CHECK(strstr(v.reason, "returned number instead of a verdict") != NULL);
    CHECK_INT(kmesos_policy_stats_get(p)->invalid, 6 + 2);
    /* the host keeps going */
    CHECK_INT(eval_kind(p, "{\"kind\":\"a\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_ACCEPT);
    kmesos_policy_free(p);
}

static void test_runtime_error_is_isolated_with_file_and_line(void)
{
    kmesos_policy *p = host1(testlib_write_file(tmpdir, "verdicts.lua", VERDICTS));
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_verdict v;
    CHECK_INT(eval_kind(p, "{\"kind\":\"raise\"}", &v), -1);
    CHECK_INT(v.kind, KMESOS_VERDICT_DECLINE);
    CHECK(strstr(v.reason, "policy verdicts raised:") != NULL);
    CHECK(strstr(v.reason, "verdicts.lua:12: boom") != NULL);
    CHECK(strstr(kmesos_policy_last_error(p), "verdicts.lua:12: boom") != NULL);
    CHECK_INT(eval_kind(p, "{\"kind\":\"raisetable\"}", &v), -1);
    CHECK(strstr(v.reason, "error object is a table") != NULL);
    CHECK_INT(eval_kind(p, "{\"kind\":\"w\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_WAIT);
    CHECK_INT(kmesos_policy_stats_get(p)->errors, 2);
    kmesos_policy_free(p);
}

static void test_instruction_budget_stops_endless_loops(void)
{
    const char *files[] = {testlib_write_file(tmpdir, "verdicts.lua", VERDICTS)};
    kmesos_policy_config cfg = {files, 1, NULL, 100000, 0, NULL};
    char err[256];
    kmesos_policy *p = kmesos_policy_new(&cfg, err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_verdict v;
    CHECK_INT(eval_kind(p, "{\"kind\":\"loop\"}", &v), -1);
    CHECK_INT(v.kind, KMESOS_VERDICT_DECLINE);
    CHECK(strstr(v.reason, "instruction budget of 100000 exceeded") != NULL);
    CHECK(strstr(v.reason, "verdicts.lua:14") != NULL);
    CHECK_INT(eval_kind(p, "{\"kind\":\"forloop\"}", &v), -1);
    CHECK(strstr(v.reason, "instruction budget") != NULL);
    CHECK_INT(kmesos_policy_stats_get(p)->budget_hits, 2);
    CHECK_INT(eval_kind(p, "{\"kind\":\"a\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_ACCEPT);
    kmesos_policy_free(p);
    /* an endless loop at load time is refused too */
    const char *bad[] = {testlib_write_file(tmpdir, "loops_at_load.lua", "while true do end\n")};
    kmesos_policy_config c2 = {bad, 1, NULL, 1000, 0, NULL};
    CHECK(kmesos_policy_new(&c2, err, sizeof err) == NULL);
    CHECK(strstr(err, "loops_at_load.lua:1: instruction budget") != NULL);
}

static void test_load_errors_are_clear(void)
{
    char err[512];
    const char *missing[] = {"/nonexistent/policy.lua"};
    CHECK(host_of(missing, 1, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/policy.lua: No such file") != NULL);
    const char *noeval[] = {testlib_write_file(tmpdir, "noeval.lua", "return { name = 'x' }\n")};
    CHECK(host_of(noeval, 1, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "noeval.lua: the returned table has no evaluate function") != NULL);
    const char *notable[] = {testlib_write_file(tmpdir, "notable.lua", "return 1\n")};
    CHECK(host_of(notable, 1, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "notable.lua: the file must return a table, got number") != NULL);
    const char *syntax[] = {testlib_write_file(tmpdir, "syntax.lua", "local x = \nreturn {\n  evaluate = ]\n}\n")};
    CHECK(host_of(syntax, 1, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "syntax.lua:2:") != NULL);
    const char *badhook[] = {testlib_write_file(tmpdir, "badhook.lua",
                                          "return { evaluate = function() end, on_tick = 5 }\n")};
    CHECK(host_of(badhook, 1, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "badhook.lua: on_tick must be a function, got number") != NULL);
    const char *checked[] = {testlib_write_file(tmpdir, "checked.lua",
                                          "return { evaluate = function() return 'accept' end,\n"
                                          "  check = function(o) if not o.x then\n"
                                          "    return false, 'option x is required' end end }\n")};
    CHECK(host_of(checked, 1, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "check(options) refused: option x is required") != NULL);
    kmesos_policy *p = host_of(checked, 1, "{\"checked\": {\"x\": 1}}", err, sizeof err);
    CHECK(p != NULL);
    kmesos_policy_free(p);
    CHECK(host_of(checked, 1, "{\"checked\": 3}", err, sizeof err) == NULL);
    CHECK(strstr(err, "options of policy 'checked' must be a JSON object") != NULL);
    CHECK(host_of(checked, 1, "{bad json", err, sizeof err) == NULL);
    CHECK(strstr(err, "inline JSON") != NULL);
}

static const char STATEFUL_V1[] =
    "return { name = 'counter', evaluate = function(offer, task, ctx)\n"
    "  ctx.state.n = (ctx.state.n or 0) + 1\n"
    "  ctx.state.hosts = ctx.state.hosts or {}\n"
    "  ctx.state.hosts[offer.hostname] = true\n"
    "  return 'wait', 'v1 n=' .. ctx.state.n\n"
    "end }\n";
static const char STATEFUL_V2[] =
    "return { name = 'counter', evaluate = function(offer, task, ctx)\n"
    "  ctx.state.n = (ctx.state.n or 0) + 1\n"
    "  local h = ctx.state.hosts and ctx.state.hosts.h1 and 'h1' or 'none'\n"
    "  return 'decline', 'v2 n=' .. ctx.state.n .. ' ' .. h, 7\n"
    "end }\n";

static void test_reload_changes_decisions_and_keeps_state(void)
{
    const char *path = testlib_write_file(tmpdir, "counter.lua", STATEFUL_V1);
    kmesos_policy *p = host1(path);
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_verdict v;
    eval_kind(p, "{}", &v);
    eval_kind(p, "{}", &v);
    CHECK_INT(v.kind, KMESOS_VERDICT_WAIT);
    CHECK_STR(v.reason, "v1 n=2");
    testlib_write_file(tmpdir, "counter.lua", STATEFUL_V2);
    CHECK_INT(kmesos_policy_reload(p), 0);
    CHECK_STR(kmesos_policy_reload_error(p), "");
    eval_kind(p, "{}", &v);
    CHECK_INT(v.kind, KMESOS_VERDICT_DECLINE);
    CHECK_STR(v.reason, "v2 n=3 h1");
    CHECK(v.refuse_seconds == 7);
    const kmesos_policy_stats *st = kmesos_policy_stats_get(p);
    CHECK_INT(st->reloads, 1);
    CHECK(st->last_reload_ms >= 0);
    kmesos_policy_free(p);
}

static void test_failed_reload_keeps_old_chain(void)
{
    const char *path = testlib_write_file(tmpdir, "keep.lua", STATEFUL_V1);
    kmesos_policy *p = host1(path);
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_verdict v;
    eval_kind(p, "{}", &v);
    static const char *const broken[] = {
        "return { evaluate = function( }\n",                  /* syntax error */
        "return { name = 'keep' }\n",                          /* no evaluate */
        "local t = {}\nlocal x = t.a.b\nreturn { evaluate = function() end }\n", /* raises */
    };
    static const char *const expect[] = {"keep.lua:1:", "no evaluate function", "keep.lua:2:"};
    for (int i = 0; i < 3; i++) {
        testlib_write_file(tmpdir, "keep.lua", broken[i]);
        CHECK_INT(kmesos_policy_reload(p), -1);
        CHECK(strstr(kmesos_policy_reload_error(p), expect[i]) != NULL);
        CHECK(strstr(kmesos_policy_last_error(p), expect[i]) != NULL);
        eval_kind(p, "{}", &v);
        CHECK_INT(v.kind, KMESOS_VERDICT_WAIT); /* still v1, state intact */
    }
    CHECK_STR(v.reason, "v1 n=4");
    CHECK_INT(kmesos_policy_stats_get(p)->reload_failures, 3);
    CHECK_INT(kmesos_policy_stats_get(p)->reloads, 0);
    kmesos_policy_free(p);
}

/* A policy whose hooks leave traces in ctx.state, which its verdict's
 * reason shows. */
static const char HOOKS_LUA[] =
    "local M = { name = 'hooks' }\n"
    "function M.evaluate(offer, task, ctx)\n"
    "  return 'wait', 'limit=' .. tostring(ctx.options.limit) .. ' ticks=' ..\n"
    "    tostring(ctx.state.ticks) .. ' last=' .. tostring(ctx.state.last)\n"
    "end\n"
    "function M.on_tick(ctx) ctx.state.ticks = (ctx.state.ticks or 0) + 1 end\n"
    "function M.on_status(task, status, ctx)\n"
    "  ctx.state.last = task.id .. ':' .. status.state\n"
    "end\n"
    "return M\n";

static void test_options_and_hooks(void)
{
    const char *files[] = {testlib_write_file(tmpdir, "hooks.lua", HOOKS_LUA),
        testlib_write_file(tmpdir, "other.lua", "return { evaluate = function(o, t, ctx)\n"
                                  "  if ctx.options.limit ~= nil then error('leak') end\n"
                                  "  return 'accept' end, on_tick = function() error('tock') end }\n")};
    char err[256];
    kmesos_policy *p = host_of((const char *const[]){files[1], files[0]}, 2,
                               "{\"hooks\": {\"limit\": 3}}", err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(kmesos_policy_count(p), 2);
    CHECK_STR(kmesos_policy_name(p, 0), "other");
    CHECK_INT(kmesos_policy_tick(p, 100), 1); /* other.lua's on_tick raises: counted */
    CHECK(strstr(kmesos_policy_last_error(p), "policy other on_tick:") != NULL);
    CHECK_INT(kmesos_policy_status(p, NULL, "t-1", "TASK_RUNNING", NULL, 101), 0);
    kmesos_verdict v;
    eval_kind(p, "{}", &v);
    CHECK_STR(v.reason, "limit=3 ticks=1 last=t-1:TASK_RUNNING");
    CHECK_INT(kmesos_policy_stats_get(p)->hook_errors, 1);
    kmesos_policy_free(p);
}

/* A chain of n policies p1..pn (n above the host's straight-line limit
 * exercises the looped chain walker too): each sees its own options, and
 * answers, raises or misbehaves when the task kind names it. */
static kmesos_policy *chain_of(size_t n, char paths[][512])
{
    const char *files[32];
    char options[2048] = "{";
    for (size_t k = 1; k <= n; k++) {
        char name[32];
        snprintf(name, sizeof name, "p%zu.lua", k);
        snprintf(paths[k - 1], 512, "%s", testlib_write_file(tmpdir, name, ""));
        FILE *fp = fopen(paths[k - 1], "w");
        if (fp) {
            fprintf(fp,
                    "return { name = 'p%zu', evaluate = function(o, t, ctx)\n"
                    "  if ctx.options.k ~= %zu then error('wrong options') end\n"
                    "  if t.kind == 'no%zu' then return 'decline', 'no from %zu', 7 end\n"
                    "  if t.kind == 'raise%zu' then error('boom') end\n"
                    "  if t.kind == 'bad%zu' then return 42 end\n"
                    "  return 'accept'\n"
                    "end }\n",
                    k, k, k, k, k, k);
            fclose(fp);
        }
        files[k - 1] = paths[k - 1];
        size_t len = strlen(options);
        snprintf(options + len, sizeof options - len, "%s\"p%zu\":{\"k\":%zu}", k > 1 ? "," : "",
                 k, k);
    }
    strcat(options, "}");
    char err[512];
    kmesos_policy *p = host_of(files, n, options, err, sizeof err);
    if (!p)
        fprintf(stderr, "  load failed: %s\n", err);
    return p;
}

static void check_chain(size_t n)
{
    char paths[32][512];
    kmesos_policy *p = chain_of(n, paths);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(kmesos_policy_count(p), n);
    kmesos_verdict v;
    CHECK_INT(eval_kind(p, "{\"kind\":\"x\"}", &v), 0);
    CHECK_INT(v.kind, KMESOS_VERDICT_ACCEPT);
    size_t which[] = {1, n / 2 + 1, n};
    for (size_t i = 0; i < 3; i++) {
        char task[64], want[64];
        size_t k = which[i];
        snprintf(task, sizeof task, "{\"kind\":\"no%zu\"}", k);
        CHECK_INT(eval_kind(p, task, &v), 0);
        CHECK_INT(v.kind, KMESOS_VERDICT_DECLINE);
        snprintf(want, sizeof want, "no from %zu", k);
        CHECK_STR(v.reason, want);
        CHECK(v.refuse_seconds == 7);
        snprintf(task, sizeof task, "{\"kind\":\"raise%zu\"}", k);
        CHECK_INT(eval_kind(p, task, &v), -1);
        snprintf(want, sizeof want, "policy p%zu raised: ", k);
        CHECK(strstr(v.reason, want) != NULL);
        CHECK(strstr(v.reason, "boom") != NULL);
        snprintf(task, sizeof task, "{\"kind\":\"bad%zu\"}", k);
        CHECK_INT(eval_kind(p, task, &v), -1);
        snprintf(want, sizeof want, "policy p%zu (", k);
        CHECK(strstr(v.reason, want) != NULL);
    }
    /* the policy that answered is named to the admin API */
    json_t *offer = json_pack("{s:s}", "id", "o1"), *task = json_pack("{s:s}", "kind", "no1");
    const char *who = NULL;
    CHECK_INT(kmesos_policy_eval_json(p, offer, task, NULL, &v, &who), 0);
    CHECK(who && strcmp(who, "p1") == 0);
    json_decref(task);
    task = json_pack("{s:s}", "kind", "x");
    CHECK_INT(kmesos_policy_eval_json(p, offer, task, NULL, &v, &who), 0);
    CHECK(who == NULL);
    json_decref(task);
    json_decref(offer);
    kmesos_policy_free(p);
}

static void test_chain_walker_short_and_long_chains(void)
{
    check_chain(3);
    check_chain(20);
}

/* ---- C views and ctx.cluster through the scheduler ---------------------------- */

typedef fake_io fake;

static Mesos__V1__Resource *ports_resource(uint64_t begin, uint64_t end)
{
    Mesos__V1__Resource *r = kmesos_pb_new(&mesos__v1__resource__descriptor);
    r->name = strdup("ports");
    r->type = MESOS__V1__VALUE__TYPE__RANGES;
    r->ranges = kmesos_pb_new(&mesos__v1__value__ranges__descriptor);
    Mesos__V1__Value__Range *range = kmesos_pb_new(&mesos__v1__value__range__descriptor);
    range->begin = begin;
    range->end = end;
    kmesos_pb_push((void ***)&r->ranges->range, &r->ranges->n_range, range);
    return r;
}

static Mesos__V1__Offer *make_offer(const char *id, const char *agent, const char *host,
                                    const char *rack, double cpus)
{
    Mesos__V1__Offer *o = kmesos_pb_new(&mesos__v1__offer__descriptor);
    o->id = kmesos_pb_id(&mesos__v1__offer_id__descriptor, id);
    o->framework_id = kmesos_pb_id(&mesos__v1__framework_id__descriptor, "fw");
    o->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, agent);
    o->hostname = strdup(host);
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("cpus", cpus, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, kmesos_pb_scalar("mem", 4096, "*"));
    kmesos_pb_push((void ***)&o->resources, &o->n_resources, ports_resource(31000, 31009));
    if (rack)
        kmesos_pb_push((void ***)&o->attributes, &o->n_attributes, fake_io_text_attr("rack", rack));
    return o;
}

/* An OFFERS event: offer i has id ids[i] on host hosts[i] (agent = "a-" host). */
static void feed(kmesos_scheduler *s, const char *const *ids, const char *const *hosts, size_t n)
{
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__OFFERS;
    ev->offers = kmesos_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    for (size_t i = 0; i < n; i++) {
        char agent[64];
        snprintf(agent, sizeof agent, "a-%s", hosts[i]);
        kmesos_pb_push((void ***)&ev->offers->offers, &ev->offers->n_offers,
                       make_offer(ids[i], agent, hosts[i], hosts[i][1] == '1' ? "r1" : "r2", 4));
    }
    kmesos_scheduler_on_event(s, ev);
    kmesos_pb_free(ev);
}

static void setup(kmesos_scheduler *s, fake *f, const char *spec, kmesos_policy *p)
{
    memset(f, 0, sizeof *f);
    f->now_ms = 1000;
    f->epoch_s = 1.7e9;
    kmesos_workload *w = calloc(1, sizeof *w);
    char err[256];
    CHECK_INT(kmesos_workload_parse(spec, w, err, sizeof err), 0);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_scheduler_io io = fake_io_make(f);
    kmesos_scheduler_init(s, &cfg, &io, w, 1);
    CHECK_INT(kmesos_scheduler_fill_slots(s), 0);
    kmesos_decider_init(&s->decider, kmesos_policy_evaluate, p);
    kmesos_policy_attach(p, &s->offers, &s->tasks);
    kmesos_scheduler_on_subscribed(s, "fw-1");
    fake_io_reset(f);
}

/* answers[i] = how many times offer ids[i] was accepted or declined. */
static void count_answers(const fake *f, const char *const *ids, size_t n, int *answers)
{
    memset(answers, 0, n * sizeof *answers);
    for (size_t c = 0; c < f->n; c++) {
        const kmesos_call *call = f->calls[c];
        Mesos__V1__OfferID **oids = NULL;
        size_t k = 0;
        if (call->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT)
            oids = call->accept->offer_ids, k = call->accept->n_offer_ids;
        else if (call->type == MESOS__V1__SCHEDULER__CALL__TYPE__DECLINE)
            oids = call->decline->offer_ids, k = call->decline->n_offer_ids;
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; i < n; i++)
                answers[i] += strcmp(oids[j]->value, ids[i]) == 0;
    }
}

static void test_views_carry_the_contract_fields(void)
{
    const char *path = testlib_write_file(tmpdir, "fields.lua",
        "return { evaluate = function(o, t, ctx)\n"
        "  local c = ctx.cluster\n"
        "  local s = table.concat({ o.id, o.agent_id, o.hostname, o.attributes.rack,\n"
        "    o.cpus, o.mem, o.ports and #o.ports or -1, o.age_s, t.kind, t.cpus, t.mem,\n"
        "    t.ports_needed, t.prefer.hosts[1], t.prefer.racks[1], t.constraints.hostname,\n"
        "    t.labels.group, t.waiting_s, t.attempts, type(c.free), c.free and c.free.cpus or -1,\n"
        "    c.rack_of_host[o.hostname] or '?', type(c.tasks_by_attribute.rack), ctx.now }, ',')\n"
        "  return 'wait', s\n"
        "end }\n");
    kmesos_policy *p = host1(path);
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_scheduler s;
    fake f;
    setup(&s, &f,
          "name=kb kind=broker cmd=true cpus=1 mem=512 ports=1 prefer_hosts=h9 prefer_racks=r9 "
          "constraints=\"hostname=unique\" labels=\"group=g1\"", p);
    const char *ids[] = {"o-1"}, *hosts[] = {"h1"};
    feed(&s, ids, hosts, 1);
    kmesos_task *t = s.tasks.by_id;
    CHECK(t && t->wait_reason);
    if (t && t->wait_reason)
        CHECK_STR(t->wait_reason,
                  "o-1,a-h1,h1,r1,4,4096,1,0,broker,1,512,1,h9,r9,unique,g1,0,0,table,4,r1,table,"
                  "1700000001");
    kmesos_scheduler_release_offers(&s);
    fake_io_reset(&f);
    kmesos_scheduler_free(&s);
    kmesos_policy_free(p);
}

/* Offers come and go (their memory is reused) and many task slots share
 * the host's view shortcuts: every pair must still see its own offer and
 * task table. */
static void test_views_follow_offers_and_tasks(void)
{
    const char *path = testlib_write_file(tmpdir, "ids.lua",
        "return { evaluate = function(o, t) return 'wait', o.id .. '/' .. t.id end }\n");
    kmesos_policy *p = host1(path);
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_workload w;
    char err[256];
    CHECK_INT(kmesos_workload_parse("name=v kind=broker cmd=true cpus=1 mem=64 instances=700", &w,
                                    err, sizeof err), 0);
    kmesos_scheduler_config cfg;
    kmesos_scheduler_config_defaults(&cfg);
    kmesos_offers book;
    kmesos_tasks tasks;
    kmesos_offers_init(&book);
    kmesos_tasks_init(&tasks, cfg.backoff);
    for (int k = 0; k < w.instances; k++)
        kmesos_tasks_add(&tasks, &w, k, 0);
    kmesos_policy_attach(p, &book, &tasks);
    size_t wrong = 0, pairs = 0;
    for (int i = 0; i < 40; i++) {
        char id[32], want[300];
        snprintf(id, sizeof id, "o-%d", i);
        Mesos__V1__Offer *pb = make_offer(id, "a-h1", "h1", "r1", 4);
        kmesos_offer *o = kmesos_offers_add(&book, pb, 0);
        kmesos_pb_free(pb);
        kmesos_decide_ctx ctx = {1.7e9 + i, 1000 + (uint64_t)i * 1000};
        for (kmesos_task *t = tasks.by_id; o && t; t = t->hh.next, pairs++) {
            kmesos_verdict v;
            kmesos_policy_eval(p, o, t, &ctx, &v);
            snprintf(want, sizeof want, "%s/%s", id, t->id);
            wrong += strcmp(v.reason, want) != 0;
        }
        kmesos_offer_free(kmesos_offers_take(&book, id));
    }
    CHECK_INT(pairs, 40 * 700);
    CHECK_INT(wrong, 0);
    kmesos_policy_free(p);
    kmesos_offers_free(&book);
    kmesos_tasks_free(&tasks);
    kmesos_workload_free(&w);
}

static void test_unique_hostname_counts_launches_within_one_event(void)
{
    char c[512], d[512], err[256];
    kmesos_policy_default_chain(POLICIES, c, d, sizeof c);
    const char *files[] = {c, d};
    kmesos_policy *p = host_of(files, 2, NULL, err, sizeof err);
    CHECK(p != NULL);
    if (!p) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=kb kind=broker cmd=true cpus=1 mem=256 instances=3 "
                  "constraints=\"hostname=unique\"", p);
    /* three offers on h1 (one agent), one on h2: one broker per host */
    const char *ids[] = {"o-1", "o-2", "o-3", "o-4"}, *hosts[] = {"h1", "h1", "h1", "h2"};
    feed(&s, ids, hosts, 4);
    size_t accepts = 0;
    for (size_t i = 0; i < f.n; i++)
        accepts += f.calls[i]->type == MESOS__V1__SCHEDULER__CALL__TYPE__ACCEPT;
    CHECK_INT(accepts, 2);
    CHECK_INT(s.stats.tasks_launched, 2);
    int answers[4];
    count_answers(&f, ids, 4, answers);
    for (int i = 0; i < 4; i++)
        CHECK_INT(answers[i], 1);
    kmesos_task *pending = NULL;
    for (kmesos_task *t = s.tasks.by_id; t; t = t->hh.next)
        if (t->phase == KMESOS_PHASE_PENDING)
            pending = t;
    CHECK(pending && pending->wait_reason && strstr(pending->wait_reason, "unique") != NULL);
    fake_io_reset(&f);
    kmesos_scheduler_free(&s);
    kmesos_policy_free(p);
}

static void test_held_offers_answered_exactly_once_across_reload(void)
{
    const char *path = testlib_write_file(tmpdir, "hold.lua",
        "return { evaluate = function() return 'wait', 'holding' end }\n");
    kmesos_policy *p = host1(path);
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true cpus=1 mem=64 instances=2", p);
    s.cfg.offer_hold_s = 30; /* holding is the operator's explicit choice */
    const char *ids[] = {"h-1", "h-2", "h-3", "h-4", "h-5"};
    const char *hosts[] = {"h1", "h2", "h1", "h2", "h1"};
    feed(&s, ids, hosts, 5);
    CHECK_INT(f.n, 0); /* all held */
    CHECK_INT(s.offers.count, 5);
    /* a failing reload while offers are held: nothing answered, nothing lost */
    testlib_write_file(tmpdir, "hold.lua", "return { evaluate = function( }\n");
    CHECK_INT(kmesos_policy_reload(p), -1);
    f.now_ms += 500;
    kmesos_scheduler_tick(&s);
    CHECK_INT(f.n, 0);
    CHECK_INT(s.offers.count, 5);
    /* a good reload: the held offers are re-placed on the next tick */
    testlib_write_file(tmpdir, "hold.lua", "return { evaluate = function() return 'accept' end }\n");
    CHECK_INT(kmesos_policy_reload(p), 0);
    CHECK_INT(s.offers.count, 5);
    f.now_ms += 500;
    kmesos_scheduler_tick(&s);
    f.now_ms += 20000;
    kmesos_scheduler_tick(&s);
    kmesos_policy_reload(p);
    kmesos_scheduler_tick(&s);
    int answers[5];
    count_answers(&f, ids, 5, answers);
    for (int i = 0; i < 5; i++)
        CHECK_INT(answers[i], 1);
    CHECK_INT(s.stats.tasks_launched, 2);
    CHECK_INT(s.offers.count, 0);
    CHECK_INT(s.offers.stats.added, s.offers.stats.taken);
    fake_io_reset(&f);
    kmesos_scheduler_free(&s);
    kmesos_policy_free(p);
}

/* Bound to the scheduler's decider (as kmesos-scheduler does), the chain's
 * on_tick and on_status hear the scheduler's ticks and updates. */
static void test_bound_policy_hears_ticks_and_updates(void)
{
    kmesos_policy *p = host1(testlib_write_file(tmpdir, "bound.lua", HOOKS_LUA));
    CHECK(p != NULL);
    if (!p)
        return;
    kmesos_scheduler s;
    fake f;
    setup(&s, &f, "name=web cmd=true cpus=1 mem=64", p);
    s.cfg.offer_hold_s = 10; /* the offer stays to be asked again on the tick */
    kmesos_policy_bind(p, &s.decider);
    kmesos_scheduler_tick(&s);
    const char *ids[] = {"b-1"}, *hosts[] = {"h1"};
    feed(&s, ids, hosts, 1);
    CHECK_STR(s.tasks.by_id->wait_reason, "limit=nil ticks=1 last=nil");
    Mesos__V1__Scheduler__Event *ev = kmesos_pb_new(&mesos__v1__scheduler__event__descriptor);
    ev->has_type = 1;
    ev->type = MESOS__V1__SCHEDULER__EVENT__TYPE__UPDATE;
    ev->update = kmesos_pb_new(&mesos__v1__scheduler__event__update__descriptor);
    ev->update->status = kmesos_pb_new(&mesos__v1__task_status__descriptor);
    ev->update->status->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, "ghost");
    ev->update->status->state = MESOS__V1__TASK_STATE__TASK_LOST;
    kmesos_scheduler_on_event(&s, ev);
    kmesos_pb_free(ev);
    f.now_ms += 500;
    kmesos_scheduler_tick(&s); /* on_tick, then the held offer is asked again */
    CHECK_STR(s.tasks.by_id->wait_reason, "limit=nil ticks=2 last=ghost:TASK_LOST");
    CHECK_INT(kmesos_policy_stats_get(p)->hook_calls, 3);
    fake_io_reset(&f);
    kmesos_scheduler_free(&s);
    kmesos_policy_free(p);
}

/* ---- --check-policy ------------------------------------------------------------- */

static int check_main(const char *a1, const char *a2, const char *a3, const char *a4)
{
    char *argv[8] = {"kmesos-scheduler", "--check-policy"};
    int argc = 2;
    const char *more[] = {a1, a2, a3, a4};
    for (int i = 0; i < 4; i++)
        if (more[i])
            argv[argc++] = (char *)more[i];
    fflush(stdout);
    return kmesos_policy_check_main(argc, argv);
}

static void test_check_policy_exit_codes(void)
{
    char c[512], d[512];
    kmesos_policy_default_chain(POLICIES, c, d, sizeof c);
    const char *input = testlib_write_file(tmpdir, "input.json",
        "{\"offers\": [{\"id\": \"o1\", \"hostname\": \"h1\", \"agent_id\": \"a1\","
        "  \"attributes\": {\"rack\": \"r1\"}, \"cpus\": 4, \"mem\": 4096}],"
        " \"tasks\": [{\"id\": \"t1\", \"kind\": \"broker\"},"
        "   {\"id\": \"t2\", \"kind\": \"broker\", \"prefer\": {\"hosts\": [\"h2\"]}},"
        "   {\"id\": \"t3\", \"kind\": \"broker\", \"constraints\": {\"hostname\": \"like:h2\"}}],"
        " \"ctx\": {\"now\": 1700000000, \"cluster\": {\"tasks_by_host\": {}}}}");
    CHECK_INT(check_main(c, d, NULL, NULL), 0);
    CHECK_INT(check_main(c, d, "--input", input), 0);
    CHECK_INT(check_main(c, "--policy-options", "{\"delay\": {\"node_wait_s\": 1}}", NULL), 0);
    CHECK_INT(check_main("/nonexistent.lua", NULL, NULL, NULL), 2);
    /* no file: the default chain of the policies folder, as the scheduler
     * finds it; 2 when there is none */
    setenv("KMESOS_POLICY_DIR", POLICIES, 1);
    CHECK_INT(check_main(NULL, NULL, NULL, NULL), 0);
    CHECK_INT(check_main("--input", input, NULL, NULL), 0);
    setenv("KMESOS_POLICY_DIR", tmpdir, 1);
    CHECK_INT(check_main(NULL, NULL, NULL, NULL), 2);
    unsetenv("KMESOS_POLICY_DIR");
    CHECK_INT(check_main(c, "--input", "/nonexistent.json", NULL), 2);
    const char *raise = testlib_write_file(tmpdir, "raise.lua", "return { evaluate = function() error('x') end }\n");
    CHECK_INT(check_main(raise, "--input", input, NULL), 1);
    const char *bad = testlib_write_file(tmpdir, "bad.lua", "return {}\n");
    CHECK_INT(check_main(bad, NULL, NULL, NULL), 1);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kmesos-policy-test-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN_TEST(test_verdict_mapping);
    RUN_TEST(test_wrong_return_types_decline_naming_the_file);
    RUN_TEST(test_runtime_error_is_isolated_with_file_and_line);
    RUN_TEST(test_instruction_budget_stops_endless_loops);
    RUN_TEST(test_load_errors_are_clear);
    RUN_TEST(test_reload_changes_decisions_and_keeps_state);
    RUN_TEST(test_failed_reload_keeps_old_chain);
    RUN_TEST(test_options_and_hooks);
    RUN_TEST(test_chain_walker_short_and_long_chains);
    RUN_TEST(test_views_carry_the_contract_fields);
    RUN_TEST(test_views_follow_offers_and_tasks);
    RUN_TEST(test_unique_hostname_counts_launches_within_one_event);
    RUN_TEST(test_held_offers_answered_exactly_once_across_reload);
    RUN_TEST(test_bound_policy_hears_ticks_and_updates);
    RUN_TEST(test_check_policy_exit_codes);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return testlib_finish();
}
