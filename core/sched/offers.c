/* offers: the offer book.
 *
 * An offer is copied out of the protobuf message into a flat struct
 * (strings, three scalars, port ranges, attributes) so the event can be
 * freed at once and the policy layer reads plain fields; this file is the
 * only reader of the master's Offer. Offers are indexed by id (a uthash
 * table, in arrival order) and by agent (a hash of agent id -> doubly
 * linked list), and leave the book only through take, rescind or agent
 * loss, so an offer is answered at most once. The port ranges of every
 * offer seen are also merged into one sorted list, which tells whether a
 * port asked for by number can ever be offered. When nothing is pending
 * the scheduler answers offers without booking them (kmesos_offers_pass:
 * no copy, the same counters and seen ports). Dynamically reserved
 * resources (another framework's RESERVE for our role, or a volume) are
 * left out: the tasks built from the book ask for the offer's role
 * without a reservation, which those would not satisfy. */
#include "sched/offers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utlist.h>

#include "codec/pb.h"
#include "mesos/v1/mesos.pb-c.h"

void kmesos_offers_init(kmesos_offers *book) { memset(book, 0, sizeof *book); }

void kmesos_offer_free(kmesos_offer *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_attrs; i++) {
        free(o->attrs[i].name);
        free(o->attrs[i].text);
    }
    free(o->attrs);
    for (size_t i = 0; i < o->n_volumes; i++)
        free(o->volumes[i]);
    free(o->volumes);
    free(o->ports);
    free(o->id);
    free(o->agent_id);
    free(o->hostname);
    free(o->role);
    free(o->alloc_role);
    free(o->wait_reason);
    free(o);
}

static void agent_unlink(kmesos_offers *book, kmesos_offer *o)
{
    kmesos_agent_offers *a = NULL;
    HASH_FIND_STR(book->by_agent, o->agent_id, a);
    if (!a)
        return;
    DL_DELETE2(a->head, o, agent_prev, agent_next);
    if (--a->count == 0) {
        HASH_DEL(book->by_agent, a);
        free(a->agent_id);
        free(a);
    }
}

static int agent_link(kmesos_offers *book, kmesos_offer *o)
{
    kmesos_agent_offers *a = NULL;
    HASH_FIND_STR(book->by_agent, o->agent_id, a);
    if (!a) {
        a = calloc(1, sizeof *a);
        if (!a || !(a->agent_id = strdup(o->agent_id))) {
            free(a);
            return -1;
        }
        HASH_ADD_KEYPTR(hh, book->by_agent, a->agent_id, strlen(a->agent_id), a);
    }
    DL_APPEND2(a->head, o, agent_prev, agent_next);
    a->count++;
    return 0;
}

void kmesos_offers_free(kmesos_offers *book)
{
    kmesos_offer *o, *tmp;
    HASH_ITER(hh, book->by_id, o, tmp) {
        HASH_DEL(book->by_id, o);
        agent_unlink(book, o);
        kmesos_offer_free(o);
    }
    book->count = 0;
    free(book->seen_ports);
    book->seen_ports = NULL;
    book->n_seen_ports = 0;
}

/* Adds r to the seen ranges, merging what overlaps or touches. 0, or -1
 * on no memory (the set is then unchanged). */
static int seen_add(kmesos_offers *book, kmesos_range r)
{
    for (size_t i = 0; i < book->n_seen_ports; i++) /* the usual case: seen already */
        if (r.begin >= book->seen_ports[i].begin && r.end <= book->seen_ports[i].end)
            return 0;
    kmesos_range *p = realloc(book->seen_ports, (book->n_seen_ports + 1) * sizeof *p);
    if (!p)
        return -1;
    book->seen_ports = p;
    size_t n = book->n_seen_ports, out = 0, i = 0;
    while (i < n && p[i].end + 1 < r.begin) /* wholly below r */
        i++;
    memmove(p + i + 1, p + i, (n - i) * sizeof *p);
    p[i] = r;
    n++;
    for (size_t j = 0; j < n; j++) { /* merge in place, still sorted by begin */
        if (out > 0 && p[j].begin <= p[out - 1].end + 1) {
            if (p[j].end > p[out - 1].end)
                p[out - 1].end = p[j].end;
            if (p[j].begin < p[out - 1].begin)
                p[out - 1].begin = p[j].begin;
        } else {
            p[out++] = p[j];
        }
    }
    book->n_seen_ports = out;
    return 0;
}

int kmesos_offers_port_seen(const kmesos_offers *book, uint64_t port)
{
    if (book->n_seen_ports == 0)
        return -1;
    for (size_t i = 0; i < book->n_seen_ports; i++)
        if (port >= book->seen_ports[i].begin && port <= book->seen_ports[i].end)
            return 1;
    return 0;
}

