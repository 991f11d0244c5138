/* res: resource arithmetic for the simulated agents and the allocator.
 * Scalars are rounded to 1/1000 after every operation (Mesos does its
 * arithmetic in fixed point with three decimals), port ranges are kept
 * sorted and merged so that containment is a walk over two lists. */
#include "local/res.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/num.h"
#include "codec/buf.h"
#include "local/util.h"

#define KLOCAL_RES_SCALAR_MAX 1e15 /* cpus, MB: far past any machine */

static double res_round(double v) { return (double)llround(v * 1000.0) / 1000.0; }

void klocal_res_init(klocal_res *r) { memset(r, 0, sizeof *r); }

void klocal_res_free(klocal_res *r)
{
    free(r->ports);
    klocal_res_init(r);
}

void klocal_res_clear(klocal_res *r)
{
    r->nscalars = 0;
    r->nports = 0;
}

void klocal_res_copy(klocal_res *dst, const klocal_res *src)
{
    if (dst == src)
        return;
    klocal_res_clear(dst);
    dst->nscalars = src->nscalars;
    memcpy(dst->scalars, src->scalars, sizeof src->scalars);
    for (size_t i = 0; i < src->nports; i++)
        klocal_res_add_range(dst, src->ports[i].begin, src->ports[i].end);
}

static klocal_scalar *res_find(const klocal_res *r, const char *name)
{
    for (size_t i = 0; i < r->nscalars; i++)
        if (strcmp(r->scalars[i].name, name) == 0)
            return (klocal_scalar *)&r->scalars[i];
    return NULL;
}

double klocal_res_scalar(const klocal_res *r, const char *name)
{
    klocal_scalar *s = res_find(r, name);
    return s ? s->value : 0.0;
}

int klocal_res_set_scalar(klocal_res *r, const char *name, double value)
{
    value = res_round(value);
    klocal_scalar *s = res_find(r, name);
    if (value <= 0.0) {
        if (s) {
            size_t i = (size_t)(s - r->scalars);
            memmove(&r->scalars[i], &r->scalars[i + 1],
                    (r->nscalars - i - 1) * sizeof r->scalars[0]);
            r->nscalars--;
        }
        return 0;
    }
    if (!s) {
        if (r->nscalars == KLOCAL_RES_MAX_SCALARS || strlen(name) >= sizeof s->name)
            return -1;
        s = &r->scalars[r->nscalars++];
        snprintf(s->name, sizeof s->name, "%s", name);
    }
    s->value = value;
    return 0;
}

/* Inserts [begin, end] keeping the list sorted and merged. */
void klocal_res_add_range(klocal_res *r, uint64_t begin, uint64_t end)
{
    if (end < begin)
        return;
    if (r->nports == r->ports_cap) {
        r->ports_cap = r->ports_cap ? r->ports_cap * 2 : 4;
        r->ports = klocal_util_xrealloc(r->ports, r->ports_cap * sizeof *r->ports);
    }
    size_t i = 0;
    while (i < r->nports && r->ports[i].begin < begin)
        i++;
    memmove(&r->ports[i + 1], &r->ports[i], (r->nports - i) * sizeof *r->ports);
    r->ports[i].begin = begin;
    r->ports[i].end = end;
    r->nports++;
    /* merge neighbours that touch or overlap */
    size_t o = 0;
    for (size_t k = 1; k < r->nports; k++) {
        if (r->ports[k].begin <= r->ports[o].end + 1) {
            if (r->ports[k].end > r->ports[o].end)
                r->ports[o].end = r->ports[k].end;
        } else {
            r->ports[++o] = r->ports[k];
        }
    }
    r->nports = o + 1;
}

static void res_remove_range(klocal_res *r, uint64_t begin, uint64_t end)
{
    klocal_res keep;
    klocal_res_init(&keep);
    for (size_t i = 0; i < r->nports; i++) {
        klocal_range x = r->ports[i];
        if (x.end < begin || x.begin > end) {
            klocal_res_add_range(&keep, x.begin, x.end);
            continue;
        }
        if (x.begin < begin)
            klocal_res_add_range(&keep, x.begin, begin - 1);
        if (x.end > end)
            klocal_res_add_range(&keep, end + 1, x.end);
    }
    free(r->ports);
    r->ports = keep.ports;
    r->nports = keep.nports;
    r->ports_cap = keep.ports_cap;
}

