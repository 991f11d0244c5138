/* alloc: the offer book and the allocator of the simulated master. Every
 * allocation interval (and right after SUBSCRIBE or REVIVE) each agent's
 * free resources (total - used - offered), when at least Mesos' minimum
 * allocatable amount, are offered to one subscribed, unsuppressed
 * framework that has no refuse filter covering them: all that is
 * unreserved and what is reserved for the offer's role (resources
 * reserved for other roles stay for their frameworks); frameworks take
 * turns between cycles. A filter (DECLINE, or what an ACCEPT left) refuses
 * resources of one agent that fit in the refused set until it expires.
 * One OFFERS event per framework carries all its new offers. Offers held
 * longer than --offer-timeout are rescinded. The book indexes offers by
 * id (uthash) and links each into its framework's and its agent's lists
 * and the master's list in creation order (utlist), and a framework's
 * filters are hashed by agent: a call or a cycle costs what it touches,
 * not what is outstanding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utlist.h>

#include "codec/num.h"
#include "codec/log.h"
#include "local/master/internal.h"
#include "local/util.h"

/* ------------------------------------------------------------ filters */

static klocal_fagent *alloc_fagent(klocal_fw *fw, const klocal_magent *agent)
{
    klocal_fagent *fa = NULL;
    HASH_FIND_PTR(fw->filters, &agent, fa);
    return fa;
}

void klocal_alloc_filter(klocal_fw *fw, klocal_magent *agent, const klocal_res *res,
                         double seconds)
{
    if (!(seconds > 0) || !agent)
        return;
    if (seconds > 365.0 * 86400.0)
        seconds = 365.0 * 86400.0;
    klocal_fagent *fa = alloc_fagent(fw, agent);
    if (!fa) {
        fa = klocal_util_xcalloc(1, sizeof *fa);
        fa->agent = agent;
        HASH_ADD_PTR(fw->filters, agent, fa);
    }
    klocal_filter *f = klocal_util_xcalloc(1, sizeof *f);
    klocal_res_init(&f->res);
    klocal_res_copy(&f->res, res);
    f->until = uv_now(fw->m->loop) + kmesos_num_ms(seconds);
    f->next = fa->filters;
    fa->filters = f;
}

static void alloc_filter_free(klocal_filter *f)
{
    klocal_res_free(&f->res);
    free(f);
}

static void alloc_fagent_free(klocal_fw *fw, klocal_fagent *fa)
{
    HASH_DEL(fw->filters, fa);
    while (fa->filters) {
        klocal_filter *f = fa->filters;
        fa->filters = f->next;
        alloc_filter_free(f);
    }
    free(fa);
}

void klocal_alloc_free_filters(klocal_fw *fw)
{
    klocal_fagent *fa, *tmp;
    HASH_ITER(hh, fw->filters, fa, tmp)
        alloc_fagent_free(fw, fa);
}

/* Drops agent's expired filters of fw; 1 when a live one refuses res. */
static int alloc_filtered(klocal_fw *fw, klocal_magent *agent, const klocal_res *res)
{
    klocal_fagent *fa = alloc_fagent(fw, agent);
    if (!fa)
        return 0;
    uint64_t now = uv_now(fw->m->loop);
    int refused = 0;
    for (klocal_filter **pp = &fa->filters; *pp;) {
        klocal_filter *f = *pp;
        if (f->until <= now) {
            *pp = f->next;
            alloc_filter_free(f);
            continue;
        }
        if (klocal_res_contains(&f->res, res))
            refused = 1;
        pp = &f->next;
    }
    if (!fa->filters)
        alloc_fagent_free(fw, fa);
    return refused;
}

/* --------------------------------------------------------- offer book */

klocal_offer *klocal_alloc_offer(klocal_master *m, const char *id)
{
    klocal_offer *o = NULL;
    HASH_FIND_STR(m->offer_index, id, o);
    return o;
}

