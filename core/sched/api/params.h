/* params: the check every request parameter passes before a route sees
 * it (query string and form body alike): no NUL byte after
 * percent-decoding ("%00", which a C string would silently cut) and valid
 * UTF-8. A failure is a 400 naming the field. */
#ifndef KMESOS_API_PARAMS_H
#define KMESOS_API_PARAMS_H
#include <stddef.h>

#include "net/httpd.h"

/* The field name of a failure; "parameter name" when the name itself is
 * bad or too long to quote. */
typedef struct kmesos_api_param_error {
    char field[96];
    char error[160];
} kmesos_api_param_error;

/* 0 when name=value (their decoded lengths) may go on; else -1 and e. */
int kmesos_api_param_ok(const char *name, size_t name_len, const char *value, size_t value_len,
                        kmesos_api_param_error *e);
/* Checks every query-string parameter of req. 0, or -1 and e. */
int kmesos_api_query_ok(const kmesos_httpd_req *req, kmesos_api_param_error *e);
/* Answers 400 {"error": e->error, "field": e->field}. */
void kmesos_api_param_reply(kmesos_httpd_req *req, const kmesos_api_param_error *e);

#endif
