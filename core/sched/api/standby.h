/* standby: how the admin API of a standby scheduler (--ha) answers: every
 * /api/... request but GET /api/status gets a 307 to the same path and
 * query on the leader's API, or a 503 while no leader is known. */
#ifndef KMESOS_STANDBY_H
#define KMESOS_STANDBY_H
#include <stddef.h>

#include "net/httpd.h"

/* The redirect target: leader_api + url + "?" + the query, each name and
 * value percent-encoded again. 0, or -1 when it does not fit in len. */
int kmesos_standby_location(const kmesos_httpd_req *req, const char *leader_api,
                            const char *url, char *out, size_t len);
/* Answers req: 307 to the leader (leader_api not NULL), else 503. */
void kmesos_standby_answer(kmesos_httpd_req *req, const char *leader_api);

#endif
