/* mbook: the master's book, the bottom of the simulated master. It finds
 * frameworks (live and removed) in their lists, agents by id (a uthash
 * index) or index (the array), live tasks by id (a uthash index per
 * framework) and executors in their lists, and
 * keeps the task and executor records: a launch adds both (and charges
 * the agent), each status seen is remembered (latest status
 * plus a {state, timestamp} history for the state endpoint), a task in a
 * terminal state gives its resources back to its agent exactly once, and
 * a finished task moves to its framework's completed list, a task of an
 * agent marked unreachable to its unreachable list (back to the live ones
 * when the agent re-registers); of each list only the newest
 * MBOOK_MAX_COMPLETED are kept (max_unreachable_tasks_per_framework is
 * 1000 in Mesos too). It sends nothing and calls no
 * other module of the master: everything else builds on it. */
#include <stdlib.h>
#include <string.h>

#include "local/master/internal.h"
#include "local/util.h"
#include "local/wire.h"

#define MBOOK_MAX_COMPLETED 1000

/* ----------------------------------------------------------- lookups */

static klocal_fw *mbook_fw_in(klocal_fw *list, const char *id)
{
    for (klocal_fw *fw = list; fw; fw = fw->next)
        if (strcmp(fw->id, id) == 0)
            return fw;
    return NULL;
}

klocal_fw *klocal_mbook_fw(klocal_master *m, const char *id) { return mbook_fw_in(m->fws, id); }

klocal_fw *klocal_mbook_gone_fw(klocal_master *m, const char *id)
{
    return mbook_fw_in(m->gone_fws, id);
}

klocal_magent *klocal_mbook_agent(klocal_master *m, const char *key)
{
    char *end;
    unsigned long idx = strtoul(key, &end, 10);
    klocal_magent *ma = NULL;
    HASH_FIND_STR(m->agent_index, key, ma);
    if (ma)
        return ma;
    if (*key && !*end && idx < m->nagents)
        return m->agents[idx];
    return NULL;
}

klocal_magent *klocal_mbook_of(klocal_master *m, const klocal_agent *a)
{
    size_t i = klocal_agent_index(a);
    return i < m->nagents && m->agents[i]->agent == a ? m->agents[i] : NULL;
}

void klocal_mbook_add_agent(klocal_master *m, klocal_magent *ma)
{
    const char *id = klocal_agent_id(ma->agent);
    m->agents = klocal_util_xrealloc(m->agents, (m->nagents + 1) * sizeof *m->agents);
    m->agents[m->nagents++] = ma;
    HASH_ADD_KEYPTR(hh, m->agent_index, id, strlen(id), ma);
}

int klocal_mbook_recovered(klocal_master *m, const char *agent_id)
{
    if (agent_id) {
        klocal_magent *ma = klocal_mbook_agent(m, agent_id);
        return ma && ma->recovered;
    }
    for (size_t i = 0; i < m->nagents; i++)
        if (m->agents[i]->recovered)
            return 1;
    return 0;
}

klocal_magent *klocal_mbook_live_agent(klocal_master *m, const char *key)
{
    klocal_magent *ma = klocal_mbook_agent(m, key);
    return ma && !ma->removed && !ma->unknown ? ma : NULL;
}

klocal_mtask *klocal_mbook_task(klocal_fw *fw, const char *task_id)
{
    klocal_mtask *t = NULL;
    HASH_FIND_STR(fw->task_index, task_id, t);
    return t;
}

/* Puts t at the head of the live tasks, indexed by id. */
static void mbook_live_add(klocal_fw *fw, klocal_mtask *t)
{
    t->next = fw->tasks;
    fw->tasks = t;
    HASH_ADD_KEYPTR(hh, fw->task_index, t->id, strlen(t->id), t);
}

klocal_mexec *klocal_mbook_exec(klocal_fw *fw, const klocal_magent *ma, const char *id)
{
    for (klocal_mexec *x = fw->execs; x; x = x->next)
        if (x->agent == ma && strcmp(x->id, id) == 0)
            return x;
    return NULL;
}