void kmesos_offers_seen_ports_text(const kmesos_offers *book, char *buf, size_t n)
{
    size_t used = 0;
    if (n)
        buf[0] = '\0';
    for (size_t i = 0; i < book->n_seen_ports && used < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%llu-%llu", i ? ", " : "",
                         (unsigned long long)book->seen_ports[i].begin,
                         (unsigned long long)book->seen_ports[i].end);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static int copy_ranges(kmesos_offer *o, const Mesos__V1__Value__Ranges *r)
{
    if (!r || r->n_range == 0)
        return 0;
    kmesos_range *p = realloc(o->ports, (o->n_ports + r->n_range) * sizeof *p);
    if (!p)
        return -1;
    o->ports = p;
    for (size_t i = 0; i < r->n_range; i++) {
        p[o->n_ports].begin = r->range[i]->begin;
        p[o->n_ports].end = r->range[i]->end;
        o->n_ports++;
    }
    return 0;
}

/* Reserved by a RESERVE (a `reservations` entry of type DYNAMIC, or the
 * pre-refinement `reservation`, which only dynamic ones have). */
static int dynamically_reserved(const Mesos__V1__Resource *r)
{
    if (r->n_reservations)
        return r->reservations[r->n_reservations - 1]->type ==
               MESOS__V1__RESOURCE__RESERVATION_INFO__TYPE__DYNAMIC;
    return r->reservation != NULL;
}

/* A dynamically reserved resource: counted apart (cpus, mem) or listed
 * (a volume's persistence id). 0 or -1 (no memory). */
static int copy_reserved(kmesos_offer *o, const Mesos__V1__Resource *r)
{
    double v = r->scalar ? r->scalar->value : 0;
    if (strcmp(r->name, "cpus") == 0)
        o->rsv_cpus += v;
    else if (strcmp(r->name, "mem") == 0)
        o->rsv_mem += v;
    if (!r->disk || !r->disk->persistence || !r->disk->persistence->id)
        return 0;
    char *id = strdup(r->disk->persistence->id);
    char **more = id ? realloc(o->volumes, (o->n_volumes + 1) * sizeof *more) : NULL;
    if (!more) {
        free(id);
        return -1;
    }
    o->volumes = more;
    o->volumes[o->n_volumes++] = id;
    return 0;
}

static int copy_resource(kmesos_offer *o, const Mesos__V1__Resource *r)
{
    if (dynamically_reserved(r))
        return copy_reserved(o, r); /* the launcher asks for unreserved or static ones only */
    double v = r->scalar ? r->scalar->value : 0;
    const char *role = kmesos_pb_role(r);
    if (!o->role && role && !(o->role = strdup(role)))
        return -1;
    const char *alloc = r->allocation_info ? r->allocation_info->role : NULL;
    if (!o->alloc_role && alloc && !(o->alloc_role = strdup(alloc)))
        return -1;
    if (strcmp(r->name, "cpus") == 0)
        o->cpus += v;
    else if (strcmp(r->name, "mem") == 0)
        o->mem += v;
    else if (strcmp(r->name, "disk") == 0)
        o->disk += v;
    else if (strcmp(r->name, "ports") == 0)
        return copy_ranges(o, r->ranges);
    return 0;
}

static int copy_attribute(kmesos_attr *a, const Mesos__V1__Attribute *src)
{
    char num[64];
    const char *text = NULL;
    if (src->text)
        text = src->text->value;
    else if (src->scalar) {
        a->is_scalar = 1;
        a->scalar = src->scalar->value;
        snprintf(num, sizeof num, "%g", a->scalar);
        text = num;
    }
    a->name = strdup(src->name);
    a->text = text ? strdup(text) : NULL;
    return a->name && (!text || a->text) ? 0 : -1;
}

static kmesos_offer *copy_offer(const Mesos__V1__Offer *src, uint64_t now_ms)
{
    kmesos_offer *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->received_ms = now_ms;
    o->id = strdup(src->id->value);
    o->agent_id = strdup(src->agent_id->value);
    o->hostname = strdup(src->hostname);
    int ok = o->id && o->agent_id && o->hostname;
    for (size_t i = 0; ok && i < src->n_resources; i++)
        ok = copy_resource(o, src->resources[i]) == 0;
    if (ok && src->n_attributes && !(o->attrs = calloc(src->n_attributes, sizeof *o->attrs)))
        ok = 0;
    for (size_t i = 0; ok && i < src->n_attributes; i++) {
        ok = copy_attribute(&o->attrs[i], src->attributes[i]) == 0;
        o->n_attrs = i + 1;
    }
    if (ok && !o->role)
        ok = (o->role = strdup("*")) != NULL;
    if (!ok) {
        kmesos_offer_free(o);
        return NULL;
    }
    return o;
}

kmesos_offer *kmesos_offers_add(kmesos_offers *book, const Mesos__V1__Offer *offer,
                                uint64_t now_ms)
{
    if (kmesos_offers_find(book, offer->id->value)) {
        book->stats.duplicates++;
        return NULL;
    }
    kmesos_offer *o = copy_offer(offer, now_ms);
    if (!o)
        return NULL;
    if (agent_link(book, o) != 0) {
        kmesos_offer_free(o);
        return NULL;
    }
    HASH_ADD_KEYPTR(hh, book->by_id, o->id, strlen(o->id), o);
    book->count++;
    book->stats.added++;
    for (size_t i = 0; i < o->n_ports; i++)
        if (o->ports[i].begin <= o->ports[i].end)
            seen_add(book, o->ports[i]); /* best effort: only the port check uses it */
    return o;
}

/* The ports of a master's resource as seen (best effort, as in add). */
static void pass_ports(kmesos_offers *book, const Mesos__V1__Resource *r)
{
    if (!r->ranges || strcmp(r->name, "ports") != 0)
        return;
    for (size_t i = 0; i < r->ranges->n_range; i++) {
        kmesos_range g = {r->ranges->range[i]->begin, r->ranges->range[i]->end};
        if (g.begin <= g.end)
            seen_add(book, g);
    }
}

int kmesos_offers_pass(kmesos_offers *book, const Mesos__V1__Offer *offer,
                       const char *rack_attr, kmesos_offer_ref *ref)
{
    if (book->count && kmesos_offers_find(book, offer->id->value)) {
        book->stats.duplicates++;
        return -1;
    }
    book->stats.added++;
    book->stats.taken++;
    for (size_t i = 0; i < offer->n_resources; i++)
        pass_ports(book, offer->resources[i]);
    ref->id = offer->id->value;
    ref->agent_id = offer->agent_id->value;
    ref->hostname = offer->hostname;
    ref->rack = NULL;
    for (size_t i = 0; rack_attr && i < offer->n_attributes && !ref->rack; i++) {
        const Mesos__V1__Attribute *a = offer->attributes[i];
        if (strcmp(a->name, rack_attr) != 0)
            continue;
        if (a->text)
            ref->rack = a->text->value;
        else if (a->scalar) {
            snprintf(ref->num, sizeof ref->num, "%g", a->scalar->value);
            ref->rack = ref->num;
        }
        break;
    }
    return 0;
}

kmesos_offer *kmesos_offers_find(kmesos_offers *book, const char *id)
{
    kmesos_offer *o = NULL;
    HASH_FIND_STR(book->by_id, id, o);
    return o;
}

static kmesos_offer *remove_offer(kmesos_offers *book, kmesos_offer *o)
{
    HASH_DEL(book->by_id, o);
    agent_unlink(book, o);
    o->agent_next = o->agent_prev = NULL;
    book->count--;
    return o;
}

kmesos_offer *kmesos_offers_take(kmesos_offers *book, const char *id)
{
    kmesos_offer *o = kmesos_offers_find(book, id);
    if (!o)
        return NULL;
    book->stats.taken++;
    return remove_offer(book, o);
}

int kmesos_offers_rescind(kmesos_offers *book, const char *id)
{
    kmesos_offer *o = kmesos_offers_find(book, id);
    if (!o)
        return 0;
    book->stats.rescinded++;
    kmesos_offer_free(remove_offer(book, o));
    return 1;
}

kmesos_offer *kmesos_offers_of_agent(kmesos_offers *book, const char *agent_id)
{
    kmesos_agent_offers *a = NULL;
    HASH_FIND_STR(book->by_agent, agent_id, a);
    return a ? a->head : NULL;
}

size_t kmesos_offers_remove_agent(kmesos_offers *book, const char *agent_id)
{
    size_t n = 0;
    kmesos_offer *o;
    while ((o = kmesos_offers_of_agent(book, agent_id)) != NULL) {
        book->stats.rescinded++;
        kmesos_offer_free(remove_offer(book, o));
        n++;
    }
    return n;
}

const char *kmesos_offer_attr(const kmesos_offer *o, const char *name)
{
    for (size_t i = 0; i < o->n_attrs; i++)
        if (strcmp(o->attrs[i].name, name) == 0)
            return o->attrs[i].text;
    return NULL;
}

uint64_t kmesos_offer_port_count(const kmesos_offer *o)
{
    uint64_t n = 0;
    for (size_t i = 0; i < o->n_ports; i++)
        if (o->ports[i].end >= o->ports[i].begin)
            n += o->ports[i].end - o->ports[i].begin + 1;
    return n;
}

int kmesos_offer_has_volume(const kmesos_offer *o, const char *persistence_id)
{
    for (size_t i = 0; i < o->n_volumes; i++)
        if (strcmp(o->volumes[i], persistence_id) == 0)
            return 1;
    return 0;
}