void klocal_res_add(klocal_res *a, const klocal_res *b)
{
    for (size_t i = 0; i < b->nscalars; i++)
        klocal_res_set_scalar(a, b->scalars[i].name,
                              klocal_res_scalar(a, b->scalars[i].name) + b->scalars[i].value);
    for (size_t i = 0; i < b->nports; i++)
        klocal_res_add_range(a, b->ports[i].begin, b->ports[i].end);
}

void klocal_res_subtract(klocal_res *a, const klocal_res *b)
{
    for (size_t i = 0; i < b->nscalars; i++)
        klocal_res_set_scalar(a, b->scalars[i].name,
                              klocal_res_scalar(a, b->scalars[i].name) - b->scalars[i].value);
    for (size_t i = 0; i < b->nports; i++)
        res_remove_range(a, b->ports[i].begin, b->ports[i].end);
}

static int res_range_inside(const klocal_res *a, klocal_range x)
{
    for (size_t i = 0; i < a->nports; i++)
        if (a->ports[i].begin <= x.begin && x.end <= a->ports[i].end)
            return 1;
    return 0;
}

int klocal_res_contains(const klocal_res *a, const klocal_res *b)
{
    for (size_t i = 0; i < b->nscalars; i++)
        if (res_round(klocal_res_scalar(a, b->scalars[i].name) - b->scalars[i].value) < 0)
            return 0;
    for (size_t i = 0; i < b->nports; i++)
        if (!res_range_inside(a, b->ports[i]))
            return 0;
    return 1;
}

int klocal_res_empty(const klocal_res *r) { return r->nscalars == 0 && r->nports == 0; }

int klocal_res_allocatable(const klocal_res *r)
{
    return klocal_res_scalar(r, "cpus") >= 0.01 || klocal_res_scalar(r, "mem") >= 32.0;
}

/* ------------------------------------------------------------ parsing */

static int res_parse_ranges(klocal_res *r, const char *v, char *err, size_t errlen)
{
    const char *p = v;
    if (*p++ != '[')
        goto bad;
    while (*p && *p != ']') {
        while (*p == ' ' || *p == ',')
            p++;
        char *end;
        errno = 0;
        unsigned long long b = strtoull(p, &end, 10);
        if (end == p || *end != '-')
            goto bad;
        p = end + 1;
        unsigned long long e = strtoull(p, &end, 10);
        if (end == p || errno || e < b)
            goto bad;
        klocal_res_add_range(r, b, e);
        p = end;
        while (*p == ' ' || *p == ',')
            p++;
    }
    if (*p != ']' || p[1] != '\0')
        goto bad;
    return 0;
bad:
    snprintf(err, errlen, "bad ranges '%s' (expected e.g. [31000-32000])", v);
    return -1;
}

static int res_parse_item(klocal_res *r, char *item, char *err, size_t errlen)
{
    char *colon = strchr(item, ':');
    if (!colon || colon == item) {
        snprintf(err, errlen, "bad resource '%s' (expected name:value)", item);
        return -1;
    }
    *colon = '\0';
    const char *name = item, *v = colon + 1;
    if (v[0] == '[') {
        if (strcmp(name, "ports") != 0) {
            snprintf(err, errlen, "only 'ports' may be a range resource, not '%s'", name);
            return -1;
        }
        return res_parse_ranges(r, v, err, errlen);
    }
    double d;
    if (kmesos_num_real(v, 0, KLOCAL_RES_SCALAR_MAX, &d) != KMESOS_NUM_OK) {
        snprintf(err, errlen, "bad value for resource '%s': '%s'", name, v);
        return -1;
    }
    if (klocal_res_set_scalar(r, name, d) != 0) {
        snprintf(err, errlen, "too many resources or name too long: '%s'", name);
        return -1;
    }
    return 0;
}

int klocal_res_parse(klocal_res *r, const char *text, char *err, size_t errlen)
{
    char *copy = klocal_util_xstrdup(text), *save = NULL;
    int rc = 0;
    klocal_res_clear(r);
    for (char *it = strtok_r(copy, ";", &save); it && rc == 0; it = strtok_r(NULL, ";", &save)) {
        while (*it == ' ')
            it++;
        if (*it)
            rc = res_parse_item(r, it, err, errlen);
    }
    free(copy);
    return rc;
}

/* ----------------------------------------------------------- protobuf */