int klocal_mbook_lost_state(const klocal_fw *fw, int aware)
{
    for (size_t i = 0; i < fw->info->n_capabilities; i++)
        if (fw->info->capabilities[i]->type ==
            MESOS__V1__FRAMEWORK_INFO__CAPABILITY__TYPE__PARTITION_AWARE)
            return aware;
    return MESOS__V1__TASK_STATE__TASK_LOST;
}

/* ------------------------------------------------------ task records */

static klocal_mexec *mbook_exec_new(klocal_fw *fw, klocal_magent *ma,
                                    const Mesos__V1__ExecutorInfo *info)
{
    klocal_mexec *x = klocal_util_xcalloc(1, sizeof *x);
    x->id = klocal_util_xstrdup(info->executor_id->value);
    x->info = klocal_util_pb_dup(info);
    x->agent = ma;
    klocal_res_init(&x->res);
    klocal_res_add_pb(&x->res, info->resources, info->n_resources);
    x->next = fw->execs;
    fw->execs = x;
    return x;
}

void klocal_mbook_launch(klocal_fw *fw, klocal_magent *ma, const Mesos__V1__TaskInfo *ti,
                         const klocal_res *need, int new_exec)
{
    klocal_mtask *t = klocal_util_xcalloc(1, sizeof *t);
    t->id = klocal_util_xstrdup(ti->task_id->value);
    t->name = klocal_util_xstrdup(ti->name);
    t->executor_id = ti->executor ? klocal_util_xstrdup(ti->executor->executor_id->value) : NULL;
    t->agent = ma;
    t->state = MESOS__V1__TASK_STATE__TASK_STAGING;
    t->statuses = json_array();
    klocal_res_init(&t->res);
    klocal_res_add_pb(&t->res, ti->resources, ti->n_resources);
    mbook_live_add(fw, t);
    klocal_res_add(&ma->used, need);
    if (new_exec)
        mbook_exec_new(fw, ma, ti->executor);
}

void klocal_mbook_release(klocal_mtask *t)
{
    if (t->released)
        return;
    t->released = 1;
    klocal_res_subtract(&t->agent->used, &t->res);
}

static void mbook_task_free(klocal_mtask *t)
{
    free(t->id);
    free(t->name);
    free(t->executor_id);
    free(t->role);
    klocal_res_free(&t->res);
    kmesos_pb_free(t->last);
    json_decref(t->statuses);
    free(t);
}

static void mbook_trim(klocal_mtask **list)
{
    size_t n = 0;
    for (klocal_mtask **pp = list; *pp;) {
        if (++n > MBOOK_MAX_COMPLETED) {
            klocal_mtask *t = *pp;
            *pp = t->next;
            mbook_task_free(t);
        } else {
            pp = &(*pp)->next;
        }
    }
}

static void mbook_unlink(klocal_mtask **list, const klocal_mtask *t)
{
    for (klocal_mtask **pp = list; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            return;
        }
}

/* Moves t from the live tasks to *to (released), keeping the newest. */
static void mbook_move_out(klocal_fw *fw, klocal_mtask *t, klocal_mtask **to)
{
    mbook_unlink(&fw->tasks, t);
    HASH_DEL(fw->task_index, t);
    klocal_mbook_release(t);
    t->next = *to;
    *to = t;
    mbook_trim(to);
}

void klocal_mbook_complete(klocal_fw *fw, klocal_mtask *t)
{
    mbook_move_out(fw, t, &fw->completed);
}

void klocal_mbook_set_unreachable(klocal_fw *fw, klocal_mtask *t)
{
    mbook_move_out(fw, t, &fw->unreachable);
}

klocal_mtask *klocal_mbook_unreachable_task(klocal_fw *fw, const char *task_id)
{
    for (klocal_mtask *t = fw->unreachable; t; t = t->next)
        if (strcmp(t->id, task_id) == 0)
            return t;
    return NULL;
}

void klocal_mbook_set_reachable(klocal_fw *fw, klocal_mtask *t)
{
    mbook_unlink(&fw->unreachable, t);
    mbook_live_add(fw, t);
    if (t->released) { /* a terminal status recorded next gives them back */
        t->released = 0;
        klocal_res_add(&t->agent->used, &t->res);
    }
}

