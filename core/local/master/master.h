/* master: the simulated Mesos master. Serves POST /api/v1/scheduler (and
 * /master/api/v1/scheduler) like a Mesos 1.12 master, owns the simulated
 * agents, the frameworks, their tasks and offers, and the control
 * endpoints used by fault tests (/local/...). */
#ifndef KLOCAL_MASTER_H
#define KLOCAL_MASTER_H
#include <stddef.h>
#include <uv.h>
#include "local/config.h"

typedef struct klocal_master klocal_master;

/* Binds the master and starts the agents. NULL with a reason in err. */
klocal_master *klocal_master_start(uv_loop_t *loop, const klocal_config *cfg, char *err,
                                   size_t errlen);
/* Kills every task and stops serving; processes are reaped afterwards. */
void klocal_master_stop(klocal_master *m);
/* True while stopped agents still reap processes. */
int klocal_master_busy(const klocal_master *m);
/* Frees a stopped, idle master (after the loop closed its handles). */
void klocal_master_free(klocal_master *m);
int klocal_master_port(const klocal_master *m);
/* True when start-up failed half-way (agents): stop was already done. */
int klocal_master_stopped(const klocal_master *m);
const char *klocal_master_id(const klocal_master *m);

#endif
