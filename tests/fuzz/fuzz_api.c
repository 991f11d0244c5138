/* fuzz_api: the admin API's Kafka handlers (sched/api/broker_api.c and
 * client_api.c: brokers, producers, consumers), in-process as the unit
 * tests drive them (tests/kafka_world), on a scheduler with three running
 * brokers. Input: byte 0 picks the kind and the method; the first line of
 * the rest is the command, the remainder the form ("a=1&b=2", parsed by
 * the API's own form parser). Invariants:
 * - a request answered 4xx changes nothing: the state document is the
 *   same text before and after;
 * - after any answer, the state saved loads into a fresh scheduler with
 *   as many brokers and clients (nothing the API accepted is lost on a
 *   restart). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "kafka_world.h"
#include "sched/api/broker_api.h"
#include "sched/api/client_api.h"
#include "sched/kafka/cluster.h"
#include "sched/state/state.h"

static const kmesos_kafka_kind kinds[] = {KMESOS_KAFKA_BROKER, KMESOS_KAFKA_PRODUCER,
                                          KMESOS_KAFKA_CONSUMER};

static unsigned run(kafka_world *w, uint8_t sel, const char *cmd, const char *form)
{
    kmesos_kafka_kind kind = kinds[sel % 3];
    const char *method = (sel / 3) % 2 ? "GET" : "POST";
    kmesos_broker_api_params p = {0};
    kmesos_api_param_error e = {0};
    if (kmesos_broker_api_parse_form(&p, form, strlen(form), &e) != 0) {
        kmesos_broker_api_params_free(&p);
        return 0;
    }
    json_t *body = NULL;
    unsigned status = kind == KMESOS_KAFKA_BROKER
                          ? kmesos_broker_api_run(&w->k, method, cmd, &p, &body)
                          : kmesos_client_api_run(&w->k, kind, method, cmd, &p, &body);
    json_decref(body);
    kmesos_broker_api_params_free(&p);
    return status;
}

/* The saved text must load into a fresh world with as many nodes. */
static void check_reload(kafka_world *w, const char *text)
{
    kafka_world b;
    kmesos_state_doc d;
    char err[512];
    kafka_world_setup(&b, KMESOS_FETCH_URI);
    kafka_world_doc(&b, &d);
    if (kmesos_state_parse(text, strlen(text), "fuzz", &d, err, sizeof err) != 0) {
        fprintf(stderr, "saved:\n%s\n", text);
        fuzz_fail("the state saved after an API request does not load", err);
    }
    for (size_t i = 0; i < 3; i++)
        if (kmesos_kafka_count(&b.k, kinds[i]) != kmesos_kafka_count(&w->k, kinds[i]))
            fuzz_fail("a node the API holds is missing from the saved state", text);
    kafka_world_teardown(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_strndup(data + 1, size - 1), *form;
    if (!text)
        return 0;
    const char *cmd = fuzz_split_line(text, &form);
    kafka_world w;
    kmesos_state_doc d;
    kafka_world_setup(&w, KMESOS_FETCH_URI);
    kafka_world_doc(&w, &d);
    kafka_world_run_brokers(&w, 3, "");
    char *before = kmesos_state_dump(&d);
    unsigned status = run(&w, data[0], cmd, form);
    char *after = kmesos_state_dump(&d);
    if (!before || !after)
        fuzz_fail("the state does not dump", NULL);
    if (status >= 400 && status < 500 && strcmp(before, after) != 0) {
        fprintf(stderr, "answer %u to %s %s\nbefore:\n%s\nafter:\n%s\n", status, cmd, form,
                before, after);
        fuzz_fail("a request answered 4xx changed the state", NULL);
    }
    check_reload(&w, after);
    free(before);
    free(after);
    kafka_world_teardown(&w);
    free(text);
    return 0;
}
