/* fuzz_workload: workload spec lines (sched/workload.c,
 * kmesos_workload_parse; a spec that parses is then given to a scheduler,
 * which fills its slots and ticks), constraint lists and Kafka id
 * expressions (kmesos_broker_ids_parse, the grammar of the API's broker=,
 * producer= and consumer=). Byte 0 picks the parser; the rest is the
 * text. Invariant for id expressions: the ids come out sorted, without
 * duplicates, and, when they must exist, all known. */
#include <stdlib.h>
#include <string.h>

#include "fake_io.h"
#include "fuzz_common.h"
#include "sched/kafka/broker.h"
#include "sched/scheduler.h"
#include "sched/workload.h"

static void spec(const char *text)
{
    kmesos_workload w;
    char err[256];
    memset(&w, 0, sizeof w);
    int rc = kmesos_workload_parse(text, &w, err, sizeof err);
    kmesos_workload_free(&w);
    if (rc != 0)
        return;
    kmesos_scheduler s;
    fake_io_quiet_scheduler(&s, text);
    kmesos_scheduler_on_subscribed(&s, "fw-fuzz");
    kmesos_scheduler_tick(&s);
    kmesos_scheduler_free(&s);
}

static void constraints(const char *text)
{
    kmesos_kv *kv = NULL;
    size_t n = 0;
    char err[256];
    if (kmesos_workload_parse_constraints(text, &kv, &n, err, sizeof err) != 0)
        return;
    kmesos_workload w; /* frees the list, as a workload owns its constraints */
    memset(&w, 0, sizeof w);
    w.constraints = kv;
    w.n_constraints = n;
    kmesos_workload_free(&w);
}

static void ids(const char *text, int must_exist)
{
    static const int known[] = {5, 0, 2, 1, 7};
    const size_t n_known = sizeof known / sizeof known[0];
    int *out = NULL;
    size_t n = 0;
    char err[256];
    if (kmesos_broker_ids_parse(text, known, n_known, must_exist, &out, &n, err, sizeof err) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && out[i] <= out[i - 1])
            fuzz_fail("id expression: ids not sorted or duplicated", text);
        int found = 0;
        for (size_t k = 0; k < n_known; k++)
            found |= known[k] == out[i];
        if (must_exist && !found)
            fuzz_fail("id expression: an unknown id passed must_exist", text);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_strndup(data + 1, size - 1);
    if (!text)
        return 0;
    switch (data[0] % 4) {
    case 0: spec(text); break;
    case 1: constraints(text); break;
    default: ids(text, data[0] % 4 == 3); break;
    }
    free(text);
    return 0;
}
