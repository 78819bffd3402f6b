"""Fixtures for live classes: a course with its people, and open sessions."""

import datetime
from types import SimpleNamespace

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from live.models import LiveSession
from tests.conftest import restore_wagtail_root  # noqa: F401
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


@pytest.fixture
def fresh_channel_layer():
    """Drop cached channel layers, whose queues belong to an old event loop."""
    channel_layers.backends = {}
    yield
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