void klocal_alloc_remove_offer(klocal_master *m, klocal_offer *o, int rescind)
{
    HASH_DEL(m->offer_index, o);
    DL_DELETE(m->offers, o);
    DL_DELETE2(o->fw->offers, o, fw_prev, fw_next);
    DL_DELETE2(o->agent->offers, o, ag_prev, ag_next);
    klocal_res_subtract(&o->agent->offered, &o->res);
    if (rescind) {
        KLOCAL_SCHED_EVENT(ev, RESCIND);
        ev->rescind = klocal_util_pb_new(&mesos__v1__scheduler__event__rescind__descriptor);
        ev->rescind->offer_id = KLOCAL_ID(OfferID, offer_id, o->id);
        klocal_mevent_send(o->fw, &ev->base);
        kmesos_pb_free(ev);
    }
    klocal_res_free(&o->res);
    free(o->role);
    free(o->id);
    free(o);
}

void klocal_alloc_remove_offers(klocal_master *m, klocal_fw *fw, klocal_magent *agent,
                                int rescind)
{
    if (!fw && !agent) {
        while (m->offers)
            klocal_alloc_remove_offer(m, m->offers, rescind);
    } else if (fw) {
        klocal_offer *o = fw->offers;
        while (o) {
            klocal_offer *next = o->fw_next;
            if (!agent || o->agent == agent)
                klocal_alloc_remove_offer(m, o, rescind);
            o = next;
        }
    } else {
        while (agent->offers)
            klocal_alloc_remove_offer(m, agent->offers, rescind);
    }
}

void klocal_alloc_remove_all(klocal_master *m) { klocal_alloc_remove_offers(m, NULL, NULL, 0); }

static Mesos__V1__Offer *alloc_offer_pb(const klocal_offer *o)
{
    const klocal_agent *a = o->agent->agent;
    Mesos__V1__Offer *p = klocal_util_pb_new(&mesos__v1__offer__descriptor);
    p->id = KLOCAL_ID(OfferID, offer_id, o->id);
    p->framework_id = KLOCAL_ID(FrameworkID, framework_id, o->fw->id);
    p->agent_id = KLOCAL_ID(AgentID, agent_id, klocal_agent_id(a));
    p->hostname = klocal_util_xstrdup(klocal_agent_hostname(a));
    p->url = klocal_util_pb_new(&mesos__v1__url__descriptor);
    p->url->scheme = klocal_util_xstrdup("http");
    p->url->address = klocal_util_pb_new(&mesos__v1__address__descriptor);
    p->url->address->hostname = klocal_util_xstrdup(klocal_agent_hostname(a));
    p->url->address->ip = klocal_util_xstrdup(klocal_agent_ip(a));
    p->url->address->port = klocal_agent_port(a);
    p->url->path = klocal_util_xasprintf("/%s", klocal_agent_process(a));
    klocal_mroles_offer_pb(o->fw, o->role, &o->res, p);
    p->attributes = klocal_attrs_to_pb(klocal_agent_attributes(a), &p->n_attributes);
    return p;
}

/* role (malloc'd) is taken. */
static klocal_offer *alloc_make_offer(klocal_master *m, klocal_fw *fw, klocal_magent *ma,
                                      const klocal_res *res, char *role)
{
    klocal_offer *o = klocal_util_xcalloc(1, sizeof *o);
    o->id = klocal_util_xasprintf("%s-O%llu", m->id, (unsigned long long)m->next_offer++);
    o->fw = fw;
    o->agent = ma;
    o->role = role;
    o->created = uv_now(m->loop);
    klocal_res_init(&o->res);
    klocal_res_copy(&o->res, res);
    klocal_res_add(&ma->offered, res);
    HASH_ADD_KEYPTR(hh, m->offer_index, o->id, strlen(o->id), o);
    DL_APPEND(m->offers, o);
    DL_APPEND2(fw->offers, o, fw_prev, fw_next);
    DL_APPEND2(ma->offers, o, ag_prev, ag_next);
    return o;
}

/* ----------------------------------------------------------- cycles */

static void alloc_free_of(const klocal_magent *ma, klocal_res *out)
{
    klocal_res_copy(out, klocal_agent_resources(ma->agent));
    klocal_res_subtract(out, &ma->used);
    klocal_res_subtract(out, &ma->offered);
}