void klocal_res_add_pb(klocal_res *r, Mesos__V1__Resource *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const Mesos__V1__Resource *x = list[i];
        if (x->type == MESOS__V1__VALUE__TYPE__SCALAR && x->scalar)
            klocal_res_set_scalar(r, x->name, klocal_res_scalar(r, x->name) + x->scalar->value);
        else if (x->type == MESOS__V1__VALUE__TYPE__RANGES && x->ranges &&
                 strcmp(x->name, "ports") == 0)
            for (size_t k = 0; k < x->ranges->n_range; k++)
                klocal_res_add_range(r, x->ranges->range[k]->begin, x->ranges->range[k]->end);
    }
}

static Mesos__V1__Resource *res_pb_new(const char *name, int with_role)
{
    Mesos__V1__Resource *x = klocal_util_pb_new(&mesos__v1__resource__descriptor);
    x->name = klocal_util_xstrdup(name);
    /* Mesos 1.12 still fills the deprecated role field in offers. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    if (with_role)
        x->role = klocal_util_xstrdup("*");
#pragma GCC diagnostic pop
    return x;
}

static Mesos__V1__Resource *res_pb_ports(const klocal_res *r, int with_role)
{
    Mesos__V1__Resource *x = res_pb_new("ports", with_role);
    x->type = MESOS__V1__VALUE__TYPE__RANGES;
    x->ranges = klocal_util_pb_new(&mesos__v1__value__ranges__descriptor);
    x->ranges->n_range = r->nports;
    x->ranges->range = klocal_util_xcalloc(r->nports, sizeof *x->ranges->range);
    for (size_t i = 0; i < r->nports; i++) {
        Mesos__V1__Value__Range *g = klocal_util_pb_new(&mesos__v1__value__range__descriptor);
        g->begin = r->ports[i].begin;
        g->end = r->ports[i].end;
        x->ranges->range[i] = g;
    }
    return x;
}

Mesos__V1__Resource **klocal_res_to_pb(const klocal_res *r, int with_role, size_t *n)
{
    Mesos__V1__Resource **list = klocal_util_xcalloc(r->nscalars + 1, sizeof *list);
    size_t k = 0;
    if (r->nports)
        list[k++] = res_pb_ports(r, with_role);
    for (size_t i = 0; i < r->nscalars; i++) {
        Mesos__V1__Resource *x = res_pb_new(r->scalars[i].name, with_role);
        x->type = MESOS__V1__VALUE__TYPE__SCALAR;
        x->scalar = klocal_util_pb_new(&mesos__v1__value__scalar__descriptor);
        x->scalar->value = r->scalars[i].value;
        list[k++] = x;
    }
    *n = k;
    return list;
}

void klocal_res_free_pb(Mesos__V1__Resource **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kmesos_pb_free(list[i]);
    free(list);
}

/* --------------------------------------------------------------- text */

static void res_format_ports(const klocal_res *r, kmesos_buf *b, const char *sep)
{
    kmesos_buf_append(b, "[", 1);
    for (size_t i = 0; i < r->nports; i++)
        kmesos_buf_appendf(b, "%s%llu-%llu", i ? sep : "",
                           (unsigned long long)r->ports[i].begin,
                           (unsigned long long)r->ports[i].end);
    kmesos_buf_append(b, "]", 1);
}

json_t *klocal_res_to_json(const klocal_res *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "disk", json_real(klocal_res_scalar(r, "disk")));
    json_object_set_new(o, "mem", json_real(klocal_res_scalar(r, "mem")));
    json_object_set_new(o, "gpus", json_real(klocal_res_scalar(r, "gpus")));
    json_object_set_new(o, "cpus", json_real(klocal_res_scalar(r, "cpus")));
    for (size_t i = 0; i < r->nscalars; i++)
        if (!json_object_get(o, r->scalars[i].name))
            json_object_set_new(o, r->scalars[i].name, json_real(r->scalars[i].value));
    if (r->nports) {
        kmesos_buf b;
        kmesos_buf_init(&b);
        res_format_ports(r, &b, ", ");
        json_object_set_new(o, "ports", json_string(kmesos_buf_cstr(&b)));
        kmesos_buf_free(&b);
    }
    return o;
}

char *klocal_res_format(const klocal_res *r)
{
    kmesos_buf b;
    kmesos_buf_init(&b);
    for (size_t i = 0; i < r->nscalars; i++)
        kmesos_buf_appendf(&b, "%s%s:%g", i ? "; " : "", r->scalars[i].name,
                           r->scalars[i].value);
    if (r->nports) {
        kmesos_buf_appendf(&b, "%sports:", r->nscalars ? "; " : "");
        res_format_ports(r, &b, ", ");
    }
    char *s = klocal_util_xstrdup(kmesos_buf_cstr(&b));
    kmesos_buf_free(&b);
    return s;
}
