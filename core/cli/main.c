/* kmesos: the command line client of the kafka-mesos scheduler's REST
 * API. Everything happens in cli_run; this file only sets up libcurl and
 * hands over argv, stdout, stderr, $KMESOS_API and $KMESOS_API_TOKEN. */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

#include "cli/cli_run.h"

int main(int argc, char **argv)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "kmesos: libcurl failed to initialise\n");
        return KMESOS_CLI_EXIT_FAILED;
    }
    kmesos_cli_io io = {stdout, stderr, getenv("KMESOS_API"), getenv("KMESOS_API_TOKEN")};
    int rc = kmesos_cli_run(&io, argc, argv);
    curl_global_cleanup();
    return rc;
}
