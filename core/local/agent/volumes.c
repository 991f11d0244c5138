/* volumes: persistent volumes on a simulated agent. A volume is a plain
 * folder under the agent's work dir, named by its reservation role and
 * persistence id like the real agent's volumes/roles/<role>/<id>; it
 * outlives the tasks that use it and goes only with DESTROY. A task (or
 * new executor) whose resources hold a volume gets a symlink at the
 * volume's relative container_path in its sandbox (the real agent
 * bind-mounts it there). mkdir, symlink and the removal are small local
 * file system calls made on the loop thread, like the sandbox's mkdir. */
#include "local/agent/volumes.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/log.h"
#include "local/util.h"

char *klocal_volumes_path(const char *work_dir, const klocal_rsv *v)
{
    return klocal_util_xasprintf("%s/volumes/roles/%s/%s", work_dir, v->role, v->volume);
}

int klocal_volumes_create(const char *work_dir, const klocal_rsv *v, char *err, size_t errlen)
{
    char *path = klocal_volumes_path(work_dir, v);
    klocal_util_mkdirs(path, 1);
    struct stat st;
    int rc = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
    if (rc)
        snprintf(err, errlen, "Failed to create persistent volume folder '%s': %s", path,
                 strerror(errno));
    free(path);
    return rc;
}

static int volumes_unlink(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

void klocal_volumes_destroy(const char *work_dir, const klocal_rsv *v)
{
    char *path = klocal_volumes_path(work_dir, v);
    if (nftw(path, volumes_unlink, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        KLOG_WARN("agent", "could not remove persistent volume %s: %s", path, strerror(errno));
    free(path);
}

/* One symlink; 1 when made. */
static int volumes_link_one(const char *work_dir, const char *sandbox, const klocal_rsv *v)
{
    if (!v->path[0] || v->path[0] == '/' || strstr(v->path, "..")) {
        KLOG_WARN("agent", "volume %s: container_path '%s' is not a relative path inside the "
                  "sandbox: not linked", v->volume, v->path);
        return 0;
    }
    char *target = klocal_volumes_path(work_dir, v);
    char *link = klocal_util_xasprintf("%s/%s", sandbox, v->path);
    klocal_util_mkdirs(link, 0);
    int ok = symlink(target, link) == 0;
    if (!ok)
        KLOG_WARN("agent", "volume %s: symlink %s: %s", v->volume, link, strerror(errno));
    free(link);
    free(target);
    return ok;
}

size_t klocal_volumes_link(const char *work_dir, const char *sandbox,
                           Mesos__V1__Resource *const *list, size_t n)
{
    size_t linked = 0;
    for (size_t i = 0; i < n; i++) {
        klocal_rsv v;
        char err[160];
        if (klocal_res_rsv_of(list[i], &v, err, sizeof err) == 1 && v.volume[0])
            linked += (size_t)volumes_link_one(work_dir, sandbox, &v);
    }
    return linked;
}
