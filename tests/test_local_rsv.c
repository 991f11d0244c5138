/* test_local_rsv: kmesos-local's dynamically reserved resources and
 * persistent volumes in its resource sets (local/res.c): reading both
 * reservation formats, arithmetic per role, whole volumes, the offer
 * view of one role, the protobuf sent back and the state JSON, and the
 * volume folders and sandbox links (local/agent/volumes.c). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/pb.h"
#include "local/agent/volumes.h"
#include "local/res.h"
#include "local/util.h"
#include "testlib.h"

static Mesos__V1__Resource *scalar(const char *name, double v)
{
    Mesos__V1__Resource *x = klocal_util_pb_new(&mesos__v1__resource__descriptor);
    x->name = klocal_util_xstrdup(name);
    x->type = MESOS__V1__VALUE__TYPE__SCALAR;
    x->scalar = klocal_util_pb_new(&mesos__v1__value__scalar__descriptor);
    x->scalar->value = v;
    return x;
}

static void reserve(Mesos__V1__Resource *x, const char *role, const char *principal)
{
    Mesos__V1__Resource__ReservationInfo *ri =
        klocal_util_pb_new(&mesos__v1__resource__reservation_info__descriptor);
    ri->has_type = 1;
    ri->type = MESOS__V1__RESOURCE__RESERVATION_INFO__TYPE__DYNAMIC;
    ri->role = klocal_util_xstrdup(role);
    ri->principal = principal ? klocal_util_xstrdup(principal) : NULL;
    x->n_reservations = 1;
    x->reservations = klocal_util_xcalloc(1, sizeof *x->reservations);
    x->reservations[0] = ri;
}

static void volume(Mesos__V1__Resource *x, const char *id, const char *path)
{
    x->disk = klocal_util_pb_new(&mesos__v1__resource__disk_info__descriptor);
    x->disk->persistence =
        klocal_util_pb_new(&mesos__v1__resource__disk_info__persistence__descriptor);
    x->disk->persistence->id = klocal_util_xstrdup(id);
    x->disk->volume = klocal_util_pb_new(&mesos__v1__volume__descriptor);
    x->disk->volume->mode = MESOS__V1__VOLUME__MODE__RW;
    x->disk->volume->container_path = klocal_util_xstrdup(path);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void test_formats(void)
{
    klocal_rsv k;
    char err[200];
    Mesos__V1__Resource *x = scalar("cpus", 1.5);
    CHECK_INT(klocal_res_rsv_of(x, &k, err, sizeof err), 0); /* unreserved */
    reserve(x, "kafka", "kp");
    CHECK_INT(klocal_res_rsv_of(x, &k, err, sizeof err), 1);
    CHECK_STR(k.role, "kafka");
    CHECK_STR(k.principal, "kp");
    CHECK(k.value == 1.5);
    kmesos_pb_free(x);
    /* pre-refinement: role + reservation {principal} */
    x = scalar("mem", 64);
    x->role = klocal_util_xstrdup("kafka");
    x->reservation = klocal_util_pb_new(&mesos__v1__resource__reservation_info__descriptor);
    x->reservation->principal = klocal_util_xstrdup("kp");
    CHECK_INT(klocal_res_rsv_of(x, &k, err, sizeof err), 1);
    CHECK_STR(k.role, "kafka");
    CHECK_STR(k.principal, "kp");
    kmesos_pb_free(x);
    x = scalar("mem", 64);
    x->role = klocal_util_xstrdup("*");
    CHECK_INT(klocal_res_rsv_of(x, &k, err, sizeof err), 0);
    kmesos_pb_free(x);
    /* reserved ports: refused with a reason */
    x = klocal_util_pb_new(&mesos__v1__resource__descriptor);
    x->name = klocal_util_xstrdup("ports");
    x->type = MESOS__V1__VALUE__TYPE__RANGES;
    reserve(x, "kafka", NULL);
    CHECK_INT(klocal_res_rsv_of(x, &k, err, sizeof err), -1);
    CHECK(strstr(err, "scalar") != NULL);
    kmesos_pb_free(x);
    /* a role too long for the fixed-size key */
    char longrole[200];
    memset(longrole, 'r', sizeof longrole - 1);
    longrole[sizeof longrole - 1] = '\0';
    x = scalar("cpus", 1);
    reserve(x, longrole, NULL);
    CHECK_INT(klocal_res_rsv_of(x, &k, err, sizeof err), -1);
    CHECK(strstr(err, "role") != NULL);
    kmesos_pb_free(x);
}

