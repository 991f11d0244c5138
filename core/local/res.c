/* res: resource arithmetic for the simulated agents and the allocator.
 * Scalars are rounded to 1/1000 after every operation (Mesos does its
 * arithmetic in fixed point with three decimals), port ranges are kept
 * sorted and merged so that containment is a walk over two lists.
 * Reserved scalars and volumes are a small list of keyed entries
 * (usually empty) searched linearly; volumes are compared whole. */
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
    free(r->rsv);
    klocal_res_init(r);
}

void klocal_res_clear(klocal_res *r)
{
    r->nscalars = 0;
    r->nports = 0;
    r->nrsv = 0;
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
    for (size_t i = 0; i < src->nrsv; i++)
        klocal_res_add_rsv(dst, &src->rsv[i]);
}

/* ----------------------------------------------------------- reserved */

static int rsv_same(const klocal_rsv *a, const klocal_rsv *b)
{
    return !strcmp(a->name, b->name) && !strcmp(a->role, b->role) &&
           !strcmp(a->principal, b->principal) && !strcmp(a->volume, b->volume) &&
           !strcmp(a->vprincipal, b->vprincipal) && !strcmp(a->path, b->path) &&
           a->read_only == b->read_only;
}

const klocal_rsv *klocal_res_find_rsv(const klocal_res *r, const klocal_rsv *x)
{
    for (size_t i = 0; i < r->nrsv; i++)
        if (rsv_same(&r->rsv[i], x))
            return &r->rsv[i];
    return NULL;
}

void klocal_res_add_rsv(klocal_res *r, const klocal_rsv *x)
{
    klocal_rsv *e = (klocal_rsv *)klocal_res_find_rsv(r, x);
    if (!e) {
        if (!(x->value > 0))
            return;
        if (r->nrsv == r->rsv_cap) {
            r->rsv_cap = r->rsv_cap ? r->rsv_cap * 2 : 4;
            r->rsv = klocal_util_xrealloc(r->rsv, r->rsv_cap * sizeof *r->rsv);
        }
        e = &r->rsv[r->nrsv++];
        *e = *x;
        e->value = 0;
    }
    e->value = res_round(e->value + x->value);
    if (e->value <= 0.0) {
        size_t i = (size_t)(e - r->rsv);
        memmove(&r->rsv[i], &r->rsv[i + 1], (r->nrsv - i - 1) * sizeof r->rsv[0]);
        r->nrsv--;
    }
}

static void rsv_take(klocal_res *r, const klocal_rsv *x)
{
    klocal_rsv neg = *x;
    neg.value = -x->value;
    klocal_res_add_rsv(r, &neg);
}

void klocal_res_for_role(const klocal_res *r, const char *role, klocal_res *out)
{
    klocal_res_clear(out);
    out->nscalars = r->nscalars;
    memcpy(out->scalars, r->scalars, sizeof r->scalars);
    for (size_t i = 0; i < r->nports; i++)
        klocal_res_add_range(out, r->ports[i].begin, r->ports[i].end);
    for (size_t i = 0; i < r->nrsv; i++)
        if (strcmp(r->rsv[i].role, role) == 0)
            klocal_res_add_rsv(out, &r->rsv[i]);
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
    for (size_t i = 0; i < b->nrsv; i++)
        klocal_res_add_rsv(a, &b->rsv[i]);
}

void klocal_res_subtract(klocal_res *a, const klocal_res *b)
{
    for (size_t i = 0; i < b->nscalars; i++)
        klocal_res_set_scalar(a, b->scalars[i].name,
                              klocal_res_scalar(a, b->scalars[i].name) - b->scalars[i].value);
    for (size_t i = 0; i < b->nports; i++)
        res_remove_range(a, b->ports[i].begin, b->ports[i].end);
    for (size_t i = 0; i < b->nrsv; i++)
        rsv_take(a, &b->rsv[i]);
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
    for (size_t i = 0; i < b->nrsv; i++) {
        const klocal_rsv *e = klocal_res_find_rsv(a, &b->rsv[i]);
        if (!e || res_round(e->value - b->rsv[i].value) < 0)
            return 0;
        if (b->rsv[i].volume[0] && res_round(e->value - b->rsv[i].value) != 0)
            return 0; /* a volume is taken whole */
    }
    return 1;
}

int klocal_res_empty(const klocal_res *r)
{
    return r->nscalars == 0 && r->nports == 0 && r->nrsv == 0;
}

/* A scalar, reserved or not. */
static double res_total(const klocal_res *r, const char *name)
{
    double v = klocal_res_scalar(r, name);
    for (size_t i = 0; i < r->nrsv; i++)
        if (strcmp(r->rsv[i].name, name) == 0)
            v += r->rsv[i].value;
    return res_round(v);
}

