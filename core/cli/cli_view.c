/* cli_view: turns API answers into text for people. Workload and task
 * tables are driven by column lists (header + dotted path into each item,
 * from cli_spec or below), so a new column is a new row of data. Status
 * and policy answers are rendered field by field in the order the API
 * sends them: scalars as "label  value", small objects as "k=v k=v", and
 * the task array as a table; a field the API gains later (such as
 * bootstrap_servers) shows up without a change here. */
#include "cli/cli_view.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli_table.h"

#define KMESOS_CLI_VIEW_CELL 256
#define KMESOS_CLI_VIEW_LABEL_WIDTH 20
#define KMESOS_CLI_VIEW_LINE 79

static const kmesos_cli_column kmesos_cli_task_columns[] = {
    {"ID", "id"},          {"WORKLOAD", "workload"},      {"PHASE", "phase"},
    {"STATE", "state"},    {"HOST", "hostname"},          {"ENDPOINT", "endpoint"},
    {"FAILURES", "failures"},
    {"WAITING", "waiting_reason"}, {"LAST FAILURE", "last_failure"},
};

const json_t *kmesos_cli_view_lookup(const json_t *item, const char *path)
{
    const json_t *v = item;
    for (const char *p = path; v && *p;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        v = json_is_object(v) ? json_object_getn(v, p, n) : NULL;
        p += n + (dot != NULL);
    }
    return v;
}

static const char *kmesos_cli_view_number(const json_t *value, char *buf, size_t len)
{
    if (json_is_integer(value))
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
    else
        snprintf(buf, len, "%g", json_real_value(value));
    return buf;
}

static const char *kmesos_cli_view_compact(const json_t *value, char *buf, size_t len)
{
    const json_t *text = json_object_get(value, "message");
    if (!json_is_string(text))
        text = json_object_get(value, "reason");
    if (json_is_string(text))
        return kmesos_cli_view_cell(text, buf, len);
    char *dump = json_dumps(value, JSON_COMPACT);
    snprintf(buf, len, "%s", dump ? dump : "?");
    free(dump);
    return buf;
}

const char *kmesos_cli_view_cell(const json_t *value, char *buf, size_t len)
{
    if (!value || json_is_null(value))
        snprintf(buf, len, "-");
    else if (json_is_boolean(value))
        snprintf(buf, len, "%s", json_is_true(value) ? "yes" : "no");
    else if (json_is_number(value))
        return kmesos_cli_view_number(value, buf, len);
    else if (json_is_string(value))
        snprintf(buf, len, "%s", *json_string_value(value) ? json_string_value(value) : "-");
    else if (json_is_array(value) && json_array_size(value) == 0)
        snprintf(buf, len, "-");
    else
        return kmesos_cli_view_compact(value, buf, len);
    return buf;
}

static int kmesos_cli_view_row(kmesos_cli_table *t, const kmesos_cli_column *columns,
                               size_t ncolumns, const json_t *item)
{
    char cells[KMESOS_CLI_TABLE_MAX_COLS][KMESOS_CLI_VIEW_CELL];
    const char *row[KMESOS_CLI_TABLE_MAX_COLS];
    for (size_t c = 0; c < ncolumns; c++)
        row[c] = kmesos_cli_view_cell(kmesos_cli_view_lookup(item, columns[c].path), cells[c],
                                      sizeof cells[c]);
    return kmesos_cli_table_add(t, row);
}

void kmesos_cli_view_table(FILE *out, const kmesos_cli_column *columns, size_t ncolumns,
                           const json_t *items, const char *plural)
{
    if (json_array_size(items) == 0 || ncolumns > KMESOS_CLI_TABLE_MAX_COLS) {
        fprintf(out, "no %s\n", plural);
        return;
    }
    const char *headers[KMESOS_CLI_TABLE_MAX_COLS];
    for (size_t c = 0; c < ncolumns; c++)
        headers[c] = columns[c].header;
    kmesos_cli_table *t = kmesos_cli_table_new(headers, ncolumns);
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        if (t && kmesos_cli_view_row(t, columns, ncolumns, item) != 0) {
            kmesos_cli_table_free(t);
            t = NULL;
        }
    }
    if (t)
        kmesos_cli_table_print(t, out);
    else
        fprintf(out, "out of memory while rendering %s\n", plural);
    kmesos_cli_table_free(t);
}