static size_t alloc_candidates(klocal_master *m, klocal_fw ***out)
{
    size_t n = 0;
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        n++;
    klocal_fw **list = klocal_util_xcalloc(n, sizeof *list);
    size_t k = 0;
    for (klocal_fw *fw = m->fws; fw; fw = fw->next)
        if (fw->connected && !fw->suppressed && !fw->removed && klocal_mroles_offerable(fw))
            list[k++] = fw;
    *out = list;
    return k;
}

static void alloc_send_offers(klocal_fw *fw, klocal_offer **offers, size_t n)
{
    KLOCAL_SCHED_EVENT(ev, OFFERS);
    ev->offers = klocal_util_pb_new(&mesos__v1__scheduler__event__offers__descriptor);
    ev->offers->n_offers = n;
    ev->offers->offers = klocal_util_xcalloc(n, sizeof *ev->offers->offers);
    for (size_t i = 0; i < n; i++)
        ev->offers->offers[i] = alloc_offer_pb(offers[i]);
    klocal_mevent_send(fw, &ev->base);
    kmesos_pb_free(ev);
}

void klocal_alloc_run(klocal_master *m)
{
    if (m->stopped)
        return;
    klocal_fw **fws;
    size_t nfw = alloc_candidates(m, &fws);
    klocal_offer **made = klocal_util_xcalloc(m->nagents * (nfw ? nfw : 1), sizeof *made);
    size_t *count = klocal_util_xcalloc(nfw ? nfw : 1, sizeof *count);
    klocal_res free_res, view;
    klocal_res_init(&free_res);
    klocal_res_init(&view);
    for (size_t i = 0; i < m->nagents && nfw; i++) {
        klocal_magent *ma = m->agents[i];
        if (ma->removed || ma->down || ma->unreachable || ma->unknown)
            continue;
        alloc_free_of(ma, &free_res);
        if (!klocal_res_allocatable(&free_res))
            continue;
        for (size_t k = 0; k < nfw; k++) {
            size_t f = (k + m->alloc_rr) % nfw;
            char *role = klocal_mroles_pick(fws[f]);
            const klocal_res *offer = &free_res; /* nothing reserved: all of it */
            if (free_res.nrsv) {
                klocal_res_for_role(&free_res, role, &view);
                offer = &view;
            }
            if (!klocal_res_allocatable(offer) || alloc_filtered(fws[f], ma, offer)) {
                klocal_mroles_unpick(fws[f]);
                free(role);
                continue;
            }
            made[f * m->nagents + count[f]++] = alloc_make_offer(m, fws[f], ma, offer, role);
            break;
        }
    }
    klocal_res_free(&view);
    for (size_t f = 0; f < nfw; f++)
        if (count[f])
            alloc_send_offers(fws[f], &made[f * m->nagents], count[f]);
    m->alloc_rr++;
    klocal_res_free(&free_res);
    free(count);
    free(made);
    free(fws);
}

static void alloc_expire_offers(klocal_master *m)
{
    if (!(m->cfg->offer_timeout > 0))
        return;
    uint64_t limit = kmesos_num_ms(m->cfg->offer_timeout);
    uint64_t now = uv_now(m->loop);
    while (m->offers && now - m->offers->created >= limit) /* oldest first */
        klocal_alloc_remove_offer(m, m->offers, 1);
}

static void alloc_on_timer(uv_timer_t *t)
{
    klocal_master *m = t->data;
    alloc_expire_offers(m);
    klocal_alloc_run(m);
}

void klocal_alloc_start(klocal_master *m)
{
    uint64_t ms = kmesos_num_ms(m->cfg->allocation_interval);
    if (!ms)
        ms = 1;
    uv_timer_start(&m->alloc_timer, alloc_on_timer, ms, ms);
}

void klocal_alloc_stop(klocal_master *m)
{
    uv_timer_stop(&m->alloc_timer);
    klocal_alloc_remove_all(m);
}
