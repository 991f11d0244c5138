/* test_local_roles: kmesos-local's checks of framework roles against
 * their reference in apache/mesos: roles::validate (src/common/roles.cpp:
 * "*" alone, no leading or trailing slash, no "//", no ".", ".." or "*"
 * component, no component starting with '-', no blank or DEL), and
 * framework::internal::validateRoles and validateFailoverTimeout
 * (src/master/validation.cpp), with the master's texts; and how an offer
 * is dressed for a framework (Master::offer in src/master/master.cpp:
 * allocation_info only for MULTI_ROLE, no `role` with
 * RESERVATION_REFINEMENT). The SUBSCRIBE answers themselves are checked
 * end to end in tests/e2e/local_roles.sh. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"
#include "local/master/internal.h"
#include "testlib.h"

static const char *name_error(const char *role)
{
    static char buf[300];
    const char *bad = klocal_mroles_check_name(role, buf, sizeof buf);
    return bad ? bad : "ok";
}

static void test_role_names(void)
{
    CHECK_STR(name_error("*"), "ok");
    CHECK_STR(name_error("kafka"), "ok");
    CHECK_STR(name_error("a/b/c"), "ok");
    CHECK_STR(name_error("a.b"), "ok");
    CHECK_STR(name_error("a-b"), "ok");
    CHECK_STR(name_error(""), "Role names cannot be the empty string");
    CHECK_STR(name_error("/a"), "Role '/a' cannot start with a slash");
    CHECK_STR(name_error("/"), "Role '/' cannot start with a slash");
    CHECK_STR(name_error("a/"), "Role 'a/' cannot end with a slash");
    CHECK_STR(name_error("a//b"), "Role 'a//b' cannot contain two adjacent slashes");
    CHECK_STR(name_error("."), "Role '.' cannot include '.' as a component");
    CHECK_STR(name_error("a/.."), "Role 'a/..' cannot include '..' as a component");
    CHECK_STR(name_error("a/*"), "Role 'a/*' cannot include '*' as a component");
    CHECK_STR(name_error("**"), "ok");
    CHECK_STR(name_error("-a"), "Role component '-a' is invalid because it starts with a dash");
    CHECK_STR(name_error("a/-b/c"),
              "Role component '-b' is invalid because it starts with a dash");
    CHECK_STR(name_error("a\tb"),
              "Role component 'a\tb' is invalid because it contains backspace or whitespace");
    CHECK_STR(name_error("x/a\x7f"),
              "Role component 'a\x7f' is invalid because it contains backspace or whitespace");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static Mesos__V1__FrameworkInfo *fw_info(int multi, int refine, const char *role)
{
    Mesos__V1__FrameworkInfo *fi = kmesos_pb_new(&mesos__v1__framework_info__descriptor);
    if (role)
        fi->role = strdup(role);
    int caps[2] = {multi ? MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__MULTI_ROLE : -1,
                   refine ? MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__RESERVATION_REFINEMENT
                          : -1};
    for (int i = 0; i < 2; i++)
        if (caps[i] >= 0) {
            Mesos__V1__FrameworkInfo__Capability *c =
                kmesos_pb_new(&mesos__v1__framework_info__capability__descriptor);
            c->has_type = 1;
            c->type = caps[i];
            kmesos_pb_push((void ***)&fi->capabilities, &fi->n_capabilities, c);
        }
    return fi;
}
#pragma GCC diagnostic pop

static void add_role(Mesos__V1__FrameworkInfo *fi, const char *role)
{
    fi->roles = realloc(fi->roles, (fi->n_roles + 1) * sizeof *fi->roles);
    fi->roles[fi->n_roles++] = strdup(role);
}

static const char *fw_error(Mesos__V1__FrameworkInfo *fi)
{
    static char buf[600];
    const char *bad = klocal_mroles_validate(fi, buf, sizeof buf);
    static char out[600];
    snprintf(out, sizeof out, "%s", bad ? bad : "ok");
    kmesos_pb_free(fi);
    return out;
}

static void test_framework_roles(void)
{
    CHECK_STR(fw_error(fw_info(0, 0, NULL)), "ok"); /* role "*" by default */
    CHECK_STR(fw_error(fw_info(0, 0, "*")), "ok");
    CHECK_STR(fw_error(fw_info(0, 0, "kafka")), "ok");
    Mesos__V1__FrameworkInfo *fi = fw_info(0, 0, NULL);
    add_role(fi, "a");
    CHECK_STR(fw_error(fi),
              "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE "
              "capable");
    CHECK_STR(fw_error(fw_info(1, 0, "*")),
              "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable");
    CHECK_STR(fw_error(fw_info(1, 0, NULL)), "ok"); /* no roles at all: allowed */
    fi = fw_info(1, 0, NULL);
    add_role(fi, "a");
    add_role(fi, "b");
    CHECK_STR(fw_error(fi), "ok");
    fi = fw_info(1, 0, NULL);
    add_role(fi, "a");
    add_role(fi, "b");
    add_role(fi, "a");
    add_role(fi, "b");
    add_role(fi, "c");
    CHECK_STR(fw_error(fi), "'FrameworkInfo.roles' contains duplicate items: { a, b }");
    fi = fw_info(1, 0, NULL);
    add_role(fi, "ok");
    add_role(fi, "a//b");
    CHECK_STR(fw_error(fi), "'FrameworkInfo.roles' contains invalid role: Role 'a//b' cannot "
                            "contain two adjacent slashes");
    CHECK_STR(fw_error(fw_info(0, 0, "")),
              "'FrameworkInfo.role' is not a valid role: Role names cannot be the empty string");
}