static void kmesos_cli_view_ids(FILE *out, const char *heading, const char *plural,
                                const json_t *ids)
{
    fprintf(out, "%s %s:", heading, plural);
    size_t i;
    const json_t *id;
    char buf[KMESOS_CLI_VIEW_CELL];
    json_array_foreach(ids, i, id)
        fprintf(out, "%s%s", i ? ", " : " ", kmesos_cli_view_cell(id, buf, sizeof buf));
    fprintf(out, "%s\n", json_array_size(ids) ? "" : " none");
}

/* Answers of a drain ({"draining":[ids]}) and of rebalance (progress,
 * cancel): the ids, or the JSON as it came. -1 for anything else. */
static int kmesos_cli_view_other(FILE *out, const kmesos_cli_resource *res, const json_t *answer)
{
    const json_t *ids = json_object_get(answer, "draining");
    if (json_is_array(ids)) {
        kmesos_cli_view_ids(out, "draining (removed when their partitions moved)", res->plural,
                            ids);
        return 0;
    }
    if (!json_object_get(answer, "rebalance") && !json_object_get(answer, "cancelled"))
        return -1;
    json_dumpf(answer, out, JSON_INDENT(2) | JSON_SORT_KEYS);
    fputc('\n', out);
    return 0;
}

int kmesos_cli_view_answer(FILE *out, const kmesos_cli_resource *res, const kmesos_cli_verb *verb,
                           const json_t *answer)
{
    const json_t *v = json_object_get(answer, verb->lines_key  ? verb->lines_key
                                              : verb->ids_key ? verb->ids_key
                                                              : res->plural);
    if (!json_is_array(v))
        return kmesos_cli_view_other(out, res, answer);
    if (verb->lines_key) {
        size_t i;
        const json_t *line;
        json_array_foreach(v, i, line)
            fprintf(out, "%s\n", json_is_string(line) ? json_string_value(line) : "");
        return 0;
    }
    if (verb->ids_key) {
        kmesos_cli_view_ids(out, verb->ids_key, res->plural, v);
        return 0;
    }
    if (verb->done)
        fprintf(out, "%s %s:\n", res->plural, verb->done);
    kmesos_cli_view_table(out, res->columns, res->ncolumns, v, res->plural);
    return 0;
}

/* Writes item after a separator, wrapping under the value column when the
 * line would pass KMESOS_CLI_VIEW_LINE; *col tracks the column. */
static void kmesos_cli_view_put(FILE *out, const char *sep, const char *item, int *col)
{
    int n = (int)strlen(item);
    if (*col > KMESOS_CLI_VIEW_LABEL_WIDTH && *col + (int)strlen(sep) + n > KMESOS_CLI_VIEW_LINE) {
        fprintf(out, "\n%*s", KMESOS_CLI_VIEW_LABEL_WIDTH, "");
        *col = KMESOS_CLI_VIEW_LABEL_WIDTH;
    } else if (*col > KMESOS_CLI_VIEW_LABEL_WIDTH) {
        *col += fprintf(out, "%s", sep);
    }
    *col += fprintf(out, "%s", item);
}