/* The pb a framework sees: post-refinement `reservations`, or `role` and
 * `reservation` without type and role; a volume's disk info. */
static void test_to_pb(void)
{
    klocal_res r;
    klocal_res_init(&r);
    Mesos__V1__Resource *x = scalar("disk", 100);
    reserve(x, "kafka", "kp");
    volume(x, "b0", "data");
    klocal_res_add_pb(&r, &x, 1);
    kmesos_pb_free(x);
    CHECK_INT(r.nrsv, 1);
    size_t n;
    Mesos__V1__Resource **l = klocal_res_to_pb(&r, 0, &n);
    CHECK_INT(n, 1);
    CHECK(!l[0]->role || strcmp(l[0]->role, "*") == 0); /* the default: not sent */
    CHECK_INT(l[0]->n_reservations, 1);
    CHECK_STR(l[0]->reservations[0]->role, "kafka");
    CHECK_INT(l[0]->reservations[0]->type, MESOS__V1__RESOURCE__RESERVATION_INFO__TYPE__DYNAMIC);
    CHECK_STR(l[0]->disk->persistence->id, "b0");
    CHECK_STR(l[0]->disk->volume->container_path, "data");
    klocal_res_free_pb(l, n);
    l = klocal_res_to_pb(&r, 1, &n);
    CHECK_STR(l[0]->role, "kafka");
    CHECK_INT(l[0]->n_reservations, 0);
    CHECK_STR(l[0]->reservation->principal, "kp");
    CHECK(l[0]->reservation->role == NULL);
    /* it reads back as the same entry */
    klocal_res back;
    klocal_res_init(&back);
    klocal_res_add_pb(&back, l, n);
    CHECK(klocal_res_contains(&back, &r) && klocal_res_contains(&r, &back));
    klocal_res_free_pb(l, n);
    klocal_res_free(&back);
    klocal_res_free(&r);
}
#pragma GCC diagnostic pop

static klocal_rsv entry(const char *name, double v, const char *role, const char *vol)
{
    klocal_rsv k;
    memset(&k, 0, sizeof k);
    snprintf(k.name, sizeof k.name, "%s", name);
    snprintf(k.role, sizeof k.role, "%s", role);
    snprintf(k.volume, sizeof k.volume, "%s", vol ? vol : "");
    snprintf(k.path, sizeof k.path, "%s", vol ? "data" : "");
    k.value = v;
    return k;
}

