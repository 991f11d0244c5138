/* volumes: an agent's persistent volumes (CREATE, DESTROY) as folders
 * <work_dir>/volumes/roles/<role>/<persistence id>, kept across tasks,
 * and their links into a sandbox at the volume's container_path. */
#ifndef KLOCAL_VOLUMES_H
#define KLOCAL_VOLUMES_H
#include <stddef.h>
#include "mesos/v1/mesos.pb-c.h"
#include "local/res.h"

/* The folder of volume v (malloc'd). */
char *klocal_volumes_path(const char *work_dir, const klocal_rsv *v);
/* Makes the folder (an existing one is kept, as after an agent restart).
 * 0, or -1 with the reason in err. */
int klocal_volumes_create(const char *work_dir, const klocal_rsv *v, char *err, size_t errlen);
/* Removes the folder and all it holds (the data is gone, as on Mesos). */
void klocal_volumes_destroy(const char *work_dir, const klocal_rsv *v);
/* For each persistent volume of list: a symlink sandbox/<container_path>
 * to its folder. The number linked; a failure is logged and skipped. */
size_t klocal_volumes_link(const char *work_dir, const char *sandbox,
                           Mesos__V1__Resource *const *list, size_t n);

#endif
