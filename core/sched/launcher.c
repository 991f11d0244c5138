/* launcher: an accepted (offer, task) pair turned into a TaskInfo.
 *
 * The TaskInfo carries the task id and name, the offer's agent id, the
 * workload's cpus, mem and disk as scalar resources in the offer's role
 * (with allocation_info when the framework is MULTI_ROLE), a ports
 * resource and a shell CommandInfo whose environment tells the process
 * who and where it is. Ports come from a cursor over the offer's ranges,
 * so several tasks packed onto one offer never get the same port; they
 * are handed out in offer order and sent as one range per contiguous run,
 * as Mesos expects a RANGES resource. Modules that launch their own
 * commands (Kafka) use the same pieces: kmesos_launcher_base, the ports
 * resource and kmesos_launcher_finish. */
#include "sched/launcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/pb.h"

void kmesos_port_cursor_init(kmesos_port_cursor *c, const kmesos_offer *o)
{
    memset(c, 0, sizeof *c);
    c->next = o->n_ports ? o->ports[0].begin : 0;
}

static int claimed(const kmesos_port_cursor *c, uint64_t port)
{
    for (size_t i = 0; i < c->n_claimed; i++)
        if (c->claimed[i] == port)
            return 1;
    return 0;
}

uint64_t kmesos_port_take(kmesos_port_cursor *c, const kmesos_offer *o)
{
    while (c->range < o->n_ports) {
        if (c->next >= o->ports[c->range].begin && c->next <= o->ports[c->range].end) {
            uint64_t p = c->next++;
            if (!claimed(c, p))
                return p;
            continue;
        }
        if (++c->range < o->n_ports)
            c->next = o->ports[c->range].begin;
    }
    return 0;
}

static uint64_t take_port(kmesos_port_cursor *c, const kmesos_offer *o)
{
    return kmesos_port_take(c, o);
}

int kmesos_port_free(const kmesos_port_cursor *c, const kmesos_offer *o, uint64_t port)
{
    for (size_t i = 0; i < o->n_ports; i++) {
        if (port < o->ports[i].begin || port > o->ports[i].end)
            continue;
        /* the cursor has handed out everything before it */
        int behind = i < c->range || (i == c->range && port < c->next);
        return !behind && !claimed(c, port);
    }
    return 0;
}

int kmesos_port_claim(kmesos_port_cursor *c, const kmesos_offer *o, uint64_t port)
{
    if (!kmesos_port_free(c, o, port) || c->n_claimed == KMESOS_PORTS_CLAIMED_MAX)
        return -1;
    c->claimed[c->n_claimed++] = port;
    return 0;
}

static int add_range(Mesos__V1__Value__Ranges *rs, uint64_t port)
{
    if (rs->n_range && rs->range[rs->n_range - 1]->end + 1 == port) {
        rs->range[rs->n_range - 1]->end = port;
        return 0;
    }
    Mesos__V1__Value__Range *r = kmesos_pb_new(&mesos__v1__value__range__descriptor);
    if (!r)
        return -1;
    r->begin = r->end = port;
    return kmesos_pb_push((void ***)&rs->range, &rs->n_range, r);
}

Mesos__V1__Resource *kmesos_launcher_ports_resource(const uint64_t *ports, size_t n,
                                                    const kmesos_offer *o)
{
    Mesos__V1__Resource *r = kmesos_pb_new(&mesos__v1__resource__descriptor);
    Mesos__V1__Value__Ranges *rs = kmesos_pb_new(&mesos__v1__value__ranges__descriptor);
    if (!r || !rs || !(r->name = strdup("ports")) || kmesos_pb_set_role(r, o->role) != 0) {
        kmesos_pb_free(r);
        free(rs);
        return NULL;
    }
    r->type = MESOS__V1__VALUE__TYPE__RANGES;
    r->ranges = rs;
    for (size_t i = 0; i < n; i++)
        if (add_range(rs, ports[i]) != 0) {
            kmesos_pb_free(r);
            return NULL;
        }
    return r;
}

/* The ports resource plus PORTn/PORTS variables. */
static int add_ports(Mesos__V1__TaskInfo *ti, Mesos__V1__Environment *env, int count,
                     const kmesos_offer *o, kmesos_port_cursor *c)
{
    if (count <= 0)
        return 0;
    Mesos__V1__Resource *r = kmesos_pb_new(&mesos__v1__resource__descriptor);
    Mesos__V1__Value__Ranges *rs = kmesos_pb_new(&mesos__v1__value__ranges__descriptor);
    if (!r || !rs || !(r->name = strdup("ports")) || kmesos_pb_set_role(r, o->role) != 0) {
        kmesos_pb_free(r);
        free(rs);
        return -1;
    }
    r->type = MESOS__V1__VALUE__TYPE__RANGES;
    r->ranges = rs;
    if (kmesos_pb_push((void ***)&ti->resources, &ti->n_resources, r) != 0)
        return -1;
    char name[32], value[32], all[1024] = "";
    for (int i = 0; i < count; i++) {
        uint64_t port = take_port(c, o);
        if (!port || add_range(rs, port) != 0)
            return -1;
        snprintf(name, sizeof name, "PORT%d", i);
        snprintf(value, sizeof value, "%llu", (unsigned long long)port);
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? "," : "", value);
        if (kmesos_pb_push((void ***)&env->variables, &env->n_variables,
                           kmesos_pb_env(name, value)) != 0)
            return -1;
    }
    return kmesos_pb_push((void ***)&env->variables, &env->n_variables,
                          kmesos_pb_env("PORTS", all));
}

