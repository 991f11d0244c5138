/* cli: the command line of kmesos-sim (usage text and parsing). Every
 * flag is documented in ksim_cli_usage and docs/simulator.md; a bad flag
 * or value prints the usage on stderr (exit 2 for the caller). */
#ifndef KSIM_CLI_H
#define KSIM_CLI_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ksim_cli {
    const char *scenario;  /* or NULL with --replay */
    const char *replay;    /* --replay TRACE.jsonl */
    double replay_dur_s;   /* --replay-duration (default KSIM_REPLAY_DEFAULT_DUR_S) */
    const char *trace;     /* --trace FILE: the core records placement */
    const char **policies; /* --policy, in order */
    size_t n_policies;
    const char **options;  /* --option POLICY.KEY=VALUE */
    size_t n_options;
    double offer_hold_s, decline_refuse_s, wait_refuse_s; /* < 0: not given */
    long long seed;        /* < 0: not given */
    int mode;              /* -1: not given, else ksim_mode */
    int json_format;       /* --format json */
    const char *json_path; /* --json FILE */
    const char *sweep;     /* POLICY.KEY=V1,V2,... */
    const char *plot;      /* --plot FILE.svg */
    const char *log_level;
    int help;
} ksim_cli;

/* 0, 1 on no memory, 2 on bad usage (message and usage on stderr). */
int ksim_cli_parse(int argc, char **argv, ksim_cli *cli);
void ksim_cli_free(ksim_cli *cli);
void ksim_cli_usage(FILE *out);

#endif
