/* log: one-line log records on stderr, "<time> <level> <module>: <text>".
 * The level threshold is process wide: it is set once at start-up from
 * --log-level and read by every module. */
#ifndef KMESOS_LOG_H
#define KMESOS_LOG_H

typedef enum kmesos_log_level {
    KMESOS_LOG_DEBUG = 0,
    KMESOS_LOG_INFO = 1,
    KMESOS_LOG_WARN = 2,
    KMESOS_LOG_ERROR = 3,
} kmesos_log_level;

/* Returns -1 for an unknown name ("debug", "info", "warn", "error"). */
int kmesos_log_level_parse(const char *name);
void kmesos_log_set_level(kmesos_log_level level);
int kmesos_log_enabled(kmesos_log_level level);
void kmesos_log(kmesos_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define KLOG_DEBUG(mod, ...) kmesos_log(KMESOS_LOG_DEBUG, mod, __VA_ARGS__)
#define KLOG_INFO(mod, ...) kmesos_log(KMESOS_LOG_INFO, mod, __VA_ARGS__)
#define KLOG_WARN(mod, ...) kmesos_log(KMESOS_LOG_WARN, mod, __VA_ARGS__)
#define KLOG_ERROR(mod, ...) kmesos_log(KMESOS_LOG_ERROR, mod, __VA_ARGS__)

#endif
