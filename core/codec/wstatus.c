/* wstatus: how a process ended, in words (wstatus.h). The raw form is
 * taken apart with the <sys/wait.h> macros, so it means what waitpid()
 * meant on this system; the signal's short name comes from the C
 * library (sigabbrev_np), its description from strsignal. */
#include "codec/wstatus.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

void kmesos_wstatus_text(int64_t code, int sig, char *buf, size_t n)
{
    const char *name = sig > 0 ? sigabbrev_np(sig) : NULL;
    if (sig > 0 && name)
        snprintf(buf, n, "killed by signal %d (SIG%s)", sig, name);
    else if (sig > 0)
        snprintf(buf, n, "killed by signal %d", sig);
    else
        snprintf(buf, n, "exited with status %lld", (long long)code);
}

void kmesos_wstatus_raw_text(int raw, char *buf, size_t n)
{
    if (WIFSIGNALED(raw))
        kmesos_wstatus_text(0, WTERMSIG(raw), buf, n);
    else if (WIFEXITED(raw))
        kmesos_wstatus_text(WEXITSTATUS(raw), 0, buf, n);
    else
        snprintf(buf, n, "wait status 0x%x", (unsigned)raw);
}

void kmesos_wstatus_mesos_text(int64_t code, int sig, char *buf, size_t n)
{
    if (sig > 0)
        snprintf(buf, n, "terminated with signal %s", strsignal(sig));
    else
        snprintf(buf, n, "exited with status %lld", (long long)code);
}
