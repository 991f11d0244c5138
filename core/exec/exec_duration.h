/* exec_duration: Mesos duration text ("5secs", "500ms", "1.5mins") to
 * nanoseconds, as the agent writes MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD. */
#ifndef KMESOS_EXEC_DURATION_H
#define KMESOS_EXEC_DURATION_H
#include <stdint.h>

#define KMESOS_EXEC_NS_PER_S INT64_C(1000000000)
#define KMESOS_EXEC_NS_PER_MS INT64_C(1000000)

/* Parses "<number><unit>" with the units of stout's Duration (ns, us, ms,
 * secs, mins, hrs, days, weeks) and the short forms s, m, h, d, w; a bare
 * number means seconds. 0 and *out set, or -1 for bad text, a negative or
 * an out-of-range value. */
int kmesos_exec_duration_parse(const char *text, int64_t *out);

#endif
