/* attrs: agent attributes ("rack:r1;zone:z1"). A value may list
 * alternatives separated by commas ("rack:r1,r2,r3"): agent i takes the
 * (i mod n)-th one, so one flag spreads agents over racks. Numbers become
 * SCALAR attributes, everything else TEXT, as Mesos parses them. */
#ifndef KLOCAL_ATTRS_H
#define KLOCAL_ATTRS_H
#include <stddef.h>
#include <jansson.h>
#include "mesos/v1/mesos.pb-c.h"

typedef struct klocal_attr {
    char *name;
    char *value;
} klocal_attr;

typedef struct klocal_attrs {
    size_t n;
    klocal_attr *v;
} klocal_attrs;

void klocal_attrs_init(klocal_attrs *a);
void klocal_attrs_free(klocal_attrs *a);
/* 0, or -1 with a reason in err. */
int klocal_attrs_parse(klocal_attrs *a, const char *text, size_t agent_index,
                       char *err, size_t errlen);
Mesos__V1__Attribute **klocal_attrs_to_pb(const klocal_attrs *a, size_t *n);
void klocal_attrs_free_pb(Mesos__V1__Attribute **list, size_t n);
/* {"rack":"r1","level":2.0} */
json_t *klocal_attrs_to_json(const klocal_attrs *a);

#endif
