/* mroles: the roles of frameworks in the simulated master, as Mesos 1.12
 * has them. SUBSCRIBE's FrameworkInfo is checked as
 * validation::framework::validate does (src/master/validation.cpp:
 * `role` with MULTI_ROLE, `roles` without it, duplicate or malformed
 * role names as roles::validate in src/common/roles.cpp, a failover
 * timeout no Duration can hold), with the master's texts. Each offer is
 * allocated to one role: a framework's `role` ("*" by default), or one
 * of a MULTI_ROLE framework's `roles` in turn (none: no offers). As
 * Master::offer does, only a MULTI_ROLE framework sees that role, as
 * `allocation_info` on the offer and on each resource, and a framework
 * with RESERVATION_REFINEMENT gets its resources without the deprecated
 * `role: "*"` (the post-refinement format). An ACCEPT's resources are
 * taken as allocated to the offer's role unless they name one
 * (protobuf::injectAllocationInfo); they must name a single role
 * (validateAllocatedToSingleRole), and one other than the offer's does
 * not fit in it. The module calls nothing of the master above it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local/master/internal.h"
#include "local/util.h"

#define CAP(t) MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__##t

static int mroles_has_cap(const Mesos__V1__FrameworkInfo *fi, int type)
{
    for (size_t i = 0; i < fi->n_capabilities; i++)
        if (fi->capabilities[i]->has_type && (int)fi->capabilities[i]->type == type)
            return 1;
    return 0;
}

int klocal_mroles_multi(const Mesos__V1__FrameworkInfo *fi)
{
    return mroles_has_cap(fi, CAP(MULTI_ROLE));
}

int klocal_mroles_refinement(const Mesos__V1__FrameworkInfo *fi)
{
    return mroles_has_cap(fi, CAP(RESERVATION_REFINEMENT));
}

/* The deprecated `role` field: set (has_role), and its value ("*" when
 * unset, its default). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int mroles_has_role(const Mesos__V1__FrameworkInfo *fi)
{
    return fi->role && fi->role != mesos__v1__framework_info__role__default_value;
}

const char *klocal_mroles_role(const Mesos__V1__FrameworkInfo *fi)
{
    return fi->role ? fi->role : "*";
}
#pragma GCC diagnostic pop

/* ------------------------------------------------------- validation */

/* One path component of a role name (roles::validate). */
static const char *mroles_check_component(const char *role, const char *c, size_t n, char *buf,
                                          size_t len)
{
    if (n == 1 && c[0] == '.')
        return snprintf(buf, len, "Role '%s' cannot include '.' as a component", role), buf;
    if (n == 2 && c[0] == '.' && c[1] == '.')
        return snprintf(buf, len, "Role '%s' cannot include '..' as a component", role), buf;
    if (n == 1 && c[0] == '*')
        return snprintf(buf, len, "Role '%s' cannot include '*' as a component", role), buf;
    if (c[0] == '-')
        return snprintf(buf, len, "Role component '%.*s' is invalid because it starts with a dash",
                        (int)n, c), buf;
    for (size_t i = 0; i < n; i++)
        if (c[i] && strchr("\t\n\v\f\r \x7f", c[i]))
            return snprintf(buf, len, "Role component '%.*s' is invalid because it contains "
                            "backspace or whitespace", (int)n, c), buf;
    return NULL;
}

const char *klocal_mroles_check_name(const char *role, char *buf, size_t len)
{
    size_t n = strlen(role);
    if (strcmp(role, "*") == 0)
        return NULL;
    if (role[0] == '/')
        return snprintf(buf, len, "Role '%s' cannot start with a slash", role), buf;
    if (n && role[n - 1] == '/')
        return snprintf(buf, len, "Role '%s' cannot end with a slash", role), buf;
    if (strstr(role, "//"))
        return snprintf(buf, len, "Role '%s' cannot contain two adjacent slashes", role), buf;
    if (!n)
        return "Role names cannot be the empty string";
    for (const char *c = role; *c;) {
        size_t k = strcspn(c, "/");
        const char *bad = mroles_check_component(role, c, k, buf, len);
        if (bad)
            return bad;
        c += k + (c[k] == '/');
    }
    return NULL;
}

/* "{ a, b }" of the roles of fi that appear more than once (stout's
 * stringify of a hashset), or NULL when none does. */
static const char *mroles_duplicates(const Mesos__V1__FrameworkInfo *fi, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "'FrameworkInfo.roles' contains duplicate items: {");
    int any = 0;
    for (size_t i = 0; i < fi->n_roles; i++) {
        int first = 1, again = 0;
        for (size_t k = 0; k < fi->n_roles; k++)
            if (strcmp(fi->roles[i], fi->roles[k]) == 0) {
                first = first && k >= i;
                again += k != i;
            }
        if (!again || !first || used >= len)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s %s", any ? "," : "", fi->roles[i]);
        any = 1;
    }
    if (used < len)
        snprintf(buf + used, len - used, " }");
    return any ? buf : NULL;
}

