"""Jobs for the scheduler tests, named by dotted path in ``SCHEDULER_JOBS``."""

import os
import threading
import time

runs = []
_runs_lock = threading.Lock()


def record_run():
    """Note one run after a short pause, so parallel claims overlap."""
    time.sleep(0.3)
    with _runs_lock:
        runs.append(threading.get_ident())


def fail():
    raise RuntimeError("gateway timed out")


def append_to_file():
    """Append one line to ``SCHEDULER_TEST_FILE``, for jobs run by a child process."""
    time.sleep(1)
    with open(os.environ["SCHEDULER_TEST_FILE"], "a", encoding="utf-8") as file:
        file.write(f"{os.getpid()}\n")
