"""
A whole class joining one live class at the same moment.

Daphne serves the platform on PostgreSQL and Redis, started from its
command line as ``make run`` and the load runner start it. N students
(100 and 300 by default, LIVE_JOIN_STUDENTS overrides the list) open their
classroom socket at one agreed moment with real ``websockets`` clients over
TCP on 127.0.0.1, spread over CLIENT_PROCESSES processes. The benchmark
prints, per run, p50/p95/p99 of the time to the completed handshake and to
the ``welcome`` message, and the failures by cause.

Each class size runs twice: with Twisted's default listen backlog of 50
and with ``DAPHNE_BACKLOG`` of ``lms.serve``, so the two figures come from
the same machine state (LIVE_JOIN_BACKLOGS overrides the list). Every run
has its own session and daphne process. LIVE_JOIN_SOURCE names another
checkout for daphne to serve, to measure older code against the same
data.

Run: ``.venv/bin/pytest tests/benchmarks/test_live_join.py -o addopts="" -s``
with DATABASE_URL and REDIS_URL set. Results are in docs/load.md and, for
the thread pool of the handshakes, in docs/live-fanout.md.
"""

import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from lms.serve import DAPHNE_BACKLOG, daphne_command
from tests.benchmarks import join_clients
from tests.benchmarks.helpers import log_in
from tests.conftest import free_port, port_open, require
from tests.courses.factories import (
    enrol,
    make_course,
    make_course_index,
    make_school,
    make_student,
    make_teacher,
)
from tests.live.conftest import clear_redis_log, make_session

ROOT = Path(__file__).resolve().parents[2]
CLASS_SIZES = [
    int(size) for size in os.environ.get("LIVE_JOIN_STUDENTS", "100,300").split(",")
]
CLIENT_PROCESSES = int(os.environ.get("LIVE_JOIN_PROCESSES", "3"))
# The listen backlog of each run: Twisted's default, then the served one.
BACKLOGS = [
    int(backlog)
    for backlog in os.environ.get("LIVE_JOIN_BACKLOGS", f"50,{DAPHNE_BACKLOG}").split(
        ","
    )
]
# The checkout whose code daphne serves, such as an export of an older
# commit for a before-and-after comparison (same database schema).
SOURCE = Path(os.environ.get("LIVE_JOIN_SOURCE", ROOT))
ORIGIN = "http://127.0.0.1"
START_DELAY = 3
HOLD_SECONDS = join_clients.JOIN_TIMEOUT + 10


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(label, values):
    if not values:
        return f"{label}: none"
    return (
        f"{label} p50 {statistics.median(values) * 1000:.0f} ms, "
        f"p95 {percentile(values, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.0f} ms"
    )


def load_average():
    with open("/proc/loadavg") as handle:
        return handle.read().split()[0]


def start_daphne(port, backlog, redis_url):
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": (
            f"postgres://{connection.settings_dict['USER']}@127.0.0.1:"
            f"{connection.settings_dict['PORT'] or 5432}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "DATABASE_POOL_MAX_SIZE": "20",
        "REDIS_URL": redis_url,
    }
    command = daphne_command("127.0.0.1", port, backlog, python=sys.executable)
    process = subprocess.Popen(
        command,
        cwd=SOURCE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not port_open("127.0.0.1", port, timeout=0.2):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("daphne did not start")
        time.sleep(0.2)
    return process


def measure_join(url, cookies):
    """Join with every cookie at one moment; return the per-socket results."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    release = context.Event()
    start_at = time.time() + START_DELAY
    shares = [cookies[number::CLIENT_PROCESSES] for number in range(CLIENT_PROCESSES)]
    processes = [
        context.Process(
            target=join_clients.run_clients,
            args=(url, ORIGIN, share, start_at, results, release, HOLD_SECONDS),
        )
        for share in shares
        if share
    ]
    for process in processes:
        process.start()
    measured = []
    try:
        for _process in processes:
            measured.extend(results.get(timeout=START_DELAY + HOLD_SECONDS))
    finally:
        release.set()
        for process in processes:
            process.join(timeout=HOLD_SECONDS)
            if process.is_alive():
                process.kill()
    return measured


@pytest.mark.django_db(transaction=True)
def test_class_joins_at_once(redis_url):
    require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL")
    clear_redis_log(redis_url)
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    course = make_course(index, teachers=[teacher], title="Matematika 7A")
    students = [make_student(school) for _number in range(max(CLASS_SIZES))]
    for student in students:
        enrol(course, student)
    cookies = [
        f"{settings.SESSION_COOKIE_NAME}={log_in(student)}" for student in students
    ]

    for size in CLASS_SIZES:
        for backlog in BACKLOGS:
            # Both sessions open before daphne starts: opening one writes its
            # first event, which daphne's log writer could store at the same
            # moment.
            warm_session = make_session(course, teacher, title="Pemanasan")
            live_session = make_session(course, teacher, title=f"Kelas {size}")
            port = free_port()
            daphne = start_daphne(port, backlog, redis_url)
            try:
                # One join first, so that imports and the first connections
                # do not count against the class.
                warm = measure_join(
                    f"ws://127.0.0.1:{port}/ws/live/{warm_session.pk}/", cookies[:1]
                )
                assert warm[0][2] is None, warm
                before = load_average()
                measured = measure_join(
                    f"ws://127.0.0.1:{port}/ws/live/{live_session.pk}/",
                    cookies[:size],
                )
            finally:
                daphne.terminate()
                daphne.wait(timeout=30)
            handshakes = [result[0] for result in measured if result[0] is not None]
            welcomes = [result[1] for result in measured if result[1] is not None]
            failures = Counter(result[2] for result in measured if result[2])
            print(  # noqa: T201
                f"\n{size} students, backlog {backlog}, load average {before}:"
                f"\n  {summary('handshake', handshakes)}"
                f"\n  {summary('welcome', welcomes)}"
                f"\n  failures {sum(failures.values())} {dict(failures)}"
            )
            assert len(measured) == size
