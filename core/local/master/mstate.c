/* mstate: GET /master/state (and /state) in the shape of a Mesos 1.12
 * master's answer (see tests/data/mesos-captures/state): identity and
 * build, flags, agents with total/used/offered resources, frameworks with
 * their role(s), tasks, completed tasks, unreachable tasks (of agents
 * marked unreachable, which are not listed among the slaves but counted
 * in unreachable_slaves), outstanding offers and custom executors (as
 * FullFrameworkWriter writes them: ExecutorInfo's fields, its role and
 * slave_id; command executors are not listed). Also GET /version. For
 * humans and tests; fields a simulator cannot know are left out. */
#include <stdio.h>
#include <string.h>

#include "codec/pbjson.h"
#include "local/master/internal.h"
#include "local/util.h"
#include "local/wire.h"


static json_t *mstate_task(const klocal_fw *fw, const klocal_mtask *t)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:O}",
                     "id", t->id, "name", t->name, "framework_id", fw->id,
                     "executor_id", t->executor_id ? t->executor_id : "",
                     "slave_id", klocal_agent_id(t->agent->agent),
                     "state", kmesos_task_state_name(t->state),
                     "resources", klocal_res_to_json(&t->res), "role",
                     t->role ? t->role : klocal_mroles_role(fw->info), "statuses", t->statuses);
}

static json_t *mstate_offers(const klocal_master *m, const klocal_fw *fw, klocal_res *sum)
{
    json_t *a = json_array();
    for (const klocal_offer *o = m->offers; o; o = o->next)
        if (o->fw == fw) {
            klocal_res_add(sum, &o->res);
            json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}", "id", o->id,
                                               "framework_id", fw->id, "slave_id",
                                               klocal_agent_id(o->agent->agent), "resources",
                                               klocal_res_to_json(&o->res)));
        }
    return a;
}

/* json(ExecutorInfo) of src/common/http.cpp plus slave_id. */
static json_t *mstate_executor(const klocal_fw *fw, const klocal_mexec *x)
{
    const Mesos__V1__ExecutorInfo *e = x->info;
    json_t *cmd = e->command ? json_pack("{s:b, s:[]}", "shell",
                                         !e->command->has_shell || e->command->shell, "argv")
                             : json_object();
    if (e->command && e->command->value)
        json_object_set_new(cmd, "value", json_string(e->command->value));
    for (size_t i = 0; e->command && i < e->command->n_arguments; i++)
        json_array_append_new(json_object_get(cmd, "argv"),
                              json_string(e->command->arguments[i]));
    if (e->command && e->command->environment)
        json_object_set_new(cmd, "environment",
                            kmesos_pbjson_from_message(&e->command->environment->base));
    json_t *uris = json_array();
    for (size_t i = 0; e->command && i < e->command->n_uris; i++)
        json_array_append_new(uris, json_pack("{s:s, s:b}", "value", e->command->uris[i]->value,
                                              "executable", e->command->uris[i]->executable));
    json_object_set_new(cmd, "uris", uris);
    json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:o}", "executor_id", x->id, "name",
                          e->name ? e->name : "", "framework_id", fw->id, "command", cmd,
                          "resources", klocal_res_to_json(&x->res));
    if (e->n_resources)
        json_object_set_new(j, "role", json_string(x->role ? x->role : "*"));
    const ProtobufCEnumValue *type =
        e->has_type ? protobuf_c_enum_descriptor_get_value(&mesos__v1__executor_info__type__descriptor,
                                                           (int)e->type)
                    : NULL;
    if (type)
        json_object_set_new(j, "type", json_string(type->name));
    json_object_set_new(j, "slave_id", json_string(klocal_agent_id(x->agent->agent)));
    return j;
}

static json_t *mstate_executors(const klocal_fw *fw)
{
    json_t *a = json_array();
    for (const klocal_mexec *x = fw->execs; x; x = x->next)
        if (x->info)
            json_array_append_new(a, mstate_executor(fw, x));
    return a;
}

