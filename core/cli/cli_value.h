/* cli_value: checks an option's value against its kind (cli_spec). */
#ifndef KMESOS_CLI_VALUE_H
#define KMESOS_CLI_VALUE_H
#include <stddef.h>

#include "cli/cli_spec.h"

/* 0 when text is a valid value of kind; else -1 and, in err, what was
 * expected (the caller names the option and the value). */
int kmesos_cli_value_check(kmesos_cli_kind kind, const char *text, char *err, size_t errlen);

/* Parses a duration "<number><unit>" (1.5h), unit ms, s, m, h, d or w,
 * into milliseconds. 0, or -1 when malformed or too large. */
int kmesos_cli_value_duration_ms(const char *text, long long *ms);

#endif
