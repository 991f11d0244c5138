/* exec_guard: the small process that keeps a task from outliving its
 * executor (Linux only: prctl PR_SET_PDEATHSIG).
 *
 * The guard asks the kernel for SIGUSR2 when its parent (the executor)
 * dies, and checks the parent is still the one named on its command line
 * (else it was orphaned before the request took). It forks and execs the
 * task's command in its own process group; on SIGUSR2 it SIGKILLs the
 * whole group, itself included. The signals meant for the task (TERM,
 * INT, HUP, QUIT, USR1) reach it through the group, so the guard only
 * survives them, with a handler rather than SIG_IGN so that exec resets
 * them for the task. It then waits for the child and ends the same way:
 * the same exit status, or the same signal raised on itself. */
#include "exec/exec_guard.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* signals the guard must outlive: they reach the task through its group */
static const int exec_guard_passed[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1};

static void exec_guard_orphaned(int sig)
{
    (void)sig;
    kill(0, SIGKILL); /* the whole group, the guard included */
}

static void exec_guard_ignore(int sig)
{
    (void)sig; /* a handler, not SIG_IGN: exec resets it for the task */
}

static void exec_guard_handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int kmesos_exec_guard_main(int argc, char **argv)
{
    char *end = NULL;
    long ppid = argc > 4 ? strtol(argv[2], &end, 10) : 0;
    if (argc < 5 || strcmp(argv[1], KMESOS_EXEC_GUARD_FLAG) != 0 || !end || *end || ppid <= 0 ||
        strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: %s %s PPID -- FILE [ARGS...]\n", argv[0], KMESOS_EXEC_GUARD_FLAG);
        return 2;
    }
    exec_guard_handle(SIGUSR2, exec_guard_orphaned);
    for (size_t i = 0; i < sizeof exec_guard_passed / sizeof *exec_guard_passed; i++)
        exec_guard_handle(exec_guard_passed[i], exec_guard_ignore);
    if (prctl(PR_SET_PDEATHSIG, SIGUSR2) != 0 || getppid() != (pid_t)ppid)
        exec_guard_orphaned(0); /* the executor is gone already */
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "kmesos-executor guard: fork: %s\n", strerror(errno));
        return 127;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, 0);
        signal(SIGUSR2, SIG_DFL);
        execvp(argv[4], argv + 4);
        fprintf(stderr, "kmesos-executor guard: cannot run %s: %s\n", argv[4], strerror(errno));
        _exit(127);
    }
    int st = 0;
    while (waitpid(child, &st, 0) < 0)
        if (errno != EINTR)
            return 127;
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        _exit(128 + sig);
    }
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}
