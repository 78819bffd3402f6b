"""
Fan-out of one live class to 500 students, against a bare broadcast server.

One daphne process serves the platform. 500 student websockets (real
``websockets`` clients over TCP on 127.0.0.1) join one session, and the
teacher draws and chats at a class's pace. The students run in
CLIENT_PROCESSES spawned processes (``fanout_clients``), so that one Python
process decoding 500 sockets does not limit what is measured. They join at
JOIN_RATE joins a second in all, each waiting for its ``welcome``, because
500 handshakes at once would measure the join storm instead. From its join
on, each student reads every frame and sends a ping every 25 s, as
classroom.js does, so the server's idle timeout applies unchanged.

For each teacher message the benchmark takes the time from the teacher's
send to its arrival at the last student. It prints p50, p95 and p99 of that
time, the messages sent and frames delivered per second, the server's CPU
time per delivered frame (from /proc/PID/stat), and its memory per
connection (growth of the resident set size, VmRSS, from start to all
joined). In the same run, a bare server written with ``websockets`` serves
the same clients the same messages. It stores and checks nothing, so it is
the floor. The goal is p95 under 250 ms and within three times the floor.

The teacher's pace: the page has no whiteboard client yet, so the pace is
that of a pen on a tablet. A client that batches pointer events (60 to 120
a second) every 100 ms sends 6 to 12 points a batch (8 here), within the
server's default of 20 frames a second per connection. The teacher draws a stroke
for 1.5 s (15 batches), lifts the pen for 0.5 s, and sends a chat message
every 4 s, within the chat limit of 5 in 5 s. That is about 8 messages a
second, 4,000 frames a second to 500 students. Each batch names its stroke
``m<number>``, so that a receiver can tell batches apart. A real client
reuses one id for the batches of a stroke, and the frames are the same size
either way.

A second test holds 2,000 idle classroom connections (four classes of 500,
each student in all four) on one process and prints their memory.

The figures depend on the machine: the clients share its CPUs with the
servers. Neither server negotiates permessage-deflate, and the benchmark
checks that. LIVE_BENCH_STUDENTS, LIVE_BENCH_IDLE, LIVE_BENCH_SECONDS and
LIVE_BENCH_JOIN_RATE shrink a run for debugging. docs/live-fanout.md
records the figures.

NOTE: the second goal is not met reliably. On the 2-CPU development
machine, shared with other test runs at load averages of 1 to 6, daphne
used 34 to 43 us of CPU per frame against the floor's 15 to 19 us. The p95
ratio still ranged from 0.77 to 5.73 between runs, and was under 3 in five
of seven, because other processes' bursts reach the tail of either server.
"""

import asyncio
import json
import multiprocessing
import os
import time
from urllib.parse import urlparse

import pytest
from tqdm import tqdm

from live.models import LiveEvent
from tests.benchmarks import fanout_clients
from tests.benchmarks.helpers import log_in
from tests.courses.factories import (
    enrol,
    make_course,
    make_course_index,
    make_school,
    make_student,
    make_teacher,
)
from tests.live.conftest import clear_redis_log, make_session, running_daphne

STUDENTS = int(os.environ.get("LIVE_BENCH_STUDENTS", "500"))
IDLE_CONNECTIONS = int(os.environ.get("LIVE_BENCH_IDLE", "2000"))
IDLE_CLASSES = 4
TEACHING_SECONDS = float(os.environ.get("LIVE_BENCH_SECONDS", "30"))
JOIN_RATE = float(os.environ.get("LIVE_BENCH_JOIN_RATE", "25"))
CLIENT_PROCESSES = 4
# Joins in progress at once per client process.
JOIN_CONCURRENCY = 4
# Presence lists go out at most every 0.5 s, so after this the last is sent.
SETTLE_SECONDS = 3
# How long the last message may take to reach every student.
DELIVERY_TIMEOUT = 60

