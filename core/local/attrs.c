/* attrs: the attributes of a simulated agent. The flag text
 * "name:value;name:value" is split on ';' (blanks before an item are
 * skipped), each item at its first ':'; a value that lists alternatives
 * ("rack:r1,r2") gives agent i its (i mod n)-th one, so that one flag
 * spreads agents over racks. The values are kept as text; whether one is
 * a SCALAR (a finite number strtod reads whole) or TEXT is decided when
 * the Attribute protobufs of offers and AgentInfo, or the state JSON, are
 * made, as Mesos parses attribute values. */
#include "local/attrs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/util.h"

void klocal_attrs_init(klocal_attrs *a)
{
    a->n = 0;
    a->v = NULL;
}

void klocal_attrs_free(klocal_attrs *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].name);
        free(a->v[i].value);
    }
    free(a->v);
    klocal_attrs_init(a);
}

/* The (index mod n)-th comma-separated alternative of v (malloc'd). */
static char *attrs_pick(const char *v, size_t index)
{
    size_t n = 1;
    for (const char *p = v; *p; p++)
        n += *p == ',';
    size_t want = index % n;
    const char *start = v;
    for (size_t k = 0; k < want; k++)
        start = strchr(start, ',') + 1;
    const char *end = strchr(start, ',');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    char *out = klocal_util_xcalloc(1, len + 1);
    memcpy(out, start, len);
    return out;
}

static int attrs_add(klocal_attrs *a, char *item, size_t index, char *err, size_t errlen)
{
    char *colon = strchr(item, ':');
    if (!colon || colon == item || !colon[1]) {
        snprintf(err, errlen, "bad attribute '%s' (expected name:value)", item);
        return -1;
    }
    *colon = '\0';
    a->v = klocal_util_xrealloc(a->v, (a->n + 1) * sizeof *a->v);
    a->v[a->n].name = klocal_util_xstrdup(item);
    a->v[a->n].value = attrs_pick(colon + 1, index);
    a->n++;
    return 0;
}

int klocal_attrs_parse(klocal_attrs *a, const char *text, size_t agent_index, char *err,
                       size_t errlen)
{
    char *copy = klocal_util_xstrdup(text), *save = NULL;
    int rc = 0;
    for (char *it = strtok_r(copy, ";", &save); it && rc == 0; it = strtok_r(NULL, ";", &save)) {
        while (*it == ' ')
            it++;
        if (*it)
            rc = attrs_add(a, it, agent_index, err, errlen);
    }
    free(copy);
    return rc;
}

static int attrs_number(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

Mesos__V1__Attribute **klocal_attrs_to_pb(const klocal_attrs *a, size_t *n)
{
    Mesos__V1__Attribute **list = klocal_util_xcalloc(a->n, sizeof *list);
    for (size_t i = 0; i < a->n; i++) {
        Mesos__V1__Attribute *x = klocal_util_pb_new(&mesos__v1__attribute__descriptor);
        x->name = klocal_util_xstrdup(a->v[i].name);
        double d;
        if (attrs_number(a->v[i].value, &d)) {
            x->type = MESOS__V1__VALUE__TYPE__SCALAR;
            x->scalar = klocal_util_pb_new(&mesos__v1__value__scalar__descriptor);
            x->scalar->value = d;
        } else {
            x->type = MESOS__V1__VALUE__TYPE__TEXT;
            x->text = klocal_util_pb_new(&mesos__v1__value__text__descriptor);
            x->text->value = klocal_util_xstrdup(a->v[i].value);
        }
        list[i] = x;
    }
    *n = a->n;
    return list;
}

void klocal_attrs_free_pb(Mesos__V1__Attribute **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kmesos_pb_free(list[i]);
    free(list);
}

json_t *klocal_attrs_to_json(const klocal_attrs *a)
{
    json_t *o = json_object();
    for (size_t i = 0; i < a->n; i++) {
        double d;
        if (attrs_number(a->v[i].value, &d))
            json_object_set_new(o, a->v[i].name, json_real(d));
        else
            json_object_set_new(o, a->v[i].name, json_string(a->v[i].value));
    }
    return o;
}