static json_t *mstate_framework(const klocal_master *m, const klocal_fw *fw)
{
    json_t *tasks = json_array(), *done = json_array(), *unreachable = json_array();
    klocal_res used, offered;
    klocal_res_init(&used);
    klocal_res_init(&offered);
    for (const klocal_mtask *t = fw->tasks; t; t = t->next) {
        json_array_append_new(tasks, mstate_task(fw, t));
        if (!t->released)
            klocal_res_add(&used, &t->res);
    }
    for (const klocal_mtask *t = fw->completed; t; t = t->next)
        json_array_append_new(done, mstate_task(fw, t));
    for (const klocal_mtask *t = fw->unreachable; t; t = t->next)
        json_array_append_new(unreachable, mstate_task(fw, t));
    json_t *offers = mstate_offers(m, fw, &offered);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:f, s:b, s:b, s:b, s:f, s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
        "id", fw->id, "name", fw->info->name, "user", fw->info->user,
        "failover_timeout", fw->info->failover_timeout, "checkpoint", fw->info->checkpoint,
        "active", fw->connected && !fw->removed, "connected", fw->connected,
        "registered_time", fw->registered_time, "unregistered_time", fw->unregistered_time,
        "executors", mstate_executors(fw), "used_resources", klocal_res_to_json(&used),
        "offered_resources", klocal_res_to_json(&offered), "tasks", tasks,
        "completed_tasks", done, "offers", offers, "unreachable_tasks", unreachable);
    klocal_mroles_state(fw->info, j);
    klocal_res_free(&used);
    klocal_res_free(&offered);
    return j;
}

static json_t *mstate_agent(const klocal_magent *ma)
{
    const klocal_agent *a = ma->agent;
    return json_pack("{s:s, s:s, s:i, s:o, s:s, s:f, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:s}",
                     "id", klocal_agent_id(a), "hostname", klocal_agent_hostname(a),
                     "port", klocal_agent_port(a),
                     "attributes", klocal_attrs_to_json(klocal_agent_attributes(a)),
                     "pid", klocal_agent_pid(a), "registered_time", ma->registered_time,
                     "resources", klocal_res_to_json(klocal_agent_resources(a)),
                     "used_resources", klocal_res_to_json(&ma->used),
                     "offered_resources", klocal_res_to_json(&ma->offered),
                     "reserved_resources", klocal_res_reserved_json(klocal_agent_resources(a)),
                     "unreserved_resources",
                     klocal_res_unreserved_json(klocal_agent_resources(a)),
                     "active", !ma->removed, "deactivated", ma->removed, "version", "1.12.0");
}

json_t *klocal_mstate_json(const klocal_master *m)
{
    json_t *agents = json_array(), *fws = json_array(), *gone = json_array();
    json_t *recovered = json_array();
    size_t active = 0, unreachable = 0, deactivated = 0;
    for (size_t i = 0; i < m->nagents; i++) {
        if (m->agents[i]->recovered) /* in the registry, not re-registered */
            json_array_append_new(recovered, mstate_agent(m->agents[i]));
        if (m->agents[i]->unknown) /* a restarted master has not heard from it */
            continue;
        if (m->agents[i]->unreachable)
            unreachable++;
        else if (m->agents[i]->removed)
            deactivated++;
        else {
            active++;
            json_array_append_new(agents, mstate_agent(m->agents[i]));
        }
    }
    for (const klocal_fw *fw = m->fws; fw; fw = fw->next)
        json_array_append_new(fws, mstate_framework(m, fw));
    for (const klocal_fw *fw = m->gone_fws; fw; fw = fw->next)
        json_array_append_new(gone, mstate_framework(m, fw));
    char *leader = m->redirect_to ? klocal_util_xasprintf("master@%s", m->redirect_to)
                                  : klocal_util_xstrdup(m->pid);
    char port[16];
    snprintf(port, sizeof port, "%d", m->port);
    json_t *flags = json_pack("{s:s, s:s, s:s}", "port", port, "hostname", m->hostname,
                              "work_dir", m->work_dir);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:s, s:{s:s, s:s, s:i, s:s}, s:o, s:o, "
        "s:o, s:o, s:o, s:[], s:[]}",
        "version", "1.12.0", "id", m->id, "pid", m->pid, "hostname", m->hostname,
        "start_time", m->start_time, "elected_time", m->start_time,
        "activated_slaves", (double)active,
        "deactivated_slaves", (double)deactivated,
        "unreachable_slaves", (double)unreachable,
        "leader", leader, "leader_info", "id", m->id, "pid", m->pid, "port", m->port,
        "hostname", m->hostname, "flags", flags, "slaves", agents, "frameworks", fws,
        "completed_frameworks", gone, "recovered_slaves", recovered, "orphan_tasks",
        "unregistered_frameworks");
    free(leader);
    json_t *build = klocal_wire_version();
    json_object_update(j, build);
    json_decref(build);
    return j;
}