static void test_failover_timeout(void)
{
    Mesos__V1__FrameworkInfo *fi = fw_info(0, 0, NULL);
    fi->has_failover_timeout = 1;
    fi->failover_timeout = 9e9; /* 285 years: fits int64 nanoseconds */
    CHECK_STR(fw_error(fi), "ok");
    fi = fw_info(0, 0, NULL);
    fi->has_failover_timeout = 1;
    fi->failover_timeout = 1e10; /* 317 years: does not */
    CHECK_STR(fw_error(fi), "The framework failover_timeout (1e+10) is invalid");
    fi = fw_info(0, 0, NULL);
    fi->has_failover_timeout = 1;
    fi->failover_timeout = NAN;
    CHECK_STR(fw_error(fi), "The framework failover_timeout (nan) is invalid");
}

/* role of offer resource i, or "-" (unset) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static const char *res_role(const Mesos__V1__Offer *p, size_t i)
{
    const char *r = p->resources[i]->role;
    return r && r != mesos__v1__resource__role__default_value ? r : "-";
}
#pragma GCC diagnostic pop

static void test_offer_dress(void)
{
    klocal_res res;
    klocal_res_init(&res);
    char err[64];
    CHECK(klocal_res_parse(&res, "cpus:1;mem:64;ports:[31000-31001]", err, sizeof err) == 0);
    for (int multi = 0; multi < 2; multi++)
        for (int refine = 0; refine < 2; refine++) {
            klocal_fw fw = {.info = fw_info(multi, refine, NULL)};
            Mesos__V1__Offer *p = kmesos_pb_new(&mesos__v1__offer__descriptor);
            klocal_mroles_offer_pb(&fw, "kafka", &res, p);
            CHECK(p->n_resources == 3);
            CHECK(!p->allocation_info == !multi);
            if (multi)
                CHECK_STR(p->allocation_info->role, "kafka");
            for (size_t i = 0; i < p->n_resources; i++) {
                CHECK_STR(res_role(p, i), refine ? "-" : "*");
                CHECK(!p->resources[i]->allocation_info == !multi);
                if (multi)
                    CHECK_STR(p->resources[i]->allocation_info->role, "kafka");
            }
            kmesos_pb_free(p);
            kmesos_pb_free(fw.info);
        }
    klocal_res_free(&res);
}

int main(void)
{
    RUN_TEST(test_role_names);
    RUN_TEST(test_framework_roles);
    RUN_TEST(test_failover_timeout);
    RUN_TEST(test_offer_dress);
    return testlib_finish();
}
