/* params: one small check for every request parameter (params.h). The
 * name is checked first, so that the field of the answer is always
 * printable: a bad name is reported as "parameter name", a bad value under
 * its (good) name. Lengths come from the decoder, so a "%00" inside a
 * value is seen even though the C string stops there. */
#include "sched/api/params.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "codec/utf8.h"

/* Why len bytes at s cannot be a parameter's name or value, or NULL. */
static const char *param_why(const char *s, size_t len)
{
    if (memchr(s, '\0', len))
        return "contains a NUL byte (%00)";
    if (!kmesos_utf8_valid(s, len))
        return "is not valid UTF-8";
    return NULL;
}

int kmesos_api_param_ok(const char *name, size_t name_len, const char *value, size_t value_len,
                        kmesos_api_param_error *e)
{
    const char *why = param_why(name, name_len);
    if (why || name_len >= sizeof e->field) {
        snprintf(e->field, sizeof e->field, "parameter name");
        snprintf(e->error, sizeof e->error, "a parameter name %s",
                 why ? why : "is too long");
        return -1;
    }
    if ((why = param_why(value, value_len)) != NULL) {
        snprintf(e->field, sizeof e->field, "%s", name);
        snprintf(e->error, sizeof e->error, "%s: the value %s", name, why);
        return -1;
    }
    return 0;
}

static int query_one(void *arg, const char *name, size_t name_len, const char *value,
                     size_t value_len)
{
    return kmesos_api_param_ok(name, name_len, value, value_len, arg);
}

int kmesos_api_query_ok(const kmesos_httpd_req *req, kmesos_api_param_error *e)
{
    e->field[0] = '\0';
    kmesos_httpd_query_each_n(req, query_one, e);
    return e->field[0] ? -1 : 0;
}

void kmesos_api_param_reply(kmesos_httpd_req *req, const kmesos_api_param_error *e)
{
    kmesos_httpd_reply_json(req, 400, json_pack("{s:s, s:s}", "error", e->error, "field",
                                                e->field));
}