# The teacher's pace (see the module docstring).
BATCH_SECONDS = 0.1
POINTS_PER_BATCH = 8
BATCHES_PER_STROKE = 15
PAUSE_BATCHES = 5
CHAT_EVERY_BATCHES = 40


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid):
    """Return the user and system CPU time of process ``pid``, in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may contain spaces, so count fields after its ")".
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def teacher_schedule(seconds):
    """Return ``(offset in seconds, marker, message)`` for the teaching time."""
    schedule = []
    x, y = 2000, 3000
    for slot in range(int(seconds / BATCH_SECONDS)):
        offset = slot * BATCH_SECONDS
        if slot % CHAT_EVERY_BATCHES == CHAT_EVERY_BATCHES // 2:
            marker = f"m{len(schedule)}"
            text = f"{marker} Perhatikan papan tulis, lalu salin ke buku."
            schedule.append(
                (offset, marker, {"type": "chat", "ref": marker, "text": text})
            )
        if slot % (BATCHES_PER_STROKE + PAUSE_BATCHES) >= BATCHES_PER_STROKE:
            continue
        points = []
        for _point in range(POINTS_PER_BATCH):
            x = (x + 37) % 10_000
            y = (y + 11) % 10_000
            points += [x, y]
        marker = f"m{len(schedule)}"
        stroke = {"id": marker, "color": "#203040", "width": 4, "points": points}
        schedule.append(
            (offset, marker, {"type": "draw", "ref": marker, "strokes": [stroke]})
        )
    return schedule


def start_students(items, expected, limit):
    """Spread ``items`` over CLIENT_PROCESSES spawned client processes."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    stop = context.Event()
    processes = []
    for index in range(CLIENT_PROCESSES):
        share = items[index::CLIENT_PROCESSES]
        process = context.Process(
            target=fanout_clients.run_students,
            args=(
                index,
                share,
                (JOIN_RATE / CLIENT_PROCESSES, JOIN_CONCURRENCY),
                expected,
                results,
                stop,
                limit,
            ),
        )
        process.start()
        processes.append(process)
    return processes, results, stop


def stop_students(processes, stop):
    stop.set()
    for process in processes:
        process.join(timeout=15)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)


def join_timeout(connections):
    """
    Return how long the joins may take, in seconds.

    That is twice the ramp, or half a second per join where that is longer,
    plus a minute. On the 2-CPU development machine at a load average of 8
    to 10, 500 students asked to join at 25 a second took 104 s, and 2,000
    took about 9 minutes.
    """
    return max(2 * connections / JOIN_RATE, connections / 2) + 60


async def teach(url, origin, cookie, schedule, results):
    """
    Send the schedule as the teacher, then wait for every client's arrivals.

    Return ``(sent_at, arrivals by process, error codes sent to the teacher,
    seconds from the first send to the last)``.
    """
    teacher = fanout_clients.Student(url, origin, cookie)
    await teacher.join()
    errors = []

    async def read_replies():
        async for frame in teacher.socket:
            message = json.loads(frame)
            if message.get("type") == "error":
                errors.append(message.get("code"))

    reader = asyncio.create_task(read_replies())
    sent_at = {}
    started = time.monotonic()
    for offset, marker, message in schedule:
        await asyncio.sleep(max(0.0, started + offset - time.monotonic()))
        sent_at[marker] = time.monotonic()
        await teacher.socket.send(json.dumps(message))
    sending_seconds = time.monotonic() - started
    done = await asyncio.to_thread(
        fanout_clients.collect, results, "done", CLIENT_PROCESSES, DELIVERY_TIMEOUT
    )
    reader.cancel()
    await teacher.socket.close()
    return sent_at, done, errors, sending_seconds


def measure(name, pid, url, origin, student_cookies, teacher_cookie):
    """Run one class against the server ``pid``, print its figures, return p95."""
    schedule = teacher_schedule(TEACHING_SECONDS)
    items = [(url, origin, cookie) for cookie in student_cookies]
    rss_start = rss_kib(pid)
    limit = join_timeout(len(items)) + TEACHING_SECONDS + DELIVERY_TIMEOUT
    processes, results, stop = start_students(items, len(schedule), limit)
    try:
        joined = fanout_clients.collect(
            results, "joined", CLIENT_PROCESSES, join_timeout(len(items))
        )
        time.sleep(SETTLE_SECONDS)
        rss_joined = rss_kib(pid)
        cpu_before = cpu_seconds(pid)
        sent_at, done, errors, sending_seconds = asyncio.run(
            teach(url, origin, teacher_cookie, schedule, results)
        )
        cpu_used = cpu_seconds(pid) - cpu_before
    finally:
        stop_students(processes, stop)

    incomplete = [ending for result in done.values() for ending in result[2]]
    frames = sum(result[1] for result in done.values())
    latencies = []
    last_arrival = 0
    for marker, sent in sent_at.items():
        arrivals = [result[0].get(marker, 0) for result in done.values()]
        last_arrival = max(last_arrival, *arrivals)
        latencies.append(max(arrivals) - sent)
    delivered = len(schedule) * len(items)
    delivery_seconds = last_arrival - min(sent_at.values())
    extensions = sorted({value for result in joined.values() for value in result[1]})
    join_seconds = max(result[0] for result in joined.values())
    p50, p95, p99 = (percentile(latencies, f) for f in (0.5, 0.95, 0.99))
    print(  # noqa: T201
        f"\n{name}: {len(items)} students joined in {join_seconds:.1f} s; "
        f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; "
        f"{len(schedule) / sending_seconds:.1f} messages/s sent, "
        f"{delivered / delivery_seconds:.0f} frames/s delivered, "
        f"{cpu_used / delivered * 1e6:.0f} us server CPU per frame; "
        f"{(rss_joined - rss_start) / len(items):.1f} KiB RSS per connection "
        f"({rss_start / 1024:.0f} -> {rss_joined / 1024:.0f} MiB); "
        f"extensions {extensions}"
    )
    assert incomplete == [], (
        f"{len(incomplete)} students missed messages, ending {set(incomplete)}"
    )
    assert errors == [], f"the teacher got errors {errors}"
    assert extensions == ["None"], f"negotiated {extensions}"
    assert frames >= delivered
    return p95


