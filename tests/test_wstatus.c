/* Tests of codec/wstatus: how a process ended, from a code and a signal
 * or from a raw waitpid() status (FAILURE.status), in our words and in
 * Mesos' (the texts kmesos-local copies from the real agent). */
#include <signal.h>
#include <sys/wait.h>

#include "codec/wstatus.h"
#include "testlib.h"

static void test_code_and_signal(void)
{
    char buf[96];
    kmesos_wstatus_text(0, SIGKILL, buf, sizeof buf);
    CHECK_STR(buf, "killed by signal 9 (SIGKILL)");
    kmesos_wstatus_text(1, 0, buf, sizeof buf);
    CHECK_STR(buf, "exited with status 1");
    kmesos_wstatus_text(0, 0, buf, sizeof buf);
    CHECK_STR(buf, "exited with status 0");
    kmesos_wstatus_text(0, 200, buf, sizeof buf); /* no such signal: no name */
    CHECK_STR(buf, "killed by signal 200");
    kmesos_wstatus_text(0, SIGTERM, buf, 8); /* truncated, terminated */
    CHECK_STR(buf, "killed ");
}

static void test_raw_wait_status(void)
{
    char buf[96];
    kmesos_wstatus_raw_text(9, buf, sizeof buf); /* what a SIGKILL leaves */
    CHECK_STR(buf, "killed by signal 9 (SIGKILL)");
    kmesos_wstatus_raw_text(1 << 8, buf, sizeof buf);
    CHECK_STR(buf, "exited with status 1");
    kmesos_wstatus_raw_text(0, buf, sizeof buf);
    CHECK_STR(buf, "exited with status 0");
    kmesos_wstatus_raw_text(SIGSEGV | 0x80, buf, sizeof buf); /* core dumped */
    CHECK_STR(buf, "killed by signal 11 (SIGSEGV)");
    kmesos_wstatus_raw_text(0x137f, buf, sizeof buf); /* stopped by SIGSTOP */
    CHECK_STR(buf, "wait status 0x137f");
    kmesos_wstatus_raw_text(-1, buf, sizeof buf); /* nonsense is shown, not decoded */
    CHECK_STR(buf, "wait status 0xffffffff");
}

static void test_mesos_wording(void)
{
    char buf[96];
    kmesos_wstatus_mesos_text(0, SIGKILL, buf, sizeof buf);
    CHECK_STR(buf, "terminated with signal Killed");
    kmesos_wstatus_mesos_text(3, 0, buf, sizeof buf);
    CHECK_STR(buf, "exited with status 3");
}

int main(void)
{
    RUN_TEST(test_code_and_signal);
    RUN_TEST(test_raw_wait_status);
    RUN_TEST(test_mesos_wording);
    return testlib_finish();
}
