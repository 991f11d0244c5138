/* log: formats a record with a UTC timestamp and writes it with one
 * write(2) so that lines from child processes sharing stderr do not mix. */
#include "codec/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static kmesos_log_level log_threshold = KMESOS_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int kmesos_log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (name && strcasecmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void kmesos_log_set_level(kmesos_log_level level) { log_threshold = level; }

int kmesos_log_enabled(kmesos_log_level level) { return level >= log_threshold; }

void kmesos_log(kmesos_log_level level, const char *module, const char *fmt, ...)
{
    if (!kmesos_log_enabled(level))
        return;
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %-5s %s: ",
                     tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000),
                     level_names[level], module);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
