/* fuzz_sched_event_json: one scheduler Event body in JSON (what a master
 * sends in each RecordIO record), decoded, re-encoded and fed to a
 * scheduler (fuzz_sched_events.c). */
#include "fuzz_common.h"
#include "fuzz_sched_events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_sched_event_one(data, size, KMESOS_CT_JSON);
}
