/* fuzz_state: the state loader (sched/state/state.c with the Kafka
 * section of sched/kafka/persist.c, wired as main.c wires them, through
 * tests/kafka_world) on any document. Invariant, the promise of a state
 * that always reloads: when a document loads, what the scheduler then
 * saves loads again into a fresh scheduler, and that one saves the very
 * same text (save -> load -> save is identical). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "kafka_world.h"
#include "sched/api/broker_api.h"
#include "sched/api/client_api.h"
#include "sched/state/state.h"

/* The seed: the state of a scheduler with three running brokers, a
 * producer and a consumer, as today's code saves it (scripts/fuzz.sh asks
 * for it with FUZZ_STATE_SEED=PATH, so the seed follows the schema). */
static void write_seed(const char *path)
{
    kafka_world w;
    kmesos_state_doc d;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_doc(&w, &d);
    kafka_world_run_brokers(&w, 3, "&failover_delay=5s&constraints=hostname=unique&options=a=1");
    kafka_world_feed_update(&w, kafka_world_broker_task(&w, 0)->id, "agent-h1",
                            MESOS__V1__TASK_STATE__TASK_RUNNING);
    kafka_world_api_drop(&w, "POST", "add", "broker=7&cpus=0.5&mem=1024&heap=256");
    static const char *const forms[] = {"producer=0&topic=t&cpus=0.2&mem=256",
                                        "consumer=0&topic=t&cpus=0.2&mem=256"};
    for (int i = 0; i < 2; i++) {
        kmesos_broker_api_params p = {0};
        kmesos_broker_api_parse_form(&p, forms[i], strlen(forms[i]), &(kmesos_api_param_error){0});
        json_t *body = NULL;
        kmesos_client_api_run(&w.k, i ? KMESOS_CLIENT_CONSUMER : KMESOS_CLIENT_PRODUCER, "POST",
                              "add", &p, &body);
        json_decref(body);
        kmesos_broker_api_params_free(&p);
    }
    char *dump = kmesos_state_dump(&d);
    FILE *f = dump ? fopen(path, "w") : NULL;
    if (!f || fputs(dump, f) == EOF || fclose(f) != 0)
        fuzz_fail("cannot write the state seed", path);
    free(dump);
    kafka_world_teardown(&w);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    const char *seed = getenv("FUZZ_STATE_SEED");
    if (seed && *seed)
        write_seed(seed);
    return 0;
}

/* Loads text into a fresh world; its dump (malloc'd), or NULL when the
 * text does not load (err says why). */
static char *load_and_dump(const char *text, size_t len, char *err, size_t errlen)
{
    kafka_world w;
    kmesos_state_doc d;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_doc(&w, &d);
    char *dump = NULL;
    if (kmesos_state_parse(text, len, "fuzz", &d, err, errlen) == 0) {
        dump = kmesos_state_dump(&d);
        if (!dump)
            fuzz_fail("a loaded state does not dump", NULL);
    }
    kafka_world_teardown(&w);
    return dump;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    char *first = load_and_dump((const char *)data, size, err, sizeof err);
    if (!first)
        return 0;
    char *second = load_and_dump(first, strlen(first), err, sizeof err);
    if (!second) {
        fprintf(stderr, "saved:\n%s\n", first);
        fuzz_fail("the state saved after a load does not load again", err);
    }
    if (strcmp(first, second) != 0) {
        fprintf(stderr, "first save:\n%s\nsecond save:\n%s\n", first, second);
        fuzz_fail("save -> load -> save is not identical", NULL);
    }
    free(first);
    free(second);
    return 0;
}
