/* res: agent resources as the simulator counts them: named scalars
 * (cpus, mem, disk, ...) kept to 3 decimals like Mesos, and one "ports"
 * range set kept sorted and merged. Parsing of the agent flag syntax
 * ("cpus:4;mem:4096;ports:[31000-32000]"), arithmetic (add, subtract,
 * contains), conversion from/to mesos.v1.Resource and to the JSON shape
 * of /master/state. */
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

typedef struct klocal_res {
    size_t nscalars;
    klocal_scalar scalars[KLOCAL_RES_MAX_SCALARS];
    size_t nports;
    size_t ports_cap;
    klocal_range *ports;
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
/* Adds every SCALAR and the "ports" RANGES of the list to r. */
void klocal_res_add_pb(klocal_res *r, Mesos__V1__Resource *const *list, size_t n);
/* Heap-built Resource list (ports first, then scalars), role "*".
 * with_role 0 leaves the deprecated role field unset. */
Mesos__V1__Resource **klocal_res_to_pb(const klocal_res *r, int with_role, size_t *n);
void klocal_res_free_pb(Mesos__V1__Resource **list, size_t n);
/* {"disk":..,"mem":..,"gpus":0.0,"cpus":..,"ports":"[a-b, c-d]"} */
json_t *klocal_res_to_json(const klocal_res *r);
/* "cpus:0.1; mem:32; ports:[31000-31000]" (malloc'd). */
char *klocal_res_format(const klocal_res *r);

#endif
