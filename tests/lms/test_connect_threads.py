"""The websocket handshakes' pool of threads across a fork."""

import multiprocessing
from concurrent.futures import TimeoutError

from lms.connect_threads import connect_executor


def _run_in_child(results):
    future = connect_executor().submit(lambda: "ran")
    try:
        results.put(future.result(timeout=5))
    except TimeoutError:
        results.put("timed out")


def test_forked_child_starts_own_threads():
    # The parent's threads exist and are idle before the fork, as after a
    # handshake served in the test process itself.
    assert connect_executor().submit(lambda: "ran").result(timeout=5) == "ran"
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_run_in_child, args=(results,))

    child.start()
    child.join(timeout=30)

    assert child.exitcode == 0
    assert results.get(timeout=1) == "ran"