/* A status as /master/state lists it (Mesos 1.12 common/http.cpp,
 * json(TaskStatus) and json(ContainerStatus)): state, timestamp, labels,
 * container_status (container id and network infos: not the executor
 * pid; kmesos-local has no cgroup info) and healthy when the status has
 * them. */
static json_t *mbook_status_json(const Mesos__V1__TaskStatus *st)
{
    json_t *j = json_pack("{s:s, s:f}", "state", kmesos_task_state_name(st->state), "timestamp",
                          st->has_timestamp ? st->timestamp : klocal_util_now());
    const Mesos__V1__ContainerStatus *cs = st->container_status;
    if (j && st->labels)
        json_object_set_new(j, "labels", klocal_wire_json(&st->labels->base));
    if (j && cs) {
        json_t *c = json_object();
        if (c && cs->container_id)
            json_object_set_new(c, "container_id",
                                klocal_wire_json(&cs->container_id->base));
        json_t *nets = cs->n_network_infos ? json_array() : NULL;
        for (size_t i = 0; nets && i < cs->n_network_infos; i++)
            json_array_append_new(nets, klocal_wire_json(&cs->network_infos[i]->base));
        if (c && nets)
            json_object_set_new(c, "network_infos", nets);
        else
            json_decref(nets);
        json_object_set_new(j, "container_status", c);
    }
    if (j && st->has_healthy)
        json_object_set_new(j, "healthy", json_boolean(st->healthy));
    return j;
}

void klocal_mbook_record(klocal_mtask *t, const Mesos__V1__TaskStatus *st)
{
    t->state = st->state;
    kmesos_pb_free(t->last);
    t->last = klocal_util_pb_dup(st);
    json_array_append_new(t->statuses, mbook_status_json(st));
    if (kmesos_task_state_is_terminal(st->state))
        klocal_mbook_release(t);
}

/* -------------------------------------------------- executor records */

static void mbook_exec_free(klocal_mexec *x)
{
    free(x->id);
    free(x->role);
    kmesos_pb_free(x->info);
    klocal_res_free(&x->res);
    free(x);
}

void klocal_mbook_exec_known(klocal_fw *fw, klocal_magent *ma, const Mesos__V1__ExecutorInfo *e)
{
    if (klocal_mbook_exec(fw, ma, e->executor_id->value))
        return;
    klocal_mexec *x = mbook_exec_new(fw, ma, e);
    klocal_res_add(&ma->used, &x->res);
}

void klocal_mbook_execs_exited(klocal_fw *fw, const klocal_magent *ma)
{
    for (klocal_mexec **pp = &fw->execs; *pp;) {
        klocal_mexec *x = *pp;
        if (x->agent == ma) {
            klocal_res_subtract(&x->agent->used, &x->res);
            *pp = x->next;
            mbook_exec_free(x);
        } else {
            pp = &x->next;
        }
    }
}

void klocal_mbook_exec_exited(klocal_fw *fw, const klocal_magent *ma, const char *exec_id)
{
    for (klocal_mexec **pp = &fw->execs; *pp; pp = &(*pp)->next) {
        klocal_mexec *x = *pp;
        if (x->agent == ma && strcmp(x->id, exec_id) == 0) {
            klocal_res_subtract(&x->agent->used, &x->res);
            *pp = x->next;
            mbook_exec_free(x);
            return;
        }
    }
}

void klocal_mbook_forget_execs(klocal_fw *fw, const klocal_magent *ma)
{
    for (klocal_mexec **pp = &fw->execs; *pp;) {
        klocal_mexec *x = *pp;
        if (x->agent == ma) {
            *pp = x->next;
            mbook_exec_free(x);
        } else {
            pp = &x->next;
        }
    }
}

static void mbook_free_list(klocal_mtask **list)
{
    while (*list) {
        klocal_mtask *t = *list;
        *list = t->next;
        mbook_task_free(t);
    }
}

void klocal_mbook_free_records(klocal_fw *fw)
{
    HASH_CLEAR(hh, fw->task_index);
    mbook_free_list(&fw->tasks);
    mbook_free_list(&fw->completed);
    mbook_free_list(&fw->unreachable);
    while (fw->execs) {
        klocal_mexec *x = fw->execs;
        fw->execs = x->next;
        mbook_exec_free(x);
    }
}
