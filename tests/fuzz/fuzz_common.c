/* fuzz_common: the helpers of fuzz_common.h. Logging is silenced by
 * raising the project log's threshold above its highest level; a broken
 * invariant prints both sides and aborts so that libFuzzer keeps the
 * input as a crash reproducer. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/log.h"

void fuzz_quiet(void)
{
    kmesos_log_set_level((kmesos_log_level)(KMESOS_LOG_ERROR + 1));
}

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet();
    return 0;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return NULL;
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

char *fuzz_split_line(char *text, char **rest)
{
    char *nl = strchr(text, '\n');
    if (!nl) {
        *rest = text + strlen(text);
        return text;
    }
    *nl = '\0';
    *rest = nl + 1;
    return text;
}

void fuzz_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz invariant broken: %s\n%s\n", what, detail ? detail : "");
    abort();
}
