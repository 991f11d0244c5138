/* res: agent resources as the simulator counts them: named scalars
 * (cpus, mem, disk, ...) kept to 3 decimals like Mesos, and one "ports"
 * range set kept sorted and merged. Parsing of the agent flag syntax
 * ("cpus:4;mem:4096;ports:[31000-32000]"), arithmetic (add, subtract,
 * contains), conversion from/to mesos.v1.Resource and to the JSON shape
 * of /master/state. Dynamically reserved scalars (and the persistent
 * volumes made of reserved disk) are kept apart, one entry per
 * (name, role, principal, volume): the unreserved ones stay in
 * `scalars`. A volume is not split: it is taken or given back whole. */
#ifndef KLOCAL_RES_H
#define KLOCAL_RES_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "mesos/v1/mesos.pb-c.h"

#define KLOCAL_RES_MAX_SCALARS 8

typedef struct klocal_range {
    uint64_t begin, end; /* inclusive */
} klocal_range;

typedef struct klocal_scalar {
    char name[24];
    double value;
} klocal_scalar;

#define KLOCAL_RES_KEY 128 /* longest role, principal or persistence id + 1 */

/* A dynamically reserved scalar; volume != "": a persistent volume. */
typedef struct klocal_rsv {
    char name[24];
    double value;
    char role[KLOCAL_RES_KEY];
    char principal[KLOCAL_RES_KEY];  /* the reservation's ("": none) */
    char volume[KLOCAL_RES_KEY];     /* persistence id ("": not a volume) */
    char vprincipal[KLOCAL_RES_KEY]; /* the persistence's principal */
    char path[256];                  /* the volume's container_path */
    int read_only;                   /* the volume's mode RO */
} klocal_rsv;

typedef struct klocal_res {
    size_t nscalars;
    klocal_scalar scalars[KLOCAL_RES_MAX_SCALARS];
    size_t nports;
    size_t ports_cap;
    klocal_range *ports;
    size_t nrsv, rsv_cap;
    klocal_rsv *rsv;    /* reserved scalars and volumes */
} klocal_res;

void klocal_res_init(klocal_res *r);
void klocal_res_free(klocal_res *r);
void klocal_res_clear(klocal_res *r);
void klocal_res_copy(klocal_res *dst, const klocal_res *src);
/* "name:value;...;ports:[a-b,c-d]". 0, or -1 with a reason in err. */
int klocal_res_parse(klocal_res *r, const char *text, char *err, size_t errlen);
double klocal_res_scalar(const klocal_res *r, const char *name);
/* Sets (value > 0) or removes (value <= 0) a scalar. -1 if full. */
int klocal_res_set_scalar(klocal_res *r, const char *name, double value);
void klocal_res_add_range(klocal_res *r, uint64_t begin, uint64_t end);
void klocal_res_add(klocal_res *a, const klocal_res *b);
/* a -= b: scalars stop at 0, ports of b are removed from a. */
void klocal_res_subtract(klocal_res *a, const klocal_res *b);
/* 1 when b fits in a. */
int klocal_res_contains(const klocal_res *a, const klocal_res *b);
int klocal_res_empty(const klocal_res *r);
/* Mesos' min_allocatable_resources "cpus:0.01|mem:32". */
int klocal_res_allocatable(const klocal_res *r);
/* Adds every SCALAR and the "ports" RANGES of the list to r (reserved
 * ranges are skipped: see klocal_res_rsv_of). */
void klocal_res_add_pb(klocal_res *r, Mesos__V1__Resource *const *list, size_t n);
/* The reservation and volume of x, in either format (`reservations`, or
 * the pre-refinement `role` + `reservation`): 1 (dynamically reserved,
 * *out filled), 0 (unreserved) or -1 with the reason in err (a reserved
 * non-scalar, a name too long for kmesos-local). */
int klocal_res_rsv_of(const Mesos__V1__Resource *x, klocal_rsv *out, char *err, size_t errlen);
/* Adds (value > 0) or takes away (value < 0) an amount of x's key. */
void klocal_res_add_rsv(klocal_res *r, const klocal_rsv *x);
/* The entry of r with x's key, or NULL. */
const klocal_rsv *klocal_res_find_rsv(const klocal_res *r, const klocal_rsv *x);
/* out = the unreserved part of r plus what is reserved for role. */
void klocal_res_for_role(const klocal_res *r, const char *role, klocal_res *out);
/* {"role": {"disk":..,..}} of the reserved part, {..} of the rest. */
json_t *klocal_res_reserved_json(const klocal_res *r);
json_t *klocal_res_unreserved_json(const klocal_res *r);
/* Mesos' stringify of one entry: "disk(reservations: [(DYNAMIC,r,p)])[id:path]:64". */
char *klocal_res_rsv_format(const klocal_rsv *x);
/* Heap-built Resource list (ports first, then scalars, then the reserved
 * entries), role "*". with_role 0 (RESERVATION_REFINEMENT) leaves the
 * deprecated role field unset and gives reservations as `reservations`
 * (DYNAMIC, role, principal); with_role 1 as `role` and `reservation`
 * {principal}, as Mesos' pre-refinement format. */
Mesos__V1__Resource **klocal_res_to_pb(const klocal_res *r, int with_role, size_t *n);
void klocal_res_free_pb(Mesos__V1__Resource **list, size_t n);
/* {"disk":..,"mem":..,"gpus":0.0,"cpus":..,"ports":"[a-b, c-d]"} */
json_t *klocal_res_to_json(const klocal_res *r);
/* "cpus:0.1; mem:32; ports:[31000-31000]" (malloc'd). */
char *klocal_res_format(const klocal_res *r);

#endif
