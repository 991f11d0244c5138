/* offers: the offer book. Every offer the master sent and we have not yet
 * answered, indexed by offer id and by agent id, with what the policy
 * layer needs to look at (scalars, port ranges, attributes, hostname)
 * and its arrival and hold times. The one rule: an offer leaves the book
 * exactly once, through take (we answer it) or rescind/agent loss (the
 * master withdrew it), so it can never be answered twice or forgotten. */
#ifndef KMESOS_OFFERS_H
#define KMESOS_OFFERS_H
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

/* The master's offer (mesos/v1/mesos.pb-c.h): only kmesos_offers_add reads
 * one, so that the book's readers (decide, the policy host) never see
 * protobuf types. */
struct Mesos__V1__Offer;

typedef struct kmesos_range {
    uint64_t begin;
    uint64_t end;
} kmesos_range;

typedef struct kmesos_attr {
    char *name;
    char *text;  /* TEXT value, or the scalar printed, or NULL */
    double scalar;
    int is_scalar;
} kmesos_attr;

typedef struct kmesos_offer {
    char *id;
    char *agent_id;
    char *hostname;
    char *role;            /* role of the offered resources ("*" by default) */
    char *alloc_role;      /* Resource.allocation_info.role (MULTI_ROLE), or NULL */
    double cpus, mem, disk;
    /* dynamically reserved cpus and mem (left out of the three above: a
     * module that reserved them asks for them itself) and the persistence
     * ids of the offer's volumes */
    double rsv_cpus, rsv_mem;
    char **volumes;
    size_t n_volumes;
    kmesos_range *ports;
    size_t n_ports;
    kmesos_attr *attrs;
    size_t n_attrs;
    uint64_t received_ms;
    uint64_t received_us;   /* for the offer-to-ACCEPT measure; see kmesos_scheduler_io.now_us */
    uint64_t hold_until_ms; /* 0: not held; else decline when passed */
    char *wait_reason;      /* why it is held (policy reason), or NULL */
    UT_hash_handle hh;      /* by id */
    struct kmesos_offer *agent_next, *agent_prev; /* same agent */
} kmesos_offer;

typedef struct kmesos_agent_offers {
    char *agent_id;
    kmesos_offer *head;
    size_t count;
    UT_hash_handle hh;
} kmesos_agent_offers;

typedef struct kmesos_offers_stats {
    uint64_t added, taken, rescinded, duplicates, expired;
} kmesos_offers_stats;

typedef struct kmesos_offers {
    kmesos_offer *by_id;
    kmesos_agent_offers *by_agent;
    size_t count;
    kmesos_offers_stats stats;
    kmesos_range *seen_ports; /* every port range offered since start, merged, sorted */
    size_t n_seen_ports;
} kmesos_offers;

void kmesos_offers_init(kmesos_offers *book);
/* Frees every offer still in the book. */
void kmesos_offers_free(kmesos_offers *book);
/* Copies a master offer into the book. Returns the entry, or NULL when
 * an offer with that id is already there (counted as a duplicate) or
 * memory ran out. */
kmesos_offer *kmesos_offers_add(kmesos_offers *book, const struct Mesos__V1__Offer *offer,
                                uint64_t now_ms);
kmesos_offer *kmesos_offers_find(kmesos_offers *book, const char *id);

/* An offer answered at once without entering the book (the scheduler's
 * fast path: nothing is pending): what the topology and the DECLINE need,
 * borrowed from the master's offer (valid while it is). */
typedef struct kmesos_offer_ref {
    const char *id;
    const char *agent_id;
    const char *hostname;
    const char *rack; /* the rack attribute's text, or NULL */
    char num[32];     /* a SCALAR rack attribute, printed */
} kmesos_offer_ref;

/* Passes an offer by the book: counted as added and taken at once, its
 * ports recorded as seen, ref filled (rack from the attribute named
 * rack_attr, which may be NULL). -1 (nothing filled) when an offer of
 * that id is in the book: a duplicate, counted as one. */
int kmesos_offers_pass(kmesos_offers *book, const struct Mesos__V1__Offer *offer,
                       const char *rack_attr, kmesos_offer_ref *ref);
/* Was port in a range some offer carried since start? 1 yes, 0 no, -1
 * when no offer carried ports yet (nothing is known). */
int kmesos_offers_port_seen(const kmesos_offers *book, uint64_t port);
/* The ranges seen, "31000-32000, 41000-41999", into buf (cut to n). */
void kmesos_offers_seen_ports_text(const kmesos_offers *book, char *buf, size_t n);
/* Removes the offer so that the caller answers it; NULL when it is not in
 * the book (already answered or rescinded). Free with kmesos_offer_free. */
kmesos_offer *kmesos_offers_take(kmesos_offers *book, const char *id);
/* The master withdrew the offer: drop it without answering. 1 if found. */
int kmesos_offers_rescind(kmesos_offers *book, const char *id);
/* Drops every offer of an agent (agent lost). Returns how many. */
size_t kmesos_offers_remove_agent(kmesos_offers *book, const char *agent_id);
/* Offers of one agent, NULL-terminated through agent_next. */
kmesos_offer *kmesos_offers_of_agent(kmesos_offers *book, const char *agent_id);
void kmesos_offer_free(kmesos_offer *o);
/* Value of an attribute as text, or NULL. */
const char *kmesos_offer_attr(const kmesos_offer *o, const char *name);
/* 1 when the offer carries the persistent volume of that id. */
int kmesos_offer_has_volume(const kmesos_offer *o, const char *persistence_id);
/* Sum of all port range sizes. */
uint64_t kmesos_offer_port_count(const kmesos_offer *o);

#endif
