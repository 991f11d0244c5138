/* page: GET / of the admin API, one self-contained status page (HTML,
 * CSS and JavaScript compiled in; no external resource). The page reads
 * the API's own JSON routes every few seconds (/api/status,
 * /api/broker/list, /api/policy, /api/topology, /metrics) and shows the framework,
 * the session, the brokers (state, host, rack, endpoint), the tasks
 * waiting and why, the policy chain with its counters and its decline
 * and wait answers by reason, and recent failures. */
#ifndef KMESOS_API_PAGE_H
#define KMESOS_API_PAGE_H
#include <stddef.h>

#define KMESOS_PAGE_CONTENT_TYPE "text/html; charset=utf-8"

/* The page (static text) and its length. */
const char *kmesos_page_html(size_t *len);

#endif