/* "k=v k=v" of an object's members, or the comma list of an array. */
static void kmesos_cli_view_inline(FILE *out, const json_t *value)
{
    char buf[KMESOS_CLI_VIEW_CELL], item[KMESOS_CLI_VIEW_CELL + 64];
    int col = KMESOS_CLI_VIEW_LABEL_WIDTH;
    const char *key;
    const json_t *member;
    size_t i;
    if (json_is_array(value)) {
        json_array_foreach(value, i, member)
            kmesos_cli_view_put(out, ",", kmesos_cli_view_cell(member, buf, sizeof buf), &col);
        return;
    }
    json_object_foreach((json_t *)value, key, member)
    {
        snprintf(item, sizeof item, "%s=%s", key, kmesos_cli_view_cell(member, buf, sizeof buf));
        kmesos_cli_view_put(out, " ", item, &col);
    }
}

static int kmesos_cli_view_is_table(const json_t *value)
{
    return json_is_array(value) && json_is_object(json_array_get(value, 0));
}

/* One "label  value" line per member of obj, except skip and arrays of objects. */
static void kmesos_cli_view_fields(FILE *out, const json_t *obj, const char *skip)
{
    const char *key;
    const json_t *value;
    char buf[KMESOS_CLI_VIEW_CELL];
    json_object_foreach((json_t *)obj, key, value)
    {
        if ((skip && strcmp(key, skip) == 0) || kmesos_cli_view_is_table(value))
            continue;
        char label[64];
        snprintf(label, sizeof label, "%s", key);
        for (char *p = label; *p; p++)
            *p = *p == '_' ? ' ' : *p;
        fprintf(out, "%-*s", KMESOS_CLI_VIEW_LABEL_WIDTH, label);
        if (json_is_object(value) || (json_is_array(value) && json_array_size(value)))
            kmesos_cli_view_inline(out, value);
        else
            fputs(kmesos_cli_view_cell(value, buf, sizeof buf), out);
        fputc('\n', out);
    }
}

void kmesos_cli_view_tasks(FILE *out, const json_t *answer)
{
    kmesos_cli_view_table(out, kmesos_cli_task_columns,
                          sizeof kmesos_cli_task_columns / sizeof kmesos_cli_task_columns[0],
                          answer, "tasks");
}

void kmesos_cli_view_status(FILE *out, const json_t *answer)
{
    kmesos_cli_view_fields(out, answer, "tasks");
    fputc('\n', out);
    kmesos_cli_view_tasks(out, json_object_get(answer, "tasks"));
}

static void kmesos_cli_view_chain(FILE *out, const json_t *chain)
{
    if (!json_is_array(chain) || json_array_size(chain) == 0) {
        fprintf(out, "policy chain: none\n");
        return;
    }
    fprintf(out, "policy chain (in order):\n");
    size_t i;
    const json_t *p;
    char name[KMESOS_CLI_VIEW_CELL], path[KMESOS_CLI_VIEW_CELL];
    json_array_foreach(chain, i, p)
        fprintf(out, "  %zu. %s  %s\n", i + 1,
                kmesos_cli_view_cell(json_object_get(p, "name"), name, sizeof name),
                kmesos_cli_view_cell(json_object_get(p, "path"), path, sizeof path));
}

void kmesos_cli_view_policy(FILE *out, const json_t *answer)
{
    kmesos_cli_view_chain(out, json_object_get(answer, "chain"));
    kmesos_cli_view_fields(out, answer, "chain");
}

/* The view of each plain command's answer, by command name. */
static const struct {
    const char *name;
    void (*view)(FILE *out, const json_t *answer);
} kmesos_cli_view_commands[] = {
    {"status", kmesos_cli_view_status},
    {"tasks", kmesos_cli_view_tasks},
    {"policy", kmesos_cli_view_policy},
};

int kmesos_cli_view_command(FILE *out, const kmesos_cli_command *cmd, const json_t *answer)
{
    for (size_t i = 0; i < sizeof kmesos_cli_view_commands / sizeof kmesos_cli_view_commands[0];
         i++)
        if (strcmp(kmesos_cli_view_commands[i].name, cmd->name) == 0) {
            kmesos_cli_view_commands[i].view(out, answer);
            return 0;
        }
    return -1;
}
