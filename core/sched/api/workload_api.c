/* workload_api: each command parses what it is given before anything
 * changes, answers 400 naming the field ("spec", "name") with the parser's
 * message when it is bad, 404 for an unknown name, 409 for a name in use
 * or a workload a module owns, and then hands the workload to the
 * scheduler's workload manager (add, replace, remove), which creates,
 * drops or kills the slots. A spec body must be text: one line, no NUL
 * byte, at most 64 KiB. */
#include "sched/api/workload_api.h"

#include <stdlib.h>
#include <string.h>

#define WL_MAX_SPEC (64u << 10)

static void wl_error(kmesos_httpd_req *req, unsigned status, const char *msg, const char *field)
{
    kmesos_httpd_reply_json(req, status, json_pack("{s:s, s:s?}", "error", msg, "field", field));
}

static json_t *wl_json(const kmesos_workload *w)
{
    return json_pack("{s:s, s:s, s:i, s:f, s:f, s:f, s:i, s:s, s:b}", "name", w->name, "kind",
                     w->kind ? w->kind : "command", "instances", w->instances, "cpus", w->cpus,
                     "mem", w->mem, "disk", w->disk, "ports", w->ports, "restart",
                     kmesos_restart_name(w->restart), "module", w->ext != NULL);
}

static void wl_list(kmesos_scheduler *s, kmesos_httpd_req *req)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < s->n_workloads; i++)
        json_array_append_new(arr, wl_json(s->workloads[i]));
    kmesos_httpd_reply_json(req, 200, arr);
}

/* The body as a spec line in buf (NUL-terminated); 0, or -1 answered. */
static int wl_body(kmesos_httpd_req *req, char **out)
{
    size_t len = 0;
    const uint8_t *body = kmesos_httpd_body(req, &len);
    if (!body || len == 0 || len > WL_MAX_SPEC || memchr(body, '\0', len)) {
        wl_error(req, 400, len > WL_MAX_SPEC ? "spec longer than 64 KiB" : "expected a spec line "
                 "as the body, e.g. name=web cmd=\"sleep 60\" instances=2", "spec");
        return -1;
    }
    while (len && (body[len - 1] == '\n' || body[len - 1] == '\r'))
        len--;
    if (memchr(body, '\n', len)) {
        wl_error(req, 400, "one spec line per request", "spec");
        return -1;
    }
    if (!(*out = strndup((const char *)body, len))) {
        wl_error(req, 503, "out of memory", NULL);
        return -1;
    }
    return 0;
}

static void wl_put(kmesos_scheduler *s, kmesos_httpd_req *req, int update)
{
    char *spec = NULL, err[512];
    if (wl_body(req, &spec) != 0)
        return;
    kmesos_workload *w = calloc(1, sizeof *w);
    int parsed = w && kmesos_workload_parse(spec, w, err, sizeof err) == 0;
    free(spec);
    if (!parsed) {
        wl_error(req, w ? 400 : 503, w ? err : "out of memory", "spec");
        free(w);
        return;
    }
    const kmesos_workload *old = kmesos_scheduler_workload(s, w->name);
    unsigned status = 0;
    const char *why = NULL;
    if (!update && old)
        status = 409, why = "a workload of that name exists (update it)";
    else if (update && !old)
        status = 404, why = "no such workload";
    else if (old && old->ext)
        status = 409, why = "that workload belongs to a module (use its commands)";
    if (why) {
        wl_error(req, status, why, "name");
        kmesos_workload_destroy(w);
        return;
    }
    json_t *answer = wl_json(w);
    int rc = update ? kmesos_scheduler_replace_workload(s, w) : kmesos_scheduler_add_workload(s, w);
    if (rc != 0) {
        json_decref(answer);
        wl_error(req, 503, "out of memory", NULL);
        return;
    }
    kmesos_httpd_reply_json(req, 200, answer);
}

static void wl_remove(kmesos_scheduler *s, kmesos_httpd_req *req)
{
    const char *name = kmesos_httpd_query(req, "name");
    const kmesos_workload *w = name ? kmesos_scheduler_workload(s, name) : NULL;
    if (!name || !*name)
        wl_error(req, 400, "missing query argument 'name'", "name");
    else if (!w)
        wl_error(req, 404, "no such workload", "name");
    else if (w->ext)
        wl_error(req, 409, "that workload belongs to a module (use its commands)", "name");
    else {
        json_t *answer = json_pack("{s:s}", "removed", name);
        kmesos_scheduler_remove_workload(s, name);
        kmesos_httpd_reply_json(req, 200, answer);
    }
}

void kmesos_workload_api_handle(kmesos_scheduler *s, kmesos_httpd_req *req, const char *rest)
{
    const char *m = kmesos_httpd_method(req);
    int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
    if (strcmp(rest, "list") == 0 && get)
        wl_list(s, req);
    else if (strcmp(rest, "add") == 0 && post)
        wl_put(s, req, 0);
    else if (strcmp(rest, "update") == 0 && post)
        wl_put(s, req, 1);
    else if (strcmp(rest, "remove") == 0 && post)
        wl_remove(s, req);
    else
        wl_error(req, get || post ? 404 : 405, get || post ? "no such endpoint" : "method not allowed",
                 NULL);
}
