"""
Joins at the same moment share their database work (``live.joins``).

The sockets go through the full ASGI stack, as in ``test_consumer``.
"""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import DatabaseError

from live import consumers, joins, services
from live.models import LiveConnection, Poll, PollAnswer, PollOption
from lms.auth import IdentifierBackend
from tests.courses.factories import enrol, make_student

from .conftest import open_socket, session_cookie
from .test_consumer import expect_rejection, join

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]


def make_students(classroom, count):
    students = []
    for _number in range(count):
        student = make_student(classroom.school)
        enrol(classroom.course, student)
        students.append(student)
    return students


def count_calls(monkeypatch, name):
    """Count the calls of ``live.joins.<name>``, which still runs."""
    calls = []
    original = getattr(joins, name)

    def counted(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(joins, name, counted)
    return calls


async def test_class_shares_one_snapshot(classroom, monkeypatch):
    students = await database_sync_to_async(make_students)(classroom, 6)
    reads = count_calls(monkeypatch, "read_shared_state")
    writes = count_calls(monkeypatch, "store_joins")

    results = await asyncio.gather(
        *(join(classroom.session, student) for student in students)
    )

    assert len(reads) == 1
    # Rows of joins that queue while a write runs share the next write. The
    # access checks run side by side, so how many queue at once varies.
    assert len(writes) < len(students)
    assert sum(len(call[0]) for call in writes) == 6
    rows = await database_sync_to_async(list)(
        LiveConnection.objects.filter(
            session=classroom.session, disconnected_at__isnull=True
        ).values_list("user_id", "role")
    )
    assert sorted(rows) == sorted((student.pk, "student") for student in students)
    for socket, welcome in results:
        assert welcome["hands"] == []
        assert welcome["poll"] is None
        assert welcome["chat_muted"] is False
        await socket.disconnect()


async def test_new_event_gets_fresh_snapshot(classroom, monkeypatch):
    first, second = await database_sync_to_async(make_students)(classroom, 2)
    reads = count_calls(monkeypatch, "read_shared_state")
    first_socket, _welcome = await join(classroom.session, first)
    await first_socket.send_json_to({"type": "hand_raise", "ref": "h1"})
    ack = await first_socket.receive_json_from(timeout=5)
    while ack["type"] != "ack":
        ack = await first_socket.receive_json_from(timeout=5)

    second_socket, welcome = await join(classroom.session, second)

    assert len(reads) == 2
    assert welcome["last_seq"] == ack["seq"]
    assert [hand["id"] for hand in welcome["hands"]] == [first.pk]
    await first_socket.disconnect()
    await second_socket.disconnect()


def open_poll_with_answer(classroom, student, live_results):
    poll = Poll.objects.create(
        session=classroom.session,
        question="Berapa 1/2 + 1/4?",
        show_results=Poll.Show.LIVE if live_results else Poll.Show.END,
    )
    options = [
        PollOption.objects.create(poll=poll, position=position, text=text)
        for position, text in enumerate(["1/4", "3/4", "1/2"])
    ]
    PollAnswer.objects.create(poll=poll, option=options[1], user=student)
    PollOption.objects.filter(pk=options[1].pk).update(votes=1)
    return poll


async def test_shared_poll_is_personal(classroom):
    other = (await database_sync_to_async(make_students)(classroom, 1))[0]
    await database_sync_to_async(open_poll_with_answer)(
        classroom, classroom.student, live_results=False
    )

    joined = await asyncio.gather(
        join(classroom.session, classroom.student),
        join(classroom.session, other),
        join(classroom.session, classroom.teacher),
    )
    (student_socket, student), (other_socket, unanswered), (teacher_socket, teacher) = (
        joined
    )

    assert student["poll"]["answered"] == 1
    assert "counts" not in student["poll"]
    assert unanswered["poll"]["answered"] is None
    assert "counts" not in unanswered["poll"]
    assert teacher["poll"]["counts"] == [0, 1, 0]
    assert teacher["poll"]["total"] == 1
    for socket in (student_socket, other_socket, teacher_socket):
        await socket.disconnect()


async def test_failed_row_write_rejects_join(classroom, monkeypatch):
    def fail(pending):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(joins, "store_joins", fail)
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    socket, connected = await open_socket(classroom.session.pk, cookie)
    assert connected
    error, code = await expect_rejection(socket)
    assert error["code"] == "server_error"
    assert code == 4500
    assert not await database_sync_to_async(
        LiveConnection.objects.filter(session=classroom.session).exists
    )()


async def test_class_shares_participants_read(classroom, monkeypatch, settings):
    students = await database_sync_to_async(make_students)(classroom, 6)
    reads = []
    original = services.participants

    def counted(session_id):
        reads.append(session_id)
        return original(session_id)

    monkeypatch.setattr(services, "participants", counted)
    # A presence delay longer than the test, so that only the welcomes read.
    settings.LIVE_PRESENCE_DELAY_SECONDS = 30

    results = await asyncio.gather(
        *(join(classroom.session, student) for student in students)
    )

    assert reads == [classroom.session.pk]
    for socket, welcome in results:
        ids = {person["id"] for person in welcome["presence"]}
        assert welcome["you"]["id"] in ids
        await socket.disconnect()


@pytest.mark.parametrize(
    ("owner", "name"),
    [(IdentifierBackend, "get_user"), (consumers, "check_access")],
    ids=["user lookup", "access check"],
)
async def test_handshake_calls_run_side_by_side(classroom, monkeypatch, owner, name):
    students = await database_sync_to_async(make_students)(classroom, 2)
    # Each call waits for the other, which only a second thread can run.
    barrier = threading.Barrier(2, timeout=5)
    original = getattr(owner, name)

    def call_together(*args):
        barrier.wait()
        return original(*args)

    monkeypatch.setattr(owner, name, call_together)

    results = await asyncio.gather(
        *(join(classroom.session, student) for student in students)
    )

    for (socket, welcome), student in zip(results, students, strict=True):
        assert welcome["you"]["id"] == student.pk
        await socket.disconnect()