int klocal_res_allocatable(const klocal_res *r)
{
    return res_total(r, "cpus") >= 0.01 || res_total(r, "mem") >= 32.0;
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

static int rsv_copy(char *dst, size_t len, const char *src, const char *what, char *err,
                    size_t errlen)
{
    if (!src)
        src = "";
    if (strlen(src) >= len) {
        snprintf(err, errlen, "kmesos-local: %s longer than %zu characters", what, len - 1);
        return -1;
    }
    snprintf(dst, len, "%s", src);
    return 0;
}

/* The disk persistence and volume of x into out. */
static int rsv_disk(const Mesos__V1__Resource *x, klocal_rsv *out, char *err, size_t errlen)
{
    const Mesos__V1__Resource__DiskInfo *d = x->disk;
    if (!d || !d->persistence)
        return 0;
    if (rsv_copy(out->volume, sizeof out->volume, d->persistence->id, "persistence id", err,
                 errlen) ||
        rsv_copy(out->vprincipal, sizeof out->vprincipal, d->persistence->principal,
                 "persistence principal", err, errlen))
        return -1;
    if (!d->volume)
        return 0;
    out->read_only = d->volume->mode == MESOS__V1__VOLUME__MODE__RO;
    return rsv_copy(out->path, sizeof out->path, d->volume->container_path, "container_path",
                    err, errlen);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
int klocal_res_rsv_of(const Mesos__V1__Resource *x, klocal_rsv *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *role = NULL, *principal = NULL;
    if (x->n_reservations) {
        const Mesos__V1__Resource__ReservationInfo *last = x->reservations[x->n_reservations - 1];
        role = last->role ? last->role : "";
        principal = last->principal;
    } else if (x->role && strcmp(x->role, "*") != 0) {
        role = x->role;
        principal = x->reservation ? x->reservation->principal : NULL;
    }
    if (!role)
        return 0;
    if (x->type != MESOS__V1__VALUE__TYPE__SCALAR || !x->scalar) {
        snprintf(err, errlen, "kmesos-local reserves scalar resources only, not '%s'", x->name);
        return -1;
    }
    if (rsv_copy(out->name, sizeof out->name, x->name, "resource name", err, errlen) ||
        rsv_copy(out->role, sizeof out->role, role, "role", err, errlen) ||
        rsv_copy(out->principal, sizeof out->principal, principal, "principal", err, errlen) ||
        rsv_disk(x, out, err, errlen))
        return -1;
    out->value = res_round(x->scalar->value);
    return 1;
}
#pragma GCC diagnostic pop

void klocal_res_add_pb(klocal_res *r, Mesos__V1__Resource *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const Mesos__V1__Resource *x = list[i];
        klocal_rsv k;
        char err[160];
        int rc = klocal_res_rsv_of(x, &k, err, sizeof err);
        if (rc == 1)
            klocal_res_add_rsv(r, &k);
        if (rc != 0)
            continue;
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

static Mesos__V1__Resource *res_pb_scalar(const char *name, double value, int with_role)
{
    Mesos__V1__Resource *x = res_pb_new(name, with_role);
    x->type = MESOS__V1__VALUE__TYPE__SCALAR;
    x->scalar = klocal_util_pb_new(&mesos__v1__value__scalar__descriptor);
    x->scalar->value = value;
    return x;
}

static Mesos__V1__Resource__DiskInfo *rsv_pb_disk(const klocal_rsv *e)
{
    Mesos__V1__Resource__DiskInfo *d =
        klocal_util_pb_new(&mesos__v1__resource__disk_info__descriptor);
    d->persistence = klocal_util_pb_new(&mesos__v1__resource__disk_info__persistence__descriptor);
    d->persistence->id = klocal_util_xstrdup(e->volume);
    if (e->vprincipal[0])
        d->persistence->principal = klocal_util_xstrdup(e->vprincipal);
    d->volume = klocal_util_pb_new(&mesos__v1__volume__descriptor);
    d->volume->mode = e->read_only ? MESOS__V1__VOLUME__MODE__RO : MESOS__V1__VOLUME__MODE__RW;
    d->volume->container_path = klocal_util_xstrdup(e->path);
    return d;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static Mesos__V1__Resource *rsv_pb(const klocal_rsv *e, int with_role)
{
    Mesos__V1__Resource *x = res_pb_scalar(e->name, e->value, 0);
    Mesos__V1__Resource__ReservationInfo *ri =
        klocal_util_pb_new(&mesos__v1__resource__reservation_info__descriptor);
    if (e->principal[0])
        ri->principal = klocal_util_xstrdup(e->principal);
    if (with_role) { /* pre-refinement: role + reservation {principal} */
        x->role = klocal_util_xstrdup(e->role);
        x->reservation = ri;
    } else {
        ri->has_type = 1;
        ri->type = MESOS__V1__RESOURCE__RESERVATION_INFO__TYPE__DYNAMIC;
        ri->role = klocal_util_xstrdup(e->role);
        x->n_reservations = 1;
        x->reservations = klocal_util_xcalloc(1, sizeof *x->reservations);
        x->reservations[0] = ri;
    }
    if (e->volume[0])
        x->disk = rsv_pb_disk(e);
    return x;
}
#pragma GCC diagnostic pop

Mesos__V1__Resource **klocal_res_to_pb(const klocal_res *r, int with_role, size_t *n)
{
    Mesos__V1__Resource **list =
        klocal_util_xcalloc(r->nscalars + r->nrsv + 1, sizeof *list);
    size_t k = 0;
    if (r->nports)
        list[k++] = res_pb_ports(r, with_role);
    for (size_t i = 0; i < r->nscalars; i++)
        list[k++] = res_pb_scalar(r->scalars[i].name, r->scalars[i].value, with_role);
    for (size_t i = 0; i < r->nrsv; i++)
        list[k++] = rsv_pb(&r->rsv[i], with_role);
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

/* The totals of r's scalars (role NULL: reserved or not; "": the
 * unreserved ones; else those reserved for role) and its ports. */
static json_t *res_json_of(const klocal_res *r, const char *role)
{
    klocal_res sum;
    klocal_res_init(&sum);
    if (!role || !role[0]) {
        sum.nscalars = r->nscalars;
        memcpy(sum.scalars, r->scalars, sizeof r->scalars);
    }
    for (size_t i = 0; i < r->nrsv && (!role || role[0]); i++)
        if (!role || strcmp(r->rsv[i].role, role) == 0)
            klocal_res_set_scalar(&sum, r->rsv[i].name,
                                  klocal_res_scalar(&sum, r->rsv[i].name) + r->rsv[i].value);
    json_t *o = json_object();
    const char *always[] = {"disk", "mem", "gpus", "cpus"};
    for (size_t i = 0; i < 4; i++)
        json_object_set_new(o, always[i], json_real(klocal_res_scalar(&sum, always[i])));
    for (size_t i = 0; i < sum.nscalars; i++)
        if (!json_object_get(o, sum.scalars[i].name))
            json_object_set_new(o, sum.scalars[i].name, json_real(sum.scalars[i].value));
    klocal_res_free(&sum);
    if (role && role[0])
        return o;
    if (r->nports) {
        kmesos_buf b;
        kmesos_buf_init(&b);
        res_format_ports(r, &b, ", ");
        json_object_set_new(o, "ports", json_string(kmesos_buf_cstr(&b)));
        kmesos_buf_free(&b);
    }
    return o;
}

json_t *klocal_res_to_json(const klocal_res *r) { return res_json_of(r, NULL); }
json_t *klocal_res_unreserved_json(const klocal_res *r) { return res_json_of(r, ""); }

json_t *klocal_res_reserved_json(const klocal_res *r)
{
    json_t *o = json_object();
    for (size_t i = 0; i < r->nrsv; i++)
        if (!json_object_get(o, r->rsv[i].role))
            json_object_set_new(o, r->rsv[i].role, res_json_of(r, r->rsv[i].role));
    return o;
}

char *klocal_res_rsv_format(const klocal_rsv *x)
{
    kmesos_buf b;
    kmesos_buf_init(&b);
    kmesos_buf_appendf(&b, "%s(reservations: [(DYNAMIC,%s%s%s)])", x->name, x->role,
                       x->principal[0] ? "," : "", x->principal);
    if (x->volume[0])
        kmesos_buf_appendf(&b, "[%s:%s]", x->volume, x->path);
    kmesos_buf_appendf(&b, ":%g", x->value);
    char *s = klocal_util_xstrdup(kmesos_buf_cstr(&b));
    kmesos_buf_free(&b);
    return s;
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
    for (size_t i = 0; i < r->nrsv; i++) {
        char *e = klocal_res_rsv_format(&r->rsv[i]);
        kmesos_buf_appendf(&b, "%s%s", b.len ? "; " : "", e);
        free(e);
    }
    char *s = klocal_util_xstrdup(kmesos_buf_cstr(&b));
    kmesos_buf_free(&b);
    return s;
}