static int add_env(Mesos__V1__Environment *env, const kmesos_task *t, const kmesos_offer *o)
{
    char instance[16];
    snprintf(instance, sizeof instance, "%d", t->instance);
    const char *pairs[][2] = {
        {"KMESOS_TASK_ID", t->id},
        {"KMESOS_WORKLOAD", t->workload->name},
        {"KMESOS_INSTANCE", instance},
        {"HOST", o->hostname},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (kmesos_pb_push((void ***)&env->variables, &env->n_variables,
                           kmesos_pb_env(pairs[i][0], pairs[i][1])) != 0)
            return -1;
    return 0;
}

/* A MULTI_ROLE framework must say in which role it uses each resource:
 * the one the offer allocated it to. */
static int set_allocation_of(Mesos__V1__Resource **res, size_t n, const kmesos_offer *o)
{
    for (size_t i = 0; o->alloc_role && i < n; i++) {
        Mesos__V1__Resource__AllocationInfo *a =
            kmesos_pb_new(&mesos__v1__resource__allocation_info__descriptor);
        if (!a || !(a->role = strdup(o->alloc_role))) {
            free(a);
            return -1;
        }
        res[i]->allocation_info = a;
    }
    return 0;
}

static int set_allocation(Mesos__V1__TaskInfo *ti, const kmesos_offer *o)
{
    if (set_allocation_of(ti->resources, ti->n_resources, o) != 0)
        return -1;
    Mesos__V1__ExecutorInfo *e = ti->executor;
    return e ? set_allocation_of(e->resources, e->n_resources, o) : 0;
}

/* Appends the cpus, mem and disk scalars that are above 0. */
static int add_scalars(Mesos__V1__Resource ***res, size_t *n, double cpus, double mem,
                       double disk, const char *role)
{
    const struct { const char *name; double v; } s[] = {
        {"cpus", cpus}, {"mem", mem}, {"disk", disk}};
    for (size_t i = 0; i < 3; i++)
        if (s[i].v > 0 &&
            kmesos_pb_push((void ***)res, n, kmesos_pb_scalar(s[i].name, s[i].v, role)) != 0)
            return -1;
    return 0;
}

int kmesos_launcher_executor_resources(Mesos__V1__ExecutorInfo *e, const kmesos_workload *w,
                                       const kmesos_offer *o)
{
    return add_scalars(&e->resources, &e->n_resources, w->exec_cpus, w->exec_mem, 0, o->role);
}

static Mesos__V1__CommandInfo *command_info(const kmesos_workload *w)
{
    Mesos__V1__CommandInfo *cmd = kmesos_pb_new(&mesos__v1__command_info__descriptor);
    Mesos__V1__Environment *env = kmesos_pb_new(&mesos__v1__environment__descriptor);
    if (!cmd || !env || !(cmd->value = strdup(w->command))) {
        kmesos_pb_free(cmd);
        free(env);
        return NULL;
    }
    cmd->has_shell = 1;
    cmd->shell = 1;
    cmd->environment = env;
    return cmd;
}

Mesos__V1__TaskInfo *kmesos_launcher_base(const kmesos_task *task, const kmesos_offer *offer)
{
    Mesos__V1__TaskInfo *ti = kmesos_pb_new(&mesos__v1__task_info__descriptor);
    if (!ti)
        return NULL;
    ti->name = strdup(task->id);
    ti->task_id = kmesos_pb_id(&mesos__v1__task_id__descriptor, task->id);
    ti->agent_id = kmesos_pb_id(&mesos__v1__agent_id__descriptor, offer->agent_id);
    if (!ti->name || !ti->task_id || !ti->agent_id ||
        add_scalars(&ti->resources, &ti->n_resources, task->workload->cpus,
                    task->workload->mem, task->workload->disk, offer->role) != 0) {
        kmesos_pb_free(ti);
        return NULL;
    }
    return ti;
}

int kmesos_launcher_finish(Mesos__V1__TaskInfo *ti, const kmesos_offer *o)
{
    return set_allocation(ti, o);
}

Mesos__V1__TaskInfo *kmesos_launcher_task_info(const kmesos_task *task,
                                               const kmesos_offer *offer,
                                               kmesos_port_cursor *ports)
{
    Mesos__V1__TaskInfo *ti = kmesos_launcher_base(task, offer);
    if (!ti)
        return NULL;
    ti->command = command_info(task->workload);
    int ok = ti->command &&
             add_env(ti->command->environment, task, offer) == 0 &&
             add_ports(ti, ti->command->environment, task->workload->ports, offer, ports) == 0 &&
             set_allocation(ti, offer) == 0;
    if (!ok) {
        kmesos_pb_free(ti);
        return NULL;
    }
    return ti;
}