def make_classes(count, size):
    """
    Create ``count`` courses with one teacher, ``size`` students in all of
    them and an open session each. Return the teacher, students and sessions.
    """
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    students = [make_student(school) for _number in tqdm(range(size), desc="students")]
    sessions = []
    for _number in range(count):
        course = make_course(index, teachers=[teacher])
        for student in students:
            enrol(course, student)
        sessions.append(make_session(course, teacher))
    return teacher, students, sessions


def socket_url(base_url, session):
    return f"ws://{urlparse(base_url).netloc}/ws/live/{session.pk}/"


@pytest.fixture
def fresh_log(settings):
    """Clear the live log's Redis keys, which an earlier run may have left."""
    if settings.REDIS_URL:
        clear_redis_log(settings.REDIS_URL)


@pytest.mark.django_db(transaction=True)
def test_live_fanout_against_bare_broadcast(fresh_log):
    teacher, students, (session,) = make_classes(1, STUDENTS)
    cookies = [f"sessionid={log_in(student)}" for student in students]
    teacher_cookie = f"sessionid={log_in(teacher)}"

    with running_daphne() as (base_url, pid):
        live_p95 = measure(
            "live classroom",
            pid,
            socket_url(base_url, session),
            base_url,
            cookies,
            teacher_cookie,
        )
    schedule_length = len(teacher_schedule(TEACHING_SECONDS))
    assert LiveEvent.objects.filter(session=session).count() == schedule_length + 1

    context = multiprocessing.get_context("spawn")
    port_queue = context.Queue()
    server = context.Process(target=fanout_clients.bare_server, args=(port_queue,))
    server.start()
    try:
        url = f"ws://127.0.0.1:{port_queue.get(timeout=30)}/"
        floor_p95 = measure(
            "bare websockets", server.pid, url, None, [None] * STUDENTS, None
        )
    finally:
        server.terminate()
        server.join(timeout=10)

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(  # noqa: T201
        f"p95 ratio live/bare: {live_p95 / floor_p95:.2f} "
        f"({os.cpu_count()} CPUs, load average {load})"
    )
    assert live_p95 < 0.250
    assert live_p95 < 3 * floor_p95


@pytest.mark.django_db(transaction=True)
def test_live_idle_connections_memory(fresh_log):
    _teacher, students, sessions = make_classes(
        IDLE_CLASSES, IDLE_CONNECTIONS // IDLE_CLASSES
    )
    cookies = [f"sessionid={log_in(student)}" for student in students]

    with running_daphne() as (base_url, pid):
        items = [
            (socket_url(base_url, session), base_url, cookie)
            for cookie in cookies
            for session in sessions
        ]
        rss_start = rss_kib(pid)
        limit = join_timeout(len(items)) + 2 * SETTLE_SECONDS + 30
        processes, results, stop = start_students(items, None, limit)
        try:
            joined = fanout_clients.collect(
                results, "joined", CLIENT_PROCESSES, join_timeout(len(items))
            )
            time.sleep(2 * SETTLE_SECONDS)
            rss_joined = rss_kib(pid)
        finally:
            stop_students(processes, stop)

    join_seconds = max(result[0] for result in joined.values())
    per_connection = (rss_joined - rss_start) / len(items)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(  # noqa: T201
        f"\n{len(items)} idle classroom connections in {IDLE_CLASSES} classes: "
        f"{per_connection:.1f} KiB RSS each "
        f"({rss_start / 1024:.0f} -> {rss_joined / 1024:.0f} MiB), "
        f"joined in {join_seconds:.1f} s at {JOIN_RATE:g} joins/s "
        f"({os.cpu_count()} CPUs, load average {load})"
    )
    assert per_connection < 1024
