/* fuzz_common: what every libFuzzer target of tests/fuzz shares: quiet
 * logging, a NUL-terminated copy of the input, a split of the input at
 * its first newline, and the one way a target reports a broken
 * invariant (a message on stderr, then abort, which libFuzzer records
 * as a crash with its reproducer). */
#ifndef KMESOS_FUZZ_COMMON_H
#define KMESOS_FUZZ_COMMON_H
#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry points. fuzz_common.c defines a weak
 * LLVMFuzzerInitialize that only calls fuzz_quiet(); a target that needs
 * more set-up defines its own. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Silences the project's log (every level): a fuzzer logs millions of
 * rejected inputs. */
void fuzz_quiet(void);
/* A malloc'd NUL-terminated copy (NULL when out of memory). */
char *fuzz_strndup(const uint8_t *data, size_t size);
/* Splits a NUL-terminated text at its first '\n': *rest points after it
 * ("" when there is none); the newline is replaced by NUL. */
char *fuzz_split_line(char *text, char **rest);
/* Reports a broken invariant and aborts. */
void fuzz_fail(const char *what, const char *detail) __attribute__((noreturn));

#endif
