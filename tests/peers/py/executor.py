#!/usr/bin/env python3
"""executor.py: a custom Mesos executor written with pymesos'
MesosExecutorDriver (JSON over the v1 executor API). A launched task is
answered TASK_RUNNING and one framework message ("hello"); a killed one
TASK_KILLED. It holds no process per task: the tasks are its own. The
--marker argument only names the process for the test's checks."""
import argparse
import base64
import sys

from pymesos import Executor, MesosExecutorDriver


class PeerExecutor(Executor):
    def launchTask(self, driver, task):
        driver.sendStatusUpdate({"task_id": task["task_id"], "state": "TASK_RUNNING",
                                 "message": "pymesos executor: running"})
        driver.sendFrameworkMessage(base64.b64encode(b"hello").decode())

    def killTask(self, driver, task_id):
        driver.sendStatusUpdate({"task_id": task_id, "state": "TASK_KILLED",
                                 "message": "pymesos executor: killed"})

    def shutdown(self, driver):
        driver.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--marker", default="pyx")
    ap.parse_args()
    driver = MesosExecutorDriver(PeerExecutor(), use_addict=False)
    driver.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
