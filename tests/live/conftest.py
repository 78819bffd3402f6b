"""Fixtures for live classes: a course with its people, and open sessions."""

import contextlib
import datetime
import shutil
import subprocess
import time
from functools import partial
from types import SimpleNamespace

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from live.eventlog import LOCAL_LIMITER, close_log
from live.fanout import close_hub
from live.models import LiveSession
from tests.conftest import (
    _prepare_daphne_child,
    free_port,
    port_open,
    require,
    restore_wagtail_root,
)
from tests.courses.factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_operator,
    make_school,
    make_student,
    make_teacher,
)

ORIGIN = "http://127.0.0.1"


def make_session(course, teacher, state="open", **fields):
    now = timezone.now()
    session = LiveSession.objects.create(
        course_id=course.pk,
        teacher=teacher,
        title=fields.pop("title", "Kelas langsung pecahan"),
        starts_at=fields.pop("starts_at", now - datetime.timedelta(minutes=5)),
        ends_at=fields.pop("ends_at", now + datetime.timedelta(hours=1)),
        **fields,
    )
    if state == "open":
        session.open(by=teacher)
    elif state == "ended":
        session.end(by=teacher)
    return session


def session_cookie(user):
    """Log ``user`` in through Django's test client and return the session id."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def classroom():
    """
    Build one course with a teacher and a student, and an open live session.

    Also builds the people who may not join: a student of another course of
    the same school, the student's parent and the school's operator.
    """
    restore_wagtail_root()
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    teacher.first_name, teacher.last_name = "Siti", "Rahayu"
    teacher.save()
    student = make_student(school)
    student.first_name, student.last_name = "Budi", "Santoso"
    student.save()
    course = make_course(index, teachers=[teacher], title="Matematika 7A")
    enrol(course, student)

    other_teacher = make_teacher(school)
    other_course = make_course(index, teachers=[other_teacher], title="IPA 7B")
    outsider = make_student(school)
    enrol(other_course, outsider)

    return SimpleNamespace(
        school=school,
        course=course,
        teacher=teacher,
        student=student,
        other_course=other_course,
        other_teacher=other_teacher,
        outsider=outsider,
        parent=make_guardian(student),
        operator=make_operator(school),
        session=make_session(course, teacher),
    )


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Forget the process-local rate counts, whose keys reuse database ids."""
    LOCAL_LIMITER.hits.clear()


@pytest.fixture(autouse=True)
def _fresh_redis_log(settings):
    """
    Delete the live log's Redis keys before each test.

    Test databases number their sessions from 1 on every run, so counters
    left by an earlier run would hand out the wrong sequence numbers.
    """
    if settings.REDIS_URL:
        clear_redis_log(settings.REDIS_URL)


def clear_redis_log(url):
    """Delete the live log's keys (``live:*``) from the Redis database at ``url``."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match="live:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
async def fresh_channel_layer():
    """
    Drop cached channel layers, whose queues belong to an old event loop.

    Also stop the test loop's fan-out hub and event log writer afterwards.
    """
    channel_layers.backends = {}
    yield
    await close_hub()
    await close_log()
    channel_layers.backends = {}


async def open_socket(session_id, cookie=None, origin=ORIGIN, extra_cookies=""):
    """
    Open the classroom websocket through the full ASGI stack.

    Return ``(communicator, connected)``. The stack includes the origin check
    and the session authentication of ``lms.asgi``.
    """
    from lms.asgi import application

    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    cookies = []
    if cookie is not None:
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={cookie}")
    if extra_cookies:
        cookies.append(extra_cookies)
    if cookies:
        headers.append((b"cookie", "; ".join(cookies).encode()))
    communicator = WebsocketCommunicator(
        application, f"/ws/live/{session_id}/", headers=headers
    )
    connected, _subprotocol = await communicator.connect(timeout=5)
    return communicator, connected


@contextlib.contextmanager
def running_daphne():
    """Serve the platform with daphne in a child; yield its base URL and pid."""
    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    get_application = partial(make_application, static_wrapper=ASGIStaticFilesHandler)
    process = DaphneProcess("127.0.0.1", get_application, setup=_prepare_daphne_child)
    process.start()
    try:
        while not process.ready.wait(timeout=1):
            if not process.is_alive():
                raise RuntimeError("daphne stopped before it was ready")
        yield f"http://127.0.0.1:{process.port.value}", process.pid
    finally:
        process.terminate()
        process.join(timeout=10)


@pytest.fixture
def two_daphnes(transactional_db, redis_url):
    """Serve the platform from two daphne processes that share one Redis."""
    with running_daphne() as (first, _pid), running_daphne() as (second, _pid):
        yield first, second


@pytest.fixture
def own_redis(tmp_path):
    """
    Start a private redis-server on a free loopback port; yield its URL.

    A test may stop it (``.process.terminate()``) to cut the platform off
    from Redis without touching the machine's shared server.
    """
    binary = shutil.which("redis-server")
    require(binary is not None, "needs redis-server (Debian package redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not port_open("127.0.0.1", port, timeout=0.2):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("the private redis-server did not start")
        time.sleep(0.05)
    try:
        yield SimpleNamespace(url=f"redis://127.0.0.1:{port}/0", process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)
