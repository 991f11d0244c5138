/* main: kmesos-local's entry point. Parses the flags (usage and exit 2 on
 * a bad one), starts the master and its agents on one libuv loop, and on
 * SIGINT/SIGTERM stops everything: tasks are killed, their processes
 * reaped, every handle closed and all memory released before exit 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "codec/log.h"
#include "local/config.h"
#include "local/master/master.h"

typedef struct klocal_main {
    uv_loop_t loop;
    uv_signal_t sigint;
    uv_signal_t sigterm;
    uv_timer_t reaper;
    klocal_config cfg;
    klocal_master *master;
    int stopping;
} klocal_main;

static void main_close_all(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Polls until the agents reaped their processes, then closes the rest. */
static void main_on_reaper(uv_timer_t *t)
{
    klocal_main *k = t->data;
    if (klocal_master_busy(k->master))
        return;
    uv_timer_stop(t);
    uv_close((uv_handle_t *)&k->sigint, NULL);
    uv_close((uv_handle_t *)&k->sigterm, NULL);
    uv_close((uv_handle_t *)&k->reaper, NULL);
}

static void main_stop(klocal_main *k)
{
    if (k->stopping)
        return;
    k->stopping = 1;
    KLOG_INFO("main", "shutting down: killing all tasks");
    klocal_master_stop(k->master);
    uv_timer_start(&k->reaper, main_on_reaper, 0, 20);
}

static void main_on_signal(uv_signal_t *s, int signum)
{
    (void)signum;
    main_stop(s->data);
}

static int main_run(klocal_main *k)
{
    char err[512];
    uv_loop_init(&k->loop);
    uv_signal_init(&k->loop, &k->sigint);
    uv_signal_init(&k->loop, &k->sigterm);
    uv_timer_init(&k->loop, &k->reaper);
    k->sigint.data = k->sigterm.data = k->reaper.data = k;
    uv_signal_start(&k->sigint, main_on_signal, SIGINT);
    uv_signal_start(&k->sigterm, main_on_signal, SIGTERM);
    int rc = 0;
    k->master = klocal_master_start(&k->loop, &k->cfg, err, sizeof err);
    if (!k->master || klocal_master_stopped(k->master)) {
        fprintf(stderr, "kmesos-local: %s\n", err);
        rc = 1;
        if (k->master) {
            k->stopping = 1;
            uv_timer_start(&k->reaper, main_on_reaper, 0, 20);
        } else {
            uv_walk(&k->loop, main_close_all, NULL);
        }
    } else {
        printf("kmesos-local: master %s on %s:%d\n", klocal_master_id(k->master), k->cfg.ip,
               klocal_master_port(k->master));
        fflush(stdout);
    }
    uv_run(&k->loop, UV_RUN_DEFAULT);
    if (k->master)
        klocal_master_free(k->master);
    uv_run(&k->loop, UV_RUN_DEFAULT);
    uv_loop_close(&k->loop);
    return rc;
}

int main(int argc, char **argv)
{
    klocal_main k = {0};
    char err[512];
    int rc = klocal_config_parse(&k.cfg, argc, argv, err, sizeof err);
    if (rc == KLOCAL_CONFIG_HELP) {
        klocal_config_usage(stdout, argv[0]);
        klocal_config_free(&k.cfg);
        return 0;
    }
    if (rc != KLOCAL_CONFIG_OK) {
        klocal_config_usage(stderr, argv[0]);
        fprintf(stderr, "\nkmesos-local: %s\n", err);
        klocal_config_free(&k.cfg);
        return 2;
    }
    kmesos_log_set_level((kmesos_log_level)k.cfg.log_level);
    signal(SIGPIPE, SIG_IGN);
    rc = main_run(&k);
    klocal_config_free(&k.cfg);
    return rc;
}