static const char *mroles_check_roles(const Mesos__V1__FrameworkInfo *fi, char *buf, size_t len)
{
    char why[400];
    int multi = klocal_mroles_multi(fi);
    if (multi && mroles_has_role(fi))
        return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
    if (!multi && fi->n_roles)
        return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE "
               "capable";
    if (!multi) {
        const char *bad = klocal_mroles_check_name(klocal_mroles_role(fi), why, sizeof why);
        return bad ? (snprintf(buf, len, "'FrameworkInfo.role' is not a valid role: %s", bad), buf)
                   : NULL;
    }
    if (mroles_duplicates(fi, buf, len))
        return buf;
    for (size_t i = 0; i < fi->n_roles; i++) {
        const char *bad = klocal_mroles_check_name(fi->roles[i], why, sizeof why);
        if (bad)
            return snprintf(buf, len, "'FrameworkInfo.roles' contains invalid role: %s", bad), buf;
    }
    return NULL;
}

const char *klocal_mroles_validate(const Mesos__V1__FrameworkInfo *fi, char *buf, size_t len)
{
    const char *bad = mroles_check_roles(fi, buf, len);
    if (bad)
        return bad;
    /* Duration::create: what int64 nanoseconds cannot hold (and NaN) */
    double ns = fi->failover_timeout * 1e9;
    if (isnan(ns) || ns > 9.223372036854775807e18 || ns < -9.223372036854775808e18)
        return snprintf(buf, len, "The framework failover_timeout (%g) is invalid",
                        fi->failover_timeout), buf;
    return NULL;
}

/* ----------------------------------------------------------- offers */

int klocal_mroles_offerable(const klocal_fw *fw)
{
    return !klocal_mroles_multi(fw->info) || fw->info->n_roles > 0;
}

char *klocal_mroles_pick(klocal_fw *fw)
{
    const Mesos__V1__FrameworkInfo *fi = fw->info;
    if (!klocal_mroles_multi(fi))
        return klocal_util_xstrdup(klocal_mroles_role(fi));
    if (!fi->n_roles)
        return klocal_util_xstrdup("*");
    return klocal_util_xstrdup(fi->roles[fw->role_turn++ % fi->n_roles]);
}

void klocal_mroles_unpick(klocal_fw *fw)
{
    if (klocal_mroles_multi(fw->info) && fw->info->n_roles)
        fw->role_turn--;
}

static Mesos__V1__Resource__AllocationInfo *mroles_allocation(const char *role)
{
    Mesos__V1__Resource__AllocationInfo *a =
        klocal_util_pb_new(&mesos__v1__resource__allocation_info__descriptor);
    a->role = klocal_util_xstrdup(role);
    return a;
}

void klocal_mroles_offer_pb(const klocal_fw *fw, const char *role, const klocal_res *res,
                            Mesos__V1__Offer *p)
{
    p->resources = klocal_res_to_pb(res, !klocal_mroles_refinement(fw->info), &p->n_resources);
    if (!klocal_mroles_multi(fw->info))
        return;
    p->allocation_info = mroles_allocation(role);
    for (size_t i = 0; i < p->n_resources; i++)
        p->resources[i]->allocation_info = mroles_allocation(role);
}

/* ----------------------------------------------------------- ACCEPT */

static const char *mroles_of(const Mesos__V1__Resource *r, const char *offer_role)
{
    return r->allocation_info && r->allocation_info->role ? r->allocation_info->role : offer_role;
}

/* The one role of list (injected: offer_role where none is named), or an
 * error in buf ("" when the list is empty). */
static const char *mroles_single(Mesos__V1__Resource *const *list, size_t n,
                                 const char *offer_role, const char **role, char *buf,
                                 size_t len)
{
    for (size_t i = 0; i < n; i++) {
        const char *r = mroles_of(list[i], offer_role);
        if (!*role)
            *role = r;
        else if (strcmp(r, *role) != 0)
            return snprintf(buf, len, "The resources have multiple allocation roles ('%s' and "
                            "'%s') but only one allocation role is allowed", r, *role), buf;
    }
    return NULL;
}

const char *klocal_mroles_task(const Mesos__V1__TaskInfo *ti, const char *offer_role,
                               int *fits, char *buf, size_t len)
{
    const char *role = NULL, *bad;
    char why[300];
    *fits = 1;
    if ((bad = mroles_single(ti->resources, ti->n_resources, offer_role, &role, why,
                             sizeof why)))
        return snprintf(buf, len, "Invalid task resources: %s", bad), buf;
    const char *exec_role = NULL;
    if (ti->executor && (bad = mroles_single(ti->executor->resources,
                                             ti->executor->n_resources, offer_role, &exec_role,
                                             why, sizeof why)))
        return snprintf(buf, len, "Invalid executor resources: %s", bad), buf;
    *fits = (!role || strcmp(role, offer_role) == 0) &&
            (!exec_role || strcmp(exec_role, offer_role) == 0);
    return NULL;
}

void klocal_mroles_state(const Mesos__V1__FrameworkInfo *fi, json_t *j)
{
    if (!klocal_mroles_multi(fi)) {
        json_object_set_new(j, "role", json_string(klocal_mroles_role(fi)));
        return;
    }
    json_t *roles = json_array();
    for (size_t i = 0; i < fi->n_roles; i++)
        json_array_append_new(roles, json_string(fi->roles[i]));
    json_object_set_new(j, "roles", roles);
}