static void test_arith_roles(void)
{
    klocal_res a, b, view;
    char err[100];
    klocal_res_init(&a);
    klocal_res_init(&b);
    klocal_res_init(&view);
    CHECK_INT(klocal_res_parse(&a, "cpus:2;mem:1024;ports:[31000-31010]", err, sizeof err), 0);
    klocal_rsv c1 = entry("cpus", 1, "kafka", NULL), v = entry("disk", 500, "kafka", "b0");
    klocal_rsv other = entry("mem", 256, "web", NULL);
    klocal_res_add_rsv(&a, &c1);
    klocal_res_add_rsv(&a, &v);
    klocal_res_add_rsv(&a, &other);
    /* a role's view: the unreserved part plus its own reservations */
    klocal_res_for_role(&a, "kafka", &view);
    CHECK_INT(view.nrsv, 2);
    CHECK(klocal_res_scalar(&view, "cpus") == 2.0);
    CHECK_INT(view.nports, 1);
    klocal_res_for_role(&a, "*", &view);
    CHECK_INT(view.nrsv, 0);
    /* reserved cpus are not unreserved cpus */
    klocal_rsv c2 = entry("cpus", 0.5, "kafka", NULL);
    klocal_res_add_rsv(&b, &c2);
    CHECK(klocal_res_contains(&a, &b));
    klocal_rsv c3 = entry("cpus", 1.5, "kafka", NULL);
    klocal_res_clear(&b);
    klocal_res_add_rsv(&b, &c3);
    CHECK(!klocal_res_contains(&a, &b));
    /* a volume is taken whole */
    klocal_rsv part = entry("disk", 100, "kafka", "b0");
    klocal_res_clear(&b);
    klocal_res_add_rsv(&b, &part);
    CHECK(!klocal_res_contains(&a, &b));
    klocal_res_clear(&b);
    klocal_res_add_rsv(&b, &v);
    CHECK(klocal_res_contains(&a, &b));
    klocal_res_subtract(&a, &b);
    CHECK(klocal_res_find_rsv(&a, &v) == NULL);
    CHECK_INT(a.nrsv, 2);
    /* state JSON: totals, and per role */
    json_t *all = klocal_res_to_json(&a), *res = klocal_res_reserved_json(&a),
           *un = klocal_res_unreserved_json(&a);
    CHECK(json_real_value(json_object_get(all, "cpus")) == 3.0);
    CHECK(json_real_value(json_object_get(un, "cpus")) == 2.0);
    CHECK(json_real_value(json_object_get(json_object_get(res, "kafka"), "cpus")) == 1.0);
    CHECK(json_real_value(json_object_get(json_object_get(res, "web"), "mem")) == 256.0);
    CHECK(json_object_get(json_object_get(res, "kafka"), "ports") == NULL);
    json_decref(all);
    json_decref(res);
    json_decref(un);
    char *s = klocal_res_format(&a);
    CHECK(strstr(s, "cpus(reservations: [(DYNAMIC,kafka)]):1") != NULL);
    free(s);
    klocal_res copy;
    klocal_res_init(&copy);
    klocal_res_copy(&copy, &a);
    CHECK_INT(copy.nrsv, 2);
    klocal_res_free(&copy);
    klocal_res_free(&a);
    klocal_res_free(&b);
    klocal_res_free(&view);
}

static void test_volume_folders(void)
{
    char tmpl[] = "/tmp/klocal_rsv_XXXXXX";
    char *wd = mkdtemp(tmpl);
    CHECK(wd != NULL);
    klocal_rsv v = entry("disk", 10, "kafka", "b0");
    char err[300];
    CHECK_INT(klocal_volumes_create(wd, &v, err, sizeof err), 0);
    char *path = klocal_volumes_path(wd, &v);
    char *file = klocal_util_xasprintf("%s/kept", path);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    fputs("x", f);
    fclose(f);
    CHECK_INT(klocal_volumes_create(wd, &v, err, sizeof err), 0); /* kept */
    CHECK_INT(access(file, F_OK), 0);
    /* linked into a sandbox at its container path */
    char *sandbox = klocal_util_xasprintf("%s/sandbox", wd);
    klocal_util_mkdirs(sandbox, 1);
    Mesos__V1__Resource *x = scalar("disk", 10);
    reserve(x, "kafka", NULL);
    volume(x, "b0", "data");
    CHECK_INT(klocal_volumes_link(wd, sandbox, &x, 1), 1);
    char *seen = klocal_util_xasprintf("%s/data/kept", sandbox);
    CHECK_INT(access(seen, F_OK), 0);
    /* an absolute or escaping container path is not linked */
    free(x->disk->volume->container_path);
    x->disk->volume->container_path = klocal_util_xstrdup("../out");
    CHECK_INT(klocal_volumes_link(wd, sandbox, &x, 1), 0);
    kmesos_pb_free(x);
    klocal_volumes_destroy(wd, &v);
    CHECK(access(path, F_OK) != 0);
    char *cmd = klocal_util_xasprintf("rm -rf '%s'", wd);
    CHECK_INT(system(cmd), 0);
    free(cmd);
    free(seen);
    free(sandbox);
    free(file);
    free(path);
}

int main(void)
{
    RUN_TEST(test_formats);
    RUN_TEST(test_to_pb);
    RUN_TEST(test_arith_roles);
    RUN_TEST(test_volume_folders);
    return testlib_finish();
}
